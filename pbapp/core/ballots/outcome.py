"""The result of a count: what was funded, in which order, and why each project was or was not."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from pbapp.core.ballots.election import Money
from pbapp.core.ballots.ties import TieReport
from pbapp.core.messages import Message
from pbapp.core.money import format_pounds


def money_json(value: Money | float) -> int | float:
    """Return an amount as a JSON number: an int when whole, else a float."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    if isinstance(value, int):
        return value
    rounded = round(float(value), 6)
    return int(rounded) if rounded.is_integer() else rounded


def money_text(value: Money | float, currency: str = "") -> str:
    """Return an amount for people: thousands separated, pence only when there are any (pbapp.core.money)."""
    return format_pounds(value, currency)


@dataclass(frozen=True)
class Explanation:
    """Why one project was or was not funded, in a sentence and as facts."""

    funded: bool
    reason: Message | str
    facts: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return a JSON-ready dict; the reason's code and params let a front end translate it."""
        data = {"funded": self.funded, "reason": str(self.reason), **self.facts}
        if isinstance(self.reason, Message):
            data.update(reason_code=self.reason.code, reason_params=dict(self.reason.params))
        return data


@dataclass
class Outcome:
    """Projects funded in the order chosen, money spent, explanations and ties.

    Invariant: `spent` is the exact sum of the selected projects' costs and never exceeds
    `budget`.
    """

    rule: str
    budget: Money
    selected: list[str]
    spent: Money
    explanations: dict[str, Explanation]
    ties: list[TieReport] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the JSON object the CLI prints."""
        return {
            "rule": self.rule,
            "budget": money_json(self.budget),
            "spent": money_json(self.spent),
            "selected": list(self.selected),
            "explanations": {pid: e.to_dict() for pid, e in self.explanations.items()},
            "ties": [t.to_dict() for t in self.ties],
            **({"details": self.details} if self.details else {}),
        }
