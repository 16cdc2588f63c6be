"""`pbapp council create` and `pbapp admin create`: a real council set up from nothing."""

from __future__ import annotations

import re

from sqlmodel import select

from pbapp.accounts.models import ADMIN, Membership, User
from pbapp.cli import main
from pbapp.councils.models import Council
from pbapp.mail import OutboxMessage


def _invoke(app, *args):
    from flask.cli import ScriptInfo

    return app.test_cli_runner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_council_create_adds_a_council_with_its_welsh_name(app, db):
    result = _invoke(
        app,
        "council",
        "create",
        "--name",
        "North Borough Council",
        "--slug",
        "north-borough",
        "--name-cy",
        "Cyngor Bwrdeistref y Gogledd",
        "--gss-code",
        "e06000099",
    )
    assert result.exit_code == 0, result.output
    council = db.exec(select(Council).where(Council.slug == "north-borough")).one()
    assert (council.name, council.name_cy, council.gss_code) == (
        "North Borough Council",
        "Cyngor Bwrdeistref y Gogledd",
        "E06000099",
    )


def test_council_create_refuses_a_bad_or_taken_address_and_changes_nothing(app, db):
    assert _invoke(app, "council", "create", "--name", "A", "--slug", "north-borough").exit_code == 0
    taken = _invoke(app, "council", "create", "--name", "B", "--slug", "north-borough")
    bad = _invoke(app, "council", "create", "--name", "C", "--slug", "North Borough!")
    assert taken.exit_code == 1 and "already uses the address north-borough" in taken.output
    assert bad.exit_code == 1 and "lower-case letters" in bad.output
    assert len(db.exec(select(Council)).all()) == 1


def test_admin_create_gives_a_one_time_link_that_sets_the_password(app, db, client):
    _invoke(app, "council", "create", "--name", "North Borough Council", "--slug", "north-borough")
    result = _invoke(
        app,
        "admin",
        "create",
        "--council",
        "north-borough",
        "--email",
        "IT@North.example",
        "--name",
        "Sam Jones",
        "--base-url",
        "https://pb.north.example",
    )
    assert result.exit_code == 0, result.output
    link = re.search(r"https://pb\.north\.example/accounts/reset/\S+", result.output).group(0)
    user = db.exec(select(User).where(User.email == "it@north.example")).one()
    council = db.exec(select(Council).where(Council.slug == "north-borough")).one()
    assert db.exec(
        select(Membership).where(
            Membership.user_id == user.id, Membership.council_id == council.id, Membership.role == ADMIN
        )
    ).one()
    mailed = db.exec(select(OutboxMessage).where(OutboxMessage.to == "it@north.example")).one()
    assert link in mailed.body
    path = link.removeprefix("https://pb.north.example")
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, data={"password": "a long new password", "confirm": "a long new password"})
    assert response.status_code == 303
    assert client.get("/accounts/me").status_code == 200
    assert client.get(path).status_code == 404  # used once


def test_admin_create_needs_a_base_url_and_an_existing_council(app, db, monkeypatch):
    monkeypatch.delenv("PBAPP_BASE_URL", raising=False)
    _invoke(app, "council", "create", "--name", "North Borough Council", "--slug", "north-borough")
    no_url = _invoke(app, "admin", "create", "--council", "north-borough", "--email", "a@b.example", "--name", "A")
    no_council = _invoke(
        app,
        "admin",
        "create",
        "--council",
        "nowhere",
        "--email",
        "a@b.example",
        "--name",
        "A",
        "--base-url",
        "https://pb.example",
    )
    assert no_url.exit_code == 1 and "--base-url" in no_url.output
    assert no_council.exit_code == 1 and "no council" in no_council.output
    assert db.exec(select(User)).all() == []


def test_admin_create_has_no_password_option(app):
    result = _invoke(app, "admin", "create", "--help")
    assert "--password" not in result.output
