"""pb: a picture or document attached to a proposal, stored once by content hash

Revision ID: 0004_pb_proposal_files
Revises: 0002_pb
Create Date: 2026-11-22 14:05:46.413404
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0004_pb_proposal_files"
down_revision = "0002_pb"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_pb_proposal_file_sha256_pb_file"


def upgrade() -> None:
    op.create_table(
        "pb_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    # Existing proposals have no file: empty strings, not NULL, like new ones.
    with op.batch_alter_table("pb_proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("file_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("image_alt", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(FOREIGN_KEY, "pb_file", ["file_sha256"], ["sha256"])


def downgrade() -> None:
    with op.batch_alter_table("pb_proposal", schema=None) as batch_op:
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch_op.drop_column("image_alt")
        batch_op.drop_column("file_name")
        batch_op.drop_column("file_type")
        batch_op.drop_column("file_sha256")
    op.drop_table("pb_file")
