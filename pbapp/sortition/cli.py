"""Command-line selection: `pbapp select POOL_DIR`, `pbapp replace POOL_DIR` and `pbapp check-quotas POOL_DIR`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pbapp.core.errors import CoreError, InputError
from pbapp.core.sortition import ALGORITHMS, InfeasibleError, check_feasibility, read_pool, replace, select, to_json


def _fail(exc: CoreError, code: int) -> None:
    click.echo(f"Error: {exc}", err=True)
    raise SystemExit(code)


def _load(pool_dir: str):
    try:
        return read_pool(pool_dir)
    except InputError as exc:
        _fail(exc, 2)


@click.command("select")
@click.argument("pool_dir")
@click.option("--algorithm", type=click.Choice(ALGORITHMS), default="leximin", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed standing for the draw when none is given.")
@click.option("--draw", type=int, default=None, help="Public number 0..999 picking the panel of the lottery.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def select_command(pool_dir: str, algorithm: str, seed: int, draw: int | None, as_json: bool) -> None:
    """Select a panel from the pool in POOL_DIR (features.csv, people.csv, instance.json)."""
    pool = _load(pool_dir)
    try:
        result = select(pool, algorithm, seed=seed, draw=draw)
    except InfeasibleError as exc:
        _fail(exc, 1)
    except CoreError as exc:
        _fail(exc, 2)
    summary = result.summary()
    if as_json:
        click.echo(to_json(summary))
        return
    click.echo(f"{summary['algorithm']} ({summary['version']}), input {summary['input_hash']}")
    click.echo(f"lowest selection probability {summary['min_probability']:.4f}")
    click.echo(f"panel of {summary['panel_size']}: {', '.join(summary['panel'])}")
    for row in summary["quota_report"]:
        click.echo(f"  {row['feature']} {row['value']}: {row['selected']} (quota {row['min']}-{row['max']})")


@click.command("replace")
@click.argument("pool_dir")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed standing for the draw when none is given.")
@click.option("--draw", type=int, default=None, help="Public number 0..999 picking the replacements.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def replace_command(pool_dir: str, seed: int, draw: int | None, as_json: bool) -> None:
    """Re-create a replacement draw: instance.json names the members kept (include) and the seats' leavers (exclude)."""
    pool = _load(pool_dir)
    try:
        instance = json.loads((Path(pool_dir) / "instance.json").read_text(encoding="utf-8"))
        kept, left = list(instance.get("include", [])), list(instance.get("exclude", []))
        result = replace(pool, kept, left, seed=seed, draw=draw)
    except InfeasibleError as exc:
        _fail(exc, 1)
    except CoreError as exc:
        _fail(exc, 2)
    except (OSError, ValueError) as exc:
        _fail(InputError(f"instance.json: {exc}"), 2)
    if as_json:
        click.echo(
            to_json(
                {
                    "kept": list(result.confirmed),
                    "replacements": list(result.replacements),
                    "input_hash": result.selection.summary()["input_hash"],
                }
            )
        )
        return
    click.echo(f"{len(result.replacements)} replacements: {', '.join(result.replacements)}")


@click.command("check-quotas")
@click.argument("pool_dir")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def check_quotas_command(pool_dir: str, as_json: bool) -> None:
    """Say whether the quotas in POOL_DIR can be met, and if not how to relax them."""
    pool = _load(pool_dir)
    report = check_feasibility(pool)
    if as_json:
        click.echo(to_json(report.as_dict()))
    elif report.feasible:
        click.echo("The quotas can be met from this pool.")
    else:
        click.echo("The quotas cannot be met from this pool:")
        for problem in report.problems:
            click.echo(f"  - {problem}")
    if not report.feasible:
        raise SystemExit(1)
