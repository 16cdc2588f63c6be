"""Benchmark our LEXIMIN against `sortition-algorithms` on the shared sortition instances.

Prints, per instance, seconds, lowest selection probability and Gini for both, and the
speed ratio (reference seconds / ours). Both run in this process one after the other, so
they see the same machine. With `--reference-from-fixtures` the reference is not run: its
numbers come from `tests/fixtures/sortition_reference` (see `make_sortition_fixtures.py`).

    .venv/bin/python bench/selection.py [--reference-from-fixtures] [INSTANCE ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

from pbapp.core.sortition import gini, leximin, read_pool  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sortition"
FIXTURES = ROOT / "tests" / "fixtures" / "sortition_reference"
ZERO = 1e-6


def _reference_module():
    spec = importlib.util.spec_from_file_location(
        "make_sortition_fixtures", ROOT / "bench" / "make_sortition_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ours(name: str) -> dict:
    """Run our LEXIMIN on one instance; return seconds, lowest positive probability and Gini."""
    pool = read_pool(DATA / name)
    start = time.perf_counter()
    cpu = time.process_time()
    dist = leximin(pool)
    seconds = time.perf_counter() - start
    probs = dist.probabilities
    positive = [p for p in probs if p > ZERO]
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
        "lowest": min(positive),
        "near": sum(1 for p in positive if p <= min(positive) + 1e-3),
        "zeros": len(probs) - len(positive),
        "gini": gini(probs),
    }


def reference(name: str, from_fixtures: bool) -> dict | None:
    """Return the reference's numbers for one instance, recorded or freshly run."""
    if from_fixtures:
        path = FIXTURES / f"{name}.json"
        if not path.is_file():
            return None
        rec = json.loads(path.read_text(encoding="utf-8"))
    else:
        rec = _reference_module().record(DATA / name)
    if rec.get("skipped"):
        return {"skipped": rec.get("message", "")}
    return {
        "seconds": rec["seconds"],
        "lowest": rec["min_positive_probability"],
        "near": rec["count_near_min"],
        "zeros": len(rec["zero_probability"]),
        "gini": rec.get("gini"),
    }


def main(argv: list[str]) -> int:
    """Run the benchmark and print one row per instance."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*")
    parser.add_argument("--reference-from-fixtures", action="store_true", help="reuse recorded reference runs")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no shared sortition data at {DATA}", file=sys.stderr)
        return 1
    names = args.instances or sorted(p.name for p in DATA.iterdir() if (p / "instance.json").is_file())
    source = "recorded" if args.reference_from_fixtures else "run now"
    print(f"reference: sortition-algorithms LEXIMIN (Gurobi dual LP), {source}; ours: pbapp LEXIMIN on HiGHS")
    print("ours s: wall seconds (cpu: our CPU seconds); ratio: reference s / ours, by wall and by CPU")
    header = f"{'instance':22} {'ours s':>8} {'cpu':>7} {'ref s':>8} {'ratio':>6} {'cpu':>6}  {'lowest ours':>11} {'lowest ref':>10}"
    print(header + f"  {'near ours/ref':>13}  {'gini ours':>9} {'gini ref':>8}  note")
    for name in names:
        o = ours(name)
        r = reference(name, args.reference_from_fixtures)
        note = ""
        if r is None or "skipped" in r:
            note = "reference not available" + (f": {r['skipped'][:60]}" if r else "")
            print(
                f"{name:22} {o['seconds']:8.2f} {o['cpu']:7.2f} {'-':>8} {'-':>6} {'-':>6}  {o['lowest']:11.6f} {'-':>10}  "
                f"{o['near']:>6}/{'-':<6}  {o['gini']:9.4f} {'-':>8}  {note}"
            )
            continue
        ratio = r["seconds"] / o["seconds"] if o["seconds"] else float("inf")
        cpu_ratio = r["seconds"] / o["cpu"] if o["cpu"] else float("inf")
        if o["lowest"] > r["lowest"] + 5e-5:
            note = "ours more exact: the reference relaxed its lowest level"
        elif abs(o["lowest"] - r["lowest"]) > 1e-4:
            note = "LOWEST DIFFERS"
        rg = f"{r['gini']:8.4f}" if r.get("gini") is not None else f"{'-':>8}"
        print(
            f"{name:22} {o['seconds']:8.2f} {o['cpu']:7.2f} {r['seconds']:8.2f} {ratio:6.1f} {cpu_ratio:6.1f}  "
            f"{o['lowest']:11.6f} {r['lowest']:10.6f}  "
            f"{o['near']:>6}/{r['near']:<6}  {o['gini']:9.4f} {rg}  {note}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
