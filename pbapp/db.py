"""One engine per app, one session per request, and the list of every table model."""

from __future__ import annotations

import queue
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

_EXTENSION_KEY = "pbapp.engine"
_AUTOCOMMIT_KEY = "pbapp.engine.autocommit"
_WRITER_KEY = "pbapp.engine.writes"
WRITE_OPTION = "pbapp_writes"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def import_all_models() -> type[SQLModel]:
    """Import every module that defines tables so SQLModel.metadata knows them all.

    Imported when asked, not at the top of this module: a domain package's __init__ may import
    services that import this module. Each import below is there only for the tables it defines.
    """
    from pbapp import audit, jobs, mail, pending  # noqa: F401
    from pbapp.accounts import models as accounts  # noqa: F401
    from pbapp.councils import models as councils  # noqa: F401
    from pbapp.deliberation import models as deliberation  # noqa: F401
    from pbapp.juries import models as juries  # noqa: F401
    from pbapp.ledger import models as ledger  # noqa: F401
    from pbapp.pb import models as pb, published_models, simulator_models  # noqa: F401
    from pbapp.places import models as places  # noqa: F401
    from pbapp.sortition import models as sortition  # noqa: F401

    return SQLModel


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and a busy timeout for concurrent writers.

    A PostgreSQL engine opens at most `pool_size` connections (no overflow), so the connection
    budget the process was given is a ceiling, not a hope.
    """
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if in_memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver callback
            # Let SQLAlchemy issue BEGIN itself so a writer takes the lock up front (BEGIN IMMEDIATE)
            # instead of failing half-way with "database is locked".
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - driver callback
            # A request that will write takes the write lock at BEGIN, so concurrent writers queue
            # on busy_timeout instead of failing when a stale read snapshot tries to write.
            immediate = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=0)
    _ping_idle_connections(engine)
    return engine


_IDLE_BEFORE_PING = 5.0  # seconds a pooled connection may rest before it is checked on checkout


def _ping_idle_connections(engine: Engine) -> None:
    """Check only connections that rested in the pool, so a busy server saves a round trip per request.

    After a database restart the first connection found dead makes SQLAlchemy discard every
    older pooled connection (pool invalidation on disconnect), and idle ones are re-checked here.
    """

    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_connection, record):  # pragma: no cover - pool callback
        record.info["pbapp_checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection, record, _proxy):  # pragma: no cover - pool callback
        now = time.monotonic()
        rested = now - record.info.get("pbapp_checked_in", now)
        if rested < _IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool replaces a connection that raises this on checkout, then retries.
            raise DisconnectionError() from error


def init_app(app: Flask) -> None:
    """Create the app's engine and close the request's session at teardown."""
    from pbapp.config import DEFAULT_CONNECTION_BUDGET, DEFAULT_PROCESSES, pool_sizes

    import_all_models()
    pool_size, autocommit = pool_sizes(
        app.config.get("DB_CONNECTION_BUDGET", DEFAULT_CONNECTION_BUDGET),
        app.config.get("DB_PROCESSES", DEFAULT_PROCESSES),
    )
    engine = make_engine(app.config["DATABASE_URL"], pool_size)
    app.extensions[_EXTENSION_KEY] = engine
    # Made once: a view of the engine with its own options is an object built on every call.
    app.extensions[_WRITER_KEY] = engine.execution_options(**{WRITE_OPTION: True})
    app.extensions[_AUTOCOMMIT_KEY] = _AutocommitConnections(engine, keep=autocommit)
    app.teardown_request(_close_session)
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    """Return the engine of the given or current app."""
    return (app or current_app).extensions[_EXTENSION_KEY]


class _AutocommitConnections:
    """Driver connections in autocommit, kept apart from the engine's pool for execute_alone.

    A free list rather than the pool: the pool's checkout, its reset on return and a
    transaction cost more CPU than the one statement. It works with any threading model (the
    development server starts a thread per request) and has at most `keep` connections open:
    a caller past that waits for one to come back, so the process keeps to its connection budget.

    Kept because it pays (issue 18's bar: 10% of a vote's server CPU; bench/pb_vote_cpu.py,
    7 Dec 2026, three runs at load 7-10): a letter-code vote takes 27% less CPU than on the ORM
    session's transaction (23.5-30.9% by round) and 10.5-13.3% less than on a second engine in
    autocommit with SQLAlchemy's pool (7-15.5% by round). bench/README.md has the figures.
    """

    def __init__(self, engine: Engine, keep: int):
        self.engine, self.keep = engine, keep
        self.idle: queue.SimpleQueue = queue.SimpleQueue()
        self.slots = threading.BoundedSemaphore(keep)
        event.listen(engine, "engine_disposed", self.close_idle)

    def take(self):
        if not self.slots.acquire(timeout=30):
            raise TimeoutError("no database connection came free within 30 seconds")
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            pass
        try:
            pooled = self.engine.raw_connection()
            connection = pooled.driver_connection
            pooled.detach()  # ours now: the pool neither resets nor closes it
            connection.autocommit = True
            return connection
        except BaseException:
            self.slots.release()
            raise

    def give_back(self, connection) -> None:
        try:
            if not connection.closed:
                self.idle.put(connection)
        finally:
            self.slots.release()

    def close_idle(self, _engine: Engine | None = None) -> None:
        while True:
            try:
                self.idle.get_nowait().close()
            except queue.Empty:
                return


def execute_alone(statement: str, params: dict, app: Flask | None = None) -> tuple | None:
    """Run one statement on PostgreSQL in autocommit and return its first row (None if none).

    For a hot write that is a single statement: a pooled connection's checkout, its reset on
    return and an ORM transaction cost more CPU than such a statement. A connection found
    broken is closed and the error raised.
    """
    connections = (app or current_app).extensions[_AUTOCOMMIT_KEY]
    connection = connections.take()
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone()
    except connections.engine.dialect.loaded_dbapi.OperationalError:
        connection.close()
        raise
    finally:
        connections.give_back(connection)


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    session = g.get("db_session")
    if session is None:
        writes = has_request_context() and request.method not in _SAFE_METHODS
        engine = current_app.extensions[_WRITER_KEY if writes else _EXTENSION_KEY]
        session = g.db_session = Session(engine, expire_on_commit=False)
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def standalone_session(app: Flask | None = None) -> Iterator[Session]:
    """Open a session outside a request, for jobs and CLI commands."""
    engine = (app or current_app).extensions[_WRITER_KEY]
    with Session(engine, expire_on_commit=False) as session:
        yield session


def create_all(app: Flask) -> None:
    """Create every table directly (tests of the models; production uses migrations)."""
    SQLModel.metadata.create_all(get_engine(app))


def insert_rows(session: Session, table, rows: list[dict]) -> None:
    """Insert many rows in the session's transaction: by COPY on PostgreSQL (a 100,000-row executemany takes
    seconds, COPY a fraction of one), by executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(tuple(row[name] for name in columns))
