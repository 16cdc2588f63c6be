"""Ledger: budget books, lines, changes, the council response register and milestones.

Revision ID: 0002_ledger
Revises: 0001_foundation
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0002_ledger"
down_revision = "0001_foundation"
branch_labels = ("ledger",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_book",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["budget_book.id"],
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council_id", "financial_year", "version", name="uq_budget_book_version"),
    )
    with op.batch_alter_table("budget_book", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_book_council_id"), ["council_id"], unique=False)

    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ra_line", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("ra_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("division", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("directorate", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("gross_pence", sa.BigInteger(), nullable=False),
        sa.Column("income_pence", sa.BigInteger(), nullable=False),
        sa.Column("net_pence", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["book_id"], ["budget_book.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("book_id", "ra_line", "division", name="uq_budget_line_division"),
    )
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_line_book_id"), ["book_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_line_council_id"), ["council_id"], unique=False)

    op.create_table(
        "record_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source_ref", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("public_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=True),
        sa.Column("budget_line_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["budget_line_id"], ["budget_line.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "source_ref", name="uq_record_item_source"),
    )
    with op.batch_alter_table("record_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_item_budget_line_id"), ["budget_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_item_council_id"), ["council_id"], unique=False)

    op.create_table(
        "line_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("from_gross_pence", sa.BigInteger(), nullable=False),
        sa.Column("to_gross_pence", sa.BigInteger(), nullable=False),
        sa.Column("from_income_pence", sa.BigInteger(), nullable=False),
        sa.Column("to_income_pence", sa.BigInteger(), nullable=False),
        sa.Column("from_net_pence", sa.BigInteger(), nullable=False),
        sa.Column("to_net_pence", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["budget_book.id"],
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["record_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["budget_line.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("line_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_change_book_id"), ["book_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_change_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_change_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_change_line_id"), ["line_id"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("evidence_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("evidence_note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["record_item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestone_item_id"), ["item_id"], unique=False)

    op.create_table(
        "record_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reasons", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["record_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id"),
    )
    with op.batch_alter_table("record_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_response_council_id"), ["council_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_response_council_id"))

    op.drop_table("record_response")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_item_id"))
        batch_op.drop_index(batch_op.f("ix_milestone_council_id"))

    op.drop_table("milestone")
    with op.batch_alter_table("line_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_change_line_id"))
        batch_op.drop_index(batch_op.f("ix_line_change_item_id"))
        batch_op.drop_index(batch_op.f("ix_line_change_council_id"))
        batch_op.drop_index(batch_op.f("ix_line_change_book_id"))

    op.drop_table("line_change")
    with op.batch_alter_table("record_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_item_council_id"))
        batch_op.drop_index(batch_op.f("ix_record_item_budget_line_id"))

    op.drop_table("record_item")
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_line_council_id"))
        batch_op.drop_index(batch_op.f("ix_budget_line_book_id"))

    op.drop_table("budget_line")
    with op.batch_alter_table("budget_book", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_book_council_id"))

    op.drop_table("budget_book")
