"""Conversation on proposals: residents comment, report abuse, support and follow; followers hear of decisions.

Comments are published at once and moderated afterwards: REPORTS_TO_HOLD reports from different accounts
hold a comment until an officer publishes or hides it (with a reason). Supports count while a process
gathers ideas; with a threshold set, a proposal goes to the council's review once it has that many.
Proposers and followers get an email (through the mail jobs) when the review or the result is published.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select, update

from pbapp.bilingual_mail import compose
from pbapp import audit, mail
from pbapp.accounts.models import User
from pbapp.councils.models import Council
from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.links import external_url
from pbapp.pb.models import (
    FEASIBLE,
    HELD,
    HIDDEN,
    PROPOSALS,
    PUBLISHED,
    Ballot,
    BallotOption,
    CommentReport,
    Process,
    Proposal,
    ProposalComment,
    ProposalFollow,
    ProposalSupport,
)

COMMENT_MAX = 2000
REPORTS_TO_HOLD = 3


def _may_take_part(user: User) -> None:
    if user.email_confirmed_at is None:
        raise NotAllowed(_("Confirm your email address first: use the link we emailed you."))


def _proposal(session: Session, council: Council, proposal_id: int) -> Proposal:
    from pbapp.pb.services import get_proposal  # services imports this module at its top

    return get_proposal(session, council, proposal_id)


# Comments ------------------------------------------------------------------------------------------


def add_comment(session: Session, council: Council, proposal_id: int, user: User, body: str) -> ProposalComment:
    """Publish a resident's comment on a proposal; the author follows the proposal from then on."""
    _may_take_part(user)
    proposal = _proposal(session, council, proposal_id)
    text = body.strip()
    if not text:
        raise Invalid(_("Write your comment"), field="body")
    if len(text) > COMMENT_MAX:
        raise Invalid(_("Your comment must be %(n)d characters or fewer", n=COMMENT_MAX), field="body")
    comment = ProposalComment(proposal_id=proposal.id, council_id=council.id, author_id=user.id, body=text)
    session.add(comment)
    session.flush()
    _follow(session, proposal.id, user.id)
    audit.record(
        session,
        "pb.comment_added",
        "pb_proposal_comment",
        comment.id,
        council_id=council.id,
        actor_id=user.id,
        proposal_id=proposal.id,
    )
    session.commit()
    return comment


def report_comment(session: Session, council: Council, comment_id: int, user: User) -> ProposalComment:
    """Report a comment as abusive; enough reports from different accounts hold it for an officer."""
    comment = session.get(ProposalComment, comment_id)
    if comment is None or comment.council_id != council.id or comment.status == HIDDEN:
        raise NotFound(_("There is no such comment."))
    if comment.author_id == user.id:
        raise Conflict(_("You cannot report your own comment."))
    try:
        with session.begin_nested():
            session.add(CommentReport(comment_id=comment.id, user_id=user.id))
    except IntegrityError:
        raise Conflict(_("You have already reported this comment. Thank you.")) from None
    session.execute(
        update(ProposalComment).where(ProposalComment.id == comment.id).values(reports=ProposalComment.reports + 1)
    )
    session.refresh(comment)
    if comment.status == PUBLISHED and comment.reports >= REPORTS_TO_HOLD:
        comment.status = HELD
    audit.record(
        session, "pb.comment_reported", "pb_proposal_comment", comment.id, council_id=council.id, actor_id=user.id
    )
    session.commit()
    return comment


def moderate_comment(
    session: Session, council: Council, comment_id: int, actor: User, *, publish: bool, reason: str = ""
) -> ProposalComment:
    """An officer publishes a held comment again, or hides one with a reason shown in its place."""
    comment = session.get(ProposalComment, comment_id)
    if comment is None or comment.council_id != council.id:
        raise NotFound(_("There is no such comment."))
    if not publish and not reason.strip():
        raise Invalid(_("Give the reason for hiding this comment"), field="reason")
    comment.status = PUBLISHED if publish else HIDDEN
    comment.moderation_reason = "" if publish else reason.strip()
    audit.record(
        session,
        "pb.comment_moderated",
        "pb_proposal_comment",
        comment.id,
        council_id=council.id,
        actor_id=actor.id,
        status=comment.status,
    )
    session.commit()
    return comment


def comments_of(session: Session, proposal: Proposal) -> list[ProposalComment]:
    """A proposal's comments, oldest first; held and hidden ones stay in place, without their words."""
    return list(
        session.exec(
            select(ProposalComment)
            .where(ProposalComment.proposal_id == proposal.id)
            .order_by(ProposalComment.created_at, ProposalComment.id)
        ).all()
    )


def moderation_queue(session: Session, council: Council) -> list[tuple[ProposalComment, Proposal]]:
    """Comments waiting for an officer (held), then those reported but still showing, most reported first."""
    query = (
        select(ProposalComment, Proposal)
        .join(Proposal, Proposal.id == ProposalComment.proposal_id)
        .where(
            ProposalComment.council_id == council.id,
            (ProposalComment.status == HELD) | ((ProposalComment.status == PUBLISHED) & (ProposalComment.reports > 0)),
        )
        .order_by((ProposalComment.status == HELD).desc(), ProposalComment.reports.desc(), ProposalComment.id)
    )
    return [(c, p) for c, p in session.exec(query).all()]


# Supports and follows ------------------------------------------------------------------------------


def support(session: Session, council: Council, proposal_id: int, user: User) -> int:
    """Support a proposal while the process gathers ideas; one support per account. Return the count."""
    _may_take_part(user)
    proposal = _proposal(session, council, proposal_id)
    process = session.get(Process, proposal.process_id)
    if process.phase != PROPOSALS:
        raise Conflict(_("Supports are closed: the process is no longer gathering ideas."))
    try:
        with session.begin_nested():
            session.add(ProposalSupport(proposal_id=proposal.id, user_id=user.id))
    except IntegrityError:
        raise Conflict(_("You already support this proposal.")) from None
    _follow(session, proposal.id, user.id)
    audit.record(session, "pb.proposal_supported", "pb_proposal", proposal.id, council_id=council.id, actor_id=user.id)
    session.commit()
    return supports_of(session, proposal.id)


def withdraw_support(session: Session, council: Council, proposal_id: int, user: User) -> int:
    proposal = _proposal(session, council, proposal_id)
    process = session.get(Process, proposal.process_id)
    if process.phase != PROPOSALS:
        raise Conflict(_("Supports are closed: the process is no longer gathering ideas."))
    found = session.exec(
        select(ProposalSupport).where(ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id)
    ).first()
    if found is not None:
        session.delete(found)
        session.commit()
    return supports_of(session, proposal.id)


def supports_of(session: Session, proposal_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(ProposalSupport).where(ProposalSupport.proposal_id == proposal_id)
    ).one()


def support_counts(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    if not proposal_ids:
        return {}
    return dict(
        session.exec(
            select(ProposalSupport.proposal_id, func.count())
            .where(ProposalSupport.proposal_id.in_(proposal_ids))
            .group_by(ProposalSupport.proposal_id)
        ).all()
    )


def _follow(session: Session, proposal_id: int, user_id: int) -> None:
    exists = session.exec(
        select(ProposalFollow.id).where(ProposalFollow.proposal_id == proposal_id, ProposalFollow.user_id == user_id)
    ).first()
    if exists is None:
        try:
            with session.begin_nested():
                session.add(ProposalFollow(proposal_id=proposal_id, user_id=user_id))
        except IntegrityError:
            pass  # followed at the same moment from another tab


def set_following(session: Session, council: Council, proposal_id: int, user: User, *, follow: bool) -> bool:
    """Follow or stop following a proposal; return whether the account now follows it."""
    proposal = _proposal(session, council, proposal_id)
    if follow:
        _follow(session, proposal.id, user.id)
    else:
        found = session.exec(
            select(ProposalFollow).where(ProposalFollow.proposal_id == proposal.id, ProposalFollow.user_id == user.id)
        ).first()
        if found is not None:
            session.delete(found)
    session.commit()
    return follow


@dataclass(frozen=True)
class Standing:
    """What the proposal page shows about the conversation, and what this visitor has done."""

    supports: int
    threshold: int | None
    supported: bool
    following: bool
    can_support: bool

    @property
    def needed(self) -> int | None:
        return None if self.threshold is None else max(0, self.threshold - self.supports)

    @property
    def waiting(self) -> bool:
        """True while a threshold is set and the proposal has fewer supports: not yet for review."""
        return self.threshold is not None and self.supports < self.threshold


def standing(session: Session, proposal: Proposal, process: Process, user) -> Standing:
    signed_in = getattr(user, "is_authenticated", False)

    def mine(model) -> bool:
        return (
            signed_in
            and session.exec(select(model.id).where(model.proposal_id == proposal.id, model.user_id == user.id)).first()
            is not None
        )

    return Standing(
        supports_of(session, proposal.id),
        process.support_threshold,
        mine(ProposalSupport),
        mine(ProposalFollow) or (signed_in and proposal.submitter_id == user.id),
        process.phase == PROPOSALS,
    )


# Emails to proposers and followers ------------------------------------------------------------------


def _people_to_tell(session: Session, proposal: Proposal) -> list[User]:
    ids = set(session.exec(select(ProposalFollow.user_id).where(ProposalFollow.proposal_id == proposal.id)).all())
    if proposal.submitter_id:
        ids.add(proposal.submitter_id)
    if not ids:
        return []
    return list(session.exec(select(User).where(User.id.in_(ids), User.active.is_(True)).order_by(User.id)).all())


def notify_review(session: Session, council: Council, proposal: Proposal) -> int:
    """Queue an email to the proposer and followers saying the review is published; return how many."""
    people = _people_to_tell(session, proposal)
    link = external_url("pb.proposal", council=council.slug, proposal_id=proposal.id)

    def write() -> tuple[str, str]:
        outcome = (
            _("The council found it feasible: it can go to the vote.")
            if proposal.status == FEASIBLE
            else _("The council found it cannot go to the vote, and says why.")
        )
        return (
            _("Review published: %(title)s", title=proposal.title),
            _(
                "The council has published its review of “%(title)s”.\n\n%(outcome)s\n\nRead the review: %(link)s\n\n"
                "You get this email because you put the proposal forward, or follow it. You can stop following it on that page.",
                title=proposal.title,
                outcome=outcome,
                link=link,
            ),
        )

    for person in people:
        with force_locale(person.language or "en"):
            subject, body = compose(council, write)
        mail.send(session, person.email, subject, body, council_id=council.id)
    return len(people)


def notify_results(session: Session, council: Council, ballot: Ballot, funded: list[str]) -> int:
    """Queue an email to each proposal's proposer and followers when the ballot's results are published."""
    told = 0
    link = external_url("pb.results", council=council.slug, ballot_id=ballot.id)
    options = session.exec(
        select(BallotOption).where(BallotOption.ballot_id == ballot.id, BallotOption.proposal_id.is_not(None))
    ).all()
    for option in options:
        proposal = session.get(Proposal, option.proposal_id)

        def write(proposal=proposal, option=option) -> tuple[str, str]:
            outcome = (
                _("It is one of the projects to be funded.")
                if option.ref in funded
                else _("It was not among the projects funded this time.")
            )
            return (
                _("Results published: %(title)s", title=proposal.title),
                _(
                    "The results of “%(ballot)s” are published.\n\n“%(title)s”: %(outcome)s\n\nSee the results: %(link)s",
                    ballot=ballot.title,
                    title=proposal.title,
                    outcome=outcome,
                    link=link,
                ),
            )

        for person in _people_to_tell(session, proposal):
            with force_locale(person.language or "en"):
                subject, body = compose(council, write)
            mail.send(session, person.email, subject, body, council_id=council.id)
            told += 1
    return told
