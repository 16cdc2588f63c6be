"""A real multi-worker server for the trust suite: gunicorn on the test database.

The server runs the production configuration (CSRF on, rate limits off so load is not throttled)
against the same migrated database as the tests, in its own processes.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import inspect
from sqlmodel import func, select

from pbapp.config import TestConfig
from pbapp.db import import_all_models

from tests.trust import figures

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn process group serving the app; `kill()` is SIGKILL, `start()` starts it again."""

    def __init__(self, database_url: str, workers: int, log_path: Path, env: dict[str, str] | None = None):
        self.database_url = database_url
        self.extra_env = env or {}
        self.workers = workers
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> "Server":
        env = dict(
            os.environ,
            DATABASE_URL=self.database_url,
            SECRET_KEY="trust-suite-secret",
            VOTER_KEY=TestConfig().VOTER_KEY,
            RATELIMIT_ENABLED="0",
            PBAPP_ENV="development",
        )
        env.pop("REDIS_URL", None)
        env.update(self.extra_env)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(self.workers),
                    # The app is built once and the workers fork from it: a quarter of the start's CPU
                    # with four workers (about 3 s instead of 10). create_app opens no database
                    # connection, so no worker inherits one.
                    "--preload",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--access-logfile",
                    "-",
                    "--error-logfile",
                    "-",
                    "--log-level",
                    "debug",
                    "pbapp:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/", timeout=10).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("gunicorn did not start: " + self.log_path.read_text()[-2000:])

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process:
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def pytest_sessionfinish(session, exitstatus):
    figures.save()


def _needs_a_file(database_url: str) -> None:
    if database_url.startswith("sqlite") and ":memory:" in database_url:
        pytest.skip("a shared database file is needed")


@pytest.fixture(scope="module")
def module_server(database_url, tmp_path_factory):
    """Four gunicorn workers shared by a module's tests; each test still seeds its own data.

    Started once per module (not per test): the demo each test copies in is written through
    SQLite's own locking or into the same PostgreSQL database, so the running server sees it, and
    the workers' caches are keyed by what a test creates anew (an opened ballot's id and time).
    """
    _needs_a_file(database_url)
    server = Server(database_url, workers=4, log_path=tmp_path_factory.mktemp("gunicorn") / "gunicorn.log").start()
    yield server
    server.stop()


def fire(count: int, send) -> list[requests.Response]:
    """Call `send(n)` for n in range(count) from `count` threads released at the same instant."""
    responses: list[requests.Response | None] = [None] * count
    start = threading.Barrier(count)

    def go(n: int) -> None:
        start.wait()
        responses[n] = send(n)

    threads = [threading.Thread(target=go, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert all(r is not None for r in responses), "a request did not finish"
    return responses


class WebUser:
    """A person using the site over HTTP: keeps cookies and sends the page's CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()

    def token(self, path: str) -> str:
        html = self.http.get(self.base_url + path, timeout=30).text
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def post_form(self, path: str, data: dict, *, token_from: str | None = None) -> requests.Response:
        data = dict(data, csrf_token=self.token(token_from or path))
        return self.http.post(self.base_url + path, data=data, allow_redirects=False, timeout=60)

    def sign_in(self, email: str, password: str) -> WebUser:
        response = self.post_form("/accounts/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text[:300]
        return self

    def tabs(self, count: int) -> list[WebUser]:
        """`count` more connections with this user's cookies, like the same person in many tabs."""
        copies = []
        for _ in range(count):
            copy = WebUser(self.base_url)
            copy.http.cookies.update(self.http.cookies)
            copies.append(copy)
        return copies


def table_counts(db) -> dict[str, int]:
    """Rows in every table, read in a fresh transaction: what "changes nothing" is checked against."""
    db.commit()
    existing = set(inspect(db.connection()).get_table_names())
    counts = {
        t.name: db.connection().execute(select(func.count()).select_from(t)).scalar_one()
        for t in import_all_models().metadata.sorted_tables
        if t.name in existing
    }
    db.commit()
    return counts
