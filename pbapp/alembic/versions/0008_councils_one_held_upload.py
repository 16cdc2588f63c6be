"""councils: imports waiting for confirmation are held with every other upload (pending_upload)

The council imports (wards, postcodes) kept their own table of held files; they now use the
one store of pbapp/pending.py, like the pool uploads. Held files are only ever minutes old and
tied to one person's preview, so those held at the upgrade are dropped (upload them again).

Revision ID: 0008_councils_one_held_upload
Revises: 0006_councils_setup
Create Date: 2026-12-07 01:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0008_councils_one_held_upload"
down_revision = "0006_councils_setup"
branch_labels = None
depends_on = ("0007_ops_pending_uploads",)


def upgrade() -> None:
    op.drop_index(op.f("ix_pending_import_council_id"), table_name="pending_import")
    op.drop_table("pending_import")


def downgrade() -> None:
    op.create_table(
        "pending_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pending_import_council_id"), "pending_import", ["council_id"], unique=False)
