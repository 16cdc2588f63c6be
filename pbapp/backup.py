"""Back up and restore the whole database: SQLite through its online backup API, PostgreSQL
through pg_dump's custom format (pg_restore brings it back).

SQLite's backup API copies a consistent snapshot while the app keeps serving, so a backup can
be taken without stopping anything.

Some tables must not keep the order their rows were written in (votes: see
pbapp.pb.services.ballot_log._sealed_entries). Their ids are random, and SQLite stores rows by id, but
PostgreSQL keeps rows where they were written and pg_dump copies them in that order, so a
PostgreSQL backup first rewrites those tables in the order of their ids (unordered_rows).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection, make_url


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(database)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    args = ["-h", parsed.host or "localhost", "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
    return args + ["-d", parsed.database or "postgres"], env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install the PostgreSQL client tools.")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def _private_file(target: Path) -> None:
    """Create (or empty) `target` readable and writable by its owner only, before any data goes in.

    A backup holds every person's personal data: it must never be world-readable, not even
    for the moment between writing it and changing its mode.
    """
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(descriptor)
    os.chmod(target, 0o600)  # an existing file keeps its old mode through O_CREAT


def unordered_tables() -> list[str]:
    """Tables whose rows must not keep the order they were written in (marked info={"unordered": True})."""
    from pbapp.db import import_all_models

    return [t.name for t in import_all_models().metadata.sorted_tables if t.info.get("unordered")]


def unordered_rows(connection: Connection) -> None:
    """On PostgreSQL, rewrite each unordered table in the order of its random primary key (CLUSTER).

    CLUSTER locks the table for the moment it takes to rewrite it (votes wait, none are lost) and
    writes a new file, so the old order is gone from the data files as well as from the dump.
    """
    if connection.dialect.name != "postgresql":
        return  # SQLite keeps a table's rows in the order of their integer primary key already
    existing = set(inspect(connection).get_table_names())
    for table in unordered_tables():
        if table in existing:
            key = inspect(connection).get_pk_constraint(table)["name"]
            connection.exec_driver_sql(f'CLUSTER "{table}" USING "{key}"')


def _unorder(url: str) -> None:
    """Rewrite the PostgreSQL database's unordered tables (unordered_rows) before pg_dump or pg_restore runs."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            unordered_rows(connection)
    except Exception as exc:  # noqa: BLE001 - a dump in the order votes came would not be secret
        raise BackupError(f"Could not rewrite the vote tables out of their written order: {exc}") from exc
    finally:
        engine.dispose()


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at `url` to `target`, readable by its owner only."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _private_file(target)
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
    elif url.startswith("postgresql"):
        _unorder(url)
        args, env = _pg_args(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args], env)
    else:
        raise BackupError(f"Backups are not supported for {make_url(url).drivername}.")
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database at `url` with the backup in `source` (the app must be stopped)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    if url.startswith("sqlite"):
        backup_db = sqlite3.connect(source)
        try:
            if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("The backup file is damaged (integrity check failed).")
            live = sqlite3.connect(_sqlite_path(url))
            try:
                with live:
                    backup_db.backup(live)
            finally:
                live.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"The backup file is not a SQLite database: {error}") from None
        finally:
            backup_db.close()
    elif url.startswith("postgresql"):
        _unorder(url)
        args, env = _pg_args(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)], env)
    else:
        raise BackupError(f"Restores are not supported for {make_url(url).drivername}.")
