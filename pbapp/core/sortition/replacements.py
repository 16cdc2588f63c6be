"""Replacements for panel members who drop out, keeping every quota.

The confirmed members are forced onto the panel and the drop-outs (and anyone else excluded)
are left out; LEXIMIN (Flanigan et al., Nature 2021) over the rest of the pool then chooses the
remaining seats as fairly as possible, and the transparent lottery (Flanigan, Kehne, Procaccia
2021) draws them. Deterministic given the seed or the public number.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from pbapp.core.errors import CoreError
from pbapp.core.sortition.pool import Pool
from pbapp.core.sortition.selection import Selection, select


@dataclass(frozen=True)
class Replacement:
    """The new panel and, among it, the people who fill the empty seats."""

    selection: Selection
    confirmed: tuple[str, ...]
    replacements: tuple[str, ...]


def replace(
    pool: Pool,
    confirmed: Collection[str],
    dropped: Collection[str],
    *,
    exclude: Collection[str] = (),
    seed: int = 0,
    draw: int | None = None,
) -> Replacement:
    """Choose people to fill the seats of `dropped`, keeping `confirmed` and every quota.

    Raises `InfeasibleError` (with the feasibility report) when no one in the remaining pool
    can fill the seats within the quotas.
    """
    pool.indices([*confirmed, *dropped, *exclude])
    both = set(confirmed) & set(dropped)
    if both:
        raise CoreError(f"{sorted(both)[0]!r} is both confirmed and dropped")
    if len(set(confirmed)) > pool.panel_size:
        raise CoreError(f"{len(set(confirmed))} confirmed members but the panel has {pool.panel_size} seats")
    sel = select(
        pool,
        "leximin",
        seed=seed,
        draw=draw,
        include=sorted(set(confirmed)),
        exclude=sorted(set(dropped) | set(exclude)),
    )
    new = tuple(sorted(set(sel.panel) - set(confirmed)))
    return Replacement(sel, tuple(sorted(set(confirmed))), new)
