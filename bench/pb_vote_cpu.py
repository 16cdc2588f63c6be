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
cumulative time over all submissions (of the first variant listed).

`--variant` times the app with some of its hand-rolled pieces swapped for the plain ones (issue 18:
each stays only if it saves at least 10% of a vote's server CPU), interleaved submission by submission
in `--rounds` rounds, and prints each variant's median, its round medians (the spread)
and what the app's own pieces save:

    .venv/bin/python bench/pb_vote_cpu.py postgresql://... --voters 300 --rounds 5 --variant all
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
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
    """The status, with " receipt" added when a submission was counted (redirected to its receipt)."""
    answer = []
    body = app(environ, lambda s, h, exc_info=None: answer.append((s, dict(h).get("Location", ""))))
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    status, location = answer[0]
    return status + (" receipt" if location.endswith("/receipt") else "")


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


# Each variant swaps one of the hand-rolled pieces (issue 18) for the plain way, on the one app, in this
# process only. no-autocommit: the letter-code vote runs on the request's ORM session (a pooled
# connection, BEGIN ... COMMIT), as account votes do, in place of execute_alone's autocommit free list.
# engine-autocommit: on a second engine in autocommit with SQLAlchemy's pool and Connection, in place of
# the free list's bare driver connection. no-cache: no per-worker memory of opened ballots
# (_remembered reads every time). Flask's session interface is no longer a variant: pbapp.cookies,
# which saved 0.5-3.9%, was removed.
VARIANTS = {
    "default": frozenset(),
    "no-autocommit": frozenset({"no-autocommit"}),
    "engine-autocommit": frozenset({"engine-autocommit"}),
    "no-cache": frozenset({"no-cache"}),
}


class _Switches:
    """Puts the app's own pieces back or swaps in the plain alternatives, between timed submissions."""

    def __init__(self, app: Flask) -> None:
        from sqlalchemy import create_engine

        from pbapp.config import DEFAULT_CONNECTION_BUDGET, DEFAULT_PROCESSES, pool_sizes
        from pbapp.db import get_session
        from pbapp.pb.services import voting

        self.voting = voting
        self.own = (voting.execute_alone, voting._remembered)
        _pool, keep = pool_sizes(
            app.config.get("DB_CONNECTION_BUDGET", DEFAULT_CONNECTION_BUDGET),
            app.config.get("DB_PROCESSES", DEFAULT_PROCESSES),
        )
        engine = create_engine(app.config["DATABASE_URL"], isolation_level="AUTOCOMMIT", pool_size=keep, max_overflow=0)

        def through_session(statement: str, params: dict, _app: Flask | None = None):
            # What _record_ballot does inside a transaction; _cast then commits the session.
            return get_session().connection().exec_driver_sql(statement, params).first()

        def pooled_autocommit(statement: str, params: dict, _app: Flask | None = None):
            with engine.connect() as connection:
                return connection.exec_driver_sql(statement, params).first()

        self.alone = {"no-autocommit": through_session, "engine-autocommit": pooled_autocommit}

    def apply(self, switches: frozenset) -> None:
        own_alone, own_remembered = self.own
        self.voting.execute_alone = next((self.alone[s] for s in switches if s in self.alone), own_alone)
        self.voting._remembered = (lambda _name, _key, read: read()) if "no-cache" in switches else own_remembered


def _fresh(prepared: list[tuple[dict, bytes]]) -> list[dict]:
    """Environs ready to call (each call consumes its input stream), built before the timing."""
    return [dict(environ, **{"wsgi.input": io.BytesIO(body)}) for environ, body in prepared]


def _prepared(builder: EnvironBuilder) -> tuple[dict, bytes]:
    environ = builder.get_environ()
    return environ, environ["wsgi.input"].read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--voters", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=1, help="rounds in which every variant is timed once")
    parser.add_argument(
        "--variant",
        default="default",
        help=f"comma-separated variants to time in turns, or 'all' ({', '.join(VARIANTS)})",
    )
    parser.add_argument("--profile", type=int, default=0, help="print this many functions by cumulative time")
    args = parser.parse_args()
    variants = list(VARIANTS) if args.variant == "all" else args.variant.split(",")
    if unknown := [v for v in variants if v not in VARIANTS]:
        parser.error(f"unknown variant {unknown}; choose from {', '.join(VARIANTS)}")

    # Letter codes are keyed by VOTER_KEY: the codes made here must hash alike in the app that checks them.
    os.environ["VOTER_KEY"] = "bench-voter-key"
    slug, ballot_id, codes, refs = _prepare(args.database_url, args.voters)
    os.environ.update(DATABASE_URL=args.database_url, SECRET_KEY="bench-secret", RATELIMIT_ENABLED="0")
    from pbapp import create_app
    from pbapp.config import Config

    app = create_app(Config())
    switches = _Switches(app)
    path = f"/pb/{slug}/ballots/{ballot_id}"
    prepared = []
    for n, code in enumerate(codes):
        client = app.test_client()
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text).group(1)
        client.post(path + "/code", data={"code": code, "csrf_token": token})
        cookie = client.get_cookie("session")
        builder = EnvironBuilder(
            path=path + "/submit",
            method="POST",
            base_url="http://127.0.0.1:8000",
            data={"choice": [refs[n % len(refs)], refs[(n + 2) % len(refs)]], "csrf_token": token},
            headers={
                "Cookie": f"session={cookie.value}",
                "User-Agent": "python-requests/2.32",
                "Accept": "*/*",
                "Accept-Encoding": "gzip, deflate",
            },
        )
        prepared.append(_prepared(builder))
    bare_prepared = [
        _prepared(
            EnvironBuilder(path="/vote", method="POST", base_url="http://127.0.0.1:8000", data={"choice": ["p1", "p2"]})
        )
        for _ in codes
    ]
    bare = _bare_app()
    # Every voter votes once untimed (later votes replace theirs: the same upsert in every timed block),
    # and each variant then runs a tenth untimed, as a new worker compiles statements and fills caches.
    warm = len(codes) // 10
    _time(bare, _fresh(bare_prepared[:warm]), None)
    _time(app, _fresh(prepared), None)
    for variant in variants:
        switches.apply(VARIANTS[variant])
        _time(app, _fresh(prepared[:warm]), None)
    switches.apply(VARIANTS["default"])

    profile = cProfile.Profile(time.process_time) if args.profile else None
    cpu: dict[str, list[float]] = {v: [] for v in variants}
    round_medians: dict[str, list[float]] = {v: [] for v in variants + ["bare"]}
    bad: list[str] = []
    for n in range(args.rounds):
        # Interleaved submission by submission, each variant taking each place in turn: load that comes
        # and goes within a round falls on every variant alike.
        environs = {variant: _fresh(prepared) for variant in variants}
        timed: dict[str, list[float]] = {variant: [] for variant in variants}
        for i in range(len(prepared)):
            shift = (i + n) % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                switches.apply(VARIANTS[variant])
                seconds, statuses = _time(app, [environs[variant][i]], profile if variant == variants[0] else None)
                timed[variant] += seconds
                bad += [s for s in statuses if s != "303 SEE OTHER receipt"]
        switches.apply(VARIANTS["default"])
        for variant in variants:
            cpu[variant] += timed[variant]
            round_medians[variant].append(statistics.median(timed[variant]))
        bare_cpu, _ = _time(bare, _fresh(bare_prepared), None)
        round_medians["bare"].append(statistics.median(bare_cpu))
        cpu.setdefault("bare", []).extend(bare_cpu)
    load = os.getloadavg()

    print(
        f"{len(codes)} submissions per variant per round, {args.rounds} rounds, {len(bad)} not counted "
        f"{sorted(set(bad))}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print("variant         median us  p10 us  round medians us (min-max)")
    for name, values in cpu.items():
        rounds = round_medians[name]
        print(
            f"{name:15} {statistics.median(values) * 1e6:9,.0f} {_p10(values) * 1e6:7,.0f}  "
            f"{' '.join(f'{r * 1e6:,.0f}' for r in rounds)} ({min(rounds) * 1e6:,.0f}-{max(rounds) * 1e6:,.0f})"
        )
    if "default" in cpu:
        ours = statistics.median(cpu["default"])
        for name in variants:
            if name == "default":
                continue
            without = statistics.median(cpu[name])
            saved = without - ours
            # Per round: the same round's default against this variant, so load that drifts between rounds cancels.
            paired = [(w - d) / w * 100 for w, d in zip(round_medians[name], round_medians["default"])]
            print(
                f"{name}: the app's own pieces save {saved * 1e6:,.0f} us, {saved / without * 100:.1f}% of the "
                f"vote's server CPU without them (per round {min(paired):.1f} to {max(paired):.1f}%)"
            )
        bare_us = statistics.median(cpu["bare"]) * 1e6
        print(f"bare endpoint / default submission CPU: {bare_us / (ours * 1e6):.2f} by medians")
    if profile:
        pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.profile)


if __name__ == "__main__":
    main()
