"""places: inquiries, evidence, sessions, recommendations, bodies responses, committee volunteers

Revision ID: 0010_places_inquiries
Revises: 0009_places_committee
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0010_places_inquiries"
down_revision = "0009_places_committee"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place_inquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("terms_of_reference", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("bodies", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("evidence_closes", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("findings", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["place_outcome_area.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["petition_id"], ["place_petition.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("petition_id"),
    )
    with op.batch_alter_table("place_inquiry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_inquiry_place_id"), ["place_id"], unique=False)

    op.create_table(
        "place_committee_volunteer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=True),
        sa.Column("volunteered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["committee_id"], ["place_committee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["place_committee_member.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ward_id"],
            ["area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("committee_id", "user_id", name="uq_place_committee_volunteer"),
    )
    with op.batch_alter_table("place_committee_volunteer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_committee_volunteer_committee_id"), ["committee_id"], unique=False)

    op.create_table(
        "place_inquiry_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("moderation_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["inquiry_id"], ["place_inquiry.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("place_inquiry_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_inquiry_evidence_inquiry_id"), ["inquiry_id"], unique=False)

    op.create_table(
        "place_inquiry_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("witnesses", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("minutes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["inquiry_id"], ["place_inquiry.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("place_inquiry_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_inquiry_session_inquiry_id"), ["inquiry_id"], unique=False)

    op.create_table(
        "place_recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["place_body.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["inquiry_id"], ["place_inquiry.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("place_recommendation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_recommendation_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_place_recommendation_inquiry_id"), ["inquiry_id"], unique=False)

    op.create_table(
        "place_body_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reasons", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("action_by", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recommendation_id"], ["place_recommendation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("recommendation_id"),
    )


def downgrade() -> None:
    op.drop_table("place_body_response")
    with op.batch_alter_table("place_recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_recommendation_inquiry_id"))
        batch_op.drop_index(batch_op.f("ix_place_recommendation_body_id"))

    op.drop_table("place_recommendation")
    with op.batch_alter_table("place_inquiry_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_inquiry_session_inquiry_id"))

    op.drop_table("place_inquiry_session")
    with op.batch_alter_table("place_inquiry_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_inquiry_evidence_inquiry_id"))

    op.drop_table("place_inquiry_evidence")
    with op.batch_alter_table("place_committee_volunteer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_committee_volunteer_committee_id"))

    op.drop_table("place_committee_volunteer")
    with op.batch_alter_table("place_inquiry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_inquiry_place_id"))

    op.drop_table("place_inquiry")
