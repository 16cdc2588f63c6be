"""The budget simulator: move budget lines in steps, keep the budget balanced, and summarise the ballots.

A simulator ballot starts from the current net budget of some lines (integer pence). Each line may
move by a whole percentage within limits, in steps (say -10% to +10% in steps of 5%), and an
optional council-tax lever moves Band D by whole percentages. A ballot is a mapping from line refs
(and "tax") to the percentage chosen; a line left out is kept as it is (0%).

A ballot balances when the money the moved lines need is no more than the money available plus
what the council-tax change raises (a cut in council tax raises less). Money is integer pence; a
line's change is its current amount times the percentage, rounded to the nearest penny.

`summarise` is the count: per line (and for the lever) how many chose each step, the mean and
median step, and the share who cut, kept or raised it, with the mean change in pence. It is exact
and deterministic: the same ballots always give the same summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from statistics import median
from typing import Any

from pbapp.core.ballots.kinds import BallotError, UnknownProject
from pbapp.core.ballots.outcome import money_text
from pbapp.core.errors import CoreError
from pbapp.core.messages import Message

TAX = "tax"


class BadStep(BallotError):
    """A line or the council-tax lever is moved by a step that is not on offer."""


class Unbalanced(BallotError):
    """The chosen changes spend more than the money available."""


def steps_between(lowest: int, highest: int, step: int) -> tuple[int, ...]:
    """The percentages on offer from `lowest` to `highest` in `step`s, always including 0 (no change)."""
    if step <= 0:
        raise CoreError("The step must be a whole percentage of 1 or more.")
    if lowest > 0 or highest < 0:
        raise CoreError("The limits must allow keeping the line as it is (0%).")
    if lowest < -100:
        raise CoreError("A line cannot be cut by more than 100%.")
    if lowest % step or highest % step:
        raise CoreError("The limits must be whole steps from 0%.")
    return tuple(range(lowest, highest + 1, step))


def change_pence(current_pence: int, percent: int) -> int:
    """What moving a line by `percent` adds to (or takes from) it, to the nearest penny."""
    return round(Fraction(current_pence * percent, 100))


@dataclass(frozen=True)
class SimLine:
    """A budget line on the simulator: its current net amount and the percentages it may move by."""

    ref: str
    title: str
    current_pence: int
    steps: tuple[int, ...]


@dataclass(frozen=True)
class TaxLever:
    """Council tax: Band D in pence, the tax base in Band D equivalent homes, and the steps on offer."""

    band_d_pence: int
    tax_base: int
    steps: tuple[int, ...]

    def revenue_pence(self, percent: int) -> int:
        """What a change of `percent` in Band D raises in a year (negative for a cut)."""
        return round(Fraction(self.band_d_pence * self.tax_base * percent, 100))

    def household_pence(self, percent: int) -> int:
        """What a change of `percent` costs a Band D home in a year (negative: it saves)."""
        return change_pence(self.band_d_pence, percent)


@dataclass(frozen=True)
class Balance:
    """Where a ballot leaves the budget: spending against money available, and the gap."""

    spending_pence: int
    available_pence: int
    tax_pence: int
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def funding_pence(self) -> int:
        return self.available_pence + self.tax_pence

    @property
    def gap_pence(self) -> int:
        """Money still to find (positive) or left over (negative)."""
        return self.spending_pence - self.funding_pence

    @property
    def balanced(self) -> bool:
        return self.gap_pence <= 0


@dataclass(frozen=True)
class SimulatorSpec:
    """A simulator ballot's lines, the money available for them and the optional council-tax lever."""

    lines: Mapping[str, SimLine]
    available_pence: int
    tax: TaxLever | None = None
    currency: str = "£"

    def __post_init__(self) -> None:
        if len(self.lines) < 1:
            raise CoreError("A budget simulator needs at least one budget line.")
        lowest = sum(
            line.current_pence + change_pence(line.current_pence, min(line.steps)) for line in self.lines.values()
        )
        most_tax = self.tax.revenue_pence(max(self.tax.steps)) if self.tax else 0
        if lowest > self.available_pence + most_tax:
            raise BadStep(
                Message(
                    "simulator.impossible",
                    "Even the deepest cuts on offer cannot balance this "
                    "budget: allow bigger cuts, a bigger council-tax rise or more money.",
                )
            )

    def balance(self, ballot: Mapping[str, int]) -> Balance:
        """The balance of a ballot (checked or not): missing lines are kept as they are."""
        changes = {
            ref: change_pence(line.current_pence, int(ballot.get(ref, 0) or 0)) for ref, line in self.lines.items()
        }
        spending = sum(line.current_pence for line in self.lines.values()) + sum(changes.values())
        tax = self.tax.revenue_pence(int(ballot.get(TAX, 0) or 0)) if self.tax else 0
        return Balance(spending, self.available_pence, tax, changes)

    def validate(self, ballot: Mapping[str, int]) -> None:
        """Raise a `BallotError` unless every step is on offer and the budget balances."""
        for ref, percent in ballot.items():
            if ref == TAX and self.tax is not None:
                if percent not in self.tax.steps:
                    raise BadStep(
                        Message(
                            "simulator.bad_tax",
                            f"Council tax cannot change by {percent}%; choose one of the steps shown.",
                            percent=percent,
                        )
                    )
                continue
            line = self.lines.get(ref)
            if line is None:
                raise UnknownProject(Message("ballot.unknown", f"There is no choice “{ref}” on this ballot.", ref=ref))
            if isinstance(percent, bool) or not isinstance(percent, int) or percent not in line.steps:
                raise BadStep(
                    Message(
                        "simulator.bad_step",
                        f"{line.title} cannot change by {percent}%; choose one of the steps shown.",
                        name=line.title,
                        percent=percent,
                    )
                )
        balance = self.balance(ballot)
        if not balance.balanced:
            gap = money_text(Fraction(balance.gap_pence, 100), self.currency)
            raise Unbalanced(
                Message(
                    "simulator.unbalanced",
                    f"Your budget is {gap} short. Cut spending or raise "
                    f"council tax to find {gap} more before you send it.",
                    gap=gap,
                )
            )


def _summary(values: Sequence[int], steps: Sequence[int]) -> dict[str, Any]:
    n = len(values)
    counts = {str(step): 0 for step in steps}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    cut = sum(1 for v in values if v < 0)
    raised = sum(1 for v in values if v > 0)
    kept = n - cut - raised
    return {
        "distribution": counts,
        "mean_percent": float(round(Fraction(sum(values), n), 2)) if n else 0.0,
        "median_percent": float(median(values)) if n else 0.0,
        "cut": cut,
        "kept": kept,
        "raised": raised,
        "cut_share": float(round(Fraction(cut * 100, n), 1)) if n else 0.0,
        "kept_share": float(round(Fraction(kept * 100, n), 1)) if n else 0.0,
        "raised_share": float(round(Fraction(raised * 100, n), 1)) if n else 0.0,
    }


def summarise(lines: Sequence[Mapping[str, Any]], ballots: Sequence[Mapping[str, int]]) -> dict[str, Any]:
    """Count simulator ballots: per line the distribution of steps, mean, median and cut/kept/raised shares.

    `lines` are dicts with "ref" and "cost_pence" (the current amount), as in the ballot log. The
    distribution names every step someone chose, and 0; the council-tax lever is summarised when
    any ballot moved it.
    """
    if not ballots:
        raise CoreError("There are no ballots to count.")
    out: dict[str, Any] = {"rule": "summary", "voters": len(ballots), "selected": [], "lines": {}, "tax": None}
    for line in lines:
        ref, current = line["ref"], int(line["cost_pence"])
        values = [int(b.get(ref, 0) or 0) for b in ballots]
        summary = _summary(values, sorted(set(values) | {0}))
        summary["mean_change_pence"] = round(Fraction(sum(change_pence(current, v) for v in values), len(values)))
        summary["median_change_pence"] = round(Fraction(current) * Fraction(median(values)) / 100)
        out["lines"][ref] = summary
    taxes = [int(b.get(TAX, 0) or 0) for b in ballots]
    if any(TAX in b for b in ballots):
        out["tax"] = _summary(taxes, sorted(set(taxes) | {0}))
    return out
