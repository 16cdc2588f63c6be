"""Paths and helpers for the sortition tests: small fixtures here, shared instances if present."""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
from pathlib import Path

import pytest

from pbapp.core.sortition import read_pool
from pbapp.core.sortition.leximin import VERSION, Distribution, leximin, person_probabilities
from pbapp.core.sortition.panels import Types
from pbapp.core.sortition.pool import Pool
from tests.shared_data import SHARED_DATA

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "sortition"
REFERENCE = ROOT / "tests" / "fixtures" / "sortition_reference"
SHARED = SHARED_DATA / "sortition"
SHARED_INSTANCES = (
    sorted(p.name for p in SHARED.iterdir() if (p / "instance.json").is_file()) if SHARED.is_dir() else []
)
# LEXIMIN on gss16_75 takes minutes of CPU; geneva_30 and gss14_40 take 10-20 s each (run twice
# for the determinism check) and run always, as do the smaller pools.
SLOW = {"gss16_75"}
# The seed of the shared pools' selections; the level checks use the same one, so the run computes
# each pool's LEXIMIN once for both (see `shared_leximin`).
SELECTION_SEED = 11


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


@pytest.fixture(scope="session")
def shared_leximin(tmp_path_factory, worker_id):
    """`get(name, pool, seed)`: the shared pool's LEXIMIN distribution, computed once per run.

    LEXIMIN on the larger shared pools takes 10-40 s of CPU, and the selection and level tests
    each need it. The first test to ask computes it and writes it to a file in the run's base
    temporary directory (shared by the xdist workers), under a lock so a worker asking at the same
    time waits instead of computing it again; the others read it back. The key holds the pool's
    files, the seed and the algorithm's version, and the directory lives only as long as the run.
    Tests that check determinism still compute a second distribution of their own to compare.
    """
    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "shared-leximin"
    folder.mkdir(exist_ok=True)

    def get(name: str, pool: Pool, seed: int = SELECTION_SEED) -> Distribution:
        files = hashlib.sha256()
        for path in sorted((SHARED / name).iterdir()):
            files.update(path.name.encode() + b"\0" + path.read_bytes())
        key = f"{name}-{files.hexdigest()[:16]}-{seed}-{re.sub(r'[^A-Za-z0-9]+', '_', VERSION)}"
        stored = folder / f"{key}.json"
        with open(folder / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if stored.is_file():
                return _read_distribution(pool, json.loads(stored.read_text(encoding="utf-8")))
            dist = leximin(pool, seed=seed)
            written = stored.with_suffix(".tmp")
            written.write_text(json.dumps(_distribution_fields(dist)), encoding="utf-8")
            written.replace(stored)
            return dist

    return get


def _distribution_fields(dist: Distribution) -> dict:
    """The distribution without its pool; JSON keeps every float exactly (shortest repr)."""
    return {
        "members": dist.types.members,
        "forced": dist.types.forced,
        "panels": dist.panels,
        "weights": dist.weights,
        "algorithm": dist.algorithm,
        "version": dist.version,
    }


def _read_distribution(pool: Pool, fields: dict) -> Distribution:
    types = Types(tuple(tuple(m) for m in fields["members"]), tuple(fields["forced"]))
    panels = tuple(tuple(p) for p in fields["panels"])
    weights = tuple(fields["weights"])
    probabilities = person_probabilities(pool, types, panels, weights)
    return Distribution(pool, types, panels, weights, probabilities, fields["algorithm"], fields["version"])
