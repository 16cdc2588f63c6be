"""LEXIMIN: the fairest distribution over panels, by column generation on HiGHS.

Reference: B. Flanigan, P. Gölz, A. Gupta, B. Hennig, A. D. Procaccia, "Fair algorithms for
selecting citizens' assemblies", Nature 596, 548-552 (2021), Methods "LEXIMIN".

The distribution maximises the lowest selection probability of any volunteer, then the
second lowest, and so on. Each stage solves, over the panels found so far, the LP

    maximise z  s.t.  P(i selected) >= z for every volunteer not yet fixed,
                      P(i selected) >= f_i for every fixed volunteer,  sum_P x_P = 1,

adding panels with positive reduced cost. Pricing is cheapest first: the LP relaxation of
the panel integer program (its bound often proves that no panel prices out, and its optimal
vertex is often a panel), then dives on that relaxation (`PanelModel.dive`, a few
milliseconds; a batch of them per round, so one master re-solve takes several panels), and
only when the dives find nothing the integer program, stopped at its first improving panel
or run to the proof that none exists (`PanelModel.improve`). Duals are
smoothed (Wentges), and the smoothed dual that proves the stage's optimum is mixed from
several LP duals, so its support fixes many volunteers at once: a volunteer with a positive
dual is tight in every optimum (complementary slackness) and is fixed at z, once the dual
proves them within 1e-6 of z (`_tight_rows`; `verify.verify_levels` checks every level). We solve the
primal, so adding a panel is adding a column and fixing a volunteer changes one row: one
HiGHS model is kept and every simplex solve is warm-started.

Volunteers are merged into interchangeable types (see `panels`), which is exact because the
LEXIMIN probabilities are unique and symmetric. Only open-source solvers are used; there is
no pool-size limit. Deterministic given the seed (which steers the initial panels and the
perturbed dives, not the probabilities).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import highspy
import numpy as np

from pbapp.core.sortition.panels import InfeasibleError, PanelModel, Types, new_highs
from pbapp.core.sortition.pool import Pool

VERSION = "pbapp-leximin 5"
PRICE_TOL = 1e-7
# A stage first converges to within PRICE_TOL; when its dual cannot yet prove any volunteer
# tight to LEVEL_TOL, it goes on to the next, finer tolerance (column generation continues
# from where it stopped). Below about 1e-9 the pricing integer program's own tolerances rule.
STAGE_TOLS = (PRICE_TOL, 1e-9)
FIX_TOL = 1e-6
# Every volunteer fixed at a level is proved to be within LEVEL_TOL of their LEXIMIN probability.
LEVEL_TOL = 1e-6
SMOOTH_ALPHA = 0.8
EXTRA_DIVES = 12
DIVE_NOISE = 0.3
# On a master of LARGE_MASTER rows or more, a tenth of HiGHS's default bound perturbation:
# its degenerate re-solves (most volunteers fixed, dense panel columns, 2 ms a pivot) take about
# a third fewer primal pivots (gss16_75, 477 rows: 615 to 397 on a replayed re-solve, 184 s to
# 148 s CPU in all), and it still perturbs against stalls. Smaller masters keep the default:
# gss14_40 (286 rows) took 15% more CPU with the smaller perturbation.
LARGE_MASTER = 400
LARGE_MASTER_BOUND_PERTURBATION = 0.1


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
        if self.m >= LARGE_MASTER:
            h.setOptionValue("primal_simplex_bound_perturbation_multiplier", LARGE_MASTER_BOUND_PERTURBATION)
        h.addVar(0.0, 1.0)
        h.changeColCost(0, 1.0)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        for _ in range(self.m):
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

    def solve(self) -> tuple[float, np.ndarray, float]:
        """Solve; return z, the duals y >= 0 of the type rows, and the dual of sum x = 1."""
        h = self.h
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            # Primal simplex restarted from a degenerate basis can stall (status Unknown, seen on a
            # small pool once): solve this LP again from scratch with HiGHS's default strategy.
            h.clearSolver()
            h.setOptionValue("simplex_strategy", 1)
            h.run()
            h.setOptionValue("simplex_strategy", 4)
            status = h.getModelStatus()
        sol = h.getSolution()
        duals = -np.array(sol.row_dual)
        z = float(sol.col_value[0])
        if status != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - numerical failure guard
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
        counts = _heavy_panel(model, weights / sizes)
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
        counts = _heavy_panel(model, w)
        if counts[t] == 0:
            counts = model.best(w)
        if counts[t] == 0:
            reachable[t] = False
            continue
        panels.setdefault(tuple(int(c) for c in counts), counts)
        covered |= counts > 0
    return list(panels.values()), reachable


def _heavy_panel(model: PanelModel, weights: np.ndarray) -> np.ndarray:
    """Return a heavy panel for `weights`: the dive's when it finds one, else the heaviest."""
    counts = model.dive(weights)
    return counts if counts is not None else model.best(weights)


def leximin(
    pool: Pool,
    *,
    include: Collection[str] = (),
    exclude: Collection[str] = (),
    seed: int = 0,
    initial_rounds: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Distribution:
    """Return the LEXIMIN distribution over panels for `pool` (Flanigan et al. 2021).

    `include` ids are on every panel (probability 1), `exclude` ids on none. Raises
    `InfeasibleError` (with a feasibility report) when no panel meets the quotas.
    `progress`, if given, receives one line per fixed level (for long runs).
    """
    model = solvable_model(pool, include, exclude)
    types = model.types
    sizes = types.sizes
    nt = model.nt
    rng = np.random.default_rng(seed)
    rounds = initial_rounds if initial_rounds is not None else min(nt, 50)
    panels, reachable = _initial_panels(model, rng, rounds)
    active = [t for t in range(nt) if reachable[t] and not types.forced[t]]
    gen = _Generator(_MasterLP(active, sizes), model, rng)
    for counts in panels:
        gen.add(counts)
    lp = gen.lp
    fixed = np.zeros(lp.m, dtype=bool)
    level = 0
    while not fixed.all():
        for tol in STAGE_TOLS:
            z, y, gap = gen.stage(tol)
            chosen = _tight_rows(fixed, y, z, gap)
            if chosen:
                break
        if not chosen:
            # Duals summing to 1 over the m' unfixed rows put at least 1/m' on the largest,
            # so its volunteers are within m' * gap of z.
            unfixed = np.flatnonzero(~fixed)
            chosen = [int(unfixed[int(np.argmax(y[unfixed]))])]
        for r in chosen:
            lp.fix(int(r), z)
            fixed[r] = True
        level += 1
        if progress is not None:
            progress(
                f"level {level}: {len(chosen)} types at {z:.6f}; {int(fixed.sum())} of {lp.m} fixed, "
                f"{len(lp.columns)} panels"
            )
    lp.solve()
    return _distribution(pool, types, lp, "leximin", VERSION)


def _tight_rows(fixed: np.ndarray, y: np.ndarray, z: float, gap: float) -> list[int]:
    """Return the unfixed rows whose dual proves them tight, to LEVEL_TOL, in every optimum of the stage.

    With `y` (summing to 1 over the unfixed rows) bounding the stage optimum within `gap` of
    `z`, every optimum gives row r at most z + gap / y_r: rows with that within LEVEL_TOL
    are returned; the others wait for a later stage, which meets them at the same level.
    (Version 3 fixed rows to 1e-4 and, when none qualified, the row of largest dual whatever
    its bound, so a level could take volunteers of a higher one.)
    """
    unfixed = np.flatnonzero(~fixed)
    if z >= 1.0 - FIX_TOL:
        # Everyone left is on every panel; the bound z <= 1 carries the dual instead of them.
        return [int(r) for r in unfixed]
    return [int(r) for r in unfixed if y[r] > FIX_TOL and gap <= LEVEL_TOL * y[r]]


class _Generator:
    """Column generation for one master LP: prices panels and adds the improving ones."""

    def __init__(self, lp: _MasterLP, model: PanelModel, rng: np.random.Generator):
        self.lp = lp
        self.model = model
        self.seen: set[tuple[int, ...]] = set()
        self.rng = rng

    def add(self, counts: np.ndarray) -> bool:
        """Add a panel unless the LP has it already; return whether it was added."""
        key = tuple(int(c) for c in counts)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.lp.add(counts)
        return True

    def weights(self, y: np.ndarray) -> np.ndarray:
        """Return per-type pricing weights for duals `y` of the type rows."""
        w = np.zeros(self.model.nt)
        w[self.lp.active] = np.maximum(y, 0.0) / self.lp.sizes[self.lp.active]
        return w

    def price(
        self, ysep: np.ndarray, y: np.ndarray, stop: float, cap: float, tol: float = PRICE_TOL
    ) -> tuple[float, list[np.ndarray], bool]:
        """Return an upper bound on max_P ysep(P), panels to offer the LP, and whether the bound is exact.

        Cheapest first: the LP relaxation's bound may already be at most `stop`, or its vertex
        may be a panel (then the bound is exact). Otherwise dives on the relaxation at `ysep`
        and at `y` look for new panels improving the LP (y(P) > `cap`); when one does, more
        dives at perturbed `y` add to the batch. Only when both fail does the integer program
        run, stopping at its first panel above `stop` (or proving there is none: the stage's end).
        """
        w = self.weights(ysep)
        bound, counts = self.model.relaxed(w)
        if counts is not None or bound <= stop:
            return bound, [] if counts is None else [counts], True
        found: dict[tuple[int, ...], np.ndarray] = {}
        for weights in (w, self.weights(y)) if ysep is not y else (w,):
            counts = self.model.dive(weights)
            if counts is not None and self.improves(y, counts, cap, tol):
                found.setdefault(tuple(int(c) for c in counts), counts)
        if found:
            # Dives are cheap next to a master re-solve, so offer a batch: dives at randomly
            # perturbed duals find other improving panels, and one re-solve takes them all.
            wy = self.weights(y)
            for _ in range(EXTRA_DIVES):
                counts = self.model.dive(wy * (1 + DIVE_NOISE * self.rng.uniform(-1.0, 1.0, len(wy))))
                if counts is not None and self.improves(y, counts, cap, tol):
                    found.setdefault(tuple(int(c) for c in counts), counts)
        if found:
            return bound, list(found.values()), False
        value, counts = self.model.improve(w, stop)
        return min(bound, value), [] if counts is None else [counts], counts is None

    def improves(self, y: np.ndarray, counts: np.ndarray, cap: float, tol: float = PRICE_TOL) -> bool:
        """Return whether a panel the LP does not have yet has positive reduced cost at `y`."""
        return float(self.weights(y) @ counts) > cap + tol and tuple(int(c) for c in counts) not in self.seen

    def stage(self, tol: float = PRICE_TOL) -> tuple[float, np.ndarray, float]:
        """Maximise the lowest unfixed probability; return it, a dual proving it, and the gap.

        Wentges' dual smoothing (Pessoa et al., "In-out separation and column generation
        stabilization by dual price smoothing", 2013) prices at a mix of the current duals and
        the duals that gave the best bound so far, which damps the oscillation of LP duals.
        Any duals y >= 0 summing to 1 over unfixed rows bound the stage optimum by
        max_P y(P) - sum_fixed f_i y_i; the stage ends when z is within `tol` of a bound.
        """
        lp = self.lp
        center: np.ndarray | None = None
        best = np.inf
        alpha = SMOOTH_ALPHA
        while True:
            z, y, cap = lp.solve()
            ysep = y if center is None else alpha * center + (1 - alpha) * y
            offset = float(lp.floor @ ysep)
            value, found, proof = self.price(ysep, y, z + offset + tol, cap, tol)
            if value - offset < best:
                best, center = value - offset, ysep
            # A proof that no panel beats `stop` at ysep bounds the stage by z + tol.
            if best - z <= tol or (proof and not found):
                return z, center, max(best - z, 0.0)
            added = [self.add(c) for c in found if self.improves(y, c, cap, tol)]
            if any(added):
                alpha = SMOOTH_ALPHA
            elif alpha > 0:
                # A mispricing: the mixed duals found nothing new for the LP, so move towards its duals.
                alpha = alpha / 2 if alpha > 0.05 else 0.0
            else:  # pragma: no cover - the LP already holds the heaviest panel: numerical noise
                # `best` bounds the stage through `center`, not through y: return the pair that holds.
                return z, center, max(best - z, 0.0)


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
    return Distribution(
        pool, types, panels, weights, person_probabilities(pool, types, panels, weights), algorithm, version
    )


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
