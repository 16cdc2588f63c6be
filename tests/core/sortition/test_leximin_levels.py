"""LEXIMIN is exact at every level, not only the lowest: each level's LP re-solved from scratch.

`verify.verify_levels` takes the sorted probabilities level by level and, with the exact
panel integer program as pricing, proves how far any volunteer of a level could rise while
the levels below keep theirs and everyone else stays at least at the level: an exact
LEXIMIN distribution leaves no room (1e-6) at any level, so every rank is right.
Against the recorded reference runs (sortition-algorithms), the lowest level, those near it
and the zeros agree (tests/core/sortition/test_selection.py); where a recording holds every
rank (`sorted_probabilities`, recorded from now on), ours is compared at every rank too.
"""

from __future__ import annotations

import pytest

from pbapp.core.sortition import leximin, parse_pool
from pbapp.core.sortition.leximin import Distribution, person_probabilities
from pbapp.core.sortition.verify import levels, verify_levels

from .conftest import FIXTURES, REFERENCE, SELECTION_SEED, fixture_pool, shared_params, shared_pool

EXACT = 1e-6
# The reference fixes each level 1e-4 below its LP value (its own precision), then goes on.
REFERENCE_PRECISION = 1e-4


def _assert_exact(dist) -> None:
    checks = verify_levels(dist)
    assert checks, "no level to check"
    worst = max(checks, key=lambda c: c.excess)
    assert worst.excess <= EXACT, f"a volunteer at level {worst.value:.6f} could rise by {worst.excess:.3g}"


def _assert_not_behind_reference(name: str, probs) -> None:
    import json

    path = REFERENCE / f"{name}.json"
    rec = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    ranks = rec.get("sorted_probabilities")
    if not ranks:
        return
    ours = sorted(probs)
    assert len(ours) == len(ranks)
    for rank, (a, b) in enumerate(zip(ours, ranks, strict=True)):
        if abs(a - b) > REFERENCE_PRECISION:
            assert a > b, f"rank {rank}: ours {a:.6f} below the reference's {b:.6f}"
            return


@pytest.mark.xdist_group("shared-leximin")
@pytest.mark.parametrize("name", shared_params())
def test_every_level_is_exact_on_the_shared_pools(name, shared_leximin):
    # The distribution the selections use (computed once per run): the seed only steers which
    # panels are found, the probabilities are LEXIMIN's unique ones whatever it is.
    dist = shared_leximin(name, shared_pool(name), SELECTION_SEED)
    _assert_exact(dist)
    _assert_not_behind_reference(name, dist.probabilities)


@pytest.mark.parametrize("name", ["households", "never_selected", "sfscot_22"])
def test_every_level_is_exact_on_the_small_pools(name):
    _assert_exact(leximin(fixture_pool(name)))


def test_every_level_is_exact_with_people_included_and_excluded():
    pool = fixture_pool("sfscot_22")
    include, exclude = [pool.ids[0], pool.ids[5]], [pool.ids[1]]
    dist = leximin(pool, include=include, exclude=exclude)
    checks = verify_levels(dist, include=include, exclude=exclude)
    assert max(c.excess for c in checks) <= EXACT


def test_the_check_finds_a_distribution_that_is_not_leximin():
    pool = fixture_pool("sfscot_22")
    dist = leximin(pool)
    eps = 1e-3  # move a thousandth of the weight onto one panel: some level can then rise
    weights = tuple(w * (1 - eps) + (eps if j == 0 else 0.0) for j, w in enumerate(dist.weights))
    tilted = Distribution(
        pool,
        dist.types,
        dist.panels,
        weights,
        person_probabilities(pool, dist.types, dist.panels, weights),
        "tilted",
        "test",
    )
    assert max(c.excess for c in verify_levels(tilted)) > 1e-4


def test_levels_group_equal_probabilities_lowest_first():
    features = "feature,value,min,max\ng,x,1,1\ng,y,1,1\n"
    dist = leximin(parse_pool(features, "id,g\na,x\nb,y\nc,y\n", 2))
    assert [(round(v, 6), len(ts)) for v, ts in levels(dist)] == [(0.5, 1), (1.0, 1)]
    assert [c.excess for c in verify_levels(dist)] == pytest.approx([0.0, 0.0], abs=1e-9)


def test_a_shared_distribution_reads_back_as_computed(monkeypatch, shared_leximin):
    """The run's shared LEXIMIN file gives back the very distribution that was computed."""
    from . import conftest

    monkeypatch.setattr(conftest, "SHARED", FIXTURES)
    pool = fixture_pool("sfscot_22")
    computed = shared_leximin("sfscot_22", pool, 5)
    read_back = shared_leximin("sfscot_22", pool, 5)
    assert read_back is not computed
    assert read_back == computed
