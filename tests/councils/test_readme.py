"""The README's walk from the wheel to a first council stays true: its commands run as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from flask.cli import ScriptInfo
from sqlmodel import select

from pbapp.accounts.models import ADMIN, Membership
from pbapp.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Setting up a council"):]
MAKEFILE = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")


def _commands(program: str) -> list[list[str]]:
    text = re.sub(r"\\\n\s*", " ", SECTION)  # join continued lines
    return [shlex.split(line.strip())[1:] for line in text.splitlines() if line.strip().startswith(program + " ")]


def test_the_readme_set_up_commands_create_the_council_and_its_admin(app, db, monkeypatch):
    monkeypatch.setenv("PBAPP_BASE_URL", "https://pb.north-borough.gov.uk")
    commands = _commands("pbapp")
    assert [c[:2] for c in commands] == [["db", "upgrade"], ["council", "create"], ["admin", "create"], ["worker"]]
    runner = app.test_cli_runner()
    for args in commands[1:3]:  # the worker runs until stopped
        result = runner.invoke(main, args, obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, (args, result.output)
    assert "https://pb.north-borough.gov.uk/accounts/reset/" in result.output
    db.commit()
    assert db.exec(select(Membership).where(Membership.role == ADMIN)).one()


def test_the_make_targets_the_readme_names_exist():
    for target in re.findall(r"^\s*make (\S+)", SECTION, re.M):
        assert re.search(rf"^{re.escape(target)}:", MAKEFILE, re.M), target
