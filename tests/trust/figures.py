"""Figures the trust suite measures while it runs, for `bench/trust_report.py` to print.

Tests add to named counters (parallel requests fired, effects found, SIGKILLs, hostile inputs,
parser examples). When PBAPP_TRUST_FIGURES names a file, the counters are written there as JSON
at the end of the session; otherwise they are only kept in memory.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path

ENV = "PBAPP_TRUST_FIGURES"

_totals: Counter[str] = Counter()
_details: defaultdict[str, Counter[str]] = defaultdict(Counter)


def add(name: str, amount: int = 1, *, detail: str | None = None) -> None:
    """Count `amount` more of `name`, optionally under a detail (a form, a parser, an action)."""
    _totals[name] += amount
    if detail is not None:
        _details[name][detail] += amount


def snapshot() -> dict:
    return {"totals": dict(_totals), "details": {k: dict(v) for k, v in _details.items()}}


def save() -> None:
    """Write the counters where the report asked for them, merging with an earlier run's file."""
    target = os.environ.get(ENV)
    if not target or not _totals:
        return
    path = Path(target)
    merged = {"totals": Counter(), "details": defaultdict(Counter)}
    if path.exists():
        earlier = json.loads(path.read_text(encoding="utf-8"))
        merged["totals"].update(earlier.get("totals", {}))
        for name, values in earlier.get("details", {}).items():
            merged["details"][name].update(values)
    merged["totals"].update(_totals)
    for name, values in _details.items():
        merged["details"][name].update(values)
    path.write_text(
        json.dumps(
            {"totals": dict(merged["totals"]), "details": {k: dict(v) for k, v in merged["details"].items()}},
            indent=2,
            sort_keys=True,
        ),
        encoding="utf-8",
    )
    _totals.clear()
    _details.clear()
