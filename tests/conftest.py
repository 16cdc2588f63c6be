"""Fixtures for the whole suite: one migrated database per run (per xdist worker), emptied after
every test with DELETE.

The database is TEST_DATABASE_URL when set (PostgreSQL in CI), else a temporary SQLite file. Under
pytest-xdist each worker gets a database of its own: `<name>_gw0`, `<name>_gw1`... on PostgreSQL
(created on first use), a file in the worker's own temporary directory on SQLite.

The demo council is seeded once per run (on SQLite once for all xdist workers, else once per
worker) and kept as a snapshot; a test that asks for `demo` gets the snapshot copied into its
empty database (SQLite: the backup API from a template file; PostgreSQL: INSERT ... SELECT from a
`demo_snapshot` schema, then the sequences moved past the copied ids). On SQLite such a test is
emptied afterwards by copying in the empty migrated database kept before the first test, cheaper
than deleting the demo's rows. On PostgreSQL the demo stays after such a test, and a statement
trigger on every table notes which tables were written: the next test with the demo gets only
those tables copied back (most tests write a few of the demo's 60), the next without it an empty
database. The copy is written into the same database the test already uses, so servers started on
the test database (tests/trust) see it. The permission matrix's small council (tests/matrix_council.py,
the `matrix_council` fixture) is a second snapshot kept and copied the same way.
"""

from __future__ import annotations

import fcntl
import gc
import os
import re
import sqlite3
import warnings
from pathlib import Path

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import inspect, make_url, text
from sqlmodel import Session, SQLModel

from pbapp import create_app, jobs, migrations
from pbapp.config import TestConfig
from pbapp.db import get_engine, import_all_models

from tests import factories
from tests.shared_data import SHARED_DATA


def _reuse_url_builders() -> None:
    """Compile each URL builder once per process instead of once per test app.

    Every test builds its own app, and werkzeug compiles two builder functions (ast + compile) for
    each of the app's ~390 routes: about 0.4 s of CPU per app, most of the cost of a small test. A
    builder depends only on the rule's parsed parts (`_trace`), so apps with the same routes can
    share it; rules with defaults, whose values are folded into the code, are compiled as before.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    built: dict = {}

    def _compile_builder(self, append_unknown: bool = True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (append_unknown, tuple(self._trace))
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = _compile_builder


def _reuse_parsed_rules() -> None:
    """Parse each URL rule once per process instead of once per test app.

    Parsing the ~250 rules' strings into regex parts was most of what remained of building an app
    (about 30 of its 49 ms). The parts depend only on the rule's text, its domain and the map's
    converter classes; converters are shared between apps, which is safe as werkzeug's keep the map
    they were made for without using it.
    """
    from werkzeug.routing.rules import Rule

    compile_rule = Rule.compile
    parsed: dict = {}

    def compile(self) -> None:
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.merge_slashes,  # the map's own, when the rule has none (set by `bind` before compiling)
            self.map.host_matching,
            tuple(sorted(self.map.converters.items())),
        )
        if key not in parsed:
            compile_rule(self)
            parsed[key] = (tuple(self._parts), tuple(self._trace), dict(self._converters))
            return
        parts, trace, converters = parsed[key]
        self._parts, self._trace, self._converters = list(parts), list(trace), dict(converters)
        self.arguments.update(converters)
        self._build = self._compile_builder(False).__get__(self, None)
        self._build_unknown = self._compile_builder(True).__get__(self, None)

    Rule.compile = compile


_reuse_url_builders()
_reuse_parsed_rules()

# The suite's own job functions (tests/test_jobs.py, tests/scaleout/work.py) may run as jobs too.
jobs.JOB_PACKAGES = (*jobs.JOB_PACKAGES, "tests")


# Tests between two explicit cycle collections (see pytest_collection_finish).
TESTS_PER_COLLECTION = 50


def pytest_collection_finish(session) -> None:
    """Collect cycles every TESTS_PER_COLLECTION tests instead of whenever allocations pile up.

    Every test builds an app (blueprints, routes, Jinja environment, engine), which is freed only by
    the cycle collector. Its automatic passes over the ever-growing heap took a third of a worker's
    time on the permission matrix (19 of 56 s). The imported code is frozen out of the passes, and
    one explicit pass per TESTS_PER_COLLECTION tests keeps a worker's memory under 400 MB: the same
    matrix then took 39 s.
    """
    gc.collect()
    gc.freeze()
    gc.disable()


_TESTS_RUN = pytest.StashKey[int]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """Every TESTS_PER_COLLECTION tests, before the next test sets up, free the cycles the last ones left.

    Before set-up, not at teardown: by then the last test's fixtures are released, so everything
    that survives the pass lives on for the run (caches, session fixtures) and is frozen out of the
    next passes, which then read only what was made since. A module's fixture frozen while alive
    is not collected after its module ends: a handful of objects a run.
    """
    run = item.config.stash.get(_TESTS_RUN, 0)
    item.config.stash[_TESTS_RUN] = run + 1
    if run and run % TESTS_PER_COLLECTION == 0:
        # A database connection that some test's objects held in a cycle, never handed back to its
        # pool, is freed here with the engine that pooled it; psycopg closes it, warning that it was
        # open (seen once on PostgreSQL, not reproduced; which test leaves it is not known). Most
        # likely the automatic collector used to find such a cycle while its pool still lived.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        gc.freeze()


def pytest_collection_modifyitems(items) -> None:
    """Browser tests first: each takes 5-40 s, most others under one, so the short tests fill in the end of
    the run on both xdist workers instead of one worker finishing a long test alone (xdist hands out work
    in collection order)."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)


class _CompiledTemplates(BytecodeCache):
    """Jinja templates compiled once per process and shared by every test app.

    Each test builds its own app, so its own Jinja environment, which compiled again every template
    the test renders (the GOV.UK macros and layouts: 30-60 ms each, a third of the CPU of a test that
    renders a few pages). The compiled code depends only on the source (checked by its checksum) and
    the environment's syntax options and extensions, which every test app shares; each app still
    makes its own Template objects from it, bound to its own globals and filters.
    """

    def __init__(self) -> None:
        self.code: dict[tuple, object] = {}

    @staticmethod
    def _key(bucket) -> tuple:
        env = bucket.environment
        options = (env.block_start_string, env.variable_start_string, env.comment_start_string)
        return (bucket.key, bucket.checksum, tuple(sorted(env.extensions)), options, env.trim_blocks, env.lstrip_blocks)

    def load_bytecode(self, bucket) -> None:
        bucket.code = self.code.get(self._key(bucket))

    def dump_bytecode(self, bucket) -> None:
        self.code[self._key(bucket)] = bucket.code


_COMPILED_TEMPLATES = _CompiledTemplates()

DEMO_PASSWORD = "correct horse battery"
ROLE_EMAILS = {
    "resident": "resident@demo.example",
    "facilitator": "facilitator@demo.example",
    "officer": "officer@demo.example",
    "admin": "admin@demo.example",
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    elif worker_id != "master":
        url = _worker_database(url, worker_id)
    app = create_app(TestConfig(url))
    with app.app_context():
        _drop_everything(app)
        migrations.upgrade(app)
    get_engine(app).dispose()
    if url.startswith("sqlite"):
        _sqlite_copy(make_url(url).database, _empty_template(tmp_path_factory))
    return url


def _empty_template(tmp_path_factory) -> Path:
    """The migrated, empty SQLite database as it was before the first test (see Snapshot.leave)."""
    return tmp_path_factory.getbasetemp() / "empty-template.sqlite"


def _sqlite_copy(source, target) -> None:
    """Copy a whole SQLite database with the backup API, which writes pages through SQLite's own locking,
    so connections that other processes hold open on the target (a gunicorn server) see the copy."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """The xdist worker ("gw0", ...) or "master" without xdist (pytest-xdist overrides this)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


def _worker_database(url: str, worker_id: str) -> str:
    """A PostgreSQL database of this xdist worker's own beside TEST_DATABASE_URL's, created if missing."""
    from sqlalchemy import create_engine

    parsed = make_url(url)
    name = f"{parsed.database}_{worker_id}"
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _drop_everything(app) -> None:
    engine = get_engine(app)
    import_all_models()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            snapshots = connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE right(nspname, length(:suffix)) = :suffix"),
                {"suffix": SNAPSHOT_SUFFIX},
            ).scalars()
            for schema in [*snapshots, TRACKING_SCHEMA]:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            SQLModel.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


# Each snapshot's schema (PostgreSQL) is its name and this: demo_snapshot, matrix_snapshot.
SNAPSHOT_SUFFIX = "_snapshot"
SNAPSHOT_SCHEMA = "demo" + SNAPSHOT_SUFFIX
# Where the written tables are noted (PostgreSQL): apart from public, so the app's tables are what they were.
TRACKING_SCHEMA = "test_tracking"
TRACKING_TRIGGER = "test_tracking_written"


def _tables(engine) -> list[str]:
    """The model tables that exist, parents before children."""
    existing = set(inspect(engine).get_table_names())
    return [t.name for t in import_all_models().metadata.sorted_tables if t.name in existing]


def empty_all_tables(app, *, every_sequence: bool = False) -> None:
    """Delete every row so the next test starts from an empty, migrated database.

    Sequences restart at 1: those read since they last did, or (`every_sequence`, after the demo was
    copied in, which moves every sequence past its ids) all of them.

    DELETE, not TRUNCATE: on PostgreSQL TRUNCATE of every table takes 1.5-3 s even when they are
    empty (new files for each table and index), DELETE a few hundredths. Sequences restart at 1,
    as TRUNCATE ... RESTART IDENTITY did.
    """
    engine = get_engine(app)
    with engine.begin() as connection:
        _skip_foreign_key_checks(connection)
        for table in reversed(_tables(engine)):
            connection.execute(text(f"DELETE FROM {table}"))
        if engine.dialect.name == "postgresql":
            _move_sequences(connection, restart=True, every=every_sequence)


def _skip_foreign_key_checks(connection) -> None:
    """On PostgreSQL as a superuser, skip the row-by-row foreign key triggers for this transaction.

    Only for emptying and copying whole, consistent databases: the rows deleted or copied keep
    every reference intact, so checking each one would only cost time (most of the copy's).
    """
    if (
        connection.dialect.name == "postgresql"
        and connection.execute(text("SELECT current_setting('is_superuser')")).scalar() == "on"
    ):
        connection.execute(text("SET LOCAL session_replication_role = replica"))


# Each serial sequence's table and column, by database: the catalog query costs 80 ms, and
# sequence names stay the same when a migration rebuilds a table.
_OWNED_SEQUENCES: dict[str, dict[str, tuple[str, str]]] = {}


def _owned_sequences(connection) -> dict[str, tuple[str, str]]:
    database = connection.engine.url.database
    if database not in _OWNED_SEQUENCES:
        rows = connection.execute(
            text(
                "SELECT s.relname, t.relname, a.attname FROM pg_depend d"
                " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
                " JOIN pg_namespace n ON n.oid = s.relnamespace AND n.nspname = 'public'"
                " JOIN pg_class t ON t.oid = d.refobjid"
                " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
                " WHERE d.deptype IN ('a', 'i')"
            )
        ).all()
        _OWNED_SEQUENCES[database] = {seq: (table, column) for seq, table, column in rows}
    return _OWNED_SEQUENCES[database]


def _move_sequences(connection, *, restart: bool, every: bool = False) -> None:
    """Restart serial sequences at 1, or move them past the largest id now in their table.

    Either way a sequence is left unread (`setval(..., false)`), which pg_sequences shows as a NULL
    last_value: so only the sequences read since (by an insert, kept or rolled back) need moving,
    unless `every` (after copying whole tables in).
    """
    owned = _owned_sequences(connection)
    if every:
        moved = list(owned)
    else:
        moved = connection.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL")
        ).scalars()
    moved = list(moved)
    if any(seq not in owned for seq in moved):  # a sequence made since the map was read: read it again
        _OWNED_SEQUENCES.pop(connection.engine.url.database, None)
        owned = _owned_sequences(connection)
    calls = []
    for seq in (seq for seq in moved if seq in owned):  # a sequence no column owns is not the tests' to move
        table, column = owned[seq]
        start = "1" if restart else f'COALESCE((SELECT max("{column}") FROM "{table}"), 0) + 1'
        calls.append(f"setval('\"{seq}\"', {start}, false)")
    if calls:
        connection.execute(text("SELECT " + ", ".join(calls)))


def _track_writes(engine) -> None:
    """Note in test_tracking.written the name of every table a statement writes (PostgreSQL).

    A statement trigger, not a row trigger: one note a statement. The notes table has no key, so
    concurrent writers never wait on each other's notes (the parallel-vote tests stay parallel).
    """
    tables = _tables(engine)
    with engine.begin() as connection:
        _OWNED_SEQUENCES.pop(connection.engine.url.database, None)  # tables may have been rebuilt
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {TRACKING_SCHEMA}"))
        connection.execute(text(f"CREATE UNLOGGED TABLE IF NOT EXISTS {TRACKING_SCHEMA}.written (name text)"))
        connection.execute(
            text(
                f"CREATE OR REPLACE FUNCTION {TRACKING_SCHEMA}.note_written() RETURNS trigger LANGUAGE plpgsql AS"
                f" $$ BEGIN INSERT INTO {TRACKING_SCHEMA}.written VALUES (TG_TABLE_NAME); RETURN NULL; END $$"
            )
        )
        for table in tables:
            connection.execute(
                text(
                    f"CREATE OR REPLACE TRIGGER {TRACKING_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                    f" ON public.{table} FOR EACH STATEMENT EXECUTE FUNCTION {TRACKING_SCHEMA}.note_written()"
                )
            )


def _tracking_intact(engine) -> bool:
    """Whether every table still has the tracking trigger (a migration down and up drops it with the table)."""
    with engine.connect() as connection:
        untracked = connection.execute(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'"
                " AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = :name)"
            ),
            {"name": TRACKING_TRIGGER},
        ).scalar()
    return untracked == 0


def _written_tables(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text(f"SELECT DISTINCT name FROM {TRACKING_SCHEMA}.written")).scalars())


class InDatabase:
    """Which snapshot a worker's PostgreSQL database holds now ("demo", "matrix" or None for empty)."""

    name: str | None = None


class Snapshot:
    """A council seeded once per run, copied into a test's empty database on demand: the demo, or the
    permission matrix's small council (`name`, and `seed`, a function of the app that fills an empty
    database).

    On SQLite the template file is the whole run's (shared by the xdist workers, which migrate the
    same schema): the first worker to need it seeds it under a file lock, the others copy it. On
    PostgreSQL both snapshots share the worker's database and `in_database` says which one is in it.
    """

    def __init__(self, tmp_path_factory, worker_id: str = "master", name: str = "demo", seed=None, in_database=None):
        self.tmp_path_factory = tmp_path_factory
        self.name = name
        self.seed_into = seed or _seed_demo
        base = tmp_path_factory.getbasetemp()
        self.sqlite_template = (base if worker_id == "master" else base.parent) / f"{name}-template.sqlite"
        self.schema = name + SNAPSHOT_SUFFIX
        self.taken = False
        self.in_database = in_database or InDatabase()

    @property
    def left_in(self) -> bool:
        """PostgreSQL: this snapshot is in the database, apart from the tables the tracking trigger noted."""
        return self.in_database.name == self.name

    def copy_into(self, app) -> None:
        engine = get_engine(app)
        if engine.dialect.name == "postgresql":
            other_in = self.in_database.name not in (None, self.name)
            if other_in or (self.left_in and not _tracking_intact(engine)):
                # Another snapshot is in, or a test rebuilt tables (migrations) so what it wrote is unknown.
                empty_all_tables(app, every_sequence=True)
                self.in_database.name = None
            if not self.taken:
                self._seed(app, engine)
                _track_writes(engine)
                with engine.begin() as connection:
                    connection.execute(text(f"DELETE FROM {TRACKING_SCHEMA}.written"))
            elif self.left_in:
                self._restore_postgresql(engine, only=_written_tables(engine))
            else:
                _track_writes(engine)
                self._restore_postgresql(engine)
            self.in_database.name = self.name
            return
        if not self.taken:
            with open(self.sqlite_template.with_suffix(".lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not self.sqlite_template.is_file():
                    # Seeded into an empty database, whatever an earlier test left in this one.
                    self.leave(app)
                    self._seed(app, engine)
                    return
            self.taken = True
        self._sqlite(engine, restore=True)

    def _seed(self, app, engine) -> None:
        self.seed_into(app)
        self._take(engine)
        self.taken = True

    def _take(self, engine) -> None:
        if engine.dialect.name != "postgresql":
            self._sqlite(engine, restore=False)
            return
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {self.schema}"))
            for table in _tables(engine):
                connection.execute(text(f"CREATE TABLE {self.schema}.{table} AS TABLE public.{table}"))

    def _restore_postgresql(self, engine, only: set[str] | None = None) -> None:
        """Copy the snapshot into an empty database, or (`only`) back over the tables a test wrote."""
        with engine.begin() as connection:
            # Also keeps the tracking trigger quiet: replica mode fires no ordinary trigger.
            _skip_foreign_key_checks(connection)
            for table in _tables(engine) if only is None or only else ():
                if only is not None and table not in only:
                    continue
                if only is not None:
                    connection.execute(text(f"DELETE FROM public.{table}"))
                # By name: a test that migrates down and up again may rebuild a table with its columns
                # in another order than the snapshot's.
                names = ", ".join(f'"{c["name"]}"' for c in inspect(connection).get_columns(table, schema=self.schema))
                connection.execute(
                    text(f"INSERT INTO public.{table} ({names}) SELECT {names} FROM {self.schema}.{table}")
                )
            # Written tables or not: a rolled-back insert moves a sequence too.
            _move_sequences(connection, restart=False, every=only is None)
            connection.execute(text(f"DELETE FROM {TRACKING_SCHEMA}.written"))

    def leave(self, app) -> None:
        """After a test that had the snapshot: on SQLite, copy the empty template over it (8 ms of CPU against
        39 ms to DELETE the demo's 5,000 rows table by table). On PostgreSQL leave it for the next test that
        wants it (`copy_into` copies back only what was written, `make_empty` empties)."""
        engine = get_engine(app)
        if engine.dialect.name == "postgresql":
            return
        engine.dispose()
        _sqlite_copy(_empty_template(self.tmp_path_factory), make_url(str(engine.url)).database)

    def make_empty(self, app) -> None:
        """Before a test without a snapshot: empty the database if an earlier test left one in it."""
        if self.in_database.name is not None:
            empty_all_tables(app, every_sequence=True)
            self.in_database.name = None

    def _sqlite(self, engine, *, restore: bool) -> None:
        engine.dispose()
        test_file = make_url(str(engine.url)).database
        template = self.sqlite_template
        source, target = (template, test_file) if restore else (test_file, template)
        _sqlite_copy(source, target)


def _seed_demo(app) -> None:
    from pbapp.seed import seed_demo

    seed_demo(app)


@pytest.fixture(scope="session")
def _in_database() -> InDatabase:
    return InDatabase()


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory, worker_id, _in_database) -> Snapshot:
    return Snapshot(tmp_path_factory, worker_id, in_database=_in_database)


@pytest.fixture(scope="session")
def matrix_snapshot(tmp_path_factory, worker_id, _in_database) -> Snapshot:
    from tests.matrix_council import seed_matrix_council

    return Snapshot(tmp_path_factory, worker_id, name="matrix", seed=seed_matrix_council, in_database=_in_database)


def make_test_app(database_url: str, **overrides):
    config = TestConfig(database_url)
    for key, value in overrides.items():
        setattr(config, key, value)
    app = create_app(config)
    app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    return app


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
def app(request, database_url, app_overrides, demo_snapshot, tmp_path):
    # No app context stays pushed: each test request must get its own `g`, as in production.
    # Each test has its own erasure log: a restore re-applies it, and ids repeat between tests.
    app = make_test_app(database_url, **{"ERASURE_LOG": str(tmp_path / "erasures.jsonl"), **app_overrides})
    if "demo" in request.fixturenames:
        snapshot = demo_snapshot
    elif "matrix_council" in request.fixturenames:
        snapshot = request.getfixturevalue("matrix_snapshot")
    else:
        snapshot = None
    if snapshot is not None:
        # Before any other fixture writes: the copy expects an empty database, or the snapshot left in it.
        snapshot.copy_into(app)
    else:
        demo_snapshot.make_empty(app)
    yield app
    if snapshot is not None:
        snapshot.leave(app)
    else:
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
def matrix_council(app, db):
    """The permission matrix's small council (tests/matrix_council.py), with the demo's four accounts.

    The `app` fixture has already copied it in, as it does the demo."""
    from tests.matrix_council import MATRIX_SLUG

    return factories.council_by_slug(db, MATRIX_SLUG)


@pytest.fixture
def demo(app, db):
    """The seeded demo council with its four accounts (password DEMO_PASSWORD).

    The `app` fixture has already copied it in (see Snapshot), before other fixtures ran.
    """
    return factories.council_by_slug(db, "blackburn-with-darwen")


def csrf_token(client, url: str = "/accounts/login") -> str:
    """Read the CSRF token a page hands out, as a browser would."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    return match.group(1) if match else ""


def login(client, email: str, password: str = DEMO_PASSWORD):
    """Sign in through the real form and return the response."""
    response = client.post(
        "/accounts/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
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
