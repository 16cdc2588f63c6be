"""pb: eligibility a council can defend: confirmed emails, verified residence, letter codes bound to accounts

Revision ID: 0007_pb_eligibility
Revises: 0006_pb_secrecy
Create Date: 2026-12-06 22:20:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0007_pb_eligibility"
down_revision = "0006_pb_secrecy"
branch_labels = None
depends_on = None


def _s(n):
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        "email_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _s(64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_email_confirmation_user_id"), "email_confirmation", ["user_id"], unique=False)
    op.create_table(
        "register_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("source", _s(24), nullable=False),
        sa.Column("filename", _s(200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("status", _s(12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_register_import_council_id"), "register_import", ["council_id"], unique=False)
    op.create_table(
        "register_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("person_hash", _s(64), nullable=False),
        sa.Column("address_hash", _s(64), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["import_id"], ["register_import.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("import_id", "person_hash", name="uq_register_entry_import_person"),
    )
    op.create_index(op.f("ix_register_entry_import_id"), "register_entry", ["import_id"], unique=False)
    op.create_index(op.f("ix_register_entry_council_id"), "register_entry", ["council_id"], unique=False)
    op.create_index(op.f("ix_register_entry_person_hash"), "register_entry", ["person_hash"], unique=False)
    op.create_table(
        "residence_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", _s(300), nullable=False),
        sa.Column("postcode", _s(10), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("printed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_residence_letter_council_id"), "residence_letter", ["council_id"], unique=False)
    op.create_index(op.f("ix_residence_letter_user_id"), "residence_letter", ["user_id"], unique=False)
    op.create_table(
        "residence_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("method", _s(12), nullable=False),
        sa.Column("evidence_hash", _s(64), nullable=False),
        sa.Column("postcode", _s(10), nullable=False),
        sa.Column("address_hash", _s(64), nullable=False),
        sa.Column("verified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council_id", "user_id", name="uq_residence_council_user"),
        sa.UniqueConstraint("council_id", "evidence_hash", name="uq_residence_council_evidence"),
    )
    op.create_index(
        op.f("ix_residence_verification_council_id"), "residence_verification", ["council_id"], unique=False
    )
    op.create_index(op.f("ix_residence_verification_user_id"), "residence_verification", ["user_id"], unique=False)
    op.create_table(
        "pb_code_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("account_key", _s(64), nullable=False),
        sa.Column("code_key", _s(64), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ballot_id"], ["pb_ballot.id"]),
        sa.ForeignKeyConstraint(["code_id"], ["pb_voting_code.id"]),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "account_key", name="uq_pb_binding_ballot_account"),
        sa.UniqueConstraint("ballot_id", "code_key", name="uq_pb_binding_ballot_code"),
    )
    op.create_index(op.f("ix_pb_code_binding_ballot_id"), "pb_code_binding", ["ballot_id"], unique=False)
    # Ballots not yet open leave the withdrawn "residents or codes" mode for letter codes; opened
    # ballots keep the rules they opened with.
    op.execute(
        "UPDATE pb_ballot SET eligibility = 'codes' WHERE eligibility = 'residents_or_codes' AND frozen_at IS NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pb_code_binding_ballot_id"), table_name="pb_code_binding")
    op.drop_table("pb_code_binding")
    for table, indexes in (
        ("residence_verification", ("council_id", "user_id")),
        ("residence_letter", ("council_id", "user_id")),
        ("register_entry", ("import_id", "council_id", "person_hash")),
        ("register_import", ("council_id",)),
        ("email_confirmation", ("user_id",)),
    ):
        for column in indexes:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
    if op.get_bind().dialect.name == "sqlite":
        # In place (SQLite 3.35+): a batch copy would drop user_account, which other rows reference.
        op.execute("ALTER TABLE user_account DROP COLUMN email_confirmed_at")
    else:
        op.drop_column("user_account", "email_confirmed_at")
