"""pb: processes, proposals, ballots, votes, ballot log, results

Revision ID: 0002_pb
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0002_pb"
down_revision = "0001_foundation"
branch_labels = ("pb",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pb_process",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pot_pence", sa.BigInteger(), nullable=False),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("proposals_from", sa.Date(), nullable=True),
        sa.Column("review_from", sa.Date(), nullable=True),
        sa.Column("voting_from", sa.Date(), nullable=True),
        sa.Column("results_from", sa.Date(), nullable=True),
        sa.Column("delivery_from", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
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
    )
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_process_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pb_process_council_id"), ["council_id"], unique=False)

    op.create_table(
        "pb_ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("budget_pence", sa.BigInteger(), nullable=False),
        sa.Column("min_choices", sa.Integer(), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=True),
        sa.Column("total_points", sa.Integer(), nullable=False),
        sa.Column("max_per_project", sa.Integer(), nullable=True),
        sa.Column("min_spend_percent", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("utility", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("partial_funding", sa.Boolean(), nullable=False),
        sa.Column("eligibility", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closes_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("frozen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("results_published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["pb_process.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pb_ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_ballot_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pb_ballot_process_id"), ["process_id"], unique=False)

    op.create_table(
        "pb_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("estimated_cost_pence", sa.BigInteger(), nullable=False),
        sa.Column("submitter_id", sa.Integer(), nullable=True),
        sa.Column("group_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("review_feasible", sa.Boolean(), nullable=True),
        sa.Column("reviewed_cost_pence", sa.BigInteger(), nullable=True),
        sa.Column("review_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("review_published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["pb_process.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitter_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pb_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_proposal_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pb_proposal_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pb_proposal_process_id"), ["process_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pb_proposal_submitter_id"), ["submitter_id"], unique=False)

    op.create_table(
        "pb_ballot_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("voter_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("choices", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("previous_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["pb_ballot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "previous_hash", name="uq_pb_log_ballot_previous"),
        sa.UniqueConstraint("ballot_id", "seq", name="uq_pb_log_ballot_seq"),
        sa.UniqueConstraint("hash"),
    )
    with op.batch_alter_table("pb_ballot_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_ballot_log_ballot_id"), ["ballot_id"], unique=False)

    op.create_table(
        "pb_ballot_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("budget_line_ref", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cost_pence", sa.BigInteger(), nullable=False),
        sa.Column("min_pence", sa.BigInteger(), nullable=False),
        sa.Column("max_pence", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["pb_ballot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["pb_proposal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "ref", name="uq_pb_option_ballot_ref"),
    )
    with op.batch_alter_table("pb_ballot_option", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_ballot_option_ballot_id"), ["ballot_id"], unique=False)

    op.create_table(
        "pb_code_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["pb_ballot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pb_code_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_code_batch_ballot_id"), ["ballot_id"], unique=False)

    op.create_table(
        "pb_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("computed", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.Column("log_head", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("official_selected", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("official_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["pb_ballot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id"),
    )
    op.create_table(
        "pb_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("choices", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("receipt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["pb_ballot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "voter_key", name="uq_pb_vote_ballot_voter"),
    )
    with op.batch_alter_table("pb_vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_vote_ballot_id"), ["ballot_id"], unique=False)

    op.create_table(
        "pb_paper_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("paper_ref", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("first_choices", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("first_by_id", sa.Integer(), nullable=False),
        sa.Column("second_choices", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("second_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["pb_ballot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["first_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["second_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["pb_vote.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "paper_ref", name="uq_pb_paper_ballot_ref"),
    )
    with op.batch_alter_table("pb_paper_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_paper_entry_ballot_id"), ["ballot_id"], unique=False)

    op.create_table(
        "pb_voting_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["pb_ballot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["pb_code_batch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("pb_voting_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pb_voting_code_ballot_id"), ["ballot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pb_voting_code_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pb_voting_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_voting_code_batch_id"))
        batch_op.drop_index(batch_op.f("ix_pb_voting_code_ballot_id"))

    op.drop_table("pb_voting_code")
    with op.batch_alter_table("pb_paper_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_paper_entry_ballot_id"))

    op.drop_table("pb_paper_entry")
    with op.batch_alter_table("pb_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_vote_ballot_id"))

    op.drop_table("pb_vote")
    op.drop_table("pb_result")
    with op.batch_alter_table("pb_code_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_code_batch_ballot_id"))

    op.drop_table("pb_code_batch")
    with op.batch_alter_table("pb_ballot_option", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_ballot_option_ballot_id"))

    op.drop_table("pb_ballot_option")
    with op.batch_alter_table("pb_ballot_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_ballot_log_ballot_id"))

    op.drop_table("pb_ballot_log")
    with op.batch_alter_table("pb_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_proposal_submitter_id"))
        batch_op.drop_index(batch_op.f("ix_pb_proposal_process_id"))
        batch_op.drop_index(batch_op.f("ix_pb_proposal_council_id"))
        batch_op.drop_index(batch_op.f("ix_pb_proposal_area_id"))

    op.drop_table("pb_proposal")
    with op.batch_alter_table("pb_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_ballot_process_id"))
        batch_op.drop_index(batch_op.f("ix_pb_ballot_council_id"))

    op.drop_table("pb_ballot")
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pb_process_council_id"))
        batch_op.drop_index(batch_op.f("ix_pb_process_area_id"))

    op.drop_table("pb_process")
