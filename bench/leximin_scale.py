"""LEXIMIN at a national assembly's scale: a pool of 5,000 volunteers, 6 features, a panel of 100.

The pool comes from census marginals (`bench/census_pool.py`, deterministic given the seed).
Prints progress (one line per fixed level, with CPU seconds so far), then the CPU and wall
seconds of the whole LEXIMIN, its lowest probability, the number of levels and panels; with
`--verify` also re-solves every level's LP from scratch (`verify.verify_levels`) and prints
the largest amount by which a volunteer of some level could rise (exact: at most 1e-6).
Goal: under 10 minutes.

    .venv/bin/python bench/leximin_scale.py [--people 5000] [--panel 100] [--seed 1] [--verify]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.census_pool import write  # noqa: E402
from pbapp.core.sortition import leximin, read_pool  # noqa: E402
from pbapp.core.sortition.panels import group_types  # noqa: E402

GOAL_SECONDS = 600


def main(argv: list[str]) -> int:
    """Generate the pool, run LEXIMIN with progress, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--panel", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verify", action="store_true", help="re-solve every level's LP from scratch afterwards")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pool = read_pool(write(Path(tmp) / f"census_{args.people}_{args.panel}", args.people, args.panel, args.seed))
    ntypes = len(group_types(pool, set(), set()).members)
    print(
        f"pool of {pool.size} volunteers, {len(pool.features)} features, {len(pool.quotas)} quota rows, "
        f"{ntypes} types; panel of {pool.panel_size}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    cpu0, wall0 = time.process_time(), time.perf_counter()

    def progress(line: str) -> None:
        print(f"  [{time.process_time() - cpu0:7.1f} s CPU] {line}", flush=True)

    dist = leximin(pool, progress=progress)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    verdict = "met" if cpu < GOAL_SECONDS else "MISSED"
    print(
        f"LEXIMIN: {cpu:.1f} s CPU, {wall:.1f} s wall (goal {GOAL_SECONDS} s: {verdict}); lowest probability "
        f"{dist.min_probability:.6f}; {len(dist.panels)} panels in the distribution; load average "
        f"{os.getloadavg()[0]:.1f} at the end",
        flush=True,
    )
    if args.verify:
        from pbapp.core.sortition.verify import verify_levels

        cpu1 = time.process_time()
        checks = verify_levels(dist)
        worst = max(c.excess for c in checks)
        print(
            f"verified {len(checks)} levels in {time.process_time() - cpu1:.1f} s CPU: a volunteer could rise by at "
            f"most {worst:.2g} ({'exact' if worst <= 1e-6 else 'NOT EXACT'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
