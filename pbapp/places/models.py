"""Tables of the places domain: a place, the public bodies spending in it, their budgets by line, and outcome areas."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.modelfields import pence
from pbapp.timeutil import utcnow

COUNCIL_AREA, COMBINED_AUTHORITY_AREA = "council_area", "combined_authority_area"
PLACE_KINDS = (COUNCIL_AREA, COMBINED_AUTHORITY_AREA)

COUNCIL, ICB, PCC, FIRE, SCHOOLS, COMBINED_AUTHORITY, JOBCENTRE, HOUSING = (
    "council",
    "integrated_care_board",
    "police_and_crime_commissioner",
    "fire_authority",
    "schools",
    "combined_authority",
    "jobcentre_plus",
    "housing_association",
)
BODY_KINDS = (COUNCIL, ICB, PCC, FIRE, SCHOOLS, COMBINED_AUTHORITY, JOBCENTRE, HOUSING)

BUDGET, SPEND = "budget", "spend"
BASES = (BUDGET, SPEND)


def _parent(table: str):
    return Field(sa_column=Column(Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True, nullable=False))


class Place(SQLModel, table=True):
    """A council area, or a combined authority's area of several councils, whose public money is shown together."""

    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("council_id", "name", name="uq_place_name"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    name: str = Field(max_length=160, nullable=False)
    kind: str = Field(max_length=32, nullable=False, default=COUNCIL_AREA)
    description: str = Field(default="", max_length=2000, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class PublicBody(SQLModel, table=True):
    """A public body spending money in a place: the council, the ICB, the police and crime commissioner, ..."""

    __tablename__ = "place_body"
    __table_args__ = (UniqueConstraint("place_id", "name", name="uq_place_body_name"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = _parent("place")
    name: str = Field(max_length=200, nullable=False)
    kind: str = Field(max_length=40, nullable=False)
    website: str = Field(default="", max_length=500, nullable=False)


class BodyBudget(SQLModel, table=True):
    """A body's budget or spend for one financial year, with the published document it was taken from."""

    __tablename__ = "place_body_budget"
    __table_args__ = (UniqueConstraint("body_id", "financial_year", name="uq_place_body_budget_year"),)

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = _parent("place_body")
    financial_year: str = Field(max_length=7, nullable=False)
    basis: str = Field(max_length=16, nullable=False, default=BUDGET)
    source_title: str = Field(max_length=300, nullable=False)
    source_url: str = Field(default="", max_length=500, nullable=False)
    source_date: date = Field(nullable=False)
    total_pence: int = pence()
    devolved_pence: int = pence()
    imported_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    imported_at: datetime = Field(default_factory=utcnow, nullable=False)


class BodyBudgetLine(SQLModel, table=True):
    """One service line of a body's budget, with the part of it that neighbourhoods decide."""

    __tablename__ = "place_body_line"
    __table_args__ = (UniqueConstraint("budget_id", "service_line", name="uq_place_body_line"),)

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = _parent("place_body_budget")
    position: int = Field(default=0, nullable=False)
    service_line: str = Field(max_length=200, nullable=False)
    amount_pence: int = pence()
    devolved_pence: int = pence()


class OutcomeArea(SQLModel, table=True):
    """An outcome the place's bodies all spend towards, like youth unemployment or community safety."""

    __tablename__ = "place_outcome_area"
    __table_args__ = (UniqueConstraint("place_id", "name", name="uq_place_outcome_area_name"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = _parent("place")
    name: str = Field(max_length=160, nullable=False)
    description: str = Field(default="", max_length=2000, nullable=False)


class LineShare(SQLModel, table=True):
    """The share of a body's service line (in every year) that serves an outcome area, in basis points."""

    __tablename__ = "place_line_share"
    __table_args__ = (UniqueConstraint("area_id", "body_id", "service_line", name="uq_place_line_share"),)

    id: int | None = Field(default=None, primary_key=True)
    area_id: int = _parent("place_outcome_area")
    body_id: int = _parent("place_body")
    service_line: str = Field(max_length=200, nullable=False)
    basis_points: int = Field(nullable=False)


COUNCILLOR, CO_OPTED, RESIDENT_MEMBER = "councillor", "co_opted", "resident"
MEMBER_KINDS = (COUNCILLOR, CO_OPTED, RESIDENT_MEMBER)
ACCEPTED_AS_INQUIRY, DECLINED = "accepted", "declined"
DECISIONS = (ACCEPTED_AS_INQUIRY, DECLINED)


class Committee(SQLModel, table=True):
    """The place's local public accounts committee: its terms of reference and its petition rules."""

    __tablename__ = "place_committee"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(
        sa_column=Column(Integer, ForeignKey("place.id", ondelete="CASCADE"), unique=True, nullable=False)
    )
    name: str = Field(max_length=200, nullable=False)
    terms_of_reference: str = Field(default="", nullable=False)
    signature_threshold: int = Field(default=100, nullable=False)
    decision_days: int = Field(default=42, nullable=False)


class CommitteeMember(SQLModel, table=True):
    """A member of the committee: a councillor, a co-opted independent or a resident, with their term."""

    __tablename__ = "place_committee_member"

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = _parent("place_committee")
    name: str = Field(max_length=200, nullable=False)
    kind: str = Field(max_length=16, nullable=False)
    role: str = Field(default="", max_length=120, nullable=False)
    term_start: date = Field(nullable=False)
    term_end: date | None = Field(default=None)


class CommitteeMeeting(SQLModel, table=True):
    """A meeting of the committee, with where it is held and what it will consider."""

    __tablename__ = "place_committee_meeting"

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = _parent("place_committee")
    held_on: date = Field(nullable=False)
    location: str = Field(max_length=200, nullable=False)
    agenda: str = Field(default="", nullable=False)


class Petition(SQLModel, table=True):
    """A verified resident's petition asking the committee for an inquiry, and the committee's decision."""

    __tablename__ = "place_petition"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = _parent("place")
    opened_by_id: int = Field(foreign_key="user_account.id", nullable=False)
    topic: str = Field(max_length=200, nullable=False)
    bodies_concerned: str = Field(default="", max_length=1000, nullable=False)
    examine: str = Field(nullable=False)
    opened_at: datetime = Field(default_factory=utcnow, nullable=False)
    threshold_reached_on: date | None = Field(default=None)
    decision_due: date | None = Field(default=None)
    decision: str | None = Field(default=None, max_length=16)
    decision_reasons: str = Field(default="", nullable=False)
    decided_on: date | None = Field(default=None)


class PetitionSignature(SQLModel, table=True):
    """One verified resident's signature: at most one per person per petition (a database constraint)."""

    __tablename__ = "place_petition_signature"
    __table_args__ = (UniqueConstraint("petition_id", "user_id", name="uq_place_petition_signature"),)

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = _parent("place_petition")
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)
    ward_id: int | None = Field(default=None, foreign_key="area.id")
    signed_at: datetime = Field(default_factory=utcnow, nullable=False)


OPEN, REPORTED = "open", "reported"
PENDING, PUBLISHED, WITHHELD = "pending", "published", "withheld"
EVIDENCE_STATES = (PENDING, PUBLISHED, WITHHELD)
RESPONSE_ACCEPTED, RESPONSE_PARTLY, RESPONSE_REJECTED = "accepted", "partly", "rejected"
RESPONSE_OUTCOMES = (RESPONSE_ACCEPTED, RESPONSE_PARTLY, RESPONSE_REJECTED)


class Inquiry(SQLModel, table=True):
    """The committee's inquiry: opened from an accepted petition or on its own initiative, with its report."""

    __tablename__ = "place_inquiry"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = _parent("place")
    petition_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("place_petition.id", ondelete="SET NULL"), unique=True, nullable=True),
    )
    title: str = Field(max_length=200, nullable=False)
    terms_of_reference: str = Field(nullable=False)
    bodies: str = Field(default="", max_length=1000, nullable=False)  # ids of the bodies it covers, comma separated
    area_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("place_outcome_area.id", ondelete="SET NULL"), nullable=True)
    )
    evidence_closes: date | None = Field(default=None)
    status: str = Field(default=OPEN, max_length=16, nullable=False)
    opened_on: date = Field(nullable=False)
    findings: str = Field(default="", nullable=False)
    reported_on: date | None = Field(default=None)


class InquiryEvidence(SQLModel, table=True):
    """Written evidence from a resident or an organisation: published only when a moderator allows it."""

    __tablename__ = "place_inquiry_evidence"

    id: int | None = Field(default=None, primary_key=True)
    inquiry_id: int = _parent("place_inquiry")
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    author: str = Field(max_length=200, nullable=False)
    organisation: str = Field(default="", max_length=200, nullable=False)
    text: str = Field(nullable=False)
    state: str = Field(default=PENDING, max_length=16, nullable=False)
    moderation_note: str = Field(default="", max_length=1000, nullable=False)
    submitted_at: datetime = Field(default_factory=utcnow, nullable=False)


class InquirySession(SQLModel, table=True):
    """An evidence session of an inquiry: when, who gave evidence, and the minutes."""

    __tablename__ = "place_inquiry_session"

    id: int | None = Field(default=None, primary_key=True)
    inquiry_id: int = _parent("place_inquiry")
    held_on: date = Field(nullable=False)
    location: str = Field(max_length=200, nullable=False)
    witnesses: str = Field(default="", nullable=False)  # one a line: name, role, body
    minutes: str = Field(default="", nullable=False)


class Recommendation(SQLModel, table=True):
    """A recommendation of an inquiry's report, addressed to one body, which must respond by a date."""

    __tablename__ = "place_recommendation"

    id: int | None = Field(default=None, primary_key=True)
    inquiry_id: int = _parent("place_inquiry")
    body_id: int = _parent("place_body")
    position: int = Field(default=0, nullable=False)
    text: str = Field(nullable=False)
    response_due: date = Field(nullable=False)


class BodyResponse(SQLModel, table=True):
    """A body's response to a recommendation: accepted, partly accepted or rejected, with its reasons."""

    __tablename__ = "place_body_response"

    id: int | None = Field(default=None, primary_key=True)
    recommendation_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("place_recommendation.id", ondelete="CASCADE"), unique=True, nullable=False
        )
    )
    outcome: str = Field(max_length=16, nullable=False)
    reasons: str = Field(nullable=False)
    responded_on: date = Field(nullable=False)
    action_by: date | None = Field(default=None)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow, nullable=False)


class CommitteeVolunteer(SQLModel, table=True):
    """A verified resident who offers to sit on the committee; resident members are drawn from them by sortition."""

    __tablename__ = "place_committee_volunteer"
    __table_args__ = (UniqueConstraint("committee_id", "user_id", name="uq_place_committee_volunteer"),)

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = _parent("place_committee")
    user_id: int = Field(foreign_key="user_account.id", nullable=False)
    name: str = Field(max_length=200, nullable=False)
    ward_id: int | None = Field(default=None, foreign_key="area.id")
    volunteered_at: datetime = Field(default_factory=utcnow, nullable=False)
    member_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("place_committee_member.id", ondelete="SET NULL"), nullable=True),
    )
