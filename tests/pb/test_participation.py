"""Who took part: turnout by ward, and the optional "about you" questions kept apart from the ballots."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import func, select

from pbapp.db import get_engine
from pbapp.pb import participation
from pbapp.pb.models import Ballot, ParticipantAnswer, Result, Vote
from tests.pb import factories


def _letter_vote(client, demo, ballot, refs, code):
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(url + "/code", data={"code": code})
    assert client.post(url + "/submit", data={"choice": [refs[0]]}).status_code == 303
    return url


def _totals(db, ballot) -> dict[tuple[str, str], int]:
    rows = db.exec(
        select(ParticipantAnswer.question, ParticipantAnswer.answer, ParticipantAnswer.count).where(
            ParticipantAnswer.ballot_id == ballot.id
        )
    ).all()
    db.commit()
    return {(q, a): n for q, a, n in rows}


def test_the_questions_are_offered_once_after_voting_and_add_only_to_totals(client, db, demo):
    ballot = factories.ballot(client.application, db, demo)
    refs, codes = factories.refs(db, ballot), factories.codes(client.application, db, demo, ballot, size=2)
    url = _letter_vote(client, demo, ballot, refs, codes[0])
    receipt = client.get(url + "/receipt").get_data(as_text=True)
    assert 'id="about-you"' in receipt and f"{url}/about-you" in receipt
    page = client.get(url + "/about-you").get_data(as_text=True)
    assert "What is your age?" in page and "Prefer not to say" in page and "Skip these questions" in page
    sent = client.post(url + "/about-you", data={"age": "50-64", "ethnicity": "asian", "sex": "", "disability": ""})
    assert sent.status_code == 303
    assert _totals(db, ballot) == {("age", "50-64"): 1, ("ethnicity", "asian"): 1}
    # Once answered, this browser is not asked again, and a second post changes nothing.
    assert 'id="about-you"' not in client.get(url + "/receipt").get_data(as_text=True)
    again = client.post(url + "/about-you", data={"age": "18-24"})
    assert again.status_code == 200 and "asked once" in again.get_data(as_text=True)
    assert _totals(db, ballot) == {("age", "50-64"): 1, ("ethnicity", "asian"): 1}


def test_nobody_who_has_not_voted_here_can_add_answers(client, db, demo):
    ballot = factories.ballot(client.application, db, demo)
    response = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/about-you", data={"age": "18-24"})
    assert response.status_code == 200 and "asked once" in response.get_data(as_text=True)
    assert _totals(db, ballot) == {}


def test_a_forged_answer_is_refused_and_nothing_is_counted(client, db, demo):
    ballot = factories.ballot(client.application, db, demo)
    refs, codes = factories.refs(db, ballot), factories.codes(client.application, db, demo, ballot, size=1)
    url = _letter_vote(client, demo, ballot, refs, codes[0])
    response = client.post(url + "/about-you", data={"age": "50-64", "sex": "robot"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    assert _totals(db, ballot) == {}
    # The offer stands: the person can correct the form and send it.
    assert client.post(url + "/about-you", data={"sex": "female"}).status_code == 303
    assert _totals(db, ballot) == {("sex", "female"): 1}


def test_answers_cannot_be_joined_to_anything_about_a_voter(app):
    # Only counts: no voter key, receipt, account, area or time, so a copy of the database links nothing.
    columns = {c["name"] for c in inspect(get_engine(app)).get_columns("pb_participant_answer")}
    assert columns == {"id", "ballot_id", "question", "answer", "count"}


def test_answers_sent_together_are_all_counted(app, db, demo):
    ballot = factories.ballot(app, db, demo)
    with app.test_request_context():
        for _n in range(5):
            participation.record_answers(db, ballot, {"age": "25-34", "sex": "male"})
    assert _totals(db, ballot) == {("age", "25-34"): 5, ("sex", "male"): 5}


def _counted_demo_ballot(db, demo) -> Ballot:
    found = db.exec(
        select(Ballot)
        .join(Result, Result.ballot_id == Ballot.id)
        .where(Ballot.council_id == demo.id, Ballot.results_published_at.is_not(None))
    ).first()
    db.commit()
    return found


def test_turnout_by_ward_adds_up_to_the_ballots_counted(app, db, demo):
    ballot = _counted_demo_ballot(db, demo)
    with app.test_request_context():
        wards = participation.turnout_by_ward(db, demo, ballot)
    votes = db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    assert sum(w.votes for w in wards) == votes
    assert {w.name for w in wards} >= {"Darwen East", "Darwen South", "Darwen West"}
    east = next(w for w in wards if w.name == "Darwen East")
    assert east.adults and east.percent == 100 * east.votes / east.adults
    assert sum(east.by_channel.values()) == east.votes


def test_the_results_page_shows_who_took_part_beside_the_census(client, db, demo):
    ballot = _counted_demo_ballot(db, demo)
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results").get_data(as_text=True)
    assert 'id="turnout-by-ward"' in page and "Darwen East" in page
    assert 'id="about-you-age"' in page and "Share of adults (Census 2021)" in page
    with client.application.test_request_context():
        tables = participation.about_you_tables(db, demo, ballot)
    age = next(t for t in tables if t.question.key == "age")
    assert age.respondents and age.has_census and all(r.census_share for r in age.rows)
    assert abs(sum(r.share for r in age.rows if r.share is not None) - 1) < 1e-9 or any(
        r.count is None for r in age.rows
    )


def test_small_totals_are_hidden_on_the_results_page(app, db, demo):
    ballot = factories.ballot(app, db, demo)
    with app.test_request_context():
        for answer in ["female"] * 12 + ["male"] * 3:
            participation.record_answers(db, ballot, {"sex": answer})
        tables = {t.question.key: t for t in participation.about_you_tables(db, demo, ballot)}
    sex = {row.label: row.count for row in tables["sex"].rows}
    assert list(sex.values()) == [None, None]  # 3 is hidden, and 12 with it, or 15 − 12 would give it away
    assert tables["sex"].respondents == 15 and tables["age"].respondents is None
