"""Tie-breaking: lower cost, then more support, then a seeded lot; or the file's order.

Reference: Pabulib's checker breaks ties between projects of equal score by preferring the
cheaper project, then the one with more support; we end with a lot drawn from `seed` so the
order is total (`TIE_BREAKS` "cost", the default). Deterministic given the seed: the lot is
`random.Random(seed).shuffle` of the project ids in sorted order, which Python keeps stable
across versions.

Cities that publish their results on Pabulib mostly take, between projects of equal support,
the one listed first (their PROJECTS order is the order of their own list): `tie_break="file"`
prefers the project that comes first in the file (the election's project order), whatever it
costs. Pabulib's format documentation leaves the tie-break to the rule; both orders are total.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Rational


def lot_ranks(project_ids: Iterable[str], seed: int = 0) -> dict[str, int]:
    """Return each project's place in the seeded lot (0 wins the lot)."""
    ids = sorted(project_ids)
    random.Random(seed).shuffle(ids)
    return {pid: rank for rank, pid in enumerate(ids)}


TIE_BREAKS = ("cost", "file")


def tie_order(
    project_ids: Sequence[str],
    costs: Sequence[Rational],
    support: Sequence[float],
    seed: int = 0,
    tie_break: str = "cost",
) -> list[int]:
    """Return project indices from first to last preferred when tied.

    "cost": cheaper, then more support, then the seeded lot. "file": the file's project order.
    """
    if tie_break == "file":
        return list(range(len(project_ids)))
    if tie_break != "cost":
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}")
    lot = lot_ranks(project_ids, seed)
    return sorted(range(len(project_ids)), key=lambda j: (costs[j], -support[j], lot[project_ids[j]]))


@dataclass(frozen=True)
class TieReport:
    """Projects that were tied at one step and which of them the tie-break chose."""

    step: str
    tied: tuple[str, ...]
    chosen: str
    decided_by: str

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"step": self.step, "tied": list(self.tied), "chosen": self.chosen, "decided_by": self.decided_by}


def decided_by(
    tied: Sequence[int], costs: Sequence[Rational], support: Sequence[float], tie_break: str = "cost"
) -> str:
    """Name the first criterion that separates the winner from the rest of a tie."""
    if tie_break == "file":
        return "file order"
    first = tied[0]
    others = tied[1:]
    if all(costs[j] != costs[first] for j in others):
        return "lower cost"
    if all(costs[j] != costs[first] or support[j] != support[first] for j in others):
        return "more support"
    return "lot"
