"""pb: a ballot imported from a Pabulib file keeps the file's META (its threshold, dates, language, ...)

Revision ID: 0014_pb_pabulib
Revises: 0013_pb_pages
Create Date: 2026-12-07 05:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_pb_pabulib"
down_revision = "0013_pb_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pb_ballot", sa.Column("pabulib_meta", sa.Text(), nullable=False, server_default="{}"))


def downgrade() -> None:
    # Not a batch copy: on SQLite that rebuilds pb_ballot, whose rows other tables reference.
    op.drop_column("pb_ballot", "pabulib_meta")
