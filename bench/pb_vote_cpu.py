"""CPU time of one ballot submission inside the WSGI app, against the bare Flask endpoint, with no server.

Load on the machine stretches wall time but hardly the process's own CPU time per request, so
this is the figure to compare code changes by. Run from the repository root against a scratch
PostgreSQL database (migrated, seeded and given a new open ballot, as bench/pb_votes.py does):

    .venv/bin/python bench/pb_vote_cpu.py postgresql://postgres@127.0.0.1:5432/bench_pb [--voters 400]
        [--profile 30]

Each voter enters its code first (not timed); then each WSGI call that submits a ballot is timed
with the environ built beforehand, so neither HTTP parsing nor the client is counted (both are the
same for the two apps under gunicorn). Medians and 10th percentiles are printed; on a shared
machine compare versions by runs taken alternately. `--profile N` prints the N functions with the most
cumulative time over all submissions.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from flask import Flask, redirect  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from bench.pb_votes import _prepare  # noqa: E402


def _bare_app() -> Flask:
    app = Flask("bare_app")

    @app.post("/vote")
    def vote():
        return redirect("/done", code=303)

    return app


def _call(app, environ) -> str:
    status = []
    body = app(environ, lambda s, h, exc_info=None: status.append(s))
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return status[0]


def _time(app, environs: list[dict], profile: cProfile.Profile | None) -> tuple[list[float], list[str]]:
    cpu, statuses = [], []
    for environ in environs:
        if profile:
            profile.enable()
        started = time.process_time()
        statuses.append(_call(app, environ))
        cpu.append(time.process_time() - started)
        if profile:
            profile.disable()
    return cpu, statuses


def _p10(values: list[float]) -> float:
    """The 10th percentile: contention from other work only ever adds time, so this varies least."""
    return statistics.quantiles(values, n=10)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--voters", type=int, default=400)
    parser.add_argument("--profile", type=int, default=0, help="print this many functions by cumulative time")
    args = parser.parse_args()

    # Letter codes are keyed by VOTER_KEY: the codes made here must hash alike in the app that checks them.
    os.environ["VOTER_KEY"] = "bench-voter-key"
    slug, ballot_id, codes, refs = _prepare(args.database_url, args.voters)
    os.environ.update(DATABASE_URL=args.database_url, SECRET_KEY="bench-secret", RATELIMIT_ENABLED="0")
    from pbapp import create_app
    from pbapp.config import Config

    app = create_app(Config())
    path = f"/pb/{slug}/ballots/{ballot_id}"
    environs = []
    for n, code in enumerate(codes):
        client = app.test_client()
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text).group(1)
        client.post(path + "/code", data={"code": code, "csrf_token": token})
        cookie = client.get_cookie("session")
        builder = EnvironBuilder(path=path + "/submit", method="POST", base_url="http://127.0.0.1:8000",
                                 data={"choice": [refs[n % len(refs)], refs[(n + 2) % len(refs)]], "csrf_token": token},
                                 headers={"Cookie": f"session={cookie.value}", "User-Agent": "python-requests/2.32",
                                          "Accept": "*/*", "Accept-Encoding": "gzip, deflate"})
        environs.append(builder.get_environ())
    bare_environs = [EnvironBuilder(path="/vote", method="POST", base_url="http://127.0.0.1:8000",
                                    data={"choice": ["p1", "p2"]}).get_environ() for _ in codes]
    warm = len(codes) // 10  # first requests of a worker compile statements and fill caches
    bare = _bare_app()
    _time(bare, bare_environs[:warm], None)
    _time(app, environs[:warm], None)
    profile = cProfile.Profile(time.process_time) if args.profile else None
    cpu, statuses = _time(app, environs[warm:], profile)
    bare_cpu, _ = _time(bare, bare_environs[warm:], None)
    bad = [s for s in statuses if not s.startswith("303")]
    app_us, bare_us = statistics.median(cpu) * 1e6, statistics.median(bare_cpu) * 1e6
    low, bare_low = _p10(cpu) * 1e6, _p10(bare_cpu) * 1e6
    print(f"submission: median {app_us:,.0f} us CPU, p10 {low:,.0f} us, mean {statistics.mean(cpu) * 1e6:,.0f} us "
          f"({len(cpu)} timed after {warm} untimed, {len(bad)} not 303 {sorted(set(bad))})")
    print(f"bare endpoint: median {bare_us:,.0f} us CPU, p10 {bare_low:,.0f} us, "
          f"mean {statistics.mean(bare_cpu) * 1e6:,.0f} us")
    print(f"bare/submission CPU: {bare_us / app_us:.2f} by medians, {bare_low / low:.2f} by 10th percentiles "
          f"(load average {os.getloadavg()[0]:.1f})")
    if profile:
        pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.profile)


if __name__ == "__main__":
    main()
