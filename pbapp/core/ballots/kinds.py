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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _names(names: Mapping[str, str], pid: str) -> str:
    return names.get(pid, pid)


def _check_known(ids: Sequence[str], offered: Collection[str], names: Mapping[str, str], what: str = "project") -> None:
    seen: set[str] = set()
    for pid in ids:
        if pid not in offered:
            raise UnknownProject(f"There is no {what} {pid!r} on this ballot.")
        if pid in seen:
            raise RepeatedProject(f"You chose {_names(names, pid)} twice; choose each {what} once.")
        seen.add(pid)


def _check_count(n: int, least: int, most: int | None, verb: str = "chose", base: str = "choose") -> None:
    if most is not None and n > most:
        raise TooManyChoices(f"You {verb} {_plural(n, 'project')}; {base} at most {most}.")
    if n < least:
        raise TooFewChoices(f"You {verb} {_plural(n, 'project')}; {base} at least {least}.")


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
        if total > self.budget:
            raise OverBudget(
                f"Your choices cost {money_text(total, cur)}, which is {money_text(total - self.budget, cur)} "
                f"over the {money_text(self.budget, cur)} budget."
            )
        least = Fraction(self.budget) * Fraction(self.min_share)
        if total < least:
            raise UnderSpent(
                f"Your choices cost {money_text(total, cur)}; spend at least {money_text(least, cur)} "
                f"of the {money_text(self.budget, cur)} budget."
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
            if points != int(points) or points < 0:
                raise BadPoints(f"Give {_names(self.names, pid)} a whole number of points, 0 or more.")
            if self.max_per_project is not None and points > self.max_per_project:
                raise BadPoints(
                    f"You gave {_plural(int(points), 'point')} to {_names(self.names, pid)}; "
                    f"give at most {self.max_per_project} to one project."
                )
        total = int(sum(ballot.values()))
        if total > self.total_points:
            raise BadPoints(f"You gave {_plural(total, 'point')}; you have {self.total_points} to give.")
        if self.must_use_all and total < self.total_points:
            raise BadPoints(f"You gave {_plural(total, 'point')}; give all {self.total_points}.")


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
        _check_count(len(ballot), self.min_ranks, self.max_ranks, verb="ranked", base="rank")


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
            raise BadAllocation("The budget lines' bounds cannot add up to the total.")

    def validate(self, ballot: Mapping[str, Money]) -> None:
        """Raise a `BallotError` unless every line is within bounds and the lines add up to the total."""
        _check_known(list(ballot), self.bounds, self.names, what="budget line")
        cur = self.currency
        for line, (lo, hi) in self.bounds.items():
            amount = ballot.get(line, 0)
            if not lo <= amount <= hi:
                raise BadAllocation(
                    f"You gave {_names(self.names, line)} {money_text(amount, cur)}; give it between "
                    f"{money_text(lo, cur)} and {money_text(hi, cur)}."
                )
        total = sum(ballot.values(), 0)
        if total != self.total:
            gap = self.total - total
            side = f"{money_text(gap, cur)} short" if gap > 0 else f"{money_text(-gap, cur)} over"
            raise BadAllocation(
                f"Your amounts add up to {money_text(total, cur)}; they must add up to "
                f"{money_text(self.total, cur)} ({side})."
            )
