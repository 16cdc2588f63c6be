"""Whole `pbapp tally` processes against whole pabutools 1.2.3 processes, side by side.

Run from the repository root (pabutools comes with the `reference` extra):

    .venv/bin/python bench/whole_process.py [--files Poland_Lodz_2022 ...] [--rules greedy ...] [--repeat 5]

For each file and rule it starts, in turn, the installed command's entry point
(`pbapp tally FILE --rule RULE --json`, a new Python process: start-up, reading, compressing,
counting and printing) and a new Python process that reads the file with pabutools'
`parse_pabulib` and counts it with the same rule as bench/make_pabutools_fixtures.py asks it
(our tie order; greedy without META's threshold, so ours is given `--threshold 0`). It prints
the CPU seconds of each child process (user + system, from the kernel's accounting, so other
work on the machine does not count), their wall seconds, the ratio of CPU seconds, and whether
both selected the same projects. Ours is run `--repeat` times and the median kept; pabutools
once (tens of seconds a rule). The load average is printed at the start and the end.

Before timing, pbapp's modules are compiled to bytecode (`compileall`), as pip compiles an
installed package's and has compiled pabutools' and numpy's: a checkout run with
PYTHONDONTWRITEBYTECODE set would otherwise compile pbapp's sources in every process (0.02-0.04 s
of CPU). `--source` deletes pbapp's bytecode instead, to time such a checkout.

Goal (issue 20): at least 100x by CPU on Poland_Lodz_2022 for greedy, Equal Shares and Phragmén.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "pabulib"
OURS = "import sys; from pbapp.launch import main; sys.argv[0] = 'pbapp'; sys.exit(main())"


def timed(command: list[str]) -> tuple[float, float, str]:
    """Run a command; return its CPU seconds (user + system), wall seconds and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:3])}... failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stdout


def ours(path: Path, name: str) -> tuple[float, float, list[str]]:
    rule, _, utility = name.partition(":")
    command = [sys.executable, "-c", OURS, "tally", str(path), "--rule", rule, "--json", "--threshold", "0"]
    if utility:
        command += ["--utility", utility]
    cpu, wall, out = timed(command)
    return cpu, wall, sorted(json.loads(out)["selected"])


def theirs(path: Path, name: str) -> tuple[float, float, list[str]]:
    cpu, wall, out = timed([sys.executable, str(Path(__file__).resolve()), "--pabutools-child", str(path), name])
    return cpu, wall, json.loads(out)


def pabutools_child(path: str, name: str) -> None:
    """In a fresh process: parse with pabutools and count, printing the sorted selection."""
    sys.path.insert(0, str(ROOT / "bench"))
    from make_pabutools_fixtures import load, run_rule

    instance, profile, support = load(Path(path))
    chosen = run_rule(name, instance, profile, support, {})
    print(json.dumps(sorted(p.name for p in chosen)))


def compile_pbapp(source: bool) -> None:
    """Compile pbapp to bytecode, as installing a package does, or delete its bytecode (`source`)."""
    if source:
        for compiled in (ROOT / "pbapp").rglob("__pycache__/*.pyc"):
            compiled.unlink()
        return
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "pbapp")], check=True, stdout=subprocess.DEVNULL
    )


def ours_only(args) -> None:
    """Time our whole command on many files: the goal is under 0.3 s of CPU on every shared file."""
    stems = args.files if "--files" in sys.argv else sorted(p.stem for p in DATA.glob("*.pb"))
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    helped = statistics.median(
        timed([sys.executable, "-c", OURS, "tally", "--help"])[0] for _ in range(max(args.repeat, 5))
    )
    print(f"{'pbapp tally --help':<55} {helped:.3f}")
    worst = (0.0, "")
    for stem in stems:
        cells = []
        for name in args.rules:
            cpu = statistics.median(ours(DATA / f"{stem}.pb", name)[0] for _ in range(args.repeat))
            worst = max(worst, (cpu, f"{stem} {name}"))
            cells.append(f"{name} {cpu:.3f}")
        print(f"{stem:<55} " + "  ".join(cells), flush=True)
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"slowest: {worst[1]} at {worst[0]:.3f} s of CPU (goal: under 0.3 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", nargs="*", default=["Poland_Lodz_2022"])
    parser.add_argument("--rules", nargs="*", default=["greedy", "equalshares:cost", "phragmen"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--ours-only", action="store_true", help="Time only our command (every shared file unless --files is given)."
    )
    parser.add_argument("--source", action="store_true", help="Time pbapp compiled from source in each process.")
    parser.add_argument("--pabutools-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pabutools_child:
        pabutools_child(*args.pabutools_child)
        return
    compile_pbapp(args.source)
    if args.ours_only:
        ours_only(args)
        return
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"{'file':<28} {'rule':<18} {'ours CPU s':>10} {'ours wall s':>11} {'pabutools CPU s':>15} "
        f"{'pabutools wall s':>16} {'ratio (CPU)':>11}  same outcome"
    )
    ratios = []
    for stem in args.files:
        path = DATA / f"{stem}.pb"
        for name in args.rules:
            runs = [ours(path, name) for _ in range(args.repeat)]
            cpu = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            t_cpu, t_wall, t_selected = theirs(path, name)
            ratio = t_cpu / cpu
            ratios.append(ratio)
            same = all(r[2] == t_selected for r in runs)
            print(
                f"{stem:<28} {name:<18} {cpu:>10.3f} {wall:>11.3f} {t_cpu:>15.2f} {t_wall:>16.2f} "
                f"{ratio:>10.0f}x  {'yes' if same else 'NO'}",
                flush=True,
            )
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"lowest ratio: {min(ratios):.0f}x (goal: at least 100x)")


if __name__ == "__main__":
    main()
