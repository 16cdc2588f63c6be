"""pb: votes in no order: random vote and binding ids, ballot logs sealed at the count in receipt order;
open votes mark which ballots came from verified residents

Revision ID: 0012_pb_sealed_log
Revises: 0011_pb_welsh
Create Date: 2026-12-07 01:40:00.000000
"""

import random

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0012_pb_sealed_log"
down_revision = "0011_pb_welsh"
branch_labels = None
depends_on = None

_RANDOM_ID_TABLES = ("pb_vote", "pb_code_binding")


def _renumber(connection, table: str, new_id) -> dict:
    """Give every row of `table` a new id (paper entries follow their vote), through negative ids so none collide."""
    rows = [r[0] for r in connection.execute(sa.text(f"SELECT id FROM {table}"))]
    new = {old: new_id(n) for n, old in enumerate(rows)}
    for n, old in enumerate(rows, start=1):
        if table == "pb_vote":
            connection.execute(sa.text("UPDATE pb_paper_entry SET vote_id = NULL WHERE vote_id = :old"), {"old": old})
        connection.execute(sa.text(f"UPDATE {table} SET id = :temp WHERE id = :old"), {"temp": -n, "old": old})
    for n, old in enumerate(rows, start=1):
        connection.execute(sa.text(f"UPDATE {table} SET id = :new WHERE id = :temp"), {"new": new[old], "temp": -n})
    return new


def upgrade() -> None:
    op.add_column("pb_ballot", sa.Column("log_format", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("pb_ballot_log", sa.Column("receipt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("pb_ballot_log", sa.Column("verified", sa.Boolean(), nullable=True))
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for table in _RANDOM_ID_TABLES:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT")
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id TYPE BIGINT")
            op.execute(f"DROP SEQUENCE IF EXISTS {table}_id_seq")
        op.execute("ALTER TABLE pb_paper_entry ALTER COLUMN vote_id TYPE BIGINT")
    # Ballots still open (or counted, not published) move to logs sealed at the count: their log as
    # cast goes (the count seals it again from the votes, whose receipts stay valid), and their
    # votes and bindings lose the ids that ranked them in the order they came.
    op.execute("UPDATE pb_ballot SET log_format = 2 WHERE results_published_at IS NULL")
    op.execute(
        "DELETE FROM pb_ballot_log WHERE ballot_id IN (SELECT id FROM pb_ballot WHERE results_published_at IS NULL)"
    )
    draw = random.SystemRandom()
    papers = {
        r[0]: r[1]
        for r in connection.execute(sa.text("SELECT id, vote_id FROM pb_paper_entry WHERE vote_id IS NOT NULL"))
    }
    for table in _RANDOM_ID_TABLES:
        new = _renumber(connection, table, lambda _n: draw.randrange(1, 2**63))
        if table == "pb_vote":
            for paper_id, vote_id in papers.items():
                connection.execute(
                    sa.text("UPDATE pb_paper_entry SET vote_id = :vote WHERE id = :id"),
                    {"vote": new[vote_id], "id": paper_id},
                )


def downgrade() -> None:
    connection = op.get_bind()
    papers = {
        r[0]: r[1]
        for r in connection.execute(sa.text("SELECT id, vote_id FROM pb_paper_entry WHERE vote_id IS NOT NULL"))
    }
    for table in _RANDOM_ID_TABLES:
        new = _renumber(connection, table, lambda n: n + 1)
        if table == "pb_vote":
            for paper_id, vote_id in papers.items():
                connection.execute(
                    sa.text("UPDATE pb_paper_entry SET vote_id = :vote WHERE id = :id"),
                    {"vote": new[vote_id], "id": paper_id},
                )
    if connection.dialect.name == "postgresql":
        op.execute("ALTER TABLE pb_paper_entry ALTER COLUMN vote_id TYPE INTEGER")
        for table in _RANDOM_ID_TABLES:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id TYPE INTEGER")
            op.execute(f"CREATE SEQUENCE IF NOT EXISTS {table}_id_seq OWNED BY {table}.id")
            op.execute(f"SELECT setval('{table}_id_seq', COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
    # Sealed logs stay as written; their receipts (which their hashes cover) go with the column.
    op.drop_column("pb_ballot_log", "verified")
    op.drop_column("pb_ballot_log", "receipt")
    op.drop_column("pb_ballot", "log_format")
