"""accounts: a person's preferred language of the service ("" follows the browser)

Revision ID: 0006_accounts_language
Revises: 0001_foundation
Create Date: 2026-12-06 22:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0006_accounts_language"
down_revision = "0001_foundation"
branch_labels = ("accounts",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("language")
