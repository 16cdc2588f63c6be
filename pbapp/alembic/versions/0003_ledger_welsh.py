"""ledger: Welsh versions of budget books, lines, record items, responses and milestones

Revision ID: 0003_ledger_welsh
Revises: 0002_ledger
Create Date: 2026-12-07 01:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0003_ledger_welsh"
down_revision = "0002_ledger"
branch_labels = None
depends_on = None

COLUMNS = {
    "budget_book": [("title_cy", 200)],
    "budget_line": [("name_cy", 200)],
    "record_item": [("title_cy", 300), ("summary_cy", "text")],
    "record_response": [("reasons_cy", "text")],
    "milestone": [("title_cy", 200)],
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
