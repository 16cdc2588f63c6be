"""LEXIMIN: the fairest distribution over panels, by column generation on HiGHS.

Reference: B. Flanigan, P. Gölz, A. Gupta, B. Hennig, A. D. Procaccia, "Fair algorithms for
selecting citizens' assemblies", Nature 596, 548-552 (2021), Methods "LEXIMIN".

The distribution maximises the lowest selection probability of any volunteer, then the
second lowest, and so on. Each stage solves, over the panels found so far, the LP

    maximise z  s.t.  P(i selected) >= z for every volunteer not yet fixed,
                      P(i selected) >= f_i for every fixed volunteer,  sum_P x_P = 1,

adding a panel whenever the pricing integer program (`PanelModel.best` with the LP's duals
as weights) finds one with positive reduced cost. Volunteers whose constraint has a positive
dual are tight in every optimum (complementary slackness) and are fixed at z. We solve the
primal, so adding a panel is adding a column and fixing a volunteer changes one row: one
HiGHS model is kept and every simplex solve is warm-started. An interior-point solve without
crossover gives a strictly complementary dual, which fixes many volunteers per stage.

Volunteers are merged into interchangeable types (see `panels`), which is exact because the
LEXIMIN probabilities are unique and symmetric. Only open-source solvers are used; there is
no pool-size limit. Deterministic given the seed (which only steers the initial panels).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import highspy
import numpy as np

from pbapp.core.sortition.panels import InfeasibleError, PanelModel, Types, new_highs
from pbapp.core.sortition.pool import Pool

VERSION = "pbapp-leximin 1"
PRICE_TOL = 1e-7
FIX_TOL = 1e-6
SMOOTH_ALPHA = 0.8
SMOOTH_GAP = 1e-6


@dataclass(frozen=True)
class Distribution:
    """A lottery over panels and the selection probability it gives each volunteer.

    `panels[j]` holds counts per type of `types`; `weights[j]` its probability. Volunteers
    of a type are chosen uniformly among the type, so `probabilities` (pool order) is
    `E[count of type] / size of type`. Invariant: weights sum to 1; probabilities sum to k.
    """

    pool: Pool
    types: Types
    panels: tuple[tuple[int, ...], ...]
    weights: tuple[float, ...]
    probabilities: tuple[float, ...]
    algorithm: str
    version: str

    @property
    def min_probability(self) -> float:
        """Return the lowest selection probability of any volunteer."""
        return min(self.probabilities)


def solvable_model(pool: Pool, include: Collection[str], exclude: Collection[str], merge: bool = True) -> PanelModel:
    """Return the panel model, raising `InfeasibleError` with the report when no panel exists."""
    model = PanelModel(pool, include=pool.indices(include), exclude=pool.indices(exclude), merge=merge)
    if model.best(np.zeros(model.nt)) is None:
        from pbapp.core.sortition.feasibility import check_feasibility

        raise InfeasibleError(check_feasibility(pool, include=include, exclude=exclude))
    return model


class _MasterLP:
    """The stage LP in primal form: column 0 is z, one column per panel, one row per type."""

    def __init__(self, active: list[int], sizes: np.ndarray):
        self.active = active
        self.row_of = {t: r for r, t in enumerate(active)}
        self.sizes = sizes
        self.m = len(active)
        h = new_highs()
        # Adding a panel or fixing a volunteer keeps the current solution primal feasible,
        # so primal simplex restarts from where it stopped.
        h.setOptionValue("simplex_strategy", 4)
        h.addVar(0.0, 1.0)
        h.changeColCost(0, 1.0)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        for r in range(self.m):
            h.addRow(0.0, highspy.kHighsInf, 1, np.array([0], dtype=np.int32), np.array([-1.0]))
        h.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
        self.h = h
        self.columns: list[np.ndarray] = []
        self.floor = np.zeros(self.m)

    def add(self, counts: np.ndarray) -> None:
        rows = [self.row_of[t] for t in self.active if counts[t] > 0]
        vals = [counts[self.active[r]] / self.sizes[self.active[r]] for r in rows]
        idx = np.array([*rows, self.m], dtype=np.int32)
        self.h.addCol(0.0, 0.0, highspy.kHighsInf, len(idx), idx, np.array([*vals, 1.0]))
        self.columns.append(counts)

    def solve(self, ipm: bool = False) -> tuple[float, np.ndarray, float]:
        """Solve; return z, the duals y >= 0 of the type rows, and the dual of sum x = 1."""
        h = self.h
        if ipm:
            basis = h.getBasis()
            h.setOptionValue("solver", "ipm")
            h.setOptionValue("run_crossover", "off")
        h.run()
        status = h.getModelStatus()
        sol = h.getSolution()
        duals = -np.array(sol.row_dual)
        z = float(sol.col_value[0])
        if ipm:
            h.setOptionValue("solver", "simplex")
            h.setBasis(basis)
        ok = status == highspy.HighsModelStatus.kOptimal or (ipm and sol.dual_valid)
        if not ok:  # pragma: no cover - numerical failure guard
            raise RuntimeError(f"LEXIMIN master LP ended with status {h.modelStatusToString(status)}")
        return z, duals[: self.m], -float(duals[self.m])

    def fix(self, r: int, value: float) -> None:
        self.floor[r] = value
        self.h.changeCoeff(r, 0, 0.0)
        self.h.changeRowBounds(r, value, highspy.kHighsInf)

    def weights(self) -> np.ndarray:
        x = np.clip(np.array(self.h.getSolution().col_value[1:]), 0.0, None)
        return x / x.sum()


def _initial_panels(model: PanelModel, rng: np.random.Generator, rounds: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Return diverse panels covering every type that can be selected, and which types can."""
    nt = model.nt
    sizes = model.types.sizes
    panels: dict[tuple[int, ...], np.ndarray] = {}
    covered = np.array(model.types.forced, dtype=bool)
    reachable = np.ones(nt, dtype=bool)
    weights = rng.uniform(0.99, 1.0, nt)
    for _ in range(rounds):
        counts = model.best(weights / sizes)
        key = tuple(int(c) for c in counts)
        if key in panels:
            weights = 0.9 * weights + 0.1
        else:
            panels[key] = counts
            weights = np.where(counts > 0, weights * 0.8, weights)
        covered |= counts > 0
        weights *= nt / weights.sum()
    for t in range(nt):
        if covered[t]:
            continue
        w = rng.uniform(0.0, 1e-3, nt) / sizes
        w[t] += 1.0
        counts = model.best(w)
        if counts[t] == 0:
            reachable[t] = False
            continue
        panels.setdefault(tuple(int(c) for c in counts), counts)
        covered |= counts > 0
    return list(panels.values()), reachable


def leximin(
    pool: Pool,
    *,
    include: Collection[str] = (),
    exclude: Collection[str] = (),
    seed: int = 0,
    initial_rounds: int | None = None,
) -> Distribution:
    """Return the LEXIMIN distribution over panels for `pool` (Flanigan et al. 2021).

    `include` ids are on every panel (probability 1), `exclude` ids on none. Raises
    `InfeasibleError` (with a feasibility report) when no panel meets the quotas.
    """
    model = solvable_model(pool, include, exclude)
    types = model.types
    sizes = types.sizes
    nt = model.nt
    rng = np.random.default_rng(seed)
    rounds = initial_rounds if initial_rounds is not None else min(nt, 50)
    panels, reachable = _initial_panels(model, rng, rounds)
    active = [t for t in range(nt) if reachable[t] and not types.forced[t]]
    lp = _MasterLP(active, sizes)
    seen: set[tuple[int, ...]] = set()
    for counts in panels:
        seen.add(tuple(int(c) for c in counts))
        lp.add(counts)
    fixed = np.zeros(lp.m, dtype=bool)
    while not fixed.all():
        z, y0, _ = _column_generation(lp, model, seen, nt)
        zi, yi, capi = lp.solve(ipm=True)
        if _price(lp, model, yi, capi + PRICE_TOL * 10, seen, nt):
            continue
        # The interior-point duals are only trusted once no panel prices out under them.
        y = yi if any(yi[r] > FIX_TOL for r in range(lp.m) if not fixed[r]) else y0
        chosen = [r for r in range(lp.m) if not fixed[r] and y[r] > FIX_TOL]
        if not chosen:  # pragma: no cover - sum of duals over unfixed rows is 1
            chosen = [r for r in range(lp.m) if not fixed[r]]
        for r in chosen:
            lp.fix(r, z)
            fixed[r] = True
    lp.solve()
    return _distribution(pool, types, lp, "leximin", VERSION)


def _pricing_weights(lp: _MasterLP, y: np.ndarray, nt: int) -> np.ndarray:
    w = np.zeros(nt)
    for r, t in enumerate(lp.active):
        w[t] = max(y[r], 0.0) / lp.sizes[t]
    return w


def _improves(model: PanelModel, counts: np.ndarray | None, above: float, seen: set) -> bool:
    """Return whether the pricing found a new panel heavier than `above`."""
    # A panel already in the LP cannot price out; seeing one again means numerical noise.
    return counts is not None and model.objective() > above and tuple(int(c) for c in counts) not in seen


def _price(lp: _MasterLP, model: PanelModel, y: np.ndarray, above: float, seen: set, nt: int) -> bool:
    """Add the panels that price out under duals `y`; return whether there were any."""
    counts = model.best(_pricing_weights(lp, y, nt), above=above)
    if not _improves(model, counts, above, seen):
        return False
    seen.add(tuple(int(v) for v in counts))
    lp.add(counts)
    return True


def _smoothed_generation(lp: _MasterLP, model: PanelModel, seen: set, nt: int) -> None:
    """Add panels, pricing with duals smoothed towards the best bound so far, until z is near it.

    Wentges' dual smoothing (Pessoa et al., "In-out separation and column generation
    stabilization by dual price smoothing", 2013): pricing at a mix of the current duals and
    the duals that gave the best upper bound damps the oscillation of LP duals, so fewer panels
    are needed. Any duals y >= 0 summing to 1 over unfixed rows bound the stage optimum by
    max_P y(P) - sum_fixed f_i y_i, which the pricing computes.
    """
    center = None
    best = np.inf
    while True:
        z, y, cap = lp.solve()
        ysep = y if center is None else SMOOTH_ALPHA * center + (1 - SMOOTH_ALPHA) * y
        counts = model.best(_pricing_weights(lp, ysep, nt))
        bound = model.objective() - float(lp.floor @ ysep)
        if bound < best:
            best, center = bound, ysep
        key = tuple(int(c) for c in counts)
        improving = float(_pricing_weights(lp, y, nt) @ counts) > cap + PRICE_TOL and key not in seen
        # Stop when z meets the bound or on a mispricing; plain generation then finishes.
        if best - z <= SMOOTH_GAP or not improving:
            return
        seen.add(key)
        lp.add(counts)


def _column_generation(lp: _MasterLP, model: PanelModel, seen: set, nt: int) -> tuple[float, np.ndarray, float]:
    """Add panels until no panel has positive reduced cost; return z, duals and cap."""
    _smoothed_generation(lp, model, seen, nt)
    while True:
        z, y, cap = lp.solve()
        if not _price(lp, model, y, cap + PRICE_TOL, seen, nt):
            return z, y, cap


def _distribution(pool: Pool, types: Types, lp: _MasterLP, algorithm: str, version: str) -> Distribution:
    """Collect the LP's panels with positive weight, in canonical order, and the marginals."""
    x = lp.weights()
    keep = sorted(
        ((tuple(int(c) for c in col), float(w)) for col, w in zip(lp.columns, x, strict=True) if w > 1e-12),
        reverse=True,
    )
    total = sum(w for _, w in keep)
    panels = tuple(k for k, _ in keep)
    weights = tuple(w / total for _, w in keep)
    return Distribution(pool, types, panels, weights, person_probabilities(pool, types, panels, weights), algorithm, version)


def person_probabilities(
    pool: Pool, types: Types, panels: tuple[tuple[int, ...], ...], weights: tuple[float, ...]
) -> tuple[float, ...]:
    """Return each volunteer's selection probability (pool order) under a lottery over type panels."""
    expected = np.zeros(len(types.members))
    for counts, w in zip(panels, weights, strict=True):
        expected += w * np.array(counts, dtype=float)
    probs = [0.0] * pool.size
    for t, members in enumerate(types.members):
        for i in members:
            probs[i] = float(expected[t] / len(members))
    return tuple(probs)
