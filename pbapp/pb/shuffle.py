"""Move the rows a vote writes out of the order they came in, while the ballot is open.

A database keeps a row where and when it was written. On PostgreSQL each new vote, binding or
used code goes after the last one in the table's file (a plain pg_dump, a `SELECT` in `ctid`
order or a copy of the data files lists them in the order of voting) and carries the id of the
transaction that wrote it (`xmin`, which counts up). On SQLite the rows sit in id order, which
is random, but inside each page a row's bytes go below the last one written. Residents who sign
up and vote at once vote in the order of their account ids, so either order names the voters.

`move_rows` deletes and re-inserts a ballot's votes, bindings and used codes in the order of their
ids, which says nothing: afterwards the rows sit in id order, and their xmin rises with the id.
PostgreSQL moves them in batches of BATCH rows, each a transaction taking row locks only: votes
go on meanwhile, and a voter changing a ballot that is being moved waits for one batch. SQLite (one
writer at a time) moves them in one transaction. Measured on PostgreSQL (bench/pb_shuffle.py, an
idle 2-core machine): moving one ballot's 10,000 votes, 5,000 bindings and 10,000 used codes takes
0.54 s, and 100,000 votes 6.6 s, in batches of 500; votes cast meanwhile waited at most 14 ms and
61 ms. CLUSTER, the other way to reorder the tables, takes 0.11 s and 1.3 s but locks each table:
votes waited up to 529 ms at 100,000. And it keeps each row's `xmin`, the order of voting (rho 1.0
after CLUSTER in a trial of 60 rows; a move leaves one xmin a batch).

`move_open_ballots` runs with the workers' job sweep (every few seconds) and moves a ballot whose
rows were written to since its last move, at most once a MOVE_EVERY_SECONDS (each move writes all
its rows again: write-ahead log and vacuum work grow with it); the count moves a ballot's rows
once more before it seals the log. What remains: the rows written since the last move sit after
the moved ones, in the order they came, until the next (a minute or so, plus the move's own
time); dead row versions stay in the data files until vacuum (PostgreSQL) and the write-ahead
log keeps every write (out of scope: issue 17).
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

# Every table written to while a ballot is open (casting a vote, entering a letter's code on an account).
WRITTEN_AT_VOTE = ("pb_vote", "pb_code_binding", "pb_voting_code")

# SQLite: what each ballot's tables held at its last move in this process (SQLite keeps no xmin to ask).
_moved: dict[tuple[str, int], tuple] = {}
_moved_lock = threading.Lock()


def _postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _fingerprint(connection: Connection, ballot_id: int) -> tuple:
    """What changes whenever a vote, a binding or a used code is written (SQLite)."""
    return tuple(
        connection.execute(text(query), {"ballot_id": ballot_id}).one()
        for query in (
            # The random ids tell one database's rows from another's (a restored copy, say).
            "SELECT count(*), coalesce(sum(changes), 0), coalesce(sum(id % 1000000007), 0) FROM pb_vote "
            "WHERE ballot_id = :ballot_id",
            "SELECT count(*), 0, coalesce(sum(id % 1000000007), 0) FROM pb_code_binding WHERE ballot_id = :ballot_id",
            "SELECT count(*), coalesce(sum(used), 0), 0 FROM pb_voting_code WHERE ballot_id = :ballot_id",
        )
    )


# The sweep moves a ballot at most this often (in each worker process).
MOVE_EVERY_SECONDS = 60.0
_last_move: dict[tuple[str, int], float] = {}

# PostgreSQL moves this many rows a transaction: a voter changing a ballot waits for one batch at most.
BATCH = 500

# The rows of a ballot each table moves: every vote and binding; of the codes, the used ones.
_ROWS = {"pb_vote": "", "pb_code_binding": "", "pb_voting_code": " AND used"}


def needs_move(connection: Connection, ballot_id: int) -> bool:
    """Whether any table holds rows of this ballot written (in some order) since its last move.

    On PostgreSQL a moved ballot's rows were written in id order, batch after batch, so their
    xmin never falls as the id rises; a vote since (a new row, or a new version of one) breaks that.
    """
    if _postgres(connection):
        return any(
            connection.execute(
                text(
                    "SELECT coalesce(bool_or(written < before), false) FROM (SELECT xmin::text::bigint AS written, "
                    f"lag(xmin::text::bigint) OVER (ORDER BY id) AS before FROM {table} "  # noqa: S608
                    f"WHERE ballot_id = :ballot_id{rows}) AS rows"
                ),
                {"ballot_id": ballot_id},
            ).scalar_one()
            for table, rows in _ROWS.items()
        )
    with _moved_lock:
        return _moved.get((str(connection.engine.url), ballot_id)) != _fingerprint(connection, ballot_id)


def _move_batch(connection: Connection, table: str, ballot_id: int, after: int) -> int | None:
    """Move the next BATCH rows after id `after` (PostgreSQL) in id order and commit; return the last id moved."""
    rows = f"ballot_id = %(ballot_id)s{_ROWS[table]} AND id > %(after)s"
    params = {"ballot_id": ballot_id, "after": after, "batch": BATCH}
    # One statement: unique constraints and foreign keys (a binding's code) see the rows back at its
    # end. A vote changing a row meanwhile waits, then finds the new row by the unique (ballot, voter).
    # Only used codes move, and a used code is never written again. (Writing them again where they lie
    # left some in the order of voting: an UPDATE keeps a row on its page when the page has room.)
    last = connection.exec_driver_sql(
        f"WITH batch AS (SELECT id FROM {table} WHERE {rows} ORDER BY id LIMIT %(batch)s), "  # noqa: S608
        f"moved AS (DELETE FROM {table} WHERE id IN (SELECT id FROM batch) RETURNING *), "
        f"back AS (INSERT INTO {table} SELECT * FROM moved ORDER BY id RETURNING id) "
        "SELECT max(id) FROM back",
        params,
    ).scalar_one()
    connection.commit()
    return last


def move_rows(connection: Connection, ballot_id: int) -> None:
    """Rewrite the ballot's rows in every table written at vote time in id order, committing as it goes."""
    if _postgres(connection):
        for table in WRITTEN_AT_VOTE:
            after: int | None = 0
            while after is not None:
                after = _move_batch(connection, table, ballot_id, after)
        return
    # SQLite (one writer at a time, so one transaction): deleted bytes are overwritten with zeros,
    # and foreign keys are checked at the commit, when the rows are back.
    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    connection.exec_driver_sql("PRAGMA secure_delete = ON")
    for table in WRITTEN_AT_VOTE:
        rows = (
            connection.execute(
                text(f"SELECT * FROM {table} WHERE ballot_id = :b ORDER BY id"),  # noqa: S608
                {"b": ballot_id},
            )
            .mappings()
            .all()
        )
        if not rows:
            continue
        connection.execute(text(f"DELETE FROM {table} WHERE ballot_id = :b"), {"b": ballot_id})  # noqa: S608
        columns = list(rows[0])
        connection.execute(
            text(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({', '.join(':' + c for c in columns)})"
            ),
            [dict(row) for row in rows],
        )
    connection.commit()
    with _moved_lock:
        _moved[(str(connection.engine.url), ballot_id)] = _fingerprint(connection, ballot_id)


def move_if_written(session: Session, ballot_id: int) -> bool:
    """Move the ballot's rows if anything was written since the last move; return whether it moved.

    On a connection of its own, which commits batch by batch (the session's work is not touched).
    """
    with session.get_bind().connect() as connection:
        moving = needs_move(connection, ballot_id)
        connection.rollback()
        if moving:
            move_rows(connection, ballot_id)
    return moving


def move_open_ballots(session: Session) -> int:
    """Move the rows of every ballot taking votes or awaiting its results (run by the job sweep); return how many."""
    from pbapp.pb.models import Ballot

    ballot_ids = session.exec(
        select(Ballot.id).where(Ballot.frozen_at.is_not(None), Ballot.results_published_at.is_(None))
    ).all()
    session.commit()
    moved, now, url = 0, time.monotonic(), str(session.get_bind().url)
    for ballot_id in ballot_ids:
        if now - _last_move.get((url, ballot_id), -MOVE_EVERY_SECONDS) >= MOVE_EVERY_SECONDS:
            if move_if_written(session, ballot_id):
                _last_move[(url, ballot_id)] = time.monotonic()
                moved += 1
    return moved
