"""pb: the budget simulator's lines, limits, steps, consequences and council-tax lever

Revision ID: 0010_pb_simulator
Revises: 0009_pb_conversation
Create Date: 2026-12-07 01:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0010_pb_simulator"
down_revision = "0009_pb_conversation"
branch_labels = None
depends_on = ("0002_ledger",)


def _s(n):
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def upgrade() -> None:
    op.create_table(
        "pb_simulator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("savings_pence", sa.BigInteger(), nullable=False),
        sa.Column("tax_enabled", sa.Boolean(), nullable=False),
        sa.Column("band_d_pence", sa.BigInteger(), nullable=False),
        sa.Column("tax_base", sa.Integer(), nullable=False),
        sa.Column("tax_min_percent", sa.Integer(), nullable=False),
        sa.Column("tax_max_percent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["pb_ballot.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id"),
    )
    op.create_table(
        "pb_simulator_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("budget_line_id", sa.Integer(), nullable=True),
        sa.Column("ref", _s(20), nullable=False),
        sa.Column("service", _s(120), nullable=False),
        sa.Column("title", _s(200), nullable=False),
        sa.Column("current_pence", sa.BigInteger(), nullable=False),
        sa.Column("min_percent", sa.Integer(), nullable=False),
        sa.Column("max_percent", sa.Integer(), nullable=False),
        sa.Column("step_percent", sa.Integer(), nullable=False),
        sa.Column("consequences", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["pb_ballot.id"]),
        sa.ForeignKeyConstraint(["budget_line_id"], ["budget_line.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "ref", name="uq_pb_simulator_line_ref"),
    )
    op.create_index(op.f("ix_pb_simulator_line_ballot_id"), "pb_simulator_line", ["ballot_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pb_simulator_line_ballot_id"), table_name="pb_simulator_line")
    op.drop_table("pb_simulator_line")
    op.drop_table("pb_simulator")
