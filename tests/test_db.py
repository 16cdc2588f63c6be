"""Pooled PostgreSQL connections survive a database restart without a ping on every request."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pbapp import db as pbapp_db
from pbapp.db import make_engine


@pytest.fixture
def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("connection pooling with pings is PostgreSQL's")
    return database_url


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(url: str, pid: int) -> None:
    killer = make_engine(url)
    with killer.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


def test_a_connection_that_died_while_resting_in_the_pool_is_replaced_unseen(pg_url, monkeypatch):
    monkeypatch.setattr(pbapp_db, "_IDLE_BEFORE_PING", 0.0)
    engine = make_engine(pg_url)
    try:
        dead = _backend_pid(engine)
        _terminate(pg_url, dead)
        assert _backend_pid(engine) != dead
    finally:
        engine.dispose()


def test_a_busy_pool_does_not_ping_and_drops_every_stale_connection_after_one_failure(pg_url):
    engine = make_engine(pg_url)
    try:
        first, second = engine.connect(), engine.connect()
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in (first, second)]
        first.close()
        second.close()
        for pid in pids:
            _terminate(pg_url, pid)
        with engine.connect() as connection:
            with pytest.raises(DBAPIError) as failed:
                connection.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        # One failure invalidates the whole pool, so the next requests get fresh connections.
        assert _backend_pid(engine) not in pids
        assert _backend_pid(engine) not in pids
    finally:
        engine.dispose()


def test_a_lost_autocommit_connection_fails_one_statement_and_is_replaced(pg_url):
    from flask import Flask

    app = Flask(__name__)
    app.config["DATABASE_URL"] = pg_url
    pbapp_db.init_app(app)
    try:
        dead = pbapp_db.execute_alone("SELECT pg_backend_pid()", {}, app)[0]
        assert pbapp_db.execute_alone("SELECT pg_backend_pid()", {}, app)[0] == dead  # kept for reuse
        _terminate(pg_url, dead)
        with pytest.raises(pbapp_db.get_engine(app).dialect.loaded_dbapi.OperationalError):
            pbapp_db.execute_alone("SELECT 1", {}, app)
        assert pbapp_db.execute_alone("SELECT pg_backend_pid()", {}, app)[0] != dead
        # Autocommit: what one statement wrote is visible to others at once.
        assert pbapp_db.execute_alone(
            "SELECT current_setting('transaction_isolation'), now() = statement_timestamp()", {}, app
        )[1]
    finally:
        pbapp_db.get_engine(app).dispose()
