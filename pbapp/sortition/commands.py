"""`pbapp retention-reminders`: list pools whose personal data is due for erasure."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext


@click.command("retention-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Check as if it were this day (YYYY-MM-DD).")
@with_appcontext
def retention_reminders_command(today) -> None:
    """List pools whose retention date is past or within 30 days, so officers erase contact details."""
    from pbapp.db import standalone_session
    from pbapp.sortition.services import RETENTION_WARNING_DAYS, pools_due_for_erasure

    day = today.date() if today else date.today()
    with standalone_session() as session:
        due = pools_due_for_erasure(session, day)
    if not due:
        click.echo(f"No pool is due for erasure in the next {RETENTION_WARNING_DAYS} days.")
        return
    for pool, council in due:
        state = "overdue" if pool.retention_until < day else "due"
        click.echo(f"{state}: {council.slug} pool {pool.id} ({pool.name}) keep until {pool.retention_until.isoformat()}")
    raise SystemExit(1 if any(p.retention_until < day for p, _c in due) else 0)
