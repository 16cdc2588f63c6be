"""Generate a volunteer pool and census-based quotas, for LEXIMIN benchmarks at national scale.

Six features. Sex, age and ethnicity use the shares of `pbapp/seed_data/uk` (Census 2021 for
one authority: adult age bands, and ethnic group weighted by each ward's adults); area groups
that authority's 17 wards into five areas by their adults. Housing tenure and highest
qualification use approximate England and Wales Census 2021 shares (rounded; tables TS054 and
TS067), since the seed data has no such columns.

Volunteers are not a sample of the population: answering an invitation is more likely for
older, degree-educated home owners, so some groups are short in the pool and some types are
rare. Ethnicity follows the ward; qualification and tenure follow age. Quotas are each
value's census share of the panel, rounded down and up, widened by one seat on each side.
Deterministic given the seed.

    .venv/bin/python bench/census_pool.py OUT_DIR --people 5000 --panel 100 [--seed 1]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "pbapp" / "seed_data" / "uk"

SEX = {"Female": 0.51, "Male": 0.49}
# Approximate England and Wales Census 2021 shares (rounded), households (TS054) and residents 16+ (TS067).
TENURE = {"Owner": 0.62, "Social rent": 0.17, "Private rent": 0.21}
QUALIFICATION = {"None": 0.18, "Level 1-2": 0.28, "Level 3": 0.17, "Level 4+": 0.34, "Other": 0.03}
AREAS = 5


def _census():
    """Return age shares, ward rows (adults, ethnic shares) and the area of each ward."""
    with (UK / "census2021_adults_age.csv").open(encoding="utf-8") as f:
        age = {r["age_band"]: float(r["count"]) for r in csv.DictReader(f)}
    with (UK / "census2021_wards.csv").open(encoding="utf-8") as f:
        wards = [
            (
                r["ward"],
                float(r["adults_18_plus"]),
                {
                    "White": float(r["white_pct"]),
                    "Asian": float(r["asian_pct"]),
                    "Black, Mixed or Other": float(r["other_pct"]),
                },
            )
            for r in csv.DictReader(f)
        ]
    total = sum(age.values())
    ages = {k: v / total for k, v in age.items()}
    area_of = {w[0]: f"Area {1 + i * AREAS // len(wards)}" for i, w in enumerate(wards)}
    return ages, wards, area_of


def _shares(ages, wards, area_of) -> dict[str, dict[str, float]]:
    adults = sum(w[1] for w in wards)
    ethnic: dict[str, float] = {}
    area: dict[str, float] = {}
    for name, n, mix in wards:
        s = sum(mix.values())
        for k, v in mix.items():
            ethnic[k] = ethnic.get(k, 0.0) + n / adults * v / s
        area[area_of[name]] = area.get(area_of[name], 0.0) + n / adults
    return {
        "sex": SEX,
        "age": ages,
        "ethnicity": ethnic,
        "area": area,
        "tenure": TENURE,
        "qualification": QUALIFICATION,
    }


def generate(people: int, panel: int, seed: int = 1) -> tuple[list[dict], list[tuple[str, str, int, int]]]:
    """Return (volunteers, quota rows) for a pool of `people` and a panel of `panel`."""
    rng = np.random.default_rng(seed)
    ages, wards, area_of = _census()
    shares = _shares(ages, wards, area_of)
    age_names = list(ages)
    # Self-selection: older bands answer more often (weights per band, young to old).
    age_p = np.array([ages[a] for a in age_names]) * np.array([0.5, 0.7, 0.9, 1.2, 1.6, 1.1])
    age_p /= age_p.sum()
    ward_p = np.array([w[1] for w in wards])
    ward_p /= ward_p.sum()
    rows = []
    for i in range(people):
        a = int(rng.choice(len(age_names), p=age_p))
        w = wards[int(rng.choice(len(wards), p=ward_p))]
        mix = np.array(list(w[2].values()))
        eth = list(w[2])[int(rng.choice(3, p=mix / mix.sum()))]
        # Older volunteers own more often; degree holders answer more often, less so over 65.
        own = TENURE["Owner"] * (0.6 + 0.2 * a)
        ten_p = np.array([own, TENURE["Social rent"], TENURE["Private rent"] * (1.8 - 0.3 * a if a < 5 else 0.3)])
        ten_p = np.clip(ten_p, 0.01, None)
        qual_p = np.array([QUALIFICATION[q] for q in QUALIFICATION]) * np.array(
            [0.4 + 0.15 * a, 1.0, 1.0, 1.9 - 0.15 * a, 1.0]
        )
        rows.append(
            {
                "id": f"V{i + 1:05d}",
                "sex": list(SEX)[int(rng.random() < 0.47)],
                "age": age_names[a],
                "ethnicity": eth,
                "area": area_of[w[0]],
                "tenure": list(TENURE)[int(rng.choice(3, p=ten_p / ten_p.sum()))],
                "qualification": list(QUALIFICATION)[int(rng.choice(5, p=qual_p / qual_p.sum()))],
            }
        )
    quotas = []
    for feature, values in shares.items():
        for value, share in values.items():
            target = share * panel
            quotas.append((feature, value, max(0, math.floor(target) - 1), math.ceil(target) + 1))
    return rows, quotas


def write(out: Path, people: int, panel: int, seed: int = 1) -> Path:
    """Write the instance directory (features.csv, people.csv, instance.json); return it."""
    rows, quotas = generate(people, panel, seed)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "features.csv").open("w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["feature", "value", "min", "max"])
        wr.writerows(quotas)
    with (out / "people.csv").open("w", encoding="utf-8", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        wr.writeheader()
        wr.writerows(rows)
    (out / "instance.json").write_text(
        json.dumps(
            {
                "panel_size": panel,
                "notes": f"synthetic pool from census marginals: bench/census_pool.py --people {people} --panel {panel} --seed {seed}",
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    return out


def main(argv: list[str]) -> int:
    """Write one generated instance."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--panel", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    write(args.out, args.people, args.panel, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
