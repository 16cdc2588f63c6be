"""A letter-code session on a shared computer: it ends with the vote, on Finish, or after 15 idle minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from pbapp.pb import views
from pbapp.pb.models import Vote
from pbapp.timeutil import utcnow
from tests.pb import factories


@pytest.fixture
def letter_ballot(app, db, demo):
    ballot = factories.ballot(app, db, demo)
    return ballot, factories.refs(db, ballot), factories.codes(app, db, demo, ballot, size=2)


def _votes(db, ballot) -> int:
    n = db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    return n


def test_the_next_person_at_the_browser_neither_sees_nor_replaces_the_last_vote(client, db, demo, letter_ballot):
    ballot, refs, (code, _other) = letter_ballot
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(url + "/code", data={"code": code})
    client.post(url + "/submit", data={"choice": [refs[0], refs[1]]})
    page = client.get(url).get_data(as_text=True)
    assert "Code from your letter" in page and "You have already voted" not in page and 'name="choice"' not in page
    assert client.post(url + "/submit", data={"choice": [refs[4]]}).status_code == 303
    [counted] = db.exec(select(Vote.choices).where(Vote.ballot_id == ballot.id)).all()
    db.commit()
    assert refs[4] not in counted and _votes(db, ballot) == 1


def test_the_receipt_stays_until_finish(client, demo, letter_ballot):
    ballot, refs, (code, _other) = letter_ballot
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(url + "/code", data={"code": code})
    client.post(url + "/submit", data={"choice": [refs[0]]})
    receipt = client.get(url + "/receipt")
    assert "Your receipt" in receipt.get_data(as_text=True) and 'id="finish"' in receipt.get_data(as_text=True)
    assert receipt.headers["Cache-Control"] == "no-store"
    finished = client.post(url + "/finish")
    assert finished.status_code == 303
    assert "No vote yet" in client.get(url + "/receipt").get_data(as_text=True)


def test_finish_without_voting_forgets_the_code(client, db, demo, letter_ballot):
    ballot, refs, (code, _other) = letter_ballot
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(url + "/code", data={"code": code})
    page = client.get(url)
    assert 'name="choice"' in page.get_data(as_text=True) and 'id="finish"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    client.post(url + "/finish")
    assert 'name="choice"' not in client.get(url).get_data(as_text=True)
    client.post(url + "/submit", data={"choice": [refs[0]]})
    assert _votes(db, ballot) == 0


def test_a_code_session_ends_after_fifteen_idle_minutes(client, db, demo, letter_ballot, monkeypatch):
    ballot, refs, (code, _other) = letter_ballot
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(url + "/code", data={"code": code})
    later = utcnow() + timedelta(minutes=14)
    monkeypatch.setattr(views, "utcnow", lambda: later)
    assert 'name="choice"' in client.get(url).get_data(as_text=True)  # in use: the 15 minutes start again
    later += timedelta(minutes=14)
    assert 'name="choice"' in client.get(url).get_data(as_text=True)
    later += timedelta(minutes=15, seconds=1)
    assert 'name="choice"' not in client.get(url).get_data(as_text=True)
    client.post(url + "/submit", data={"choice": [refs[0]]})
    assert _votes(db, ballot) == 0
