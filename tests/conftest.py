"""Fixtures for the whole suite: one migrated database per run, emptied after every test.

The database is TEST_DATABASE_URL when set (PostgreSQL in CI), else a temporary SQLite file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from pbapp import create_app, migrations
from pbapp.config import TestConfig
from pbapp.db import get_engine, import_all_models

from tests import factories
from tests.shared_data import SHARED_DATA

DEMO_PASSWORD = "correct horse battery"
ROLE_EMAILS = {
    "resident": "resident@demo.example",
    "facilitator": "facilitator@demo.example",
    "officer": "officer@demo.example",
    "admin": "admin@demo.example",
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    app = create_app(TestConfig(url))
    with app.app_context():
        _drop_everything(app)
        migrations.upgrade(app)
    get_engine(app).dispose()
    return url


def _drop_everything(app) -> None:
    engine = get_engine(app)
    import_all_models()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            SQLModel.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def empty_all_tables(app) -> None:
    """Delete every row so the next test starts from an empty, migrated database."""
    engine = get_engine(app)
    existing = set(inspect(engine).get_table_names())
    tables = [t.name for t in reversed(import_all_models().metadata.sorted_tables) if t.name in existing]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


def make_test_app(database_url: str, **overrides):
    config = TestConfig(database_url)
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build extra apps with config overrides; their connections are closed after the test."""
    built = []

    def _make(**overrides):
        overrides.setdefault("ERASURE_LOG", str(tmp_path / "erasures.jsonl"))
        built.append(make_test_app(database_url, **overrides))
        return built[-1]

    yield _make
    for extra in built:
        get_engine(extra).dispose()


@pytest.fixture
def app_overrides() -> dict:
    """Override to change the test app's config (e.g. turn rate limits or CSRF on)."""
    return {}


@pytest.fixture
def app(database_url, app_overrides, tmp_path):
    # No app context stays pushed: each test request must get its own `g`, as in production.
    # Each test has its own erasure log: a restore re-applies it, and ids repeat between tests.
    app = make_test_app(database_url, **{"ERASURE_LOG": str(tmp_path / "erasures.jsonl"), **app_overrides})
    yield app
    empty_all_tables(app)
    get_engine(app).dispose()


@pytest.fixture
def app_context(app):
    """For tests that call code needing `current_app` outside a request."""
    with app.app_context():
        yield app


@pytest.fixture
def db(app) -> Session:
    """A session for arranging data and checking results outside requests."""
    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def htmx_client(app):
    client = app.test_client()
    client.environ_base["HTTP_HX_REQUEST"] = "true"
    return client


@pytest.fixture
def demo(app, db):
    """The seeded demo council with its four accounts (password DEMO_PASSWORD)."""
    from pbapp.seed import seed_demo

    seed_demo(app)
    return factories.council_by_slug(db, "blackburn-with-darwen")


def csrf_token(client, url: str = "/accounts/login") -> str:
    """Read the CSRF token a page hands out, as a browser would."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    return match.group(1) if match else ""


def login(client, email: str, password: str = DEMO_PASSWORD):
    """Sign in through the real form and return the response."""
    response = client.post("/accounts/login", data={"email": email, "password": password,
                                                    "csrf_token": csrf_token(client)})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(client, demo):
    """Sign the test client in as one of the demo roles: login_as("officer")."""

    def _login(role: str):
        return login(client, ROLE_EMAILS[role])

    return _login


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("the shared data is neither next to this checkout nor in tests/fixtures")
    return SHARED_DATA
