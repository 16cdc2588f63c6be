"""The Method of Equal Shares, its completions and the comparison step."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from pbapp.core.ballots import pabulib, tally
from pbapp.core.ballots.election import Election, Profile
from pbapp.core.ballots.equal_shares import EqualShares, equal_shares_add1

from .conftest import SHARED


def test_plain_equal_shares_funds_what_supporters_can_afford(tiny):
    outcome = tally(tiny, "equalshares")
    # Each voter holds 20.10; c costs nothing; a's three supporters pay 20 each; b's two
    # supporters hold 20.10 + 20.20, short of 40.50.
    assert outcome.selected == ["c", "a"]
    assert outcome.spent == 60
    a = outcome.explanations["a"]
    assert a.facts["payers"] == 3 and a.facts["share_per_unit"] == 20
    assert "3 paid 20 GBP each" in a.reason
    assert outcome.explanations["c"].reason == "Funded: it costs nothing and has supporters."
    b = outcome.explanations["b"]
    assert not b.funded and b.facts["supporters_money_left"] == 20.2
    assert "less than its cost of 40.50 GBP" in b.reason


def test_add1_raises_every_share_until_the_outcome_would_overspend(tiny):
    outcome = tally(tiny, "equalshares/add1")
    assert outcome.selected == ["c", "a", "b"]
    assert outcome.spent == tiny.budget
    # b becomes affordable once its supporters hold 2 x share - 20 >= 40.50: share 31.10.
    assert outcome.details["budget_per_voter"] == 31.1


def test_add1_keeps_the_last_outcome_that_fits():
    election = Election.build(100, {"X": 100, "Y": 50, "Z": 50}, [["X"], ["X"], ["Y", "Z"]])
    outcome = tally(election, "equalshares/add1")
    # At share 50.33, X then Y would be funded (150 > 100), so the last fitting count is kept.
    assert outcome.selected == []
    assert outcome.details["budget_per_voter"] == 49.333333
    assert outcome.details["recounts"] < 18
    every_step = equal_shares_add1(Profile.of(election), skip=False)
    assert every_step.selected == [] and every_step.details["recounts"] == 18


def test_comparison_lets_the_majority_choose_greedy():
    election = Election.build(100, {"X": 100, "Y": 50, "Z": 50}, [["X"], ["X"], ["Y", "Z"]])
    outcome = tally(election, "equalshares/add1-comparison")
    assert outcome.selected == ["X"]
    assert outcome.rule == "equalshares/add1-comparison"
    assert outcome.details["winner"] == "greedy"
    assert (
        outcome.details["prefer_greedy"],
        outcome.details["prefer_equal_shares"],
        outcome.details["indifferent"],
    ) == (2, 0, 1)


def test_comparison_keeps_equal_shares_on_a_tie(tiny):
    outcome = tally(tiny, "equalshares/add1-comparison")
    assert outcome.details["winner"] == "equalshares/add1"
    assert outcome.details["indifferent"] == 5


def test_greedy_completion_spends_what_is_left(tiny):
    outcome = tally(tiny, "equalshares/greedy")
    assert outcome.selected == ["c", "a", "b"]
    assert outcome.spent == tiny.budget
    election = Election.build(10, {"a": 7, "b": 3}, [["a"], ["a"], ["b"]])
    outcome = tally(election, "equalshares/greedy", utility="cardinality")
    assert outcome.selected == ["b", "a"]
    assert outcome.explanations["a"].reason.startswith("Funded in the greedy completion after Equal Shares")


def test_points_ballots_pay_in_proportion_to_points(tiny_points):
    outcome = tally(tiny_points, "equalshares")
    # x: v1 gives 3 points but holds only 3.33; v3 pays the rest, 1.67 per point.
    assert outcome.selected == ["x"]
    x = outcome.explanations["x"]
    assert "per point each" in x.reason and "1 paid all they had left" in x.reason
    assert outcome.explanations["y"].facts["supporters_money_left"] == 0


def test_unsupported_project_is_explained():
    election = Election.build(10, {"a": 5, "b": 5}, [["a"], ["a"]])
    outcome = tally(election, "equalshares")
    assert outcome.explanations["b"].reason == "Not funded: no one supported it."


def test_cardinality_and_cost_utilities_can_differ():
    election = Election.build(
        10,
        {"big": 6, "s1": 2, "s2": 2},
        [["big"], ["big"], ["big", "s1", "s2"], ["s1", "s2"]],
    )
    by_cost = tally(election, "equalshares", utility="cost").selected
    assert by_cost[0] == "big" and by_cost[1] in {"s1", "s2"} and len(by_cost) == 2
    assert sorted(tally(election, "equalshares", utility="cardinality").selected) == ["s1", "s2"]


def test_equal_ratios_are_a_reported_tie():
    election = Election.build(8, {"p": 5, "q": 5}, [["p", "q"], ["p", "q"]])
    outcome = tally(election, "equalshares")
    assert len(outcome.ties) == 1 and outcome.ties[0].decided_by == "lot"
    assert outcome.selected == [outcome.ties[0].chosen]


def test_no_voter_pays_more_than_their_share(assen):
    profile = Profile.of(assen)
    mes = EqualShares(profile)
    run = mes.run(Fraction(assen.budget, profile.n_voters))
    assert (run.remaining >= 0).all()
    paid = float(assen.budget) - (run.remaining * profile.weights).sum()
    assert paid == pytest.approx(float(run.cost(profile)))


def test_price_when_the_last_supporters_pay_all_they_have():
    election = Election.build(10, {"p": 10, "x": 1}, [["p"], ["p", "x"]])
    mes = EqualShares(Profile.of(election))
    # One supporter is poor: the rich one pays the rest, and with more money each the
    # price could fall by one unit per unit of growth.
    assert mes._price(0, np.array([3.0, 7.0])) == (7.0, -1.0)
    r, fall = mes._price(0, np.array([3.0, 7.0 - 1e-13]))
    assert r == pytest.approx(7.0) and fall == -np.inf
    assert mes._price(0, np.array([3.0, 6.0])) == (None, pytest.approx(0.5))
    assert mes._price(0, np.array([6.0, 6.0])) == (5.0, 0.0)


def test_price_stops_at_a_lower_bound_once_it_passes_enough():
    election = Election.build(30, {"p": 30, "a": 1, "b": 1}, [["p"], ["p", "a"], ["p", "b"]])
    mes = EqualShares(Profile.of(election))
    budgets = np.array([1.0, 12.0, 100.0])
    assert mes._price(0, budgets)[0] == 17.0
    # The first pass takes those with r0 = 10 or more as rich: (30 - 1) / 2 = 14.5, a lower bound.
    assert mes._price(0, budgets, enough=12.0) == (14.5, None)
    assert mes._price(0, budgets, enough=30.0) == mes._price(0, budgets)


def test_empty_election_and_unknown_utility():
    empty = Election.build(10, {"a": 5}, [])
    assert tally(empty, "equalshares").selected == []
    with pytest.raises(ValueError):
        EqualShares(Profile.of(empty), utility="joy")


def test_float_rounding_at_the_edge_never_overspends():
    # The budget is a hair under the cost, which floats cannot tell apart.
    budget = Fraction("33.33333333333333333333333333")
    election = Election.build(budget, {"free": 0, "p": Fraction(100, 3)}, [["free", "p"]])
    for rule in ("equalshares", "equalshares/add1"):
        assert tally(election, rule).selected == ["free"]
    assert equal_shares_add1(Profile.of(election), skip=False).selected == ["free"]


def test_add1_leaps_give_what_counting_every_step_gives_on_a_city_file():
    """Wieliczka 2023's Add1 (the rule it used), with and without leaps and skips: one outcome."""
    path = SHARED / "Poland_Wieliczka_2023_Green_Budget.pb"
    if not path.exists():
        pytest.skip("shared Pabulib data is absent")
    profile = Profile.of(pabulib.read(path))
    for utility in ("cost", "cardinality"):
        fast = equal_shares_add1(profile, utility=utility)
        every_step = equal_shares_add1(profile, utility=utility, skip=False)
        assert fast.selected == every_step.selected
        assert fast.details["budget_per_voter"] == every_step.details["budget_per_voter"]
