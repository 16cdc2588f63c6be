"""Many voters at once against real gunicorn workers: one counted ballot per voter, an intact log, no 500s."""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import select

from pbapp.core.chain import verify_chain
from pbapp.pb import services
from pbapp.pb.models import BallotLogEntry, Vote
from tests.pb import factories
from tests.trust import figures
from tests.trust.conftest import WebUser, module_server  # noqa: F401 - the fixture

# One server for the module's tests (module_server): `make test` keeps them on one xdist worker.
pytestmark = pytest.mark.xdist_group("parallel-votes-server")

VOTERS = 30


def _fire(users, path, data_for):
    statuses, start = [], threading.Barrier(len(users))
    prepared = [user.token(path.replace("/submit", "")) for user in users]

    def go(n, user):
        start.wait()
        response = user.http.post(
            user.base_url + path, data={**data_for(n), "csrf_token": prepared[n]}, allow_redirects=False, timeout=120
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=go, args=(n, u)) for n, u in enumerate(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return statuses, time.perf_counter() - started


def _enter(user, demo, ballot, code):
    response = user.post_form(
        f"/pb/{demo.slug}/ballots/{ballot.id}/code", {"code": code}, token_from=f"/pb/{demo.slug}/ballots/{ballot.id}"
    )
    assert response.status_code == 303, response.text[:300]


def _record(action: str, statuses: list[int], *, expected: int, found: int) -> None:
    figures.add("parallel_requests", len(statuses), detail=action)
    figures.add("parallel_actions", 1, detail=action)
    figures.add("server_errors", sum(1 for s in statuses if s >= 500), detail=action)
    figures.add("effects_expected", expected, detail=action)
    figures.add("effects_found", found, detail=action)


def _votes(db, ballot) -> list[Vote]:
    votes = list(db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).all())
    db.commit()
    return votes


def _sealed(app, db, demo, ballot) -> list[BallotLogEntry]:
    """Close and count the ballot; return the log the count sealed (checked: chained, in receipt order)."""
    with app.test_request_context():
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
    entries = list(
        db.exec(select(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id).order_by(BallotLogEntry.seq)).all()
    )
    db.commit()
    assert verify_chain((e.previous_hash, e.hash, e.content()) for e in entries) is None
    assert [e.receipt for e in entries] == sorted(e.receipt for e in entries)
    return entries


def test_one_code_voting_from_many_connections_at_once_counts_once(app, db, demo, module_server):  # noqa: F811
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    users = [WebUser(module_server.url) for _ in range(VOTERS)]
    for user in users:
        _enter(user, demo, ballot, code)
    statuses, seconds = _fire(
        users, f"/pb/{demo.slug}/ballots/{ballot.id}/submit", lambda n: {"choice": [refs[n % len(refs)]]}
    )
    votes = _votes(db, ballot)
    _record("one code casts its ballot from many connections", statuses, expected=1, found=len(votes))
    assert statuses == [303] * VOTERS, statuses
    [vote] = votes
    assert vote.changes == VOTERS - 1  # no change was lost
    # The sealed log holds the counted ballot, under its receipt.
    [entry] = _sealed(app, db, demo, ballot)
    assert (entry.receipt, entry.choices) == (vote.receipt, vote.choices)
    print(f"{VOTERS} simultaneous submissions with one code: {seconds:.2f}s, 1 vote row")


def test_many_codes_at_once_make_one_vote_each(app, db, demo, module_server):  # noqa: F811
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    codes = factories.codes(app, db, demo, ballot, size=VOTERS)
    users = [WebUser(module_server.url) for _ in range(VOTERS)]
    for user, code in zip(users, codes):
        _enter(user, demo, ballot, code)
    statuses, seconds = _fire(
        users + users[:10],
        f"/pb/{demo.slug}/ballots/{ballot.id}/submit",
        lambda n: {"choice": [refs[n % len(refs)], refs[(n + 1) % len(refs)]]},
    )
    votes = _votes(db, ballot)
    _record("many codes cast their ballots at once", statuses, expected=VOTERS, found=len(votes))
    assert sorted(set(statuses)) == [303], statuses
    # A letter's session ends once its vote is sent, so each of the ten second submissions from the
    # same browser changes the vote only if it left before the first one's answer came back.
    assert len(votes) == VOTERS and 0 <= sum(v.changes for v in votes) <= 10
    entries = _sealed(app, db, demo, ballot)
    assert sorted((e.receipt, e.choices) for e in entries) == sorted((v.receipt, v.choices) for v in votes)
    print(f"{VOTERS + 10} simultaneous submissions from {VOTERS} codes: {seconds:.2f}s")
