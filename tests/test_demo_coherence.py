"""The demo council tells one consistent story, dated from the day it is seeded.

A jury is deliberating now and last year's jury's recommendations have the council's responses;
this year's neighbourhood vote is open (by the letter's code, which the demo resident may use)
while last year's is counted; nothing on the record was due before it was received.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from pbapp.juries.models import Jury, JurySession
from pbapp.deliberation.models import POLL_OPEN, REC_ADOPTED, REC_DRAFT, Recommendation, StrawPoll
from pbapp.ledger.models import ACCEPTED, PARTLY_ACCEPTED, REJECTED, RecordItem, Response
from pbapp.pb import services
from pbapp.pb.models import Ballot, CodeBatch, Process, VotingCode
from pbapp.pb.seed import neighbourhood_title
from pbapp.seed import seed_demo
from pbapp.timeutil import utcnow
from tests import factories
from tests.conftest import ROLE_EMAILS, login


def _juries(db, council):
    return db.exec(select(Jury).where(Jury.council_id == council.id).order_by(Jury.starts_on)).all()


def test_one_jury_is_deliberating_now_and_last_years_has_finished(db, demo):
    today = utcnow().date()
    finished, current = _juries(db, demo)
    assert current.starts_on < today < current.ends_on
    held = db.exec(select(JurySession.held_on).where(JurySession.jury_id == current.id)).all()
    assert any(day < today for day in held) and any(day > today for day in held)
    statuses = {r.status for r in db.exec(select(Recommendation).where(Recommendation.jury_id == current.id))}
    assert statuses == {REC_DRAFT}
    assert db.exec(select(StrawPoll).where(StrawPoll.jury_id == current.id, StrawPoll.status == POLL_OPEN)).first()
    assert finished.ends_on < today and finished.panel_size == 24
    adopted = db.exec(select(Recommendation).where(Recommendation.jury_id == finished.id)).all()
    assert {r.status for r in adopted} == {REC_ADOPTED}
    outcomes = set()
    for rec in adopted:
        item = db.get(RecordItem, rec.record_item_id)
        assert item.source_ref == f"jury:{finished.id}:recommendation:{rec.id}"
        response = db.exec(select(Response).where(Response.item_id == item.id)).first()
        outcomes.add(response.outcome)
    assert {ACCEPTED, PARTLY_ACCEPTED, REJECTED} <= outcomes


def test_the_public_jury_page_counts_the_whole_panel(client, db, demo):
    for jury in _juries(db, demo):
        page = client.get(f"/juries/{demo.slug}/{jury.id}/public").get_data(as_text=True)
        assert f"{jury.panel_size} residents were chosen" in page


def test_nothing_on_the_record_is_due_before_it_was_received(db, demo):
    items = db.exec(select(RecordItem).where(RecordItem.council_id == demo.id)).all()
    assert items and all(item.response_due >= item.received_at.date() for item in items)
    assert all(item.received_at.date() >= item.decided_at.date() for item in items if item.decided_at)
    overdue = [
        i
        for i in items
        if i.response_due < utcnow().date()
        and db.exec(select(Response).where(Response.item_id == i.id)).first() is None
    ]
    assert len(overdue) == 1


def test_this_years_neighbourhood_vote_is_open_and_the_resident_can_vote(app, client, db, demo):
    now = utcnow()
    past = db.exec(select(Process).where(Process.title == neighbourhood_title())).one()
    current = db.exec(select(Process).where(Process.title == neighbourhood_title(1))).one()
    ballot = db.exec(select(Ballot).where(Ballot.process_id == current.id)).one()
    opens, closes = (
        moment.replace(tzinfo=now.tzinfo) if moment.tzinfo is None else moment
        for moment in (ballot.opens_at, ballot.closes_at)
    )
    assert opens < now < closes and closes - opens > timedelta(days=7)
    assert past.results_from < now.date()
    assert db.exec(select(VotingCode).where(VotingCode.ballot_id == ballot.id)).first() is not None
    login(client, ROLE_EMAILS["resident"])
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}").get_data(as_text=True)
    assert 'name="code"' in page and 'type="checkbox"' not in page  # a letter vote: the code first
    batch = db.exec(select(CodeBatch).where(CodeBatch.ballot_id == ballot.id)).one()
    with app.test_request_context():
        _batch, codes = services.batch_codes(
            db, demo, ballot.id, batch.id, factories.user_by_email(db, ROLE_EMAILS["officer"])
        )
    entered = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/code", data={"code": codes[0]})
    assert entered.status_code == 303
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}").get_data(as_text=True)
    assert 'type="checkbox"' in page and "Your postcode is not in" not in page


def test_a_points_ballot_shows_no_pot(client, demo):
    page = client.get(f"/pb/{demo.slug}/").get_data(as_text=True)
    assert "£0.00" not in page and "£100,000,000" not in page


def test_the_seed_report_gives_a_letter_code_to_try(app, db):
    report = seed_demo(app)
    line = next(line for line in report if "letter code" in line)
    code = line.split("letter code ")[1].split(",")[0]
    assert len(code.replace("-", "")) == 12
