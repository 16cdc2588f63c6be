"""sortition: the Sortition Foundation's flexible quota bounds (min_flex, max_flex; empty when not given)

Revision ID: 0008_sortition_flex
Revises: 0002_sortition
Create Date: 2026-12-07 01:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_sortition_flex"
down_revision = "0002_sortition"
branch_labels = None
depends_on = None

COLUMNS = {"sortition_feature_value": [("min_flex", "int"), ("max_flex", "int")]}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _kind in columns:
                batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        for name, _kind in reversed(columns):
            op.drop_column(table, name)
