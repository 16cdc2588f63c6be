"""Use cases of a place's local public accounts committee: members, terms of reference, meetings, petitions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.residence import verification_of
from pbapp.councils.models import Area, Council
from pbapp.councils.services import area_for_postcode, get_council
from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.places.models import (
    DECISIONS,
    MEMBER_KINDS,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Petition,
    PetitionSignature,
    Place,
)
from pbapp.places.services import _place
from pbapp.timeutil import utcnow


def committee_of(session: Session, place: Place, *, create: bool = True) -> Committee:
    """The place's committee; the first change stores it with its defaults (the caller commits), a read does not."""
    found = session.exec(select(Committee).where(Committee.place_id == place.id)).first()
    if found is None:
        found = Committee(place_id=place.id, name=f"{place.name} Public Accounts Committee")
        if create:
            session.add(found)
            session.flush()
    return found


@dataclass
class CommitteeView:
    council: Council
    place: Place
    committee: Committee
    members: list[CommitteeMember]
    meetings: list[CommitteeMeeting]
    petitions: list[tuple[Petition, int]]


def committee_detail(session: Session, council: str, place_id: int) -> CommitteeView:
    """The committee with its members, meetings (newest first) and petitions with their signature counts."""
    place = _place(session, council, place_id)
    committee = committee_of(session, place, create=False)
    members = list(
        session.exec(
            select(CommitteeMember)
            .where(CommitteeMember.committee_id == committee.id)
            .order_by(CommitteeMember.kind, CommitteeMember.name)
        ).all()
    )
    meetings = list(
        session.exec(
            select(CommitteeMeeting)
            .where(CommitteeMeeting.committee_id == committee.id)
            .order_by(CommitteeMeeting.held_on.desc())
        ).all()
    )
    petitions = list(
        session.exec(select(Petition).where(Petition.place_id == place.id).order_by(Petition.opened_at.desc())).all()
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
    return CommitteeView(
        get_council(session, council), place, committee, members, meetings, [(p, counts[p.id]) for p in petitions]
    )


def update_committee(
    session: Session,
    council: str,
    place_id: int,
    *,
    name: str,
    terms_of_reference: str,
    signature_threshold: int,
    decision_days: int,
    actor_id: int | None,
) -> Committee:
    """Set the committee's name, terms of reference, petition threshold and days allowed for a decision."""
    place = _place(session, council, place_id)
    if signature_threshold < 1 or decision_days < 1:
        raise Invalid(_("The threshold and the days allowed must be at least 1."), field="signature_threshold")
    committee = committee_of(session, place)
    committee.name, committee.terms_of_reference = name.strip(), terms_of_reference.strip()
    committee.signature_threshold, committee.decision_days = signature_threshold, decision_days
    session.add(committee)
    audit.record(
        session,
        "places.committee_updated",
        "place_committee",
        committee.id,
        council_id=place.council_id,
        actor_id=actor_id,
        signature_threshold=signature_threshold,
        decision_days=decision_days,
    )
    session.commit()
    return committee


def add_member(
    session: Session,
    council: str,
    place_id: int,
    *,
    name: str,
    kind: str,
    role: str,
    term_start: date,
    term_end: date | None,
    actor_id: int | None,
) -> CommitteeMember:
    """Add a member with their term; a term cannot end before it starts."""
    place = _place(session, council, place_id)
    if kind not in MEMBER_KINDS:
        raise Invalid(_("Choose what kind of member they are."), field="kind")
    if term_end is not None and term_end < term_start:
        raise Invalid(_("The term cannot end before it starts."), field="term_end")
    member = CommitteeMember(
        committee_id=committee_of(session, place).id,
        name=name.strip(),
        kind=kind,
        role=role.strip(),
        term_start=term_start,
        term_end=term_end,
    )
    session.add(member)
    session.flush()
    audit.record(
        session,
        "places.member_added",
        "place_committee_member",
        member.id,
        council_id=place.council_id,
        actor_id=actor_id,
        kind=kind,
    )
    session.commit()
    return member


def add_meeting(
    session: Session, council: str, place_id: int, *, held_on: date, location: str, agenda: str, actor_id: int | None
) -> CommitteeMeeting:
    """Add a meeting of the committee."""
    place = _place(session, council, place_id)
    meeting = CommitteeMeeting(
        committee_id=committee_of(session, place).id, held_on=held_on, location=location.strip(), agenda=agenda.strip()
    )
    session.add(meeting)
    session.flush()
    audit.record(
        session,
        "places.meeting_added",
        "place_committee_meeting",
        meeting.id,
        council_id=place.council_id,
        actor_id=actor_id,
        held_on=held_on.isoformat(),
    )
    session.commit()
    return meeting


def _verified_ward(session: Session, place: Place, user_id: int) -> tuple[bool, Area | None]:
    council = session.get(Council, place.council_id)
    verification = verification_of(session, council.id, user_id)
    if verification is None:
        return False, None
    return True, area_for_postcode(session, council, verification.postcode)


def may_petition(session: Session, council: str, place_id: int, user_id: int) -> bool:
    """Whether the person is a verified resident of the place's council area (the rule a vote uses)."""
    return _verified_ward(session, _place(session, council, place_id), user_id)[0]


def _must_be_verified(session: Session, place: Place, user_id: int) -> Area | None:
    verified, ward = _verified_ward(session, place, user_id)
    if not verified:
        raise NotAllowed(
            _(
                "Only verified residents of the area can open or sign a petition. Verify where you "
                "live from your account page first."
            )
        )
    return ward


def open_petition(
    session: Session, council: str, place_id: int, *, topic: str, bodies_concerned: str, examine: str, user_id: int
) -> Petition:
    """A verified resident opens a petition for an inquiry, and signs it first."""
    place = _place(session, council, place_id)
    ward = _must_be_verified(session, place, user_id)
    petition = Petition(
        place_id=place.id,
        opened_by_id=user_id,
        topic=topic.strip(),
        bodies_concerned=bodies_concerned.strip(),
        examine=examine.strip(),
    )
    session.add(petition)
    session.flush()
    session.add(PetitionSignature(petition_id=petition.id, user_id=user_id, ward_id=ward.id if ward else None))
    _check_threshold(session, place, petition)
    audit.record(session, "places.petition_opened", "place_petition", petition.id, council_id=place.council_id)
    session.commit()
    return petition


def _petition(session: Session, place: Place, petition_id: int) -> Petition:
    found = session.get(Petition, petition_id)
    if found is None or found.place_id != place.id:
        raise NotFound(_("There is no petition at this address."))
    return found


def _count(session: Session, petition: Petition) -> int:
    return len(session.exec(select(PetitionSignature.id).where(PetitionSignature.petition_id == petition.id)).all())


def _check_threshold(session: Session, place: Place, petition: Petition) -> None:
    committee = committee_of(session, place)
    if petition.threshold_reached_on is None and _count(session, petition) >= committee.signature_threshold:
        today = utcnow().date()
        petition.threshold_reached_on = today
        petition.decision_due = today + timedelta(days=committee.decision_days)
        session.add(petition)


def sign(session: Session, council: str, place_id: int, petition_id: int, *, user_id: int) -> int:
    """Sign once as a verified resident; return the number of signatures. A second signature is refused."""
    place = _place(session, council, place_id)
    petition = _petition(session, place, petition_id)
    ward = _must_be_verified(session, place, user_id)
    if petition.decision is not None:
        raise Conflict(_("The committee has decided on this petition, so it is closed."))
    try:
        with session.begin_nested():
            session.add(PetitionSignature(petition_id=petition.id, user_id=user_id, ward_id=ward.id if ward else None))
            session.flush()
    except IntegrityError:
        raise Conflict(_("You have already signed this petition.")) from None
    _check_threshold(session, place, petition)
    session.commit()
    return _count(session, petition)


@dataclass
class PetitionView:
    council: Council
    place: Place
    committee: Committee
    petition: Petition
    total: int
    by_ward: list[tuple[str, int]]
    signed: bool
    may_sign: bool

    @property
    def overdue(self) -> bool:
        due = self.petition.decision_due
        return self.petition.decision is None and due is not None and due < utcnow().date()


def petition_detail(
    session: Session, council: str, place_id: int, petition_id: int, user_id: int | None
) -> PetitionView:
    """A petition with its signature counts by ward (never names), and whether this person signed or may sign."""
    place = _place(session, council, place_id)
    petition = _petition(session, place, petition_id)
    committee = committee_of(session, place, create=False)
    rows = session.exec(
        select(PetitionSignature.ward_id, PetitionSignature.user_id).where(PetitionSignature.petition_id == petition.id)
    ).all()
    names = {a.id: a.name for a in session.exec(select(Area).where(Area.council_id == place.council_id)).all()}
    wards = Counter(names.get(ward_id, _("Ward not known")) for ward_id, _user in rows)
    signed = user_id is not None and any(u == user_id for _ward, u in rows)
    may = user_id is not None and not signed and _verified_ward(session, place, user_id)[0]
    return PetitionView(
        get_council(session, council),
        place,
        committee,
        petition,
        len(rows),
        sorted(wards.items()),
        signed,
        may and petition.decision is None,
    )


def decide(
    session: Session,
    council: str,
    place_id: int,
    petition_id: int,
    *,
    decision: str,
    reasons: str,
    decided_on: date,
    actor_id: int | None,
) -> Petition:
    """Publish the committee's decision: accept as an inquiry or decline, with reasons (declining needs them)."""
    place = _place(session, council, place_id)
    petition = _petition(session, place, petition_id)
    if decision not in DECISIONS:
        raise Invalid(_("Choose whether the committee accepts or declines."), field="decision")
    if not reasons.strip():
        raise Invalid(_("Give the committee’s reasons."), field="reasons")
    petition.decision, petition.decision_reasons, petition.decided_on = decision, reasons.strip(), decided_on
    session.add(petition)
    audit.record(
        session,
        "places.petition_decided",
        "place_petition",
        petition.id,
        council_id=place.council_id,
        actor_id=actor_id,
        decision=decision,
    )
    session.commit()
    return petition
