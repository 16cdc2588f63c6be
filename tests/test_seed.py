"""The demo council: real wards and neighbourhoods, four demo accounts, safe to run twice."""

from __future__ import annotations

from sqlmodel import func, select

from pbapp import audit
from pbapp.accounts.models import Membership, User
from pbapp.councils.models import NEIGHBOURHOOD, WARD, Area, Council
from pbapp.seed import seed_demo


def _counts(db):
    return {
        model.__name__: db.exec(select(func.count()).select_from(model)).one()
        for model in (Council, Area, User, Membership)
    }


def test_seed_creates_the_demo_council(app, db):
    report = seed_demo(app)
    assert any("password: correct horse battery" in line for line in report)
    wards = db.exec(select(Area).where(Area.kind == WARD)).all()
    neighbourhoods = db.exec(select(Area).where(Area.kind == NEIGHBOURHOOD)).all()
    assert len(wards) == 17 and len(neighbourhoods) == 3
    assert all(w.neighbourhood_id for w in wards)
    assert sum(w.adults for w in wards) == 114_970
    emails = set(db.exec(select(User.email).where(User.active)).all())
    assert emails == {"admin@demo.example", "officer@demo.example", "facilitator@demo.example", "resident@demo.example"}
    # The rest sign the demo's petition past its threshold (places): switched off, they cannot sign in.
    others = db.exec(select(User).where(User.active.is_(False))).all()
    assert others and all(u.email.startswith("petition-signer-") and u.password_hash == "!" for u in others)


def test_seed_is_idempotent(app, db):
    seed_demo(app)
    before = _counts(db)
    seed_demo(app)
    assert _counts(db) == before
    assert audit.verify(db) is None


def test_seed_if_empty_leaves_an_existing_council_alone(app, db):
    seed_demo(app)
    assert seed_demo(app, if_empty=True) == ["A council already exists; nothing to seed."]


def test_home_page_shows_the_demo_council(client, demo):
    html = client.get("/").get_data(as_text=True)
    assert "Blackburn with Darwen Borough Council" in html
    home = client.get(f"/councils/{demo.slug}/").get_data(as_text=True)
    assert "Votes open now" in home and "govuk-header" in home


def test_areas_page_lists_wards_by_neighbourhood(client, demo):
    html = client.get(f"/councils/{demo.slug}/areas").get_data(as_text=True)
    assert "Darwen and West Pennine" in html and "Livesey with Pleasington" in html
