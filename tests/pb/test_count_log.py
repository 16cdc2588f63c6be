"""The log a count seals: a recount of the same ballots keeps the stored log, a changed vote writes it again."""

from __future__ import annotations

import json

from sqlmodel import select

from pbapp.pb import services
from pbapp.pb.services import ballot_log
from pbapp.pb.models import Ballot, BallotLogEntry, Result, Vote
from tests.pb import factories


def _log(db, ballot) -> list[tuple[int, str]]:
    rows = db.exec(
        select(BallotLogEntry.id, BallotLogEntry.hash)
        .where(BallotLogEntry.ballot_id == ballot.id)
        .order_by(BallotLogEntry.seq)
    ).all()
    db.commit()
    return [tuple(row) for row in rows]


def _count(app, db, demo, ballot) -> Result:
    with app.test_request_context():
        services.start_count(db, demo, ballot.id, factories.officer(db))  # counts at once in tests
    db.expire_all()
    return db.exec(select(Result).where(Result.ballot_id == ballot.id)).one()


def test_a_recount_keeps_an_unchanged_log_and_writes_a_changed_one_again(app, db, demo, monkeypatch):
    writes = []
    write = ballot_log._write_log
    monkeypatch.setattr(ballot_log, "_write_log", lambda *args: writes.append(1) or write(*args))
    ballot = factories.ballot(app, db, demo, eligibility="residents")
    refs = factories.refs(db, ballot)
    with app.test_request_context():
        for n in range(3):
            voter = services.eligibility(db, demo, ballot, None, factories.resident(db, demo), None).voter
            services.cast_vote(db, demo, ballot.id, voter, [refs[n % len(refs)]])
        services.close_ballot(db, demo, ballot.id, factories.officer(db))  # counts at once in tests
    db.commit()
    first = _log(db, ballot)
    assert len(first) == 3 and len(writes) == 1

    result = _count(app, db, demo, ballot)
    assert _log(db, ballot) == first and len(writes) == 1  # nothing deleted and written again
    assert result.log_head == db.get(Ballot, ballot.id).log_head == first[-1][1]

    vote = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).first()
    vote.choices = json.dumps([refs[-1]] if json.loads(vote.choices) != [refs[-1]] else [refs[0]])
    db.commit()
    result = _count(app, db, demo, ballot)
    again = _log(db, ballot)
    assert len(again) == 3 and again[-1][1] != first[-1][1] and len(writes) == 2
    assert result.log_head == db.get(Ballot, ballot.id).log_head == again[-1][1]
