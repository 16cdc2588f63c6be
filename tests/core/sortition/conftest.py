"""Paths and helpers for the sortition tests: small fixtures here, shared instances if present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pbapp.core.sortition import read_pool
from pbapp.core.sortition.pool import Pool
from tests.shared_data import SHARED_DATA

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "sortition"
REFERENCE = ROOT / "tests" / "fixtures" / "sortition_reference"
SHARED = SHARED_DATA / "sortition"
SHARED_INSTANCES = sorted(p.name for p in SHARED.iterdir() if (p / "instance.json").is_file()) if SHARED.is_dir() else []
# LEXIMIN on gss16_75 takes minutes of CPU; geneva_30 and gss14_40 take 10-20 s each (run twice
# for the determinism check) and run always, as do the smaller pools.
SLOW = {"gss16_75"}


def fixture_pool(name: str) -> Pool:
    """Return one of the small pools in tests/fixtures/sortition."""
    return read_pool(FIXTURES / name)


def shared_pool(name: str) -> Pool:
    """Return a shared instance, skipping the test when the shared data is absent."""
    if not (SHARED / name / "instance.json").is_file():
        pytest.skip(f"shared sortition instance {name} not available")
    return read_pool(SHARED / name)


def reference(name: str) -> dict:
    """Return the recorded reference LEXIMIN result, skipping when it was not recorded."""
    path = REFERENCE / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"no reference fixture for {name}")
    rec = json.loads(path.read_text(encoding="utf-8"))
    if rec.get("skipped"):
        pytest.skip(f"reference could not run on {name}: {rec.get('message')}")
    return rec


def shared_params() -> list:
    """Return pytest params for every shared instance, marking the slow ones."""
    return [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in SHARED_INSTANCES]


def meets_quotas(pool: Pool, panel) -> bool:
    """Return whether the ids in `panel` form a panel that keeps every quota and household rule."""
    chosen = set(panel)
    if len(chosen) != pool.panel_size or len(chosen) != len(list(panel)):
        return False
    for q in pool.quotas:
        n = sum(1 for i in pool.members(q) if pool.people[i].id in chosen)
        if not q.min <= n <= q.max:
            return False
    return all(sum(1 for i in m if pool.people[i].id in chosen) <= 1 for m in pool.households().values())
