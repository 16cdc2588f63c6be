"""pb: anonymous counts of who took part (optional questions after voting, counts only)

Revision ID: 0008_pb_participation
Revises: 0007_pb_eligibility
Create Date: 2026-12-07 01:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0008_pb_participation"
down_revision = "0007_pb_eligibility"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pb_participant_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["pb_ballot.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "question", "answer", name="uq_pb_participant_answer"),
    )
    op.create_index(op.f("ix_pb_participant_answer_ballot_id"), "pb_participant_answer", ["ballot_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pb_participant_answer_ballot_id"), table_name="pb_participant_answer")
    op.drop_table("pb_participant_answer")
