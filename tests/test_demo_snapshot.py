"""The suite's own footing: a test with the demo gets exactly the demo, whatever the test before it wrote.

On PostgreSQL the demo is left in the database after a test and only the tables that test wrote are
copied back (tests/conftest.py, Snapshot): a write the tracking missed would leak into later tests.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pbapp.db import get_engine
from tests.conftest import SNAPSHOT_SCHEMA, _tables


def _differences(connection) -> list[str]:
    """Tables whose rows differ from the snapshot's, and sequences not just past their table's ids."""
    differ = []
    for table in _tables(connection.engine):
        columns = ", ".join(
            f'"{name}"'
            for name in connection.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = :schema"
                    " AND table_name = :table ORDER BY ordinal_position"
                ),
                {"schema": SNAPSHOT_SCHEMA, "table": table},
            ).scalars()
        )
        extra = connection.execute(
            text(
                f"SELECT count(*) FROM (SELECT {columns} FROM public.{table}"
                f" EXCEPT ALL SELECT {columns} FROM {SNAPSHOT_SCHEMA}.{table}) AS d"
            )
        ).scalar()
        missing = connection.execute(
            text(
                f"SELECT count(*) FROM (SELECT {columns} FROM {SNAPSHOT_SCHEMA}.{table}"
                f" EXCEPT ALL SELECT {columns} FROM public.{table}) AS d"
            )
        ).scalar()
        if extra or missing:
            differ.append(f"{table}: {extra} extra, {missing} missing")
    return differ


def _next_ids(connection, tables: list[str]) -> dict[str, int]:
    return {
        table: connection.execute(text(f"SELECT nextval(pg_get_serial_sequence('public.{table}', 'id'))")).scalar()
        for table in tables
    }


@pytest.fixture
def postgresql(app):
    if get_engine(app).dialect.name != "postgresql":
        pytest.skip("SQLite copies the whole demo file back; the tracking of written tables is PostgreSQL's")


def test_what_a_test_wrote_is_copied_back_for_the_next_test_with_the_demo(app, demo, demo_snapshot, postgresql):
    engine = get_engine(app)
    with engine.begin() as connection:
        expected = _next_ids(connection, ["council", "pb_ballot"])
    with engine.begin() as connection:
        connection.execute(text("UPDATE council SET name = 'Changed' WHERE id = :id"), {"id": demo.id})
        connection.execute(text("DELETE FROM audit_event"))
        connection.execute(
            text(
                "INSERT INTO area (council_id, kind, name, code, adults, postcode_prefixes)"
                " SELECT council_id, kind, 'New', 'X1', 0, '' FROM area LIMIT 1"
            )
        )
    with pytest.raises(RuntimeError, match="rolled back"):  # an insert rolled back still moves its sequence
        with engine.begin() as connection:
            connection.execute(text("SELECT nextval(pg_get_serial_sequence('public.pb_ballot', 'id'))"))
            raise RuntimeError("rolled back")
    with engine.begin() as connection:
        assert _differences(connection) != []

    demo_snapshot.copy_into(app)  # what the next test with the demo gets

    with engine.begin() as connection:
        assert _differences(connection) == []
        # Every sequence is where the whole copy leaves it: just past its table's ids.
        assert _next_ids(connection, ["council", "pb_ballot"]) == expected


def test_a_test_without_the_demo_after_one_with_it_gets_an_empty_database(app, demo, demo_snapshot, postgresql):
    demo_snapshot.make_empty(app)  # what the next test without the demo gets
    engine = get_engine(app)
    with engine.begin() as connection:
        assert [t for t in _tables(engine) if connection.execute(text(f"SELECT count(*) FROM {t}")).scalar()] == []
        assert _next_ids(connection, ["council", "pb_ballot"]) == {"council": 1, "pb_ballot": 1}
    demo_snapshot.copy_into(app)  # and the next with it gets the demo again
    with engine.begin() as connection:
        assert _differences(connection) == []


def test_the_matrix_council_and_the_demo_take_turns_in_one_database(app, demo, demo_snapshot, matrix_snapshot):
    """A matrix test after one with the demo gets the matrix's council alone, and the next demo test the demo."""
    from tests.matrix_council import MATRIX_SLUG

    engine = get_engine(app)

    def councils() -> set[str]:
        with engine.begin() as connection:
            return set(connection.execute(text("SELECT slug FROM council")).scalars())

    def volunteers() -> int:
        with engine.begin() as connection:
            return connection.execute(text("SELECT count(*) FROM sortition_person")).scalar()

    matrix_snapshot.copy_into(app)
    assert councils() == {MATRIX_SLUG} and 0 < volunteers() < 100  # small, not the demo's 1,500
    demo_snapshot.copy_into(app)
    assert councils() == {demo.slug} and volunteers() >= 1500
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            assert _differences(connection) == []
