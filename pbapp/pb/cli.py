"""`pbapp tally FILE.pb --rule RULE`: count a Pabulib file from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

# The names of pbapp.core.ballots' RULES, UTILITIES and TIE_BREAKS (a test keeps them equal), so
# that `pbapp tally --help` starts without importing the counting code and numpy.
RULE_NAMES = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "equalshares",
    "equalshares/greedy",
    "equalshares/add1",
    "equalshares/add1-comparison",
    "phragmen",
)
UTILITY_NAMES = ("cost", "cardinality")
TIE_BREAK_NAMES = ("cost", "file")


@click.command("tally")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rule", required=True, type=click.Choice(RULE_NAMES), help="Counting rule.")
@click.option(
    "--utility",
    type=click.Choice(UTILITY_NAMES),
    default="cost",
    show_default=True,
    help="Voters' utility for Equal Shares.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the tie-breaking lot.")
@click.option(
    "--tie-break",
    type=click.Choice(TIE_BREAK_NAMES),
    default="cost",
    show_default=True,
    help="Between equally supported projects: the cheaper first (then more support, then the lot), "
    "or the one listed first in the file, as many cities do.",
)
@click.option(
    "--threshold",
    default=None,
    metavar="SUPPORT",
    help="For greedy rules: leave out projects with less support than this, instead of META "
    "min_project_score_threshold (0: no threshold, as pabutools counts greedy).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def tally_command(
    file: Path, rule: str, utility: str, seed: int, tie_break: str, threshold: str | None, as_json: bool
) -> None:
    """Count the votes in a Pabulib FILE by RULE and show what is funded and why.

    Pabulib's conventions apply: META min_project_score_threshold under every greedy rule, a
    cost of 999999999 marks a withdrawn project, and a project listed twice on a ballot is
    counted once (a warning names the voters).
    """
    from pbapp.core.ballots import tally
    from pbapp.core.ballots.election import Profile, parse_number
    from pbapp.core.ballots.outcome import money_text
    from pbapp.core.ballots.pabulib import read
    from pbapp.core.errors import CoreError

    try:
        minimum = parse_number(threshold) if threshold is not None else None
    except ValueError:
        raise click.BadParameter(f"{threshold!r} is not a number.", param_hint="--threshold") from None
    try:
        election = read(file)
        profile = Profile.of(election)
        outcome = tally(
            election, rule, utility=utility, seed=seed, profile=profile, tie_break=tie_break, threshold=minimum
        )
    except (CoreError, OSError, UnicodeDecodeError) as exc:
        raise click.exceptions.Exit(
            _fail(f"{file.name}: {exc}" if not isinstance(exc, CoreError) else str(exc))
        ) from exc
    for warning in election.warnings:
        click.echo(f"Warning: {file.name}: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False))
        return
    currency = election.meta.get("currency", "")
    click.echo(f"Rule: {rule}" + (f" ({utility} utility)" if "utility" in outcome.details else ""))
    click.echo(f"Budget: {money_text(outcome.budget, currency)}   Spent: {money_text(outcome.spent, currency)}")
    width = max([len(p.id) for p in election.projects] + [7])
    click.echo(f"{'#':>3}  {'project':<{width}}  {'cost':>14}  {'support':>9}  reason")
    order = {pid: n for n, pid in enumerate(outcome.selected, start=1)}
    ids = outcome.selected + [p.id for p in election.projects if p.id not in order]
    index = {pid: j for j, pid in enumerate(profile.ids)}
    for pid in ids:
        j = index[pid]
        mark = str(order[pid]) if pid in order else "-"
        support = profile.support[j]
        click.echo(
            f"{mark:>3}  {pid:<{width}}  {money_text(profile.costs[j], currency):>14}  "
            f"{support:>9,.0f}  {outcome.explanations[pid].reason}"
        )
    for tie in outcome.ties:
        click.echo(f"Tie ({tie.step}): {', '.join(tie.tied)}; {tie.chosen} chosen by {tie.decided_by}.")


def _fail(message: str) -> int:
    click.echo(f"Error: {message}", err=True)
    return 2
