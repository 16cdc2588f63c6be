"""Commands that need no app start without Flask (issue 20): checked by the modules they import.

Each command runs in a fresh process started as the installed `pbapp` command starts it
(`pbapp.launch.main`), and the process writes the names in `sys.modules` as it exits. No
timing is asserted: what a command imports is what its start-up costs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pbapp.launch import APP_FREE_COMMANDS

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
ASSEN = FIXTURES / "pabulib" / "Netherlands_Assen_2024.pb"
POOL = FIXTURES / "sortition" / "households"
APP_ONLY = (
    "flask",
    "flask_limiter",
    "flask_babel",
    "flask_wtf",
    "werkzeug",
    "jinja2",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "redis",
    "rq",
)


def modules_after(tmp_path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    code = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: open({str(out)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
        "from pbapp.launch import main\n"
        "sys.argv[0] = 'pbapp'\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PBAPP_ENV": "development"},
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(out.read_text()))


def top_level(modules: set[str]) -> set[str]:
    return {m.partition(".")[0] for m in modules}


def test_tally_help_imports_click_only(tmp_path):
    modules = modules_after(tmp_path, "tally", "--help")
    assert not top_level(modules) & set(APP_ONLY)
    assert "numpy" not in modules and "pbapp.core.ballots" not in modules
    assert not {m for m in modules if m.startswith(("pbapp.core.sortition", "highspy", "pbapp.cli"))}
    assert "pbapp.pb.cli" in modules


def test_tally_counts_without_flask_or_sortition(tmp_path):
    modules = modules_after(tmp_path, "tally", str(ASSEN), "--rule", "equalshares/add1", "--json")
    assert not top_level(modules) & set(APP_ONLY)
    assert not {m for m in modules if m.startswith(("pbapp.core.sortition", "highspy", "pbapp.cli"))}
    assert {"numpy", "pbapp.core.ballots.pabulib", "pbapp.core.ballots.equal_shares"} <= modules
    # The configuration reads the languages through Babel; numpy.ma costs numpy.unique's callers 0.01 s.
    assert not {"pbapp.config", "babel", "numpy.ma"} & modules


@pytest.mark.parametrize(
    ("args", "needed"),
    [
        (("verify-log", "--help"), "pbapp.pb.commands"),
        (("check-quotas", str(POOL), "--json"), "pbapp.core.sortition"),
        (("select", "--help"), "pbapp.sortition.cli"),
    ],
)
def test_other_file_commands_start_without_flask(tmp_path, args, needed):
    modules = modules_after(tmp_path, *args)
    assert not top_level(modules) & set(APP_ONLY)
    assert needed in modules


def test_other_commands_still_go_through_the_app(tmp_path):
    modules = modules_after(tmp_path, "--help")
    assert {"flask", "pbapp.cli"} <= modules


def test_app_free_commands_are_the_app_groups_own():
    from pbapp.cli import main

    for name, command in APP_FREE_COMMANDS.items():
        assert main.commands[name] is command(), name
        assert command().name == name


def test_tally_choices_name_the_engines_own():
    from pbapp.core.ballots import RULES
    from pbapp.core.ballots.equal_shares import UTILITIES
    from pbapp.core.ballots.ties import TIE_BREAKS
    from pbapp.pb.cli import RULE_NAMES, TIE_BREAK_NAMES, UTILITY_NAMES

    assert RULE_NAMES == tuple(RULES)
    assert UTILITY_NAMES == tuple(UTILITIES)
    assert TIE_BREAK_NAMES == TIE_BREAKS
