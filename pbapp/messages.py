"""The reader's language for sentences the pure core writes in English (see pbapp.core.messages).

Each code the core uses has a translatable sentence here with the same placeholders. A code
without one, or a sentence whose placeholders no longer match, falls back to the core's English,
so a new core message is never lost, only untranslated (tests/test_messages.py checks coverage).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from pbapp.core.messages import Message
from pbapp.core.table_reader import TableError

CATALOGUE = {
    # Feasibility of quotas (pbapp.core.sortition.feasibility)
    "quota.too_few_volunteers": _l(
        "%(feature)s “%(value)s”: the minimum is %(min)s but only %(count)s volunteers in the pool have this value"
    ),
    "quota.too_few_households": _l(
        "%(feature)s “%(value)s”: the minimum is %(min)s but the %(count)s "
        "volunteers with this value live in only %(households)s households"
    ),
    "quota.too_many_included": _l(
        "%(feature)s “%(value)s”: %(count)s people who must be included have this value but the maximum is %(max)s"
    ),
    "quota.no_panel_at_all": _l(
        "No panel of %(panel_size)s is possible whatever the quotas: %(included)s "
        "people must be included, %(eligible)s volunteers are available and at most "
        "one person per household may sit"
    ),
    "quota.lower_minimum": _l(
        "%(feature)s “%(value)s”: no panel can meet the minimum of %(min)s; lowering it to %(new_min)s would work"
    ),
    "quota.raise_maximum": _l(
        "%(feature)s “%(value)s”: no panel can keep to the maximum of %(max)s; raising it to %(new_max)s would work"
    ),
    "quota.beyond_flex": _l(
        "No panel is possible within the flexible bounds (min_flex and max_flex) of the "
        "features file; the smallest change below goes beyond them."
    ),
    # Why a project was or was not funded (pbapp.core.ballots)
    "no_support": _l("Not funded: no one supported it."),
    "greedy.below_threshold": _l("Not funded: its support (%(support)s) is below the threshold of %(threshold)s."),
    "greedy.withdrawn": _l("Not funded: the project was withdrawn (the file gives it the withdrawn mark as its cost)."),
    "greedy.stopped": _l("Not funded: counting stopped at project %(project)s, the first that did not fit."),
    "greedy.funded": _l(
        "Funded: number %(rank)s by support; %(left)s was left when it was reached and it cost %(cost)s."
    ),
    "greedy.does_not_fit": _l("Not funded: %(left)s was left when it was reached, less than its cost of %(cost)s."),
    "greedy.does_not_fit_stop": _l(
        "Not funded: %(left)s was left when it was reached, less than its cost of %(cost)s. Counting stops here."
    ),
    "es.funded.share": _l(
        "Funded: its %(supporters)s supporters paid %(cost)s between them; %(full)s paid %(share)s each."
    ),
    "es.funded.share.capped": _l(
        "Funded: its %(supporters)s supporters paid %(cost)s between them; %(full)s "
        "paid %(share)s each, %(capped)s paid all they had left (%(capped_total)s in "
        "total)."
    ),
    "es.funded.per_point": _l(
        "Funded: its %(supporters)s supporters paid %(cost)s between them, %(per_point)s per point each."
    ),
    "es.funded.per_point.capped": _l(
        "Funded: its %(supporters)s supporters paid %(cost)s between them, "
        "%(per_point)s per point each, %(capped)s paid all they had left "
        "(%(capped_total)s in total)."
    ),
    "es.free": _l("Funded: it costs nothing and has supporters."),
    "es.unaffordable": _l(
        "Not funded: its %(supporters)s supporters had %(left)s left between them, less than its cost of %(cost)s."
    ),
    "es.greedy_completion": _l(
        "Funded in the greedy completion after Equal Shares: number %(rank)s by support; "
        "%(left)s was left when it was reached and it cost %(cost)s."
    ),
    "phragmen.funded": _l("Funded in round %(round)s: its %(supporters)s supporters’ loads rose to %(load)s each."),
    "phragmen.over_budget": _l("Not funded: it costs more than the whole budget."),
    "phragmen.stopped_here": _l(
        "Not funded: it was next in line but cost %(cost)s with only %(left)s left, so counting stopped."
    ),
    "phragmen.stopped_before": _l("Not funded: counting stopped before its supporters’ turn came."),
    # Allocation ballots (pbapp.pb.counting)
    "allocation.mean": _l("The average of every voter’s amount for this line."),
    "allocation.median": _l(
        "The median of voters’ amounts, adjusted so the lines add up to the total "
        "(Independent Markets: no one gains by exaggerating)."
    ),
    # Why a ballot is refused (pbapp.core.ballots.kinds)
    "ballot.unknown": _l("There is no choice “%(ref)s” on this ballot."),
    "ballot.repeated": _l("You chose %(name)s twice; choose each one once."),
    "ballot.too_many": _l("You chose %(count)s; you can choose up to %(most)s."),
    "ballot.too_few": _l("You chose %(count)s; choose at least %(least)s."),
    "ballot.too_many_ranked": _l("You ranked %(count)s; you can rank up to %(most)s."),
    "ballot.too_few_ranked": _l("You ranked %(count)s; rank at least %(least)s."),
    "ballot.over_budget": _l("Your choices cost %(cost)s, which is %(over)s over the %(budget)s budget."),
    "ballot.under_spent": _l("Your choices cost %(cost)s; spend at least %(least)s of the %(budget)s budget."),
    "points.not_whole": _l("Give %(name)s a whole number of points, 0 or more."),
    "points.too_many_for_one": _l(
        "You gave %(points)s points to %(name)s; give no more than %(most)s points to one choice."
    ),
    "points.over_total": _l("You gave %(total)s points; you have %(most)s to give."),
    "points.not_all": _l("You gave %(total)s of %(most)s points; give them all."),
    "allocation.impossible": _l("The budget lines’ limits cannot add up to the total."),
    "allocation.out_of_bounds": _l("You gave %(name)s %(amount)s; give it between %(low)s and %(high)s."),
    "allocation.short": _l("Your amounts add up to %(total)s; they must add up to %(target)s (%(gap)s short)."),
    "allocation.over": _l("Your amounts add up to %(total)s; they must add up to %(target)s (%(gap)s over)."),
    # The budget simulator (pbapp.core.simulator)
    "simulator.impossible": _l(
        "Even the deepest cuts on offer cannot balance this budget: allow bigger cuts, a "
        "bigger council-tax rise or more money."
    ),
    "simulator.bad_tax": _l("Council tax cannot change by %(percent)s%%; choose one of the steps shown."),
    "simulator.bad_step": _l("%(name)s cannot change by %(percent)s%%; choose one of the steps shown."),
    "simulator.unbalanced": _l(
        "Your budget is %(gap)s short. Cut spending or raise council tax to find %(gap)s more before you send it."
    ),
    # Why an uploaded table cannot be read (pbapp.core.table_reader)
    "table.xls": _l(
        "%(file)s: this is an old Excel workbook (.xls), not a CSV file. Save it as CSV UTF-8 or as an "
        ".xlsx workbook and upload it again."
    ),
    "table.not_csv": _l(
        "%(file)s: this is not a CSV file. Save the table as CSV UTF-8 or as an .xlsx workbook and upload it again."
    ),
    "table.not_utf8": _l(
        "%(file)s, line %(line)s: the file is not UTF-8 text (byte %(byte)s). Save it as CSV UTF-8 and upload it again."
    ),
    "table.bad_csv": _l("%(file)s: this is not valid CSV (%(error)s)."),
    "table.bad_xlsx": _l("%(file)s: this workbook is damaged or incomplete. Save it again and upload the copy."),
}


def table_refusal(error: TableError) -> str:
    """Say why an uploaded table cannot be read, naming the file (and line), in the reader's language."""
    return say(
        {
            "reason_code": "table." + error.code,
            "reason": str(error),
            "reason_params": {"file": error.source or "", "line": error.line or 1, **error.params},
        }
    )


def say(item: Message | Mapping[str, Any] | str | None) -> str:
    """Return a core message, or a stored explanation ({"reason", "reason_code", "reason_params"}), in the reader's language."""
    if isinstance(item, Message):
        code, params, english = item.code, item.params, str(item)
    elif isinstance(item, Mapping):
        code, params, english = item.get("reason_code"), item.get("reason_params") or {}, item.get("reason", "")
    else:
        return item or ""
    sentence = CATALOGUE.get(code)
    if sentence is None:
        return english
    try:
        return str(sentence) % params
    except (KeyError, TypeError, ValueError):
        return english
