"""ops: mail delivered by jobs (status, attempts, last error, council, redacted preview) and jobs
that beat while running and can be run again

Revision ID: 0006_ops_mail_jobs
Revises: 0001_foundation
Create Date: 2026-12-06 22:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0006_ops_mail_jobs"
down_revision = "0001_foundation"
branch_labels = ("ops",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("preview", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="kept")
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key("fk_outbox_message_council_id_council", "council", ["council_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_outbox_message_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_status"), ["status"], unique=False)
    # Messages already delivered are sent; their bodies (live links included) are dropped now.
    # Older messages cannot be told apart by council: they stay out of every council's outbox.
    op.execute("UPDATE outbox_message SET status = 'sent', body = '', sent_at = created_at WHERE delivered")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("delivered")

    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("function", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("arguments", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="{}")
        )
        batch_op.add_column(sa.Column("attempt", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("attempt")
        batch_op.drop_column("arguments")
        batch_op.drop_column("function")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivered", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE outbox_message SET delivered = (status = 'sent')")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_council_id"))
        batch_op.drop_constraint("fk_outbox_message_council_id_council", type_="foreignkey")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
        batch_op.drop_column("status")
        batch_op.drop_column("preview")
        batch_op.drop_column("council_id")
