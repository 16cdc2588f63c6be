"""councils: a council may send its letters and emails in Welsh and English (Welsh Language Standards)

Revision ID: 0013_councils_bilingual
Revises: 0008_councils_one_held_upload
Create Date: 2026-12-07 05:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0013_councils_bilingual"
down_revision = "0008_councils_one_held_upload"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("council") as batch:
        batch.add_column(sa.Column("bilingual", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("council") as batch:
        batch.drop_column("bilingual")
