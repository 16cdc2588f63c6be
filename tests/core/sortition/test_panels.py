"""A single feasible panel from the integer program: quotas, households, include/exclude."""

from __future__ import annotations

import numpy as np

from pbapp.core.sortition import find_panel
from pbapp.core.sortition.panels import PanelModel, group_types

from .conftest import fixture_pool, meets_quotas


def test_finds_a_panel_that_meets_every_quota():
    pool = fixture_pool("sfscot_22")
    panel = find_panel(pool)
    assert meets_quotas(pool, panel)
    assert find_panel(pool) == panel


def test_at_most_one_person_per_household():
    pool = fixture_pool("households")
    panel = find_panel(pool, include=[0])
    assert meets_quotas(pool, panel)
    assert "h1" in panel and "h2" not in panel


def test_excluded_people_are_left_out_and_none_when_impossible():
    pool = fixture_pool("never_selected")
    assert find_panel(pool, exclude=[0]) == ["n2", "n3"]
    assert find_panel(pool, exclude=[0, 1]) is None
    assert find_panel(fixture_pool("infeasible")) is None


def test_interchangeable_people_are_merged_into_types():
    pool = fixture_pool("example_small_20")
    types = group_types(pool, set(), set())
    assert len(types.members) == 3
    assert sum(len(m) for m in types.members) == pool.size
    split = group_types(pool, {0}, {1}, merge=False)
    assert len(split.members) == pool.size - 1 and split.forced[0]


def test_best_panel_maximises_the_weights():
    pool = fixture_pool("never_selected")
    model = PanelModel(pool, merge=False)
    counts = model.best(np.array([0.0, 1.0, 0.5, 3.0]))
    assert model.people(counts) == [1, 2]
    assert model.objective() == 1.5
