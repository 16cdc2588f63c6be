"""councils: ward boundaries kept as SVG path data, for maps drawn without outside services

Revision ID: 0014_councils_map
Revises: 0013_councils_bilingual
Create Date: 2026-12-07 04:45:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_councils_map"
down_revision = "0013_councils_bilingual"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ward_boundary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("area_id"),
    )
    op.create_index(op.f("ix_ward_boundary_council_id"), "ward_boundary", ["council_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ward_boundary_council_id"), table_name="ward_boundary")
    op.drop_table("ward_boundary")
