"""Many voters at once against real gunicorn workers: one counted ballot per voter, an intact log, no 500s."""

from __future__ import annotations

import threading
import time

from sqlmodel import func, select

from pbapp.core.chain import verify_chain
from pbapp.pb.models import BallotLogEntry, Vote
from tests.pb import factories
from tests.trust import figures
from tests.trust.conftest import WebUser, gunicorn_server  # noqa: F401 - the fixture

VOTERS = 30


def _fire(users, path, data_for):
    statuses, start = [], threading.Barrier(len(users))
    prepared = [user.token(path.replace("/submit", "")) for user in users]

    def go(n, user):
        start.wait()
        response = user.http.post(user.base_url + path, data={**data_for(n), "csrf_token": prepared[n]},
                                  allow_redirects=False, timeout=120)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=go, args=(n, u)) for n, u in enumerate(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return statuses, time.perf_counter() - started


def _enter(user, demo, ballot, code):
    response = user.post_form(f"/pb/{demo.slug}/ballots/{ballot.id}/code", {"code": code},
                              token_from=f"/pb/{demo.slug}/ballots/{ballot.id}")
    assert response.status_code == 303, response.text[:300]


def _record(action: str, statuses: list[int], *, expected: int, found: int) -> None:
    figures.add("parallel_requests", len(statuses), detail=action)
    figures.add("parallel_actions", 1, detail=action)
    figures.add("server_errors", sum(1 for s in statuses if s >= 500), detail=action)
    figures.add("effects_expected", expected, detail=action)
    figures.add("effects_found", found, detail=action)


def _rows(db, ballot):
    votes = db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
    entries = db.exec(select(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id)
                      .order_by(BallotLogEntry.seq)).all()
    db.commit()
    return votes, entries


def test_one_code_voting_from_many_connections_at_once_counts_once(app, db, demo, gunicorn_server):  # noqa: F811
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    users = [WebUser(gunicorn_server.url) for _ in range(VOTERS)]
    for user in users:
        _enter(user, demo, ballot, code)
    statuses, seconds = _fire(users, f"/pb/{demo.slug}/ballots/{ballot.id}/submit",
                              lambda n: {"choice": [refs[n % len(refs)]]})
    votes, entries = _rows(db, ballot)
    _record("one code casts its ballot from many connections", statuses, expected=1, found=votes)
    assert statuses == [303] * VOTERS, statuses
    assert votes == 1 and len(entries) == VOTERS
    assert verify_chain((e.previous_hash, e.hash, e.content()) for e in entries) is None
    vote = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    # The counted ballot is the last one logged, and no change was lost.
    assert vote.receipt == entries[-1].hash and vote.choices == entries[-1].choices
    assert vote.changes == VOTERS - 1
    print(f"{VOTERS} simultaneous submissions with one code: {seconds:.2f}s, 1 vote row")


def test_many_codes_at_once_make_one_vote_each(app, db, demo, gunicorn_server):  # noqa: F811
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    codes = factories.codes(app, db, demo, ballot, size=VOTERS)
    users = [WebUser(gunicorn_server.url) for _ in range(VOTERS)]
    for user, code in zip(users, codes):
        _enter(user, demo, ballot, code)
    statuses, seconds = _fire(users + users[:10], f"/pb/{demo.slug}/ballots/{ballot.id}/submit",
                              lambda n: {"choice": [refs[n % len(refs)], refs[(n + 1) % len(refs)]]})
    votes, entries = _rows(db, ballot)
    _record("many codes cast their ballots at once", statuses, expected=VOTERS, found=votes)
    assert sorted(set(statuses)) == [303], statuses
    # A letter's session ends once its vote is sent, so each of the ten second submissions from the
    # same browser changes the vote only if it left before the first one's answer came back.
    assert votes == VOTERS and VOTERS <= len(entries) <= VOTERS + 10
    assert verify_chain((e.previous_hash, e.hash, e.content()) for e in entries) is None
    print(f"{VOTERS + 10} simultaneous submissions from {VOTERS} codes: {seconds:.2f}s")
