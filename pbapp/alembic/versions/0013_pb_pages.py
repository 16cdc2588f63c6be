"""pb: the files published with the results (log.json, election.pb) stored once, in chunks; receipts indexed

Revision ID: 0013_pb_pages
Revises: 0012_pb_sealed_log
Create Date: 2026-12-07 05:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0013_pb_pages"
down_revision = "0012_pb_sealed_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pb_published_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mimetype", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["pb_ballot.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "name", name="uq_pb_published_file_name"),
    )
    op.create_index(op.f("ix_pb_published_file_ballot_id"), "pb_published_file", ["ballot_id"], unique=False)
    op.create_table(
        "pb_published_chunk",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["pb_published_file.id"]),
        sa.PrimaryKeyConstraint("file_id", "part"),
    )
    op.create_index("ix_pb_ballot_log_receipt", "pb_ballot_log", ["ballot_id", "receipt"], unique=False)
    # Results published before this revision get their files on their first download (published_file).


def downgrade() -> None:
    op.drop_index("ix_pb_ballot_log_receipt", table_name="pb_ballot_log")
    op.drop_table("pb_published_chunk")
    op.drop_index(op.f("ix_pb_published_file_ballot_id"), table_name="pb_published_file")
    op.drop_table("pb_published_file")
