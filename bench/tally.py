"""Time our counting rules against pabutools 1.2.3 on the shared Pabulib files, side by side.

Run from the repository root:

    .venv/bin/python bench/tally.py [--files NAME ...] [--rules RULE ...] [--reference-from-fixtures]

For each file and rule it prints our seconds, wall and CPU (compressing the ballots plus
counting, on a file already read), pabutools' seconds (the rule call, on a profile it already parsed), the ratio,
and our peak memory (tracemalloc, MB). With --reference-from-fixtures pabutools is not run:
its seconds come from tests/fixtures/pabutools (bench/make_pabutools_fixtures.py), so a full
run takes minutes, not hours. Rules are named as in the fixtures: RULE or RULE:UTILITY.
Goals checked at the end: at least 100x on files with 10,000+ voters, Equal Shares with Add1
on Poland_Warszawa_2026 under 2 s, peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pbapp.core.ballots import pabulib, tally  # noqa: E402
from pbapp.core.ballots.election import Profile  # noqa: E402

DATA = ROOT / ".." / "shared" / "data" / "pabulib"
FIXTURES = ROOT / "tests" / "fixtures" / "pabutools"
RULES = [
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "phragmen",
    "equalshares:cost",
    "equalshares:cardinality",
    "equalshares/greedy:cost",
    "equalshares/greedy:cardinality",
    "equalshares/add1:cost",
    "equalshares/add1:cardinality",
    "equalshares/add1-comparison:cost",
    "equalshares/add1-comparison:cardinality",
]


def ours(election, name: str) -> tuple[float, float, float, list[str]]:
    """Return our wall and CPU seconds, peak MB and selection for one rule (compression included)."""
    rule, _, utility = name.partition(":")
    t0, c0 = time.perf_counter(), time.process_time()
    outcome = tally(election, rule, utility=utility or "cost", profile=Profile.of(election))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    # Memory is measured on a second count, as tracing allocations slows the first.
    tracemalloc.start()
    tally(election, rule, utility=utility or "cost", profile=Profile.of(election))
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, cpu, peak, sorted(outcome.selected)


def theirs_recorded(path: Path, name: str) -> tuple[float | None, list[str] | None, str]:
    """Return pabutools' recorded seconds and selection, or why there are none."""
    fixture = FIXTURES / (path.stem + ".json")
    if not fixture.exists():
        return None, None, "no fixture"
    entry = json.loads(fixture.read_text())["rules"].get(name)
    if entry is None:
        return None, None, "not recorded"
    if "skipped" in entry:
        return None, None, entry["skipped"]
    if entry.get("check") == "endpoint":  # two counts at Add1's stopping point, not pabutools' Add1 time
        return None, entry["selected"], f"pabutools checked the end point only; full run: {entry['full_run']}"
    return entry["seconds"], entry["selected"], ""


def theirs_live(path: Path, name: str, cache: dict, timeout: int) -> tuple[float | None, list[str] | None, str]:
    """Run pabutools now (slow); reuse its parsed profile across rules of the same file."""
    import importlib.util
    import signal

    if importlib.util.find_spec("pabutools") is None:
        return None, None, "pabutools not installed (pip install -e '.[reference]')"
    spec = importlib.util.spec_from_file_location(
        "make_pabutools_fixtures", ROOT / "bench" / "make_pabutools_fixtures.py"
    )
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    Timeout, _alarm, load, run_rule = fixtures.Timeout, fixtures._alarm, fixtures.load, fixtures.run_rule

    if cache.get("path") != path:
        cache.clear()
        cache.update(path=path, loaded=load(path), results={})
    instance, profile, support = cache["loaded"]
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    t0 = time.perf_counter()
    try:
        result = run_rule(name, instance, profile, support, cache["results"])
    except Timeout:
        return None, None, f"over {timeout} s"
    finally:
        signal.alarm(0)
    cache["results"][name] = result
    return time.perf_counter() - t0, sorted(p.name for p in result), ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="*", help="file names or stems (default: all, smallest first)")
    parser.add_argument("--rules", nargs="*", default=RULES)
    parser.add_argument("--reference-from-fixtures", action="store_true", help="use recorded pabutools timings")
    parser.add_argument("--timeout", type=int, default=660, help="seconds allowed to pabutools per rule")
    args = parser.parse_args(argv)
    files = sorted(DATA.glob("*.pb"), key=lambda p: p.stat().st_size)
    if args.files:
        files = [f for f in files if f.name in args.files or f.stem in args.files]
    print(
        f"{'file':46} {'voters':>7} {'rule':40} {'ours s':>8} {'ours cpu':>8} {'pabutools s':>11} {'ratio':>8} {'peak MB':>8}  note"
    )
    failures = []
    cache: dict = {}
    for path in files:
        election = pabulib.read(path)
        voters = len(election.votes)
        for name in args.rules:
            seconds, cpu, peak, selected = ours(election, name)
            if args.reference_from_fixtures:
                their_s, their_sel, note = theirs_recorded(path, name)
            else:
                their_s, their_sel, note = theirs_live(path, name, cache, args.timeout)
            ratio = their_s / seconds if their_s else None
            if their_sel is not None and their_sel != selected:
                note = "DIFFERENT OUTCOME " + note
                failures.append(f"{path.stem} {name}: outcome differs from pabutools")
            if ratio is not None and voters >= 10_000 and ratio < 100:
                failures.append(f"{path.stem} {name}: only {ratio:.0f}x")
            if path.stem == "Poland_Warszawa_2026" and name.startswith("equalshares/add1:") and seconds >= 2:
                failures.append(f"{path.stem} {name}: {seconds:.2f} s (goal < 2 s)")
            if peak >= 500:
                failures.append(f"{path.stem} {name}: peak {peak:.0f} MB")
            print(
                f"{path.stem[:46]:46} {voters:>7} {name:40} {seconds:>8.3f} {cpu:>8.3f} "
                f"{their_s if their_s is not None else '-':>11} {f'{ratio:.0f}x' if ratio else '-':>8} {peak:>8.1f}  {note}",
                flush=True,
            )
    print("\nGoals: " + ("all met." if not failures else "not met:\n  " + "\n  ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
