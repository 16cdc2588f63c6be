"""juries: recommendations link many budget lines; votes the facilitator entered from the room

A recommendation version's one budget line and change move into jury_recommendation_line (one
row per line per version); adopted recommendations reach the budget-setting record with every
line (record_item_line). Straw-poll ballots and recommendation votes say who entered them when
a facilitator recorded a vote cast in the room.

Revision ID: 0004_juries_lines_room_votes
Revises: 0003_juries_deliberation
Create Date: 2026-11-22 14:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_juries_lines_room_votes"
down_revision = "0003_juries_deliberation"
branch_labels = None
depends_on = ("0002_ledger",)


def upgrade() -> None:
    # The foreign key to the version is added after the version table is rebuilt: SQLite rebuilds a
    # table by dropping it, which a row pointing at it would block.
    op.create_table(
        "jury_recommendation_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("budget_line_id", sa.Integer(), nullable=False),
        sa.Column("change_pence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "budget_line_id", name="uq_recommendation_line_version_line"),
    )
    op.execute(
        "INSERT INTO jury_recommendation_line (version_id, position, budget_line_id, change_pence) "
        "SELECT id, 0, budget_line_id, change_pence FROM jury_recommendation_version "
        "WHERE budget_line_id IS NOT NULL"
    )
    with op.batch_alter_table("jury_recommendation_version", schema=None) as batch_op:
        batch_op.drop_column("budget_line_id")
        batch_op.drop_column("change_pence")
    with op.batch_alter_table("jury_recommendation_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jury_recommendation_line_version_id"), ["version_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_jury_recommendation_line_version_id", "jury_recommendation_version", ["version_id"], ["id"]
        )

    op.create_table(
        "record_item_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("budget_line_id", sa.Integer(), nullable=True),
        sa.Column("change_pence", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["budget_line_id"], ["budget_line.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["item_id"], ["record_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "budget_line_id", name="uq_record_item_line"),
    )
    with op.batch_alter_table("record_item_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_item_line_budget_line_id"), ["budget_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_item_line_item_id"), ["item_id"], unique=False)
    # Items already received from a jury keep their one line as their only line.
    op.execute(
        "INSERT INTO record_item_line (item_id, budget_line_id, change_pence) "
        "SELECT id, budget_line_id, amount_pence FROM record_item "
        "WHERE source = 'jury_recommendation' AND budget_line_id IS NOT NULL AND amount_pence IS NOT NULL"
    )

    for table, name in (
        ("jury_poll_ballot", "fk_jury_poll_ballot_entered_by_id"),
        ("jury_recommendation_vote", "fk_jury_recommendation_vote_entered_by_id"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(name, "user_account", ["entered_by_id"], ["id"])


def downgrade() -> None:
    for table, name in (
        ("jury_recommendation_vote", "fk_jury_recommendation_vote_entered_by_id"),
        ("jury_poll_ballot", "fk_jury_poll_ballot_entered_by_id"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.drop_column("entered_by_id")

    with op.batch_alter_table("record_item_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_item_line_item_id"))
        batch_op.drop_index(batch_op.f("ix_record_item_line_budget_line_id"))
    op.drop_table("record_item_line")

    with op.batch_alter_table("jury_recommendation_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_line_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("change_pence", sa.BigInteger(), nullable=False, server_default="0"))
    # Going back to one line per version keeps the first line of each.
    op.execute(
        "UPDATE jury_recommendation_version SET "
        "budget_line_id = (SELECT l.budget_line_id FROM jury_recommendation_line l "
        "WHERE l.version_id = jury_recommendation_version.id ORDER BY l.position, l.id LIMIT 1), "
        "change_pence = COALESCE((SELECT l.change_pence FROM jury_recommendation_line l "
        "WHERE l.version_id = jury_recommendation_version.id ORDER BY l.position, l.id LIMIT 1), 0)"
    )
    with op.batch_alter_table("jury_recommendation_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jury_recommendation_line_version_id"))
    op.drop_table("jury_recommendation_line")
    with op.batch_alter_table("jury_recommendation_version", schema=None) as batch_op:
        batch_op.alter_column("change_pence", server_default=None)
