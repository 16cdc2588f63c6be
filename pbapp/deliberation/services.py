"""Use cases of a jury's deliberation: rounds, evidence, witnesses, questions, straw polls, recommendations.

Every use case loads the jury scoped to the council in the URL (another council's id is
NotFound), checks who is acting (the jury's facilitator or council staff, or a juror of THIS
jury), commits once and records an audit event. Audit payloads carry ids and counts, never names.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from flask_babel import gettext as _
from markupsafe import Markup
from sqlmodel import Session, func, select
from werkzeug.utils import secure_filename

from pbapp import audit
from pbapp.bilingual import set_welsh
from pbapp.templating import in_language
from pbapp.accounts.models import User
from pbapp.core.ballots.allocation import independent_markets, mean_allocation
from pbapp.core.ballots.kinds import AllocationSpec, ApprovalSpec, BallotError, RankedSpec
from pbapp.core.errors import CoreError
from pbapp.core.money import to_pounds
from pbapp.councils.models import Council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.deliberation.permissions import is_staff, juror_of, require_juror, require_staff
from pbapp.juries.models import CONFIRMED, Attendance, Expense, Juror, Jury, JurySession
from pbapp.juries import services as juries
from pbapp.deliberation.counting import count_votes
from pbapp.deliberation.models import (
    ALLOCATION_POLL,
    APPROVAL_POLL,
    EVIDENCE_KINDS,
    LINK_EVIDENCE,
    PDF_EVIDENCE,
    POLL_CLOSED,
    POLL_DRAFT,
    POLL_KINDS,
    POLL_OPEN,
    REC_ADOPTED,
    REC_DRAFT,
    REC_NOT_ADOPTED,
    REC_VOTING,
    REQUEST_KINDS,
    REQUEST_OPEN,
    REQUEST_STATUSES,
    ROUND_KINDS,
    STANCES,
    TO_OFFICER,
    TO_WITNESS,
    VOTE_CHOICES,
    ASKERS,
    Evidence,
    EvidenceFile,
    EvidenceRequest,
    JurorAccount,
    PollBallot,
    PollOption,
    Question,
    Recommendation,
    RecommendationLine,
    RecommendationVersion,
    RecommendationVote,
    Round,
    StrawPoll,
    Witness,
)
from pbapp.ledger import services as ledger
from pbapp.messages import say
from pbapp.sortition.models import PersonContact
from pbapp.timeutil import in_uk, utcnow

PDF_MAGIC = b"%PDF-"
MARKDOWN_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}


def render_markdown(text: str) -> Markup:
    """Turn a juror-facing markdown text into HTML with only safe tags and links (nh3)."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return Markup(
        nh3.clean(
            html,
            tags=MARKDOWN_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


def _jury(session: Session, council: Council, jury_id: int) -> tuple[Council, Jury]:
    return council, juries.get_jury(session, council, jury_id)


def _staff_jury(session: Session, council: Council, jury_id: int, actor) -> tuple[Council, Jury]:
    council, jury = _jury(session, council, jury_id)
    require_staff(session, jury, actor)
    return council, jury


def _owned(session: Session, model, object_id: int, jury: Jury, what: str):
    item = session.get(model, object_id)
    if item is None or item.jury_id != jury.id:
        raise NotFound(_("There is no such %(what)s in this jury.", what=what))
    return item


def _record(session: Session, action: str, subject, jury: Jury, actor, **facts) -> None:
    audit.record(
        session,
        action,
        subject.__tablename__,
        subject.id,
        council_id=jury.council_id,
        actor_id=getattr(actor, "id", None),
        jury_id=jury.id,
        **facts,
    )


def _text(value: str | None, limit: int, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, field=field_name)
    if len(value) > limit:
        raise Invalid(_("Use %(limit)d characters or fewer.", limit=limit), field=field_name)
    return value


def _http_url(url: str, field_name: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(_("Enter a web address starting with https://"), field=field_name)
    return url


def rounds_of(session: Session, jury: Jury) -> list[tuple[Round, JurySession]]:
    """The jury's rounds with their sessions, in date order."""
    query = (
        select(Round, JurySession)
        .join(JurySession, JurySession.id == Round.session_id)
        .where(Round.jury_id == jury.id)
        .order_by(JurySession.held_on, Round.id)
    )
    return list(session.exec(query).all())


def confirmed_jurors(session: Session, jury: Jury) -> list[tuple[Juror, str]]:
    """Confirmed jurors with the name the council holds for them (staff pages only)."""
    query = (
        select(Juror, PersonContact.name)
        .join(PersonContact, PersonContact.person_id == Juror.person_id, isouter=True)
        .where(Juror.jury_id == jury.id, Juror.status == CONFIRMED)
        .order_by(Juror.id)
    )
    return [(juror, _juror_name(juror, name)) for juror, name in session.exec(query).all()]


def _juror_name(juror: Juror, name: str | None) -> str:
    return name or _("Juror %(id)s", id=juror.id)


# Rounds and attendance


def _round_place(kind: str, place: str, link: str) -> tuple[str, str]:
    if kind not in ROUND_KINDS:
        raise Invalid(_("Choose evidence, deliberation or decision"), field="kind")
    if not (place or "").strip() and not (link or "").strip():
        raise Invalid(_("Enter where the round is held or a link to join it"), field="place")
    return (place or "").strip(), _http_url(link, "link") if link else ""


def create_round(
    session: Session,
    council: Council,
    jury_id: int,
    actor,
    *,
    title: str,
    held_on: date,
    kind: str,
    starts_at: str = "",
    place: str = "",
    link: str = "",
    agenda: str = "",
    title_cy: str = "",
) -> Round:
    """Add a round to the jury: a session (date, for attendance and honoraria) with its kind, place and agenda."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    place, link = _round_place(kind, place, link)
    meeting = JurySession(
        jury_id=jury.id,
        title=_text(title, 200, "title", _("Enter a title for the round")),
        held_on=held_on,
        title_cy=(title_cy or "").strip(),
    )
    session.add(meeting)
    session.flush()
    item = Round(
        jury_id=jury.id,
        session_id=meeting.id,
        kind=kind,
        starts_at=(starts_at or "").strip(),
        place=place,
        link=link,
        agenda=(agenda or "").strip(),
        created_by_id=actor.id,
    )
    session.add(item)
    session.flush()
    _record(session, "jury.round_created", item, jury, actor, kind=kind, held_on=held_on.isoformat())
    session.commit()
    return item


def update_round(
    session: Session,
    council: Council,
    jury_id: int,
    round_id: int,
    actor,
    *,
    title: str,
    held_on: date,
    kind: str,
    starts_at: str = "",
    place: str = "",
    link: str = "",
    agenda: str = "",
    title_cy: str = "",
) -> Round:
    """Correct a round's title, date, kind, place or agenda; attendance already taken stays with it."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Round, round_id, jury, _("round"))
    meeting = session.get(JurySession, item.session_id)
    place, link = _round_place(kind, place, link)
    before = {"kind": item.kind, "held_on": meeting.held_on.isoformat()}
    meeting.title, meeting.held_on = _text(title, 200, "title", _("Enter a title for the round")), held_on
    meeting.title_cy = (title_cy or "").strip()
    item.kind, item.starts_at, item.place, item.link = kind, (starts_at or "").strip(), place, link
    item.agenda = (agenda or "").strip()
    session.add_all([meeting, item])
    _record(
        session,
        "jury.round_updated",
        item,
        jury,
        actor,
        before=before,
        after={"kind": kind, "held_on": held_on.isoformat()},
    )
    session.commit()
    return item


@dataclass
class StaffItem:
    """A round, witness or item of evidence of this jury, for someone running it (to change or remove it)."""

    council: Council
    jury: Jury
    item: Round | Witness | Evidence
    meeting: JurySession | None = None


def round_for_staff(session: Session, council: Council, jury_id: int, round_id: int, actor) -> StaffItem:
    """A round of this jury for someone running it (to edit or delete it)."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Round, round_id, jury, _("round"))
    return StaffItem(the_council, jury, item, session.get(JurySession, item.session_id))


def delete_round(session: Session, council: Council, jury_id: int, round_id: int, actor) -> None:
    """Remove a round added by mistake; refused once it holds polls, attendance or expenses, which must not vanish."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Round, round_id, jury, _("round"))
    if session.exec(select(StrawPoll.id).where(StrawPoll.round_id == item.id)).first() is not None:
        raise Conflict(_("This round has straw polls, so it cannot be deleted. Change its details instead."))
    recorded = session.exec(select(Attendance.id).where(Attendance.session_id == item.session_id)).first()
    claimed = session.exec(select(Expense.id).where(Expense.session_id == item.session_id)).first()
    if recorded is not None or claimed is not None:
        raise Conflict(
            _(
                "Attendance or expenses are recorded for this round, so it cannot be deleted. "
                "Change its details instead."
            )
        )
    for model in (Evidence, Witness, Question):
        for linked in session.exec(select(model).where(model.round_id == item.id)).all():
            linked.round_id = None
            session.add(linked)
    meeting = session.get(JurySession, item.session_id)
    _record(session, "jury.round_deleted", item, jury, actor, kind=item.kind, held_on=meeting.held_on.isoformat())
    session.delete(item)
    session.flush()
    session.delete(meeting)
    session.commit()


@dataclass
class RoundView:
    council: Council
    jury: Jury
    round: Round
    meeting: JurySession
    attendance: list[tuple[Juror, str, bool]]
    polls: list[StrawPoll]
    evidence: list[Evidence]
    results: list = field(default_factory=list)

    @property
    def present(self) -> int:
        return sum(1 for _juror, _name, here in self.attendance if here)


def round_detail(session: Session, council: Council, jury_id: int, round_id: int, actor) -> RoundView:
    """A round as its facilitator sees it: attendance, polls and the evidence heard."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Round, round_id, jury, _("round"))
    meeting = session.get(JurySession, item.session_id)
    marked = juries.attendance_of(session, meeting)
    attendance = [
        (row.juror, _juror_name(row.juror, row.contact and row.contact.name), marked.get(row.juror.id, False))
        for row in sorted(juries.attending_jurors(session, jury), key=lambda row: row.juror.id)
    ]
    polls = list(session.exec(select(StrawPoll).where(StrawPoll.round_id == item.id).order_by(StrawPoll.id)).all())
    evidence = list(session.exec(select(Evidence).where(Evidence.round_id == item.id).order_by(Evidence.id)).all())
    results = [poll_result(session, poll) for poll in polls if poll.status == POLL_CLOSED]
    return RoundView(the_council, jury, item, meeting, attendance, polls, evidence, results)


def record_round_attendance(
    session: Session, council: Council, jury_id: int, round_id: int, actor, present: set[int]
) -> int:
    """Mark who came to a round: it is the jury's session, so the juries' one writer of attendance records it
    (and honoraria follow). Returns the count present."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Round, round_id, jury, _("round"))
    return juries.record_attendance(
        session, the_council, jury, session.get(JurySession, item.session_id), present, getattr(actor, "id", None)
    )


# Evidence, witnesses and requests


def _witness_fields(
    session: Session,
    jury: Jury,
    *,
    name: str,
    organisation: str,
    view: str,
    stance: str,
    asked_by: str,
    round_id: int | None,
) -> dict:
    if stance not in STANCES:
        raise Invalid(_("Choose the view the witness puts"), field="stance")
    if asked_by not in ASKERS:
        raise Invalid(_("Choose who asked for this witness"), field="asked_by")
    if round_id:
        _owned(session, Round, round_id, jury, _("round"))
    return {
        "round_id": round_id or None,
        "name": _text(name, 200, "name", _("Enter the witness's name")),
        "organisation": (organisation or "").strip()[:200],
        "view": _text(view, 500, "view", _("Describe the view the witness puts")),
        "stance": stance,
        "asked_by": asked_by,
    }


def add_witness(
    session: Session,
    council: Council,
    jury_id: int,
    actor,
    *,
    name: str,
    organisation: str,
    view: str,
    stance: str,
    asked_by: str,
    round_id: int | None = None,
) -> Witness:
    """Add a witness to the register: who they are, the view they put, and who asked for them."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    witness = Witness(
        jury_id=jury.id,
        **_witness_fields(
            session,
            jury,
            name=name,
            organisation=organisation,
            view=view,
            stance=stance,
            asked_by=asked_by,
            round_id=round_id,
        ),
    )
    session.add(witness)
    session.flush()
    _record(session, "jury.witness_added", witness, jury, actor, stance=stance, asked_by=asked_by)
    session.commit()
    return witness


def witness_for_staff(session: Session, council: Council, jury_id: int, witness_id: int, actor) -> StaffItem:
    """A witness of this jury for someone running it (to edit or remove them)."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    return StaffItem(the_council, jury, _owned(session, Witness, witness_id, jury, _("witness")))


def update_witness(
    session: Session,
    council: Council,
    jury_id: int,
    witness_id: int,
    actor,
    *,
    name: str,
    organisation: str,
    view: str,
    stance: str,
    asked_by: str,
    round_id: int | None = None,
) -> Witness:
    """Correct a witness's entry in the register (the balance of evidence follows)."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    witness = _owned(session, Witness, witness_id, jury, _("witness"))
    before = {"stance": witness.stance, "asked_by": witness.asked_by}
    for key, value in _witness_fields(
        session,
        jury,
        name=name,
        organisation=organisation,
        view=view,
        stance=stance,
        asked_by=asked_by,
        round_id=round_id,
    ).items():
        setattr(witness, key, value)
    session.add(witness)
    _record(
        session,
        "jury.witness_updated",
        witness,
        jury,
        actor,
        before=before,
        after={"stance": stance, "asked_by": asked_by},
    )
    session.commit()
    return witness


def delete_witness(session: Session, council: Council, jury_id: int, witness_id: int, actor) -> None:
    """Take a witness off the register; refused while evidence or jurors' questions refer to them."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    witness = _owned(session, Witness, witness_id, jury, _("witness"))
    if (
        session.exec(select(Evidence.id).where(Evidence.witness_id == witness.id)).first() is not None
        or session.exec(select(Question.id).where(Question.witness_id == witness.id)).first() is not None
    ):
        raise Conflict(
            _(
                "Evidence or jurors' questions refer to this witness, so they stay on the register. "
                "Change their details instead."
            )
        )
    _record(session, "jury.witness_deleted", witness, jury, actor, stance=witness.stance, asked_by=witness.asked_by)
    session.delete(witness)
    session.commit()


def _evidence_content(
    item: Evidence, *, body: str, url: str, upload: tuple[str, bytes] | None, required: bool = True
) -> bytes:
    """Fill the kind-specific part of an item; returns PDF bytes to store (empty: keep what is stored)."""
    data = b""
    if item.kind == PDF_EVIDENCE:
        name, data = upload or ("", b"")
        if not data:
            if required:
                raise Invalid(_("Choose a PDF file to upload"), field="upload")
            return b""
        if not data.startswith(PDF_MAGIC):
            raise Invalid(_("The file must be a PDF"), field="upload")
        stem = secure_filename(name.rsplit(".", 1)[0]) or "evidence"
        item.file_name, item.file_size = f"{stem[:150]}.pdf", len(data)
    elif item.kind == LINK_EVIDENCE:
        item.url = _http_url(url, "url")
    else:
        item.body = _text(body, 100_000, "body", _("Enter the text of the evidence"))
    return data


def _evidence_links(session: Session, jury: Jury, round_id: int | None, witness_id: int | None) -> None:
    if round_id:
        _owned(session, Round, round_id, jury, _("round"))
    if witness_id:
        _owned(session, Witness, witness_id, jury, _("witness"))


def add_evidence(
    session: Session,
    council: Council,
    jury_id: int,
    actor,
    *,
    kind: str,
    title: str,
    summary: str = "",
    body: str = "",
    url: str = "",
    round_id: int | None = None,
    witness_id: int | None = None,
    upload: tuple[str, bytes] | None = None,
    publish: bool = False,
    welsh: dict[str, str] | None = None,
) -> Evidence:
    """Add to the evidence library: a PDF (checked to be one), markdown, a link or a witness statement."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    if kind not in EVIDENCE_KINDS:
        raise Invalid(_("Choose what kind of evidence this is"), field="kind")
    _evidence_links(session, jury, round_id, witness_id)
    item = Evidence(
        jury_id=jury.id,
        round_id=round_id or None,
        witness_id=witness_id or None,
        kind=kind,
        title=_text(title, 200, "title", _("Enter a title")),
        summary=(summary or "").strip()[:1000],
        created_by_id=actor.id,
        published_at=utcnow() if publish else None,
    )
    data = _evidence_content(item, body=body, url=url, upload=upload)
    set_welsh(item, welsh)
    session.add(item)
    session.flush()
    if data:
        session.add(EvidenceFile(evidence_id=item.id, data=data))
    _record(session, "jury.evidence_added", item, jury, actor, kind=kind, published=publish)
    session.commit()
    return item


def evidence_for_staff(session: Session, council: Council, jury_id: int, evidence_id: int, actor) -> StaffItem:
    """An item of this jury's evidence for someone running it (to edit, withdraw or delete it)."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    return StaffItem(the_council, jury, _owned(session, Evidence, evidence_id, jury, _("evidence")))


def update_evidence(
    session: Session,
    council: Council,
    jury_id: int,
    evidence_id: int,
    actor,
    *,
    title: str,
    summary: str = "",
    body: str = "",
    url: str = "",
    round_id: int | None = None,
    witness_id: int | None = None,
    upload: tuple[str, bytes] | None = None,
    welsh: dict[str, str] | None = None,
) -> Evidence:
    """Correct an item of evidence (its kind stays); a PDF is replaced only when a new file is chosen."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Evidence, evidence_id, jury, _("evidence"))
    _evidence_links(session, jury, round_id, witness_id)
    item.title, item.summary = _text(title, 200, "title", _("Enter a title")), (summary or "").strip()[:1000]
    item.round_id, item.witness_id = round_id or None, witness_id or None
    data = _evidence_content(item, body=body, url=url, upload=upload, required=False)
    set_welsh(item, welsh)
    if data:
        stored = session.exec(select(EvidenceFile).where(EvidenceFile.evidence_id == item.id)).first()
        stored = stored or EvidenceFile(evidence_id=item.id, data=b"")
        stored.data = data
        session.add(stored)
    session.add(item)
    _record(
        session,
        "jury.evidence_updated",
        item,
        jury,
        actor,
        file_replaced=bool(data),
        published=item.published_at is not None,
    )
    session.commit()
    return item


def withdraw_evidence(session: Session, council: Council, jury_id: int, evidence_id: int, actor) -> Evidence:
    """Take published evidence back from jurors and the public page; it stays in the library to publish again."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Evidence, evidence_id, jury, _("evidence"))
    if item.published_at is None:
        raise Conflict(_("This evidence is not published."))
    item.published_at = None
    session.add(item)
    _record(session, "jury.evidence_withdrawn", item, jury, actor)
    session.commit()
    return item


def delete_evidence(session: Session, council: Council, jury_id: int, evidence_id: int, actor) -> None:
    """Delete unpublished evidence and its file; published evidence is withdrawn first, never silently lost."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Evidence, evidence_id, jury, _("evidence"))
    if item.published_at is not None:
        raise Conflict(_("Withdraw this evidence from publication before deleting it."))
    stored = session.exec(select(EvidenceFile).where(EvidenceFile.evidence_id == item.id)).first()
    if stored is not None:
        session.delete(stored)
        session.flush()
    _record(session, "jury.evidence_deleted", item, jury, actor, kind=item.kind)
    session.delete(item)
    session.commit()


def publish_evidence(session: Session, council: Council, jury_id: int, evidence_id: int, actor) -> Evidence:
    """Publish an item of evidence to the jurors and on the public jury page."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Evidence, evidence_id, jury, _("evidence"))
    if item.published_at is not None:
        raise Conflict(_("This evidence is already published."))
    item.published_at = utcnow()
    session.add(item)
    _record(session, "jury.evidence_published", item, jury, actor)
    session.commit()
    return item


@dataclass
class EvidenceView:
    council: Council
    jury: Jury
    evidence: Evidence
    html: Markup
    witness: Witness | None
    questions: list[Question]


def _visible_evidence(session: Session, council: Council, jury_id: int, evidence_id: int, viewer):
    the_council, jury = _jury(session, council, jury_id)
    item = _owned(session, Evidence, evidence_id, jury, _("evidence"))
    if item.published_at is None and not is_staff(session, jury, viewer):
        raise NotFound(_("There is no such evidence in this jury."))
    return the_council, jury, item


def evidence_detail(session: Session, council: Council, jury_id: int, evidence_id: int, viewer) -> EvidenceView:
    """One item of evidence, rendered safely; unpublished items only for the people running the jury."""
    the_council, jury, item = _visible_evidence(session, council, jury_id, evidence_id, viewer)
    witness = session.get(Witness, item.witness_id) if item.witness_id else None
    questions = []
    if witness is not None:
        questions = list(
            session.exec(
                select(Question)
                .where(Question.witness_id == witness.id, Question.published_at.is_not(None))
                .order_by(Question.id)
            ).all()
        )
    return EvidenceView(the_council, jury, item, render_markdown(in_language(item, "body")), witness, questions)


def evidence_file(session: Session, council: Council, jury_id: int, evidence_id: int, viewer) -> tuple[Evidence, bytes]:
    """The bytes of an uploaded PDF (served as an attachment by the view)."""
    _council, _jury, item = _visible_evidence(session, council, jury_id, evidence_id, viewer)
    stored = session.exec(select(EvidenceFile).where(EvidenceFile.evidence_id == item.id)).first()
    if item.kind != PDF_EVIDENCE or stored is None:
        raise NotFound(_("This evidence has no file."))
    return item, stored.data


def ask_for_evidence(
    session: Session, council: Council, jury_id: int, actor, *, kind: str, text: str
) -> EvidenceRequest:
    """A juror asks to hear a witness or see a piece of evidence."""
    _council, jury = _jury(session, council, jury_id)
    juror = require_juror(session, jury, actor)
    if kind not in REQUEST_KINDS:
        raise Invalid(_("Choose a witness or a piece of evidence"), field="kind")
    item = EvidenceRequest(
        jury_id=jury.id,
        juror_id=juror.id,
        kind=kind,
        text=_text(text, 1000, "text", _("Say who or what you would like to hear about")),
    )
    session.add(item)
    session.flush()
    _record(session, "jury.evidence_requested", item, jury, actor, kind=kind)
    session.commit()
    return item


def reply_to_request(
    session: Session, council: Council, jury_id: int, request_id: int, actor, *, status: str, reply: str
) -> EvidenceRequest:
    """The facilitator agrees to or declines a juror's request, with a reason the jury can read."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, EvidenceRequest, request_id, jury, _("request"))
    if status not in REQUEST_STATUSES or status == REQUEST_OPEN:
        raise Invalid(_("Choose whether you agree or decline"), field="status")
    item.status, item.replied_at = status, utcnow()
    item.reply = _text(reply, 1000, "reply", _("Give the jury a reason"))
    session.add(item)
    _record(session, "jury.request_replied", item, jury, actor, status=status)
    session.commit()
    return item


# Questions


def ask_question(
    session: Session,
    council: Council,
    jury_id: int,
    actor,
    *,
    text: str,
    addressed_to: str,
    witness_id: int | None = None,
) -> Question:
    """A juror asks a witness or council officers a question."""
    _council, jury = _jury(session, council, jury_id)
    juror = require_juror(session, jury, actor)
    if addressed_to not in (TO_WITNESS, TO_OFFICER):
        raise Invalid(_("Choose who the question is for"), field="addressed_to")
    if addressed_to == TO_WITNESS:
        if not witness_id:
            raise Invalid(_("Choose the witness"), field="witness_id")
        _owned(session, Witness, witness_id, jury, _("witness"))
    item = Question(
        jury_id=jury.id,
        juror_id=juror.id,
        addressed_to=addressed_to,
        witness_id=witness_id if addressed_to == TO_WITNESS else None,
        text=_text(text, 1000, "text", _("Enter your question")),
    )
    session.add(item)
    session.flush()
    _record(session, "jury.question_asked", item, jury, actor, addressed_to=addressed_to)
    session.commit()
    return item


def question_for_answer(session: Session, council: Council, jury_id: int, question_id: int, actor):
    """The question a facilitator is answering, with its jury and council."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    return the_council, jury, _owned(session, Question, question_id, jury, _("question"))


def answer_question(
    session: Session,
    council: Council,
    jury_id: int,
    question_id: int,
    actor,
    *,
    answer: str,
    answered_by: str,
    publish: bool,
) -> Question:
    """Record the answer to a juror's question and, if chosen, publish it with the evidence."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Question, question_id, jury, _("question"))
    item.answer = _text(answer, 20_000, "answer", _("Enter the answer"))
    item.answered_by = _text(answered_by, 200, "answered_by", _("Say who gave the answer"))
    item.answered_at = item.answered_at or utcnow()
    if publish and item.published_at is None:
        item.published_at = utcnow()
    session.add(item)
    _record(session, "jury.question_answered", item, jury, actor, published=item.published_at is not None)
    session.commit()
    return item


# Straw polls


def _options(session: Session, poll: StrawPoll) -> list[PollOption]:
    return list(
        session.exec(
            select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position, PollOption.id)
        ).all()
    )


def _spec(poll: StrawPoll, options: list[PollOption]):
    names = {str(o.id): o.label for o in options}
    if poll.kind == ALLOCATION_POLL:
        return AllocationSpec(
            bounds={str(o.id): (to_pounds(o.low_pence), to_pounds(o.high_pence)) for o in options},
            total=to_pounds(poll.total_pence),
            names=names,
        )
    if poll.kind == APPROVAL_POLL:
        return ApprovalSpec(projects=frozenset(names), min_choices=1, max_choices=poll.max_choices, names=names)
    return RankedSpec(projects=frozenset(names), max_ranks=poll.max_choices or len(options), names=names)


def create_poll(
    session: Session,
    council: Council,
    jury_id: int,
    round_id: int,
    actor,
    *,
    kind: str,
    question: str,
    total_pence: int = 0,
    line_ids: list[int] | None = None,
    low_pence: int = 0,
    high_pence: int | None = None,
    option_labels: list[str] | None = None,
    max_choices: int | None = None,
    question_cy: str = "",
    option_labels_cy: list[str] | None = None,
) -> StrawPoll:
    """Set up a straw poll in a round: split a budget across budget lines, or approve or rank options; the
    Welsh options, when given, pair with the English ones line by line."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    item = _owned(session, Round, round_id, jury, _("round"))
    if kind not in POLL_KINDS:
        raise Invalid(_("Choose the kind of poll"), field="kind")
    poll = StrawPoll(
        jury_id=jury.id,
        round_id=item.id,
        kind=kind,
        created_by_id=actor.id,
        question=_text(question, 300, "question", _("Enter the question the jury answers")),
        question_cy=(question_cy or "").strip()[:300],
    )
    if kind == ALLOCATION_POLL:
        lines = {line.id: line for line in ledger.budget_lines(session, jury.council_id)}
        chosen = [lines[i] for i in (line_ids or []) if i in lines]
        if len(chosen) < 2:
            raise Invalid(_("Choose at least 2 budget lines"), field="line_ids")
        if total_pence <= 0:
            raise Invalid(_("Enter the budget to split, more than £0"), field="total")
        high = total_pence if high_pence is None else high_pence
        options = [
            PollOption(
                position=n,
                label=line.name,
                label_cy=line.name_cy,
                budget_line_id=line.id,
                low_pence=low_pence,
                high_pence=high,
            )
            for n, line in enumerate(chosen)
        ]
        poll.total_pence = total_pence
    else:
        labels = [label.strip()[:200] for label in (option_labels or []) if label.strip()]
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise Invalid(_("Enter at least 2 different options, one on each line"), field="options")
        welsh = [label.strip()[:200] for label in (option_labels_cy or []) if label.strip()]
        if welsh and len(welsh) != len(labels):
            raise Invalid(
                _("Give a Welsh option for each English option, in the same order, or none"), field="options_cy"
            )
        options = [
            PollOption(position=n, label=label, label_cy=welsh[n] if welsh else "") for n, label in enumerate(labels)
        ]
        poll.max_choices = max_choices or None
    try:
        _spec(
            poll,
            [
                PollOption(id=n, label=o.label, low_pence=o.low_pence, high_pence=o.high_pence)
                for n, o in enumerate(options)
            ],
        )
    except BallotError as error:
        raise Invalid(_("No split of the budget can keep every line within those limits."), field="total") from error
    session.add(poll)
    session.flush()
    for option in options:
        option.poll_id = poll.id
        session.add(option)
    session.flush()
    _record(session, "jury.poll_created", poll, jury, actor, kind=kind, round_id=item.id, options=len(options))
    session.commit()
    return poll


def set_poll_state(
    session: Session, council: Council, jury_id: int, poll_id: int, actor, *, open_it: bool
) -> StrawPoll:
    """Open a drafted poll for voting, or close an open one (only the people running the jury)."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    poll = _owned(session, StrawPoll, poll_id, jury, _("poll"))
    if open_it:
        if poll.status != POLL_DRAFT:
            raise Conflict(_("This poll has already been opened."))
        poll.status, poll.opened_at = POLL_OPEN, utcnow()
    else:
        if poll.status != POLL_OPEN:
            raise Conflict(_("Only an open poll can be closed."))
        poll.status, poll.closed_at = POLL_CLOSED, utcnow()
    session.add(poll)
    _record(session, "jury.poll_opened" if open_it else "jury.poll_closed", poll, jury, actor)
    session.commit()
    return poll


@dataclass
class PollBallotView:
    council: Council
    jury: Jury
    poll: StrawPoll
    options: list[PollOption]
    mine: dict | list | None


def poll_for_juror(session: Session, council: Council, jury_id: int, poll_id: int, actor) -> PollBallotView:
    """A poll as a juror sees it, with the ballot they have cast so far."""
    the_council, jury = _jury(session, council, jury_id)
    juror = require_juror(session, jury, actor)
    poll = _owned(session, StrawPoll, poll_id, jury, _("poll"))
    if poll.status == POLL_DRAFT:
        raise NotFound(_("This poll is not open yet."))
    ballot = session.exec(
        select(PollBallot).where(PollBallot.poll_id == poll.id, PollBallot.juror_id == juror.id)
    ).first()
    return PollBallotView(
        the_council, jury, poll, _options(session, poll), json.loads(ballot.choices) if ballot else None
    )


def _checked_choices(poll: StrawPoll, options: list[PollOption], choices: dict[int, int] | list[int]) -> dict | list:
    try:
        if poll.kind == ALLOCATION_POLL:
            amounts = {str(k): int(v) for k, v in dict(choices).items()}
            _spec(poll, options).validate({k: to_pounds(v) for k, v in amounts.items()})
            return amounts
        stored = [str(c) for c in choices]
        _spec(poll, options).validate(stored)
        return stored
    except BallotError as error:
        raise Invalid(say(error.message), field="choices") from error


def cast_poll_ballot(
    session: Session, council: Council, jury_id: int, poll_id: int, actor, choices: dict[int, int] | list[int]
) -> PollBallot:
    """Record (or change) a juror's straw-poll ballot, checked by the ballot kind's own rules."""
    _council, jury = _jury(session, council, jury_id)
    juror = require_juror(session, jury, actor)
    poll = _owned(session, StrawPoll, poll_id, jury, _("poll"))
    if poll.status != POLL_OPEN:
        raise Conflict(_("This poll is not open for voting."))
    stored = _checked_choices(poll, _options(session, poll), choices)
    ballot = session.exec(
        select(PollBallot).where(PollBallot.poll_id == poll.id, PollBallot.juror_id == juror.id)
    ).first()
    ballot = ballot or PollBallot(poll_id=poll.id, juror_id=juror.id)
    # The juror's own answer replaces one a facilitator entered for them from the room.
    ballot.choices, ballot.entered_by_id, ballot.cast_at = json.dumps(stored, sort_keys=True), None, utcnow()
    session.add(ballot)
    session.flush()
    _record(session, "jury.poll_ballot_cast", poll, jury, actor)
    session.commit()
    return ballot


@dataclass
class OptionResult:
    option: PollOption
    mean_pence: int = 0
    proportional_pence: int = 0
    approvals: int = 0
    first_choices: int = 0
    points: int = 0


@dataclass
class PollResult:
    poll: StrawPoll
    round: Round
    meeting: JurySession
    ballots: int
    rows: list[OptionResult]


def poll_result(session: Session, poll: StrawPoll) -> PollResult:
    """Count a poll: mean and proportional (Independent Markets) allocations, approvals, or rank points."""
    options = _options(session, poll)
    ballots = [
        json.loads(b.choices) for b in session.exec(select(PollBallot).where(PollBallot.poll_id == poll.id)).all()
    ]
    rows = {str(o.id): OptionResult(o) for o in options}
    if ballots and poll.kind == ALLOCATION_POLL:
        keys = list(rows)
        as_pounds = [{k: to_pounds(v) for k, v in b.items()} for b in ballots]
        bounds = {str(o.id): (to_pounds(o.low_pence), to_pounds(o.high_pence)) for o in options}
        mean = mean_allocation(keys, as_pounds)
        try:
            fair = independent_markets(keys, as_pounds, to_pounds(poll.total_pence), bounds)
        except CoreError:  # pragma: no cover - totals are whole pence by construction
            fair = mean
        for key in keys:
            rows[key].mean_pence = round(mean[key] * 100)
            rows[key].proportional_pence = round(fair[key] * 100)
    elif poll.kind == APPROVAL_POLL:
        for key, count in Counter(k for b in ballots for k in b).items():
            if key in rows:
                rows[key].approvals = count
    else:
        # A Borda-style count over each juror's top choices: first gets as many points as there are ranks.
        ranks = poll.max_choices or len(options)
        for ballot in ballots:
            for place, key in enumerate(ballot):
                if key in rows:
                    rows[key].points += ranks - place
                    rows[key].first_choices += place == 0
    the_round = session.get(Round, poll.round_id)
    return PollResult(
        poll, the_round, session.get(JurySession, the_round.session_id), len(ballots), list(rows.values())
    )


@dataclass
class Series:
    label: str
    css: str
    points: str
    values: list[int]


@dataclass
class MovementChart:
    """How the jury's mean allocation to each budget line moved from poll to poll (an inline SVG)."""

    width: int
    height: int
    columns: list[tuple[int, str]]
    series: list[Series]
    top_pence: int
    baseline: int = 0
    gridlines: list[tuple[int, str]] = field(default_factory=list)


def movement_chart(results: list[PollResult], width: int = 640, height: int = 300) -> MovementChart | None:
    """Lay out the mean allocation per budget line across closed allocation polls, oldest first."""
    polls = [r for r in results if r.poll.kind == ALLOCATION_POLL and r.ballots]
    if len(polls) < 2:
        return None
    labels: dict[str, str] = {}
    values: dict[str, list[int | None]] = {}
    for n, result in enumerate(polls):
        for row in result.rows:
            key = str(row.option.budget_line_id or row.option.label)
            labels.setdefault(key, in_language(row.option, "label"))
            values.setdefault(key, [None] * len(polls))[n] = row.mean_pence
    top = max(v for vs in values.values() for v in vs if v is not None) or 1
    left, right, upper, lower = 70, 20, 20, 40
    step = (width - left - right) / (len(polls) - 1)
    baseline = height - lower

    def y(pence: int) -> int:
        return round(baseline - (height - upper - lower) * pence / top)

    series = []
    for n, (key, vs) in enumerate(values.items()):
        points = " ".join(f"{round(left + i * step)},{y(v)}" for i, v in enumerate(vs) if v is not None)
        series.append(Series(labels[key], f"app-series-{n % 6}", points, [v or 0 for v in vs]))
    columns = [(round(left + i * step), r.meeting.title) for i, r in enumerate(polls)]
    grid = [(y(top * k // 4), f"£{top * k // 400:,}") for k in range(5)]
    return MovementChart(width, height, columns, series, top, baseline, grid)


# Recommendations


def _latest(session: Session, rec: Recommendation) -> RecommendationVersion:
    return session.exec(
        select(RecommendationVersion)
        .where(RecommendationVersion.recommendation_id == rec.id)
        .order_by(RecommendationVersion.version.desc())
    ).first()


def _member_jury(session: Session, council: Council, jury_id: int, actor) -> tuple[Council, Jury]:
    the_council, jury = _jury(session, council, jury_id)
    if not is_staff(session, jury, actor):
        require_juror(session, jury, actor)
    return the_council, jury


def _checked_lines(session: Session, jury: Jury, lines: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
    lines = [(int(line_id), int(pence)) for line_id, pence in (lines or [])]
    known = {line.id for line in ledger.budget_lines(session, jury.council_id)}
    if any(line_id not in known for line_id, _pence in lines):
        raise Invalid(_("Choose budget lines from the council's budget"), field="lines")
    if len({line_id for line_id, _pence in lines}) != len(lines):
        raise Invalid(_("Each budget line can appear only once; put its whole change on one row"), field="lines")
    return lines


def _add_version(
    session: Session,
    rec: Recommendation,
    actor,
    *,
    version: int,
    title: str,
    text: str,
    lines: list[tuple[int, int]],
    note: str,
    welsh: dict[str, str] | None = None,
) -> RecommendationVersion:
    item = RecommendationVersion(
        recommendation_id=rec.id,
        version=version,
        title=_text(title, 200, "title", _("Enter a short title")),
        text=_text(text, 20_000, "text", _("Enter the recommendation")),
        note=note,
        author_id=actor.id,
    )
    set_welsh(item, welsh)
    session.add(item)
    session.flush()
    session.add_all(
        [
            RecommendationLine(version_id=item.id, position=n, budget_line_id=line_id, change_pence=pence)
            for n, (line_id, pence) in enumerate(lines)
        ]
    )
    session.flush()
    return item


def draft_recommendation(
    session: Session,
    council: Council,
    jury_id: int,
    actor,
    *,
    title: str,
    text: str,
    lines: list[tuple[int, int]] | None,
    threshold_percent: int,
    note: str = "",
    welsh: dict[str, str] | None = None,
) -> Recommendation:
    """Start a recommendation (version 1) with its budget lines and the support it needs, set before anyone votes."""
    _council, jury = _member_jury(session, council, jury_id, actor)
    if not 50 <= threshold_percent <= 100:
        raise Invalid(_("Set the support needed between 50% and 100%"), field="threshold_percent")
    lines = _checked_lines(session, jury, lines)
    number = (
        session.exec(select(func.max(Recommendation.number)).where(Recommendation.jury_id == jury.id)).one() or 0
    ) + 1
    rec = Recommendation(jury_id=jury.id, number=number, threshold_percent=threshold_percent)
    session.add(rec)
    session.flush()
    _add_version(
        session,
        rec,
        actor,
        version=1,
        title=title,
        text=text,
        lines=lines,
        note=(note or "").strip()[:300] or _("First draft"),
        welsh=welsh,
    )
    _record(
        session,
        "jury.recommendation_drafted",
        rec,
        jury,
        actor,
        threshold_percent=threshold_percent,
        lines=[[line_id, pence] for line_id, pence in lines],
    )
    session.commit()
    return rec


def revise_recommendation(
    session: Session,
    council: Council,
    jury_id: int,
    recommendation_id: int,
    actor,
    *,
    title: str,
    text: str,
    lines: list[tuple[int, int]] | None,
    note: str,
    welsh: dict[str, str] | None = None,
) -> RecommendationVersion:
    """Save a new version of a draft, keeping every earlier one and saying what changed."""
    _council, jury = _member_jury(session, council, jury_id, actor)
    rec = _owned(session, Recommendation, recommendation_id, jury, _("recommendation"))
    if rec.status != REC_DRAFT:
        raise Conflict(_("The vote has started, so the wording can no longer change."))
    lines = _checked_lines(session, jury, lines)
    version = _add_version(
        session,
        rec,
        actor,
        version=_latest(session, rec).version + 1,
        title=title,
        text=text,
        lines=lines,
        note=_text(note, 300, "note", _("Say what you changed and why")),
        welsh=welsh,
    )
    _record(
        session,
        "jury.recommendation_revised",
        rec,
        jury,
        actor,
        version=version.version,
        lines=[[line_id, pence] for line_id, pence in lines],
    )
    session.commit()
    return version


def version_lines(session: Session, version_ids: list[int]) -> dict[int, list[RecommendationLine]]:
    """The budget lines of each version, in the order the jurors wrote them."""
    found: dict[int, list[RecommendationLine]] = {version_id: [] for version_id in version_ids}
    if version_ids:
        for line in session.exec(
            select(RecommendationLine)
            .where(RecommendationLine.version_id.in_(version_ids))
            .order_by(RecommendationLine.position, RecommendationLine.id)
        ).all():
            found[line.version_id].append(line)
    return found


@dataclass
class LineDiff:
    """How one budget line's proposed change moved between two versions (None: not linked in that version)."""

    name: str
    before: int | None
    after: int | None

    @property
    def op(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "same" if self.before == self.after else "changed"


def line_diff(
    before: list[RecommendationLine], after: list[RecommendationLine], names: dict[int, str]
) -> list[LineDiff]:
    """Lines added, removed or changed in amount from one version to the next."""
    old = {line.budget_line_id: line.change_pence for line in before}
    new = {line.budget_line_id: line.change_pence for line in after}
    order = [line.budget_line_id for line in after] + [
        line.budget_line_id for line in before if line.budget_line_id not in new
    ]
    return [LineDiff(_line_name(names, line_id), old.get(line_id), new.get(line_id)) for line_id in order]


@dataclass
class Segment:
    op: str  # "same", "added" or "removed"
    text: str


def word_diff(before: str, after: str) -> list[Segment]:
    """Words added and removed between two wordings, for showing who changed what."""
    a, b = before.split(), after.split()
    segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            segments.append(Segment("removed", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(Segment("added", " ".join(b[j1:j2])))
        if op == "equal":
            segments.append(Segment("same", " ".join(a[i1:i2])))
    return segments


@dataclass
class RecommendationView:
    council: Council
    jury: Jury
    rec: Recommendation
    versions: list[tuple[RecommendationVersion, str]]
    latest: RecommendationVersion
    line_names: dict[int, str]
    diff: list[Segment]
    compared: tuple[int, int] | None
    staff: bool
    is_juror: bool
    my_vote: str | None
    room: list[RoomVoter] = field(default_factory=list)
    lines: dict[int, list[RecommendationLine]] = field(default_factory=dict)
    lines_diff: list[LineDiff] = field(default_factory=list)

    @property
    def latest_lines(self) -> list[RecommendationLine]:
        return self.lines.get(self.latest.id, [])

    def total(self, version: RecommendationVersion) -> int:
        return sum(line.change_pence for line in self.lines.get(version.id, []))

    def named_lines(self, version: RecommendationVersion) -> list[tuple[str, int]]:
        return [
            (_line_name(self.line_names, line.budget_line_id), line.change_pence)
            for line in self.lines.get(version.id, [])
        ]


def recommendation_detail(
    session: Session,
    council: Council,
    jury_id: int,
    recommendation_id: int,
    actor,
    compare: tuple[int, int] | None = None,
) -> RecommendationView:
    """A recommendation with every version, who wrote it and a word diff between two versions."""
    the_council, jury = _member_jury(session, council, jury_id, actor)
    rec = _owned(session, Recommendation, recommendation_id, jury, _("recommendation"))
    rows = session.exec(
        select(RecommendationVersion, User.name)
        .join(User, User.id == RecommendationVersion.author_id, isouter=True)
        .where(RecommendationVersion.recommendation_id == rec.id)
        .order_by(RecommendationVersion.version)
    ).all()
    versions = [(v, name or "") for v, name in rows]
    by_number = {v.version: v for v, _author in versions}
    latest = versions[-1][0]
    if compare is None or not set(compare) <= set(by_number):
        compare = (latest.version - 1, latest.version) if latest.version > 1 else None
    diff = word_diff(by_number[compare[0]].text, by_number[compare[1]].text) if compare else []
    lines = version_lines(session, [v.id for v, _author in versions])
    names = _line_names(session, jury)
    lines_diff = line_diff(lines[by_number[compare[0]].id], lines[by_number[compare[1]].id], names) if compare else []
    juror = juror_of(session, jury, actor)
    vote = (
        session.exec(
            select(RecommendationVote).where(
                RecommendationVote.recommendation_id == rec.id, RecommendationVote.juror_id == juror.id
            )
        ).first()
        if juror
        else None
    )
    staff = is_staff(session, jury, actor)
    room = room_voters(session, jury, rec) if staff and rec.status == REC_VOTING else []
    return RecommendationView(
        the_council,
        jury,
        rec,
        versions,
        latest,
        names,
        diff,
        compare,
        staff,
        juror is not None,
        vote.choice if vote else None,
        room,
        lines,
        lines_diff,
    )


def _line_name(names: dict[int, str], line_id: int) -> str:
    # A line from an older budget book keeps its id but is no longer in the current book's names.
    return names.get(line_id) or _("Budget line %(id)s (no longer in the current budget)", id=line_id)


def _line_names(session: Session, jury: Jury) -> dict[int, str]:
    return {line.id: in_language(line, "name") for line in ledger.budget_lines(session, jury.council_id)}


def open_recommendation_vote(
    session: Session, council: Council, jury_id: int, recommendation_id: int, actor
) -> Recommendation:
    """Freeze the wording and open the final vote (the threshold was fixed when the draft began)."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    rec = _owned(session, Recommendation, recommendation_id, jury, _("recommendation"))
    if rec.status != REC_DRAFT:
        raise Conflict(_("The vote on this recommendation has already started."))
    rec.status, rec.vote_opened_at = REC_VOTING, utcnow()
    session.add(rec)
    _record(
        session,
        "jury.recommendation_vote_opened",
        rec,
        jury,
        actor,
        version=_latest(session, rec).version,
        threshold_percent=rec.threshold_percent,
    )
    session.commit()
    return rec


def vote_on_recommendation(
    session: Session, council: Council, jury_id: int, recommendation_id: int, actor, choice: str
) -> RecommendationVote:
    """A juror supports, opposes or abstains on a recommendation while its vote is open (changeable)."""
    _council, jury = _jury(session, council, jury_id)
    juror = require_juror(session, jury, actor)
    rec = _owned(session, Recommendation, recommendation_id, jury, _("recommendation"))
    if rec.status != REC_VOTING:
        raise Conflict(_("The vote on this recommendation is not open."))
    if choice not in VOTE_CHOICES:
        raise Invalid(_("Choose support, oppose or abstain"), field="choice")
    vote = session.exec(
        select(RecommendationVote).where(
            RecommendationVote.recommendation_id == rec.id, RecommendationVote.juror_id == juror.id
        )
    ).first()
    vote = vote or RecommendationVote(recommendation_id=rec.id, juror_id=juror.id, choice=choice)
    # The juror's own vote replaces one a facilitator entered for them from the room.
    vote.choice, vote.entered_by_id, vote.cast_at = choice, None, utcnow()
    session.add(vote)
    session.flush()
    _record(session, "jury.recommendation_vote_cast", rec, jury, actor)
    session.commit()
    return vote


def close_recommendation_vote(
    session: Session, council: Council, jury_id: int, recommendation_id: int, actor, *, public_url: str
) -> Recommendation:
    """Count the final vote; an adopted recommendation goes to the council's budget-setting record."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    rec = _owned(session, Recommendation, recommendation_id, jury, _("recommendation"))
    if rec.status != REC_VOTING:
        raise Conflict(_("The vote on this recommendation is not open."))
    count = count_votes(
        session.exec(select(RecommendationVote.choice).where(RecommendationVote.recommendation_id == rec.id)).all(),
        rec.threshold_percent,
    )
    rec.support_count, rec.oppose_count, rec.abstain_count = count.support, count.oppose, count.abstain
    cast, adopted = count.cast, count.adopted
    rec.status, rec.decided_at = (REC_ADOPTED if adopted else REC_NOT_ADOPTED), utcnow()
    session.add(rec)
    if adopted:
        latest = _latest(session, rec)
        lines = [(line.budget_line_id, line.change_pence) for line in version_lines(session, [latest.id])[latest.id]]
        item = ledger.receive_item(
            session,
            council_id=jury.council_id,
            source="jury_recommendation",
            source_ref=f"jury:{jury.id}:recommendation:{rec.id}",
            title=latest.title,
            title_cy=latest.title_cy,
            summary=_(
                "Adopted by the citizens' jury: %(support)d of %(cast)d jurors voting supported it "
                "(%(threshold)d%% needed). %(text)s",
                support=rec.support_count,
                cast=cast,
                threshold=rec.threshold_percent,
                text=latest.text,
            )[:2000],
            public_url=public_url,
            amount_pence=sum(pence for _line, pence in lines) if lines else None,
            budget_line_id=lines[0][0] if len(lines) == 1 else None,
            lines=lines,
            decided_at=rec.decided_at,
        )
        rec.record_item_id = item.id
    _record(
        session,
        "jury.recommendation_decided",
        rec,
        jury,
        actor,
        adopted=adopted,
        support=rec.support_count,
        oppose=rec.oppose_count,
        abstain=rec.abstain_count,
        threshold_percent=rec.threshold_percent,
    )
    session.commit()
    return rec


# Pages


@dataclass
class RecommendationRow:
    rec: Recommendation
    latest: RecommendationVersion
    lines: list[tuple[str, int]]
    room_votes: int = 0  # votes cast in the room and entered by a facilitator

    @property
    def total_pence(self) -> int:
        return sum(pence for _name, pence in self.lines)

    @property
    def cast(self) -> int:
        return self.rec.support_count + self.rec.oppose_count + self.rec.abstain_count


def _recommendations(session: Session, jury: Jury, *, drafts: bool = True) -> list[RecommendationRow]:
    names = _line_names(session, jury)
    query = select(Recommendation).where(Recommendation.jury_id == jury.id).order_by(Recommendation.number)
    if not drafts:
        query = query.where(Recommendation.status.in_((REC_ADOPTED, REC_NOT_ADOPTED)))
    latest = [(rec, _latest(session, rec)) for rec in session.exec(query).all()]
    lines = version_lines(session, [version.id for _rec, version in latest])
    room = dict(
        session.exec(
            select(RecommendationVote.recommendation_id, func.count())
            .join(Recommendation, Recommendation.id == RecommendationVote.recommendation_id)
            .where(Recommendation.jury_id == jury.id, RecommendationVote.entered_by_id.is_not(None))
            .group_by(RecommendationVote.recommendation_id)
        ).all()
    )
    return [
        RecommendationRow(
            rec,
            version,
            [(_line_name(names, line.budget_line_id), line.change_pence) for line in lines[version.id]],
            room.get(rec.id, 0),
        )
        for rec, version in latest
    ]


def _published_evidence(session: Session, jury: Jury) -> list[Evidence]:
    return list(
        session.exec(
            select(Evidence)
            .where(Evidence.jury_id == jury.id, Evidence.published_at.is_not(None))
            .order_by(Evidence.published_at, Evidence.id)
        ).all()
    )


def _published_questions(session: Session, jury: Jury) -> list[Question]:
    return list(
        session.exec(
            select(Question)
            .where(Question.jury_id == jury.id, Question.published_at.is_not(None))
            .order_by(Question.id)
        ).all()
    )


def _witnesses(session: Session, jury: Jury) -> list[Witness]:
    return list(session.exec(select(Witness).where(Witness.jury_id == jury.id).order_by(Witness.id)).all())


def _polls(session: Session, jury: Jury, statuses: tuple[str, ...]) -> list[StrawPoll]:
    return list(
        session.exec(
            select(StrawPoll)
            .where(StrawPoll.jury_id == jury.id, StrawPoll.status.in_(statuses))
            .order_by(StrawPoll.round_id, StrawPoll.id)
        ).all()
    )


def _results(session: Session, jury: Jury) -> list[PollResult]:
    results = [poll_result(session, poll) for poll in _polls(session, jury, (POLL_CLOSED,))]
    return sorted(results, key=lambda r: (r.meeting.held_on, r.poll.id))


@dataclass
class Balance:
    """How many witnesses put each view and who asked for them, so the balance of evidence shows."""

    by_stance: dict[str, int]
    by_asker: dict[str, int]


def balance(witnesses: list[Witness]) -> Balance:
    stance, asker = Counter(w.stance for w in witnesses), Counter(w.asked_by for w in witnesses)
    return Balance({s: stance[s] for s in STANCES}, {a: asker[a] for a in ASKERS})


@dataclass
class DashboardView:
    council: Council
    jury: Jury
    rounds: list[tuple[Round, JurySession]]
    evidence: list[Evidence]
    witnesses: list[Witness]
    balance: Balance
    questions: list[Question]
    requests: list[EvidenceRequest]
    polls: list[StrawPoll]
    results: list[PollResult]
    chart: MovementChart | None
    recommendations: list[RecommendationRow]
    linked_jurors: int


def dashboard(session: Session, council: Council, jury_id: int, actor) -> DashboardView:
    """Everything the facilitator runs in one place."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    evidence = list(session.exec(select(Evidence).where(Evidence.jury_id == jury.id).order_by(Evidence.id)).all())
    questions = list(session.exec(select(Question).where(Question.jury_id == jury.id).order_by(Question.id)).all())
    requests = list(
        session.exec(
            select(EvidenceRequest).where(EvidenceRequest.jury_id == jury.id).order_by(EvidenceRequest.id)
        ).all()
    )
    witnesses = _witnesses(session, jury)
    results = _results(session, jury)
    linked = session.exec(
        select(func.count())
        .select_from(JurorAccount)
        .join(Juror, Juror.id == JurorAccount.juror_id)
        .where(Juror.jury_id == jury.id)
    ).one()
    return DashboardView(
        the_council,
        jury,
        rounds_of(session, jury),
        evidence,
        witnesses,
        balance(witnesses),
        questions,
        requests,
        _polls(session, jury, (POLL_DRAFT, POLL_OPEN, POLL_CLOSED)),
        results,
        movement_chart(results),
        _recommendations(session, jury),
        linked,
    )


@dataclass
class PortalView:
    council: Council
    jury: Jury
    juror: Juror
    account: JurorAccount
    schedule: list[tuple[Round, JurySession, bool | None]]
    evidence: list[Evidence]
    witnesses: list[Witness]
    my_questions: list[Question]
    answers: list[Question]
    my_requests: list[EvidenceRequest]
    open_polls: list[tuple[StrawPoll, bool]]
    results: list[PollResult]
    chart: MovementChart | None
    recommendations: list[tuple[RecommendationRow, str | None]]
    today: date


def portal(session: Session, council: Council, jury_id: int, actor) -> PortalView:
    """A juror's own page: schedule, evidence, questions, polls and drafts."""
    the_council, jury = _jury(session, council, jury_id)
    juror = require_juror(session, jury, actor)
    account = session.exec(select(JurorAccount).where(JurorAccount.juror_id == juror.id)).one()
    came = {
        a.session_id: a.present for a in session.exec(select(Attendance).where(Attendance.juror_id == juror.id)).all()
    }
    schedule = [(r, m, came.get(m.id)) for r, m in rounds_of(session, jury)]

    def mine(model):
        return list(session.exec(select(model).where(model.juror_id == juror.id).order_by(model.id)).all())

    voted_polls = set(session.exec(select(PollBallot.poll_id).where(PollBallot.juror_id == juror.id)).all())
    votes = {v.recommendation_id: v.choice for v in mine(RecommendationVote)}
    results = _results(session, jury)
    return PortalView(
        the_council,
        jury,
        juror,
        account,
        schedule,
        _published_evidence(session, jury),
        _witnesses(session, jury),
        [q for q in mine(Question) if q.jury_id == jury.id],
        _published_questions(session, jury),
        [r for r in mine(EvidenceRequest) if r.jury_id == jury.id],
        [(p, p.id in voted_polls) for p in _polls(session, jury, (POLL_OPEN,))],
        results,
        movement_chart(results),
        [(row, votes.get(row.rec.id)) for row in _recommendations(session, jury)],
        in_uk(utcnow()).date(),
    )


def set_name_consent(session: Session, council: Council, jury_id: int, actor, consent: bool) -> JurorAccount:
    """A juror chooses whether their name appears on the public jury page."""
    _council, jury = _jury(session, council, jury_id)
    juror = require_juror(session, jury, actor)
    account = session.exec(select(JurorAccount).where(JurorAccount.juror_id == juror.id)).one()
    account.name_consent = consent
    session.add(account)
    _record(session, "jury.name_consent_set", account, jury, actor, consent=consent)
    session.commit()
    return account


@dataclass
class PublicView:
    council: Council
    jury: Jury
    rounds: list[tuple[Round, JurySession]]
    evidence: list[Evidence]
    witnesses: list[Witness]
    balance: Balance
    answers: list[Question]
    results: list[PollResult]
    chart: MovementChart | None
    decided: list[RecommendationRow]
    drafting: int
    named_jurors: list[str]
    responses: dict = field(default_factory=dict)  # recommendation id -> the register's ItemView


def public_page(session: Session, council: Council, jury_id: int) -> PublicView:
    """What the public may read: remit, selection, evidence, answers, polls, decided recommendations."""
    the_council, jury = _jury(session, council, jury_id)
    witnesses = _witnesses(session, jury)
    results = _results(session, jury)
    recs = _recommendations(session, jury)
    names = session.exec(
        select(User.name)
        .join(JurorAccount, JurorAccount.user_id == User.id)
        .join(Juror, Juror.id == JurorAccount.juror_id)
        .where(Juror.jury_id == jury.id, Juror.status == CONFIRMED, JurorAccount.name_consent)
        .order_by(User.name)
    ).all()
    return PublicView(
        the_council,
        jury,
        rounds_of(session, jury),
        _published_evidence(session, jury),
        witnesses,
        balance(witnesses),
        _published_questions(session, jury),
        results,
        movement_chart(results),
        [r for r in recs if r.rec.status in (REC_ADOPTED, REC_NOT_ADOPTED)],
        sum(1 for r in recs if r.rec.status in (REC_DRAFT, REC_VOTING)),
        list(names),
        _responses(session, the_council, recs),
    )


def _responses(session: Session, council: Council, recs: list[RecommendationRow]) -> dict:
    """The council's response to each adopted recommendation, from the register it was sent to."""
    found = ledger.items_by_id(session, council.id, [r.rec.record_item_id for r in recs if r.rec.record_item_id])
    return {r.rec.id: found[r.rec.record_item_id] for r in recs if r.rec.record_item_id in found}


@dataclass
class AccountsView:
    council: Council
    jury: Jury
    rows: list[tuple[Juror, str, str]]


def juror_accounts(session: Session, council: Council, jury_id: int, actor) -> AccountsView:
    """Confirmed jurors and the account each signs in with (staff only: holds names and emails)."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    emails = dict(
        session.exec(
            select(JurorAccount.juror_id, User.email)
            .join(User, User.id == JurorAccount.user_id)
            .join(Juror, Juror.id == JurorAccount.juror_id)
            .where(Juror.jury_id == jury.id)
        ).all()
    )
    return AccountsView(
        the_council, jury, [(j, name, emails.get(j.id, "")) for j, name in confirmed_jurors(session, jury)]
    )


def link_juror_account(
    session: Session, council: Council, jury_id: int, actor, *, juror_id: int, email: str
) -> JurorAccount:
    """Give a confirmed juror portal access through the account with this email address."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    juror = session.get(Juror, juror_id)
    if juror is None or juror.jury_id != jury.id or juror.status != CONFIRMED:
        raise Invalid(_("Choose a confirmed member of this jury"), field="juror_id")
    user = session.exec(select(User).where(User.email == (email or "").strip().lower())).first()
    if user is None:
        raise Invalid(
            _("There is no account with that email address; ask the juror to create one first"), field="email"
        )
    account = session.exec(select(JurorAccount).where(JurorAccount.juror_id == juror.id)).first()
    account = account or JurorAccount(juror_id=juror.id, user_id=user.id)
    account.user_id = user.id
    session.add(account)
    session.flush()
    _record(session, "jury.juror_account_linked", account, jury, actor, juror_id=juror.id)
    session.commit()
    return account


def budget_line_choices(session: Session, council: Council) -> list[tuple[int, str]]:
    """The council's current budget lines, for forms."""
    return [(line.id, line.name) for line in ledger.budget_lines(session, council.id)]


def member_home(session: Session, council: Council, jury_id: int, actor) -> tuple[Council, Jury, bool]:
    """The jury for someone drafting (a juror or staff), and whether they run it (for the way back)."""
    the_council, jury = _member_jury(session, council, jury_id, actor)
    return the_council, jury, is_staff(session, jury, actor)


def require_juror_of(session: Session, council: Council, jury_id: int, actor) -> Juror:
    """The acting juror of this jury, or NotAllowed (checked before reading a juror's form)."""
    _council, jury = _jury(session, council, jury_id)
    return require_juror(session, jury, actor)


def open_deliberations(session: Session, council: Council) -> list[Jury]:
    """The council's juries that have published evidence or recommendations (for the home page)."""
    published = select(Evidence.jury_id).where(Evidence.published_at.is_not(None))
    decided = select(Recommendation.jury_id).where(Recommendation.status.in_((REC_ADOPTED, REC_NOT_ADOPTED)))
    return list(
        session.exec(
            select(Jury)
            .where(Jury.council_id == council.id, Jury.id.in_(published.union(decided)))
            .order_by(Jury.starts_on.desc())
        ).all()
    )


@dataclass
class RoomVoter:
    """A confirmed juror and their vote so far: cast by themselves, entered by a facilitator, or none."""

    juror: Juror
    name: str
    choice: str | None
    entered_by: str | None  # the name of whoever entered it from the room; None when the juror cast it

    @property
    def own(self) -> bool:
        return self.choice is not None and self.entered_by is None


def _entered_by_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def record_room_votes(
    session: Session, council: Council, jury_id: int, recommendation_id: int, actor, choices: dict[int, str]
) -> tuple[int, int]:
    """Enter, correct or clear votes cast in the room, marked with who entered them; never a juror's own vote.

    An empty choice clears a vote entered from the room (one entered for the wrong juror, say).
    Returns how many votes were entered or changed, and how many were cleared.
    """
    _council, jury = _staff_jury(session, council, jury_id, actor)
    rec = _owned(session, Recommendation, recommendation_id, jury, _("recommendation"))
    if rec.status != REC_VOTING:
        raise Conflict(_("The vote on this recommendation is not open."))
    seated = {juror.id for juror, _name in confirmed_jurors(session, jury)}
    votes = {
        v.juror_id: v
        for v in session.exec(select(RecommendationVote).where(RecommendationVote.recommendation_id == rec.id)).all()
    }
    entered, cleared = [], []
    for juror_id, choice in sorted(choices.items()):
        vote = votes.get(juror_id)
        if juror_id not in seated or (vote is not None and vote.entered_by_id is None):
            continue
        if choice == "" and vote is not None:
            session.delete(vote)
            cleared.append(juror_id)
            continue
        if choice not in VOTE_CHOICES:
            continue
        if vote is not None and vote.choice == choice:
            continue
        vote = vote or RecommendationVote(recommendation_id=rec.id, juror_id=juror_id, choice=choice)
        vote.choice, vote.entered_by_id, vote.cast_at = choice, actor.id, utcnow()
        session.add(vote)
        entered.append(juror_id)
    session.flush()
    _record(
        session,
        "jury.room_votes_entered",
        rec,
        jury,
        actor,
        entered=len(entered),
        juror_ids=entered,
        cleared=len(cleared),
        cleared_juror_ids=cleared,
    )
    session.commit()
    return len(entered), len(cleared)


def room_voters(session: Session, jury: Jury, rec: Recommendation) -> list[RoomVoter]:
    """Confirmed jurors with their vote so far and who entered it, for the facilitator entering votes from the room."""
    votes = {
        v.juror_id: v
        for v in session.exec(select(RecommendationVote).where(RecommendationVote.recommendation_id == rec.id)).all()
    }
    names = _entered_by_names(session, {v.entered_by_id for v in votes.values()})
    rows = []
    for juror, name in confirmed_jurors(session, jury):
        vote = votes.get(juror.id)
        entered_by = names.get(vote.entered_by_id, _("a facilitator")) if vote and vote.entered_by_id else None
        rows.append(RoomVoter(juror, name, vote.choice if vote else None, entered_by))
    return rows


@dataclass
class PollRoomView:
    council: Council
    jury: Jury
    poll: StrawPoll
    round: Round
    voters: list[RoomVoter]


def poll_room(session: Session, council: Council, jury_id: int, poll_id: int, actor) -> PollRoomView:
    """Who has answered a straw poll, and how (online or entered from the room), for the facilitator."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    poll = _owned(session, StrawPoll, poll_id, jury, _("poll"))
    ballots = {b.juror_id: b for b in session.exec(select(PollBallot).where(PollBallot.poll_id == poll.id)).all()}
    names = _entered_by_names(session, {b.entered_by_id for b in ballots.values()})
    voters = []
    for juror, name in confirmed_jurors(session, jury):
        ballot = ballots.get(juror.id)
        entered_by = names.get(ballot.entered_by_id, _("a facilitator")) if ballot and ballot.entered_by_id else None
        voters.append(RoomVoter(juror, name, "answered" if ballot else None, entered_by))
    return PollRoomView(the_council, jury, poll, session.get(Round, poll.round_id), voters)


def _room_juror(session: Session, jury: Jury, juror_id: int) -> tuple[Juror, str]:
    for juror, name in confirmed_jurors(session, jury):
        if juror.id == juror_id:
            return juror, name
    raise NotFound(_("There is no such juror in this jury."))


def room_ballot_for_juror(
    session: Session, council: Council, jury_id: int, poll_id: int, juror_id: int, actor
) -> tuple[PollBallotView, str, bool]:
    """A juror's straw-poll ballot for the facilitator to fill in, their name, and whether they answered online."""
    the_council, jury = _staff_jury(session, council, jury_id, actor)
    poll = _owned(session, StrawPoll, poll_id, jury, _("poll"))
    juror, name = _room_juror(session, jury, juror_id)
    ballot = session.exec(
        select(PollBallot).where(PollBallot.poll_id == poll.id, PollBallot.juror_id == juror.id)
    ).first()
    mine = json.loads(ballot.choices) if ballot else None
    view = PollBallotView(the_council, jury, poll, _options(session, poll), mine)
    return view, name, ballot is not None and ballot.entered_by_id is None


def enter_room_ballot(
    session: Session,
    council: Council,
    jury_id: int,
    poll_id: int,
    juror_id: int,
    actor,
    choices: dict[int, int] | list[int],
) -> PollBallot:
    """Record a straw-poll ballot a juror gave in the room (on paper or by hand), marked as entered by this person."""
    _council, jury = _staff_jury(session, council, jury_id, actor)
    poll = _owned(session, StrawPoll, poll_id, jury, _("poll"))
    juror, _name = _room_juror(session, jury, juror_id)
    if poll.status != POLL_OPEN:
        raise Conflict(_("This poll is not open for voting."))
    stored = _checked_choices(poll, _options(session, poll), choices)
    ballot = session.exec(
        select(PollBallot).where(PollBallot.poll_id == poll.id, PollBallot.juror_id == juror.id)
    ).first()
    if ballot is not None and ballot.entered_by_id is None:
        raise Conflict(_("This juror has answered online themselves; their own answer stands."))
    ballot = ballot or PollBallot(poll_id=poll.id, juror_id=juror.id)
    ballot.choices, ballot.entered_by_id, ballot.cast_at = json.dumps(stored, sort_keys=True), actor.id, utcnow()
    session.add(ballot)
    session.flush()
    _record(session, "jury.poll_ballot_entered", poll, jury, actor, juror_id=juror.id)
    session.commit()
    return ballot
