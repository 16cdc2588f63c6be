"""The `pbapp` command's entry point: commands that need no app start without Flask.

`pbapp tally`, `verify-log`, `select`, `replace` and `check-quotas` read files and touch no
database, so when one of them is the first argument only its own module is imported (click,
and what the command itself uses when it runs); every other command, and `pbapp --help`, goes
to the full Flask command group in `pbapp.cli`, which registers the same command objects.
"""

from __future__ import annotations

import importlib
import sys

# Name -> "module:attribute"; pbapp.cli.DOMAIN_COMMANDS registers each of these too (a test checks).
APP_FREE_COMMANDS = {
    "tally": "pbapp.pb.cli:tally_command",
    "verify-log": "pbapp.pb.commands:verify_log_command",
    "select": "pbapp.sortition.cli:select_command",
    "replace": "pbapp.sortition.cli:replace_command",
    "check-quotas": "pbapp.sortition.cli:check_quotas_command",
}


def main(argv: list[str] | None = None):
    """Run `pbapp`: an app-free command by itself, anything else through the Flask group."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] in APP_FREE_COMMANDS:
        import click

        module, _, attr = APP_FREE_COMMANDS[args[0]].partition(":")
        command = getattr(importlib.import_module(module), attr)
        group = click.Group("pbapp", commands={args[0]: command})
        return group.main(args, prog_name="pbapp")
    from pbapp.cli import main as app_main

    return app_main.main(args, prog_name="pbapp")
