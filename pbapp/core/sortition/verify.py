"""An independent check that a LEXIMIN distribution is exact at every level.

The sorted selection probabilities of a distribution fall into levels v_1 < v_2 < ... held
by sets of volunteer types S_1, S_2, .... The distribution is LEXIMIN-optimal when, for every
level l, keeping each earlier level's types at their probability or more and every other type
at v_l or more, no distribution over ALL panels raises the types of S_l above v_l:

    maximise  sum_{t in S_l} size_t * P(t)   s.t.  P(t) >= v_j  (t in S_j, j < l),
                                                    P(t) >= v_l  (every other type),  sum x_P = 1.

If the maximum is sum_{t in S_l} size_t * v_l, each type of S_l is stuck at v_l, and by
induction on l every optimum agrees with the distribution at every rank. Each level's LP is
solved here from scratch by column generation priced with the exact panel integer program
(`PanelModel.best`, no heuristics and no tolerances of `leximin`), starting from the
distribution's own panels; the result says how far any volunteer of each level could rise.
Costly (one LP per level): for tests and benchmarks, not for the selection itself.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import highspy
import numpy as np

from pbapp.core.sortition.leximin import Distribution
from pbapp.core.sortition.panels import PanelModel, new_highs

GROUP_TOL = 1e-7
MAX_ROUNDS = 5000


@dataclass(frozen=True)
class LevelCheck:
    """One level: its probability, its types, and how far one of its volunteers could rise."""

    value: float
    types: tuple[int, ...]
    excess: float


def levels(dist: Distribution) -> list[tuple[float, list[int]]]:
    """Group the distribution's unforced types into levels of equal probability, lowest first."""
    probs = _type_probabilities(dist)
    order = sorted((p, t) for t, p in enumerate(probs) if not dist.types.forced[t])
    groups: list[tuple[float, list[int]]] = []
    for p, t in order:
        if groups and p - groups[-1][0] <= GROUP_TOL:
            groups[-1][1].append(t)
        else:
            groups.append((p, [t]))
    return groups


def _type_probabilities(dist: Distribution) -> np.ndarray:
    expected = np.zeros(len(dist.types.members))
    for counts, w in zip(dist.panels, dist.weights, strict=True):
        expected += w * np.array(counts, dtype=float)
    return expected / dist.types.sizes


def verify_levels(
    dist: Distribution,
    *,
    include: Collection[str] = (),
    exclude: Collection[str] = (),
    upto: int | None = None,
) -> list[LevelCheck]:
    """Re-solve each level's LP from scratch; return per level how far its volunteers could rise.

    `include`/`exclude` must be those `dist` was computed with. `upto` checks only the lowest
    levels. An exact distribution has every `excess` at most the LP tolerance (about 1e-9).
    """
    pool = dist.pool
    model = PanelModel(pool, include=pool.indices(include), exclude=pool.indices(exclude))
    if model.types.members != dist.types.members:
        raise ValueError("the distribution was computed with other include/exclude lists")
    groups = levels(dist)
    lower = np.zeros(model.nt)
    checks = []
    for value, ts in groups[:upto]:
        for _v, later in groups[len(checks) :]:
            lower[later] = value
        checks.append(_check_level(model, dist.panels, lower.copy(), ts, value))
        lower[ts] = value
    return checks


def _check_level(model: PanelModel, start, lower: np.ndarray, level: list[int], value: float) -> LevelCheck:
    nt = model.nt
    sizes = model.types.sizes.astype(float)
    rows = [t for t in range(nt) if not model.types.forced[t]]
    row_of = {t: r for r, t in enumerate(rows)}
    m = len(rows)
    in_level = np.zeros(nt)
    in_level[level] = 1.0
    h = new_highs()
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for t in rows:
        h.addRow(float(lower[t]), highspy.kHighsInf, 0, np.array([], dtype=np.int32), np.array([]))
    h.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))

    def add(counts: np.ndarray) -> None:
        idx = [row_of[t] for t in rows if counts[t] > 0]
        vals = [counts[t] / sizes[t] for t in rows if counts[t] > 0]
        h.addCol(
            float(in_level @ counts),
            0.0,
            highspy.kHighsInf,
            len(idx) + 1,
            np.array([*idx, m], dtype=np.int32),
            np.array([*vals, 1.0]),
        )

    seen = set()
    for counts in start:
        seen.add(tuple(counts))
        add(np.array(counts, dtype=np.int64))
    target = float(sizes[level].sum() * value)
    for _ in range(MAX_ROUNDS):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - numerical guard
            raise RuntimeError(f"level LP ended with status {h.modelStatusToString(h.getModelStatus())}")
        obj = float(h.getInfo().objective_function_value)
        y = np.array(h.getSolution().row_dual)
        # HiGHS: reduced cost of a column = cost - y . column; it improves a maximum when positive.
        w = in_level.copy()
        w[rows] -= y[:m] / sizes[rows]
        counts = model.best(w)
        assert counts is not None
        gain = float(w @ counts) - float(y[m])
        bound = obj + max(gain, 0.0)
        key = tuple(int(c) for c in counts)
        if gain <= 1e-9 or key in seen:
            break
        seen.add(key)
        add(counts)
    excess = max(bound - target, 0.0) / float(sizes[level].min())
    return LevelCheck(value, tuple(level), excess)
