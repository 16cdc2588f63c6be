"""Scale-out: two app instances (gunicorn) and two RQ workers on one PostgreSQL and one Redis.

Shows that the app keeps no state of its own: one voter's 200 simultaneous submissions split
across both instances count one ballot; a vote closed through one instance is refused by the
other at once; every job runs exactly once, whichever worker takes it; a job whose worker is
killed is given up by the other worker, with the reason; rate limits are shared by both.
Runs in CI's PostgreSQL pass; skips without PostgreSQL or Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlmodel import func, select

from pbapp import jobs
from pbapp.pb.models import Vote
from tests.pb import factories
from tests.scaleout import work
from tests.trust.conftest import ROOT, Server, WebUser

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="scale-out runs on PostgreSQL (CI's PostgreSQL pass)",
    ),
]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
# `pbapp worker`, also allowed to run this suite's job (tests/scaleout/work.py), as tests/conftest.py allows here.
WORKER = "from pbapp import jobs; jobs.JOB_PACKAGES += ('tests',); from pbapp.cli import main; main()"
SUBMISSIONS = 200


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except redis.exceptions.RedisError:
        pytest.skip("Redis is not running")
    return connection


@pytest.fixture
def deployment(app, demo, database_url, tmp_path):
    """Two gunicorn instances and two `pbapp worker` processes sharing one database and one Redis."""
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out runs on PostgreSQL (CI's PostgreSQL pass)")
    redis = _redis_or_skip()
    prefix = "scaleout-" + uuid.uuid4().hex[:8]
    env = {
        "REDIS_URL": REDIS_URL,
        "PBAPP_QUEUE_PREFIX": prefix,
        "RATELIMIT_ENABLED": "1",
        "LOGIN_RATE_LIMIT": "10 per minute",
        "VOTE_RATE_LIMIT": "1000 per minute",
        "PBAPP_PROXIES": "1",
        "JOB_STALE_SECONDS": "4",
        "WEB_CONCURRENCY": "2",
        "PBAPP_INSTANCES": "2",
        "PBAPP_JOB_WORKERS": "2",
        "PYTHONPATH": str(ROOT),
    }
    servers = [Server(database_url, workers=2, log_path=tmp_path / f"web-{n}.log", env=env) for n in (1, 2)]
    workers = []
    try:
        for server in servers:
            server.start()
        for n in (1, 2):
            with open(tmp_path / f"worker-{n}.log", "ab") as log:
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "-c", WORKER, "worker"],
                        cwd=ROOT,
                        env=dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="trust-suite-secret", **env),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        yield {"servers": servers, "workers": workers, "prefix": prefix, "redis": redis, "logs": tmp_path}
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in workers:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for server in servers:
            server.stop()
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)


def _votes(db, ballot) -> tuple[int, int]:
    db.commit()
    count = db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
    changes = db.exec(select(func.coalesce(func.sum(Vote.changes), 0)).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    return count, changes


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_instances_and_two_workers_share_everything(app, db, demo, deployment, make_app):
    started = time.monotonic()
    first, second = (server.url for server in deployment["servers"])

    # One voter, 200 simultaneous submissions split across both instances: one ballot counted.
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    voter = WebUser(first)
    ballot_page = f"/pb/{demo.slug}/ballots/{ballot.id}"
    assert voter.post_form(ballot_page + "/code", {"code": code}, token_from=ballot_page).status_code == 303
    token = voter.token(ballot_page)

    def submit(n: int) -> int:
        tab = requests.Session()
        tab.cookies.update(voter.http.cookies)
        base = first if n % 2 else second
        return tab.post(
            base + ballot_page + "/submit",
            data={"choice": [refs[n % len(refs)]], "csrf_token": token},
            allow_redirects=False,
            timeout=120,
        ).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(submit, range(SUBMISSIONS)))
    assert statuses == [303] * SUBMISSIONS, {s: statuses.count(s) for s in set(statuses)}
    votes, changes = _votes(db, ballot)
    assert votes == 1 and changes == SUBMISSIONS - 1

    # Closed through the first instance, refused by the second at once.
    officer = WebUser(first).sign_in("officer@demo.example", "correct horse battery")
    manage = f"/pb/{demo.slug}/manage/ballots/{ballot.id}"
    closed = officer.post_form(manage + "/close", {}, token_from=manage)
    assert closed.status_code == 303, closed.text[:300]
    late = requests.Session()
    late.cookies.update(voter.http.cookies)
    refused = late.post(
        second + ballot_page + "/submit",
        data={"choice": [refs[0]], "csrf_token": token},
        allow_redirects=False,
        timeout=60,
    )
    assert refused.status_code < 500 and not refused.headers.get("Location", "").endswith("/receipt")
    assert _votes(db, ballot) == (1, SUBMISSIONS - 1)

    # Every job runs exactly once, on whichever worker takes it; both workers take part.
    redis, prefix = deployment["redis"], deployment["prefix"]
    key = f"{prefix}:note"
    enqueuer = make_app(REDIS_URL=REDIS_URL, QUEUE_PREFIX=prefix, JOBS_INLINE=False)
    with enqueuer.app_context():
        ids = [jobs.enqueue(db, "note", work.note_run, key=key, seconds=0.2).id for _ in range(20)]

    def all_done():
        db.commit()
        rows = db.exec(select(jobs.Job).where(jobs.Job.id.in_(ids))).all()
        db.commit()
        return all(row.status == jobs.DONE for row in rows)

    _wait_for(all_done, 40, "twenty jobs to finish")
    runs = {int(k): int(v) for k, v in redis.hgetall(f"{key}:by-job").items()}
    assert runs == {job_id: 1 for job_id in ids} and int(redis.get(f"{key}:runs")) == 20
    assert len(redis.smembers(f"{key}:pids")) == 2, "both workers should have taken jobs"

    # A worker killed mid-job: the other worker gives the job up as failed, with the reason.
    with enqueuer.app_context():
        long_job = jobs.enqueue(db, "note", work.note_run, key=f"{key}:long", seconds=60)
    pid = int(_wait_for(lambda: redis.get(f"{key}:long:last-pid"), 20, "the long job to start"))
    victim = next(p for p in deployment["workers"] if p.pid == pid)
    os.killpg(victim.pid, signal.SIGKILL)

    def given_up():
        db.commit()
        row = db.get(jobs.Job, long_job.id)
        db.refresh(row)
        db.commit()
        return row if row.status == jobs.FAILED else None

    failed = _wait_for(given_up, 30, "the dead worker's job to be given up")
    assert "worker running this job stopped" in failed.error

    # Rate limits are shared: 20 failed sign-ins from one client, alternating instances, let 10 through.
    client = {"X-Forwarded-For": "198.51.100.23"}  # one client behind the (trusted) proxy
    visitors = {base: WebUser(base) for base in (first, second)}

    def sign_in_fails(n: int) -> int:
        visitor = visitors[first if n % 2 else second]
        visitor.http.headers.update(client)
        return visitor.post_form("/accounts/login", {"email": "nobody@example.org", "password": "wrong"}).status_code

    statuses = [sign_in_fails(n) for n in range(20)]
    assert statuses.count(429) == 10, statuses
    print(
        f"scale-out: {SUBMISSIONS} submissions, 21 jobs, a dead worker, shared limits in "
        f"{time.monotonic() - started:.1f}s"
    )
