"""What each role's home shows: one read-only use case per role, each item with its next action."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlmodel import Session, func, select

from pbapp.accounts.models import ADMIN, FACILITATOR, OFFICER, Invitation, Membership
from pbapp.councils.models import Council
from pbapp.councils.services import in_council_area
from pbapp.errors import NotAllowed
from pbapp.juries.models import CONFIRMED, Juror, Jury, JurySession
from pbapp.deliberation.models import (
    POLL_OPEN,
    REC_VOTING,
    Evidence,
    JurorAccount,
    PollBallot,
    Question,
    Recommendation,
    Round,
    StrawPoll,
)
from pbapp.ledger import services as ledger
from pbapp.ledger.models import DONE
from pbapp.pb import services as pb
from pbapp.pb.models import FEASIBLE, HIDDEN, NOT_FEASIBLE, PROPOSALS, REVIEW, Ballot, Process, Proposal
from pbapp.sortition.models import AWAITING_DRAW, Person, Pool, SelectionRun


@dataclass
class Action:
    """The next thing to do about an item: a sentence and the page where it is done."""

    label: str
    url: str


@dataclass
class Row:
    """One line of a home: what it is, where it stands, and what to do next."""

    title: str
    url: str
    status: str = ""
    detail: str = ""
    action: Action | None = None
    children: list["Row"] = field(default_factory=list)
    when: date | None = None
    tone: str = "grey"  # the colour of its status tag (GOV.UK tag modifiers)


@dataclass
class OfficerHome:
    council: Council
    juries: list[Row]
    pools: list[Row]
    processes: list[Row]
    review: list[Row]
    review_count: int
    awaiting: list[Row]
    overdue_count: int
    books: list[Row]
    delivery: list[Row] = field(default_factory=list)


@dataclass
class JuryDesk:
    """One jury as its facilitator or one of its jurors sees it on their home."""

    jury: Jury
    council: Council
    next_session: JurySession | None
    next_round: Round | None
    polls: list[Row]
    questions: list[Row]
    recommendations: list[Row]
    evidence_count: int = 0
    later: list[JurySession] = field(default_factory=list)  # the sessions after the next one


@dataclass
class ResidentHome:
    councils: list[Council]
    votes: list[Row]
    voted: list[Row]
    proposals: list[Row]
    proposing: list[Row]


@dataclass
class AdminHome:
    councils: list[Row]
    outbox_count: int


def _today() -> date:
    return date.today()


def roles_by_council(session: Session, user_id: int) -> list[tuple[Council, set[str]]]:
    """The councils a person holds roles in, with those roles, by council name."""
    found: dict[int, tuple[Council, set[str]]] = {}
    rows = session.exec(
        select(Council, Membership.role)
        .join(Membership, Membership.council_id == Council.id)
        .where(Membership.user_id == user_id)
        .order_by(Council.name)
    ).all()
    for council, role in rows:
        found.setdefault(council.id, (council, set()))[1].add(role)
    return list(found.values())


def is_juror(session: Session, user_id: int) -> bool:
    """Whether the person has a confirmed place on any jury."""
    return (
        session.exec(
            select(JurorAccount.id)
            .join(Juror, Juror.id == JurorAccount.juror_id)
            .where(JurorAccount.user_id == user_id, Juror.status == CONFIRMED)
        ).first()
        is not None
    )


@dataclass(frozen=True)
class Home:
    key: str  # admin, officer, facilitator, juror or resident
    url: str
    council: str = ""


def homes_of(session: Session, user) -> list[Home]:
    """The homes a signed-in person has, most responsible role first; everyone has a resident's home."""
    homes: list[Home] = []
    by_council = roles_by_council(session, user.id)
    if any(ADMIN in roles for _council, roles in by_council):
        homes.append(Home("admin", url_for("homes.admin")))
    for council, roles in by_council:
        if roles & {OFFICER, ADMIN}:
            homes.append(Home("officer", url_for("homes.officer", council=council.slug), council.name))
    if any(FACILITATOR in roles for _council, roles in by_council):
        homes.append(Home("facilitator", url_for("homes.facilitator")))
    if is_juror(session, user.id):
        homes.append(Home("juror", url_for("homes.juror")))
    homes.append(Home("resident", url_for("homes.resident")))
    return homes


# --- officer -------------------------------------------------------------------------------------


def _jury_row(council: Council, jury: Jury, today: date) -> Row:
    # A finished jury is finished, however its panel was seated (a panel chosen elsewhere has no selection run).
    if jury.selection_run_id is None and today <= jury.ends_on:
        stage, action = (
            _("Selecting the panel"),
            Action(
                _("Fill the pool and run the selection"),
                url_for("sortition.pool", council=council.slug, pool_id=jury.pool_id),
            ),
        )
    elif today < jury.starts_on:
        stage, action = (
            _("Inviting jurors"),
            Action(_("Check invitations and replies"), url_for("juries.jury", council=council.slug, jury_id=jury.id)),
        )
    elif today <= jury.ends_on:
        stage, action = (
            _("Deliberating"),
            Action(
                _("Plan rounds, evidence and polls"),
                url_for("deliberation.deliberation", council=council.slug, jury_id=jury.id),
            ),
        )
    else:
        stage, action = (
            _("Finished"),
            Action(
                _("Read the recommendations"),
                url_for("deliberation.deliberation", council=council.slug, jury_id=jury.id),
            ),
        )
    return Row(
        jury.remit,
        url_for("juries.jury", council=council.slug, jury_id=jury.id),
        stage,
        "",
        action,
        when=jury.starts_on,
    )


def _run_status(run: SelectionRun) -> str:
    names = {
        "queued": _("Waiting to start"),
        "running": _("Running"),
        AWAITING_DRAW: _("Waiting for the public draw"),
        "complete": _("Panel chosen"),
        "failed": _("Failed"),
    }
    return names.get(run.status, run.status)


def _pool_rows(session: Session, council: Council) -> list[Row]:
    rows = []
    for pool in session.exec(select(Pool).where(Pool.council_id == council.id).order_by(Pool.id.desc())).all():
        people = session.exec(select(func.count()).select_from(Person).where(Person.pool_id == pool.id)).one()
        runs = list(
            session.exec(
                select(SelectionRun).where(SelectionRun.pool_id == pool.id).order_by(SelectionRun.id.desc())
            ).all()
        )
        pool_url = url_for("sortition.pool", council=council.slug, pool_id=pool.id)
        seated = (
            session.exec(select(Juror.id).join(Jury, Jury.id == Juror.jury_id).where(Jury.pool_id == pool.id)).first()
            is not None
        )
        if people == 0:
            action = Action(_("Add the volunteers"), url_for("sortition.upload", council=council.slug, pool_id=pool.id))
        elif not runs and not seated:
            action = Action(_("Set the quotas"), url_for("sortition.quotas", council=council.slug, pool_id=pool.id))
        elif runs and runs[0].status == AWAITING_DRAW:
            action = Action(
                _("Make the public draw"), url_for("sortition.run", council=council.slug, run_id=runs[0].id)
            )
        else:
            action = Action(_("Open the pool"), pool_url)
        children = [
            Row(
                _("Selection run %(number)d", number=run.id),
                url_for("sortition.run", council=council.slug, run_id=run.id),
                _run_status(run),
            )
            for run in runs
        ]
        rows.append(Row(pool.name, pool_url, _("%(count)d volunteers", count=people), "", action, children))
    return rows


def _ballot_action(council: Council, ballot: Ballot, state: str, has_result: bool) -> Action:
    manage = url_for("pb.manage_ballot", council=council.slug, ballot_id=ballot.id)
    if state == "draft":
        return Action(_("Check the settings and open voting"), manage)
    if state == "scheduled":
        return Action(
            _("Print letter codes before voting opens"), url_for("pb.codes", council=council.slug, ballot_id=ballot.id)
        )
    if state == "open":
        return Action(_("Enter paper ballots, or close voting"), manage)
    if state == "closed" and not has_result:
        return Action(_("Count the votes"), url_for("pb.count_progress", council=council.slug, ballot_id=ballot.id))
    if state == "closed":
        return Action(_("Record the decision and publish the results"), manage)
    return Action(_("Read the published results"), url_for("pb.results", council=council.slug, ballot_id=ballot.id))


BALLOT_STATES = {
    "draft": lambda: _("Not open yet"),
    "scheduled": lambda: _("Opens soon"),
    "open": lambda: _("Open"),
    "closed": lambda: _("Closed"),
    "published": lambda: _("Results published"),
}


PHASES = {
    "proposals": lambda: _("Proposals open"),
    "review": lambda: _("Officer review"),
    "voting": lambda: _("Voting"),
    "results": lambda: _("Results"),
    "delivery": lambda: _("Delivery"),
}


def _process_rows(session: Session, council: Council, queued: dict[int, int]) -> list[Row]:
    areas = pb.areas_by_id(session, council)
    rows = []
    for process in pb.list_processes(session, council):
        manage = url_for("pb.manage_process", council=council.slug, process_id=process.id)
        children = []
        for ballot in pb.ballots_of(session, process):
            state = pb.ballot_state(ballot)
            children.append(
                Row(
                    ballot.title,
                    url_for("pb.manage_ballot", council=council.slug, ballot_id=ballot.id),
                    BALLOT_STATES[state](),
                    "",
                    _ballot_action(council, ballot, state, pb.result_of(session, ballot) is not None),
                )
            )
        waiting = queued.get(process.id, 0)
        if waiting and process.phase in (PROPOSALS, REVIEW):
            action = Action(
                _("Review %(count)d proposals", count=waiting), url_for("pb.review_queue", council=council.slug)
            )
        elif not children:
            action = Action(_("Create the ballot"), manage)
        else:
            action = next((c.action for c in children if c.status != BALLOT_STATES["published"]()), None) or Action(
                _("Manage the process"), manage
            )
        area = areas.get(process.area_id) if process.area_id else None
        rows.append(
            Row(
                process.title,
                manage,
                PHASES[process.phase](),
                area.name if area else _("Whole council"),
                action,
                children,
            )
        )
    return rows


MILESTONE_STATES = {
    "not_started": lambda: _("Not started"),
    "in_progress": lambda: _("In progress"),
    "done": lambda: _("Done"),
    "delayed": lambda: _("Delayed"),
}


def officer_home(session: Session, council: Council) -> OfficerHome:
    """Everything an officer runs in one council, each with its next action."""
    today = _today()
    juries = [
        _jury_row(council, jury, today)
        for jury in session.exec(
            select(Jury).where(Jury.council_id == council.id).order_by(Jury.starts_on.desc(), Jury.id.desc())
        ).all()
    ]
    queue = pb.review_queue(session, council)
    queued: dict[int, int] = {}
    for _proposal, process in queue:
        queued[process.id] = queued.get(process.id, 0) + 1
    review = [
        Row(
            proposal.title,
            url_for("pb.review", council=council.slug, proposal_id=proposal.id),
            "",
            process.title,
            Action(_("Review"), url_for("pb.review", council=council.slug, proposal_id=proposal.id)),
        )
        for proposal, process in queue[:5]
    ]
    register = ledger.register(session, council.slug)
    waiting = [v for v in register.items if v.response is None]
    awaiting = [
        Row(
            v.item.title,
            url_for("ledger.item", council=council.slug, item_id=v.item.id),
            _("Overdue") if v.overdue else _("Awaiting a response"),
            "",
            Action(
                _("Record the council’s response"), url_for("ledger.respond", council=council.slug, item_id=v.item.id)
            ),
            when=v.item.response_due,
            tone="red" if v.overdue else "yellow",
        )
        for v in waiting
    ]
    delivery = [
        Row(
            milestone.title,
            url_for("ledger.item", council=council.slug, item_id=view.item.id),
            MILESTONE_STATES[milestone.status](),
            view.item.title,
            Action(
                _("Update progress"),
                url_for("ledger.milestone", council=council.slug, item_id=view.item.id, milestone_id=milestone.id),
            ),
            when=milestone.due_on,
            tone={"delayed": "red", "in_progress": "blue"}.get(milestone.status, "grey"),
        )
        for view in register.items
        if view.response is not None
        for milestone in view.milestones
        if milestone.status != DONE
    ]
    delivery.sort(key=lambda row: (row.when is None, row.when or today))
    books = [
        Row(
            _("%(year)s, version %(version)d", year=book.financial_year, version=book.version),
            url_for("ledger.book", council=council.slug, book_id=book.id),
            ledger.STAGE_LABELS[book.stage](),
        )
        for book in ledger.books_of(session, council.id)
    ]
    return OfficerHome(
        council,
        juries,
        _pool_rows(session, council),
        _process_rows(session, council, queued),
        review,
        len(queue),
        awaiting,
        sum(1 for v in waiting if v.overdue),
        books,
        delivery,
    )


# --- facilitator and juror -----------------------------------------------------------------------


def _coming_meetings(
    session: Session, jury: Jury, today: date
) -> tuple[JurySession | None, Round | None, list[JurySession]]:
    """The next session with its round, and the sessions after it."""
    meetings = list(
        session.exec(
            select(JurySession)
            .where(JurySession.jury_id == jury.id, JurySession.held_on >= today)
            .order_by(JurySession.held_on, JurySession.id)
        ).all()
    )
    if not meetings:
        return None, None, []
    the_round = session.exec(select(Round).where(Round.session_id == meetings[0].id)).first()
    return meetings[0], the_round, meetings[1:]


def _open_polls(session: Session, jury: Jury) -> list[StrawPoll]:
    return list(
        session.exec(
            select(StrawPoll).where(StrawPoll.jury_id == jury.id, StrawPoll.status == POLL_OPEN).order_by(StrawPoll.id)
        ).all()
    )


def _voting_recommendations(session: Session, jury: Jury) -> list[Recommendation]:
    return list(
        session.exec(
            select(Recommendation)
            .where(Recommendation.jury_id == jury.id, Recommendation.status == REC_VOTING)
            .order_by(Recommendation.number)
        ).all()
    )


def _council_of(session: Session, jury: Jury) -> Council:
    return session.get(Council, jury.council_id)


def facilitator_home(session: Session, user) -> list[JuryDesk]:
    """The juries a person facilitates: next session, open polls and questions waiting for an answer."""
    today = _today()
    desks = []
    for jury in session.exec(select(Jury).where(Jury.facilitator_id == user.id).order_by(Jury.starts_on.desc())).all():
        council = _council_of(session, jury)
        meeting, the_round, later = _coming_meetings(session, jury, today)
        polls = [
            Row(
                poll.question,
                url_for("deliberation.poll_room", council=council.slug, jury_id=jury.id, poll_id=poll.id),
                _("Open"),
                "",
                Action(
                    _("Enter ballots from the room or close the poll"),
                    url_for("deliberation.poll_room", council=council.slug, jury_id=jury.id, poll_id=poll.id),
                ),
            )
            for poll in _open_polls(session, jury)
        ]
        questions = [
            Row(
                q.text,
                url_for("deliberation.answer_question", council=council.slug, jury_id=jury.id, question_id=q.id),
                "",
                "",
                Action(
                    _("Answer"),
                    url_for("deliberation.answer_question", council=council.slug, jury_id=jury.id, question_id=q.id),
                ),
            )
            for q in session.exec(
                select(Question)
                .where(Question.jury_id == jury.id, Question.answered_at.is_(None))
                .order_by(Question.created_at, Question.id)
            ).all()
        ]
        recommendations = [
            Row(
                _("Recommendation %(number)d", number=r.number),
                url_for("deliberation.recommendation", council=council.slug, jury_id=jury.id, recommendation_id=r.id),
                _("Jurors are voting"),
            )
            for r in _voting_recommendations(session, jury)
        ]
        desks.append(JuryDesk(jury, council, meeting, the_round, polls, questions, recommendations, later=later))
    return desks


def juror_home(session: Session, user) -> list[JuryDesk]:
    """Each jury the person sits on: the next session, evidence, their questions, polls and votes to cast."""
    rows = session.exec(
        select(Juror, Jury)
        .join(JurorAccount, JurorAccount.juror_id == Juror.id)
        .join(Jury, Jury.id == Juror.jury_id)
        .where(JurorAccount.user_id == user.id, Juror.status == CONFIRMED)
        .order_by(Jury.starts_on.desc())
    ).all()
    if not rows:
        raise NotAllowed(_("Only members of a jury have a jury page."))
    today = _today()
    desks = []
    for juror, jury in rows:
        council = _council_of(session, jury)
        meeting, the_round, later = _coming_meetings(session, jury, today)
        voted = set(session.exec(select(PollBallot.poll_id).where(PollBallot.juror_id == juror.id)).all())
        polls = [
            Row(
                poll.question,
                url_for("deliberation.vote_poll", council=council.slug, jury_id=jury.id, poll_id=poll.id),
                _("You have voted") if poll.id in voted else _("Not voted yet"),
                "",
                Action(
                    _("Change your vote") if poll.id in voted else _("Vote"),
                    url_for("deliberation.vote_poll", council=council.slug, jury_id=jury.id, poll_id=poll.id),
                ),
            )
            for poll in _open_polls(session, jury)
        ]
        questions = [
            Row(
                q.text,
                url_for("deliberation.portal", council=council.slug, jury_id=jury.id),
                _("Answered") if q.answered_at else _("Waiting for an answer"),
            )
            for q in session.exec(
                select(Question).where(Question.juror_id == juror.id).order_by(Question.created_at.desc())
            ).all()
        ]
        recommendations = [
            Row(
                _("Recommendation %(number)d", number=r.number),
                url_for("deliberation.recommendation", council=council.slug, jury_id=jury.id, recommendation_id=r.id),
                _("Vote now"),
                "",
                Action(_("Read it and vote"), url_for("deliberation.portal", council=council.slug, jury_id=jury.id)),
            )
            for r in _voting_recommendations(session, jury)
        ]
        evidence = session.exec(
            select(func.count())
            .select_from(Evidence)
            .where(Evidence.jury_id == jury.id, Evidence.published_at.is_not(None))
        ).one()
        desks.append(JuryDesk(jury, council, meeting, the_round, polls, questions, recommendations, evidence, later))
    return desks


# --- resident ------------------------------------------------------------------------------------


def _resident_councils(session: Session, user) -> list[Council]:
    member = {c.id: c for c, _roles in roles_by_council(session, user.id)}
    if user.postcode:
        for council in session.exec(select(Council).order_by(Council.name)).all():
            if council.id not in member and in_council_area(council, user.postcode):
                member[council.id] = council
    return sorted(member.values(), key=lambda c: c.name)


def _proposal_row(proposal: Proposal, slug: str) -> Row:
    if proposal.status == HIDDEN:  # its page is gone; say so rather than link to nothing
        return Row(proposal.title, "", _("Hidden by the council"))
    if proposal.review_published_at and proposal.status == FEASIBLE:
        status = _("On the ballot")
    elif proposal.review_published_at and proposal.status == NOT_FEASIBLE:
        status = _("Not going to the ballot")
    else:
        status = _("Waiting for review")
    return Row(proposal.title, url_for("pb.proposal", council=slug, proposal_id=proposal.id), status)


def resident_home(session: Session, user) -> ResidentHome:
    """Votes open where the person lives, the ballots they have voted in (with receipts) and their proposals."""
    councils = _resident_councils(session, user)
    votes, voted, proposing = [], [], []
    for council in councils:
        ballots = session.exec(
            select(Ballot)
            .where(Ballot.council_id == council.id, Ballot.frozen_at.is_not(None))
            .order_by(Ballot.id.desc())
        ).all()
        for ballot in ballots:
            state = pb.ballot_state(ballot)
            receipt = pb.account_receipt(session, ballot, user)
            if receipt is not None:
                where = (
                    url_for("pb.log", council=council.slug, ballot_id=ballot.id)
                    if state == "published"
                    else url_for("pb.receipt", council=council.slug, ballot_id=ballot.id)
                )
                voted.append(
                    Row(
                        ballot.title,
                        where,
                        BALLOT_STATES[state](),
                        receipt,
                        Action(_("Change your vote"), url_for("pb.ballot", council=council.slug, ballot_id=ballot.id))
                        if state == "open"
                        else None,
                    )
                )
            if state != "open":
                continue
            eligible = pb.eligibility(session, council, ballot, None, user, None)
            votes.append(
                Row(
                    ballot.title,
                    url_for("pb.ballot", council=council.slug, ballot_id=ballot.id),
                    "",
                    eligible.reason,
                    Action(
                        _("Vote") if receipt is None else _("Change your vote"),
                        url_for("pb.ballot", council=council.slug, ballot_id=ballot.id),
                    )
                    if eligible.voter is not None
                    else None,
                    when=ballot.closes_at,
                )
            )
        for process in session.exec(
            select(Process).where(Process.council_id == council.id, Process.phase == PROPOSALS).order_by(Process.id)
        ).all():
            proposing.append(
                Row(
                    process.title,
                    url_for("pb.process", council=council.slug, process_id=process.id),
                    "",
                    "",
                    Action(_("Suggest a project"), url_for("pb.propose", council=council.slug, process_id=process.id)),
                )
            )
    slugs = {c.id: c.slug for c in session.exec(select(Council)).all()}
    proposals = [
        _proposal_row(p, slugs[p.council_id])
        for p in session.exec(
            select(Proposal).where(Proposal.submitter_id == user.id).order_by(Proposal.created_at.desc())
        ).all()
    ]
    return ResidentHome(councils, votes, voted, proposals, proposing)


# --- admin ---------------------------------------------------------------------------------------


def admin_home(session: Session, user) -> AdminHome:
    """The councils a person administers: people and pending invitations, and the mail outbox."""
    from pbapp.accounts.services import outbox

    rows = []
    for council, roles in roles_by_council(session, user.id):
        if ADMIN not in roles:
            continue
        people = session.exec(
            select(func.count(func.distinct(Membership.user_id))).where(Membership.council_id == council.id)
        ).one()
        pending = session.exec(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.council_id == council.id, Invitation.accepted_at.is_(None))
        ).one()
        rows.append(
            Row(
                council.display_name(str(get_locale())),
                url_for("councils.home", council=council.slug),
                _("%(count)d people", count=people),
                _("%(count)d invitations not yet accepted", count=pending) if pending else "",
                Action(_("People and roles"), url_for("accounts.members", council=council.slug)),
                [
                    Row(_("Set up the council"), url_for("councils.setup", council=council.slug)),
                    Row(_("Council work"), url_for("homes.officer", council=council.slug)),
                ],
            )
        )
    if not rows:
        raise NotAllowed(_("Only council administrators have this page."))
    return AdminHome(rows, len(outbox(session, user)))


def send_contact(session: Session, council: Council, *, name: str, email: str, message: str) -> int:
    """Email a resident's message to the council's administrators; return how many received it."""
    from pbapp import audit, mail
    from pbapp.accounts.models import User

    admins = session.exec(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.council_id == council.id, Membership.role == ADMIN, User.active)
    ).all()
    if not admins:
        raise NotAllowed(
            _(
                "%(council)s has no administrator to receive messages yet. Contact the council by its usual address.",
                council=council.name,
            )
        )
    from pbapp.bilingual_mail import compose

    subject, body = compose(
        council,
        lambda: (
            _("Message from %(name)s through the local democracy service", name=name.strip()),
            _(
                "%(name)s (%(email)s) wrote:\n\n%(message)s\n\nReply to them at %(email)s.",
                name=name.strip(),
                email=email.strip(),
                message=message.strip(),
            ),
        ),
    )
    for admin in admins:
        mail.send(session, admin.email, subject, body)
    audit.record(session, "contact.sent", "council", council.id, actor_id=None)
    session.commit()
    return len(admins)
