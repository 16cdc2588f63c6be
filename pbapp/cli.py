"""The `pbapp` command: a Flask CLI group with the app's own commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from pbapp import create_app
from pbapp.pb.cli import tally_command
from pbapp.pb.commands import verify_log_command
from pbapp.sortition.cli import check_quotas_command, replace_command, select_command
from pbapp.sortition.commands import draw_addresses_command, retention_reminders_command


def _app(*_args, **_kwargs):
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_version_option=False)
def main() -> None:
    """Citizens' juries, participatory budgeting and the council budget record."""


@main.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from pbapp import migrations

    migrations.upgrade(current_app, revision)
    click.echo("Database is up to date.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION."""
    from pbapp import migrations

    migrations.downgrade(current_app, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from pbapp import migrations

    migrations.revision(current_app, message)


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Fail if the database schema differs from the models."""
    from pbapp import migrations

    differences = migrations.schema_differences(current_app)
    for difference in differences:
        click.echo(repr(difference))
    if differences:
        raise SystemExit(1)
    click.echo("The schema matches the models.")


@main.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when a council already exists.")
@with_appcontext
def seed_command(if_empty: bool) -> None:
    """Load the demo council (idempotent)."""
    from pbapp.seed import seed_demo

    report = seed_demo(current_app, if_empty=if_empty)
    for line in report:
        click.echo(line)


@main.group("council")
def council_group() -> None:
    """Set up councils."""


@council_group.command("create")
@click.option("--name", required=True, help="The council's name, as residents know it.")
@click.option("--slug", required=True, help="Its address in the site: /councils/SLUG/ (lower-case, hyphens).")
@click.option("--name-cy", default="", help="Its name in Welsh, if it has one.")
@click.option("--gss-code", default="", help="Its ONS local authority code, like E06000008 (imports need it).")
@with_appcontext
def council_create(name: str, slug: str, name_cy: str, gss_code: str) -> None:
    """Add a council; then give it a first admin with `pbapp admin create`."""
    from pbapp.councils.services import create_council
    from pbapp.db import standalone_session
    from pbapp.errors import DomainError

    with standalone_session() as session:
        try:
            council = create_council(session, name=name, slug=slug, name_cy=name_cy, gss_code=gss_code)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        click.echo(f"Created {council.name} at /councils/{council.slug}/.")


@main.group("admin")
def admin_group() -> None:
    """Manage a council's administrators."""


@admin_group.command("create")
@click.option("--council", "slug", required=True, help="The council's slug (see `pbapp council create`).")
@click.option("--email", required=True, help="The admin's email address; the set-password link goes there.")
@click.option("--name", default="", help="The admin's name (needed for a new account).")
@click.option(
    "--base-url",
    envvar="PBAPP_BASE_URL",
    default=None,
    help="The site's public address, like https://pb.example.gov.uk, for the link (or PBAPP_BASE_URL).",
)
@with_appcontext
def admin_create(slug: str, email: str, name: str, base_url: str | None) -> None:
    """Make someone the first admin of a council and give them a one-time link to choose a password.

    No password is ever typed here: the link is emailed (or kept in the outbox without a mail
    server) and printed, and works once.
    """
    from pbapp.accounts.services import create_admin
    from pbapp.councils.services import get_council
    from pbapp.db import standalone_session
    from pbapp.errors import DomainError

    # Asked for explicitly (not the development default): the link is mailed to the council's first admin.
    if not base_url:
        raise click.ClickException(
            "Give --base-url (or PBAPP_BASE_URL): the address people use to reach the site, so the emailed link works."
        )
    if not base_url.startswith(("https://", "http://")):
        raise click.ClickException("--base-url must start with https:// (or http:// on a test machine).")
    current_app.config["BASE_URL"] = base_url.rstrip("/")  # every emailed link is built from it
    with current_app.test_request_context(base_url=base_url.rstrip("/")), standalone_session() as session:
        try:
            user, link = create_admin(session, get_council(session, slug), email=email, name=name)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        click.echo(f"{user.email} is an admin of {slug}. One-time link to choose a password (also emailed):")
        click.echo(link)


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(target: str) -> None:
    """Write a consistent backup of the database to TARGET (safe while the app runs)."""
    from pbapp.backup import BackupError, backup

    try:
        backup(current_app.config["DATABASE_URL"], target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database to {target}.")


@main.command("restore")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: str, yes: bool) -> None:
    """Replace the database with the backup in SOURCE; stop the app first."""
    from pbapp.backup import BackupError, restore

    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    from pbapp import erasures
    from pbapp.db import get_engine
    from pbapp.sortition.services import ERASURE_HANDLERS

    try:
        restore(current_app.config["DATABASE_URL"], source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the database from {source}.")
    get_engine().dispose()  # connections opened before the restore may see the old schema
    again = erasures.reapply(current_app._get_current_object(), ERASURE_HANDLERS)
    click.echo(f"Re-applied {len(erasures.entries())} logged erasures ({again} had data to erase again).")


@main.command("verify-audit")
@with_appcontext
def verify_audit() -> None:
    """Re-check the hash chain of the audit log."""
    from pbapp import audit
    from pbapp.db import standalone_session

    with standalone_session() as session:
        broken = audit.verify(session)
    if broken:
        raise click.ClickException(f"audit log broken at entry {broken.index + 1}: {broken.reason}")
    click.echo("The audit log verifies.")


@main.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests and one-off runs).")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run jobs from this deployment's queue (PBAPP_QUEUE_PREFIX) and give up on jobs whose worker died."""
    from pbapp import jobs

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("Set REDIS_URL: the worker takes its jobs from Redis.")
    click.echo(f"Taking jobs from the queue {jobs.queue_name(app.config)}.")
    jobs.work(app, burst=burst)


# Commands that live beside their domain (those needing no database only import pbapp.core;
# pbapp.launch starts them without this group).
for _command in (
    tally_command,
    verify_log_command,
    select_command,
    replace_command,
    check_quotas_command,
    retention_reminders_command,
    draw_addresses_command,
):
    main.add_command(_command)
