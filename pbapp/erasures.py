"""The erasure log: every erasure of personal data, recorded outside the database.

A restore brings back the database as it was when the backup was taken, personal data of
people erased since included. `pbapp restore` therefore re-applies every erasure in this log
after restoring, so an erased person stays erased. The log holds no personal data itself, only
what was erased (a pool's contact details, by id) and when; it is written 0600 and appended to,
never rewritten. Keep it on durable storage beside the backups (ERASURE_LOG).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from flask import Flask, current_app

from pbapp.timeutil import utcnow


def log_path(app: Flask | None = None) -> Path:
    app = app or current_app
    configured = app.config.get("ERASURE_LOG")
    return Path(configured) if configured else Path(app.instance_path) / "erasures.jsonl"


def record(kind: str, **ids: int) -> None:
    """Append one erasure (its kind and the ids it applied to) to the log and make it durable."""
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": utcnow().isoformat(), "kind": kind, **ids}, sort_keys=True) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def entries(app: Flask | None = None) -> list[dict]:
    path = log_path(app)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def reapply(app: Flask, handlers: dict[str, Callable[..., int]]) -> int:
    """Apply every logged erasure again (after a restore); return how many changed something."""
    from pbapp.db import standalone_session

    changed = 0
    with app.app_context(), standalone_session(app) as session:
        for entry in entries(app):
            handler = handlers.get(entry["kind"])
            if handler is None:
                raise RuntimeError(f"The erasure log has an entry of unknown kind {entry['kind']!r}.")
            ids = {k: v for k, v in entry.items() if k not in ("at", "kind")}
            changed += 1 if handler(session, **ids) else 0
        session.commit()
    return changed
