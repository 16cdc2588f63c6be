"""The core stays pure: no web framework, ORM or form library anywhere under pbapp/core."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "pbapp" / "core"
FORBIDDEN = (
    "flask",
    "sqlmodel",
    "sqlalchemy",
    "wtforms",
    "flask_wtf",
    "flask_login",
    "flask_babel",
    "pbapp.accounts",
    "pbapp.councils",
    "pbapp.sortition",
    "pbapp.juries",
    "pbapp.pb",
    "pbapp.ledger",
    "pbapp.db",
)


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_imports_nothing_of_the_app():
    offenders = [
        f"{path.relative_to(CORE)} imports {name}"
        for path in sorted(CORE.rglob("*.py"))
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert offenders == []
