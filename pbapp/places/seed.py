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
from pbapp.accounts.models import User
from pbapp.councils.models import Area
from pbapp.places.models import (CO_OPTED, COUNCIL_AREA, COUNCILLOR, Committee, CommitteeMeeting, CommitteeMember,
                                 LineShare, OutcomeArea, Petition, PetitionSignature, Place, PublicBody)
from pbapp.seed import demo_day, demo_financial_year, seed_file

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
    _committee(session, place, bodies)
    report.append(f"Added the place {PLACE_NAME} with {len(bodies)} public bodies, {len(areas)} outcome areas and "
                  "its public accounts committee, with a resident's petition for an inquiry.")


MEMBERS = (  # demo people, not real ones
    ("Cllr Ruth Entwistle", COUNCILLOR, "Chair", date(2026, 5, 21), date(2027, 5, 20)),
    ("Cllr Tariq Mahmood", COUNCILLOR, "", date(2026, 5, 21), date(2027, 5, 20)),
    ("Dr Helen Crossley", CO_OPTED, "Independent member (public finance)", date(2026, 6, 1), date(2028, 5, 31)),
)


def _committee(session: Session, place: Place, bodies: dict[str, PublicBody]) -> None:
    session.add(Committee(place_id=place.id, name="Blackburn with Darwen Public Accounts Committee",
                          signature_threshold=100, decision_days=42, terms_of_reference=(
        "To examine how all public money in Blackburn with Darwen is spent - by the council, the NHS, the police "
        "and crime commissioner and the fire authority - and whether it achieves the outcomes residents need.\n"
        "To hold cross-cutting inquiries into any public service in the borough, on its own initiative or when "
        "residents petition for one, and to address recommendations to the bodies responsible.\n"
        "Supported by the council's scrutiny officers.")))
    session.flush()
    committee = session.exec(select(Committee).where(Committee.place_id == place.id)).one()
    for name, kind, role, start, end in MEMBERS:
        session.add(CommitteeMember(committee_id=committee.id, name=name, kind=kind, role=role,
                                    term_start=demo_day(start), term_end=demo_day(end)))
    session.add(CommitteeMeeting(committee_id=committee.id, held_on=demo_day(date(2027, 1, 14)),
                                 location="Blackburn Town Hall, Committee Room 2",
                                 agenda="1. Spending on youth unemployment across the borough's public bodies\n"
                                        "2. Petitions received"))
    resident = session.exec(select(User).where(User.email == "resident@demo.example")).first()
    if resident is not None:
        petition = Petition(place_id=place.id, opened_by_id=resident.id,
                            topic="Is the money for young people out of work joined up?",
                            bodies_concerned=", ".join(bodies[k].name for k in ("council", "icb")),
                            examine="The council, the NHS and Jobcentre Plus each fund help for young people out of "
                                    "work. Please examine whether it reaches the young people of Darwen, and what "
                                    "it achieves for the money.")
        session.add(petition)
        session.flush()
        session.add(PetitionSignature(petition_id=petition.id, user_id=resident.id,
                                      ward_id=session.exec(select(Area.id).where(
                                          Area.council_id == place.council_id, Area.name == "Darwen East")).first()))
