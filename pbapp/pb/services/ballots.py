"""Ballots: their settings, options frozen at opening, and the open/close life cycle."""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.core.errors import CoreError
from pbapp.councils.models import Council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.pb import counting, simulator
from pbapp.pb.models import (
    ALLOCATION,
    BALLOT_KINDS,
    CUMULATIVE,
    ELIGIBILITY_MODES,
    FEASIBLE,
    VOTING,
    Ballot,
    BallotOption,
    SIMULATOR,
    Process,
    Proposal,
)
from pbapp.timeutil import utcnow
from pbapp.pb.services.keys import current_key_version
from pbapp.pb.services.processes import get_process


SETTINGS = (
    "title",
    "title_cy",
    "kind",
    "budget_pence",
    "min_choices",
    "max_choices",
    "total_points",
    "max_per_project",
    "min_spend_percent",
    "rule",
    "utility",
    "partial_funding",
    "eligibility",
    "opens_at",
    "closes_at",
)


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
    rules = {ALLOCATION: counting.ALLOCATION_RULES, SIMULATOR: counting.SIMULATOR_RULES}.get(
        kind, counting.PROJECT_RULES
    )
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
    ballot = Ballot(
        process_id=process.id,
        council_id=council.id,
        seed=random.SystemRandom().randrange(10**9),
        key_version=current_key_version(),
        **{k: v for k, v in values.items() if k in SETTINGS},
    )
    session.add(ballot)
    session.flush()
    audit.record(
        session,
        "pb.ballot_created",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor.id,
        **{k: v for k, v in values.items() if k in SETTINGS},
    )
    session.commit()
    return ballot


def update_ballot(session: Session, council: Council, ballot_id: int, actor: User, **values: Any) -> Ballot:
    """Change a ballot's rules; refused (and the attempt audited) once voting has opened."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot.frozen_at is not None:
        audit.record(
            session, "pb.ballot_change_refused", "pb_ballot", ballot.id, council_id=council.id, actor_id=actor.id
        )
        session.commit()
        raise Conflict(_("Voting has opened, so the ballot’s rules are frozen and cannot change."))
    if "budget_pence" in values and not values["budget_pence"]:  # left empty: the process's pot, as on creation
        values["budget_pence"] = session.get(Process, ballot.process_id).pot_pence
    _check_settings(values)
    for key in SETTINGS:
        if key in values:
            setattr(ballot, key, values[key])
    audit.record(
        session,
        "pb.ballot_changed",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor.id,
        **{k: v for k, v in values.items() if k in SETTINGS},
    )
    session.commit()
    return ballot


def options_of(session: Session, ballot: Ballot) -> list[BallotOption]:
    return list(
        session.exec(
            select(BallotOption)
            .where(BallotOption.ballot_id == ballot.id)
            .order_by(BallotOption.position, BallotOption.id)
        ).all()
    )


def _budget_lines(session: Session, council_id: int) -> list:
    from pbapp.ledger import services as ledger  # the record may not be set up for every council

    return ledger.budget_lines(session, council_id)


def _freeze_options(session: Session, ballot: Ballot, process: Process) -> list[BallotOption]:
    if ballot.kind == SIMULATOR:
        options = simulator.freeze_options(session, ballot)
    elif ballot.kind == ALLOCATION:
        lines = _budget_lines(session, ballot.council_id)
        options = [
            BallotOption(
                ballot_id=ballot.id,
                ref=f"l{line.id}",
                budget_line_ref=str(line.id),
                title=line.name,
                description=line.division,
                title_cy=line.name_cy,
                min_pence=0,
                max_pence=ballot.budget_pence,
                position=n,
            )
            for n, line in enumerate(lines)
        ]
    else:
        proposals = session.exec(
            select(Proposal)
            .where(
                Proposal.process_id == process.id,
                Proposal.status == FEASIBLE,
                Proposal.review_published_at.is_not(None),
            )
            .order_by(Proposal.id)
        ).all()
        options = [
            BallotOption(
                ballot_id=ballot.id,
                ref=f"p{p.id}",
                proposal_id=p.id,
                title=p.title,
                description=p.description,
                title_cy=p.title_cy,
                description_cy=p.description_cy,
                cost_pence=p.cost_pence,
                position=n,
            )
            for n, p in enumerate(proposals)
        ]
    if len(options) < (1 if ballot.kind == SIMULATOR else 2):
        raise Conflict(
            _("A ballot needs at least two published, feasible proposals (or budget lines) to choose between.")
        )
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
    audit.record(
        session,
        "pb.ballot_opened",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor.id,
        options=[o.ref for o in options],
        rule=ballot.rule,
        kind=ballot.kind,
        eligibility=ballot.eligibility,
    )
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


def _settings(ballot: Ballot) -> dict:
    settings = {
        "title": ballot.title,
        "kind": ballot.kind,
        "budget_pence": ballot.budget_pence,
        "min_choices": ballot.min_choices,
        "max_choices": ballot.max_choices,
        "total_points": ballot.total_points,
        "max_per_project": ballot.max_per_project,
        "min_spend_percent": ballot.min_spend_percent,
        "rule": ballot.rule,
        "utility": ballot.utility,
        "seed": ballot.seed,
        "partial_funding": ballot.partial_funding,
    }
    # A ballot imported from a Pabulib file counts with the file's score threshold (and the log says so).
    threshold = json.loads(ballot.pabulib_meta or "{}").get("min_project_score_threshold", "").strip()
    if threshold:
        settings["min_project_score_threshold"] = threshold
    return settings


def _option_dict(option: BallotOption) -> dict:
    return {
        "ref": option.ref,
        "title": option.title,
        "cost_pence": option.cost_pence,
        "min_pence": option.min_pence,
        "max_pence": option.max_pence,
    }


def ordered_for(options: list[BallotOption], seed_text: str) -> list[BallotOption]:
    """Shuffle the options by a seed from the voter, so no project gains from coming first."""
    shuffled = list(options)
    random.Random(seed_text).shuffle(shuffled)
    return shuffled


def _spec(ballot: Any, options: list[BallotOption], session: Session | None = None) -> Any:
    if ballot.kind == SIMULATOR:  # its steps and council-tax lever are the simulator's own tables
        return simulator.spec_of(session, ballot, options)
    return counting.spec_for(_settings(ballot), [_option_dict(o) for o in options])
