"""Factories for places: a place with bodies, budgets by line, outcome areas and shares."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from pbapp.core.places import BodyLine
from pbapp.councils.models import Council
from pbapp.places import services
from pbapp.places.models import COUNCIL, LineShare, OutcomeArea, Place, PublicBody


def place(db: Session, council: Council, *, name: str = "Testshire") -> Place:
    made = Place(council_id=council.id, name=name)
    db.add(made)
    db.commit()
    return made


def body(db: Session, the_place: Place, *, name: str = "Testshire Council", kind: str = COUNCIL) -> PublicBody:
    made = PublicBody(place_id=the_place.id, name=name, kind=kind)
    db.add(made)
    db.commit()
    return made


def budget(db: Session, the_body: PublicBody, lines: list[tuple[str, int, int]], *, year: str = "2026-27"):
    made = services.save_budget(
        db,
        the_body,
        [BodyLine(*line) for line in lines],
        financial_year=year,
        basis="budget",
        source_title="Budget book",
        source_url="",
        source_date=date(2026, 3, 1),
        actor_id=None,
    )
    db.commit()
    return made


def area(db: Session, the_place: Place, *, name: str = "Youth unemployment") -> OutcomeArea:
    made = OutcomeArea(place_id=the_place.id, name=name)
    db.add(made)
    db.commit()
    return made


def share(db: Session, the_area: OutcomeArea, the_body: PublicBody, service_line: str, points: int) -> LineShare:
    made = LineShare(area_id=the_area.id, body_id=the_body.id, service_line=service_line, basis_points=points)
    db.add(made)
    db.commit()
    return made


def demo_place(db: Session, council: Council) -> Place:
    found = db.exec(select(Place).where(Place.council_id == council.id).order_by(Place.id)).first()
    db.commit()
    return found
