"""The committee's inquiries: from an accepted petition to evidence, sessions, a report, and each body's response;
the place-wide scrutiny view; resident members drawn by lot from volunteers."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from pbapp.accounts.models import REGISTER, ResidenceVerification
from pbapp.errors import Conflict, Invalid, NotAllowed
from pbapp.places import inquiries, services
from pbapp.places.models import (
    BodyResponse,
    CommitteeMember,
    CommitteeVolunteer,
    Inquiry,
    InquiryEvidence,
    InquirySession,
    Petition,
    PetitionSignature,
    PublicBody,
    Recommendation,
)
from pbapp.timeutil import utcnow
from tests import factories as base
from tests.conftest import login
from tests.factories import typed_date
from tests.places import factories

SLUG = "blackburn-with-darwen"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _link(html: str, text: str) -> str:
    found = re.search(r'<a[^>]*href="([^"]+)"[^>]*>\s*' + re.escape(text), html)
    assert found, f"no link {text!r}"
    return found.group(1).replace("&amp;", "&")


def _resident(db, council, email, postcode="BB3 1AA"):
    user = base.user(db, email=email)
    db.add(
        ResidenceVerification(
            council_id=council.id, user_id=user.id, method=REGISTER, evidence_hash=email, postcode=postcode
        )
    )
    db.commit()
    return user


def _bodies(db, place):
    found = {b.name.split()[0]: b for b in db.exec(select(PublicBody).where(PublicBody.place_id == place.id)).all()}
    db.commit()
    return found


def _open_petition(db, place):
    found = db.exec(select(Petition).where(Petition.place_id == place.id, Petition.decision.is_(None))).one()
    db.commit()
    return found


def test_the_demo_petition_passed_its_threshold_and_became_an_inquiry_with_a_report_and_responses(db, demo, client):
    place = factories.demo_place(db, demo)
    inquiry = db.exec(select(Inquiry).where(Inquiry.place_id == place.id, Inquiry.petition_id.is_not(None))).one()
    petition = db.get(Petition, inquiry.petition_id)
    signatures = len(db.exec(select(PetitionSignature).where(PetitionSignature.petition_id == petition.id)).all())
    assert petition.decision == "accepted" and signatures >= 100 and petition.threshold_reached_on < petition.decided_on
    assert inquiry.status == "reported" and inquiry.opened_on <= inquiry.reported_on <= utcnow().date()
    sessions = db.exec(select(InquirySession).where(InquirySession.inquiry_id == inquiry.id)).all()
    assert len(sessions) == 2 and all(s.held_on <= inquiry.reported_on and s.minutes for s in sessions)
    assert db.exec(
        select(InquiryEvidence).where(InquiryEvidence.inquiry_id == inquiry.id, InquiryEvidence.state == "published")
    ).all()
    recommendations = db.exec(select(Recommendation).where(Recommendation.inquiry_id == inquiry.id)).all()
    responses = db.exec(
        select(BodyResponse).where(BodyResponse.recommendation_id.in_([r.id for r in recommendations]))
    ).all()
    by_id = {r.id: r for r in recommendations}
    assert len({by_id[r.recommendation_id].body_id for r in responses}) == 2
    assert all(r.responded_on <= by_id[r.recommendation_id].response_due for r in responses)
    db.commit()
    page = _text(client.get(f"/places/{SLUG}/{place.id}/inquiries/{inquiry.id}"))
    assert "Partly accepted" in page and "Response overdue" in page and "Darwen Library Theatre" in page
    amount = re.search(r"about £([\d.]+) million", page).group(1)
    _view, summary = services.area_detail(db, SLUG, place.id, inquiry.area_id)
    db.commit()
    assert amount == f"{summary.amount / 100_000_000:.1f}"  # the report's figure is the outcome area's own
    scrutiny = _text(client.get(f"/places/{SLUG}/{place.id}/scrutiny"))
    assert "Lancashire Police and Crime Commissioner" in scrutiny and "No response is overdue" not in scrutiny
    open_one = db.exec(select(Inquiry).where(Inquiry.place_id == place.id, Inquiry.status == "open")).one()
    assert open_one.evidence_closes > utcnow().date() and "Open since" in scrutiny  # its call for evidence is open
    db.commit()
    assert "Give evidence" in _text(client.get(f"/places/{SLUG}/{place.id}/inquiries/{open_one.id}"))


def test_an_officer_runs_an_inquiry_from_an_accepted_petition_by_links(app, client, db, demo, login_as):
    """Petition → decision → inquiry → evidence (moderated) → session → recommendations → report → responses."""
    place = factories.demo_place(db, demo)
    petition = _open_petition(db, place)
    bodies = _bodies(db, place)
    login_as("officer")
    decided = client.post(
        f"/places/{SLUG}/{place.id}/petitions/{petition.id}/decision",
        data={"decision": "accepted", "reasons": "Home safety matters.", **typed_date("decided_on", utcnow().date())},
    )
    assert decided.status_code == 303
    petition_page = _text(client.get(decided.location))
    new_url = _link(petition_page, "Open the inquiry")
    form = _text(client.get(new_url))
    assert "Are home fire safety visits reaching older people in Darwen?" in form
    assert 'name="evidence_closes-day"' in form
    fields = {
        "title": "Home fire safety visits",
        "terms_of_reference": "Whether visits reach older people.",
        "bodies": [str(bodies["Lancashire"].id)],
        "area_id": "",
        "petition_id": str(petition.id),
    }
    past = client.post(new_url, data={**fields, **typed_date("evidence_closes", utcnow().date() - timedelta(days=1))})
    assert past.status_code == 422 and "The call for evidence cannot close before today." in _text(past)
    none = client.post(new_url, data={**fields, "bodies": []})
    assert none.status_code == 422 and "Choose at least one public body the inquiry covers" in _text(none)
    closes = utcnow().date() + timedelta(days=30)
    opened = client.post(new_url, data={**fields, **typed_date("evidence_closes", closes)})
    assert opened.status_code == 303, _text(opened)[:2000]
    inquiry = db.exec(select(Inquiry).where(Inquiry.petition_id == petition.id)).one()
    assert inquiry.evidence_closes == closes
    db.commit()
    inquiry_url = opened.location.split("#")[0]
    assert client.post(new_url, data={**fields}).status_code == 422  # one inquiry per petition

    resident = app.test_client()
    login(resident, "resident@demo.example")
    give = _link(_text(resident.get(inquiry_url)), "Give evidence")
    sent = resident.post(
        give, data={"author": "Imran Hussain", "organisation": "", "text": "My grandmother waited a year for a visit."}
    )
    assert sent.status_code == 303
    assert "My grandmother waited a year" not in _text(resident.get(inquiry_url))  # not until it is checked
    officer_page = _text(client.get(inquiry_url))
    assert "1 piece of evidence awaits checking" in officer_page and "My grandmother waited a year" in officer_page
    evidence = db.exec(select(InquiryEvidence).where(InquiryEvidence.inquiry_id == inquiry.id)).one()
    db.commit()
    moderate = f"{inquiry_url}/evidence/{evidence.id}"
    refused = client.post(moderate, data={"moderate-state": "withheld", "moderate-note": ""}, follow_redirects=True)
    assert "Say why the evidence is withheld." in _text(refused)
    assert client.post(moderate, data={"moderate-state": "published"}).status_code == 303
    assert "My grandmother waited a year" in _text(app.test_client().get(inquiry_url))

    early = client.post(
        f"{inquiry_url}/sessions",
        data={**typed_date("session-held_on", inquiry.opened_on - timedelta(days=1)), "session-location": "Darwen"},
    )
    assert early.status_code == 422 and "A session cannot be held before the inquiry opened." in _text(early)
    held_on = inquiry.opened_on + timedelta(days=14)
    session = client.post(
        f"{inquiry_url}/sessions",
        data={
            **typed_date("session-held_on", held_on),
            "session-location": "Darwen Fire Station",
            "session-witnesses": "Station manager, Lancashire Fire and Rescue\n\n Head of adult social care ",
            "session-minutes": "The service described its referral routes.",
        },
    )
    assert session.status_code == 303
    row = db.exec(select(InquirySession).where(InquirySession.inquiry_id == inquiry.id)).one()
    assert row.held_on == held_on and row.witnesses.splitlines() == [
        "Station manager, Lancashire Fire and Rescue",
        "Head of adult social care",
    ]
    db.commit()

    premature = client.post(f"{inquiry_url}/report", data={"report-findings": "Visits miss Darwen."})
    assert premature.status_code == 422 and "Add the report’s recommendations before you publish it." in _text(
        premature
    )
    due = utcnow().date() + timedelta(days=60)
    for body, text in (
        (bodies["Lancashire"], "Share visit lists with the council."),
        (bodies["Blackburn"], "Offer a visit with every care assessment."),
    ):
        added = client.post(
            f"{inquiry_url}/recommendations",
            data={"rec-text": text, "rec-body_id": str(body.id), **typed_date("rec-response_due", due)},
        )
        assert added.status_code == 303, _text(added)[:1500]
    recommendations = db.exec(
        select(Recommendation).where(Recommendation.inquiry_id == inquiry.id).order_by(Recommendation.position)
    ).all()
    assert [r.response_due for r in recommendations] == [due, due]
    db.commit()
    reported = client.post(f"{inquiry_url}/report", data={"report-findings": "Visits miss Darwen."})
    assert reported.status_code == 303
    page = _text(app.test_client().get(inquiry_url))
    assert "Visits miss Darwen." in page and page.count("Response awaited") == 2

    respond = _link(_text(client.get(inquiry_url)), "Record the response of Lancashire Fire")
    bad = client.post(
        respond,
        data={
            "outcome": "rejected",
            "reasons": "No budget.",
            **typed_date("responded_on", utcnow().date()),
            **typed_date("action_by", utcnow().date() + timedelta(days=90)),
        },
    )
    assert bad.status_code == 422 and "A rejected recommendation has no date for action" in _text(bad)
    action_by = utcnow().date() + timedelta(days=90)
    ok = client.post(
        respond,
        data={
            "outcome": "partly",
            "reasons": "Lists will be shared with consent.",
            **typed_date("responded_on", utcnow().date()),
            **typed_date("action_by", action_by),
        },
    )
    assert ok.status_code == 303
    response = db.exec(select(BodyResponse).where(BodyResponse.recommendation_id == recommendations[0].id)).one()
    assert (response.outcome, response.responded_on, response.action_by) == ("partly", utcnow().date(), action_by)
    db.commit()
    public = app.test_client()
    page = _text(public.get(inquiry_url))
    assert "Lists will be shared with consent." in page and "Partly accepted" in page
    body_page = _text(public.get(f"/places/{SLUG}/{place.id}/bodies/{bodies['Lancashire'].id}"))
    assert "Share visit lists with the council." in body_page and "Lists will be shared with consent." in body_page
    scrutiny = _text(public.get(f"/places/{SLUG}/{place.id}/scrutiny"))
    assert "Home fire safety visits" in scrutiny and "1 of 2 responses in" in scrutiny


def test_inquiry_rules_are_kept_by_the_services(db, demo):
    place = factories.demo_place(db, demo)
    petition = _open_petition(db, place)
    body = next(iter(_bodies(db, place).values()))
    with pytest.raises(Conflict, match="Only a petition the committee has accepted"):
        inquiries.open_inquiry(
            db,
            SLUG,
            place.id,
            title="T",
            terms_of_reference="ToR",
            body_ids=[body.id],
            area_id=None,
            evidence_closes=None,
            petition_id=petition.id,
            actor_id=None,
        )
    db.rollback()
    elsewhere = factories.area(db, factories.place(db, demo, name="Elsewhere"), name="Elsewhere's area")
    with pytest.raises(Invalid, match="Choose an outcome area of this place"):
        inquiries.open_inquiry(
            db,
            SLUG,
            place.id,
            title="T",
            terms_of_reference="ToR",
            body_ids=[body.id],
            area_id=elsewhere.id,
            evidence_closes=None,
            petition_id=None,
            actor_id=None,
        )
    db.rollback()
    made = inquiries.open_inquiry(
        db,
        SLUG,
        place.id,
        title="Own initiative",
        terms_of_reference="ToR",
        body_ids=[body.id],
        area_id=None,
        evidence_closes=utcnow().date(),
        petition_id=None,
        actor_id=None,
    )
    stranger = base.user(db, email="stranger@example.org")
    db.commit()
    evidence = inquiries.submit_evidence(
        db, SLUG, place.id, made.id, author="A", organisation="", text="E", user_id=stranger.id
    )
    assert evidence.state == "pending"
    made.evidence_closes = utcnow().date() - timedelta(days=1)
    db.add(made)
    db.commit()
    with pytest.raises(Conflict, match="call for evidence for this inquiry has closed"):
        inquiries.submit_evidence(
            db, SLUG, place.id, made.id, author="A", organisation="", text="E", user_id=stranger.id
        )
    db.rollback()
    with pytest.raises(Invalid, match="response cannot be due before the inquiry opened"):
        inquiries.add_recommendation(
            db,
            SLUG,
            place.id,
            made.id,
            body_id=body.id,
            text="R",
            response_due=made.opened_on - timedelta(days=1),
            actor_id=None,
        )
    db.rollback()
    assert db.exec(select(Recommendation).where(Recommendation.inquiry_id == made.id)).all() == []


def test_resident_members_are_drawn_by_lot_from_verified_volunteers(app, client, db, demo, login_as):
    place = factories.demo_place(db, demo)
    place_id = place.id
    base_url = f"/places/{SLUG}/{place_id}/committee"
    with pytest.raises(NotAllowed):
        inquiries.volunteer(db, SLUG, place_id, user_id=base.user(db, email="unverified@example.org").id)
    db.rollback()
    postcodes = ["BB3 1AA", "BB3 1AB", "BB3 1AD", "BB1 1AA", "BB2 1AA", "BB2 2AA"]
    for n, postcode in enumerate(postcodes):
        person = _resident(db, demo, f"volunteer{n}@example.org", postcode)
        person_id = person.id
        db.commit()  # end the read, so the requests can write (SQLite)
        volunteer = app.test_client()
        login(volunteer, f"volunteer{n}@example.org", "correct horse battery")
        page = _text(volunteer.get(base_url))
        assert "Offer to serve on the committee" in page
        assert volunteer.post(f"{base_url}/volunteer").status_code == 303
        assert "You have offered to serve" in _text(volunteer.get(base_url))
    with pytest.raises(Conflict, match="already offered"):
        inquiries.volunteer(db, SLUG, place_id, user_id=person_id)
    db.rollback()
    login_as("officer")
    page = _text(client.get(base_url))
    assert "6 residents are waiting to be drawn." in page and 'name="draw-term_start-day"' in page
    too_many = client.post(f"{base_url}/draw", data={"draw-seats": "7", **typed_date("draw-term_start", "2027-06-01")})
    assert too_many.status_code == 422 and "fewer than the 7 seats to fill" in _text(too_many)
    backwards = client.post(
        f"{base_url}/draw",
        data={
            "draw-seats": "2",
            **typed_date("draw-term_start", "2027-06-01"),
            **typed_date("draw-term_end", "2027-01-01"),
        },
    )
    assert backwards.status_code == 422 and "The term cannot end before it starts." in _text(backwards)
    drawn = client.post(
        f"{base_url}/draw",
        data={
            "draw-seats": "3",
            **typed_date("draw-term_start", "2027-06-01"),
            **typed_date("draw-term_end", "2029-05-31"),
        },
    )
    assert drawn.status_code == 303
    members = db.exec(select(CommitteeMember).where(CommitteeMember.kind == "resident")).all()
    assert len(members) == 3
    assert {(m.term_start, m.term_end) for m in members} == {(date(2027, 6, 1), date(2029, 5, 31))}
    volunteers = db.exec(select(CommitteeVolunteer)).all()
    chosen = [v for v in volunteers if v.member_id is not None]
    assert len(chosen) == 3
    wards = [v.ward_id for v in chosen]
    # Three postcodes share a ward: the ward quota lets it take no more seats than it must (one, here).
    assert len(set(wards)) == len(wards)
    db.commit()
    assert "3 residents are waiting to be drawn." in _text(client.get(base_url))


def test_the_ward_cap_is_the_smallest_that_fills_the_seats():
    assert inquiries.ward_cap([3, 1, 1, 1], 3) == 1
    assert inquiries.ward_cap([3, 1], 3) == 2
    assert inquiries.ward_cap([5], 4) == 4
