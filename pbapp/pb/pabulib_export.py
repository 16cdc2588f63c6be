"""A published ballot as a Pabulib `.pb` file carrying everything the ballot knows.

META: the fields Pabulib defines that the ballot has (description, country, unit, instance,
num_projects, num_votes, budget, vote_type, rule, date_begin, date_end, language, currency,
min_length, max_length, min_sum_cost, max_sum_cost, max_sum_points, max_points), over the META of
the file it was imported from, if it was. PROJECTS: cost and name, and, counted, `votes` (voters
who chose it), `score` (its support under the ballot's kind) and `selected` (1 when the council's
published decision funds it). VOTES: one line per counted ballot; the voter id is a keyed hash
(HMAC with the voter key) of the ballot's log token, so it is stable from one export to the next
yet links to no person and to no row order; lines are sorted by it.

Allocation ballots (splitting a total across budget lines) are written as `cumulative` votes:
each line is a project whose cost is its highest amount, a voter's points are the pence they gave
it, `max_sum_points` is the total in pence, and `selected` marks lines the count gives money to.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from pbapp.core.ballots.election import Election, Project, Vote, format_number
from pbapp.core.money import to_pounds
from pbapp.councils.models import Council
from pbapp.pb.models import ALLOCATION, CUMULATIVE, KNAPSACK, RANKED, Ballot, Result

VOTE_TYPES = {
    "approval": "approval",
    KNAPSACK: "approval",
    CUMULATIVE: "cumulative",
    RANKED: "ordinal",
    ALLOCATION: "cumulative",
}


def _date(moment: datetime | None) -> str:
    return moment.strftime("%d.%m.%Y") if moment else ""


def meta_of(ballot: Ballot, council: Council, voters: int, projects: int, language: str) -> dict[str, str]:
    """META as Pabulib defines it, from the ballot's settings over any imported file's META."""
    meta: dict[str, str] = dict(json.loads(ballot.pabulib_meta or "{}"))
    points = ballot.kind in (CUMULATIVE, ALLOCATION)
    own = {
        "description": ballot.title,
        "country": meta.get("country") or "United Kingdom",
        "unit": meta.get("unit") or council.name,
        "instance": meta.get("instance") or str(ballot.id),
        "num_projects": str(projects),
        "num_votes": str(voters),
        "budget": format_number(to_pounds(ballot.budget_pence)),
        "vote_type": VOTE_TYPES[ballot.kind],
        "rule": ballot.rule,
        "date_begin": _date(ballot.opens_at),
        "date_end": _date(ballot.closes_at or ballot.closed_at),
        "language": meta.get("language") or language,
        "currency": meta.get("currency") or "GBP",
    }
    if meta.get("vote_type") == "choose-1" and ballot.max_choices == 1:
        own["vote_type"] = "choose-1"
    if ballot.kind in ("approval", KNAPSACK, RANKED):
        own["min_length"] = str(ballot.min_choices) if ballot.min_choices else ""
        own["max_length"] = str(ballot.max_choices) if ballot.max_choices else ""
    if ballot.kind == KNAPSACK:
        own["max_sum_cost"] = own["budget"]
        if ballot.min_spend_percent:
            own["min_sum_cost"] = format_number(to_pounds(ballot.budget_pence * ballot.min_spend_percent // 100))
    if ballot.kind == CUMULATIVE:
        own["max_sum_points"] = str(ballot.total_points)
        own["max_points"] = str(ballot.max_per_project) if ballot.max_per_project else ""
    if ballot.kind == ALLOCATION:
        own["max_sum_points"] = own["min_sum_points"] = str(ballot.budget_pence)
        own["points_unit"] = "pence"
    meta.update({k: v for k, v in own.items() if v})
    if not points:
        meta.pop("max_sum_points", None)
    return meta


def election_of(
    ballot: Ballot, council: Council, document: dict[str, Any], result: Result | None, language: str, *, voter_id
) -> Election:
    """The ballot's log document as a Pabulib election (`voter_id(token)` keys each voter's log token)."""
    last: dict[str, Any] = {}
    for entry in sorted(document["entries"], key=lambda e: e["seq"]):
        last.pop(entry["voter"], None)
        last[entry["voter"]] = entry["choices"]
    computed = json.loads(result.computed) if result and result.computed_at else {}
    official = json.loads(result.official_selected) if result and result.official_selected else None
    chosen = set(official if official is not None else computed.get("selected", []))
    if ballot.kind == ALLOCATION:
        chosen = {ref for ref, pence in computed.get("allocation", {}).items() if pence > 0}
    points = ballot.kind in (CUMULATIVE, ALLOCATION)
    votes = []
    for token, choices in last.items():
        vid = voter_id(token)
        ids = tuple(ref for ref, n in choices.items() if n) if points else tuple(choices)
        given = tuple(int(choices[ref]) for ref in ids) if points else None
        fields = {"voter_id": vid, "vote": ",".join(ids)}
        if points:
            fields["points"] = ",".join(str(x) for x in given)
        votes.append(Vote(vid, ids, given, fields))
    votes.sort(key=lambda v: v.voter_id)
    chose: Counter = Counter()
    scored: Counter = Counter()
    for v in votes:
        chose.update(v.projects)
        if points:
            scored.update(dict(zip(v.projects, v.points)))
    counted = bool(computed)
    columns = ("project_id", "cost", "name") + (("votes", "score", "selected") if counted else ())
    if ballot.kind == ALLOCATION:
        columns += ("allocation",) if counted else ()
    projects = []
    for option in document["options"]:
        ref = option["ref"]
        cost = to_pounds(option["max_pence"] if ballot.kind == ALLOCATION else option["cost_pence"])
        fields = {"project_id": ref, "cost": format_number(cost), "name": option["title"]}
        if counted:
            fields["votes"] = str(chose[ref])
            score = scored[ref] if points else computed.get("support", {}).get(ref, chose[ref])
            fields["score"] = format_number(score if isinstance(score, int) else round(score))
            fields["selected"] = "1" if ref in chosen else "0"
            if ballot.kind == ALLOCATION:
                fields["allocation"] = format_number(to_pounds(computed.get("allocation", {}).get(ref, 0)))
        projects.append(Project(ref, cost, fields))
    meta = meta_of(ballot, council, len(votes), len(projects), language)
    vote_columns = ("voter_id", "vote", "points") if points else ("voter_id", "vote")
    return Election(
        meta=meta, projects=tuple(projects), votes=tuple(votes), project_columns=columns, vote_columns=vote_columns
    )
