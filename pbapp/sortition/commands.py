"""`pbapp retention-reminders`: list pools whose personal data is due for erasure."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext


@click.command("retention-reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Check as if it were this day (YYYY-MM-DD).",
)
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
        click.echo(
            f"{state}: {council.slug} pool {pool.id} ({pool.name}) keep until {pool.retention_until.isoformat()}"
        )
    raise SystemExit(1 if any(p.retention_until < day for p, _c in due) else 0)


@click.command("draw-addresses")
@click.argument("addresses", type=click.Path(exists=True, dir_okay=False))
@click.option("--letters", type=int, required=True, help="How many households to invite.")
@click.option("--seed", required=True, help="The public seed, announced before the draw (e.g. a lottery result).")
@click.option("--id-column", default="uprn", show_default=True, help="The column with each address's unique id.")
@click.option("--by", "strata", multiple=True, help="A column to stratify by (repeat: --by area --by imd_decile).")
@click.option("--council", "council_slug", default=None, help="With --pool: the council whose pool the codes join.")
@click.option(
    "--pool",
    "pool_id",
    type=int,
    default=None,
    help="Issue one registration code per letter for this pool, so replies tie to the letter.",
)
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="Where to write the chosen rows.")
@with_appcontext
def draw_addresses_command(addresses, letters, seed, id_column, strata, council_slug, pool_id, out) -> None:
    """Draw the households to invite from an address list (CSV), stratified and reproducible from a public seed.

    Writes the chosen rows (every column of the list) with each address's public rank and, with --pool,
    the registration code to print on its letter (only the code's hash is kept). Anyone can re-create
    the draw: the rank is SHA-256 of "<seed>|<id>", lowest first within each stratum.
    """
    from pathlib import Path

    from pbapp.core.csv_writer import write_csv
    from pbapp.core.errors import InputError
    from pbapp.core.sortition.addresses import draw_addresses, mail_merge_rows, read_addresses

    try:
        found, header = read_addresses(
            Path(addresses), id_column=id_column, strata_columns=strata, source=Path(addresses).name
        )
        result = draw_addresses(found, letters, seed, strata)
    except InputError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    codes: list[str] = []
    if pool_id is not None:
        from pbapp.councils.services import get_council
        from pbapp.db import standalone_session
        from pbapp.errors import DomainError
        from pbapp.sortition.services import generate_codes, get_pool

        with standalone_session() as session:
            try:
                council = get_council(session, council_slug or "")
                codes = generate_codes(session, council, get_pool(session, council, pool_id), letters, None)
            except DomainError as exc:
                click.echo(f"Error: {exc}", err=True)
                raise SystemExit(2) from None
    extra = ["rank", *(["code"] if codes else [])]
    out.write(write_csv([*header, *extra], mail_merge_rows(result, header, codes)))
    for stratum, (size, share) in result.strata.items():
        label = ", ".join(stratum) or "all addresses"
        click.echo(f"{label}: {share} of {size}", err=True)
