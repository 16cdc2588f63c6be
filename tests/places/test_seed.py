"""The demo place's figure files: each parses cleanly and reconciles to its Total row, as an officer's upload must."""

from __future__ import annotations

import csv

import pytest

from pbapp.core.places import parse_body_budget, parse_percent
from pbapp.places.seed import WRITTEN_YEARS
from pbapp.datafiles import seed_file


def _rows(name, folder="places"):
    with open(seed_file(f"{folder}/{name}"), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("source", _rows("sources.csv"), ids=lambda s: f"{s['key']}_{s['year']}")
def test_every_seed_budget_is_a_clean_import_with_a_named_source(source):
    with open(seed_file(f"places/{source['key']}_{source['year']}.csv"), encoding="utf-8") as handle:
        parsed = parse_body_budget(handle.read(), thousands=True)
    assert parsed.clean, parsed.errors
    assert source["year"] in WRITTEN_YEARS and source["source_title"]


def test_the_council_line_totals_are_the_revenue_account_budget():
    ra = {r["ra_line"]: int(r["net_gbp_thousands"]) for r in _rows("ra_budget_2026_27.csv", "uk")}
    with open(seed_file("places/council_2026-27.csv"), encoding="utf-8") as handle:
        parsed = parse_body_budget(handle.read(), thousands=True)
    assert {line.service_line: line.amount // 100_000 for line in parsed.lines} == {k: v for k, v in ra.items() if v}


def test_seed_shares_name_real_lines_and_never_exceed_100_percent():
    budgets = {}
    for source in _rows("sources.csv"):
        with open(seed_file(f"places/{source['key']}_{source['year']}.csv"), encoding="utf-8") as handle:
            budgets.setdefault(source["key"], set()).update(
                line.service_line for line in parse_body_budget(handle.read(), thousands=True).lines
            )
    totals = {}
    for row in _rows("outcome_areas.csv"):
        assert row["service_line"] in budgets[row["key"]], row
        key = (row["key"], row["service_line"])
        totals[key] = totals.get(key, 0) + parse_percent(row["percent"])
    assert max(totals.values()) <= 10_000
    assert len({row["area"] for row in _rows("outcome_areas.csv")}) == 2
