"""The local public accounts committee: members and meetings, and residents' petitions for an inquiry."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from pbapp.accounts.models import REGISTER, ResidenceVerification
from pbapp.errors import Conflict, Invalid, NotAllowed
from pbapp.places import committee
from pbapp.places.models import Petition, PetitionSignature
from tests import factories as base
from tests.conftest import login
from tests.factories import typed_date
from tests.places import factories

SLUG = "blackburn-with-darwen"


def _resident(db, council, email, postcode="BB3 1AA"):
    user = base.user(db, email=email)
    db.add(
        ResidenceVerification(
            council_id=council.id, user_id=user.id, method=REGISTER, evidence_hash=email, postcode=postcode
        )
    )
    db.commit()
    return user


def test_a_verified_resident_signs_once_and_the_threshold_sets_a_deadline(db, demo):
    place = factories.demo_place(db, demo)
    committee.update_committee(
        db, SLUG, place.id, name="PAC", terms_of_reference="", signature_threshold=2, decision_days=10, actor_id=None
    )
    petition = db.exec(select(Petition).where(Petition.place_id == place.id, Petition.decision.is_(None))).one()
    assert petition.decision_due is None
    signer = _resident(db, demo, "signer@example.org")
    assert committee.sign(db, SLUG, place.id, petition.id, user_id=signer.id) == 2
    db.refresh(petition)
    assert (petition.decision_due - petition.threshold_reached_on).days == 10
    with pytest.raises(Conflict, match="already signed"):
        committee.sign(db, SLUG, place.id, petition.id, user_id=signer.id)
    db.rollback()
    db.add(PetitionSignature(petition_id=petition.id, user_id=signer.id))
    with pytest.raises(IntegrityError):  # the database itself refuses a second signature
        db.commit()
    db.rollback()


def test_an_unverified_account_can_neither_open_nor_sign(db, demo):
    place = factories.demo_place(db, demo)
    stranger = base.user(db, email="stranger@example.org")
    petition = db.exec(select(Petition).where(Petition.place_id == place.id, Petition.decision.is_(None))).one()
    with pytest.raises(NotAllowed):
        committee.sign(db, SLUG, place.id, petition.id, user_id=stranger.id)
    with pytest.raises(NotAllowed):
        committee.open_petition(db, SLUG, place.id, topic="T", bodies_concerned="", examine="E", user_id=stranger.id)


def test_a_decision_needs_reasons_and_closes_the_petition(db, demo):
    place = factories.demo_place(db, demo)
    petition = db.exec(select(Petition).where(Petition.place_id == place.id, Petition.decision.is_(None))).one()
    with pytest.raises(Invalid):
        committee.decide(
            db,
            SLUG,
            place.id,
            petition.id,
            decision="declined",
            reasons=" ",
            decided_on=date(2027, 1, 14),
            actor_id=None,
        )
    committee.decide(
        db,
        SLUG,
        place.id,
        petition.id,
        decision="accepted",
        reasons="Within our remit.",
        decided_on=date(2027, 1, 14),
        actor_id=None,
    )
    signer = _resident(db, demo, "late@example.org")
    with pytest.raises(Conflict, match="closed"):
        committee.sign(db, SLUG, place.id, petition.id, user_id=signer.id)


def test_members_terms_cannot_end_before_they_start(db, demo):
    place = factories.demo_place(db, demo)
    with pytest.raises(Invalid):
        committee.add_member(
            db,
            SLUG,
            place.id,
            name="A",
            kind="councillor",
            role="",
            term_start=date(2027, 1, 1),
            term_end=date(2026, 1, 1),
            actor_id=None,
        )


def test_the_public_sees_counts_by_ward_never_names_and_a_resident_signs_from_the_page(app, client, db, demo):
    place = factories.demo_place(db, demo)
    committee_page = client.get(f"/places/{SLUG}/{place.id}/committee").get_data(as_text=True)
    assert "Cllr Ruth Entwistle" in committee_page and "Terms of reference" in committee_page
    petition = db.exec(select(Petition).where(Petition.place_id == place.id, Petition.decision.is_(None))).one()
    page = client.get(f"/places/{SLUG}/{place.id}/petitions/{petition.id}").get_data(as_text=True)
    assert "Darwen East" in page and "Imran Hussain" not in page and "resident@demo.example" not in page
    _resident(db, demo, "ward@example.org")
    signer_client = app.test_client()
    login(signer_client, "ward@example.org", "correct horse battery")
    response = signer_client.post(f"/places/{SLUG}/{place.id}/petitions/{petition.id}/sign")
    assert response.status_code == 303
    page = signer_client.get(response.location).get_data(as_text=True)
    assert "You have signed" in page and 'data-signatures="2"' in page
    again = signer_client.post(f"/places/{SLUG}/{place.id}/petitions/{petition.id}/sign")
    assert "You have already signed this petition." in signer_client.get(again.location).get_data(as_text=True)


def test_an_officer_runs_the_committee_from_its_page(client, db, demo, login_as):
    """Every date of the committee's forms is typed in the GOV.UK date input and stored as typed."""
    from pbapp.places.models import CommitteeMeeting, CommitteeMember

    login_as("officer")
    place = factories.demo_place(db, demo)
    page = client.get(f"/places/{SLUG}/{place.id}/").get_data(as_text=True)
    assert f"/places/{SLUG}/{place.id}/committee" in page
    committee_page = client.get(f"/places/{SLUG}/{place.id}/committee").get_data(as_text=True)
    assert 'name="member-term_start-day"' in committee_page and 'name="meeting-held_on-year"' in committee_page
    members = f"/places/{SLUG}/{place.id}/committee/members"
    member = {"member-name": "X", "member-kind": "resident"}
    bad = client.post(
        members,
        data={**member, **typed_date("member-term_start", "2027-01-01"), **typed_date("member-term_end", "2026-01-01")},
    )
    assert bad.status_code == 422 and "The term cannot end before it starts." in bad.get_data(as_text=True)
    unreal = client.post(
        members,
        data={
            **member,
            **typed_date("member-term_start", "2027-01-01"),
            "member-term_end-day": "31",
            "member-term_end-month": "2",
            "member-term_end-year": "2028",
        },
    )
    assert unreal.status_code == 422 and "Term ends must be a real date" in unreal.get_data(as_text=True)
    assert 'href="#member-term_end-day"' in unreal.get_data(as_text=True)
    added = client.post(
        members,
        data={**member, **typed_date("member-term_start", "2027-01-01"), **typed_date("member-term_end", "2028-12-31")},
    )
    assert added.status_code == 303
    stored = db.exec(select(CommitteeMember).where(CommitteeMember.name == "X")).one()
    assert (stored.term_start, stored.term_end) == (date(2027, 1, 1), date(2028, 12, 31))
    db.commit()
    ok = client.post(
        f"/places/{SLUG}/{place.id}/committee/meetings",
        data={**typed_date("meeting-held_on", "2027-03-11"), "meeting-location": "Darwen Town Hall"},
    )
    assert ok.status_code == 303
    assert "Darwen Town Hall" in client.get(ok.location).get_data(as_text=True)
    meeting = db.exec(select(CommitteeMeeting).where(CommitteeMeeting.location == "Darwen Town Hall")).one()
    assert meeting.held_on == date(2027, 3, 11)
    db.commit()
    petition = db.exec(select(Petition).where(Petition.place_id == place.id, Petition.decision.is_(None))).one()
    decision_url = f"/places/{SLUG}/{place.id}/petitions/{petition.id}/decision"
    reasons = {"decision": "declined", "reasons": "Already examined by the health scrutiny committee."}
    missing = client.post(decision_url, data={**reasons, "decided_on-day": "14", "decided_on-month": "1"})
    assert missing.status_code == 422 and "Date of the decision must include a day, month and year" in (
        missing.get_data(as_text=True)
    )
    decided = client.post(decision_url, data={**reasons, **typed_date("decided_on", "2027-01-14")})
    assert decided.status_code == 303
    assert "Already examined by the health scrutiny committee." in client.get(decided.location).get_data(as_text=True)
    db.commit()  # end the read, so the next one sees what the request saved (SQLite reads from a snapshot)
    db.refresh(petition)
    assert petition.decided_on == date(2027, 1, 14)
    db.commit()


def test_reading_a_new_places_committee_stores_nothing(client, db, demo):
    from pbapp.places.models import Committee

    place = factories.place(db, demo, name="Pennine Lancashire")
    page = client.get(f"/places/{SLUG}/{place.id}/committee")
    assert page.status_code == 200 and "Pennine Lancashire Public Accounts Committee" in page.get_data(as_text=True)
    assert db.exec(select(Committee).where(Committee.place_id == place.id)).first() is None
