"""Tie-breaking: lower cost, then more support, then a seeded lot.

Reference: Pabulib's checker breaks ties between projects of equal score by preferring the
cheaper project, then the one with more support; we end with a lot drawn from `seed` so the
order is total. Deterministic given the seed: the lot is `random.Random(seed).shuffle` of the
project ids in sorted order, which Python keeps stable across versions.
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


def tie_order(
    project_ids: Sequence[str],
    costs: Sequence[Rational],
    support: Sequence[float],
    seed: int = 0,
) -> list[int]:
    """Return project indices from first to last preferred when tied: cheaper, more support, lot."""
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


def decided_by(tied: Sequence[int], costs: Sequence[Rational], support: Sequence[float]) -> str:
    """Name the first criterion that separates the winner from the rest of a tie."""
    first = tied[0]
    others = tied[1:]
    if all(costs[j] != costs[first] for j in others):
        return "lower cost"
    if all(costs[j] != costs[first] or support[j] != support[first] for j in others):
        return "more support"
    return "lot"
