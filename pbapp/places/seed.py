"""Demo place for Blackburn with Darwen: the council, the ICB, the PCC and the fire authority, with two outcome areas.

Figures and their sources are in pbapp/seed_data/places (SOURCES.md says which are apportionment estimates).
Each body's file goes through the same parser as an officer's upload, so the demo cannot hold figures an
import would refuse. Idempotent: a place that exists is left as it is.
"""

from __future__ import annotations

import csv
from datetime import date

from sqlmodel import Session, select

from pbapp import audit
from pbapp.core.places import parse_body_budget, parse_percent
from pbapp.councils.models import Council
from pbapp.places import services
from pbapp.places.models import COUNCIL_AREA, LineShare, OutcomeArea, Place, PublicBody
from pbapp.seed import demo_financial_year, seed_file

PLACE_NAME = "Blackburn with Darwen"
# The seed files are written for these years; the demo moves them to the demo's current year and the one before.
WRITTEN_YEARS = ("2026-27", "2025-26")


def _rows(name: str) -> list[dict[str, str]]:
    with open(seed_file(f"places/{name}"), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _demo_year(written: str) -> str:
    return demo_financial_year(-WRITTEN_YEARS.index(written))


def seed_demo_places(session: Session, council: Council, report: list[str]) -> None:
    """Add the demo place with four bodies, two years of their budgets and two outcome areas mapped."""
    if session.exec(select(Place).where(Place.council_id == council.id, Place.name == PLACE_NAME)).first():
        return
    place = Place(council_id=council.id, name=PLACE_NAME, kind=COUNCIL_AREA, description=(
        "The borough of Blackburn with Darwen: what the council, the NHS, the police and the fire service "
        "spend here. Only the council's 2026-27 figures are published for the borough itself; the others "
        "are the demo's estimates of the borough's share (see the source of each)."))
    session.add(place)
    session.flush()
    bodies = {}
    for row in _rows("bodies.csv"):
        bodies[row["key"]] = PublicBody(place_id=place.id, name=row["name"], kind=row["kind"], website=row["website"])
        session.add(bodies[row["key"]])
    session.flush()
    for source in _rows("sources.csv"):
        with open(seed_file(f"places/{source['key']}_{source['year']}.csv"), encoding="utf-8") as handle:
            parsed = parse_body_budget(handle.read(), thousands=True)
        if not parsed.clean:  # the shipped files are checked by tests/places/test_seed.py
            raise ValueError(f"{source['key']}_{source['year']}.csv: {parsed.errors}")
        services.save_budget(session, bodies[source["key"]], parsed.lines, financial_year=_demo_year(source["year"]),
                             basis=source["basis"], source_title=source["source_title"],
                             source_url=source["source_url"], source_date=date.fromisoformat(source["source_date"]),
                             actor_id=None)
    areas: dict[str, OutcomeArea] = {}
    for row in _rows("outcome_areas.csv"):
        if row["area"] not in areas:
            areas[row["area"]] = OutcomeArea(place_id=place.id, name=row["area"], description=row["description"])
            session.add(areas[row["area"]])
            session.flush()
        session.add(LineShare(area_id=areas[row["area"]].id, body_id=bodies[row["key"]].id,
                              service_line=row["service_line"], basis_points=parse_percent(row["percent"])))
    session.flush()
    audit.record(session, "places.demo_seeded", "place", place.id, council_id=council.id, bodies=len(bodies),
                 areas=len(areas))
    report.append(f"Added the place {PLACE_NAME} with {len(bodies)} public bodies and {len(areas)} outcome areas.")
