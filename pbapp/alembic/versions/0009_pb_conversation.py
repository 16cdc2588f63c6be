"""pb: conversation on proposals (comments, abuse reports, supports with a threshold, follows)

Revision ID: 0009_pb_conversation
Revises: 0008_pb_participation
Create Date: 2026-12-07 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0009_pb_conversation"
down_revision = "0008_pb_participation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.add_column(sa.Column("support_threshold", sa.Integer(), nullable=True))
    op.create_table(
        "pb_proposal_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("moderation_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["pb_proposal.id"]),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pb_proposal_comment_proposal_id"), "pb_proposal_comment", ["proposal_id"], unique=False)
    op.create_index(op.f("ix_pb_proposal_comment_council_id"), "pb_proposal_comment", ["council_id"], unique=False)
    op.create_index(op.f("ix_pb_proposal_comment_author_id"), "pb_proposal_comment", ["author_id"], unique=False)
    op.create_table(
        "pb_comment_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["pb_proposal_comment.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", "user_id", name="uq_pb_comment_report"),
    )
    op.create_index(op.f("ix_pb_comment_report_comment_id"), "pb_comment_report", ["comment_id"], unique=False)
    for table, constraint in (
        ("pb_proposal_support", "uq_pb_proposal_support"),
        ("pb_proposal_follow", "uq_pb_proposal_follow"),
    ):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("proposal_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["proposal_id"], ["pb_proposal.id"]),
            sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("proposal_id", "user_id", name=constraint),
        )
        op.create_index(op.f(f"ix_{table}_proposal_id"), table, ["proposal_id"], unique=False)
        op.create_index(op.f(f"ix_{table}_user_id"), table, ["user_id"], unique=False)


def downgrade() -> None:
    for table in ("pb_proposal_follow", "pb_proposal_support"):
        op.drop_index(op.f(f"ix_{table}_user_id"), table_name=table)
        op.drop_index(op.f(f"ix_{table}_proposal_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_pb_comment_report_comment_id"), table_name="pb_comment_report")
    op.drop_table("pb_comment_report")
    for column in ("author_id", "council_id", "proposal_id"):
        op.drop_index(op.f(f"ix_pb_proposal_comment_{column}"), table_name="pb_proposal_comment")
    op.drop_table("pb_proposal_comment")
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of pb_process would drop a table others refer to.
    op.drop_column("pb_process", "support_threshold")
