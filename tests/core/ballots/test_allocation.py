"""Aggregating "balance the budget" ballots."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pbapp.core.ballots.allocation import independent_markets, mean_allocation
from pbapp.core.errors import CoreError

LINES = ["roads", "parks"]


def test_mean_is_exact_and_adds_up():
    ballots = [{"roads": 100, "parks": 0}, {"roads": 50, "parks": 50}, {"roads": 0, "parks": 100}]
    assert mean_allocation(LINES, ballots) == {"roads": 50, "parks": 50}
    assert mean_allocation(["a"], [{"a": 1}, {"a": 0}, {"a": 0}]) == {"a": Fraction(1, 3)}


def test_independent_markets_is_proportional_to_single_minded_groups():
    ballots = [{"roads": 90}, {"roads": 90}, {"parks": 90}]
    assert independent_markets(LINES, ballots, 90) == {"roads": 60, "parks": 30}


def test_independent_markets_resists_exaggeration_where_the_mean_does_not():
    honest = [{"roads": 60, "parks": 40}, {"roads": 40, "parks": 60}, {"roads": 50, "parks": 50}]
    exaggerated = [{"roads": 100, "parks": 0}] + honest[1:]
    assert mean_allocation(LINES, exaggerated)["roads"] > mean_allocation(LINES, honest)["roads"]
    assert independent_markets(LINES, exaggerated, 100)["roads"] <= 60


def test_bounds_are_kept_and_pennies_add_up():
    lines = ["a", "b", "c"]
    ballots = [{"a": 10, "b": 0, "c": 0}, {"a": 0, "b": 10, "c": 0}, {"a": 0, "b": 0, "c": 10}]
    result = independent_markets(lines, ballots, 10, bounds={"a": (0, 10), "b": (0, 10), "c": (2, 10)})
    assert sum(result.values()) == 10
    assert result["c"] >= 2
    assert all((value * 100).denominator == 1 for value in result.values())


def test_refuses_no_ballots_and_fractional_pennies():
    with pytest.raises(CoreError):
        mean_allocation(LINES, [])
    with pytest.raises(CoreError):
        independent_markets(LINES, [], 10)
    with pytest.raises(CoreError, match="whole number of pennies"):
        independent_markets(LINES, [{"roads": Fraction(1, 1000)}], Fraction(1, 1000))
