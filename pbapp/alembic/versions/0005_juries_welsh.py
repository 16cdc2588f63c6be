"""juries: Welsh versions of a jury's remit, its sessions, evidence, straw polls and recommendations

Revision ID: 0005_juries_welsh
Revises: 0004_juries_lines_room_votes
Create Date: 2026-12-07 01:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0005_juries_welsh"
down_revision = "0004_juries_lines_room_votes"
branch_labels = None
depends_on = None

COLUMNS = {
    "jury": [("remit_cy", 300)],
    "jury_session": [("title_cy", 200)],
    "jury_evidence": [("title_cy", 200), ("summary_cy", 1000)],
    "jury_poll": [("question_cy", 300)],
    "jury_poll_option": [("label_cy", 200)],
    "jury_recommendation_version": [("title_cy", 200), ("text_cy", "text")],
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
