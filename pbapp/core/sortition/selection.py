"""Run a whole selection: distribution, transparent lottery, draw, audit record.

LEXIMIN (Flanigan et al., Nature 2021) is rounded to a lottery over M panels (Flanigan, Kehne,
Procaccia 2021) and the public number `draw` picks the panel; without a draw, the seed stands
for the number. The legacy method (Sortition Foundation) draws its panel directly from the seed.
Deterministic given the seed or the draw.
"""

from __future__ import annotations

import random
from collections.abc import Collection

from pbapp.core.errors import CoreError
from pbapp.core.sortition.audit import Selection
from pbapp.core.sortition.legacy import legacy_distribution, legacy_panel
from pbapp.core.sortition.leximin import leximin
from pbapp.core.sortition.lottery import DEFAULT_PANELS, number_from_seed, round_lottery
from pbapp.core.sortition.pool import Pool

ALGORITHMS = ("leximin", "legacy")
LEGACY_RUNS = 300


def select(
    pool: Pool,
    algorithm: str = "leximin",
    *,
    seed: int = 0,
    draw: int | None = None,
    panels: int = DEFAULT_PANELS,
    include: Collection[str] = (),
    exclude: Collection[str] = (),
    legacy_runs: int = LEGACY_RUNS,
) -> Selection:
    """Select a panel from `pool` with `algorithm` and return it with its audit data.

    For LEXIMIN, `draw` (0..panels-1) is the public number picking a panel of the lottery.
    For legacy, probabilities are estimated from `legacy_runs` seeded draws and `draw` is
    not allowed. Raises `InfeasibleError` when no panel meets the quotas.
    """
    include, exclude = tuple(sorted(include)), tuple(sorted(exclude))
    if algorithm == "leximin":
        dist = leximin(pool, include=include, exclude=exclude, seed=seed)
        lottery = round_lottery(dist, panels)
        number = draw if draw is not None else number_from_seed(seed, lottery.size)
        panel = lottery.draw(number)
        return Selection(pool, dist, lottery, seed, draw, panel, include, exclude)
    if algorithm == "legacy":
        if draw is not None:
            raise CoreError("a public draw applies to LEXIMIN's lottery; the legacy method uses the seed")
        dist = legacy_distribution(pool, seed=seed, runs=legacy_runs, include=include, exclude=exclude)
        panel = tuple(legacy_panel(pool, random.Random(seed), include=include, exclude=exclude))
        return Selection(pool, dist, None, seed, None, panel, include, exclude)
    raise CoreError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
