"""Use cases of participatory budgeting; each takes the session, commits once and raises DomainError."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, func, select

from pbapp import audit, jobs
from pbapp.accounts import residence
from pbapp.jobs import N_
from pbapp.accounts.models import User
from pbapp.core.ballots import pabulib
from pbapp.core.ballots.kinds import BallotError
from pbapp.core.chain import GENESIS, link_hash
from pbapp.core.csv_writer import write_csv
from pbapp.core.errors import CoreError
from pbapp.core.money import MoneyError, format_money, parse_pounds
from pbapp.councils.models import Area, Council
from pbapp.councils.services import area_for_postcode, in_council_area, postcode_in_area
from pbapp.db import execute_alone
from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.messages import say
from pbapp.pb import conversation, counting, letters, simulator, uploads
from pbapp.pb.models import (ALLOCATION, BALLOT_KINDS, CHANNELS, CODES, CUMULATIVE,
                             DELIVERY, ELIGIBILITY_MODES, FEASIBLE, HIDDEN, KNAPSACK, MATCHED, MISMATCH,
                             NOT_FEASIBLE, ONLINE, OPEN, PROPOSALS, RANKED, RESULTS, REVIEW, TAKES_CODES,
                             VOTING, Ballot, BallotLogEntry, BallotOption, CodeBatch, CodeBinding,
                             LOG_CHAINED_AS_CAST, SIMULATOR, PaperBallotEntry, Process, Proposal, ProposalFile, Result,
                             Vote, VotingCode, random_id)
from pbapp.timeutil import utcnow

# What each phase allows; a process moves forward through PHASES (officers may step back).
PHASE_ALLOWS = {
    PROPOSALS: {"propose", "review"},
    REVIEW: {"review"},
    VOTING: {"vote"},
    RESULTS: set(),
    DELIVERY: set(),
}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are typed from paper


# Rows keyed before VOTER_KEY existed: voter ids keyed by SECRET_KEY, code hashes plain SHA-256.
LEGACY_KEY_VERSION = 0


def _voter_secret(version: int) -> bytes:
    """The voter key of `version`: the current VOTER_KEY, a retired one, or (version 0) the old SECRET_KEY."""
    config = current_app.config
    if version == config["VOTER_KEY_VERSION"]:
        return config["VOTER_KEY"].encode()
    if version == LEGACY_KEY_VERSION:
        return config["SECRET_KEY"].encode()
    retired = config["VOTER_KEYS_RETIRED"].get(version)
    if retired is None:
        raise RuntimeError(f"No voter key of version {version}: add it to VOTER_KEYS_RETIRED.")
    return retired.encode()


def current_key_version() -> int:
    return current_app.config["VOTER_KEY_VERSION"]


def _keyed_hash(version: int, *parts: Any) -> str:
    # Keyed with the voter key (not SECRET_KEY, which rotates), so a copy of the database alone
    # cannot link a vote to a person and rotating SECRET_KEY changes no voter's identity.
    return hmac.new(_voter_secret(version), ":".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()


def _voter_key(ballot: Any, *who: Any) -> str:
    """The keyed, one-way id of a voter in one ballot, under the key version the ballot was made with."""
    return _keyed_hash(ballot.key_version, "pb-vote", ballot.id, *who)


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_hash(code: str, version: int) -> str:
    if version == LEGACY_KEY_VERSION:
        return hashlib.sha256(normalise_code(code).encode()).hexdigest()
    # Keyed: someone holding the mailing list and a database copy cannot match codes to rows.
    return _keyed_hash(version, "pb-code-hash", normalise_code(code))


def _log_token(voter_key: str) -> str:
    return hashlib.sha256(f"log:{voter_key}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Voter:
    """Who is voting, as far as the ballot needs to know: a keyed hash, never an identity."""

    key: str
    via: str  # "account", "code", "paper" or "booth"
    area_id: int | None = None
    code_id: int | None = None


@dataclass
class Eligibility:
    """Whether the person at the ballot page may vote now, and if not, what they can do."""

    voter: Voter | None
    reason: str = ""
    can_use_code: bool = False
    can_sign_in: bool = False
    can_verify: bool = False  # an account that must confirm its email or verify its residence first


@dataclass
class BallotView:
    """Everything the ballot page shows."""

    ballot: Ballot
    process: Process
    options: list[BallotOption]
    eligibility: Eligibility
    current: Any = None
    receipt: str = ""
    state: str = ""
    meter: dict = field(default_factory=dict)
    images: dict[int, str] = field(default_factory=dict)



def get_process(session: Session, council: Council, process_id: int) -> Process:
    process = session.get(Process, process_id)
    if process is None or process.council_id != council.id:
        raise NotFound(_("There is no such budget process."))
    return process


def list_processes(session: Session, council: Council) -> list[Process]:
    query = select(Process).where(Process.council_id == council.id).order_by(Process.created_at.desc(), Process.id.desc())
    return list(session.exec(query).all())


def areas_by_id(session: Session, council: Council) -> dict[int, Area]:
    return {a.id: a for a in session.exec(select(Area).where(Area.council_id == council.id)).all()}


def create_process(session: Session, council: Council, actor: User, *, title: str, description: str,
                   area_id: int | None, pot_pence: int, dates: dict[str, date | None] | None = None) -> Process:
    """Start a budget process for the council or one of its neighbourhoods, in the proposals phase."""
    if area_id is not None and area_id not in areas_by_id(session, council):
        raise Invalid(_("Choose an area of this council"), field="area_id")
    if pot_pence <= 0:
        raise Invalid(_("Enter a pot of more than £0"), field="pot")
    process = Process(council_id=council.id, area_id=area_id, title=title.strip(), description=description.strip(),
                      pot_pence=pot_pence, created_by_id=actor.id, **(dates or {}))
    session.add(process)
    session.flush()
    audit.record(session, "pb.process_created", "pb_process", process.id, council_id=council.id,
                 actor_id=actor.id, pot_pence=pot_pence, area_id=area_id)
    session.commit()
    return process


def set_phase(session: Session, council: Council, process_id: int, phase: str, actor: User) -> Process:
    """Move a process to a phase; voting and results follow their ballot, not this switch."""
    process = get_process(session, council, process_id)
    if phase not in (PROPOSALS, REVIEW, DELIVERY):
        raise Invalid(_("Voting starts when you open the ballot, and results when you publish them."), field="phase")
    if phase == DELIVERY and process.phase != RESULTS:
        raise Conflict(_("Delivery follows published results."))
    if process.phase in (VOTING, RESULTS) and phase != DELIVERY:
        raise Conflict(_("Voting has started, so the process cannot go back to proposals or review."))
    before, process.phase = process.phase, phase
    audit.record(session, "pb.phase_changed", "pb_process", process.id, council_id=council.id,
                 actor_id=actor.id, before=before, after=phase)
    session.commit()
    return process


def public_proposals(session: Session, process: Process) -> list[Proposal]:
    query = (select(Proposal).where(Proposal.process_id == process.id, Proposal.status != HIDDEN)
             .order_by(Proposal.title))
    return list(session.exec(query).all())


def ballots_of(session: Session, process: Process) -> list[Ballot]:
    return list(session.exec(select(Ballot).where(Ballot.process_id == process.id).order_by(Ballot.id)).all())


def get_proposal(session: Session, council: Council, proposal_id: int, *, officer: bool = False) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.council_id != council.id or (proposal.status == HIDDEN and not officer):
        raise NotFound(_("There is no such proposal."))
    return proposal


def submit_proposal(session: Session, council: Council, process_id: int, user: User, *, title: str,
                    description: str, estimated_cost_pence: int, area_id: int | None = None,
                    group_name: str = "", upload: tuple[str, bytes] | None = None, image_alt: str = "") -> Proposal:
    """Put forward an idea while the process takes proposals, with a picture or document if given."""
    process = get_process(session, council, process_id)
    if "propose" not in PHASE_ALLOWS[process.phase]:
        raise Conflict(_("This process is not taking proposals now."))
    if estimated_cost_pence <= 0:
        raise Invalid(_("Enter an estimated cost of more than £0"), field="estimated_cost")
    if estimated_cost_pence > process.pot_pence:
        raise Invalid(_("The estimated cost is more than the whole pot of %(pot)s", pot=format_money(process.pot_pence)),
                      field="estimated_cost")
    areas = areas_by_id(session, council)
    if area_id is not None and area_id not in areas:
        raise Invalid(_("Choose an area of this council"), field="area_id")
    attached = uploads.clean(*upload) if upload else None
    if attached is not None and attached.is_image and not image_alt.strip():
        raise Invalid(_("Describe the picture for people who cannot see it"), field="image_alt")
    proposal = Proposal(process_id=process.id, council_id=council.id, area_id=area_id or process.area_id,
                        title=title.strip(), description=description.strip(),
                        estimated_cost_pence=estimated_cost_pence, submitter_id=user.id,
                        group_name=group_name.strip())
    if attached is not None:
        _store_file(session, attached)
        proposal.file_sha256, proposal.file_type, proposal.file_name = attached.sha256, attached.content_type, attached.name
        proposal.image_alt = image_alt.strip()[:300] if attached.is_image else ""
    session.add(proposal)
    session.flush()
    audit.record(session, "pb.proposal_submitted", "pb_proposal", proposal.id, council_id=council.id,
                 actor_id=user.id, process_id=process.id, estimated_cost_pence=estimated_cost_pence,
                 file_sha256=proposal.file_sha256, file_type=proposal.file_type)
    session.commit()
    return proposal


def _dialect_insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _store_file(session: Session, attached: uploads.CleanFile) -> None:
    # Stored once per content: the same picture sent twice (even at the same moment) is one row.
    table = ProposalFile.__table__
    session.execute(_dialect_insert(session)(table).values(
        sha256=attached.sha256, content_type=attached.content_type, size=len(attached.data), data=attached.data,
        created_at=utcnow()).on_conflict_do_nothing(index_elements=[table.c.sha256]))


def proposal_file(session: Session, council: Council, proposal_id: int, *, officer: bool = False) -> tuple[Proposal, ProposalFile]:
    """The picture or document of a proposal, only for those who may see the proposal itself."""
    proposal = get_proposal(session, council, proposal_id, officer=officer)
    stored = session.exec(select(ProposalFile).where(ProposalFile.sha256 == proposal.file_sha256)).first() \
        if proposal.file_sha256 else None
    if stored is None:
        raise NotFound(_("This proposal has no picture or document."))
    return proposal, stored


def option_images(session: Session, options: list[BallotOption]) -> dict[int, str]:
    """Alt text of each ballot option's proposal picture, by proposal id."""
    ids = [o.proposal_id for o in options if o.proposal_id is not None]
    if not ids:
        return {}
    found = session.exec(select(Proposal.id, Proposal.image_alt).where(
        Proposal.id.in_(ids), Proposal.file_sha256.is_not(None), Proposal.file_type.startswith("image/"))).all()
    return dict(found)


def review_queue(session: Session, council: Council) -> list[tuple[Proposal, Process]]:
    """Proposals waiting for a published review, across every open process of the council."""
    query = (select(Proposal, Process).join(Process, Process.id == Proposal.process_id)
             .where(Proposal.council_id == council.id, Process.phase.in_((PROPOSALS, REVIEW)),
                    Proposal.review_published_at.is_(None), Proposal.status != HIDDEN)
             .order_by(Process.title, Proposal.created_at, Proposal.id))
    found = [(p, pr) for p, pr in session.exec(query).all()]
    # Where a process sets a support threshold, a proposal goes to review once it has that many.
    supports = conversation.support_counts(session, [p.id for p, pr in found if pr.support_threshold is not None])
    return [(p, pr) for p, pr in found if pr.support_threshold is None or supports.get(p.id, 0) >= pr.support_threshold]


def save_review(session: Session, council: Council, proposal_id: int, actor: User, *, feasible: bool,
                reviewed_cost_pence: int | None, reason: str) -> Proposal:
    """Record an officer's feasibility review as a draft; nobody outside sees it until published."""
    proposal = get_proposal(session, council, proposal_id, officer=True)
    process = session.get(Process, proposal.process_id)
    if "review" not in PHASE_ALLOWS[process.phase]:
        raise Conflict(_("Reviews are closed: voting has started in this process."))
    if reviewed_cost_pence is not None and reviewed_cost_pence <= 0:
        raise Invalid(_("Enter a reviewed cost of more than £0"), field="reviewed_cost")
    proposal.review_feasible = feasible
    proposal.reviewed_cost_pence = reviewed_cost_pence
    proposal.review_reason = reason.strip()
    proposal.reviewed_by_id = actor.id
    proposal.review_published_at = None
    audit.record(session, "pb.review_drafted", "pb_proposal", proposal.id, council_id=council.id,
                 actor_id=actor.id, feasible=feasible, reviewed_cost_pence=reviewed_cost_pence)
    session.commit()
    return proposal


def publish_review(session: Session, council: Council, proposal_id: int, actor: User) -> Proposal:
    """Publish the review with its reasons; a proposal not going to the ballot must say why."""
    proposal = get_proposal(session, council, proposal_id, officer=True)
    if proposal.review_feasible is None:
        raise Conflict(_("Save a review before publishing it."))
    if not proposal.review_feasible and not proposal.review_reason:
        raise Invalid(_("Explain why this proposal cannot go to the ballot before publishing"), field="reason")
    process = session.get(Process, proposal.process_id)
    if "review" not in PHASE_ALLOWS[process.phase]:
        raise Conflict(_("Reviews are closed: voting has started in this process."))
    proposal.status = FEASIBLE if proposal.review_feasible else NOT_FEASIBLE
    proposal.review_published_at = utcnow()
    conversation.notify_review(session, council, proposal)
    audit.record(session, "pb.review_published", "pb_proposal", proposal.id, council_id=council.id,
                 actor_id=actor.id, status=proposal.status, reviewed_cost_pence=proposal.reviewed_cost_pence)
    session.commit()
    return proposal



def hide_proposal(session: Session, council: Council, proposal_id: int, actor: User, *, reason: str) -> Proposal:
    """Moderate: take a proposal off the public pages (abusive, personal data, duplicate), with a reason."""
    proposal = get_proposal(session, council, proposal_id, officer=True)
    if not reason.strip():
        raise Invalid(_("Give the reason for hiding this proposal"), field="reason")
    if proposal.status == HIDDEN:
        raise Conflict(_("This proposal is already hidden."))
    process = session.get(Process, proposal.process_id)
    if process.phase not in (PROPOSALS, REVIEW):
        raise Conflict(_("Proposals can only be hidden before voting starts."))
    proposal.status = HIDDEN
    proposal.review_reason = reason.strip()
    audit.record(session, "pb.proposal_hidden", "pb_proposal", proposal.id, council_id=council.id,
                 actor_id=actor.id, reason=reason.strip())
    session.commit()
    return proposal


SETTINGS = ("title", "kind", "budget_pence", "min_choices", "max_choices", "total_points", "max_per_project",
            "min_spend_percent", "rule", "utility", "partial_funding", "eligibility", "opens_at", "closes_at")


def get_ballot(session: Session, council: Council, ballot_id: int) -> Ballot:
    ballot = session.get(Ballot, ballot_id)
    if ballot is None or ballot.council_id != council.id:
        raise NotFound(_("There is no such ballot."))
    return ballot


def _check_settings(values: dict[str, Any]) -> None:
    kind, rule = values.get("kind"), values.get("rule")
    if kind == SIMULATOR:  # the simulator has one way to count: the summary of everyone's choices
        values["rule"] = rule = counting.SIMULATOR_RULES[0]
    if kind not in BALLOT_KINDS:
        raise Invalid(_("Choose a kind of ballot"), field="kind")
    rules = {ALLOCATION: counting.ALLOCATION_RULES, SIMULATOR: counting.SIMULATOR_RULES}.get(kind, counting.PROJECT_RULES)
    if rule not in rules:
        raise Invalid(_("Choose a counting rule that suits this kind of ballot"), field="rule")
    if values.get("eligibility") not in ELIGIBILITY_MODES:
        raise Invalid(_("Choose who can vote"), field="eligibility")
    if kind == CUMULATIVE and (values.get("total_points") or 0) <= 0:
        raise Invalid(_("Enter how many points each voter has to give"), field="total_points")
    lo, hi = values.get("min_choices") or 0, values.get("max_choices")
    if hi is not None and hi < lo:
        raise Invalid(_("The most choices must be at least the fewest"), field="max_choices")
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        raise Invalid(_("Voting must close after it opens"), field="closes_at")


def create_ballot(session: Session, council: Council, process_id: int, actor: User, **values: Any) -> Ballot:
    """Set up the ballot of a process; eligibility is required unless the officer chooses an open vote."""
    process = get_process(session, council, process_id)
    values.setdefault("budget_pence", process.pot_pence)
    values["budget_pence"] = values["budget_pence"] or process.pot_pence
    _check_settings(values)
    ballot = Ballot(process_id=process.id, council_id=council.id, seed=random.SystemRandom().randrange(10**9),
                    key_version=current_key_version(),
                    **{k: v for k, v in values.items() if k in SETTINGS})
    session.add(ballot)
    session.flush()
    audit.record(session, "pb.ballot_created", "pb_ballot", ballot.id, council_id=council.id, actor_id=actor.id,
                 **{k: v for k, v in values.items() if k in SETTINGS})
    session.commit()
    return ballot


def update_ballot(session: Session, council: Council, ballot_id: int, actor: User, **values: Any) -> Ballot:
    """Change a ballot's rules; refused (and the attempt audited) once voting has opened."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot.frozen_at is not None:
        audit.record(session, "pb.ballot_change_refused", "pb_ballot", ballot.id, council_id=council.id,
                     actor_id=actor.id)
        session.commit()
        raise Conflict(_("Voting has opened, so the ballot’s rules are frozen and cannot change."))
    if "budget_pence" in values and not values["budget_pence"]:  # left empty: the process's pot, as on creation
        values["budget_pence"] = session.get(Process, ballot.process_id).pot_pence
    _check_settings(values)
    for key in SETTINGS:
        if key in values:
            setattr(ballot, key, values[key])
    audit.record(session, "pb.ballot_changed", "pb_ballot", ballot.id, council_id=council.id, actor_id=actor.id,
                 **{k: v for k, v in values.items() if k in SETTINGS})
    session.commit()
    return ballot


def options_of(session: Session, ballot: Ballot) -> list[BallotOption]:
    return list(session.exec(select(BallotOption).where(BallotOption.ballot_id == ballot.id)
                             .order_by(BallotOption.position, BallotOption.id)).all())


def _budget_lines(session: Session, council_id: int) -> list:
    from pbapp.ledger import services as ledger  # the record may not be set up for every council

    return ledger.budget_lines(session, council_id)


def _freeze_options(session: Session, ballot: Ballot, process: Process) -> list[BallotOption]:
    if ballot.kind == SIMULATOR:
        options = simulator.freeze_options(session, ballot)
    elif ballot.kind == ALLOCATION:
        lines = _budget_lines(session, ballot.council_id)
        options = [BallotOption(ballot_id=ballot.id, ref=f"l{line.id}", budget_line_ref=str(line.id),
                                title=line.name, description=line.division, title_cy=line.name_cy, min_pence=0,
                                max_pence=ballot.budget_pence, position=n) for n, line in enumerate(lines)]
    else:
        proposals = session.exec(select(Proposal).where(Proposal.process_id == process.id,
                                                        Proposal.status == FEASIBLE,
                                                        Proposal.review_published_at.is_not(None))
                                 .order_by(Proposal.id)).all()
        options = [BallotOption(ballot_id=ballot.id, ref=f"p{p.id}", proposal_id=p.id, title=p.title,
                                description=p.description, title_cy=p.title_cy, description_cy=p.description_cy,
                                cost_pence=p.cost_pence, position=n)
                   for n, p in enumerate(proposals)]
    if len(options) < (1 if ballot.kind == SIMULATOR else 2):
        raise Conflict(_("A ballot needs at least two published, feasible proposals (or budget lines) to choose between."))
    session.add_all(options)
    return options


def open_ballot(session: Session, council: Council, ballot_id: int, actor: User) -> Ballot:
    """Open voting: copy the options, freeze the rules and move the process to voting."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot.frozen_at is not None:
        raise Conflict(_("Voting is already open on this ballot."))
    process = session.get(Process, ballot.process_id)
    options = _freeze_options(session, ballot, process)
    try:
        _spec(ballot, options, session)
    except CoreError as exc:
        raise Conflict(str(exc)) from None
    now = utcnow()
    ballot.frozen_at = now
    ballot.opens_at = ballot.opens_at or now
    process.phase = VOTING
    audit.record(session, "pb.ballot_opened", "pb_ballot", ballot.id, council_id=council.id, actor_id=actor.id,
                 options=[o.ref for o in options], rule=ballot.rule, kind=ballot.kind, eligibility=ballot.eligibility)
    session.commit()
    return ballot


def ballot_state(ballot: Ballot, now: datetime | None = None) -> str:
    """Return draft, scheduled, open, closed or published."""
    now = now or utcnow()
    if ballot.results_published_at is not None:
        return "published"
    if ballot.closed_at is not None or (ballot.closes_at is not None and _aware(ballot.closes_at) <= now):
        return "closed"
    if ballot.frozen_at is None:
        return "draft"
    if ballot.opens_at is not None and _aware(ballot.opens_at) > now:
        return "scheduled"
    return "open"


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


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
    return jobs.enqueue(session, _count_kind(ballot.id), "pbapp.pb.services.run_count", council_id=council.id,
                        ballot_id=ballot.id)


def _count_kind(ballot_id: int) -> str:
    return f"pb.count:{ballot_id}"


def _latest_count_job(session: Session, ballot: Ballot) -> jobs.Job | None:
    return session.exec(select(jobs.Job).where(jobs.Job.kind == _count_kind(ballot.id), jobs.Job.council_id == ballot.council_id)
                        .order_by(jobs.Job.id.desc()).limit(1)).first()


def log_document(session: Session, ballot: Ballot, *, with_result: bool = True) -> dict:
    """The ballot log as published: settings, options, hash-chained entries and the result.

    A sealed log (the default) holds entries only once the ballot has been counted (seal_log).
    """
    entries = session.exec(select(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id)
                           .order_by(BallotLogEntry.seq)).all()
    rows = [{**e.content(), "previous_hash": e.previous_hash, "hash": e.hash} for e in entries]
    document = {"format": counting.LOG_FORMATS[ballot.log_format], "ballot": _settings(ballot),
                "options": [_option_dict(o) for o in options_of(session, ballot)],
                "entries": rows, "head": rows[-1]["hash"] if rows else GENESIS}
    if with_result:
        result = session.exec(select(Result).where(Result.ballot_id == ballot.id)).first()
        document["result"] = json.loads(result.computed) if result and result.computed_at else None
    return document


def sealed_entries(session: Session, ballot: Ballot) -> list[dict]:
    """The log a count of the ballot seals now: each voter's counted ballot, in the order of the receipts.

    Why sealed, and why in receipt order. A log appended to as ballots arrive is in the order of
    voting, and whoever copies the database sees accounts in the order of sign-up (ids, audit
    events): residents who sign up and vote straight away are then linked to their ballots by rank
    alone. So nothing kept while voting is open has an order: a vote is one row with a random id
    and a random receipt (the unique (ballot_id, voter_key) constraint still allows one counted
    ballot per voter, whatever races), and the public log is written only when the ballot is
    counted, one entry per voter sorted by receipt, then hash-chained. Receipts still prove a
    ballot is in the count (`find_receipt`), and the head and entry count published with the
    results still let `pbapp verify-log --head --count` catch a log cut short or extended; a
    ballot replaced by a later one is simply not in the log.
    """
    votes = session.exec(select(Vote.voter_key, Vote.channel, Vote.choices, Vote.receipt)
                         .where(Vote.ballot_id == ballot.id)).all()
    # An open vote's ballots are counted apart by whether a verified resident cast them, so each
    # entry says which (nothing more: the log still names no one).
    verified = _verified_keys(session, ballot.council_id, ballot) if ballot.eligibility == OPEN else None
    rows, previous = [], GENESIS
    for seq, (voter_key, channel, choices, receipt) in enumerate(sorted(votes, key=lambda v: v[3]), start=1):
        token = _log_token(voter_key)
        flag = None if verified is None else voter_key in verified
        entry_hash = link_hash(previous, BallotLogEntry.content_of(seq, token, channel, choices, receipt, flag))
        rows.append({"ballot_id": ballot.id, "seq": seq, "voter_token": token, "channel": channel,
                     "choices": choices, "previous_hash": previous, "hash": entry_hash, "receipt": receipt,
                     "verified": flag})
        previous = entry_hash
    return rows


def seal_log(session: Session, ballot: Ballot) -> str:
    """Write the ballot's log as sealed_entries gives it (replacing an earlier count's) and return its head."""
    rows = sealed_entries(session, ballot)
    session.execute(BallotLogEntry.__table__.delete().where(BallotLogEntry.ballot_id == ballot.id))
    if rows:
        session.execute(BallotLogEntry.__table__.insert(), rows)
    ballot.log_seq, ballot.log_head = len(rows), rows[-1]["hash"] if rows else GENESIS
    session.add(ballot)
    return ballot.log_head


def _head_now(session: Session, ballot: Ballot) -> str:
    """The head the ballot's log has, or (sealed) would have if it were counted now."""
    if ballot.log_format == LOG_CHAINED_AS_CAST:
        return log_document(session, ballot, with_result=False)["head"]
    rows = sealed_entries(session, ballot)
    return rows[-1]["hash"] if rows else GENESIS


def run_count(session: Session, progress, ballot_id: int) -> dict:
    """Job: count a ballot's final ballots by its rule and store the outcome with explanations."""
    progress(10, N_("Reading the ballot log"))
    ballot = session.get(Ballot, ballot_id)
    if ballot.log_format != LOG_CHAINED_AS_CAST:
        seal_log(session, ballot)
    document = log_document(session, ballot, with_result=False)
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
    audit.record(session, "pb.counted", "pb_ballot", ballot.id, council_id=ballot.council_id,
                 rule=ballot.rule, voters=len(ballots), selected=computed.get("selected"), log_head=result.log_head,
                 log_entries=len(document["entries"]))
    session.commit()
    return {"voters": len(ballots), "selected": computed.get("selected", [])}


def result_of(session: Session, ballot: Ballot) -> Result | None:
    return session.exec(select(Result).where(Result.ballot_id == ballot.id)).first()


def record_decision(session: Session, council: Council, ballot_id: int, actor: User, *,
                    selected: list[str], reason: str) -> Result:
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
    ordered = [r for r in computed.get("selected", []) if r in selected] + sorted(set(selected) - set(computed.get("selected", [])))
    if set(ordered) != set(computed.get("selected", [])) and not reason.strip():
        raise Invalid(_("Explain why the decision differs from the computed result"), field="reason")
    result.official_selected = json.dumps(ordered)
    result.official_reason = reason.strip()
    result.decided_by_id = actor.id
    result.decided_at = utcnow()
    audit.record(session, "pb.decision_recorded", "pb_ballot", ballot.id, council_id=council.id, actor_id=actor.id,
                 selected=ordered, differs=set(ordered) != set(computed.get("selected", [])))
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
    counted_log = log_document(session, ballot, with_result=False)
    if counted_log["head"] != result.log_head or _head_now(session, ballot) != result.log_head:
        raise Conflict(_("Ballots were added after the count. Count again before publishing."))
    waiting = session.exec(select(func.count()).select_from(PaperBallotEntry).where(
        PaperBallotEntry.ballot_id == ballot.id, PaperBallotEntry.status != MATCHED)).one()
    if waiting:
        raise Conflict(_("%(n)d paper ballots still need a matching second keying.", n=waiting))
    if result.official_selected is None:
        result.official_selected = json.dumps(json.loads(result.computed).get("selected", []))
        result.decided_by_id, result.decided_at = actor.id, utcnow()
    ballot.results_published_at = utcnow()
    process = session.get(Process, ballot.process_id)
    process.phase = RESULTS
    _send_to_record(session, council, ballot, process, result, url_of)
    conversation.notify_results(session, council, ballot, json.loads(result.official_selected))
    # The head and length of the log go into the audit chain too: with them anyone can tell the
    # published log from one cut short or extended with a recomputed chain (pbapp verify-log).
    audit.record(session, "pb.results_published", "pb_ballot", ballot.id, council_id=council.id,
                 actor_id=actor.id, log_head=result.log_head, log_entries=len(counted_log["entries"]),
                 selected=json.loads(result.official_selected))
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
        ledger.receive_item(session, council_id=council.id, source="pb_result",
                            source_ref=f"pb:{process.id}:{ref}", title=option.title, title_cy=option.title_cy,
                            summary=_("Funded by residents’ vote in %(process)s.", process=process.title),
                            public_url=url_of(ballot), amount_pence=pence)



def _derive_code(batch: CodeBatch, n: int) -> str:
    # Derived from the voter key, so only hashes are stored yet the batch can be printed again.
    digest = hmac.new(_voter_secret(batch.key_version), f"pb-code:{batch.id}:{n}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:10], "big")
    chars = []
    for _i in range(12):
        number, index = divmod(number, len(_CODE_ALPHABET))
        chars.append(_CODE_ALPHABET[index])
    raw = "".join(chars)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def generate_codes(session: Session, council: Council, ballot_id: int, actor: User, *, size: int,
                   area_id: int | None) -> CodeBatch:
    """Create a batch of one-time voting codes for letters; only their hashes are kept."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot.eligibility not in TAKES_CODES:
        raise Conflict(_("This ballot does not take voting codes."))
    if ballot_state(ballot) in ("closed", "published"):
        raise Conflict(_("Voting has closed on this ballot."))
    if not 1 <= size <= 50_000:
        raise Invalid(_("Enter a number of codes between 1 and 50,000"), field="size")
    if area_id is not None and area_id not in areas_by_id(session, council):
        raise Invalid(_("Choose an area of this council"), field="area_id")
    batch = CodeBatch(ballot_id=ballot.id, area_id=area_id, size=size, created_by_id=actor.id,
                      key_version=ballot.key_version)
    session.add(batch)
    session.flush()
    rows = [{"ballot_id": ballot.id, "batch_id": batch.id, "area_id": area_id,
             "code_hash": _code_hash(_derive_code(batch, n), batch.key_version), "used": False} for n in range(size)]
    # Rows (so their ids) in an order unrelated to the letters': an id says nothing of a letter number.
    random.SystemRandom().shuffle(rows)
    session.execute(VotingCode.__table__.insert(), rows)
    audit.record(session, "pb.codes_generated", "pb_code_batch", batch.id, council_id=council.id,
                 actor_id=actor.id, ballot_id=ballot.id, size=size, area_id=area_id)
    session.commit()
    return batch


def batches_of(session: Session, ballot: Ballot) -> list[CodeBatch]:
    return list(session.exec(select(CodeBatch).where(CodeBatch.ballot_id == ballot.id).order_by(CodeBatch.id)).all())


def batch_codes(session: Session, council: Council, ballot_id: int, batch_id: int, actor: User) -> tuple[CodeBatch, list[str]]:
    """The codes of a batch, for printing letters; every download is audited."""
    ballot = get_ballot(session, council, ballot_id)
    batch = session.get(CodeBatch, batch_id)
    if batch is None or batch.ballot_id != ballot.id:
        raise NotFound(_("There is no such batch of codes."))
    audit.record(session, "pb.codes_downloaded", "pb_code_batch", batch.id, council_id=council.id, actor_id=actor.id)
    session.commit()
    return batch, [_derive_code(batch, n) for n in range(batch.size)]


def codes_letters_pdf(session: Session, council: Council, ballot_id: int, batch_id: int, actor: User, *,
                      url: str) -> bytes:
    """The letters of a batch as a PDF, one page per code, in the officer's language; the download is audited."""
    batch, codes = batch_codes(session, council, ballot_id, batch_id, actor)
    ballot = get_ballot(session, council, ballot_id)
    area = session.get(Area, batch.area_id) if batch.area_id else None
    return letters.letters_pdf(letters.LetterBatch(council.display_name(str(get_locale())), area.name if area else "",
                                                   ballot.title, url, ballot.closes_at, batch.id), codes)


def codes_csv(ballot: Ballot, batch: CodeBatch, codes: list[str], area_name: str) -> str:
    """The printer's file: one row per letter; the ballot's title cannot run as a formula."""
    return write_csv(["letter", "ballot", "area", "code"],
                     ([n, ballot.title, area_name, code] for n, code in enumerate(codes, start=1)))


def enter_code(session: Session, council: Council, ballot_id: int, code: str, user=None) -> Voter:
    """Check a letter's code for this ballot and return the voter it stands for.

    Entered by a signed-in account, the code binds to it: the account then votes as that letter
    (and can change the vote later without it), and neither can add a second counted ballot.
    """
    ballot = get_ballot(session, council, ballot_id)
    if ballot.eligibility not in TAKES_CODES:
        raise Invalid(_("This ballot does not take voting codes."), field="code")
    versions = session.exec(select(CodeBatch.key_version).where(CodeBatch.ballot_id == ballot.id).distinct()).all()
    hashes = [_code_hash(code, version) for version in versions]
    found = session.exec(select(VotingCode).where(VotingCode.code_hash.in_(hashes))).first() if hashes else None
    if found is None or found.ballot_id != ballot.id:
        raise Invalid(_("Enter the code exactly as it is printed on your letter"), field="code")
    voter = Voter(key=_voter_key(ballot, "code", found.code_hash), via="code", area_id=found.area_id,
                  code_id=found.id)
    if user is not None and user.is_authenticated:
        _bind(session, ballot.id, voter, account_voter_key(ballot, user.id))
    return voter


def account_voter_key(ballot: Any, user_id: int) -> str:
    """The keyed hash an account votes under in a ballot (unless a letter's code is bound to it)."""
    return _voter_key(ballot, "user", user_id)


def _bindings(session: Session, ballot_id: int, account_key: str, code_key: str = "") -> list[CodeBinding]:
    return list(session.exec(select(CodeBinding).where(
        CodeBinding.ballot_id == ballot_id,
        (CodeBinding.account_key == account_key) | (CodeBinding.code_key == code_key))).all())


def _refuse_other_binding(bindings: list[CodeBinding], voter: Voter, account_key: str) -> bool:
    """True if this account and this letter are already bound together; raise if either is bound elsewhere."""
    for bound in bindings:
        if bound.account_key == account_key and bound.code_key == voter.key:
            return True
        if bound.account_key == account_key:
            raise Conflict(_("Your account already votes with the code from another letter. To use this letter for someone else, sign out first."),
                           field="code")
        raise Conflict(_("This letter’s code is linked to another account. Sign in to that account to change the vote."),
                       field="code")
    return False


def _bind(session: Session, ballot_id: int, voter: Voter, account_key: str) -> None:
    if _refuse_other_binding(_bindings(session, ballot_id, account_key, voter.key), voter, account_key):
        return
    if session.exec(select(Vote.id).where(Vote.ballot_id == ballot_id, Vote.voter_key == account_key)).first():
        # Only on ballots opened under the withdrawn mode, where an account could vote as itself.
        raise Conflict(_("You have already voted with your account, so this letter cannot add a second vote."),
                       field="code")
    # Not audited: a time beside the account would link it to the vote that follows.
    session.add(CodeBinding(ballot_id=ballot_id, account_key=account_key, code_key=voter.key,
                            code_id=voter.code_id, area_id=voter.area_id))
    try:
        session.commit()
    except IntegrityError:  # another request bound this account or this letter first
        session.rollback()
        if not _refuse_other_binding(_bindings(session, ballot_id, account_key, voter.key), voter, account_key):
            raise
        session.commit()


def _bound_voter(session: Session, ballot: Ballot, user) -> Voter | None:
    bound = session.exec(select(CodeBinding).where(CodeBinding.ballot_id == ballot.id,
                                                   CodeBinding.account_key == account_voter_key(ballot, user.id))).first()
    return None if bound is None else Voter(bound.code_key, "code", bound.area_id, bound.code_id)


def _account_voter(session: Session, council: Council, ballot: Ballot, process: Process | None, user) -> Eligibility:
    voter = Voter(key=account_voter_key(ballot, user.id), via="account")
    if ballot.eligibility == OPEN:
        return Eligibility(voter)
    if ballot.eligibility == CODES:
        return Eligibility(None, _("This vote is by the code on the letter the council sent to your address. Enter it below: your account then keeps your vote, so you can change it later without the letter."),
                           can_use_code=True)
    codes_too = ballot.eligibility in TAKES_CODES
    if user.email_confirmed_at is None:
        return Eligibility(None, _("Your vote cannot be counted until you confirm your email address. Use the link we emailed you, or ask for a new one."),
                           can_use_code=codes_too, can_verify=True)
    verified = residence.verification_of(session, council.id, user.id)
    if verified is None:
        return Eligibility(None, _("Your vote cannot be counted until the council knows you live here. Verify your address: we check your details against the council’s register, or post a code to your address."),
                           can_use_code=codes_too, can_verify=True)
    postcode = verified.postcode
    process = process or session.get(Process, ballot.process_id)
    if process.area_id is None:
        if in_council_area(council, postcode):
            ward = area_for_postcode(session, council, postcode)
            return Eligibility(Voter(voter.key, "account", ward.id if ward else None))
        return Eligibility(None, _("Your postcode is not in %(council)s.", council=council.name), can_use_code=codes_too)
    area = session.get(Area, process.area_id)
    ward = area_for_postcode(session, council, postcode)
    if postcode_in_area(session, council, area, postcode):
        return Eligibility(Voter(voter.key, "account", ward.id if ward else area.id))
    return Eligibility(None, _("Your postcode is not in %(area)s, so you cannot vote in this neighbourhood budget.",
                               area=area.name), can_use_code=codes_too)


def account_receipt(session: Session, ballot: Ballot, user) -> str | None:
    """The receipt of this account's counted ballot (its latest), None if it has not voted."""
    bound = _bound_voter(session, ballot, user)  # an account that entered its letter votes as that letter
    key = bound.key if bound is not None else account_voter_key(ballot, user.id)
    return session.exec(select(Vote.receipt).where(Vote.ballot_id == ballot.id, Vote.voter_key == key)).first()


def _letter_voter(code_voter: dict) -> Voter:
    """The voter a letter code entered in this browser stands for (kept in the signed session)."""
    return Voter(code_voter["key"], "code", code_voter.get("area_id"), code_voter.get("code_id"))


def eligibility(session: Session, council: Council, ballot: Ballot, process: Process | None, user,
                code_voter: dict | None) -> Eligibility:
    """Work out who is at the ballot page: a letter code in this browser, an eligible account, or nobody yet."""
    if code_voter:
        return Eligibility(_letter_voter(code_voter))
    takes_codes = ballot.eligibility in TAKES_CODES
    if user is not None and user.is_authenticated:
        bound = _bound_voter(session, ballot, user) if takes_codes else None
        return Eligibility(bound) if bound else _account_voter(session, council, ballot, process, user)
    if ballot.eligibility == CODES:
        return Eligibility(None, _("Enter the code from your letter to vote."), can_use_code=True)
    return Eligibility(None, _("Sign in to vote, or enter the code from your letter.") if takes_codes
                       else _("Sign in to vote."), can_use_code=takes_codes, can_sign_in=True)


def _settings(ballot: Ballot) -> dict:
    return {"title": ballot.title, "kind": ballot.kind, "budget_pence": ballot.budget_pence,
            "min_choices": ballot.min_choices, "max_choices": ballot.max_choices,
            "total_points": ballot.total_points, "max_per_project": ballot.max_per_project,
            "min_spend_percent": ballot.min_spend_percent, "rule": ballot.rule, "utility": ballot.utility,
            "seed": ballot.seed, "partial_funding": ballot.partial_funding}


def _option_dict(option: BallotOption) -> dict:
    return {"ref": option.ref, "title": option.title, "cost_pence": option.cost_pence,
            "min_pence": option.min_pence, "max_pence": option.max_pence}


def ordered_for(options: list[BallotOption], seed_text: str) -> list[BallotOption]:
    """Shuffle the options by a seed from the voter, so no project gains from coming first."""
    shuffled = list(options)
    random.Random(seed_text).shuffle(shuffled)
    return shuffled


def ballot_view(session: Session, council: Council, ballot_id: int, user, code_voter: dict | None,
                browser_seed: str) -> BallotView:
    """The ballot page: options in this voter's order, their current vote and whether they may vote."""
    ballot = get_ballot(session, council, ballot_id)
    process = session.get(Process, ballot.process_id)
    state = ballot_state(ballot)
    elig = eligibility(session, council, ballot, process, user, code_voter)
    options = ordered_for(options_of(session, ballot), elig.voter.key if elig.voter else browser_seed)
    current, receipt = None, ""
    if elig.voter is not None:
        vote = session.exec(select(Vote).where(Vote.ballot_id == ballot.id, Vote.voter_key == elig.voter.key)).first()
        if vote is not None:
            current, receipt = json.loads(vote.choices), vote.receipt
    view = BallotView(ballot, process, options, elig, current, receipt, state, images=option_images(session, options))
    view.meter = meter(ballot, options, current if current is not None else _empty(ballot.kind))
    return view


def _empty(kind: str) -> Any:
    return {} if kind in (CUMULATIVE, ALLOCATION, SIMULATOR) else []


def parse_choices(ballot: Ballot, options: list[BallotOption], form) -> Any:
    """Read a ballot form: ticked projects, ranks, points or amounts in pounds."""
    return _parse(ballot.kind, [o.ref for o in options], form)


def _parse(kind: str, refs: list[str] | tuple[str, ...], form) -> Any:
    if kind == SIMULATOR:
        return simulator.parse(refs, form)
    if kind in (counting.APPROVAL, KNAPSACK):
        chosen = set(form.getlist("choice"))
        return [r for r in refs if r in chosen] + sorted(chosen - set(refs))
    if kind == RANKED:
        ranks = {}
        for ref in refs:
            value = (form.get(f"rank-{ref}") or "").strip()
            if value:
                if not value.isdigit() or int(value) < 1:
                    raise Invalid(_("Give each project you rank a number: 1 for your first choice"), field=f"rank-{ref}")
                ranks[ref] = int(value)
        if len(set(ranks.values())) != len(ranks):
            raise Invalid(_("Give each project a different rank"), field="choices")
        return sorted(ranks, key=ranks.get)
    numbers = {}
    for ref in refs:
        value = (form.get(f"amount-{ref}") or "").strip()
        if not value:
            continue
        if kind == CUMULATIVE:
            try:
                points = Decimal(value.replace(",", ""))
            except InvalidOperation:
                raise Invalid(_("Enter a number"), field=f"amount-{ref}") from None
            if not points.is_finite() or points != points.to_integral_value() or points < 0:
                raise Invalid(_("Give a whole number of points, 0 or more"), field=f"amount-{ref}")
            if points:
                numbers[ref] = int(points)
        else:
            try:
                pence = parse_pounds(value)
            except MoneyError:
                raise Invalid(_("Enter a number"), field=f"amount-{ref}") from None
            if pence < 0:
                raise Invalid(_("Enter an amount of £0 or more"), field=f"amount-{ref}")
            numbers[ref] = pence
    return numbers


def check_choices(ballot: Ballot, options: list[BallotOption], choices: Any) -> None:
    """Raise Invalid with the engine's message, in the reader's language, unless the ballot is valid."""
    _validate(_spec(ballot, options), ballot, choices)


def _spec(ballot: Any, options: list[BallotOption], session: Session | None = None) -> Any:
    if ballot.kind == SIMULATOR:  # its steps and council-tax lever are the simulator's own tables
        return simulator.spec_of(session, ballot, options)
    return counting.spec_for(_settings(ballot), [_option_dict(o) for o in options])


def _validate(spec: Any, ballot: Ballot, choices: Any) -> None:
    try:
        spec.validate(counting.engine_ballot(ballot.kind, choices))
    except BallotError as exc:
        raise Invalid(say(exc.message), field="choices") from None


_PER_WORKER_MAX = 256  # opened ballots a worker remembers before it starts again


def _remembered(name: str, key: Any, read: Any) -> Any:
    """What `read()` gave for `key`, read once per worker if it is an opened ballot's (frozen for good)."""
    cache = current_app.extensions.setdefault(name, {})
    found = cache.get(key)
    if found is None:
        found = read()
        if found is not None and found.frozen_at is not None:
            if len(cache) >= _PER_WORKER_MAX:
                cache.clear()
            cache[key] = found
    return found


@dataclass(frozen=True)
class _Frozen:
    refs: tuple[str, ...]
    spec: Any
    frozen_at: datetime | None


def _frozen(session: Session, ballot: Ballot) -> _Frozen:
    # Options and rules cannot change once voting opens (update_ballot refuses), so each worker
    # reads them once per opened ballot instead of on every submission.
    def read() -> _Frozen:
        full = ballot if isinstance(ballot, Ballot) else session.get(Ballot, ballot.id)  # a row: settings read here
        options = options_of(session, full)
        return _Frozen(tuple(o.ref for o in options),
                       _spec(full, options, session), full.frozen_at)

    return _remembered("pbapp.pb.frozen", (ballot.id, ballot.frozen_at), read)


def meter(ballot: Ballot, options: list[BallotOption], choices: Any) -> dict:
    """The live budget meter: what the choices use of the budget, points or total, and any problem."""
    if ballot.kind == SIMULATOR:
        return simulator.meter(ballot, options, choices)
    by_ref = {o.ref: o for o in options}
    if ballot.kind in (counting.APPROVAL, KNAPSACK, RANKED):
        used = sum(by_ref[r].cost_pence for r in choices if r in by_ref)
        limit, unit = ballot.budget_pence, "money"
        count = len(choices)
    elif ballot.kind == CUMULATIVE:
        used, limit, unit, count = sum(choices.values()), ballot.total_points, "points", len(choices)
    else:
        used, limit, unit, count = sum(choices.values()), ballot.budget_pence, "money", len(choices)
    problem = ""
    try:
        check_choices(ballot, options, choices)
    except Invalid as exc:
        problem = exc.message
    return {"used": used, "limit": limit, "unit": unit, "count": count, "problem": problem,
            "left": limit - used, "over": used > limit and ballot.kind != RANKED}


_VOTE_COLUMNS = ("id", "ballot_id", "voter_key", "choices", "channel", "area_id", "receipt", "changes")


# What casting a vote reads of the ballot: its kind and its state (ballot_state).
_CAST_COLUMNS = ("id", "kind", "opens_at", "closes_at", "frozen_at", "closed_at", "results_published_at")


@functools.cache
def _ballot_and_council() -> Any:
    return (select(Ballot, Council).join(Council, Council.id == Ballot.council_id)
            .where(Ballot.id == bindparam("ballot_id"), Council.slug == bindparam("slug")))


@functools.cache
def _cast_row() -> Any:
    """The columns of a ballot a vote needs, as a plain row: no objects built."""
    ballots, councils = Ballot.__table__, Council.__table__
    return (select(*(ballots.c[name] for name in _CAST_COLUMNS)).join(councils, councils.c.id == ballots.c.council_id)
            .where(ballots.c.id == bindparam("ballot_id"), councils.c.slug == bindparam("slug")))


@dataclass(frozen=True)
class _SqliteStatements:
    state: Any
    use_code: Any
    upsert_vote: Any


@functools.cache
def _sqlite_statements() -> _SqliteStatements:
    # Built once per process: composing these expressions cost more than running them did.
    # SQLite serialises writers already (BEGIN IMMEDIATE).
    votes, ballots = Vote.__table__, Ballot.__table__
    upsert = sqlite_insert(votes).values({c: bindparam(f"vote_{c}") for c in _VOTE_COLUMNS})
    return _SqliteStatements(
        state=select(*(ballots.c[name] for name in _CAST_COLUMNS)).where(ballots.c.id == bindparam("ballot_id")),
        use_code=update(VotingCode).where(VotingCode.id == bindparam("code_id"), VotingCode.used.is_(False))
        .values(used=True),
        # The unique (ballot_id, voter_key) constraint decides races; a later ballot replaces the earlier.
        upsert_vote=upsert.on_conflict_do_update(
            index_elements=[votes.c.ballot_id, votes.c.voter_key],
            set_={"choices": upsert.excluded.choices, "receipt": upsert.excluded.receipt,
                  "changes": votes.c.changes + 1}).returning(votes.c.id))


# PostgreSQL: one statement checks that the ballot is open (with `online` set, as ballot_state
# does; nothing is counted if not), uses the letter code and counts the vote. The ballot row is
# only share-locked, so votes run side by side while closing the ballot (an update of the row)
# waits for those in flight and every later one sees it closed. The unique (ballot_id,
# voter_key) constraint makes a voter's later ballot replace the earlier, whatever races. A vote
# with nothing else to commit runs it in autocommit. No log entry is written: the log is sealed
# at the count (sealed_entries says why).
_PG_RECORD_BALLOT = """
WITH open AS (
    SELECT id FROM pb_ballot
    WHERE id = %(ballot_id)s AND (NOT %(online)s OR (
        frozen_at IS NOT NULL AND closed_at IS NULL AND results_published_at IS NULL
        AND (opens_at IS NULL OR opens_at <= %(now)s) AND (closes_at IS NULL OR closes_at > %(now)s)))
    FOR SHARE
), used AS (
    UPDATE pb_voting_code SET used = TRUE FROM open
    WHERE pb_voting_code.id = %(code_id)s AND NOT pb_voting_code.used
)
INSERT INTO pb_vote AS v (id, ballot_id, voter_key, choices, channel, area_id, receipt, changes)
SELECT %(id)s, open.id, %(voter_key)s, %(choices)s, %(channel)s, %(area_id)s, %(receipt)s, 0 FROM open
ON CONFLICT (ballot_id, voter_key) DO UPDATE
SET choices = EXCLUDED.choices, receipt = EXCLUDED.receipt, changes = v.changes + 1
RETURNING v.id, v.receipt
"""


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _record_ballot(session: Session, ballot_id: int, voter: Voter, choices: Any, channel: str,
                   online: bool = False) -> tuple[int, str] | None:
    """Make the ballot the voter's one counted ballot (replacing an earlier one); return (vote id, receipt).

    An `online` vote is counted only while the ballot is open (else None): checked as it is written.
    The receipt is random, new with each ballot sent: it says nothing of the voter or of when.
    """
    payload, receipt, now = json.dumps(choices, sort_keys=True), secrets.token_hex(32), utcnow()
    if _postgres(session):
        params = {"ballot_id": ballot_id, "online": online, "now": now, "code_id": voter.code_id, "id": random_id(),
                  "voter_key": voter.key, "choices": payload, "channel": channel, "area_id": voter.area_id,
                  "receipt": receipt}
        if online and not session.in_transaction():  # a letter-code vote: nothing else to commit with it
            row = execute_alone(_PG_RECORD_BALLOT, params)
        else:
            row = session.connection().exec_driver_sql(_PG_RECORD_BALLOT, params).first()
        return None if row is None else (row[0], row[1])
    sql = _sqlite_statements()
    db = session.connection()  # plain statements: no ORM work per execution
    if online and ballot_state(db.execute(sql.state, {"ballot_id": ballot_id}).one(), now) != "open":
        return None
    written = {"code_id": voter.code_id, "vote_id": random_id(), "vote_ballot_id": ballot_id,
               "vote_voter_key": voter.key, "vote_choices": payload, "vote_channel": channel,
               "vote_area_id": voter.area_id, "vote_receipt": receipt, "vote_changes": 0}
    if voter.code_id is not None:
        db.execute(sql.use_code, written)
    return db.execute(sql.upsert_vote, written).scalar_one(), receipt


def cast_vote(session: Session, council: Council, ballot_id: int, voter: Voter | None, choices: Any) -> str:
    """Count this voter's ballot (replacing any earlier one) and return the receipt."""
    ballot = get_ballot(session, council, ballot_id)
    if voter is None:
        raise NotAllowed(_("You cannot vote in this ballot."))
    return _cast(session, ballot, voter, choices)


def _cast(session: Session, ballot: Any, voter: Voter, choices: Any) -> str:
    if ballot_state(ballot) != "open":
        raise Conflict(_("This ballot is not open for voting."))
    _validate(_frozen(session, ballot).spec, ballot, choices)
    recorded = _record_ballot(session, ballot.id, voter, choices, ONLINE, online=True)
    if session.in_transaction():
        session.commit()
    if recorded is None:  # closed between the read above and the vote
        raise Conflict(_("This ballot is not open for voting."))
    return recorded[1]


def _open_ballot(session: Session, slug: str, ballot_id: int) -> Any:
    """The kind and state columns of a ballot, read once per worker once it has opened (None: no such ballot).

    Opening freezes a ballot's kind and options for good, and the vote itself re-checks that it
    is still open, so a letter-code vote needs no read of the ballot of its own.
    """
    return _remembered("pbapp.pb.open", (slug, ballot_id), lambda: session.connection().execute(
        _cast_row(), {"ballot_id": ballot_id, "slug": slug}).first())


def submit_ballot(session: Session, council_slug: str, ballot_id: int, user, code_voter: dict | None, form) -> str:
    """Read, check and count a submitted ballot form; return the receipt.

    A letter-code vote on PostgreSQL is, once this worker has read the ballot, one statement in
    autocommit and nothing else (see _PG_RECORD_BALLOT).
    """
    if code_voter:
        # The code was checked against this ballot when it was entered.
        ballot = _open_ballot(session, council_slug, ballot_id)
        if ballot is None:
            raise NotFound(_("There is no such ballot."))
        voter = _letter_voter(code_voter)
    else:
        found = session.execute(_ballot_and_council(), {"ballot_id": ballot_id, "slug": council_slug}).first()
        if found is None:
            raise NotFound(_("There is no such ballot."))
        ballot, council = found
        elig = eligibility(session, council, ballot, None, user, None)
        if elig.voter is None:
            raise NotAllowed(elig.reason)
        voter = elig.voter
    choices = _parse(ballot.kind, _frozen(session, ballot).refs, form)
    return _cast(session, ballot, voter, choices)


def paper_entries(session: Session, ballot: Ballot) -> list[PaperBallotEntry]:
    return list(session.exec(select(PaperBallotEntry).where(PaperBallotEntry.ballot_id == ballot.id)
                             .order_by(PaperBallotEntry.status.desc(), PaperBallotEntry.id)).all())


def key_paper_ballot(session: Session, council: Council, ballot_id: int, actor: User, *, paper_ref: str,
                     channel: str, area_id: int | None, choices: Any) -> PaperBallotEntry:
    """Key a paper or booth ballot; a second officer keys it again and only matching entries count."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot.frozen_at is None or ballot.results_published_at is not None:
        raise Conflict(_("Paper ballots can be keyed once voting has opened and until results are published."))
    if channel not in CHANNELS[1:]:
        raise Invalid(_("Choose paper or polling booth"), field="channel")
    paper_ref = paper_ref.strip().upper()
    if not paper_ref:
        raise Invalid(_("Enter the number printed on the ballot paper"), field="paper_ref")
    check_choices(ballot, options_of(session, ballot), choices)
    payload = json.dumps(choices, sort_keys=True)
    entry = session.exec(select(PaperBallotEntry).where(PaperBallotEntry.ballot_id == ballot.id,
                                                        PaperBallotEntry.paper_ref == paper_ref)).first()
    if entry is None:
        entry = PaperBallotEntry(ballot_id=ballot.id, paper_ref=paper_ref, channel=channel, area_id=area_id,
                                 first_choices=payload, first_by_id=actor.id)
        session.add(entry)
        session.flush()
        action = "pb.paper_keyed_first"
    else:
        if entry.status == MATCHED:
            raise Conflict(_("Ballot paper %(ref)s has already been keyed twice and counted.", ref=paper_ref))
        if entry.first_by_id == actor.id:
            raise NotAllowed(_("A different officer must key ballot paper %(ref)s the second time.", ref=paper_ref))
        entry.second_choices, entry.second_by_id = payload, actor.id
        if payload == entry.first_choices and channel == entry.channel:
            entry.status = MATCHED
            voter = Voter(key=_voter_key(ballot, "paper", paper_ref), via=channel, area_id=entry.area_id)
            entry.vote_id, _receipt = _record_ballot(session, ballot.id, voter, choices, channel)
            action = "pb.paper_matched"
        else:
            entry.status = MISMATCH
            action = "pb.paper_mismatch"
    audit.record(session, action, "pb_paper_entry", entry.id, council_id=council.id, actor_id=actor.id,
                 ballot_id=ballot.id, paper_ref=paper_ref, channel=channel)
    session.commit()
    return entry



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
        rows.append({"option": option, "support": support.get(option.ref, 0),
                     "approvals": computed.get("approvals", {}).get(option.ref, 0),
                     "funded": option.ref in order, "order": order.get(option.ref),
                     "official": option.ref in official, "amount": allocation.get(option.ref),
                     "reason": explanation})
    rows.sort(key=lambda r: (r["order"] is None, r["order"] or 0, -(r["amount"] or 0), -r["support"]))
    channels = dict(session.exec(select(Vote.channel, func.count()).where(Vote.ballot_id == ballot.id)
                                 .group_by(Vote.channel)).all())
    process = session.get(Process, ballot.process_id)
    area = session.get(Area, process.area_id) if process.area_id else None
    # An open vote's ballots are counted apart: those of verified residents, and the unverified ones.
    apart = computed.get("apart") if ballot.eligibility == OPEN else None
    turnout = {"voters": result.voters, "channels": channels,
               "adults": area.adults if area else None, "verified": ballot.eligibility != OPEN, "apart": apart}
    if apart:
        for row in rows:
            ref = row["option"].ref
            row["apart"] = {part: {"support": (apart[part] or {}).get("support", {}).get(ref, 0),
                                   "funded": ref in (apart[part] or {}).get("selected", []),
                                   "amount": (apart[part] or {}).get("allocation", {}).get(ref)}
                            for part in counting.APART}
    entries = session.exec(select(func.count()).select_from(BallotLogEntry)
                           .where(BallotLogEntry.ballot_id == ballot.id)).one()
    from pbapp.ledger import services as ledger

    refs = ([simulator.record_ref(ballot)] if ballot.kind == SIMULATOR
            else [f"pb:{process.id}:{o.ref}" for o in options])
    register = ledger.items_from(session, council.id, "pb_result", refs)
    return ResultsView(ballot, process, result, computed, official, rows, turnout, entries, register)


def _published(session: Session, council: Council, ballot_id: int) -> Ballot:
    ballot = get_ballot(session, council, ballot_id)
    if ballot.results_published_at is None:
        raise NotFound(_("Nothing about this ballot’s results is published until the council publishes them."))
    return ballot


def export(session: Session, council: Council, ballot_id: int, fmt: str) -> tuple[str, str, str]:
    """Return (text, mimetype, filename) of a results export; none before results are published."""
    ballot = _published(session, council, ballot_id)
    document = log_document(session, ballot)
    name = f"{council.slug}-ballot-{ballot.id}"
    if ballot.kind == SIMULATOR and fmt in ("json", "csv"):
        base = {"ballot": document["ballot"], "options": document["options"], "result": document["result"],
                "log_head": document["head"], "log_entries": len(document["entries"]),
                "eligibility": ballot.eligibility, "voters_verified": ballot.eligibility != OPEN}
        text, mimetype = simulator.export(session, ballot, fmt, base)
        return text, mimetype, f"{name}-results.{fmt}"
    if fmt == "json":
        view = results_view(session, council, ballot_id)
        data = {"ballot": document["ballot"], "options": document["options"], "result": document["result"],
                "official_selected": view.official, "official_reason": view.result.official_reason,
                "voters": view.result.voters, "log_head": view.result.log_head, "log_entries": view.log_entries,
                "eligibility": ballot.eligibility, "voters_verified": ballot.eligibility != OPEN,
                "counted_apart": view.turnout["apart"]}
        return json.dumps(data, indent=2, ensure_ascii=False), "application/json", f"{name}-results.json"
    if fmt == "csv":
        view = results_view(session, council, ballot_id)
        return results_csv(view.rows), "text/csv; charset=utf-8", f"{name}-results.csv"
    if fmt == "pb":
        if ballot.kind in (ALLOCATION, SIMULATOR):
            raise NotFound(_("Allocation ballots have no Pabulib export."))
        election = counting.election_of(document["ballot"], document["options"],
                                        counting.final_ballots(document["entries"]), currency="GBP")
        election.meta.update({"country": "United Kingdom", "unit": council.name, "instance": str(ballot.id),
                              "rule": ballot.rule, "description": ballot.title})
        return pabulib.dumps(election), "text/plain", f"{name}.pb"
    raise NotFound(_("There is no such export."))


RESULTS_SCHEMA_VERSION = 2
RESULTS_COLUMNS = ("project_id", "title", "cost_pence", "support", "funded_by_count", "official_decision",
                   "allocation_pence", "reason", "schema_version")


def results_csv(rows: list[dict]) -> str:
    """The published results as CSV (schema in docs/pb-open-data.md): whole numbers and English sentences."""
    return write_csv(RESULTS_COLUMNS, (
        (row["option"].ref, row["option"].title, row["option"].cost_pence, round(row["support"]), row["funded"],
         "funded" if row["official"] else "not funded", row["amount"],
         row["reason"].get("reason", "") if isinstance(row["reason"], dict) else row["reason"],
         RESULTS_SCHEMA_VERSION) for row in rows), numeric=("cost_pence", "support", "allocation_pence"))


def published_log(session: Session, council: Council, ballot_id: int) -> dict:
    """The anonymous, hash-chained ballot log, published with the results."""
    return log_document(session, _published(session, council, ballot_id))


def find_receipt(session: Session, council: Council, ballot_id: int, receipt: str) -> BallotLogEntry | None:
    ballot = _published(session, council, ballot_id)
    column = BallotLogEntry.hash if ballot.log_format == LOG_CHAINED_AS_CAST else BallotLogEntry.receipt
    return session.exec(select(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id,
                                                     column == receipt.strip().lower())).first()


def log_summary(session: Session, council: Council, ballot_id: int) -> tuple[Ballot, int, str]:
    ballot = _published(session, council, ballot_id)
    document = log_document(session, ballot, with_result=False)
    return ballot, len(document["entries"]), document["head"]



@dataclass
class ManageView:
    process: Process
    ballots: list[tuple[Ballot, str, Result | None, int]]
    proposals: list[Proposal]
    area: Area | None


def manage_view(session: Session, council: Council, process_id: int) -> ManageView:
    process = get_process(session, council, process_id)
    ballots = []
    for ballot in ballots_of(session, process):
        votes = session.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
        ballots.append((ballot, ballot_state(ballot), result_of(session, ballot), votes))
    proposals = list(session.exec(select(Proposal).where(Proposal.process_id == process.id).order_by(Proposal.id)).all())
    return ManageView(process, ballots, proposals, session.get(Area, process.area_id) if process.area_id else None)


@dataclass(frozen=True)
class CrowdFlag:
    """A postcode, or one address in it, with more verified voters in a ballot than the council expects."""

    kind: str  # "postcode" or "address"
    postcode: str
    voters: int
    threshold: int


def crowd_flags(session: Session, council: Council, ballot: Ballot) -> list[CrowdFlag]:
    """Postcodes and addresses with more verified voters than FLAG_VOTERS_PER_POSTCODE / _PER_ADDRESS."""
    if ballot.frozen_at is None or ballot.eligibility in (CODES, OPEN):
        return []
    postcodes: Counter = Counter()
    addresses: Counter = Counter()
    for postcode, address in _verified_voters(session, council, ballot):
        postcodes[postcode] += 1
        if address:
            addresses[(postcode, address)] += 1
    per_postcode = current_app.config["FLAG_VOTERS_PER_POSTCODE"]
    per_address = current_app.config["FLAG_VOTERS_PER_ADDRESS"]
    flags = [CrowdFlag("postcode", p, n, per_postcode) for p, n in postcodes.items() if n > per_postcode]
    flags += [CrowdFlag("address", p, n, per_address) for (p, _a), n in addresses.items() if n > per_address]
    return sorted(flags, key=lambda f: (-f.voters, f.kind, f.postcode))


def _verified_residents(session: Session, council_id: int):
    """(user id, postcode, address hash) of the council's accounts with a confirmed email and a verified residence."""
    verification = residence.ResidenceVerification
    return session.exec(select(verification.user_id, verification.postcode, verification.address_hash)
                        .join(User, User.id == verification.user_id)
                        .where(verification.council_id == council_id, User.email_confirmed_at.is_not(None))).all()


def _verified_voters(session: Session, council: Council, ballot: Ballot) -> list[tuple[str, str]]:
    """(postcode, address hash) of each verified resident with a counted ballot; nothing new is stored."""
    voted = set(session.exec(select(Vote.voter_key).where(Vote.ballot_id == ballot.id)).all())
    if not voted:
        return []
    return [(postcode, address) for user_id, postcode, address in _verified_residents(session, council.id)
            if account_voter_key(ballot, user_id) in voted]


def _verified_keys(session: Session, council_id: int, ballot: Ballot) -> set[str]:
    """The voter keys verified residents vote under in this ballot (verified by the time of the count)."""
    return {account_voter_key(ballot, user_id) for user_id, _p, _a in _verified_residents(session, council_id)}


def job_of(session: Session, council: Council, ballot_id: int) -> tuple[Ballot, jobs.Job | None]:
    ballot = get_ballot(session, council, ballot_id)
    return ballot, jobs.check_alive(session, _latest_count_job(session, ballot))



def open_now(session: Session, council: Council) -> list[tuple[str, Ballot | Process, str]]:
    """Open ballots and processes taking proposals, for the council's home page."""
    items: list[tuple[str, Any, str]] = []
    ballots = session.exec(select(Ballot).where(Ballot.council_id == council.id, Ballot.frozen_at.is_not(None),
                                                Ballot.results_published_at.is_(None))).all()
    for ballot in ballots:
        if ballot_state(ballot) == "open":
            items.append(("ballot", ballot, ballot.eligibility))
    processes = session.exec(select(Process).where(Process.council_id == council.id, Process.phase == PROPOSALS)).all()
    items.extend(("process", p, "") for p in processes)
    return items


def published_log_entries(session: Session, council: Council, ballot_id: int, *, offset: int,
                          limit: int) -> tuple[int, list[BallotLogEntry]]:
    """How many entries a published ballot log holds, and `limit` of them in order from `offset`."""
    ballot = _published(session, council, ballot_id)
    where = BallotLogEntry.ballot_id == ballot.id
    total = session.exec(select(func.count()).select_from(BallotLogEntry).where(where)).one()
    rows = session.exec(select(BallotLogEntry).where(where).order_by(BallotLogEntry.seq)
                        .offset(offset).limit(limit)).all()
    return total, list(rows)
