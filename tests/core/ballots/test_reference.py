"""Our outcomes against the cities' published results and against pabutools 1.2.3 (recorded)."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest

from pbapp.core.ballots import RULES, pabulib, tally
from pbapp.core.ballots.election import Profile

from .conftest import PABUTOOLS, SHARED, shared_files

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="shared Pabulib data is absent")


@lru_cache(maxsize=2)
def load(name: str):
    election = pabulib.read(SHARED / name)
    return election, Profile.of(election)


def city_cases():
    for path in shared_files():
        election = pabulib.read(path)
        if election.meta.get("rule") in RULES and "selected" in election.project_columns:
            yield pytest.param(path.name, election.meta["rule"], id=f"{path.stem}-{election.meta['rule']}")


def pabutools_cases():
    for fixture in sorted(PABUTOOLS.glob("*.json")):
        record = json.loads(fixture.read_text())
        if not (SHARED / record["file"]).exists():
            continue
        for name, entry in sorted(record["rules"].items()):
            if "selected" in entry:
                yield pytest.param(record["file"], name, entry["selected"], id=f"{fixture.stem}-{name}")


@pytest.mark.parametrize(("name", "rule"), list(city_cases()) if SHARED.is_dir() else [])
def test_reproduces_the_published_outcome(name, rule):
    election, profile = load(name)
    published = {p.id for p in election.projects if p.fields["selected"].strip() == "1"}
    assert set(tally(election, rule, profile=profile).selected) == published


@pytest.mark.parametrize(("name", "rule", "selected"), list(pabutools_cases()) if SHARED.is_dir() else [])
def test_agrees_with_pabutools(name, rule, selected):
    election, profile = load(name)
    rule, _, utility = rule.partition(":")
    assert sorted(tally(election, rule, utility=utility or "cost", profile=profile).selected) == selected
