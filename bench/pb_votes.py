"""Ballot submissions per second and p95 latency behind gunicorn, as a ratio to a bare Flask endpoint.

Run from the repository root against a scratch PostgreSQL database (it is migrated, seeded with
the demo council and given an open ballot with one letter code per simulated voter):

    .venv/bin/python bench/pb_votes.py postgresql://postgres@127.0.0.1:5432/bench_pb [--voters 1000]
        [--concurrency 50] [--workers 4] [--threads 1] [--client raw|requests] [--rounds 4]

Each simulated voter enters its code (not timed), then one timed POST sends a valid ballot. The
same number of POSTs at the same concurrency go to a bare Flask endpoint (one 303 redirect, no
database) served by the same gunicorn settings in the same run, by the same client. Both servers
stay up and are timed in turns (`--rounds` blocks of the voters each, app and bare endpoint
alternating), so load from other work that comes and goes falls on both alike. Goal from
issue 7: at least 40% of the bare endpoint's throughput and p95 under 100 ms at 50 concurrent voters.
A third server, the CSRF and session floor (FLOOR_APP), is timed in the same turns as a yardstick.

The client is either `requests` in threads (as a browser would, one connection per POST) or a
lean asyncio client writing the same HTTP/1.1 requests, prepared beforehand, on raw sockets; it
uses a fraction of the CPU, which on two shared cores otherwise goes from the servers to the
client. Both clients time from connecting to the whole response. The CPU used in the timed phase
by the client, the gunicorn processes and (for submissions) the PostgreSQL backends is printed
per request, so a result can be read against the machine's load.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import requests  # noqa: E402

BARE_APP = """
from flask import Flask, redirect
app = Flask(__name__)

@app.post("/vote")
def vote():
    return redirect("/done", code=303)

@app.get("/")
def index():
    return "ok"
"""

# What any Flask form POST pays for CSRF and a signed session, with no database: the floor under
# the app's own code. Not a goal, a yardstick: it shows how much of the gap to the bare endpoint
# is the framework's safety machinery and how much is the app's own work.
FLOOR_APP = """
from flask import Flask, redirect, session, url_for
from flask_wtf.csrf import CSRFProtect, generate_csrf
app = Flask(__name__)
app.secret_key = "bench-secret"
CSRFProtect(app)

@app.get("/token")
def token():
    session["voter"] = {"key": "0" * 64, "code_id": 1, "area_id": None}
    return generate_csrf()

@app.post("/vote")
def vote():
    session["voter"]
    return redirect(url_for("done"), code=303)

@app.get("/done")
def done():
    return "done"

@app.get("/")
def index():
    return "ok"
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(target: str, workers: int, threads: int, env: dict, cwd: Path) -> tuple[subprocess.Popen, str]:
    port = _port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(url + "/", timeout=30)
            return process, url
        except requests.RequestException:
            time.sleep(0.5)
    _stop(process)
    raise SystemExit("gunicorn did not start")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(20)


def _prepare(database_url: str, voters: int) -> tuple[str, int, list[str], list[str]]:
    """Migrate, seed the demo council, and open a ballot with one code per voter."""
    from pbapp import create_app, migrations
    from pbapp.config import Config
    from pbapp.db import standalone_session
    from pbapp.seed import seed_demo
    from tests.factories import council_by_slug
    from tests.pb import factories

    os.environ["DATABASE_URL"] = database_url
    app = create_app(Config())
    with app.app_context():
        migrations.upgrade(app)
    seed_demo(app)
    with app.test_request_context(), standalone_session(app) as session:
        council = council_by_slug(session, "blackburn-with-darwen")
        ballot = factories.ballot(app, session, council, rule="greedy")
        codes = factories.codes(app, session, council, ballot, size=voters)
        return council.slug, ballot.id, codes, factories.refs(session, ballot)


def _timed_posts(posts: list, concurrency: int) -> tuple[float, list[float], list[int]]:
    """Run prepared (session, url, data) posts with `concurrency` threads; return wall time, latencies, statuses."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    queue = list(reversed(posts))

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                http, url, data = queue.pop()
            started = time.perf_counter()
            response = http.post(url, data=data, allow_redirects=False, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, statuses


def _raw_request(http: requests.Session, url: str, data: dict) -> tuple[str, int, bytes]:
    """The bytes of the POST that `http.post(url, data=data)` sends: same form body, cookies and headers."""
    prepared = http.prepare_request(requests.Request("POST", url, data=data))
    prepared.headers["Connection"] = "close"  # one request per connection, whatever the worker class
    parts = urlsplit(url)
    headers = "".join(f"{name}: {value}\r\n" for name, value in prepared.headers.items())
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    head = f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{headers}\r\n"
    return parts.hostname, parts.port, head.encode() + body


def _raw_posts(posts: list, concurrency: int) -> tuple[float, list[float], list[int]]:
    """Run the same posts from `concurrency` asyncio tasks on raw sockets; return wall time, latencies, statuses."""
    requests_ = [_raw_request(http, url, data) for http, url, data in posts]
    latencies: list[float] = []
    statuses: list[int] = []

    async def one(host: str, port: int, payload: bytes) -> None:
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(payload)
        response = await reader.read()  # gunicorn's sync workers close the connection after each response
        writer.close()
        latencies.append(time.perf_counter() - started)
        statuses.append(int(response[9:12]) if response.startswith(b"HTTP/1.") else 0)

    async def run() -> float:
        queue = list(reversed(requests_))

        async def worker():
            while queue:
                await one(*queue.pop())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started

    return asyncio.run(run()), latencies, statuses


def _cpu_of(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _server_pids(process: subprocess.Popen) -> list[int]:
    try:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    except OSError:
        children = []
    return [process.pid, *map(int, children)]


def _backend_pids(database_url: str) -> list[int]:
    import psycopg

    dbname = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)
        ).fetchall()
    return [pid for (pid,) in rows]


def _self_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _measured(
    posts: list, concurrency: int, client: str, server: subprocess.Popen, database_url: str | None
) -> tuple[float, list[float], list[int], dict[str, float]]:
    """Time the posts and say how much CPU the client, the server and PostgreSQL used per request."""
    backends = _backend_pids(database_url) if database_url else []
    server_pids = _server_pids(server)
    before = (_self_cpu(), _cpu_of(server_pids), _cpu_of(backends))
    seconds, latencies, statuses = (_raw_posts if client == "raw" else _timed_posts)(posts, concurrency)
    if database_url:
        backends = sorted(set(backends) | set(_backend_pids(database_url)))
    after = (_self_cpu(), _cpu_of(server_pids), _cpu_of(backends))
    per = [(b - a) * 1000 / len(posts) for a, b in zip(before, after)]
    return seconds, latencies, statuses, {"client": per[0], "server": per[1], "postgres": per[2]}


class _Tally:
    """Requests timed in several blocks, added up."""

    def __init__(self) -> None:
        self.seconds, self.latencies, self.statuses, self.cpu_ms = 0.0, [], [], {}

    def add(self, seconds: float, latencies: list[float], statuses: list[int], cpu: dict[str, float]) -> None:
        self.seconds += seconds
        self.latencies += latencies
        self.statuses += statuses
        for name, per_request in cpu.items():
            self.cpu_ms[name] = self.cpu_ms.get(name, 0.0) + per_request * len(latencies)

    def totals(self) -> tuple[float, list[float], list[int], dict[str, float]]:
        count = len(self.latencies)
        return self.seconds, self.latencies, self.statuses, {k: v / count for k, v in self.cpu_ms.items()}


def _cpu_text(cpu: dict[str, float]) -> str:
    return ", ".join(f"{name} {ms:.2f}" for name, ms in cpu.items()) + " ms CPU per request"


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread workers)")
    parser.add_argument(
        "--client",
        choices=("raw", "requests"),
        default="raw",
        help="asyncio on raw sockets (lean) or requests in threads; the same for both servers",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="blocks of voters timed against the app and the bare endpoint in turn"
    )
    args = parser.parse_args()

    # Letter codes are keyed by VOTER_KEY: the codes made here must hash alike in the app that checks them.
    os.environ["VOTER_KEY"] = "bench-voter-key"
    slug, ballot_id, codes, refs = _prepare(args.database_url, args.voters)
    env = dict(os.environ, DATABASE_URL=args.database_url, SECRET_KEY="bench-secret", RATELIMIT_ENABLED="0")
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as servers:
        Path(folder, "bare_app.py").write_text(BARE_APP)
        Path(folder, "floor_app.py").write_text(FLOOR_APP)
        app_server, url = _serve("pbapp:create_app()", args.workers, args.threads, env, ROOT)
        servers.callback(_stop, app_server)
        bare_server, bare_url = _serve("bare_app:app", args.workers, args.threads, dict(os.environ), Path(folder))
        servers.callback(_stop, bare_server)
        floor_server, floor_url = _serve("floor_app:app", args.workers, args.threads, dict(os.environ), Path(folder))
        servers.callback(_stop, floor_server)

        def ballot(n: int, token: str) -> dict:
            return {"choice": [refs[n % len(refs)], refs[(n + 2) % len(refs)]], "csrf_token": token}

        posts, floor_posts = [], []
        ballot_path = f"/pb/{slug}/ballots/{ballot_id}"
        for n, code in enumerate(codes):
            http = requests.Session()
            token = re.search(r'name="csrf-token" content="([^"]+)"', http.get(url + ballot_path).text).group(1)
            http.post(url + ballot_path + "/code", data={"code": code, "csrf_token": token}, allow_redirects=False)
            posts.append((http, url + ballot_path + "/submit", ballot(n, token)))
            floor_http = requests.Session()
            floor_posts.append((floor_http, floor_url + "/vote", ballot(n, floor_http.get(floor_url + "/token").text)))
        bare_posts = [(requests.Session(), bare_url + "/vote", {"choice": ["p1", "p2"]}) for _ in codes]
        app, bare, floor = _Tally(), _Tally(), _Tally()
        order = [
            (app, posts, app_server, args.database_url),
            (bare, bare_posts, bare_server, None),
            (floor, floor_posts, floor_server, None),
        ]
        # Blocks in turns, reversed every other round: load that drifts during the run falls on all alike.
        for n in range(args.rounds):
            block = slice(n * len(posts) // args.rounds, (n + 1) * len(posts) // args.rounds)
            for tally, block_posts, server, database_url in order if n % 2 == 0 else order[::-1]:
                tally.add(*_measured(block_posts[block], args.concurrency, args.client, server, database_url))
    rates = {}
    for name, tally in (("ballot submissions", app), ("bare Flask endpoint", bare), ("CSRF and session floor", floor)):
        seconds, latencies, statuses, cpu = tally.totals()
        bad = [s for s in statuses if s != 303]
        rates[name] = len(latencies) / seconds
        print(
            f"{name}: {rates[name]:,.0f}/s, p95 {_p95(latencies) * 1000:.0f} ms, "
            f"{len(bad)} not 303 ({sorted(set(bad))}); {_cpu_text(cpu)}"
        )
    bare_rate = rates["bare Flask endpoint"]
    print(
        f"ratio: {rates['ballot submissions'] / bare_rate:.2f} of the bare endpoint's throughput "
        f"(the CSRF and session floor: {rates['CSRF and session floor'] / bare_rate:.2f}; "
        f"{args.voters} voters, {args.concurrency} concurrent, {args.workers} gunicorn workers "
        f"x {args.threads} threads, {args.client} client, {args.rounds} rounds, "
        f"load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
