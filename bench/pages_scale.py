"""What the pages of a published 100,000-ballot vote cost: wall time, CPU and peak memory of the server.

Run from the repository root against a scratch database (it is emptied, migrated and given one
council, one ballot and VOTERS counted ballots written by bulk insert, not through HTTP):

    .venv/bin/python bench/pages_scale.py postgresql://postgres@127.0.0.1:5432/bench_pages [--voters 100000]
        [--redis redis://127.0.0.1:6379/7]

Each page and download is fetched through the app (Flask's test client, the body read to its
end) in this one process: wall time, CPU time, and the peak resident memory reached during the
request above what the process held before it (Linux: /proc/self/clear_refs resets the peak).
"Before" times the code path these pages had before issue 20 in the same run: the whole log read
by the ORM (services.log_document) and encoded per request. With --redis, the count is also run
as the web does it: a job on a `pbapp worker` started beforehand (the app already loaded), timed
from enqueueing (the officer's click) until the job's result is stored.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

VOTER_KEY = "bench-voter-key"


def _status(field: str) -> int:
    """A line of /proc/self/status in bytes (VmHWM: peak resident memory, VmRSS: resident now)."""
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1)) * 1024


def measured(fn) -> dict:
    """Run fn once: wall seconds, CPU seconds, and peak memory above what was held before (MB)."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = _status("VmRSS")
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_mb": (_status("VmHWM") - before) / 1e6,
        "rss_mb": _status("VmHWM") / 1e6,
        "bytes": len(out) if isinstance(out, (bytes, str)) else None,
    }


def _app(database_url: str, redis_url: str | None):
    from pbapp import create_app
    from pbapp.config import TestConfig

    config = TestConfig(database_url)
    config.VOTER_KEY = VOTER_KEY
    config.TESTING = False
    config.JOBS_INLINE = True
    if redis_url:
        config.REDIS_URL, config.QUEUE_PREFIX = redis_url, "pbapp-bench-pages"
    return create_app(config)


def build(app, voters: int) -> tuple[str, int]:
    """An emptied database with the demo council, a closed ballot of 10 projects and `voters` ballots, inserted in bulk."""
    from sqlalchemy import insert

    from pbapp import migrations
    from pbapp.db import standalone_session
    from pbapp.pb import services
    from pbapp.pb.models import ONLINE, Vote
    from pbapp.seed import seed_demo
    from tests.conftest import empty_all_tables
    from tests.factories import council_by_slug
    from tests.pb import factories

    with app.app_context():
        migrations.upgrade(app)
        empty_all_tables(app)
    seed_demo(app)
    with app.app_context(), standalone_session(app) as db:
        council = council_by_slug(db, "blackburn-with-darwen")
        ballot = factories.ballot(
            app,
            db,
            council,
            process_=factories.process(app, db, council, area=factories.neighbourhood(db, council), proposals=10),
        )
        options = [(o.ref, o.cost_pence) for o in services.options_of(db, ballot)]
        budget = ballot.budget_pence
        draw = random.Random(20)
        rows = []
        for n in range(voters):
            chosen, spent = [], 0
            for ref, cost in draw.sample(options, draw.randint(1, 4)):
                if spent + cost <= budget:
                    chosen.append(ref)
                    spent += cost
            rows.append(
                {
                    "id": draw.randrange(1, 2**62),
                    "ballot_id": ballot.id,
                    "voter_key": f"{n:064x}",
                    "choices": json.dumps(chosen),
                    "channel": ONLINE,
                    "receipt": f"{draw.getrandbits(128):032x}",
                    "changes": 0,
                }
            )
        for start in range(0, len(rows), 10_000):
            db.execute(insert(Vote), rows[start : start + 10_000])
        db.commit()
        return council.slug, ballot.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--redis", default=None, help="Redis URL: also time the count on a running pbapp worker")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    app = _app(args.database_url, None)
    t = time.perf_counter()
    slug, ballot_id = build(app, args.voters)
    print(f"built {args.voters:,} ballots in {time.perf_counter() - t:.1f} s")

    from pbapp.db import standalone_session
    from pbapp.pb import counting, published, services
    from sqlalchemy import delete

    from pbapp.pb.models import Ballot, BallotLogEntry
    from tests.factories import council_by_slug
    from tests.pb import factories

    results = {}
    with app.test_request_context(), standalone_session(app) as db:
        council = council_by_slug(db, slug)
        officer = factories.officer(db)
        ballot = services.get_ballot(db, council, ballot_id)
        ballot.closed_at = ballot.opens_at
        db.commit()

        def old_count():
            # The count as it was: seal the log, read it all back through the ORM, then count.
            services.seal_log(db, ballot)
            document = services.log_document(db, ballot, with_result=False)
            counting.count(document["ballot"], document["options"], counting.final_ballots(document["entries"]))
            db.rollback()

        results["count (in process), before"] = measured(old_count)
        results["count (in process), after"] = measured(lambda: services.start_count(db, council, ballot_id, officer))
        if args.redis:
            # A first count: the log the count above wrote is emptied (and vacuumed) first.
            db.execute(delete(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot_id))
            db.commit()
            with db.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql("VACUUM pb_ballot_log")
            results["count through a worker, click to result"] = worker_count(args, slug, ballot_id)
            results["recount through a worker (same ballots)"] = worker_count(args, slug, ballot_id)
        # Publishing: the officer's request, then the job that writes log.json and election.pb once
        # (after the commit, on a worker; here in this process, each timed on its own).
        queued = []
        after_commit = published.write_after_commit
        published.write_after_commit = lambda session, council_, ballot_: queued.append(ballot_)
        try:
            results["publish (the officer's request)"] = measured(
                lambda: services.publish_results(db, council, ballot_id, officer, url_of=lambda b: "http://localhost/")
            )
        finally:
            published.write_after_commit = after_commit
        assert queued, "publishing queued no job to write the files"
        results["publish: the job writing log.json and election.pb"] = measured(
            lambda: published.run_write_files(db, lambda *a: None, ballot_id)
        )
        receipt = services.log_document(db, db.get(Ballot, ballot_id))["entries"][-7]["receipt"]

        def old(fmt):
            def run():
                document = services.log_document(db, ballot)
                if fmt == "log":
                    return json.dumps(document, ensure_ascii=False)
                if fmt == "summary":  # the log page counted the entries of the whole log
                    return document["head"] + str(len(document["entries"]))
                return services.export(db, council, ballot_id, fmt)[0]

            return run

        for name, fmt in (
            ("results.csv", "csv"),
            ("results.json", "json"),
            ("log.json", "log"),
            ("election.pb", "pb"),
            ("log page", "summary"),
        ):
            results[f"{name}, before"] = measured(old(fmt))

    client = app.test_client()
    base = f"/pb/{slug}/ballots/{ballot_id}"
    app.config["WTF_CSRF_ENABLED"] = False

    def page(path, **kw):
        def run():
            response = client.open(base + path, **kw)
            body = response.get_data()
            assert response.status_code in (200, 206), (path, response.status_code)
            return body

        return run

    client.get(base + "/results")  # warm up templates and the connection pool
    for name, path, kw in (
        ("results page", "/results", {}),
        ("results.csv", "/results.csv", {}),
        ("results.json", "/results.json", {}),
        ("log page", "/log", {}),
        ("receipt check", "/log", {"method": "POST", "data": {"receipt": receipt}}),
        ("log.json", "/log.json", {}),
        ("election.pb", "/election.pb", {}),
        ("log.json, first 1 MB (Range)", "/log.json", {"headers": {"Range": "bytes=0-999999"}}),
    ):
        results[f"{name}, after"] = measured(page(path, **kw))
    etag = client.get(base + "/log.json").headers["ETag"]
    results["log.json again (If-None-Match: 304), after"] = measured(
        lambda: client.get(base + "/log.json", headers={"If-None-Match": etag}).get_data()
    )
    print(f"{'page or download':48} {'wall s':>7} {'CPU s':>7} {'peak +MB':>9} {'bytes':>12}")
    for name, r in results.items():
        size = f"{r['bytes']:,}" if r.get("bytes") is not None else ""
        print(f"{name:48} {r['wall']:7.3f} {r['cpu']:7.3f} {r.get('peak_mb', 0):9.1f} {size:>12}")
    print(f"load average at end: {os.getloadavg()}")


def worker_count(args, slug: str, ballot_id: int) -> dict:
    """Start a `pbapp worker`, let it load the app, then time a count job from enqueueing to its stored result."""
    from pbapp.db import standalone_session
    from pbapp.jobs import Job
    from pbapp.pb import services
    from tests.factories import council_by_slug
    from tests.pb import factories

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis,
        "VOTER_KEY": VOTER_KEY,
        "VOTER_KEY_VERSION": "1",
        "PBAPP_QUEUE_PREFIX": "pbapp-bench-pages",
        "SECRET_KEY": "bench",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", "from pbapp.launch import main; main()", "worker"], cwd=ROOT, env=env
    )
    try:
        time.sleep(8)  # the worker loads the app once, before any job
        app = _app(args.database_url, args.redis)
        with app.test_request_context(), standalone_session(app) as db:
            council = council_by_slug(db, slug)
            wall = time.perf_counter()
            job = services.start_count(db, council, ballot_id, factories.officer(db))
            while True:
                db.expire_all()
                if db.get(Job, job.id).finished:
                    break
                time.sleep(0.05)
            wall = time.perf_counter() - wall
            assert db.get(Job, job.id).status == "done", db.get(Job, job.id).error
        return {"wall": wall, "cpu": 0.0, "peak_mb": 0.0}
    finally:
        worker.terminate()
        worker.wait(30)


if __name__ == "__main__":
    main()
