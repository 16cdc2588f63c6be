"""`pbapp verify-log FILE`: re-check a published ballot log's hash chain and re-count it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pbapp.pb.counting import final_ballots, verify_log


@click.command("verify-log")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--head", help="The log's head hash published with the results (catches a cut or extended log).")
@click.option(
    "--count", "count_", type=click.IntRange(min=0), help="The number of log entries published with the results."
)
def verify_log_command(file: Path, head: str | None, count_: int | None) -> None:
    """Re-check the hash chain of a ballot log FILE (JSON) and re-count it to the published result.

    Give --head and --count as published on the results page: without them a log cut short or
    with ballots appended (and its chain recomputed) cannot be told from the real one.
    """
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{file.name} is not a readable JSON ballot log: {exc}") from None
    problems = verify_log(document, head=head, count_=count_)
    if problems:
        for problem in problems:
            click.echo(f"FAIL: {problem}", err=True)
        raise SystemExit(1)
    entries = document["entries"]
    selected = document["result"].get("selected") or sorted(document["result"].get("allocation", {}))
    click.echo(f"The chain of {len(entries):,} entries verifies (head {document['head'][:16]}…).")
    if head is None or count_ is None:
        click.echo(
            "Warning: without --head and --count, a log cut short or extended with a recomputed chain "
            "would also verify.",
            err=True,
        )
    else:
        click.echo("It ends at the published head after the published number of entries.")
    click.echo(
        f"Re-counting {len(final_ballots(entries)):,} final ballots by {document['ballot']['rule']} "
        f"gives the published result: {', '.join(selected) or 'nothing funded'}."
    )
