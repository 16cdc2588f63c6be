"""councils: a council's logo, its postcode directory, and imports held for confirmation

Revision ID: 0006_councils_setup
Revises: 0001_foundation
Create Date: 2026-12-06 22:20:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0006_councils_setup"
down_revision = "0001_foundation"
branch_labels = ("councils",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("logo_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "postcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["ward_id"], ["area.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council_id", "postcode", name="uq_postcode_council_postcode"),
    )
    op.create_index(op.f("ix_postcode_council_id"), "postcode", ["council_id"], unique=False)
    op.create_index(op.f("ix_postcode_postcode"), "postcode", ["postcode"], unique=False)
    op.create_index(op.f("ix_postcode_ward_id"), "postcode", ["ward_id"], unique=False)
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


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_import_council_id"), table_name="pending_import")
    op.drop_table("pending_import")
    op.drop_index(op.f("ix_postcode_ward_id"), table_name="postcode")
    op.drop_index(op.f("ix_postcode_postcode"), table_name="postcode")
    op.drop_index(op.f("ix_postcode_council_id"), table_name="postcode")
    op.drop_table("postcode")
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.drop_column("logo_version")
        batch_op.drop_column("logo")
