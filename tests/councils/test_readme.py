"""The README's walk from the wheel to a first council stays true: its commands run as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

from flask.cli import ScriptInfo
from sqlmodel import select

from pbapp import create_app
from pbapp.accounts.models import ADMIN, Membership
from pbapp.config import Config
from pbapp.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Setting up a council") :]
MAKEFILE = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")


def _commands(program: str) -> list[list[str]]:
    text = re.sub(r"\\\n\s*", " ", SECTION)  # join continued lines
    return [
        shlex.split(line.strip(), comments=True)[1:]
        for line in text.splitlines()
        if line.strip().startswith(program + " ")
    ]


def _step(number: int) -> str:
    return re.split(r"\n(?=\d+\. \*\*)", SECTION.split("\n## ", 1)[0])[number]


def test_the_readme_configuration_is_enough_for_production(monkeypatch, database_url):
    """Step 2's settings, and nothing else, start the app in production mode (it refuses to start
    without any setting it needs, e.g. VOTER_KEY, which step 2 once left out)."""
    block = re.search(r"```sh\n(.*?)```", _step(2), re.S).group(1)
    done = subprocess.run(
        ["bash", "-ec", block + "\nenv -0"],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    env = dict(item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)
    assert env["PBAPP_ENV"] == "production" and len(env["SECRET_KEY"]) == 64 and len(env["VOTER_KEY"]) == 64
    for name in [n for n in os.environ if n.startswith(("PBAPP_", "MAIL_", "REDIS", "RATELIMIT"))]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        if name != "PATH":
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", database_url)  # the one address this machine has instead
    app = create_app(Config())
    assert app.config["PRODUCTION"] and app.config["BASE_URL"] == "https://pb.north-borough.gov.uk"
    assert app.config["PROXIES"] == 1 and app.config["MAIL_TLS"] == "starttls"


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


def test_ci_finds_the_steps_it_follows_in_the_readme():
    """.ci/council_walk.py runs the README's shell blocks: each step it needs is there as it expects."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / ".ci" / "council_walk.py"
    spec = importlib.util.spec_from_file_location("council_walk", path)
    walk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(walk)
    steps = walk.readme_steps()
    assert sorted(steps) == list(range(1, 9))
    assert all(walk.shell_blocks(steps[n]) for n in (2, 3, 4, 5))
    serve = [shlex.split(line, comments=True) for line in walk.shell_blocks(steps[5])[0].splitlines()]
    gunicorn = next(c for c in serve if c and c[0] == "gunicorn")
    assert "--workers" in gunicorn and "--bind" in gunicorn and ["pbapp", "worker"] in serve
    assert re.search(r'--name "([^"]+)"', steps[4]) and re.search(r"--email (\S+)", steps[4])
