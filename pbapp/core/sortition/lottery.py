"""Round a distribution over panels to a uniform lottery over M panels, and draw from it.

Reference: B. Flanigan, G. Kehne, A. D. Procaccia, "Fair sortition made transparent", NeurIPS
2021. Each panel's share `M * w_j` is rounded to a neighbouring integer so that the expected
count of every volunteer type moves little: every panel gets the floor of its share, then the
remaining slots go one by one where they keep the largest change smallest. Each type's seats
across the M panels are then dealt to its members in turn, so members of a type appear in M
panels to within one. A public number 0..M-1 (dice, a published
lottery draw) picks the panel. Deterministic: no randomness beyond the public number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pbapp.core.errors import CoreError
from pbapp.core.sortition.leximin import Distribution

DEFAULT_PANELS = 1000


@dataclass(frozen=True)
class Lottery:
    """M panels (sorted ids each, in canonical order) standing for a distribution.

    `probabilities` are the rounded ones (appearances / M, pool order); `max_change` is the
    largest |rounded - exact| probability of any volunteer.
    """

    panels: tuple[tuple[str, ...], ...]
    probabilities: tuple[float, ...]
    max_change: float

    @property
    def size(self) -> int:
        """Return M, the number of panels in the lottery."""
        return len(self.panels)

    @property
    def min_probability(self) -> float:
        """Return the lowest rounded selection probability."""
        return min(self.probabilities)

    def draw(self, number: int) -> tuple[str, ...]:
        """Return the panel picked by the public number `number` (0 <= number < M)."""
        if not 0 <= number < self.size:
            raise CoreError(f"the draw must be a whole number from 0 to {self.size - 1}, got {number}")
        return self.panels[number]


def _round_counts(dist: Distribution, m: int) -> np.ndarray:
    """Return how many of the M lottery slots each panel of `dist` gets.

    Every panel gets floor(M w_j) slots; the remaining ones go, one at a time, to the panel
    (each at most once, lowest index on ties) whose extra slot leaves the largest change of
    any type's selection probability smallest.
    """
    w = np.array(dist.weights) * m
    lo = np.floor(w + 1e-9)
    extra = int(round(m - lo.sum()))
    cols = np.array(dist.panels, dtype=float)
    sizes = dist.types.sizes
    dev = lo @ cols - (np.array(dist.weights) @ cols) * m
    open_ = w - lo > 1e-9
    for _ in range(extra):
        cand = np.nonzero(open_)[0]
        worst = np.abs(dev + cols[cand]) / sizes
        j = cand[int(np.argmin(worst.max(axis=1)))]
        dev += cols[j]
        lo[j] += 1
        open_[j] = False
    return lo.astype(np.int64)


def round_lottery(dist: Distribution, m: int = DEFAULT_PANELS) -> Lottery:
    """Return a uniform lottery over `m` panels approximating `dist` (Flanigan, Kehne, Procaccia 2021)."""
    if m < 1:
        raise CoreError(f"the lottery needs at least one panel, got {m}")
    counts = _round_counts(dist, m)
    members = dist.types.members
    cursor = [0] * len(members)
    pool = dist.pool
    panels: list[tuple[str, ...]] = []
    appear = np.zeros(pool.size)
    for panel, times in zip(dist.panels, counts, strict=True):
        for _ in range(int(times)):
            chosen = []
            for t, c in enumerate(panel):
                group = members[t]
                for _ in range(c):
                    chosen.append(group[cursor[t] % len(group)])
                    cursor[t] += 1
            appear[chosen] += 1
            panels.append(tuple(sorted(pool.people[i].id for i in chosen)))
    panels.sort()
    probs = tuple(float(a / m) for a in appear)
    change = max((abs(a - b) for a, b in zip(probs, dist.probabilities, strict=True)), default=0.0)
    return Lottery(tuple(panels), probs, float(change))


def number_from_seed(seed: int, m: int) -> int:
    """Return the lottery number 0..m-1 a seed stands for (for runs without a public draw)."""
    # A fixed affine hash keeps this reproducible across Python versions, unlike hash().
    return (seed * 2654435761 + 97) % m if m > 0 else 0


def gini(probabilities: tuple[float, ...] | list[float]) -> float:
    """Return the Gini coefficient of selection probabilities (0 is perfectly equal)."""
    xs = sorted(probabilities)
    n = len(xs)
    total = math.fsum(xs)
    if n == 0 or total == 0:
        return 0.0
    cum = math.fsum((2 * (i + 1) - n - 1) * x for i, x in enumerate(xs))
    return cum / (n * total)
