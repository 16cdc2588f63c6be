"""Ballot kinds: each rule broken gives its own error and a message a voter can act on."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pbapp.core.ballots import kinds
from pbapp.core.errors import InputError
from pbapp.messages import CATALOGUE

P = frozenset({"a", "b", "c", "d", "e", "f", "g"})
NAMES = {"a": "Park benches"}
APPROVAL = kinds.ApprovalSpec(P, min_choices=2, max_choices=5, names=NAMES)
KNAPSACK = kinds.KnapsackSpec({"a": 6200, "b": 6200, "c": 3000, "d": 800}, 10_000, min_share=Fraction(1, 2))
POINTS = kinds.CumulativeSpec(P, total_points=10, max_per_project=5, names=NAMES)
RANKED = kinds.RankedSpec(P, max_ranks=3)
ALLOCATION = kinds.AllocationSpec({"roads": (1000, 6000), "parks": (0, 5000), "libraries": (500, 4000)}, 10_000)


@pytest.mark.parametrize(
    ("spec", "ballot"),
    [
        (APPROVAL, ["a", "b"]),
        (APPROVAL, list("abcde")),
        (KNAPSACK, ["a", "c", "d"]),
        (POINTS, {"a": 5, "b": 5}),
        (POINTS, {"a": 0}),
        (RANKED, ["c", "a"]),
        (ALLOCATION, {"roads": 5000, "parks": 4500, "libraries": 500}),
        (kinds.CumulativeSpec(P, total_points=3, must_use_all=True), {"a": 3}),
    ],
)
def test_valid_ballots_pass(spec, ballot):
    spec.validate(ballot)


@pytest.mark.parametrize(
    ("spec", "ballot", "error", "message"),
    [
        (APPROVAL, list("abcdefg"), kinds.TooManyChoices, "You chose 7; you can choose up to 5."),
        (APPROVAL, ["a"], kinds.TooFewChoices, "You chose 1; choose at least 2."),
        (APPROVAL, ["a", "z"], kinds.UnknownProject, "There is no choice “z” on this ballot."),
        (APPROVAL, ["a", "a"], kinds.RepeatedProject, "You chose Park benches twice; choose each one once."),
        (KNAPSACK, ["a", "b"], kinds.OverBudget, "Your choices cost £12,400, which is £2,400 over the £10,000 budget."),
        (
            KNAPSACK,
            ["c", "d"],
            kinds.UnderSpent,
            "Your choices cost £3,800; spend at least £5,000 of the £10,000 budget.",
        ),
        (
            POINTS,
            {"a": 6},
            kinds.BadPoints,
            "You gave 6 points to Park benches; give no more than 5 points to one choice.",
        ),
        (POINTS, {"a": 5, "b": 5, "c": 2}, kinds.BadPoints, "You gave 12 points; you have 10 to give."),
        (POINTS, {"b": -1}, kinds.BadPoints, "Give b a whole number of points, 0 or more."),
        (POINTS, {"b": 1.5}, kinds.BadPoints, "Give b a whole number of points, 0 or more."),
        (
            kinds.CumulativeSpec(P, total_points=3, must_use_all=True),
            {"a": 1},
            kinds.BadPoints,
            "You gave 1 of 3 points; give them all.",
        ),
        (RANKED, list("abcd"), kinds.TooManyChoices, "You ranked 4; you can rank up to 3."),
        (RANKED, [], kinds.TooFewChoices, "You ranked 0; rank at least 1."),
        (
            ALLOCATION,
            {"roads": 500, "parks": 5000, "libraries": 4500},
            kinds.BadAllocation,
            "You gave roads £500; give it between £1,000 and £6,000.",
        ),
        (
            ALLOCATION,
            {"roads": 5000, "parks": 4000, "libraries": 500},
            kinds.BadAllocation,
            "Your amounts add up to £9,500; they must add up to £10,000 (£500 short).",
        ),
        (
            ALLOCATION,
            {"roads": 5000, "parks": 4000, "libraries": 1500.5},
            kinds.BadAllocation,
            "Your amounts add up to £10,500.50; they must add up to £10,000 (£500.50 over).",
        ),
        (ALLOCATION, {"sewers": 1}, kinds.UnknownProject, "There is no choice “sewers” on this ballot."),
    ],
)
def test_invalid_ballots_say_what_to_fix(spec, ballot, error, message):
    with pytest.raises(error) as err:
        spec.validate(ballot)
    assert str(err.value) == message
    assert isinstance(err.value, InputError)
    assert err.value.message.code in CATALOGUE  # a coded Message: the web layer says it in the reader's language


@pytest.mark.parametrize("bounds", [{"a": (5, 1)}, {"a": (0, 10)}, {"a": (20_000, 30_000)}])
def test_allocation_bounds_must_be_able_to_meet_the_total(bounds):
    with pytest.raises(kinds.BadAllocation):
        kinds.AllocationSpec(bounds, 10_000)
