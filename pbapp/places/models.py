"""Tables of the places domain: a place, the public bodies spending in it, their budgets by line, and outcome areas."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.timeutil import utcnow

COUNCIL_AREA, COMBINED_AUTHORITY_AREA = "council_area", "combined_authority_area"
PLACE_KINDS = (COUNCIL_AREA, COMBINED_AUTHORITY_AREA)

COUNCIL, ICB, PCC, FIRE, SCHOOLS, COMBINED_AUTHORITY, JOBCENTRE, HOUSING = (
    "council", "integrated_care_board", "police_and_crime_commissioner", "fire_authority", "schools",
    "combined_authority", "jobcentre_plus", "housing_association")
BODY_KINDS = (COUNCIL, ICB, PCC, FIRE, SCHOOLS, COMBINED_AUTHORITY, JOBCENTRE, HOUSING)

BUDGET, SPEND = "budget", "spend"
BASES = (BUDGET, SPEND)


def _pence():
    # A place's public money runs to billions of pounds: pence overflow a 32-bit integer.
    return Field(default=0, sa_column=Column(BigInteger, nullable=False))


def _parent(table: str):
    return Field(sa_column=Column(Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True,
                                  nullable=False))


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
    total_pence: int = _pence()
    devolved_pence: int = _pence()
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
    amount_pence: int = _pence()
    devolved_pence: int = _pence()


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
