"""LEXIMIN: quotas met, probabilities right, equal to the reference on the shared instances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pbapp.core.sortition import InfeasibleError, leximin, parse_pool
from pbapp.core.sortition.leximin import LARGE_MASTER, _MasterLP

from .conftest import fixture_pool, meets_quotas


def panels_meet_quotas(dist) -> bool:
    """Return whether every panel of a distribution keeps the quotas."""
    pool = dist.pool
    for counts in dist.panels:
        ids = [pool.people[i].id for t, c in enumerate(counts) for i in dist.types.members[t][:c]]
        if not meets_quotas(pool, ids):
            return False
    return True


def test_example_small_gives_everyone_the_same_chance():
    dist = leximin(fixture_pool("example_small_20"))
    assert dist.probabilities == pytest.approx([0.1] * 200, abs=1e-6)
    assert math.isclose(sum(dist.weights), 1.0)
    assert panels_meet_quotas(dist)


def test_someone_who_can_never_sit_gets_zero_and_the_rest_share():
    dist = leximin(fixture_pool("never_selected"))
    assert dist.probabilities == pytest.approx([0.5, 0.5, 1.0, 0.0], abs=1e-6)
    assert dist.min_probability == pytest.approx(0.0, abs=1e-9)


def test_households_share_their_chances():
    pool = fixture_pool("households")
    dist = leximin(pool)
    assert panels_meet_quotas(dist)
    assert sum(dist.probabilities) == pytest.approx(pool.panel_size)
    assert dist.probabilities == pytest.approx([0.5, 0.5, 0.5, 0.5, 1.0, 0.5, 0.5], abs=1e-6)


def test_whole_pool_is_the_panel():
    features = "feature,value,min,max\ng,x,1,2\ng,y,1,2\n"
    dist = leximin(parse_pool(features, "id,g\na,x\nb,y\nc,x\n", 3))
    assert dist.probabilities == pytest.approx([1.0, 1.0, 1.0])


def test_included_and_excluded_people():
    pool = fixture_pool("households")
    dist = leximin(pool, include=["h6"], exclude=["h5"])
    probs = dict(zip(pool.ids, dist.probabilities, strict=True))
    assert probs["h6"] == pytest.approx(1.0) and probs["h5"] == 0.0
    assert sum(dist.probabilities) == pytest.approx(pool.panel_size)
    assert panels_meet_quotas(dist)


def test_infeasible_quotas_raise_with_the_report():
    with pytest.raises(InfeasibleError, match="gender 'female'") as info:
        leximin(fixture_pool("infeasible"))
    assert info.value.report.relaxation[0].value == "female"


def test_same_seed_same_distribution_and_seed_does_not_change_probabilities():
    pool = fixture_pool("households")
    a, b = leximin(pool, seed=3), leximin(pool, seed=3)
    assert (a.panels, a.weights) == (b.panels, b.weights)
    other = leximin(pool, seed=4, initial_rounds=0)
    assert other.probabilities == pytest.approx(a.probabilities, abs=1e-5)


@pytest.mark.parametrize(("rows", "multiplier"), [(LARGE_MASTER - 1, 1.0), (LARGE_MASTER, 0.1)])
def test_only_a_large_master_takes_the_smaller_bound_perturbation(rows, multiplier):
    # Large masters re-solve faster with it (gss16_75); small ones were slower (gss14_40).
    lp = _MasterLP(list(range(rows)), np.ones(rows))
    assert lp.h.getOptionValue("primal_simplex_bound_perturbation_multiplier")[1] == multiplier
