"""Rounding to a uniform lottery over M panels and drawing from it with a public number."""

from __future__ import annotations

import pytest

from pbapp.core.errors import CoreError
from pbapp.core.sortition import gini, leximin, round_lottery
from pbapp.core.sortition.lottery import number_from_seed

from .conftest import fixture_pool, meets_quotas


@pytest.fixture(scope="module")
def households():
    return leximin(fixture_pool("households"))


def test_lottery_panels_meet_quotas_and_track_the_distribution(households):
    pool = households.pool
    lottery = round_lottery(households, 1000)
    assert lottery.size == 1000
    assert all(meets_quotas(pool, p) for p in set(lottery.panels))
    assert list(lottery.panels) == sorted(lottery.panels)
    assert lottery.max_change <= 0.01
    assert lottery.min_probability == pytest.approx(households.min_probability, abs=0.01)
    assert sum(lottery.probabilities) == pytest.approx(pool.panel_size)


def test_small_lottery_spreads_seats_within_one(households):
    lottery = round_lottery(households, 7)
    counts = [round(p * 7) for p in lottery.probabilities]
    assert sum(counts) == 7 * households.pool.panel_size
    assert lottery.max_change <= 1 / 7 + 1e-9


def test_draw_picks_by_number(households):
    lottery = round_lottery(households, 10)
    assert lottery.draw(0) == lottery.panels[0]
    assert lottery.draw(9) == lottery.panels[9]
    with pytest.raises(CoreError, match="from 0 to 9"):
        lottery.draw(10)
    with pytest.raises(CoreError, match="at least one panel"):
        round_lottery(households, 0)


def test_number_from_seed_is_in_range_and_stable():
    assert [number_from_seed(s, 1000) for s in range(3)] == [97, 858, 619]
    assert number_from_seed(5, 0) == 0


def test_gini():
    assert gini([0.5, 0.5]) == 0.0
    assert gini([0.0, 1.0]) == pytest.approx(0.5)
    assert gini([]) == 0.0
    assert gini([0.0, 0.0]) == 0.0
