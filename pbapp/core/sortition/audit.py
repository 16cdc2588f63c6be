"""The audit record of a selection: what went in (hashed), how it was drawn, what came out.

The input hash is SHA-256 of a canonical JSON serialisation of the panel size, the quotas
(sorted), the people (sorted by id, with values keyed by feature and household) and the
include/exclude lists, so row order and dictionary order do not change it. Output JSON has
sorted keys, ids in sorted order and probabilities rounded to `DECIMALS` places, so the same
inputs and seed give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass

from pbapp.core.sortition.leximin import Distribution
from pbapp.core.sortition.lottery import Lottery
from pbapp.core.sortition.pool import Pool

DECIMALS = 6


def canonical_input(pool: Pool, include: Collection[str] = (), exclude: Collection[str] = ()) -> dict:
    """Return the order-free description of a selection's input that the hash covers."""
    return {
        "panel_size": pool.panel_size,
        "quotas": sorted([q.feature, q.value, q.min, q.max] for q in pool.quotas),
        "people": sorted(
            [p.id, dict(zip(pool.features, p.values, strict=True)), p.household or ""] for p in pool.people
        ),
        "include": sorted(include),
        "exclude": sorted(exclude),
    }


def input_hash(pool: Pool, include: Collection[str] = (), exclude: Collection[str] = ()) -> str:
    """Return the SHA-256 hex digest of the canonical input."""
    text = json.dumps(
        canonical_input(pool, include, exclude), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rounded(x: float) -> float:
    """Return `x` rounded for output (and -0.0 made 0.0, so bytes do not depend on signs)."""
    return round(x, DECIMALS) + 0.0


def quota_report(pool: Pool, panel: Collection[str]) -> list[dict]:
    """Return, per quota, its bounds and how many panel members have the value."""
    chosen = set(panel)
    rows = []
    for q in pool.quotas:
        selected = sum(1 for i in pool.members(q) if pool.people[i].id in chosen)
        rows.append({"feature": q.feature, "value": q.value, "min": q.min, "max": q.max, "selected": selected})
    return rows


@dataclass(frozen=True)
class Selection:
    """A finished selection: the distribution, its lottery, the number drawn and the panel."""

    pool: Pool
    distribution: Distribution
    lottery: Lottery | None
    seed: int
    draw: int | None
    panel: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def input_hash(self) -> str:
        """Return the hash of the selection's input."""
        return input_hash(self.pool, self.include, self.exclude)

    def probabilities(self) -> dict[str, float]:
        """Return each volunteer's exact selection probability, by sorted id, rounded."""
        pairs = zip(self.pool.ids, self.distribution.probabilities, strict=True)
        return {i: rounded(p) for i, p in sorted(pairs)}

    def summary(self) -> dict:
        """Return the short JSON-ready result printed by `pbapp select --json`."""
        return {
            "algorithm": self.distribution.algorithm,
            "version": self.distribution.version,
            "input_hash": self.input_hash,
            "panel_size": self.pool.panel_size,
            "panel": sorted(self.panel),
            "probabilities": self.probabilities(),
            "min_probability": rounded(self.distribution.min_probability),
            "quota_report": quota_report(self.pool, self.panel),
            "seed": self.seed,
            "draw": self.draw,
        }

    def record(self) -> dict:
        """Return the full audit record: the summary plus the panels and the lottery."""
        rec = self.summary()
        ids = self.pool.ids
        dist = self.distribution
        rec["input"] = canonical_input(self.pool, self.include, self.exclude)
        rec["distribution"] = [
            {
                "weight": rounded(w),
                "counts": [[list(ids[i] for i in dist.types.members[t]), c] for t, c in enumerate(p) if c],
            }
            for p, w in zip(dist.panels, dist.weights, strict=True)
        ]
        if self.lottery is not None:
            rec["lottery"] = {
                "panels": [list(p) for p in self.lottery.panels],
                "probabilities": {i: rounded(p) for i, p in sorted(zip(ids, self.lottery.probabilities, strict=True))},
                "min_probability": rounded(self.lottery.min_probability),
                "max_change": rounded(self.lottery.max_change),
            }
        return rec


def to_json(data: dict) -> str:
    """Return `data` as canonical JSON text (sorted keys, no trailing spaces, UTF-8)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1)
