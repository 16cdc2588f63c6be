"""Sequential Phragmén for participatory budgeting.

Reference: Los, Christoff, Grossi, "Proportional Budget Allocations: Towards a Systematization",
IJCAI 2022; pabutools 1.2.3 `sequential_phragmen`. Voters carry a load (money they are deemed to
have paid), starting at 0. Each round funds the project whose supporters would end with the
lowest common load (their loads plus its cost, shared equally among them) and sets their loads
to that; counting stops when that project does not fit in what is left, as in pabutools.
Ballots count as approvals of every project they list. Projects costing more than the whole
budget and projects nobody supported are never funded. Ties (within a relative 1e-11) go to
`ties.tie_order`. Invariant: the money spent never exceeds the budget. Deterministic given the seed.

Each round adds what it raised the chosen project's supporters' loads by to the projects on their
ballots (work in proportion to those ballots), instead of summing every ballot's load again.
"""

from __future__ import annotations

import numpy as np

from pbapp.core.ballots.election import Profile
from pbapp.core.ballots.equal_shares import TOL
from pbapp.core.ballots.outcome import Explanation, Outcome, money_json, money_text
from pbapp.core.messages import Message
from pbapp.core.ballots.ties import TieReport, decided_by, tie_order


def phragmen(profile: Profile, *, seed: int = 0, currency: str = "", tie_break: str = "cost") -> Outcome:
    """Run sequential Phragmén and explain each project's fate."""
    m = len(profile.ids)
    order = tie_order(profile.ids, profile.costs, profile.support, seed, tie_break)
    rank = np.empty(m, dtype=np.int64)
    rank[order] = np.arange(m)
    cost = np.array([float(c) for c in profile.costs])
    ptr, supporting_rows, _ = profile.by_project()
    indptr, indices = profile.indptr, profile.indices
    w = profile.weights.astype(np.float64)
    load = np.zeros(len(w))
    # Each project's supporters' loads, weighted by voters: raised by what each funding adds.
    carried = np.zeros(m)
    open_ = np.array([profile.approvals[j] > 0 and profile.costs[j] <= profile.budget for j in range(m)], dtype=bool)
    left = profile.budget
    selected: list[int] = []
    loads: dict[int, float] = {}
    ties: list[TieReport] = []
    stopped_at = None
    approvals = np.where(profile.approvals > 0, profile.approvals, 1.0)
    while open_.any():
        new_load = np.where(open_, (carried + cost) / approvals, np.inf)
        best = new_load.min()
        tied = sorted(np.flatnonzero(new_load <= best * (1 + TOL)).tolist(), key=lambda j: rank[j])
        chosen = tied[0]
        if len(tied) > 1:
            ties.append(
                TieReport(
                    f"round {len(selected) + 1}",
                    tuple(profile.ids[j] for j in tied),
                    profile.ids[chosen],
                    decided_by(tied, profile.costs, profile.support, tie_break),
                )
            )
        if profile.costs[chosen] > left:
            stopped_at = chosen
            break
        supporters = supporting_rows[ptr[chosen] : ptr[chosen + 1]]
        starts = indptr[supporters]
        lengths = indptr[supporters + 1] - starts
        ends = np.cumsum(lengths)
        entries = np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1])
        rise = w[supporters] * (best - load[supporters])
        carried += np.bincount(indices[entries], weights=np.repeat(rise, lengths), minlength=m)
        load[supporters] = best
        loads[chosen] = float(best)
        selected.append(chosen)
        left -= profile.costs[chosen]
        open_[chosen] = False
    explanations = {}
    for j, pid in enumerate(profile.ids):
        facts = {"cost": money_json(profile.costs[j]), "supporters": int(profile.approvals[j])}
        if j in loads:
            explanations[pid] = Explanation(
                True,
                Message(
                    "phragmen.funded",
                    f"Funded in round {selected.index(j) + 1}: its {int(profile.approvals[j]):,} supporters' loads "
                    f"rose to {money_text(loads[j], currency)} each.",
                    round=selected.index(j) + 1,
                    supporters=f"{int(profile.approvals[j]):,}",
                    load=money_text(loads[j], currency),
                ),
                {**facts, "load": money_json(loads[j])},
            )
        elif profile.approvals[j] <= 0:
            explanations[pid] = Explanation(False, Message("no_support", "Not funded: no one supported it."), facts)
        elif profile.costs[j] > profile.budget:
            explanations[pid] = Explanation(
                False, Message("phragmen.over_budget", "Not funded: it costs more than the whole budget."), facts
            )
        elif j == stopped_at:
            explanations[pid] = Explanation(
                False,
                Message(
                    "phragmen.stopped_here",
                    f"Not funded: it was next in line but cost {money_text(profile.costs[j], currency)} with only "
                    f"{money_text(left, currency)} left, so counting stopped.",
                    cost=money_text(profile.costs[j], currency),
                    left=money_text(left, currency),
                ),
                {**facts, "budget_left": money_json(left)},
            )
        else:
            explanations[pid] = Explanation(
                False,
                Message("phragmen.stopped_before", "Not funded: counting stopped before its supporters' turn came."),
                facts,
            )
    return Outcome(
        "phragmen", profile.budget, [profile.ids[j] for j in selected], profile.budget - left, explanations, ties
    )
