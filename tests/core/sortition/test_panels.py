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


def test_dive_finds_a_panel_and_leaves_the_model_as_it_was():
    pool = fixture_pool("sfscot_22")
    model = PanelModel(pool)
    rng = np.random.default_rng(5)
    for _ in range(5):
        w = rng.uniform(0.0, 1.0, model.nt)
        bound, _ = model.relaxed(w)
        heaviest = model.best(w)
        counts = model.dive(w)
        assert counts is not None and model.is_panel(counts)
        assert meets_quotas(pool, [pool.people[i].id for i in model.people(counts)])
        assert w @ counts <= w @ heaviest + 1e-9
        # The dive restores every bound it tightened, so the relaxation is unchanged.
        assert abs(model.relaxed(w)[0] - bound) < 1e-9


def test_improve_stops_at_a_panel_above_the_cutoff_or_proves_there_is_none():
    pool = fixture_pool("sfscot_22")
    model = PanelModel(pool)
    w = np.random.default_rng(6).uniform(0.0, 1.0, model.nt)
    best = float(w @ model.best(w))
    bound, counts = model.improve(w, best - 0.5)
    assert counts is not None and model.is_panel(counts)
    assert w @ counts > best - 0.5 and bound >= best - 1e-9
    assert model.improve(w, best + 1e-6) == (best + 1e-6, None)
    # The solution limit is lifted again: an exact solve still finds the heaviest panel.
    assert float(w @ model.best(w)) == best
