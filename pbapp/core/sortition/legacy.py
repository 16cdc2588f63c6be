"""The Sortition Foundation's greedy "legacy" selection, kept for comparison with LEXIMIN.

Reference: the LEGACY algorithm described in Flanigan et al., Nature 2021 (Methods, "Greedy
algorithm of the Sortition Foundation") and used by the Foundation's `stratselect`: repeatedly
take the feature value whose unmet minimum is largest relative to the volunteers left with it,
draw one of them uniformly at random, then drop everyone whose values are full and the new
member's housemates; restart on a dead end, up to `max_attempts` times. It does not control
individual selection probabilities, so `legacy_distribution` only estimates them by repeating
the draw. Deterministic given the seed.
"""

from __future__ import annotations

import random
from collections.abc import Collection

from pbapp.core.errors import CoreError
from pbapp.core.sortition.leximin import Distribution, person_probabilities, solvable_model
from pbapp.core.sortition.panels import Types
from pbapp.core.sortition.pool import Pool

VERSION = "pbapp-legacy 1"


class SelectionFailed(CoreError):
    """The greedy method hit a dead end on every attempt although a panel exists."""


class _Greedy:
    """Precomputed lookups for repeated greedy draws on one pool."""

    def __init__(self, pool: Pool, include: Collection[str], exclude: Collection[str]):
        self.pool = pool
        self.include = sorted(pool.indices(include))
        exc = pool.indices(exclude) | set(self.include)
        self.eligible = [i for i in range(pool.size) if i not in exc]
        qof = {(q.feature, q.value): j for j, q in enumerate(pool.quotas)}
        self.person_q = [[qof[(f, v)] for f, v in zip(pool.features, p.values, strict=True)] for p in pool.people]
        households = pool.households()
        self.mates = {i: set(m) for m in households.values() for i in m}

    def attempt(self, rng: random.Random) -> list[int] | None:
        """Return one greedy panel (pool indices), or None on a dead end."""
        quotas = self.pool.quotas
        person_q = self.person_q
        count = [0] * len(quotas)
        left: list[set[int]] = [set() for _ in quotas]
        remaining: set[int] = set(self.eligible)
        for i in self.eligible:
            for j in person_q[i]:
                left[j].add(i)
        selected: list[int] = []

        def take(i: int) -> None:
            selected.append(i)
            gone = {i} | self.mates.get(i, set())
            for j in person_q[i]:
                count[j] += 1
                if count[j] >= quotas[j].max:
                    gone |= left[j]
            for g in gone & remaining:
                remaining.discard(g)
                for j in person_q[g]:
                    left[j].discard(g)

        for i in self.include:
            take(i)
        while len(selected) < self.pool.panel_size:
            best, best_ratio = None, -1.0
            for j, q in enumerate(quotas):
                need = q.min - count[j]
                if need <= 0:
                    continue
                if not left[j]:
                    return None
                ratio = need / len(left[j])
                if ratio > best_ratio:
                    best, best_ratio = j, ratio
            pick_from = left[best] if best is not None else remaining
            if not pick_from:
                return None
            take(rng.choice(sorted(pick_from)))
        if any(count[j] < q.min or count[j] > q.max for j, q in enumerate(quotas)):
            return None
        return sorted(selected)

    def panel(self, rng: random.Random, max_attempts: int) -> list[int]:
        """Return a greedy panel, retrying dead ends up to `max_attempts` times."""
        for _ in range(max_attempts):
            panel = self.attempt(rng)
            if panel is not None:
                return panel
        raise SelectionFailed(f"the legacy method found no panel in {max_attempts} attempts; try LEXIMIN")


def legacy_panel(
    pool: Pool,
    rng: random.Random,
    *,
    include: Collection[str] = (),
    exclude: Collection[str] = (),
    max_attempts: int = 100,
) -> list[str]:
    """Return the ids of one panel drawn by the greedy legacy method.

    Raises `InfeasibleError` when no panel meets the quotas and `SelectionFailed` when the
    greedy draw dead-ends `max_attempts` times. Deterministic given the state of `rng`.
    """
    solvable_model(pool, include, exclude)
    greedy = _Greedy(pool, include, exclude)
    return [pool.people[i].id for i in greedy.panel(rng, max_attempts)]


def legacy_distribution(
    pool: Pool,
    *,
    seed: int = 0,
    runs: int = 1000,
    include: Collection[str] = (),
    exclude: Collection[str] = (),
    max_attempts: int = 100,
) -> Distribution:
    """Estimate the legacy method's selection probabilities from `runs` seeded draws.

    The panels are the distinct draws, each weighted by how often it came up; the first draw
    is the one `legacy_panel` gives for the same seed. Deterministic given the seed.
    """
    solvable_model(pool, include, exclude)
    greedy = _Greedy(pool, include, exclude)
    rng = random.Random(seed)
    tally: dict[tuple[int, ...], int] = {}
    draws = []
    for _ in range(runs):
        chosen = set(greedy.panel(rng, max_attempts))
        key = tuple(1 if i in chosen else 0 for i in range(pool.size))
        draws.append(key)
        tally[key] = tally.get(key, 0) + 1
    first = draws[0]
    types = Types(tuple((i,) for i in range(pool.size)), tuple(p.id in set(include) for p in pool.people))
    ordered = [first, *sorted((k for k in tally if k != first), reverse=True)]
    weights = tuple(tally[k] / runs for k in ordered)
    panels = tuple(ordered)
    probabilities = person_probabilities(pool, types, panels, weights)
    return Distribution(pool, types, panels, weights, probabilities, "legacy", VERSION)
