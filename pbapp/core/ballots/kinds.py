"""Ballot kinds and their validation, with messages a voter can act on.

Each kind is a small frozen spec with `validate(ballot)`, which returns nothing for a valid
ballot and raises a specific `BallotError` subclass otherwise. Kinds (DESIGN §5): approval
(choose between a minimum and a maximum number of projects), knapsack (choices within the
budget, optionally spending a minimum share of it), cumulative points (a total to give, a
maximum per project), ranked (top k, in order) and allocation (split a total across budget
lines, each within its bounds). Money is shown with the spec's currency symbol.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from pbapp.core.ballots.election import Money
from pbapp.core.ballots.outcome import money_text
from pbapp.core.errors import InputError
from pbapp.core.messages import Message


class BallotError(InputError):
    """A ballot breaks a rule of its kind."""


class UnknownProject(BallotError):
    """The ballot names a project or budget line that is not on offer."""


class RepeatedProject(BallotError):
    """The ballot names a project twice."""


class TooFewChoices(BallotError):
    """Fewer projects chosen or ranked than the minimum."""


class TooManyChoices(BallotError):
    """More projects chosen or ranked than the maximum."""


class OverBudget(BallotError):
    """The chosen projects cost more than the budget."""


class UnderSpent(BallotError):
    """The chosen projects spend less than the required share of the budget."""


class BadPoints(BallotError):
    """Points are negative, not whole, or more than allowed in total or for one project."""


class BadAllocation(BallotError):
    """An allocation does not add up to the total or leaves a line outside its bounds."""


def _names(names: Mapping[str, str], pid: str) -> str:
    return names.get(pid, pid)


def _check_known(ids: Sequence[str], offered: Collection[str], names: Mapping[str, str]) -> None:
    seen: set[str] = set()
    for pid in ids:
        if pid not in offered:
            raise UnknownProject(Message("ballot.unknown", f"There is no choice “{pid}” on this ballot.", ref=pid))
        if pid in seen:
            name = _names(names, pid)
            raise RepeatedProject(
                Message("ballot.repeated", f"You chose {name} twice; choose each one once.", name=name)
            )
        seen.add(pid)


def _check_count(n: int, least: int, most: int | None, ranked: bool = False) -> None:
    # Counts without a noun: the same sentence fits projects, services and budget lines.
    if most is not None and n > most:
        raise TooManyChoices(
            Message("ballot.too_many_ranked", f"You ranked {n}; you can rank up to {most}.", count=n, most=most)
            if ranked
            else Message("ballot.too_many", f"You chose {n}; you can choose up to {most}.", count=n, most=most)
        )
    if n < least:
        raise TooFewChoices(
            Message("ballot.too_few_ranked", f"You ranked {n}; rank at least {least}.", count=n, least=least)
            if ranked
            else Message("ballot.too_few", f"You chose {n}; choose at least {least}.", count=n, least=least)
        )


@dataclass(frozen=True)
class ApprovalSpec:
    """Approve any projects, between `min_choices` and `max_choices` of them."""

    projects: frozenset[str]
    min_choices: int = 0
    max_choices: int | None = None
    names: Mapping[str, str] = field(default_factory=dict)

    def validate(self, ballot: Sequence[str]) -> None:
        """Raise a `BallotError` unless the ballot is a valid approval ballot."""
        _check_known(list(ballot), self.projects, self.names)
        _check_count(len(ballot), self.min_choices, self.max_choices)


@dataclass(frozen=True)
class KnapsackSpec:
    """Choose projects whose total cost fits the budget, spending at least `min_share` of it."""

    costs: Mapping[str, Money]
    budget: Money
    min_share: Fraction = Fraction(0)
    currency: str = "£"
    names: Mapping[str, str] = field(default_factory=dict)

    def validate(self, ballot: Sequence[str]) -> None:
        """Raise a `BallotError` unless the chosen projects fit the budget and spend enough."""
        _check_known(list(ballot), self.costs, self.names)
        total = sum((self.costs[pid] for pid in ballot), 0)
        cur = self.currency
        cost, budget = money_text(total, cur), money_text(self.budget, cur)
        if total > self.budget:
            over = money_text(total - self.budget, cur)
            raise OverBudget(
                Message(
                    "ballot.over_budget",
                    f"Your choices cost {cost}, which is {over} over the {budget} budget.",
                    cost=cost,
                    over=over,
                    budget=budget,
                )
            )
        least = Fraction(self.budget) * Fraction(self.min_share)
        if total < least:
            spend = money_text(least, cur)
            raise UnderSpent(
                Message(
                    "ballot.under_spent",
                    f"Your choices cost {cost}; spend at least {spend} of the {budget} budget.",
                    cost=cost,
                    least=spend,
                    budget=budget,
                )
            )


@dataclass(frozen=True)
class CumulativeSpec:
    """Give whole points to projects: at most `total_points` in all, `max_per_project` to one."""

    projects: frozenset[str]
    total_points: int
    max_per_project: int | None = None
    must_use_all: bool = False
    names: Mapping[str, str] = field(default_factory=dict)

    def validate(self, ballot: Mapping[str, int]) -> None:
        """Raise a `BallotError` unless the points are whole, non-negative and within the limits."""
        _check_known(list(ballot), self.projects, self.names)
        for pid, points in ballot.items():
            name = _names(self.names, pid)
            if points != int(points) or points < 0:
                raise BadPoints(
                    Message("points.not_whole", f"Give {name} a whole number of points, 0 or more.", name=name)
                )
            most = self.max_per_project
            if most is not None and points > most:  # so at least 2 points: the plural is always right
                raise BadPoints(
                    Message(
                        "points.too_many_for_one",
                        f"You gave {int(points)} points to {name}; give no more than {most} points to one choice.",
                        points=int(points),
                        name=name,
                        most=most,
                    )
                )
        total = int(sum(ballot.values()))
        if total > self.total_points:
            raise BadPoints(
                Message(
                    "points.over_total",
                    f"You gave {total} points; you have {self.total_points} to give.",
                    total=total,
                    most=self.total_points,
                )
            )
        if self.must_use_all and total < self.total_points:
            raise BadPoints(
                Message(
                    "points.not_all",
                    f"You gave {total} of {self.total_points} points; give them all.",
                    total=total,
                    most=self.total_points,
                )
            )


@dataclass(frozen=True)
class RankedSpec:
    """Rank your top `max_ranks` projects in order, at least `min_ranks` of them."""

    projects: frozenset[str]
    max_ranks: int
    min_ranks: int = 1
    names: Mapping[str, str] = field(default_factory=dict)

    def validate(self, ballot: Sequence[str]) -> None:
        """Raise a `BallotError` unless the ranking names known projects once each, within the limits."""
        _check_known(list(ballot), self.projects, self.names)
        _check_count(len(ballot), self.min_ranks, self.max_ranks, ranked=True)


@dataclass(frozen=True)
class AllocationSpec:
    """Split `total` across budget lines, each line between its (lowest, highest) bounds."""

    bounds: Mapping[str, tuple[Money, Money]]
    total: Money
    currency: str = "£"
    names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse bounds that no allocation could meet."""
        low = sum((lo for lo, _ in self.bounds.values()), 0)
        high = sum((hi for _, hi in self.bounds.values()), 0)
        if any(lo > hi for lo, hi in self.bounds.values()) or not low <= self.total <= high:
            raise BadAllocation(
                Message("allocation.impossible", "The budget lines’ limits cannot add up to the total.")
            )

    def validate(self, ballot: Mapping[str, Money]) -> None:
        """Raise a `BallotError` unless every line is within bounds and the lines add up to the total."""
        _check_known(list(ballot), self.bounds, self.names)
        cur = self.currency
        for line, (lo, hi) in self.bounds.items():
            amount = ballot.get(line, 0)
            if not lo <= amount <= hi:
                name, given = _names(self.names, line), money_text(amount, cur)
                low, high = money_text(lo, cur), money_text(hi, cur)
                raise BadAllocation(
                    Message(
                        "allocation.out_of_bounds",
                        f"You gave {name} {given}; give it between {low} and {high}.",
                        name=name,
                        amount=given,
                        low=low,
                        high=high,
                    )
                )
        total = sum(ballot.values(), 0)
        if total != self.total:
            given, target, gap = (
                money_text(total, cur),
                money_text(self.total, cur),
                money_text(abs(self.total - total), cur),
            )
            if total < self.total:
                raise BadAllocation(
                    Message(
                        "allocation.short",
                        f"Your amounts add up to {given}; they must add up to {target} ({gap} short).",
                        total=given,
                        target=target,
                        gap=gap,
                    )
                )
            raise BadAllocation(
                Message(
                    "allocation.over",
                    f"Your amounts add up to {given}; they must add up to {target} ({gap} over).",
                    total=given,
                    target=target,
                    gap=gap,
                )
            )
