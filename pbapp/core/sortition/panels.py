"""Feasible panels as solutions of an integer program, solved with HiGHS (`highspy`).

Volunteers who are interchangeable (same value for every feature, no housemate in the pool,
same include/exclude status) are merged into one *type* with an integer count variable
`0 <= c_t <= n_t`; everyone else is a type of one. A panel is then a vector of counts with
`sum c_t = k`, every quota `min <= sum_{t has v} c_t <= max`, at most one person per household
and included people forced in (Flanigan et al., Nature 2021, Methods: "panels as integer
solutions"). Merging is exact for LEXIMIN because its optimum treats equal volunteers equally.

HiGHS runs single-threaded with a fixed random seed, so every solve is deterministic.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Collection, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np

from pbapp.core.errors import CoreError
from pbapp.core.sortition.pool import Pool

INF = highspy.kHighsInf
MAX_INT = 2147483647


class InfeasibleError(CoreError):
    """No panel meets the quotas; `report` is the feasibility report naming the quotas at fault."""

    def __init__(self, report):
        self.report = report
        super().__init__("; ".join(report.problems) or "no panel meets the quotas")


_REDIRECTING = threading.Lock()


@contextmanager
def _stdout_to_stderr():
    """Send what C code writes to file descriptor 1 to descriptor 2 for the duration.

    highspy 1.16 prints its "Running HiGHS" banner from the constructor, before any option can
    turn output off, so a command's own stdout (`pbapp select --json`) would carry it. The lock
    keeps two threads from saving each other's redirection as the stdout to restore.
    """
    with _REDIRECTING:
        libc = ctypes.CDLL(None)
        sys.stdout.flush()
        libc.fflush(None)
        saved = os.dup(1)
        try:
            os.dup2(2, 1)
            yield
        finally:
            libc.fflush(None)
            os.dup2(saved, 1)
            os.close(saved)


def new_highs(*, mip_gap: float = 1e-9) -> highspy.Highs:
    """Return a silent, single-threaded, seeded HiGHS instance."""
    with _stdout_to_stderr():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", mip_gap)
    h.setOptionValue("mip_abs_gap", 1e-9)
    return h


@dataclass(frozen=True)
class Types:
    """A partition of the eligible volunteers into interchangeable groups.

    `members[t]` lists pool indices (ascending); `forced[t]` says the type's members are all
    included. Types are ordered by their first member, so the order is canonical.
    """

    members: tuple[tuple[int, ...], ...]
    forced: tuple[bool, ...]

    @property
    def sizes(self) -> np.ndarray:
        """Return the number of volunteers of each type."""
        return np.array([len(m) for m in self.members], dtype=float)


def group_types(pool: Pool, include: Collection[int], exclude: Collection[int], merge: bool = True) -> Types:
    """Group eligible volunteers into types; excluded volunteers belong to none."""
    households = pool.households()
    shared = {i for m in households.values() if len(m) > 1 for i in m}
    groups: dict[object, list[int]] = {}
    for i, p in enumerate(pool.people):
        if i in exclude:
            continue
        key: object = (p.values, i in include) if merge and i not in shared and i not in include else ("one", i)
        groups.setdefault(key, []).append(i)
    members = tuple(tuple(m) for m in groups.values())
    return Types(members, tuple(m[0] in include for m in members))


class PanelModel:
    """An integer program whose solutions are exactly the feasible panels, kept for re-solves.

    `best(weights)` returns the counts per type of a panel maximising `sum_t weights[t] * c_t`.
    Invariant: the model never changes except for its objective, so repeated solves with
    the same weights give the same panel.
    """

    def __init__(
        self,
        pool: Pool,
        *,
        include: Collection[int] = (),
        exclude: Collection[int] = (),
        merge: bool = True,
        quotas: Sequence[tuple[int, int]] | None = None,
    ):
        self.pool = pool
        self.types = group_types(pool, set(include), set(exclude), merge)
        sizes = self.types.sizes
        nt = len(sizes)
        type_of = {i: t for t, m in enumerate(self.types.members) for i in m}
        self.type_of = type_of
        h = new_highs()
        lower = np.array([s if f else 0.0 for s, f in zip(sizes, self.types.forced, strict=True)])
        h.addVars(nt, lower, sizes)
        h.changeColsIntegrality(nt, np.arange(nt, dtype=np.int32), np.full(nt, highspy.HighsVarType.kInteger))
        rows: list[tuple[float, float, list[int]]] = [(pool.panel_size, pool.panel_size, list(range(nt)))]
        bounds = quotas if quotas is not None else [(q.min, q.max) for q in pool.quotas]
        for q, (lo, hi) in zip(pool.quotas, bounds, strict=True):
            ts = sorted({type_of[i] for i in pool.members(q) if i in type_of})
            rows.append((lo, hi, ts))
        for m in pool.households().values():
            ts = sorted({type_of[i] for i in m if i in type_of})
            if len(ts) > 1:
                rows.append((-INF, 1.0, ts))
        for lo, hi, ts in rows:
            h.addRow(lo, hi, len(ts), np.array(ts, dtype=np.int32), np.ones(len(ts)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h = h
        self.nt = nt
        self._index = np.arange(nt, dtype=np.int32)
        self.matrix = np.zeros((len(rows), nt), dtype=np.int64)
        for r, (_, _, ts) in enumerate(rows):
            self.matrix[r, ts] = 1
        self.row_lower = np.array([lo for lo, _, _ in rows])
        self.row_upper = np.array([hi for _, hi, _ in rows])
        self.lower = lower.astype(np.int64)
        self.upper = sizes.astype(np.int64)
        self._relaxation: highspy.Highs | None = None

    def best(self, weights: np.ndarray, above: float | None = None) -> np.ndarray | None:
        """Return counts per type of a panel of maximum weight, or None when no panel exists.

        With `above`, the search prunes panels of weight at most `above`: the result is the
        best panel if that beats `above`, else some panel that does not (check `objective`).
        """
        self.h.changeColsCost(self.nt, self._index, np.asarray(weights, dtype=float))
        # HiGHS minimises internally, so a cutoff on the maximum is a bound on its negation.
        self.h.setOptionValue("objective_bound", INF if above is None else -above)
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        return np.rint(np.array(self.h.getSolution().col_value)).astype(np.int64)

    def improve(self, weights: np.ndarray, above: float) -> tuple[float, np.ndarray | None]:
        """Return an upper bound on the heaviest panel and the first panel heavier than `above`.

        The search stops at the first such panel, so the bound is then only HiGHS's dual bound
        at that point; with None (no panel beats `above`) the bound is `above` itself.
        """
        h = self.h
        w = np.asarray(weights, dtype=float)
        h.changeColsCost(self.nt, self._index, w)
        h.setOptionValue("objective_bound", -above)
        h.setOptionValue("mip_max_improving_sols", 1)
        h.run()
        h.setOptionValue("mip_max_improving_sols", MAX_INT)
        status = h.getModelStatus()
        info = h.getInfo()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kSolutionLimit):
            return above, None
        if status == highspy.HighsModelStatus.kOptimal and info.primal_solution_status != 2:
            return above, None
        counts = np.rint(np.array(h.getSolution().col_value)).astype(np.int64)
        if not self.is_panel(counts) or float(w @ counts) <= above:
            return above, None
        return max(float(info.mip_dual_bound), float(w @ counts)), counts

    def objective(self) -> float:
        """Return the objective value of the last solve."""
        return float(self.h.getInfo().objective_function_value)

    def bound(self) -> float:
        """Return the proven upper bound on the weight of any panel from the last `best`."""
        return max(float(self.h.getInfo().mip_dual_bound), self.objective())

    def relaxed(self, weights: np.ndarray) -> tuple[float, np.ndarray | None]:
        """Return the LP relaxation's maximum weight and its counts if they are a panel.

        The maximum bounds the weight of every panel from above; when the LP's optimal vertex
        is integral it is a heaviest panel, found without branching. The LP is kept and
        re-solved from its last basis, so a call costs a few simplex pivots.
        """
        if self._relaxation is None:
            lp = self.h.getLp()
            lp.integrality_ = []
            h = new_highs()
            h.passModel(lp)
            h.changeObjectiveSense(highspy.ObjSense.kMaximize)
            self._relaxation = h
        h = self._relaxation
        h.changeColsCost(self.nt, self._index, np.asarray(weights, dtype=float))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - numerical guard
            return np.inf, None
        x = np.array(h.getSolution().col_value)
        value = float(h.getInfo().objective_function_value)
        counts = np.rint(x).astype(np.int64)
        if np.abs(x - counts).max() > 1e-9 or not self.is_panel(counts):
            return value, None
        return value, counts

    def dive(self, weights: np.ndarray) -> np.ndarray | None:
        """Return a heavy panel found by diving on the LP relaxation, or None if the dive fails.

        A cheap pricing heuristic (a few milliseconds against a tenth of a second for the
        integer program): repeatedly round up the fractional count nearest to its ceiling,
        or down when that is infeasible, re-solving from the last basis, until the vertex is
        integral. Bounds are restored afterwards, so the model is unchanged.
        """
        self.relaxed(weights)
        h = self._relaxation
        assert h is not None
        changed: list[int] = []
        counts = None
        while h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            x = np.array(h.getSolution().col_value)
            frac = x - np.floor(x + 1e-9)
            open_ = np.flatnonzero((frac > 1e-9) & (frac < 1 - 1e-9))
            if not len(open_):
                counts = np.rint(x).astype(np.int64)
                break
            j = int(open_[np.argmax(frac[open_])])
            changed.append(j)
            h.changeColBounds(j, float(np.ceil(x[j])), float(self.upper[j]))
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                h.changeColBounds(j, float(self.lower[j]), float(np.floor(x[j])))
                h.run()
        for j in dict.fromkeys(changed):
            h.changeColBounds(j, float(self.lower[j]), float(self.upper[j]))
        if counts is None or not self.is_panel(counts):
            return None
        return counts

    def is_panel(self, counts: np.ndarray) -> bool:
        """Return whether integer `counts` meet every bound, quota and household row exactly."""
        if (counts < self.lower).any() or (counts > self.upper).any():
            return False
        rows = self.matrix @ counts
        return bool((rows >= self.row_lower).all() and (rows <= self.row_upper).all())

    def people(self, counts: np.ndarray) -> list[int]:
        """Return pool indices for a panel of counts, taking each type's first members."""
        return sorted(i for t, c in enumerate(counts) for i in self.types.members[t][: int(c)])


def find_panel(pool: Pool, *, include: Collection[int] = (), exclude: Collection[int] = ()) -> list[str] | None:
    """Return the ids of some panel that meets every quota, or None if there is none.

    Deterministic: the same input always gives the same panel.
    """
    model = PanelModel(pool, include=include, exclude=exclude)
    counts = model.best(np.zeros(model.nt))
    if counts is None:
        return None
    return sorted(pool.people[i].id for i in model.people(counts))
