"""The Sortition Foundation's greedy method: quotas met, deterministic given the seed."""

from __future__ import annotations

import random

import pytest

from pbapp.core.sortition import InfeasibleError, SelectionFailed, legacy_distribution, legacy_panel

from .conftest import fixture_pool, meets_quotas


def test_panel_meets_quotas_and_is_reproducible():
    pool = fixture_pool("sfscot_22")
    panel = legacy_panel(pool, random.Random(7))
    assert meets_quotas(pool, panel)
    assert legacy_panel(pool, random.Random(7)) == panel


def test_households_include_and_exclude():
    pool = fixture_pool("households")
    for seed in range(20):
        panel = legacy_panel(pool, random.Random(seed), include=["h1"], exclude=["h7"])
        assert meets_quotas(pool, panel)
        assert "h1" in panel and "h2" not in panel and "h7" not in panel


def test_distribution_estimates_probabilities():
    pool = fixture_pool("example_small_20")
    dist = legacy_distribution(pool, seed=1, runs=50)
    assert sum(dist.probabilities) == pytest.approx(pool.panel_size)
    assert sum(dist.weights) == pytest.approx(1.0)
    first = [pool.people[i].id for i, c in enumerate(dist.panels[0]) if c]
    assert first == legacy_panel(pool, random.Random(1))
    assert dist.algorithm == "legacy"


def test_never_selectable_and_dead_ends():
    pool = fixture_pool("never_selected")
    dist = legacy_distribution(pool, runs=20)
    assert dist.probabilities[3] == 0.0
    with pytest.raises(SelectionFailed, match="no panel in 0 attempts"):
        legacy_panel(pool, random.Random(0), max_attempts=0)


def test_greedy_can_dead_end_and_retries():
    # p2 and p4 share a household: taking p4 early leaves no one for gb's minimum.
    from pbapp.core.sortition import parse_pool
    from pbapp.core.sortition.legacy import _Greedy

    features = "feature,value,min,max\ng,ga,0,3\ng,gb,1,1\nh,ha,1,2\nh,hb,0,3\n"
    people = "id,g,h,household\np0,ga,ha,H2\np1,ga,ha,H1\np2,gb,hb,H3\np3,gb,ha,H4\np4,ga,ha,H3\n"
    pool = parse_pool(features, people, 3)
    greedy = _Greedy(pool, (), ())
    outcomes = [greedy.attempt(random.Random(s)) for s in range(40)]
    assert None in outcomes
    for seed in range(10):
        assert meets_quotas(pool, legacy_panel(pool, random.Random(seed)))
    # Taking p2 removes housemates p0 and p3; a minimum can then run out of people.
    features = "feature,value,min,max\ng,ga,0,3\ng,gb,2,2\nh,ha,1,3\nh,hb,1,3\n"
    people = "id,g,h,household\np0,ga,ha,H3\np1,gb,hb,H0\np2,gb,hb,H3\np3,ga,hb,H3\np4,gb,ha,H2\n"
    pool = parse_pool(features, people, 3)
    assert _Greedy(pool, (), ()).attempt(random.Random(1)) is None
    assert meets_quotas(pool, legacy_panel(pool, random.Random(1)))


def test_infeasible_raises():
    with pytest.raises(InfeasibleError):
        legacy_panel(fixture_pool("infeasible"), random.Random(0))
