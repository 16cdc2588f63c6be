"""pb: secrecy of the vote: no time on votes or used codes, voter-key versions on ballots and code batches

Revision ID: 0006_pb_secrecy
Revises: 0005_pb_ballot_log_head
Create Date: 2026-12-06 22:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0006_pb_secrecy"
down_revision = "0005_pb_ballot_log_head"
branch_labels = None
depends_on = None

# Plain ALTER TABLE (SQLite 3.35+ drops columns in place): a batch copy of a table that others
# reference fails its foreign keys once the table holds rows.


def upgrade() -> None:
    # Existing ballots and batches keep version 0: keyed by SECRET_KEY with plain SHA-256 code hashes,
    # so a ballot open during the upgrade keeps its voters and its printed codes.
    op.add_column("pb_ballot", sa.Column("key_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("pb_code_batch", sa.Column("key_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("pb_voting_code", sa.Column("used", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE pb_voting_code SET used = (used_at IS NOT NULL)")
    # The times themselves are what linked a code to its vote: they go, not just their use.
    op.drop_column("pb_voting_code", "used_at")
    op.drop_column("pb_vote", "created_at")
    op.drop_column("pb_vote", "updated_at")


# The times are gone for good; a downgrade puts a constant in their place (SQLite adds no column
# with a non-constant default).
_NO_TIME = "1970-01-01 00:00:00"


def downgrade() -> None:
    op.add_column(
        "pb_vote", sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False, server_default=_NO_TIME)
    )
    op.add_column(
        "pb_vote", sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False, server_default=_NO_TIME)
    )
    op.add_column("pb_voting_code", sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE pb_voting_code SET used_at = CURRENT_TIMESTAMP WHERE used")
    op.drop_column("pb_voting_code", "used")
    op.drop_column("pb_code_batch", "key_version")
    op.drop_column("pb_ballot", "key_version")
