"""Use cases of juries: create a jury, seat its panel, invitations and replies, attendance, payments.

Deliberation (rounds, evidence, questions, polls, recommendations) belongs in its own module
beside this one and reuses `get_jury` / `jury_for` for scoping and object-level checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date, gettext as _
from sqlalchemy import update
from sqlmodel import Session, select

from pbapp.bilingual_mail import compose
from pbapp.core.tokens import new_token, token_hash
from pbapp import audit, mail
from pbapp.accounts.models import ADMIN, FACILITATOR, OFFICER, Membership, User
from pbapp.core.csv_writer import write_csv
from pbapp.core.money import decimal_pounds
from pbapp.councils.models import Council
from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.juries.models import (
    CONFIRMED,
    DECLINED,
    EXPENSE_KINDS,
    INVITED,
    LEFT,
    REPLACED,
    RESERVE,
    SEATED,
    WITHDRAWN,
    Attendance,
    Expense,
    Juror,
    Jury,
    JurySession,
)
from pbapp.sortition import services as sortition
from pbapp.sortition.models import COMPLETE, REPLACEMENT, SELECTION, Person, PersonContact, SelectionRun
from pbapp.sortition.models import RESERVE as RESERVE_RUN
from pbapp.timeutil import utcnow
from pbapp.links import external_url

RETENTION_AFTER_JURY = timedelta(days=180)
# Which statuses each action moves a juror from, and to.
TRANSITIONS = {
    "confirm": ((INVITED,), CONFIRMED),
    "decline": ((INVITED,), DECLINED),
    "withdraw": ((CONFIRMED,), WITHDRAWN),
    "promote": ((RESERVE,), INVITED),
}


def facilitators_of(session: Session, council: Council) -> list[User]:
    """Return the people who hold the facilitator role in the council, by name."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.council_id == council.id, Membership.role == FACILITATOR)
        .order_by(User.name)
    )
    return list(session.exec(query).all())


def create_jury(
    session: Session,
    council: Council,
    *,
    remit: str,
    panel_size: int,
    starts_on: date,
    ends_on: date,
    facilitator_id: int | None,
    budget_book_id: int | None = None,
    honorarium_pence: int = 0,
    actor_id: int | None = None,
    remit_cy: str = "",
) -> Jury:
    """Create a jury and its empty pool of volunteers (the remit in Welsh too, if given)."""
    remit = " ".join(remit.split())
    remit_cy = " ".join((remit_cy or "").split())[:300]
    if not remit:
        raise Invalid(_("Enter the question the jury will answer"), field="remit")
    if not 4 <= panel_size <= 500:
        raise Invalid(_("The panel must have from 4 to 500 members"), field="panel_size")
    if ends_on < starts_on:
        raise Invalid(_("The last day must be the same as or after the first day"), field="ends_on")
    if honorarium_pence < 0:
        raise Invalid(_("The payment per session cannot be negative"), field="honorarium")
    if facilitator_id is not None and facilitator_id not in {u.id for u in facilitators_of(session, council)}:
        raise Invalid(_("Choose a facilitator of this council"), field="facilitator_id")
    pool = sortition.new_pool(
        session,
        council,
        name=_("Volunteers for: %(remit)s", remit=remit)[:200],
        panel_size=panel_size,
        retention_until=ends_on + RETENTION_AFTER_JURY,
        actor_id=actor_id,
    )
    jury = Jury(
        council_id=council.id,
        pool_id=pool.id,
        remit=remit,
        remit_cy=remit_cy,
        panel_size=panel_size,
        starts_on=starts_on,
        ends_on=ends_on,
        facilitator_id=facilitator_id,
        budget_book_id=budget_book_id,
        honorarium_pence=honorarium_pence,
        created_by_id=actor_id,
    )
    session.add(jury)
    session.flush()
    audit.record(
        session,
        "jury.created",
        "jury",
        jury.id,
        council_id=council.id,
        actor_id=actor_id,
        panel_size=panel_size,
        facilitator_id=facilitator_id,
        budget_book_id=budget_book_id,
    )
    session.commit()
    return jury


def get_jury(session: Session, council: Council, jury_id: int) -> Jury:
    """Return the council's jury or raise NotFound."""
    jury = session.get(Jury, jury_id)
    if jury is None or jury.council_id != council.id:
        raise NotFound(_("There is no such jury."))
    return jury


def manages(session: Session, council: Council, user) -> bool:
    roles = set(
        session.exec(
            select(Membership.role).where(Membership.user_id == user.id, Membership.council_id == council.id)
        ).all()
    )
    return bool(roles & {OFFICER, ADMIN})


def jury_for(session: Session, council: Council, jury_id: int, user) -> Jury:
    """Return the jury if the user manages the council's juries or facilitates this one."""
    jury = get_jury(session, council, jury_id)
    if not manages(session, council, user) and jury.facilitator_id != user.id:
        raise NotAllowed(_("Only the jury’s facilitator and council officers can see this jury."))
    return jury


def juries_for(session: Session, council: Council, user) -> list[Jury]:
    """Juries the user may see: all of the council's for officers, their own for facilitators."""
    query = select(Jury).where(Jury.council_id == council.id).order_by(Jury.starts_on.desc())
    if not manages(session, council, user):
        query = query.where(Jury.facilitator_id == user.id)
    return list(session.exec(query).all())


@dataclass
class JurorRow:
    juror: Juror
    person: Person
    contact: PersonContact | None


def jurors_of(session: Session, jury: Jury) -> list[JurorRow]:
    """Return the jury's jurors with their volunteer record and contact details."""
    rows = session.exec(
        select(Juror, Person)
        .join(Person, Person.id == Juror.person_id)
        .where(Juror.jury_id == jury.id)
        .order_by(Juror.status, Juror.reserve_rank, Person.public_id)
    ).all()
    contacts = sortition.contacts_for(session, [p.id for _j, p in rows])
    return [JurorRow(j, p, contacts.get(p.id)) for j, p in rows]


def juror_row(session: Session, jury: Jury, juror_id: int) -> JurorRow:
    """Return one juror of the jury with their volunteer record (no contact details)."""
    found = session.exec(
        select(Juror, Person)
        .join(Person, Person.id == Juror.person_id)
        .where(Juror.id == juror_id, Juror.jury_id == jury.id)
    ).first()
    if found is None:
        raise NotFound(_("There is no such juror on this jury."))
    return JurorRow(found[0], found[1], None)


def runs_of(session: Session, jury: Jury) -> list[SelectionRun]:
    return list(
        session.exec(
            select(SelectionRun).where(SelectionRun.pool_id == jury.pool_id).order_by(SelectionRun.id.desc())
        ).all()
    )


def seat_run(session: Session, council: Council, jury: Jury, run_id: int, actor_id: int | None) -> int:
    """Turn a drawn run into jurors: the panel (invited), replacements (invited) or reserves."""
    # Lock the jury so parallel requests seat it one after another; the later ones see it seated.
    session.exec(select(Jury.id).where(Jury.id == jury.id).with_for_update()).one()
    session.refresh(jury)
    run = sortition.get_run(session, council, run_id)
    if run.pool_id != jury.pool_id or run.status != COMPLETE:
        raise Conflict(_("Only a drawn selection from this jury’s pool can be used."))
    if run.purpose == SELECTION and jury.selection_run_id is not None:
        raise Conflict(_("This jury’s panel has already been seated."))
    people = {p.public_id: p for p in session.exec(select(Person).where(Person.pool_id == jury.pool_id)).all()}
    existing = {j.person_id: j for j in session.exec(select(Juror).where(Juror.jury_id == jury.id)).all()}
    if any(j.from_run_id == run.id for j in existing.values()):
        raise Conflict(_("The people this selection chose are already on the jury."))
    new_ids = [people[i].id for i in run.panel_ids() if people[i].id not in existing]
    rank = max((j.reserve_rank or 0 for j in existing.values()), default=0)
    for person_id in new_ids:
        if run.purpose == RESERVE_RUN:
            rank += 1
            session.add(
                Juror(jury_id=jury.id, person_id=person_id, status=RESERVE, reserve_rank=rank, from_run_id=run.id)
            )
        else:
            session.add(Juror(jury_id=jury.id, person_id=person_id, status=INVITED, from_run_id=run.id))
    if run.purpose == REPLACEMENT:
        for juror in existing.values():
            if juror.status in LEFT:
                juror.status = REPLACED
                session.add(juror)
    if run.purpose == SELECTION:
        jury.selection_run_id = run.id
        session.add(jury)
    audit.record(
        session,
        "jury.seated",
        "jury",
        jury.id,
        council_id=council.id,
        actor_id=actor_id,
        run_id=run.id,
        purpose=run.purpose,
        added=len(new_ids),
    )
    session.commit()
    return len(new_ids)


def send_invitations(session: Session, council: Council, jury: Jury, actor_id: int | None) -> int:
    """Email every invited juror not yet written to, with a link to reply."""
    sent = 0
    for row in jurors_of(session, jury):
        if row.juror.status != INVITED or row.juror.invited_at is not None or not row.contact or not row.contact.email:
            continue
        token, row.juror.response_token_hash = new_token(24)
        row.juror.invited_at = utcnow()
        session.add(row.juror)
        link = external_url("juries.respond", token=token)
        subject, body = compose(
            council,
            lambda row=row, link=link: (
                _("You have been chosen for the citizens’ jury"),
                _(
                    "Dear %(name)s,\n\nYou have been chosen by lot to join %(council)s’s citizens’ jury on the question:"
                    "\n\n%(remit)s\n\nIt meets from %(start)s to %(end)s. Please tell us whether you can take part:\n\n%(link)s",
                    name=row.contact.name or _("resident"),
                    council=council.name,
                    remit=jury.remit,
                    start=format_date(jury.starts_on, "EEEE d MMMM yyyy"),
                    end=format_date(jury.ends_on, "EEEE d MMMM yyyy"),
                    link=link,
                ),
            ),
        )
        mail.send(session, row.contact.email, subject, body, council_id=council.id, secret=link)
        sent += 1
    audit.record(
        session, "jury.invitations_sent", "jury", jury.id, council_id=council.id, actor_id=actor_id, count=sent
    )
    session.commit()
    return sent


def _move(session: Session, juror: Juror, action: str) -> bool:
    """Change a juror's status only from an allowed one, atomically, so a repeated request has no effect."""
    if action not in TRANSITIONS:
        raise Invalid(_("Choose what to do"), field="action")
    sources, target = TRANSITIONS[action]
    done = session.execute(
        update(Juror)
        .where(Juror.id == juror.id, Juror.status.in_(sources))
        .values(status=target, responded_at=utcnow())
    )
    return done.rowcount == 1


def change_juror(
    session: Session, council: Council, jury: Jury, juror_id: int, action: str, actor_id: int | None
) -> Juror:
    """Confirm, decline, withdraw a juror or promote a reserve; a second identical request is refused."""
    juror = session.get(Juror, juror_id)
    if juror is None or juror.jury_id != jury.id:
        raise NotFound(_("There is no such juror on this jury."))
    if (
        action == "promote"
        and sum(1 for j in session.exec(select(Juror.status).where(Juror.jury_id == jury.id)).all() if j in SEATED)
        >= jury.panel_size
    ):
        raise Conflict(_("Every seat is taken. A reserve can join when someone declines or withdraws."))
    if not _move(session, juror, action):
        session.rollback()
        raise Conflict(_("This juror’s status has already changed. Reload the page to see it."))
    if action == "promote":
        gone = session.exec(
            select(Juror).where(Juror.jury_id == jury.id, Juror.status.in_(LEFT)).order_by(Juror.responded_at, Juror.id)
        ).first()
        if gone is not None:
            gone.status = REPLACED
            session.add(gone)
    audit.record(
        session, f"juror.{action}", "juror", juror.id, council_id=council.id, actor_id=actor_id, jury_id=jury.id
    )
    session.commit()
    session.refresh(juror)
    return juror


def juror_for_token(session: Session, token: str) -> tuple[Juror, Jury]:
    juror = session.exec(select(Juror).where(Juror.response_token_hash == token_hash(token))).first() if token else None
    if juror is None:
        raise NotFound(_("This link is not recognised. Contact the council if you need help."))
    return juror, session.get(Jury, juror.jury_id)


def respond(session: Session, token: str, accept: bool) -> Juror:
    """A juror replies to their invitation through the emailed link."""
    juror, jury = juror_for_token(session, token)
    if not _move(session, juror, "confirm" if accept else "decline"):
        session.rollback()
        raise Conflict(_("You have already replied. Contact the council if you need to change your reply."))
    audit.record(
        session,
        "juror.confirm" if accept else "juror.decline",
        "juror",
        juror.id,
        council_id=jury.council_id,
        jury_id=jury.id,
        by="juror",
    )
    session.commit()
    session.refresh(juror)
    return juror


def start_replacement(
    session: Session, council: Council, jury: Jury, purpose: str, actor_id: int | None
) -> SelectionRun:
    """Start a LEXIMIN run that keeps every quota given the confirmed jurors.

    `replacement` fills the seats of those who declined or withdrew; `reserve` draws reserves for
    the seats not yet confirmed. Everyone already on the jury in another way is left out.
    """
    if purpose not in (REPLACEMENT, RESERVE_RUN):
        raise Invalid(_("Choose replacements or reserves"), field="purpose")
    rows = jurors_of(session, jury)
    if not rows:
        raise Conflict(_("Seat the panel first."))
    kept_statuses = (CONFIRMED, INVITED) if purpose == REPLACEMENT else (CONFIRMED,)
    kept = sorted(r.person.public_id for r in rows if r.juror.status in kept_statuses)
    left_out = sorted(r.person.public_id for r in rows if r.juror.status not in kept_statuses)
    if purpose == REPLACEMENT and not any(r.juror.status in LEFT for r in rows):
        raise Conflict(_("Nobody has declined or withdrawn, so there is no seat to fill."))
    if len(kept) >= jury.panel_size:
        raise Conflict(_("Every seat is filled."))
    pool = sortition.get_pool(session, council, jury.pool_id)
    return sortition.start_run(
        session,
        council,
        pool,
        purpose=purpose,
        include=kept,
        exclude=left_out,
        parent_id=jury.selection_run_id,
        actor_id=actor_id,
    )


def sessions_of(session: Session, jury: Jury) -> list[JurySession]:
    return list(
        session.exec(
            select(JurySession).where(JurySession.jury_id == jury.id).order_by(JurySession.held_on, JurySession.id)
        ).all()
    )


def add_session(
    session: Session,
    council: Council,
    jury: Jury,
    *,
    title: str,
    held_on: date,
    actor_id: int | None,
    title_cy: str = "",
) -> JurySession:
    """Add a meeting of the jury (attendance and honoraria count per meeting)."""
    if not title.strip():
        raise Invalid(_("Enter a title for the session"), field="title")
    meeting = JurySession(jury_id=jury.id, title=title.strip(), held_on=held_on, title_cy=(title_cy or "").strip())
    session.add(meeting)
    session.flush()
    audit.record(
        session,
        "jury.session_added",
        "jury_session",
        meeting.id,
        council_id=council.id,
        actor_id=actor_id,
        jury_id=jury.id,
    )
    session.commit()
    return meeting


def get_session_of(session: Session, jury: Jury, session_id: int) -> JurySession:
    meeting = session.get(JurySession, session_id)
    if meeting is None or meeting.jury_id != jury.id:
        raise NotFound(_("There is no such session of this jury."))
    return meeting


def attendance_of(session: Session, meeting: JurySession) -> dict[int, bool]:
    rows = session.exec(select(Attendance).where(Attendance.session_id == meeting.id)).all()
    return {a.juror_id: a.present for a in rows}


def attending_jurors(session: Session, jury: Jury) -> list[JurorRow]:
    """The jurors whose attendance is kept: those sitting and those who withdrew, who are still owed an
    honorarium for the meetings they came to before they left (so a past meeting can be corrected)."""
    return [r for r in jurors_of(session, jury) if r.juror.status in (CONFIRMED, WITHDRAWN)]


def record_attendance(
    session: Session, council: Council, jury: Jury, meeting: JurySession, present: set[int], actor_id: int | None
) -> int:
    """Record who came to a meeting (the one writer of attendance: the jury's sessions and the deliberation's
    rounds both call it); replaces any earlier record. Returns how many of the jury's jurors came."""
    jurors = [r.juror for r in attending_jurors(session, jury)]
    came = present & {j.id for j in jurors}
    known = {a.juror_id: a for a in session.exec(select(Attendance).where(Attendance.session_id == meeting.id)).all()}
    for juror in jurors:
        row = known.get(juror.id) or Attendance(session_id=meeting.id, juror_id=juror.id)
        row.present = juror.id in came
        row.recorded_at = utcnow()
        session.add(row)
    audit.record(
        session,
        "jury.attendance_recorded",
        "jury_session",
        meeting.id,
        council_id=council.id,
        actor_id=actor_id,
        present=len(came),
    )
    session.commit()
    return len(came)


def add_expense(
    session: Session,
    council: Council,
    jury: Jury,
    *,
    juror_id: int,
    kind: str,
    amount_pence: int,
    description: str = "",
    session_id: int | None = None,
    actor_id: int | None = None,
) -> Expense:
    """Record an expense owed to a juror (in pence)."""
    juror = session.get(Juror, juror_id)
    if juror is None or juror.jury_id != jury.id:
        raise Invalid(_("Choose a juror of this jury"), field="juror_id")
    if kind not in EXPENSE_KINDS:
        raise Invalid(_("Choose the kind of expense"), field="kind")
    if amount_pence <= 0:
        raise Invalid(_("Enter an amount more than £0"), field="amount")
    if session_id is not None:
        get_session_of(session, jury, session_id)
    expense = Expense(
        juror_id=juror.id,
        session_id=session_id,
        kind=kind,
        description=description.strip()[:200],
        amount_pence=amount_pence,
        created_by_id=actor_id,
    )
    session.add(expense)
    session.flush()
    audit.record(
        session,
        "juror.expense_added",
        "juror",
        juror.id,
        council_id=council.id,
        actor_id=actor_id,
        kind=kind,
        amount_pence=amount_pence,
    )
    session.commit()
    return expense


@dataclass
class PaymentRow:
    row: JurorRow
    sessions_attended: int
    honorarium_pence: int
    expenses_pence: int

    @property
    def total_pence(self) -> int:
        return self.honorarium_pence + self.expenses_pence


def payments(session: Session, jury: Jury) -> list[PaymentRow]:
    """Honoraria (per session attended) and expenses owed to each juror who took part."""
    rows = attending_jurors(session, jury)
    ids = [r.juror.id for r in rows]
    attended: dict[int, int] = {}
    spent: dict[int, int] = {}
    if ids:
        for a in session.exec(select(Attendance).where(Attendance.juror_id.in_(ids), Attendance.present)).all():
            attended[a.juror_id] = attended.get(a.juror_id, 0) + 1
        for e in session.exec(select(Expense).where(Expense.juror_id.in_(ids))).all():
            spent[e.juror_id] = spent.get(e.juror_id, 0) + e.amount_pence
    return [
        PaymentRow(
            r,
            attended.get(r.juror.id, 0),
            attended.get(r.juror.id, 0) * jury.honorarium_pence,
            spent.get(r.juror.id, 0),
        )
        for r in rows
    ]


def payments_csv(session: Session, council: Council, jury: Jury, actor_id: int | None) -> str:
    """The payments team's file: one row per juror, amounts in pounds, formula-safe cells."""
    rows = []
    for p in payments(session, jury):
        contact = p.row.contact
        rows.append(
            (
                p.row.person.public_id,
                contact.name if contact else "",
                contact.address if contact else "",
                contact.postcode if contact else "",
                contact.email if contact else "",
                p.sessions_attended,
                decimal_pounds(p.honorarium_pence),
                decimal_pounds(p.expenses_pence),
                decimal_pounds(p.total_pence),
            )
        )
    text = write_csv(
        [
            "volunteer_id",
            "name",
            "address",
            "postcode",
            "email",
            "sessions_attended",
            "honorarium_gbp",
            "expenses_gbp",
            "total_gbp",
        ],
        rows,
    )
    audit.record(session, "jury.payments_exported", "jury", jury.id, council_id=council.id, actor_id=actor_id)
    session.commit()
    return text


def public_juries(session: Session, council: Council) -> list[Jury]:
    return list(session.exec(select(Jury).where(Jury.council_id == council.id).order_by(Jury.starts_on.desc())).all())


def public_jury(session: Session, council: Council, jury_id: int) -> tuple[Jury, SelectionRun | None, dict[str, int]]:
    """The jury's public page: remit, dates, how it was chosen, and how many seats are filled."""
    jury = get_jury(session, council, jury_id)
    run = session.get(SelectionRun, jury.selection_run_id) if jury.selection_run_id else None
    statuses = session.exec(select(Juror.status).where(Juror.jury_id == jury.id)).all()
    counts = {s: statuses.count(s) for s in (CONFIRMED, INVITED, RESERVE)}
    return jury, run, counts
