"""Record the reference library's LEXIMIN result on each shared sortition instance.

Runs `sortition-algorithms` (the `reference` extra; its LEXIMIN needs gurobipy) once per instance in
`../shared/data/sortition` and writes `tests/fixtures/sortition_reference/<instance>.json` with
its lowest probability, the number of volunteers within 1e-3 of it, the volunteers it leaves
at probability 0, its running time and its version. Tests and `bench/selection.py
--reference-from-fixtures` read these files so they never run the slow reference.

Regenerate (takes several minutes; geneva_30 alone about 3):

    .venv/bin/python bench/make_sortition_fixtures.py [INSTANCE ...]
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "sortition"
OUT = ROOT / "tests" / "fixtures" / "sortition_reference"
NEAR_MIN = 1e-3
ZERO = 1e-6


def reference_missing() -> str | None:
    """Say what is missing when the reference cannot run here (it is not a development dependency)."""
    import importlib.util

    for module, hint in (
        ("sortition_algorithms", "pip install -e '.[reference]'"),
        ("gurobipy", "its LEXIMIN needs gurobipy and a Gurobi licence"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed ({hint})"
    return None


def reference_leximin(instance_dir: Path) -> dict[str, float]:
    """Return each volunteer's LEXIMIN probability as computed by the reference library."""
    import sortition_algorithms as sa
    from sortition_algorithms.committee_generation import find_distribution_leximin

    meta = json.loads((instance_dir / "instance.json").read_text(encoding="utf-8"))
    k = int(meta["panel_size"])
    ftext = (instance_dir / "features.csv").read_text(encoding="utf-8")
    frows = list(csv.DictReader(io.StringIO(ftext)))
    features, _, _ = sa.read_in_features(list(frows[0].keys()), frows, k)
    ptext = (instance_dir / "people.csv").read_text(encoding="utf-8")
    prows = list(csv.DictReader(io.StringIO(ptext)))
    head = list(prows[0].keys())
    has_household = "household" in head
    settings = sa.Settings(
        id_column="id",
        columns_to_keep=["household"] if has_household else [],
        check_same_address=has_household,
        check_same_address_columns=["household"] if has_household else [],
    )
    people, _ = sa.read_in_people(head, prows, features, settings)
    committees, probs, _ = find_distribution_leximin(features, people, k, settings.normalised_address_columns)
    marginal = {pid: 0.0 for pid in people}
    for committee, p in zip(committees, probs, strict=True):
        for pid in committee:
            marginal[pid] += p
    return marginal


def gini(values: list[float]) -> float:
    """Return the Gini coefficient of selection probabilities."""
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    return sum((2 * (i + 1) - n - 1) * x for i, x in enumerate(xs)) / (n * total) if n and total else 0.0


def record(instance_dir: Path) -> dict:
    """Run the reference on one instance and return the fixture record."""
    name = instance_dir.name
    missing = reference_missing()
    if missing:
        return {"instance": name, "reference": "sortition-algorithms", "skipped": True, "message": missing}
    rec: dict = {"instance": name, "reference": "sortition-algorithms", "version": version("sortition-algorithms")}
    start = time.perf_counter()
    try:
        marginal = reference_leximin(instance_dir)
    except Exception as exc:  # noqa: BLE001 - a licence refusal or infeasibility is recorded, not fatal
        rec.update(skipped=True, message=f"{type(exc).__name__}: {exc}")
        return rec
    seconds = time.perf_counter() - start
    positive = [p for p in marginal.values() if p > ZERO]
    lowest = min(marginal.values())
    lowest_positive = min(positive) if positive else 0.0
    rec.update(
        skipped=False,
        seconds=round(seconds, 2),
        min_probability=round(lowest, 6),
        min_positive_probability=round(lowest_positive, 6),
        count_near_min=sum(1 for p in marginal.values() if p <= lowest_positive + NEAR_MIN and p > ZERO),
        zero_probability=sorted(pid for pid, p in marginal.items() if p <= ZERO),
        probability_sum=round(sum(marginal.values()), 6),
        gini=round(gini(list(marginal.values())), 6),
        # Every rank, so a test can compare the LEXIMIN order beyond the lowest level.
        sorted_probabilities=[round(p, 6) for p in sorted(marginal.values())],
    )
    return rec


def main(argv: list[str]) -> int:
    """Write one fixture per instance named on the command line, or per shared instance."""
    if not DATA.is_dir():
        print(f"no shared data at {DATA}", file=sys.stderr)
        return 1
    missing = reference_missing()
    if missing:  # never overwrite recorded runs with "skipped" because the library is absent here
        print(f"cannot record the reference: {missing}", file=sys.stderr)
        return 2
    names = argv or sorted(p.name for p in DATA.iterdir() if (p / "instance.json").is_file())
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        rec = record(DATA / name)
        (OUT / f"{name}.json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(name, rec.get("seconds"), rec.get("min_probability"), rec.get("message", ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
