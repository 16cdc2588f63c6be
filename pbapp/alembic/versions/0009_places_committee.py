"""places: the local public accounts committee (members, meetings) and residents' petitions for an inquiry

Revision ID: 0009_places_committee
Revises: 0008_places
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0009_places_committee"
down_revision = "0008_places"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place_committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("terms_of_reference", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signature_threshold", sa.Integer(), nullable=False),
        sa.Column("decision_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("place_id"),
    )
    op.create_table(
        "place_petition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("bodies_concerned", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("examine", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("threshold_reached_on", sa.Date(), nullable=True),
        sa.Column("decision_due", sa.Date(), nullable=True),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("decision_reasons", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("place_petition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_petition_place_id"), ["place_id"], unique=False)

    op.create_table(
        "place_committee_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("agenda", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["committee_id"], ["place_committee.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("place_committee_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_committee_meeting_committee_id"), ["committee_id"], unique=False)

    op.create_table(
        "place_committee_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["committee_id"], ["place_committee.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("place_committee_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_committee_member_committee_id"), ["committee_id"], unique=False)

    op.create_table(
        "place_petition_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["place_petition.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ward_id"],
            ["area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("petition_id", "user_id", name="uq_place_petition_signature"),
    )
    with op.batch_alter_table("place_petition_signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_petition_signature_petition_id"), ["petition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_place_petition_signature_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("place_petition_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_petition_signature_user_id"))
        batch_op.drop_index(batch_op.f("ix_place_petition_signature_petition_id"))

    op.drop_table("place_petition_signature")
    with op.batch_alter_table("place_committee_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_committee_member_committee_id"))

    op.drop_table("place_committee_member")
    with op.batch_alter_table("place_committee_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_committee_meeting_committee_id"))

    op.drop_table("place_committee_meeting")
    with op.batch_alter_table("place_petition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_petition_place_id"))

    op.drop_table("place_petition")
    op.drop_table("place_committee")
