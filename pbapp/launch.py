"""The `pbapp` command's entry point: commands that need no app start without Flask.

`pbapp tally`, `verify-log`, `select`, `replace` and `check-quotas` read files and touch no
database, so when one of them is the first argument only its own module is imported (click,
and what the command itself uses when it runs); every other command, and `pbapp --help`, goes
to the full Flask command group in `pbapp.cli`, which registers the same command objects.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import click


def _tally() -> click.Command:
    from pbapp.pb.cli import tally_command

    return tally_command


def _verify_log() -> click.Command:
    from pbapp.pb.commands import verify_log_command

    return verify_log_command


def _select() -> click.Command:
    from pbapp.sortition.cli import select_command

    return select_command


def _replace() -> click.Command:
    from pbapp.sortition.cli import replace_command

    return replace_command


def _check_quotas() -> click.Command:
    from pbapp.sortition.cli import check_quotas_command

    return check_quotas_command


# Name -> the import of that one command, made only when it is run; pbapp.cli registers the same
# command objects in the full group (a test checks).
APP_FREE_COMMANDS: dict[str, Callable[[], click.Command]] = {
    "tally": _tally,
    "verify-log": _verify_log,
    "select": _select,
    "replace": _replace,
    "check-quotas": _check_quotas,
}


# Counting and checking a log multiply no matrices; selection's LPs do (left as numpy sets them).
SINGLE_THREADED_BLAS = ("tally", "verify-log")

# A count is one short process whose objects reference counting frees: the cycle collector's passes
# over the objects numpy and click make as they are imported (about 50 passes, freeing a few hundred
# objects) cost 5-10 ms of CPU, 3-5% of a count of Lodz 2022.
WITHOUT_CYCLE_COLLECTOR = ("tally",)


def main(argv: list[str] | None = None):
    """Run `pbapp`: an app-free command by itself, anything else through the Flask group."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] in APP_FREE_COMMANDS:
        collecting = gc.isenabled()
        if args[0] in WITHOUT_CYCLE_COLLECTOR:
            gc.disable()
        if args[0] in SINGLE_THREADED_BLAS:
            # numpy's BLAS starts a thread per core as it is imported: 0.06 s of CPU, half of numpy's
            # start-up, for commands whose arrays are far too small to gain from threads.
            for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ.setdefault(name, "1")
        import click

        group = click.Group("pbapp", commands={args[0]: APP_FREE_COMMANDS[args[0]]()})
        try:
            return group.main(args, prog_name="pbapp")
        finally:
            if collecting:
                gc.enable()
    from pbapp.cli import main as app_main

    return app_main.main(args, prog_name="pbapp")
