"""Factories for a jury's deliberation: the demo resident as a juror, rounds, evidence, polls, recommendations."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from pbapp.accounts.models import User
from pbapp.juries.models import CONFIRMED, Juror, Jury, JurySession
from pbapp.deliberation.models import (
    APPROVAL_POLL,
    EVIDENCE_ROUND,
    IN_FAVOUR,
    MARKDOWN_EVIDENCE,
    POLL_OPEN,
    REC_DRAFT,
    TO_OFFICER,
    WITNESS_REQUEST,
    Evidence,
    EvidenceRequest,
    JurorAccount,
    PollOption,
    Question,
    Recommendation,
    RecommendationVersion,
    Round,
    StrawPoll,
    Witness,
)
from pbapp.ledger.models import BudgetBook, BudgetLine
from pbapp.sortition.models import Person, Pool
from pbapp.timeutil import utcnow

RESIDENT_EMAIL = "resident@demo.example"


def jury(db: Session, council, *, facilitator: User | None = None, jurors: int = 5, **fields) -> Jury:
    """A jury with `jurors` confirmed jurors (no accounts yet), drawn from its own small pool."""
    pool = Pool(council_id=council.id, name="Volunteers", panel_size=jurors)
    db.add(pool)
    db.flush()
    values = {
        "council_id": council.id,
        "pool_id": pool.id,
        "remit": "How should we balance the budget?",
        "panel_size": jurors,
        "starts_on": date(2027, 1, 9),
        "ends_on": date(2027, 2, 6),
        "facilitator_id": facilitator.id if facilitator else None,
        "honorarium_pence": 5000,
    }
    values.update(fields)
    item = Jury(**values)
    db.add(item)
    db.flush()
    for n in range(jurors):
        person = Person(pool_id=pool.id, public_id=f"p{item.id}-{n}", features="{}")
        db.add(person)
        db.flush()
        db.add(Juror(jury_id=item.id, person_id=person.id, status=CONFIRMED))
    db.commit()
    return item


def budget_lines(db: Session, council, names=("Libraries", "Parks", "Roads")) -> list[BudgetLine]:
    """A final budget book for the council with one line per name."""
    book = BudgetBook(council_id=council.id, financial_year="2027-28", version=1, stage="final")
    db.add(book)
    db.flush()
    lines = [
        BudgetLine(
            book_id=book.id,
            council_id=council.id,
            position=n,
            ra_line=name,
            division=name,
            directorate="Services",
            name=name,
            gross_pence=100_000_000,
            net_pence=100_000_000,
        )
        for n, name in enumerate(names)
    ]
    db.add_all(lines)
    db.commit()
    return lines


def juror_for(db: Session, jury: Jury, user: User, *, public_id: str | None = None) -> Juror:
    """Make `user` a confirmed juror of `jury` with a portal account (reusing an unlinked seat if any)."""
    linked = db.exec(
        select(Juror)
        .join(JurorAccount, JurorAccount.juror_id == Juror.id)
        .where(Juror.jury_id == jury.id, JurorAccount.user_id == user.id)
    ).first()
    if linked is not None:
        if linked.status != CONFIRMED:
            linked.status = CONFIRMED
            db.add(linked)
            db.commit()
        return linked
    taken = select(JurorAccount.juror_id)
    juror = db.exec(select(Juror).where(Juror.jury_id == jury.id, Juror.id.not_in(taken)).order_by(Juror.id)).first()
    if juror is None:
        person = Person(pool_id=jury.pool_id, public_id=public_id or f"juror-of-user-{user.id}", features="{}")
        db.add(person)
        db.flush()
        juror = Juror(jury_id=jury.id, person_id=person.id)
    juror.status = CONFIRMED
    db.add(juror)
    db.flush()
    db.add(JurorAccount(juror_id=juror.id, user_id=user.id))
    db.commit()
    return juror


def demo_juror(db: Session, jury_id: int) -> Juror:
    """The demo resident as a confirmed juror of this jury (the matrix's "resident" is a juror)."""
    user = db.exec(select(User).where(User.email == RESIDENT_EMAIL)).one()
    return juror_for(db, db.get(Jury, jury_id), user)


def round_(
    db: Session, jury: Jury, *, title: str = "Evening 1", held_on: date | None = None, kind: str = EVIDENCE_ROUND
) -> Round:
    meeting = JurySession(jury_id=jury.id, title=title, held_on=held_on or jury.starts_on)
    db.add(meeting)
    db.flush()
    item = Round(jury_id=jury.id, session_id=meeting.id, kind=kind, place="Town Hall")
    db.add(item)
    db.commit()
    return item


def evidence(db: Session, jury: Jury, *, published: bool = True, **fields) -> Evidence:
    values = {
        "jury_id": jury.id,
        "kind": MARKDOWN_EVIDENCE,
        "title": "Budget briefing",
        "body": "**Facts**",
        "published_at": utcnow() if published else None,
    }
    values.update(fields)
    item = Evidence(**values)
    db.add(item)
    db.commit()
    return item


def question(db: Session, jury: Jury, juror: Juror, **fields) -> Question:
    values = {"jury_id": jury.id, "juror_id": juror.id, "addressed_to": TO_OFFICER, "text": "How much is left?"}
    values.update(fields)
    item = Question(**values)
    db.add(item)
    db.commit()
    return item


def evidence_request(db: Session, jury: Jury, juror: Juror) -> EvidenceRequest:
    item = EvidenceRequest(jury_id=jury.id, juror_id=juror.id, kind=WITNESS_REQUEST, text="The libraries manager")
    db.add(item)
    db.commit()
    return item


def approval_poll(
    db: Session, jury: Jury, the_round: Round, *, status: str = POLL_OPEN, labels=("Libraries", "Parks", "Roads")
) -> StrawPoll:
    poll = StrawPoll(
        jury_id=jury.id, round_id=the_round.id, kind=APPROVAL_POLL, question="Which matter most?", status=status
    )
    db.add(poll)
    db.flush()
    db.add_all([PollOption(poll_id=poll.id, position=n, label=label) for n, label in enumerate(labels)])
    db.commit()
    return poll


def recommendation(
    db: Session,
    jury: Jury,
    *,
    author: User | None = None,
    status: str = REC_DRAFT,
    threshold_percent: int = 80,
    text: str = "Keep libraries open later.",
) -> Recommendation:
    number = len(db.exec(select(Recommendation.id).where(Recommendation.jury_id == jury.id)).all()) + 1
    rec = Recommendation(jury_id=jury.id, number=number, status=status, threshold_percent=threshold_percent)
    db.add(rec)
    db.flush()
    db.add(
        RecommendationVersion(
            recommendation_id=rec.id,
            version=1,
            title="Libraries",
            text=text,
            author_id=author.id if author else None,
            note="First draft",
        )
    )
    db.commit()
    return rec


def witness(db: Session, jury: Jury, **fields) -> Witness:
    values = {
        "jury_id": jury.id,
        "name": "Sam Patel",
        "organisation": "Friends of the Libraries",
        "view": "Keep every library open",
        "stance": IN_FAVOUR,
    }
    values.update(fields)
    item = Witness(**values)
    db.add(item)
    db.commit()
    return item
