"""places: a place, the public bodies spending in it, their budgets by service line, outcome areas and line shares

Revision ID: 0008_places
Revises: 0001_foundation
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0008_places"
down_revision = "0001_foundation"
branch_labels = ("places",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council_id", "name", name="uq_place_name"),
    )
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_council_id"), ["council_id"], unique=False)

    op.create_table(
        "place_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("place_id", "name", name="uq_place_body_name"),
    )
    with op.batch_alter_table("place_body", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_body_place_id"), ["place_id"], unique=False)

    op.create_table(
        "place_outcome_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("place_id", "name", name="uq_place_outcome_area_name"),
    )
    with op.batch_alter_table("place_outcome_area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_outcome_area_place_id"), ["place_id"], unique=False)

    op.create_table(
        "place_body_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source_title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=False),
        sa.Column("total_pence", sa.BigInteger(), nullable=False),
        sa.Column("devolved_pence", sa.BigInteger(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["place_body.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id", "financial_year", name="uq_place_body_budget_year"),
    )
    with op.batch_alter_table("place_body_budget", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_body_budget_body_id"), ["body_id"], unique=False)

    op.create_table(
        "place_line_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("service_line", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("basis_points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["place_outcome_area.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["body_id"], ["place_body.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("area_id", "body_id", "service_line", name="uq_place_line_share"),
    )
    with op.batch_alter_table("place_line_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_line_share_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_place_line_share_body_id"), ["body_id"], unique=False)

    op.create_table(
        "place_body_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("service_line", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("devolved_pence", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["budget_id"], ["place_body_budget.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("budget_id", "service_line", name="uq_place_body_line"),
    )
    with op.batch_alter_table("place_body_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_body_line_budget_id"), ["budget_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("place_body_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_body_line_budget_id"))

    op.drop_table("place_body_line")
    with op.batch_alter_table("place_line_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_line_share_body_id"))
        batch_op.drop_index(batch_op.f("ix_place_line_share_area_id"))

    op.drop_table("place_line_share")
    with op.batch_alter_table("place_body_budget", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_body_budget_body_id"))

    op.drop_table("place_body_budget")
    with op.batch_alter_table("place_outcome_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_outcome_area_place_id"))

    op.drop_table("place_outcome_area")
    with op.batch_alter_table("place_body", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_body_place_id"))

    op.drop_table("place_body")
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_council_id"))

    op.drop_table("place")
