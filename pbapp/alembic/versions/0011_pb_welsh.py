"""pb: Welsh versions of the public text of processes, proposals, ballots and their options

Revision ID: 0011_pb_welsh
Revises: 0010_pb_simulator
Create Date: 2026-12-07 01:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0011_pb_welsh"
down_revision = "0010_pb_simulator"
branch_labels = None
depends_on = None

COLUMNS = {
    "pb_process": [("title_cy", 200), ("description_cy", "text")],
    "pb_proposal": [("title_cy", 200), ("description_cy", "text")],
    "pb_ballot": [("title_cy", 200)],
    "pb_ballot_option": [("title_cy", 200), ("description_cy", "text")],
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, kind in columns:
                if kind == "text":
                    batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
                else:
                    batch_op.add_column(
                        sa.Column(
                            name, sqlmodel.sql.sqltypes.AutoString(length=kind), nullable=False, server_default=""
                        )
                    )


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        for name, _kind in reversed(columns):
            op.drop_column(table, name)
