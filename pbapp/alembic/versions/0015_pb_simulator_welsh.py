"""pb: Welsh versions of a simulator line's service, title and what each step would mean

Lines already on a simulator take the Welsh their ballot's options would have been given at opening
(the budget line's Welsh name and its service's Welsh from the catalogue), so a ballot set up before
this migration opens in Welsh as it would have before; the officer now sees and can change that Welsh.

Revision ID: 0015_pb_simulator_welsh
Revises: 0014_pb_pabulib
Create Date: 2026-12-07 11:30:00.000000
"""

from pathlib import Path

from alembic import op
from babel.support import Translations
import sqlalchemy as sa
import sqlmodel


revision = "0015_pb_simulator_welsh"
down_revision = "0014_pb_pabulib"
branch_labels = None
depends_on = ("0003_ledger_welsh",)  # budget_line.name_cy, read below

CATALOGUES = Path(__file__).resolve().parents[2] / "translations"


def upgrade() -> None:
    op.add_column(
        "pb_simulator_line",
        sa.Column("service_cy", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default=""),
    )
    op.add_column(
        "pb_simulator_line",
        sa.Column("title_cy", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "pb_simulator_line",
        sa.Column("consequences_cy", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="{}"),
    )
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE pb_simulator_line SET title_cy = COALESCE((SELECT b.name_cy FROM budget_line b "
            "WHERE b.id = pb_simulator_line.budget_line_id), '')"
        )
    )
    catalogue = Translations.load(str(CATALOGUES), ["cy"])
    services = bind.execute(sa.text("SELECT DISTINCT service FROM pb_simulator_line WHERE service <> ''")).scalars()
    for service in list(services):
        welsh = catalogue.gettext(service)
        if welsh != service:
            bind.execute(
                sa.text("UPDATE pb_simulator_line SET service_cy = :welsh WHERE service = :service"),
                {"welsh": welsh[:120], "service": service},
            )


def downgrade() -> None:
    # Not a batch copy, as the other pb migrations: drop_column alters the table in place on SQLite too.
    for name in ("consequences_cy", "title_cy", "service_cy"):
        op.drop_column("pb_simulator_line", name)
