"""Equal Shares with Add1, side by side: the engine before leaps, the engine now, pabutools (recorded).

Run from the repository root:

    .venv/bin/python bench/add1.py [--files Poland_Warszawa_2026 ...] [--utilities cost cardinality]

For each file and utility it reads the file once, then counts Add1 in this process with
`leap=False` (the engine as it was before issue 20's leaps) and with the default engine, in
turns, and prints each one's CPU seconds (`time.process_time`, so other work on the machine
does not count), how many counts each made, and whether both funded the same projects at the
same budget per voter. pabutools' seconds are those recorded in tests/fixtures/pabutools/ (its
full run where it finished, else the note of why it did not), never run here. The load average
is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pbapp.core.ballots import pabulib  # noqa: E402
from pbapp.core.ballots.election import Profile  # noqa: E402
from pbapp.core.ballots.equal_shares import equal_shares_add1  # noqa: E402

DATA = ROOT / ".." / "shared" / "data" / "pabulib"
FIXTURES = ROOT / "tests" / "fixtures" / "pabutools"
FILES = [
    "Poland_Warszawa_2021_Mokotow",
    "Poland_Warszawa_2023_Mokotow",
    "Poland_Warszawa_2024_Mokotow",
    "Poland_Warszawa_2026",
    "Poland_Wieliczka_2023_Green_Budget",
    "Hungary_Budapest_2024",
]


def cpu(profile: Profile, utility: str, leap: bool) -> tuple[float, object]:
    """Return the CPU seconds of one Add1 count and its outcome."""
    start = time.process_time()
    result = equal_shares_add1(profile, utility=utility, leap=leap)
    return time.process_time() - start, result


def pabutools(stem: str, utility: str) -> str:
    """pabutools' recorded Add1 seconds for a file, or why there is no full run."""
    path = FIXTURES / f"{stem}.json"
    if not path.exists():
        return "-"
    entry = json.loads(path.read_text())["rules"].get(f"equalshares/add1:{utility}", {})
    if entry.get("check") == "endpoint":
        return "no full run"
    return f"{entry['seconds']:.1f}" if "seconds" in entry else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="+", default=FILES)
    parser.add_argument("--utilities", nargs="+", default=["cost", "cardinality"])
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| file | utility | before CPU s (counts) | now CPU s (counts) | pabutools CPU s | same |")
    print("|---|---|---|---|---|---|")
    for stem in args.files:
        profile = Profile.of(pabulib.read(DATA / f"{stem}.pb"))
        for utility in args.utilities:
            before_s, before = cpu(profile, utility, leap=False)
            now_s, now = cpu(profile, utility, leap=True)
            same = (
                before.selected == now.selected
                and before.details["budget_per_voter"] == now.details["budget_per_voter"]
            )
            print(
                f"| {stem} | {utility} | {before_s:.2f} ({before.details['recounts']}) | "
                f"{now_s:.2f} ({now.details['recounts']}) | {pabutools(stem, utility)} | {'yes' if same else 'NO'} |",
                flush=True,
            )
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
