"""Counting and results: the count job, the council's decision, publishing, and the results page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlmodel import Session, func, select

from pbapp import audit, jobs
from pbapp.jobs import N_
from pbapp.accounts.models import User
from pbapp.core.errors import CoreError
from pbapp.councils.models import Area, Council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.pb import conversation, counting, published, shuffle, simulator
from pbapp.pb.models import (
    ALLOCATION,
    MATCHED,
    OPEN,
    RESULTS,
    Ballot,
    BallotLogEntry,
    LOG_CHAINED_AS_CAST,
    SIMULATOR,
    PaperBallotEntry,
    Process,
    Result,
    Vote,
)
from pbapp.timeutil import utcnow
from pbapp.pb.services.ballot_log import _head_now, log_document, sealed_log, write_sealed_log
from pbapp.pb.services.ballots import ballot_state, get_ballot, options_of


def close_ballot(session: Session, council: Council, ballot_id: int, actor: User) -> jobs.Job:
    """Close voting and start counting (a job with progress)."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot.frozen_at is None:
        raise Conflict(_("Voting has not opened on this ballot yet."))
    if ballot.results_published_at is not None:
        raise Conflict(_("The results are already published."))
    ballot.closed_at = ballot.closed_at or utcnow()
    audit.record(session, "pb.ballot_closed", "pb_ballot", ballot.id, council_id=council.id, actor_id=actor.id)
    session.commit()
    return start_count(session, council, ballot.id, actor)


def start_count(session: Session, council: Council, ballot_id: int, actor: User) -> jobs.Job:
    """Count a closed ballot again (after paper ballots were keyed, say)."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot_state(ballot) != "closed":
        raise Conflict(_("Only a closed ballot with unpublished results can be counted."))
    result = session.exec(select(Result).where(Result.ballot_id == ballot.id)).first()
    if result is None:
        result = Result(ballot_id=ballot.id, rule=ballot.rule)
        session.add(result)
    audit.record(session, "pb.count_started", "pb_ballot", ballot.id, council_id=council.id, actor_id=actor.id)
    # enqueue commits; the job may already be writing, so nothing more is written here.
    return jobs.enqueue(
        session,
        _count_kind(ballot.id),
        run_count,
        council_id=council.id,
        ballot_id=ballot.id,
    )


def _count_kind(ballot_id: int) -> str:
    return f"pb.count:{ballot_id}"


def _latest_count_job(session: Session, ballot: Ballot) -> jobs.Job | None:
    return jobs.latest(session, _count_kind(ballot.id), ballot.council_id)


def run_count(session: Session, progress, ballot_id: int) -> dict:
    """Job: count a ballot's final ballots by its rule and store the outcome with explanations."""
    progress(10, N_("Reading the ballot log"))
    session.commit()  # the move below writes on a connection of its own
    shuffle.move_if_written(session, ballot_id)  # the last votes too leave the order they came in
    ballot = session.get(Ballot, ballot_id)
    if ballot.log_format == LOG_CHAINED_AS_CAST:
        document = log_document(session, ballot, with_result=False)
    else:
        # The count takes the ballots it seals (one query of the votes), rather than reading the log back.
        sealed = sealed_log(session, ballot)
        write_sealed_log(session, ballot, sealed)
        document = {
            **log_document(session, ballot, with_result=False, entries=False),
            "head": ballot.log_head,
            "entries": sealed.entries,
        }
    # End the read before reporting progress: on SQLite the progress writer needs the write lock.
    session.commit()
    ballots = counting.final_ballots(document["entries"])
    progress(40, N_("Counting the ballots"))
    try:
        computed = counting.count(document["ballot"], document["options"], ballots)
        if ballot.eligibility == OPEN:
            computed["apart"] = counting.count_apart(document["ballot"], document["options"], document["entries"])
    except CoreError as exc:
        raise jobs.JobFailed(str(exc)) from None
    progress(90, N_("Saving the result"))
    result = session.exec(select(Result).where(Result.ballot_id == ballot.id)).one()
    job = _latest_count_job(session, ballot)
    result.job_id = job.id if job else None
    result.rule = ballot.rule
    result.computed = json.dumps(computed, sort_keys=True)
    result.voters = len(ballots)
    result.log_head = document["head"]
    result.computed_at = utcnow()
    audit.record(
        session,
        "pb.counted",
        "pb_ballot",
        ballot.id,
        council_id=ballot.council_id,
        rule=ballot.rule,
        voters=len(ballots),
        selected=computed.get("selected"),
        log_head=result.log_head,
        log_entries=len(document["entries"]),
    )
    session.commit()
    return {"voters": len(ballots), "selected": computed.get("selected", [])}


def result_of(session: Session, ballot: Ballot) -> Result | None:
    return session.exec(select(Result).where(Result.ballot_id == ballot.id)).first()


def record_decision(
    session: Session, council: Council, ballot_id: int, actor: User, *, selected: list[str], reason: str
) -> Result:
    """Record the council's official decision next to the computed one; a difference needs a reason."""
    ballot = get_ballot(session, council, ballot_id)
    result = result_of(session, ballot)
    if result is None or result.computed_at is None:
        raise Conflict(_("Count the ballot before recording the decision."))
    if ballot.results_published_at is not None:
        raise Conflict(_("The results are published; the decision can no longer change."))
    refs = {o.ref for o in options_of(session, ballot)}
    if set(selected) - refs:
        raise Invalid(_("Choose projects from this ballot"), field="selected")
    computed = json.loads(result.computed)
    ordered = [r for r in computed.get("selected", []) if r in selected] + sorted(
        set(selected) - set(computed.get("selected", []))
    )
    if set(ordered) != set(computed.get("selected", [])) and not reason.strip():
        raise Invalid(_("Explain why the decision differs from the computed result"), field="reason")
    result.official_selected = json.dumps(ordered)
    result.official_reason = reason.strip()
    result.decided_by_id = actor.id
    result.decided_at = utcnow()
    audit.record(
        session,
        "pb.decision_recorded",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor.id,
        selected=ordered,
        differs=set(ordered) != set(computed.get("selected", [])),
    )
    session.commit()
    return result


def publish_results(session: Session, council: Council, ballot_id: int, actor: User, *, url_of) -> Result:
    """Publish results and the ballot log; funded projects go to the budget-setting record."""
    ballot = get_ballot(session, council, ballot_id)
    result = result_of(session, ballot)
    if ballot.results_published_at is not None:
        raise Conflict(_("The results are already published."))
    if result is None or result.computed_at is None:
        raise Conflict(_("Close and count the ballot before publishing."))
    log_entries, log_head = published.log_extent(session, ballot)
    if ballot.log_format != LOG_CHAINED_AS_CAST and result.voters and not log_entries:
        # Counted as cast before the upgrade to sealed logs, which dropped that log: nothing to publish yet.
        raise Conflict(
            _("This ballot was counted before its log was sealed at the count. Count it again before publishing.")
        )
    if log_head != result.log_head or _head_now(session, ballot) != result.log_head:
        raise Conflict(_("Ballots were added after the count. Count again before publishing."))
    waiting = session.exec(
        select(func.count())
        .select_from(PaperBallotEntry)
        .where(PaperBallotEntry.ballot_id == ballot.id, PaperBallotEntry.status != MATCHED)
    ).one()
    if waiting:
        raise Conflict(_("%(n)d paper ballots still need a matching second keying.", n=waiting))
    if result.official_selected is None:
        result.official_selected = json.dumps(json.loads(result.computed).get("selected", []))
        result.decided_by_id, result.decided_at = actor.id, utcnow()
    ballot.results_published_at = utcnow()
    process = session.get(Process, ballot.process_id)
    process.phase = RESULTS
    _send_to_record(session, council, ballot, process, result, url_of)
    published.write_after_commit(session, council, ballot)
    conversation.notify_results(session, council, ballot, json.loads(result.official_selected))
    # The head and length of the log go into the audit chain too: with them anyone can tell the
    # published log from one cut short or extended with a recomputed chain (pbapp verify-log).
    audit.record(
        session,
        "pb.results_published",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor.id,
        log_head=result.log_head,
        log_entries=log_entries,
        selected=json.loads(result.official_selected),
    )
    session.commit()
    return result


def _send_to_record(session, council, ballot, process, result, url_of) -> None:
    from pbapp.ledger import services as ledger

    if ballot.kind == SIMULATOR:
        return simulator.send_to_record(session, council, ballot, process, result, url_of)
    options = {o.ref: o for o in options_of(session, ballot)}
    computed = json.loads(result.computed)
    if ballot.kind == ALLOCATION:
        funded = [(ref, pence) for ref, pence in computed.get("allocation", {}).items() if pence > 0]
    else:
        funded = [(ref, options[ref].cost_pence) for ref in json.loads(result.official_selected)]
    for ref, pence in funded:
        option = options[ref]
        ledger.receive_item(
            session,
            council_id=council.id,
            source="pb_result",
            source_ref=f"pb:{process.id}:{ref}",
            title=option.title,
            title_cy=option.title_cy,
            summary=_("Funded by residents’ vote in %(process)s.", process=process.title),
            public_url=url_of(ballot),
            amount_pence=pence,
        )


@dataclass
class ResultsView:
    ballot: Ballot
    process: Process
    result: Result
    computed: dict
    official: list[str]
    rows: list[dict]
    turnout: dict
    log_entries: int  # published beside the head so a log cut short or extended shows (verify-log --count)
    register: list = field(default_factory=list)  # the ledger's ItemViews this result sent to the register


def results_view(session: Session, council: Council, ballot_id: int, *, officer: bool = False) -> ResultsView:
    """Published results (officers also see a count before publication)."""
    ballot = get_ballot(session, council, ballot_id)
    result = result_of(session, ballot)
    if result is None or result.computed_at is None or (ballot.results_published_at is None and not officer):
        raise NotFound(_("The results of this ballot have not been published yet."))
    computed = json.loads(result.computed)
    official = json.loads(result.official_selected) if result.official_selected else computed.get("selected", [])
    options = options_of(session, ballot)
    support = computed.get("support", {})
    allocation = computed.get("allocation", {})
    order = {ref: n for n, ref in enumerate(computed.get("selected", []), start=1)}
    rows = []
    for option in options:
        explanation = computed.get("explanations", {}).get(option.ref, {})
        rows.append(
            {
                "option": option,
                "support": support.get(option.ref, 0),
                "approvals": computed.get("approvals", {}).get(option.ref, 0),
                "funded": option.ref in order,
                "order": order.get(option.ref),
                "official": option.ref in official,
                "amount": allocation.get(option.ref),
                "reason": explanation,
            }
        )
    rows.sort(key=lambda r: (r["order"] is None, r["order"] or 0, -(r["amount"] or 0), -r["support"]))
    channels = dict(
        session.exec(select(Vote.channel, func.count()).where(Vote.ballot_id == ballot.id).group_by(Vote.channel)).all()
    )
    process = session.get(Process, ballot.process_id)
    area = session.get(Area, process.area_id) if process.area_id else None
    # An open vote's ballots are counted apart: those of verified residents, and the unverified ones.
    apart = computed.get("apart") if ballot.eligibility == OPEN else None
    turnout = {
        "voters": result.voters,
        "channels": channels,
        "adults": area.adults if area else None,
        "verified": ballot.eligibility != OPEN,
        "apart": apart,
    }
    if apart:
        for row in rows:
            ref = row["option"].ref
            row["apart"] = {
                part: {
                    "support": (apart[part] or {}).get("support", {}).get(ref, 0),
                    "funded": ref in (apart[part] or {}).get("selected", []),
                    "amount": (apart[part] or {}).get("allocation", {}).get(ref),
                }
                for part in counting.APART
            }
    entries = session.exec(
        select(func.count()).select_from(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id)
    ).one()
    from pbapp.ledger import services as ledger

    refs = [simulator.record_ref(ballot)] if ballot.kind == SIMULATOR else [f"pb:{process.id}:{o.ref}" for o in options]
    register = ledger.items_from(session, council.id, "pb_result", refs)
    return ResultsView(ballot, process, result, computed, official, rows, turnout, entries, register)


def job_of(session: Session, council: Council, ballot_id: int) -> tuple[Ballot, jobs.Job | None]:
    ballot = get_ballot(session, council, ballot_id)
    return ballot, jobs.check_alive(session, _latest_count_job(session, ballot))
