"""Adding a council from the web: an admin of a council adds another and becomes its first admin."""

from __future__ import annotations

from sqlmodel import select

from pbapp.accounts.models import ADMIN, OFFICER, Membership
from pbapp.audit import AuditEvent
from pbapp.councils.models import Council
from tests import factories
from tests.conftest import login

FORM = {
    "name": "North Borough Council",
    "slug": "north-borough",
    "name_cy": "Cyngor Bwrdeistref y Gogledd",
    "gss_code": "E06000099",
}


def test_an_admin_adds_a_council_and_becomes_its_first_admin(client, db):
    home = factories.council(db, slug="home-council", name="Home Council")
    admin = factories.user(db, council=home, role=ADMIN)
    login(client, admin.email)
    assert "Add a council" in client.get("/accounts/me").get_data(as_text=True)
    assert client.get("/councils/new").status_code == 200

    response = client.post("/councils/new", data=FORM)

    assert response.status_code == 303 and response.location.endswith("/councils/north-borough/setup")
    db.expire_all()
    council = db.exec(select(Council).where(Council.slug == "north-borough")).one()
    assert (council.name, council.name_cy, council.gss_code) == (FORM["name"], FORM["name_cy"], "E06000099")
    roles = db.exec(select(Membership.user_id, Membership.role).where(Membership.council_id == council.id)).all()
    assert roles == [(admin.id, ADMIN)]
    entry = db.exec(select(AuditEvent).where(AuditEvent.action == "council.created")).one()
    assert entry.actor_id == admin.id and entry.council_id == council.id
    assert client.get("/councils/north-borough/setup").status_code == 200


def test_a_taken_address_or_bad_fields_change_nothing_and_say_why(client, db):
    home = factories.council(db, slug="home-council", name="Home Council", gss_code="E06000008")
    admin = factories.user(db, council=home, role=ADMIN)
    login(client, admin.email)
    cases = [
        ({"slug": "home-council"}, "A council already uses the address home-council."),
        ({"slug": "North Borough"}, "lower-case letters, digits and single hyphens"),
        ({"gss_code": "E06000008"}, "Home Council already has the GSS code E06000008."),
        ({"gss_code": "12345"}, "Enter the council’s GSS code like E06000008"),
        ({"name": ""}, "Enter the council’s name"),
    ]
    for change, message in cases:
        response = client.post("/councils/new", data={**FORM, **change})
        assert response.status_code in (409, 422), (change, response.status_code)
        assert message in response.get_data(as_text=True), change
    db.expire_all()
    assert [c.slug for c in db.exec(select(Council)).all()] == ["home-council"]


def test_only_admins_may_add_a_council(client, db):
    home = factories.council(db, slug="home-council", name="Home Council")
    officer = factories.user(db, council=home, role=OFFICER)
    assert client.get("/councils/new").status_code == 302  # to sign in
    login(client, officer.email)
    assert "Add a council" not in client.get("/accounts/me").get_data(as_text=True)
    assert client.post("/councils/new", data=FORM).status_code == 403
    db.expire_all()
    assert db.exec(select(Council).where(Council.slug == "north-borough")).first() is None
