"""Greedy by support: fund the most supported projects first while the money lasts.

Reference: the rule most cities use (Pabulib META `rule` greedy, greedy-no-skip,
greedy-threshold; Faliszewski et al., IJCAI 2023, section 2). Projects are taken in order of
support (approvals, points, or positional scores), ties broken by `ties.tie_order` (lower cost,
more support, seeded lot). `greedy` skips a project that no longer fits and goes on; with
`skip=False` counting stops at the first project that does not fit. A threshold leaves out
projects whose support is below it (META `min_project_score_threshold`; `tally` applies it
under every greedy rule, as Pabulib's checker and the cities do). A project whose cost is
Pabulib's withdrawn mark (999999999, more than the money left) is passed over, never a reason
for `greedy-no-skip` to stop. Projects nobody
supported come last and are funded only if money is left, as pabutools and Pabulib's checker
do. Invariant: the money spent never exceeds the budget. Deterministic given the seed.
"""

from __future__ import annotations

from itertools import groupby

from pbapp.core.ballots.election import WITHDRAWN_COST, Money, Profile
from pbapp.core.ballots.outcome import Explanation, Outcome, money_json, money_text
from pbapp.core.messages import Message
from pbapp.core.ballots.ties import TieReport, decided_by, tie_order


def support_order(profile: Profile, seed: int = 0, tie_break: str = "cost") -> list[int]:
    """Return project indices by support, most first, ties broken by the documented order."""
    ties = tie_order(profile.ids, profile.costs, profile.support, seed, tie_break)
    rank = {j: r for r, j in enumerate(ties)}
    return sorted(range(len(profile.ids)), key=lambda j: (-profile.support[j], rank[j]))


def greedy(
    profile: Profile,
    *,
    skip: bool = True,
    threshold: Money = 0,
    seed: int = 0,
    currency: str = "",
    rule: str = "greedy",
    budget: Money | None = None,
    already: list[int] | None = None,
    tie_break: str = "cost",
) -> Outcome:
    """Fund projects in order of support; `already` are funded first (for completing other rules)."""
    budget = profile.budget if budget is None else budget
    already = already or []
    left = budget - sum((profile.costs[j] for j in already), 0)
    selected = list(already)
    explanations: dict[str, Explanation] = {}
    stopped_at: int | None = None
    order = support_order(profile, seed, tie_break)
    for rank, j in enumerate(order, start=1):
        if j in already:
            continue
        pid, cost, support = profile.ids[j], profile.costs[j], profile.support[j]
        facts = {
            "rank": rank,
            "support": money_json(support),
            "cost": money_json(cost),
            "budget_left": money_json(left),
        }
        if cost == WITHDRAWN_COST and cost > left:
            # Pabulib's mark of a withdrawn project: passed over, never a reason to stop counting.
            explanations[pid] = Explanation(
                False,
                Message(
                    "greedy.withdrawn",
                    "Not funded: the project was withdrawn (the file gives it the withdrawn mark as its cost).",
                ),
                facts,
            )
        elif support < threshold:
            explanations[pid] = Explanation(
                False,
                Message(
                    "greedy.below_threshold",
                    f"Not funded: its support ({money_text(support)}) is below the threshold of {money_text(threshold)}.",
                    support=money_text(support),
                    threshold=money_text(threshold),
                ),
                {**facts, "threshold": money_json(threshold)},
            )
        elif stopped_at is not None:
            explanations[pid] = Explanation(
                False,
                Message(
                    "greedy.stopped",
                    f"Not funded: counting stopped at project {profile.ids[stopped_at]}, the first that did not fit.",
                    project=profile.ids[stopped_at],
                ),
                facts,
            )
        elif cost <= left:
            explanations[pid] = Explanation(
                True,
                Message(
                    "greedy.funded",
                    f"Funded: number {rank} by support; {money_text(left, currency)} was left when it was reached "
                    f"and it cost {money_text(cost, currency)}.",
                    rank=rank,
                    left=money_text(left, currency),
                    cost=money_text(cost, currency),
                ),
                facts,
            )
            selected.append(j)
            left -= cost
        else:
            explanations[pid] = Explanation(
                False,
                Message(
                    "greedy.does_not_fit" if skip else "greedy.does_not_fit_stop",
                    f"Not funded: {money_text(left, currency)} was left when it was reached, less than its cost of "
                    f"{money_text(cost, currency)}." + ("" if skip else " Counting stops here."),
                    left=money_text(left, currency),
                    cost=money_text(cost, currency),
                ),
                facts,
            )
            if not skip:
                stopped_at = j
    ties = _ties(profile, order, set(selected), tie_break)
    return Outcome(
        rule=rule,
        budget=budget,
        selected=[profile.ids[j] for j in selected],
        spent=budget - left,
        explanations=explanations,
        ties=ties,
    )


def _ties(profile: Profile, order: list[int], funded: set[int], tie_break: str) -> list[TieReport]:
    """Report groups of equally supported projects where the tie-break decided who was funded."""
    reports = []
    for support, group in groupby(order, key=lambda j: profile.support[j]):
        group = list(group)
        statuses = {j in funded for j in group}
        if len(statuses) > 1:
            chosen = next(j for j in group if j in funded)
            reports.append(
                TieReport(
                    step=f"equal support {money_text(support)}",
                    tied=tuple(profile.ids[j] for j in group),
                    chosen=profile.ids[chosen],
                    decided_by=decided_by(group, profile.costs, profile.support, tie_break),
                )
            )
    return reports
