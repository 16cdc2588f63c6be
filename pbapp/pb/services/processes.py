"""Processes, proposals and their review: what residents suggest and officers decide to put to a vote."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from pbapp import audit
from pbapp.bilingual import set_welsh
from pbapp.accounts.models import User
from pbapp.core.money import format_money
from pbapp.councils.models import Area, Council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.pb import conversation, uploads
from pbapp.pb.models import (
    DELIVERY,
    FEASIBLE,
    HIDDEN,
    NOT_FEASIBLE,
    PROPOSALS,
    RESULTS,
    REVIEW,
    VOTING,
    Ballot,
    BallotOption,
    Process,
    Proposal,
    ProposalFile,
)
from pbapp.timeutil import utcnow


# What each phase allows; a process moves forward through PHASES (officers may step back).
PHASE_ALLOWS = {
    PROPOSALS: {"propose", "review"},
    REVIEW: {"review"},
    VOTING: {"vote"},
    RESULTS: set(),
    DELIVERY: set(),
}


def get_process(session: Session, council: Council, process_id: int) -> Process:
    process = session.get(Process, process_id)
    if process is None or process.council_id != council.id:
        raise NotFound(_("There is no such budget process."))
    return process


def list_processes(session: Session, council: Council) -> list[Process]:
    query = (
        select(Process).where(Process.council_id == council.id).order_by(Process.created_at.desc(), Process.id.desc())
    )
    return list(session.exec(query).all())


def areas_by_id(session: Session, council: Council) -> dict[int, Area]:
    return {a.id: a for a in session.exec(select(Area).where(Area.council_id == council.id)).all()}


def create_process(
    session: Session,
    council: Council,
    actor: User,
    *,
    title: str,
    description: str,
    area_id: int | None,
    pot_pence: int,
    dates: dict[str, date | None] | None = None,
    welsh: dict[str, str] | None = None,
) -> Process:
    """Start a budget process for the council or one of its neighbourhoods, in the proposals phase."""
    if area_id is not None and area_id not in areas_by_id(session, council):
        raise Invalid(_("Choose an area of this council"), field="area_id")
    if pot_pence <= 0:
        raise Invalid(_("Enter a pot of more than £0"), field="pot")
    process = Process(
        council_id=council.id,
        area_id=area_id,
        title=title.strip(),
        description=description.strip(),
        pot_pence=pot_pence,
        created_by_id=actor.id,
        **(dates or {}),
    )
    set_welsh(process, welsh)
    session.add(process)
    session.flush()
    audit.record(
        session,
        "pb.process_created",
        "pb_process",
        process.id,
        council_id=council.id,
        actor_id=actor.id,
        pot_pence=pot_pence,
        area_id=area_id,
    )
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
    audit.record(
        session,
        "pb.phase_changed",
        "pb_process",
        process.id,
        council_id=council.id,
        actor_id=actor.id,
        before=before,
        after=phase,
    )
    session.commit()
    return process


def public_proposals(session: Session, process: Process) -> list[Proposal]:
    query = (
        select(Proposal).where(Proposal.process_id == process.id, Proposal.status != HIDDEN).order_by(Proposal.title)
    )
    return list(session.exec(query).all())


def ballots_of(session: Session, process: Process) -> list[Ballot]:
    return list(session.exec(select(Ballot).where(Ballot.process_id == process.id).order_by(Ballot.id)).all())


def get_proposal(session: Session, council: Council, proposal_id: int, *, officer: bool = False) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.council_id != council.id or (proposal.status == HIDDEN and not officer):
        raise NotFound(_("There is no such proposal."))
    return proposal


def submit_proposal(
    session: Session,
    council: Council,
    process_id: int,
    user: User,
    *,
    title: str,
    description: str,
    estimated_cost_pence: int,
    area_id: int | None = None,
    group_name: str = "",
    upload: tuple[str, bytes] | None = None,
    image_alt: str = "",
) -> Proposal:
    """Put forward an idea while the process takes proposals, with a picture or document if given."""
    process = get_process(session, council, process_id)
    if "propose" not in PHASE_ALLOWS[process.phase]:
        raise Conflict(_("This process is not taking proposals now."))
    if estimated_cost_pence <= 0:
        raise Invalid(_("Enter an estimated cost of more than £0"), field="estimated_cost")
    if estimated_cost_pence > process.pot_pence:
        raise Invalid(
            _("The estimated cost is more than the whole pot of %(pot)s", pot=format_money(process.pot_pence)),
            field="estimated_cost",
        )
    areas = areas_by_id(session, council)
    if area_id is not None and area_id not in areas:
        raise Invalid(_("Choose an area of this council"), field="area_id")
    attached = uploads.clean(*upload) if upload else None
    if attached is not None and attached.is_image and not image_alt.strip():
        raise Invalid(_("Describe the picture for people who cannot see it"), field="image_alt")
    proposal = Proposal(
        process_id=process.id,
        council_id=council.id,
        area_id=area_id or process.area_id,
        title=title.strip(),
        description=description.strip(),
        estimated_cost_pence=estimated_cost_pence,
        submitter_id=user.id,
        group_name=group_name.strip(),
    )
    if attached is not None:
        _store_file(session, attached)
        proposal.file_sha256, proposal.file_type, proposal.file_name = (
            attached.sha256,
            attached.content_type,
            attached.name,
        )
        proposal.image_alt = image_alt.strip()[:300] if attached.is_image else ""
    session.add(proposal)
    session.flush()
    audit.record(
        session,
        "pb.proposal_submitted",
        "pb_proposal",
        proposal.id,
        council_id=council.id,
        actor_id=user.id,
        process_id=process.id,
        estimated_cost_pence=estimated_cost_pence,
        file_sha256=proposal.file_sha256,
        file_type=proposal.file_type,
    )
    session.commit()
    return proposal


def _dialect_insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _store_file(session: Session, attached: uploads.CleanFile) -> None:
    # Stored once per content: the same picture sent twice (even at the same moment) is one row.
    table = ProposalFile.__table__
    session.execute(
        _dialect_insert(session)(table)
        .values(
            sha256=attached.sha256,
            content_type=attached.content_type,
            size=len(attached.data),
            data=attached.data,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[table.c.sha256])
    )


def proposal_file(
    session: Session, council: Council, proposal_id: int, *, officer: bool = False
) -> tuple[Proposal, ProposalFile]:
    """The picture or document of a proposal, only for those who may see the proposal itself."""
    proposal = get_proposal(session, council, proposal_id, officer=officer)
    stored = (
        session.exec(select(ProposalFile).where(ProposalFile.sha256 == proposal.file_sha256)).first()
        if proposal.file_sha256
        else None
    )
    if stored is None:
        raise NotFound(_("This proposal has no picture or document."))
    return proposal, stored


def option_images(session: Session, options: list[BallotOption]) -> dict[int, str]:
    """Alt text of each ballot option's proposal picture, by proposal id."""
    ids = [o.proposal_id for o in options if o.proposal_id is not None]
    if not ids:
        return {}
    found = session.exec(
        select(Proposal.id, Proposal.image_alt).where(
            Proposal.id.in_(ids), Proposal.file_sha256.is_not(None), Proposal.file_type.startswith("image/")
        )
    ).all()
    return dict(found)


def review_queue(session: Session, council: Council) -> list[tuple[Proposal, Process]]:
    """Proposals waiting for a published review, across every open process of the council."""
    query = (
        select(Proposal, Process)
        .join(Process, Process.id == Proposal.process_id)
        .where(
            Proposal.council_id == council.id,
            Process.phase.in_((PROPOSALS, REVIEW)),
            Proposal.review_published_at.is_(None),
            Proposal.status != HIDDEN,
        )
        .order_by(Process.title, Proposal.created_at, Proposal.id)
    )
    found = [(p, pr) for p, pr in session.exec(query).all()]
    # Where a process sets a support threshold, a proposal goes to review once it has that many.
    supports = conversation.support_counts(session, [p.id for p, pr in found if pr.support_threshold is not None])
    return [(p, pr) for p, pr in found if pr.support_threshold is None or supports.get(p.id, 0) >= pr.support_threshold]


def save_review(
    session: Session,
    council: Council,
    proposal_id: int,
    actor: User,
    *,
    feasible: bool,
    reviewed_cost_pence: int | None,
    reason: str,
    welsh: dict[str, str] | None = None,
) -> Proposal:
    """Record an officer's feasibility review as a draft, with the proposal's Welsh version if the officer gives
    one; nobody outside sees it until published."""
    proposal = get_proposal(session, council, proposal_id, officer=True)
    process = session.get(Process, proposal.process_id)
    if "review" not in PHASE_ALLOWS[process.phase]:
        raise Conflict(_("Reviews are closed: voting has started in this process."))
    if reviewed_cost_pence is not None and reviewed_cost_pence <= 0:
        raise Invalid(_("Enter a reviewed cost of more than £0"), field="reviewed_cost")
    proposal.review_feasible = feasible
    proposal.reviewed_cost_pence = reviewed_cost_pence
    proposal.review_reason = reason.strip()
    set_welsh(proposal, welsh)
    proposal.reviewed_by_id = actor.id
    proposal.review_published_at = None
    audit.record(
        session,
        "pb.review_drafted",
        "pb_proposal",
        proposal.id,
        council_id=council.id,
        actor_id=actor.id,
        feasible=feasible,
        reviewed_cost_pence=reviewed_cost_pence,
    )
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
    audit.record(
        session,
        "pb.review_published",
        "pb_proposal",
        proposal.id,
        council_id=council.id,
        actor_id=actor.id,
        status=proposal.status,
        reviewed_cost_pence=proposal.reviewed_cost_pence,
    )
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
    audit.record(
        session,
        "pb.proposal_hidden",
        "pb_proposal",
        proposal.id,
        council_id=council.id,
        actor_id=actor.id,
        reason=reason.strip(),
    )
    session.commit()
    return proposal
