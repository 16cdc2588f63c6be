"""Our outcomes against the cities' published results and against pabutools 1.2.3 (recorded).

One test per shared file reads it once and checks every recorded rule, so the suite stays
within its time budget; a failure lists each rule that disagrees.
"""

from __future__ import annotations

import copy
import importlib
import json

import pytest

from pbapp.core import ballots
from pbapp.core.ballots import RULES, pabulib, tally
from pbapp.core.ballots.election import Profile

from .conftest import PABUTOOLS, SHARED, shared_files

# The module, not the function of the same name that pbapp.core.ballots exports.
equal_shares = importlib.import_module("pbapp.core.ballots.equal_shares")

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="shared Pabulib data is absent")


def recorded(name: str) -> dict[str, list[str]]:
    """Return pabutools' recorded selections for a file, by rule (skipped rules left out)."""
    path = PABUTOOLS / (name.removesuffix(".pb") + ".json")
    if not path.exists():
        return {}
    rules = json.loads(path.read_text())["rules"]
    return {rule: entry["selected"] for rule, entry in rules.items() if "selected" in entry}


@pytest.fixture
def add1_counted_once(monkeypatch):
    """Count Add1 once per profile and settings within a test.

    The city's rule, `equalshares/add1` and the comparison rule (which runs Add1, then greedy) each
    counted Add1 with the same arguments: Budapest 2024, Toulouse 2022, Wieliczka and the Mokotów
    files took 108.6 s of CPU, and 53.8 s counting it once. Each caller gets its own copy, as the
    comparison rule relabels the outcome it returns.
    """
    counted = {}
    count = equal_shares.equal_shares_add1

    def once(profile, **settings):
        key = (id(profile), tuple(sorted(settings.items())))
        if key not in counted:
            counted[key] = count(profile, **settings)
        return copy.deepcopy(counted[key])

    monkeypatch.setattr(equal_shares, "equal_shares_add1", once)  # what the comparison rule calls
    monkeypatch.setattr(ballots, "equal_shares_add1", once)  # what `tally` calls for equalshares/add1
    return counted


@pytest.mark.parametrize("path", shared_files(), ids=lambda p: p.stem)
def test_outcomes_match_the_city_and_pabutools(path, add1_counted_once):
    election = pabulib.read(path)
    profile = Profile.of(election)
    wrong = {}
    city_rule = election.meta.get("rule")
    if city_rule in RULES and "selected" in election.project_columns:
        published = sorted(p.id for p in election.projects if p.fields["selected"].strip() == "1")
        ours = sorted(tally(election, city_rule, profile=profile).selected)
        if ours != published:
            wrong[f"city {city_rule}"] = (ours, published)
    for name, selected in recorded(path.name).items():
        rule, _, utility = name.partition(":")
        # pabutools' greedy knows no META threshold (bench/make_pabutools_fixtures.py applies it
        # for greedy-threshold only); ours applies it under every greedy rule, as Pabulib does.
        threshold = 0 if rule in ("greedy", "greedy-no-skip") else None
        ours = sorted(tally(election, rule, utility=utility or "cost", profile=profile, threshold=threshold).selected)
        if ours != selected:
            wrong[f"pabutools {name}"] = (ours, selected)
    assert not wrong


def test_add1_end_points_checked_by_pabutools_fit_and_stop():
    """Where pabutools cannot finish Add1, its two counts at our stopping point must agree with it.

    bench/make_pabutools_fixtures.py --endpoint: pabutools' count at our final budget per voter
    fits the real budget, and its count one unit above overspends (or funds every supported project).
    """
    checked = 0
    for path in sorted(PABUTOOLS.glob("*.json")):
        for name, entry in json.loads(path.read_text())["rules"].items():
            if entry.get("check") == "endpoint" and name.startswith("equalshares/add1:"):
                assert entry["fits"] and entry["next_overspends"], (path.name, name)
                checked += 1
    assert checked, "no Add1 end-point checks are recorded"
