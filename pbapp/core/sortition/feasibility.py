"""Whether the quotas can be met from a pool, and the smallest relaxation that makes them so.

The check solves the panel integer program (`panels.PanelModel`). When it has no solution,
a second integer program (HiGHS MIP) lowers minimums and raises maximums by integer amounts,
minimising the total change, subject to a panel existing; this follows the relaxation IP of
the Sortition Foundation's `sortition-algorithms` (Flanigan et al., Nature 2021, code
supplement). As there, a quota's `min_flex`/`max_flex` bound the relaxation: a minimum is never
lowered below `min_flex` nor a maximum raised above `max_flex`. When no relaxation within those
bounds helps, the report says so and still names the smallest relaxation beyond them. Quotas that are impossible on their own (too few volunteers with a value, more
people who must be included than a maximum allows) are named directly. Deterministic.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

import highspy
import numpy as np

from pbapp.core.messages import Message
from pbapp.core.sortition.panels import INF, PanelModel, group_types, new_highs
from pbapp.core.sortition.pool import Pool, Quota


@dataclass(frozen=True)
class Relaxation:
    """A changed quota: the old bounds and the new ones."""

    feature: str
    value: str
    min: int
    max: int
    new_min: int
    new_max: int


@dataclass(frozen=True)
class FeasibilityReport:
    """Whether a panel exists; if not, plain-English problems and a minimal relaxation."""

    feasible: bool
    problems: tuple[Message, ...] = ()
    relaxation: tuple[Relaxation, ...] = ()

    def as_dict(self) -> dict:
        """Return the report as JSON-ready data."""
        return {
            "feasible": self.feasible,
            "problems": list(self.problems),
            "relaxation": [asdict(r) for r in self.relaxation],
        }


def _label(q: Quota) -> str:
    return f"{q.feature} {q.value!r}"


def _direct_problems(pool: Pool, include: set[int], exclude: set[int]) -> list[str]:
    households = pool.households()
    house_of = {i: h for h, m in households.items() for i in m}
    problems: list[Message] = []
    for q in pool.quotas:
        members = [i for i in pool.members(q) if i not in exclude]
        forced = sum(1 for i in members if i in include)
        homes = len({house_of.get(i, ("own", i)) for i in members})
        if len(members) < q.min:
            problems.append(
                Message(
                    "quota.too_few_volunteers",
                    f"{_label(q)}: the minimum is {q.min} but only {len(members)} volunteers in the pool have this value",
                    feature=q.feature,
                    value=q.value,
                    min=q.min,
                    count=len(members),
                )
            )
        elif homes < q.min:
            problems.append(
                Message(
                    "quota.too_few_households",
                    f"{_label(q)}: the minimum is {q.min} but the {len(members)} volunteers with this value "
                    f"live in only {homes} households",
                    feature=q.feature,
                    value=q.value,
                    min=q.min,
                    count=len(members),
                    households=homes,
                )
            )
        if forced > q.max:
            problems.append(
                Message(
                    "quota.too_many_included",
                    f"{_label(q)}: {forced} people who must be included have this value but the maximum is {q.max}",
                    feature=q.feature,
                    value=q.value,
                    max=q.max,
                    count=forced,
                )
            )
    return problems


def check_feasibility(pool: Pool, *, include: Collection[str] = (), exclude: Collection[str] = ()) -> FeasibilityReport:
    """Report whether some panel meets every quota, and if not the smallest relaxation that would.

    `include` ids must be on the panel, `exclude` ids must not. Deterministic.
    """
    inc = pool.indices(include)
    exc = pool.indices(exclude)
    model = PanelModel(pool, include=inc, exclude=exc)
    if model.best(np.zeros(model.nt)) is not None:
        return FeasibilityReport(True)
    problems = _direct_problems(pool, inc, exc)
    changes = _relax(pool, inc, exc, flex=True)
    if changes is None and _has_flex(pool):
        changes = _relax(pool, inc, exc, flex=False)
        if changes is not None:
            problems.append(
                Message(
                    "quota.beyond_flex",
                    "no panel is possible within the flexible bounds (min_flex and max_flex) of the features file; "
                    "the smallest change below goes beyond them",
                )
            )
    if changes is None:
        eligible = pool.size - len(exc)
        problems.append(
            Message(
                "quota.no_panel_at_all",
                f"no panel of {pool.panel_size} is possible whatever the quotas: {len(inc)} people must be included, "
                f"{eligible} volunteers are available and at most one person per household may sit",
                panel_size=pool.panel_size,
                included=len(inc),
                eligible=eligible,
            )
        )
        return FeasibilityReport(False, tuple(problems), ())
    for r in changes:
        if r.new_min < r.min:
            problems.append(
                Message(
                    "quota.lower_minimum",
                    f"{r.feature} {r.value!r}: no panel can meet the minimum of {r.min}; lowering it to {r.new_min} would work",
                    feature=r.feature,
                    value=r.value,
                    min=r.min,
                    new_min=r.new_min,
                )
            )
        if r.new_max > r.max:
            problems.append(
                Message(
                    "quota.raise_maximum",
                    f"{r.feature} {r.value!r}: no panel can keep to the maximum of {r.max}; raising it to {r.new_max} would work",
                    feature=r.feature,
                    value=r.value,
                    max=r.max,
                    new_max=r.new_max,
                )
            )
    return FeasibilityReport(False, tuple(dict.fromkeys(problems)), tuple(changes))


def _has_flex(pool: Pool) -> bool:
    return any(q.min_flex is not None or q.max_flex is not None for q in pool.quotas)


def _most_down(q: Quota, flex: bool) -> float:
    return float(q.min - (q.min_flex or 0)) if flex else float(q.min)


def _most_up(q: Quota, k: int, flex: bool) -> float:
    if flex and q.max_flex is not None:
        return float(max(0, min(k, q.max_flex - q.max)))
    return float(k)


def _relax(pool: Pool, include: set[int], exclude: set[int], *, flex: bool = True) -> list[Relaxation] | None:
    """Solve the relaxation IP; return the changed quotas, or None if no relaxation helps.

    With `flex`, each quota's min_flex/max_flex bound how far it may move.
    """
    types = group_types(pool, include, exclude)
    type_of = {i: t for t, m in enumerate(types.members) for i in m}
    sizes = types.sizes
    nt = len(sizes)
    nq = len(pool.quotas)
    k = pool.panel_size
    h = new_highs()
    lower = np.array([s if f else 0.0 for s, f in zip(sizes, types.forced, strict=True)])
    h.addVars(nt, lower, sizes)
    # down[q] lowers quota q's minimum, up[q] raises its maximum.
    h.addVars(nq, np.zeros(nq), np.array([_most_down(q, flex) for q in pool.quotas]))
    h.addVars(nq, np.zeros(nq), np.array([_most_up(q, k, flex) for q in pool.quotas]))
    ncol = nt + 2 * nq
    h.changeColsIntegrality(ncol, np.arange(ncol, dtype=np.int32), np.full(ncol, highspy.HighsVarType.kInteger))
    h.changeColsCost(2 * nq, np.arange(nt, ncol, dtype=np.int32), np.ones(2 * nq))
    h.addRow(k, k, nt, np.arange(nt, dtype=np.int32), np.ones(nt))
    for j, q in enumerate(pool.quotas):
        ts = sorted({type_of[i] for i in pool.members(q) if i in type_of})
        idx = np.array([*ts, nt + j], dtype=np.int32)
        h.addRow(q.min, INF, len(idx), idx, np.array([1.0] * len(ts) + [1.0]))
        idx = np.array([*ts, nt + nq + j], dtype=np.int32)
        h.addRow(-INF, q.max, len(idx), idx, np.array([1.0] * len(ts) + [-1.0]))
    for m in pool.households().values():
        ts = sorted({type_of[i] for i in m if i in type_of})
        if len(ts) > 1:
            h.addRow(-INF, 1.0, len(ts), np.array(ts, dtype=np.int32), np.ones(len(ts)))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.rint(np.array(h.getSolution().col_value)).astype(int)
    changes = []
    for j, q in enumerate(pool.quotas):
        down, up = int(x[nt + j]), int(x[nt + nq + j])
        if down or up:
            changes.append(Relaxation(q.feature, q.value, q.min, q.max, q.min - down, q.max + up))
    return changes
