"""ops: a job row names its function as module:name (derived from the function enqueued), not by dotted path

Revision ID: 0008_ops_job_names
Revises: 0007_ops_pending_uploads
Create Date: 2026-12-07 12:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_ops_job_names"
down_revision = "0007_ops_pending_uploads"
branch_labels = None
depends_on = None

_job = sa.table("job", sa.column("id", sa.Integer()), sa.column("function", sa.String()))


def _rename(rename) -> None:
    """Rename every stored name, so a job that failed before the change can still run again."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(_job.c.id, _job.c.function).where(_job.c.function != "")).all()
    renamed = [{"job_id": job_id, "name": rename(name)} for job_id, name in rows if rename(name) != name]
    if renamed:
        connection.execute(
            _job.update().where(_job.c.id == sa.bindparam("job_id")).values(function=sa.bindparam("name")), renamed
        )


def upgrade() -> None:
    # pbapp.mail.deliver_job -> pbapp.mail:deliver_job
    _rename(lambda name: name if ":" in name else ":".join(name.rsplit(".", 1)))


def downgrade() -> None:
    _rename(lambda name: name.replace(":", "."))
