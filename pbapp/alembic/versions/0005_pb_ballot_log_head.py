"""pb: the ballot log's last sequence number and hash kept on the ballot row

Revision ID: 0005_pb_ballot_log_head
Revises: 0004_pb_proposal_files
Create Date: 2026-11-22 15:20:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0005_pb_ballot_log_head"
down_revision = "0004_pb_proposal_files"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("pb_ballot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("log_seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("log_head", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=GENESIS)
        )
    # Ballots that already have log entries continue their chain from the last one.
    op.execute(
        "UPDATE pb_ballot SET "
        "log_seq = (SELECT e.seq FROM pb_ballot_log e WHERE e.ballot_id = pb_ballot.id ORDER BY e.seq DESC LIMIT 1), "
        "log_head = (SELECT e.hash FROM pb_ballot_log e WHERE e.ballot_id = pb_ballot.id ORDER BY e.seq DESC LIMIT 1) "
        "WHERE EXISTS (SELECT 1 FROM pb_ballot_log e WHERE e.ballot_id = pb_ballot.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("pb_ballot", schema=None) as batch_op:
        batch_op.drop_column("log_head")
        batch_op.drop_column("log_seq")
