"""Use cases of the committee's inquiries: opening one, the call for evidence, sessions, the report, the
recommendations to each body and the bodies' responses; the place-wide scrutiny view; resident members by sortition."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.core.sortition import InfeasibleError, Person, Pool, Quota, input_hash, select as draw_panel
from pbapp.councils.models import Area, Council
from pbapp.councils.services import get_council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.places.committee import _must_be_verified, _petition, committee_of
from pbapp.places.models import (
    ACCEPTED_AS_INQUIRY,
    EVIDENCE_STATES,
    OPEN,
    PENDING,
    PUBLISHED,
    REPORTED,
    RESIDENT_MEMBER,
    RESPONSE_OUTCOMES,
    RESPONSE_REJECTED,
    BodyResponse,
    Committee,
    CommitteeMember,
    CommitteeVolunteer,
    Inquiry,
    InquiryEvidence,
    InquirySession,
    OutcomeArea,
    Petition,
    PetitionSignature,
    Place,
    PublicBody,
    Recommendation,
)
from pbapp.places.services import _place
from pbapp.timeutil import utcnow


def _inquiry(session: Session, place: Place, inquiry_id: int) -> Inquiry:
    found = session.get(Inquiry, inquiry_id)
    if found is None or found.place_id != place.id:
        raise NotFound(_("There is no inquiry at this address."))
    return found


def _bodies_of(session: Session, place: Place) -> dict[int, PublicBody]:
    return {
        b.id: b
        for b in session.exec(select(PublicBody).where(PublicBody.place_id == place.id).order_by(PublicBody.name)).all()
    }


def body_choices(session: Session, council: str, place_id: int) -> list[tuple[str, str]]:
    place = _place(session, council, place_id)
    return [(str(b.id), b.name) for b in _bodies_of(session, place).values()]


def area_choices(session: Session, council: str, place_id: int) -> list[tuple[str, str]]:
    place = _place(session, council, place_id)
    return [
        (str(a.id), a.name)
        for a in session.exec(
            select(OutcomeArea).where(OutcomeArea.place_id == place.id).order_by(OutcomeArea.name)
        ).all()
    ]


def open_inquiry(
    session: Session,
    council: str,
    place_id: int,
    *,
    title: str,
    terms_of_reference: str,
    body_ids: list[int],
    area_id: int | None,
    evidence_closes: date | None,
    petition_id: int | None,
    actor_id: int | None,
    today: date | None = None,
) -> Inquiry:
    """Open an inquiry: from a petition the committee accepted (once per petition), or on its own initiative."""
    place = _place(session, council, place_id)
    today = today or utcnow().date()
    bodies = _bodies_of(session, place)
    if not body_ids or any(b not in bodies for b in body_ids):
        raise Invalid(_("Choose at least one public body the inquiry covers."), field="bodies")
    area = session.get(OutcomeArea, area_id) if area_id is not None else None
    if area_id is not None and (area is None or area.place_id != place.id):
        raise Invalid(_("Choose an outcome area of this place."), field="area_id")
    if evidence_closes is not None and evidence_closes < today:
        raise Invalid(_("The call for evidence cannot close before today."), field="evidence_closes")
    if petition_id is not None:
        petition = _petition(session, place, petition_id)
        if petition.decision != ACCEPTED_AS_INQUIRY:
            raise Conflict(_("Only a petition the committee has accepted can become an inquiry."))
        if session.exec(select(Inquiry).where(Inquiry.petition_id == petition.id)).first():
            raise Conflict(_("This petition already has its inquiry."))
    inquiry = Inquiry(
        place_id=place.id,
        petition_id=petition_id,
        title=title.strip(),
        terms_of_reference=terms_of_reference.strip(),
        bodies=",".join(str(b) for b in sorted(body_ids)),
        area_id=area_id,
        evidence_closes=evidence_closes,
        opened_on=today,
    )
    session.add(inquiry)
    session.flush()
    audit.record(
        session,
        "places.inquiry_opened",
        "place_inquiry",
        inquiry.id,
        council_id=place.council_id,
        actor_id=actor_id,
        petition_id=petition_id,
    )
    session.commit()
    return inquiry


def accepted_petition(session: Session, council: str, place_id: int, petition_id: int | None) -> Petition | None:
    """The accepted petition an officer is turning into an inquiry, if any (for the form's defaults)."""
    if petition_id is None:
        return None
    place = _place(session, council, place_id)
    petition = _petition(session, place, petition_id)
    return petition if petition.decision == ACCEPTED_AS_INQUIRY else None


def inquiry_of_petition(session: Session, petition_id: int) -> Inquiry | None:
    return session.exec(select(Inquiry).where(Inquiry.petition_id == petition_id)).first()


@dataclass
class RecommendationRow:
    recommendation: Recommendation
    body: PublicBody
    response: BodyResponse | None
    today: date

    @property
    def overdue(self) -> bool:
        return self.response is None and self.recommendation.response_due < self.today


@dataclass
class InquiryView:
    council: Council
    place: Place
    committee: Committee
    inquiry: Inquiry
    petition: Petition | None
    bodies: list[PublicBody]
    area: OutcomeArea | None
    evidence: list[InquiryEvidence]
    pending: list[InquiryEvidence]
    sessions: list[InquirySession]
    recommendations: list[RecommendationRow]
    today: date

    @property
    def evidence_open(self) -> bool:
        closes = self.inquiry.evidence_closes
        return self.inquiry.status == OPEN and (closes is None or closes >= self.today)


def _rows(session: Session, recommendations: list[Recommendation], today: date) -> list[RecommendationRow]:
    if not recommendations:
        return []
    responses = {
        r.recommendation_id: r
        for r in session.exec(
            select(BodyResponse).where(BodyResponse.recommendation_id.in_([r.id for r in recommendations]))
        ).all()
    }
    bodies = {
        b.id: b
        for b in session.exec(select(PublicBody).where(PublicBody.id.in_({r.body_id for r in recommendations}))).all()
    }
    return [RecommendationRow(r, bodies[r.body_id], responses.get(r.id), today) for r in recommendations]


def inquiry_detail(
    session: Session, council: str, place_id: int, inquiry_id: int, *, moderator: bool = False
) -> InquiryView:
    """An inquiry with its published evidence (and, for a moderator, what awaits moderation), its sessions, and its
    recommendations with each body's response."""
    place = _place(session, council, place_id)
    inquiry = _inquiry(session, place, inquiry_id)
    today = utcnow().date()
    bodies = _bodies_of(session, place)
    evidence = list(
        session.exec(
            select(InquiryEvidence)
            .where(InquiryEvidence.inquiry_id == inquiry.id)
            .order_by(InquiryEvidence.submitted_at, InquiryEvidence.id)
        ).all()
    )
    sessions = list(
        session.exec(
            select(InquirySession)
            .where(InquirySession.inquiry_id == inquiry.id)
            .order_by(InquirySession.held_on, InquirySession.id)
        ).all()
    )
    recommendations = list(
        session.exec(
            select(Recommendation)
            .where(Recommendation.inquiry_id == inquiry.id)
            .order_by(Recommendation.position, Recommendation.id)
        ).all()
    )
    return InquiryView(
        get_council(session, council),
        place,
        committee_of(session, place, create=False),
        inquiry,
        session.get(Petition, inquiry.petition_id) if inquiry.petition_id else None,
        [bodies[int(b)] for b in inquiry.bodies.split(",") if b and int(b) in bodies],
        session.get(OutcomeArea, inquiry.area_id) if inquiry.area_id else None,
        [e for e in evidence if e.state == PUBLISHED],
        [e for e in evidence if e.state == PENDING] if moderator else [],
        sessions,
        _rows(session, recommendations, today),
        today,
    )


def submit_evidence(
    session: Session,
    council: str,
    place_id: int,
    inquiry_id: int,
    *,
    author: str,
    organisation: str,
    text: str,
    user_id: int,
) -> InquiryEvidence:
    """A resident or an organisation's officer submits written evidence; it waits for moderation."""
    place = _place(session, council, place_id)
    inquiry = _inquiry(session, place, inquiry_id)
    closes = inquiry.evidence_closes
    if inquiry.status != OPEN or (closes is not None and closes < utcnow().date()):
        raise Conflict(_("The call for evidence for this inquiry has closed."))
    if not text.strip():
        raise Invalid(_("Enter your evidence."), field="text")
    evidence = InquiryEvidence(
        inquiry_id=inquiry.id,
        submitted_by_id=user_id,
        author=author.strip(),
        organisation=organisation.strip(),
        text=text.strip(),
    )
    session.add(evidence)
    session.flush()
    audit.record(
        session, "places.evidence_submitted", "place_inquiry_evidence", evidence.id, council_id=place.council_id
    )
    session.commit()
    return evidence


def moderate_evidence(
    session: Session,
    council: str,
    place_id: int,
    inquiry_id: int,
    evidence_id: int,
    *,
    state: str,
    note: str,
    actor_id: int | None,
) -> InquiryEvidence:
    """Publish evidence, or withhold it with a note saying why (the note is kept, not shown)."""
    place = _place(session, council, place_id)
    inquiry = _inquiry(session, place, inquiry_id)
    evidence = session.get(InquiryEvidence, evidence_id)
    if evidence is None or evidence.inquiry_id != inquiry.id:
        raise NotFound(_("There is no evidence at this address."))
    if state not in EVIDENCE_STATES or state == PENDING:
        raise Invalid(_("Choose whether to publish or withhold the evidence."), field="state")
    if state != PUBLISHED and not note.strip():
        raise Invalid(_("Say why the evidence is withheld."), field="note")
    evidence.state, evidence.moderation_note = state, note.strip()
    session.add(evidence)
    audit.record(
        session,
        "places.evidence_moderated",
        "place_inquiry_evidence",
        evidence.id,
        council_id=place.council_id,
        actor_id=actor_id,
        state=state,
    )
    session.commit()
    return evidence


def add_session(
    session: Session,
    council: str,
    place_id: int,
    inquiry_id: int,
    *,
    held_on: date,
    location: str,
    witnesses: str,
    minutes: str,
    actor_id: int | None,
) -> InquirySession:
    """Add an evidence session: its date and place, the witnesses (one a line) and, once held, its minutes."""
    place = _place(session, council, place_id)
    inquiry = _inquiry(session, place, inquiry_id)
    if held_on < inquiry.opened_on:
        raise Invalid(_("A session cannot be held before the inquiry opened."), field="held_on")
    row = InquirySession(
        inquiry_id=inquiry.id,
        held_on=held_on,
        location=location.strip(),
        witnesses="\n".join(w.strip() for w in witnesses.splitlines() if w.strip()),
        minutes=minutes.strip(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "places.inquiry_session_added",
        "place_inquiry_session",
        row.id,
        council_id=place.council_id,
        actor_id=actor_id,
    )
    session.commit()
    return row


def add_recommendation(
    session: Session,
    council: str,
    place_id: int,
    inquiry_id: int,
    *,
    body_id: int,
    text: str,
    response_due: date,
    actor_id: int | None,
) -> Recommendation:
    """Add a recommendation addressed to one body, with the date its response is due."""
    place = _place(session, council, place_id)
    inquiry = _inquiry(session, place, inquiry_id)
    if body_id not in _bodies_of(session, place):
        raise Invalid(_("Choose the public body the recommendation is addressed to."), field="body_id")
    if response_due < inquiry.opened_on:
        raise Invalid(_("The response cannot be due before the inquiry opened."), field="response_due")
    count = len(session.exec(select(Recommendation.id).where(Recommendation.inquiry_id == inquiry.id)).all())
    row = Recommendation(
        inquiry_id=inquiry.id, body_id=body_id, position=count + 1, text=text.strip(), response_due=response_due
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "places.recommendation_added",
        "place_recommendation",
        row.id,
        council_id=place.council_id,
        actor_id=actor_id,
        body_id=body_id,
    )
    session.commit()
    return row


def publish_report(
    session: Session,
    council: str,
    place_id: int,
    inquiry_id: int,
    *,
    findings: str,
    actor_id: int | None,
    today: date | None = None,
) -> Inquiry:
    """Publish the report: its findings, with the recommendations already added; the call for evidence closes."""
    place = _place(session, council, place_id)
    inquiry = _inquiry(session, place, inquiry_id)
    if not findings.strip():
        raise Invalid(_("Enter the report’s findings."), field="findings")
    if not session.exec(select(Recommendation.id).where(Recommendation.inquiry_id == inquiry.id)).first():
        raise Invalid(_("Add the report’s recommendations before you publish it."), field="findings")
    inquiry.findings, inquiry.status = findings.strip(), REPORTED
    inquiry.reported_on = inquiry.reported_on or today or utcnow().date()
    session.add(inquiry)
    audit.record(
        session, "places.inquiry_reported", "place_inquiry", inquiry.id, council_id=place.council_id, actor_id=actor_id
    )
    session.commit()
    return inquiry


def recommendation_of(
    session: Session, council: str, place_id: int, inquiry_id: int, recommendation_id: int
) -> RecommendationRow:
    place = _place(session, council, place_id)
    inquiry = _inquiry(session, place, inquiry_id)
    found = session.get(Recommendation, recommendation_id)
    if found is None or found.inquiry_id != inquiry.id:
        raise NotFound(_("There is no recommendation at this address."))
    return _rows(session, [found], utcnow().date())[0]


def record_response(
    session: Session,
    council: str,
    place_id: int,
    inquiry_id: int,
    recommendation_id: int,
    *,
    outcome: str,
    reasons: str,
    responded_on: date,
    action_by: date | None,
    actor_id: int | None,
) -> BodyResponse:
    """Record the body's response: accepted, partly accepted or rejected, always with reasons; once per
    recommendation (a correction replaces it and is audited)."""
    row = recommendation_of(session, council, place_id, inquiry_id, recommendation_id)
    if outcome not in RESPONSE_OUTCOMES:
        raise Invalid(_("Choose how the body responded."), field="outcome")
    if not reasons.strip():
        raise Invalid(_("Enter the body’s reasons."), field="reasons")
    if action_by is not None and outcome == RESPONSE_REJECTED:
        raise Invalid(_("A rejected recommendation has no date for action: leave it empty."), field="action_by")
    if action_by is not None and action_by < responded_on:
        raise Invalid(_("The action cannot be due before the response."), field="action_by")
    response = row.response or BodyResponse(
        recommendation_id=row.recommendation.id, outcome=outcome, reasons="", responded_on=responded_on
    )
    response.outcome, response.reasons, response.responded_on = outcome, reasons.strip(), responded_on
    response.action_by, response.recorded_by_id, response.recorded_at = action_by, actor_id, utcnow()
    session.add(response)
    session.flush()
    audit.record(
        session,
        "places.response_recorded",
        "place_body_response",
        response.id,
        council_id=_place(session, council, place_id).council_id,
        actor_id=actor_id,
        outcome=outcome,
        body_id=row.body.id,
    )
    session.commit()
    return response


def responses_of_body(session: Session, body: PublicBody) -> list[tuple[Inquiry, RecommendationRow]]:
    """Every recommendation addressed to the body, with its inquiry and the body's response (for the body's page)."""
    recommendations = list(
        session.exec(
            select(Recommendation)
            .where(Recommendation.body_id == body.id)
            .order_by(Recommendation.response_due, Recommendation.id)
        ).all()
    )
    inquiries = (
        {
            i.id: i
            for i in session.exec(select(Inquiry).where(Inquiry.id.in_({r.inquiry_id for r in recommendations}))).all()
        }
        if recommendations
        else {}
    )
    return [(inquiries[row.recommendation.inquiry_id], row) for row in _rows(session, recommendations, utcnow().date())]


def inquiries_of_area(session: Session, area: OutcomeArea) -> list[Inquiry]:
    """The committee's inquiries into an outcome area, newest first (for the area's page)."""
    return list(
        session.exec(
            select(Inquiry).where(Inquiry.area_id == area.id).order_by(Inquiry.opened_on.desc(), Inquiry.id.desc())
        ).all()
    )


@dataclass
class ScrutinyView:
    council: Council
    place: Place
    committee: Committee
    inquiries: list[tuple[Inquiry, int, int]]  # inquiry, recommendations, responses
    open_petitions: list[tuple[Petition, int]]
    overdue: list[tuple[Inquiry, RecommendationRow]]
    rejected: list[tuple[Inquiry, RecommendationRow]]
    by_body: list[tuple[PublicBody, Counter]] = field(default_factory=list)


def scrutiny(session: Session, council: str, place_id: int) -> ScrutinyView:
    """Across the place: every inquiry, open petitions, decisions due, overdue responses and rejections by body."""
    place = _place(session, council, place_id)
    today = utcnow().date()
    inquiries = list(
        session.exec(
            select(Inquiry).where(Inquiry.place_id == place.id).order_by(Inquiry.opened_on.desc(), Inquiry.id.desc())
        ).all()
    )
    recommendations = (
        list(
            session.exec(
                select(Recommendation)
                .where(Recommendation.inquiry_id.in_([i.id for i in inquiries]))
                .order_by(Recommendation.response_due)
            ).all()
        )
        if inquiries
        else []
    )
    rows = _rows(session, recommendations, today)
    by_inquiry = {i.id: i for i in inquiries}
    petitions = list(
        session.exec(
            select(Petition)
            .where(Petition.place_id == place.id, Petition.decision.is_(None))
            .order_by(Petition.opened_at.desc())
        ).all()
    )
    counts = (
        Counter(
            session.exec(
                select(PetitionSignature.petition_id).where(
                    PetitionSignature.petition_id.in_([p.id for p in petitions])
                )
            ).all()
        )
        if petitions
        else Counter()
    )
    bodies: dict[int, tuple[PublicBody, Counter]] = {}
    for row in rows:
        tally = bodies.setdefault(row.body.id, (row.body, Counter()))[1]
        tally["recommendations"] += 1
        tally[row.response.outcome if row.response else ("overdue" if row.overdue else "awaited")] += 1
    return ScrutinyView(
        get_council(session, council),
        place,
        committee_of(session, place, create=False),
        [
            (
                i,
                sum(1 for r in rows if r.recommendation.inquiry_id == i.id),
                sum(1 for r in rows if r.recommendation.inquiry_id == i.id and r.response),
            )
            for i in inquiries
        ],
        [(p, counts[p.id]) for p in petitions],
        [(by_inquiry[r.recommendation.inquiry_id], r) for r in rows if r.overdue],
        [
            (by_inquiry[r.recommendation.inquiry_id], r)
            for r in rows
            if r.response and r.response.outcome == RESPONSE_REJECTED
        ],
        sorted(bodies.values(), key=lambda pair: pair[0].name),
    )


# Resident members, drawn by the sortition engine from verified residents who volunteer.


def volunteers(session: Session, committee: Committee) -> list[CommitteeVolunteer]:
    return list(
        session.exec(
            select(CommitteeVolunteer)
            .where(CommitteeVolunteer.committee_id == committee.id)
            .order_by(CommitteeVolunteer.id)
        ).all()
    )


def volunteer_status(session: Session, council: str, place_id: int, user_id: int | None) -> tuple[int, bool]:
    """How many residents volunteer (not yet drawn), and whether this person is one of them."""
    place = _place(session, council, place_id)
    committee = committee_of(session, place, create=False)
    if committee.id is None:
        return 0, False
    rows = volunteers(session, committee)
    return sum(1 for v in rows if v.member_id is None), any(v.user_id == user_id for v in rows)


def volunteer(session: Session, council: str, place_id: int, *, user_id: int) -> CommitteeVolunteer:
    """A verified resident offers to be drawn as a resident member (once)."""
    place = _place(session, council, place_id)
    ward = _must_be_verified(session, place, user_id)
    committee = committee_of(session, place)
    user = session.get(User, user_id)
    try:
        with session.begin_nested():
            row = CommitteeVolunteer(
                committee_id=committee.id, user_id=user_id, name=user.name, ward_id=ward.id if ward else None
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(_("You have already offered to sit on the committee.")) from None
    audit.record(
        session, "places.committee_volunteer", "place_committee_volunteer", row.id, council_id=place.council_id
    )
    session.commit()
    return row


def ward_cap(ward_counts: list[int], seats: int) -> int:
    """The smallest number of seats per ward that still lets `seats` be filled from these wards' volunteers."""
    for cap in range(1, seats + 1):
        if sum(min(n, cap) for n in ward_counts) >= seats:
            return cap
    return seats


def draw_residents(
    session: Session,
    council: str,
    place_id: int,
    *,
    seats: int,
    term_start: date,
    term_end: date | None,
    actor_id: int | None,
    seed: int | None = None,
) -> list[CommitteeMember]:
    """Draw `seats` resident members from the volunteers not yet drawn, with pbapp's sortition engine (LEXIMIN):
    wards are a quota, so no ward takes more seats than it must. The seed and the pool's hash are audited."""
    place = _place(session, council, place_id)
    committee = committee_of(session, place)
    if term_end is not None and term_end < term_start:
        raise Invalid(_("The term cannot end before it starts."), field="term_end")
    waiting = [v for v in volunteers(session, committee) if v.member_id is None]
    if seats < 1:
        raise Invalid(_("Draw at least one resident."), field="seats")
    if len(waiting) < seats:
        raise Invalid(
            _(
                "There are %(count)d volunteers waiting, fewer than the %(seats)d seats to fill.",
                count=len(waiting),
                seats=seats,
            ),
            field="seats",
        )
    names = {a.id: a.name for a in session.exec(select(Area).where(Area.council_id == place.council_id)).all()}
    wards = {v.id: names.get(v.ward_id, "unknown") for v in waiting}
    per_ward = Counter(wards.values())
    cap = ward_cap(list(per_ward.values()), seats)
    pool = Pool(
        panel_size=seats,
        features=("ward",),
        quotas=tuple(Quota("ward", ward, 0, cap) for ward in sorted(per_ward)),
        people=tuple(Person(str(v.id), (wards[v.id],)) for v in waiting),
        name=committee.name,
    )
    seed = secrets.randbelow(2**31) if seed is None else seed
    try:
        selection = draw_panel(pool, "leximin", seed=seed)
    except InfeasibleError as error:  # the cap is chosen to be feasible; kept as a clear message all the same
        raise Invalid(_("No draw meets the ward quotas: %(reason)s", reason=str(error)), field="seats") from None
    chosen = {int(i) for i in selection.panel}
    members = []
    for row in waiting:
        if row.id in chosen:
            member = CommitteeMember(
                committee_id=committee.id,
                name=row.name,
                kind=RESIDENT_MEMBER,
                role=_("Resident member, drawn by lot"),
                term_start=term_start,
                term_end=term_end,
            )
            session.add(member)
            session.flush()
            row.member_id = member.id
            session.add(row)
            members.append(member)
    audit.record(
        session,
        "places.residents_drawn",
        "place_committee",
        committee.id,
        council_id=place.council_id,
        actor_id=actor_id,
        seats=seats,
        seed=seed,
        pool_hash=input_hash(pool),
        ward_cap=cap,
        volunteers=len(waiting),
    )
    session.commit()
    return members
