"""juries: the Welsh version of an evidence item's text (briefings and witness statements)

Revision ID: 0013_juries_welsh
Revises: 0005_juries_welsh
Create Date: 2026-12-07 05:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0013_juries_welsh"
down_revision = "0005_juries_welsh"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jury_evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_cy", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("jury_evidence", schema=None) as batch_op:
        batch_op.drop_column("body_cy")
