"""Demo place for Blackburn with Darwen: the council, the ICB, the PCC and the fire authority, with two outcome areas.

Figures and their sources are in pbapp/seed_data/places (SOURCES.md says which are apportionment estimates).
Each body's file goes through the same parser as an officer's upload, so the demo cannot hold figures an
import would refuse. Idempotent: a place that exists is left as it is.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timezone

from sqlmodel import Session, select

from pbapp import audit
from pbapp.core.places import parse_body_budget, parse_percent
from pbapp.councils.models import Council
from pbapp.places import services
from pbapp.accounts.models import User
from pbapp.councils.models import Area
from pbapp.places.models import (
    ACCEPTED_AS_INQUIRY,
    CO_OPTED,
    COUNCIL_AREA,
    COUNCILLOR,
    PUBLISHED,
    REPORTED,
    BodyResponse,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Inquiry,
    InquiryEvidence,
    InquirySession,
    LineShare,
    OutcomeArea,
    Petition,
    PetitionSignature,
    Place,
    PublicBody,
    Recommendation,
)
from pbapp.datafiles import seed_file
from pbapp.seed import demo_at, demo_day, demo_financial_year

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
    place = Place(
        council_id=council.id,
        name=PLACE_NAME,
        kind=COUNCIL_AREA,
        description=(
            "The borough of Blackburn with Darwen: what the council, the NHS, the police and the fire service "
            "spend here. Only the council's 2026-27 figures are published for the borough itself; the others "
            "are the demo's estimates of the borough's share (see the source of each)."
        ),
    )
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
        services.save_budget(
            session,
            bodies[source["key"]],
            parsed.lines,
            financial_year=_demo_year(source["year"]),
            basis=source["basis"],
            source_title=source["source_title"],
            source_url=source["source_url"],
            source_date=date.fromisoformat(source["source_date"]),
            actor_id=None,
        )
    areas: dict[str, OutcomeArea] = {}
    for row in _rows("outcome_areas.csv"):
        if row["area"] not in areas:
            areas[row["area"]] = OutcomeArea(place_id=place.id, name=row["area"], description=row["description"])
            session.add(areas[row["area"]])
            session.flush()
        session.add(
            LineShare(
                area_id=areas[row["area"]].id,
                body_id=bodies[row["key"]].id,
                service_line=row["service_line"],
                basis_points=parse_percent(row["percent"]),
            )
        )
    session.flush()
    audit.record(
        session, "places.demo_seeded", "place", place.id, council_id=council.id, bodies=len(bodies), areas=len(areas)
    )
    _committee(session, place, bodies, areas)
    report.append(
        f"Added the place {PLACE_NAME} with {len(bodies)} public bodies, {len(areas)} outcome areas and "
        "its public accounts committee, a youth unemployment inquiry with its report and the bodies' responses, "
        "and a resident's open petition."
    )


MEMBERS = (  # demo people, not real ones
    ("Cllr Ruth Entwistle", COUNCILLOR, "Chair", date(2026, 5, 21), date(2027, 5, 20)),
    ("Cllr Tariq Mahmood", COUNCILLOR, "", date(2026, 5, 21), date(2027, 5, 20)),
    ("Dr Helen Crossley", CO_OPTED, "Independent member (public finance)", date(2026, 6, 1), date(2028, 5, 31)),
)


def _committee(session: Session, place: Place, bodies: dict[str, PublicBody], areas: dict[str, OutcomeArea]) -> None:
    session.add(
        Committee(
            place_id=place.id,
            name="Blackburn with Darwen Public Accounts Committee",
            signature_threshold=100,
            decision_days=42,
            terms_of_reference=(
                "To examine how all public money in Blackburn with Darwen is spent - by the council, the NHS, the police "
                "and crime commissioner and the fire authority - and whether it achieves the outcomes residents need.\n"
                "To hold cross-cutting inquiries into any public service in the borough, on its own initiative or when "
                "residents petition for one, and to address recommendations to the bodies responsible.\n"
                "Supported by the council's scrutiny officers."
            ),
        )
    )
    session.flush()
    committee = session.exec(select(Committee).where(Committee.place_id == place.id)).one()
    for name, kind, role, start, end in MEMBERS:
        session.add(
            CommitteeMember(
                committee_id=committee.id,
                name=name,
                kind=kind,
                role=role,
                term_start=demo_day(start),
                term_end=demo_day(end),
            )
        )
    session.add(
        CommitteeMeeting(
            committee_id=committee.id,
            held_on=demo_day(date(2027, 1, 14)),
            location="Blackburn Town Hall, Committee Room 2",
            agenda="1. Spending on youth unemployment across the borough's public bodies\n2. Petitions received",
        )
    )
    resident = session.exec(select(User).where(User.email == "resident@demo.example")).first()
    if resident is not None:
        wards = {a.name: a.id for a in session.exec(select(Area).where(Area.council_id == place.council_id)).all()}
        petition = Petition(
            place_id=place.id,
            opened_by_id=resident.id,
            topic="Are home fire safety visits reaching older people in Darwen?",
            bodies_concerned=", ".join(bodies[k].name for k in ("fire", "council")),
            examine="The fire service and the council's adult social care both offer home safety "
            "visits. Please examine how many older people in Darwen get one, and whether the "
            "two services share what they find.",
        )
        session.add(petition)
        session.flush()
        session.add(PetitionSignature(petition_id=petition.id, user_id=resident.id, ward_id=wards.get("Darwen East")))
        _inquiry(session, place, committee, bodies, areas, resident, wards)


SIGNERS = 112  # past the committee's threshold of 100
INQUIRY_TERMS = (
    "To examine what each public body in Blackburn with Darwen spends to help young people aged 16 to 24 into "
    "education, training and work, whether that money is joined up, and what it achieves.\n"
    "The inquiry will look at the council's employment and skills services, the NHS's support for young people "
    "with mental ill health, and the police's youth diversion work. It will not examine national benefit rules."
)
SESSIONS = (
    (
        date(2026, 9, 10),
        "Blackburn Town Hall, Committee Room 2",
        "Director of Growth and Development, Blackburn with Darwen Borough Council\n"
        "Head of Children and Young People's Mental Health, NHS Lancashire and South Cumbria ICB\n"
        "Two young people from the Darwen youth forum",
        "The council set out its 16 to 24 employment programme and how it is funded. Members asked how many young "
        "people it reached in Darwen; the council will send ward figures. The ICB described waiting times for young "
        "people's mental health support and said referrals from employment advisers are not tracked. The youth forum "
        "said advisers in different services ask the same questions again.",
    ),
    (
        date(2026, 9, 24),
        "Darwen Library Theatre",
        "Deputy Police and Crime Commissioner, Lancashire\nManager, Darwen Jobcentre Plus (as a witness)",
        "The Deputy Commissioner described youth diversion funding and how cases are referred to employment support. "
        "Jobcentre Plus explained its Youth Hub and agreed that a shared referral form would help. Members noted that "
        "no body could say what the borough spends in total on young people out of work.",
    ),
)
EVIDENCE = (
    (
        "Imran Hussain",
        "",
        "I left college in 2025 and spent eight months being passed between the Jobcentre, a "
        "council adviser and my GP. Each asked the same questions. One named contact would have "
        "helped.",
    ),
    (
        "Darwen Youth Forum",
        "Darwen Youth Forum",
        "Members surveyed 64 young people in Darwen: 41 did not know the council's employment programme existed. "
        "Most found out about help through friends, not services.",
    ),
)
RECOMMENDATIONS = (
    (
        "council",
        "Publish each year, with the budget, what every public body in the borough spends on helping young "
        "people into work, from this committee's figures.",
        date(2026, 11, 20),
        (
            "accepted",
            "The council will publish the combined figure with its 2027-28 budget book and ask the other "
            "bodies to confirm their lines.",
            date(2026, 11, 17),
            date(2027, 3, 31),
        ),
    ),
    (
        "icb",
        "Track referrals from employment advisers to young people's mental health services, and report how long "
        "they wait.",
        date(2026, 11, 20),
        (
            "partly",
            "The ICB will record referrals from employment advisers from April. It cannot report waiting times "
            "for this group separately until its new patient record system is in place in 2028.",
            date(2026, 11, 19),
            date(2027, 4, 30),
        ),
    ),
    (
        "police",
        "Refer every young person leaving a youth diversion scheme to the Youth Hub, with their consent.",
        date(2026, 11, 20),
        None,
    ),
)


def _inquiry(
    session: Session,
    place: Place,
    committee: Committee,
    bodies: dict[str, PublicBody],
    areas: dict[str, OutcomeArea],
    resident: User,
    wards: dict[str, int],
) -> None:
    """The youth unemployment petition past its threshold, the inquiry it became, and the bodies' responses."""
    accepted = Petition(
        place_id=place.id,
        opened_by_id=resident.id,
        topic="Is the money for young people out of work joined up?",
        bodies_concerned=", ".join(bodies[k].name for k in ("council", "icb", "police")),
        examine="The council, the NHS and the police each fund help for young people out of work. "
        "Please examine whether it is joined up, whether it reaches the young people of "
        "Darwen, and what it achieves for the money.",
        opened_at=demo_at(datetime(2026, 6, 15, 10, 0, tzinfo=timezone.utc)),
        threshold_reached_on=demo_day(date(2026, 7, 10)),
        decision_due=demo_day(date(2026, 8, 21)),
        decision=ACCEPTED_AS_INQUIRY,
        decided_on=demo_day(date(2026, 7, 23)),
        decision_reasons="Youth unemployment in the borough is above the national rate and three "
        "bodies spend on it without a shared picture. The committee will hold an "
        "inquiry.",
    )
    session.add(accepted)
    session.flush()
    ward_ids = sorted(wards.values())
    session.add(PetitionSignature(petition_id=accepted.id, user_id=resident.id, ward_id=wards.get("Darwen East")))
    for n in range(SIGNERS - 1):  # demo signers: accounts that cannot sign in, spread over the wards
        signer = User(
            email=f"petition-signer-{n + 1}@demo.example", name=f"Demo signer {n + 1}", password_hash="!", active=False
        )
        session.add(signer)
        session.flush()
        session.add(
            PetitionSignature(
                petition_id=accepted.id, user_id=signer.id, ward_id=ward_ids[n % len(ward_ids)] if ward_ids else None
            )
        )
    youth = areas["Youth unemployment"]
    summary = services._summaries(session, place, list(bodies.values()), [youth])[1][0]
    inquiry = Inquiry(
        place_id=place.id,
        petition_id=accepted.id,
        title="Youth unemployment: is the money joined up?",
        terms_of_reference=INQUIRY_TERMS,
        area_id=youth.id,
        bodies=",".join(str(bodies[k].id) for k in ("council", "icb", "police")),
        evidence_closes=demo_day(date(2026, 9, 15)),
        status=REPORTED,
        opened_on=demo_day(date(2026, 7, 23)),
        reported_on=demo_day(date(2026, 10, 22)),
        findings=(
            f"{len(summary.bodies)} public bodies spend about £{summary.amount / 100_000_000:.1f} million "
            "a year in the borough towards youth unemployment (the committee's outcome area), but none "
            "knows what the others spend, and young people are asked the same questions by each. The "
            "committee makes three recommendations."
        ),
    )
    session.add(inquiry)
    session.flush()
    for author, organisation, text in EVIDENCE:
        session.add(
            InquiryEvidence(
                inquiry_id=inquiry.id,
                submitted_by_id=resident.id if not organisation else None,
                author=author,
                organisation=organisation,
                text=text,
                state=PUBLISHED,
                submitted_at=demo_at(datetime(2026, 8, 20, 12, 0, tzinfo=timezone.utc)),
            )
        )
    for held_on, location, witnesses, minutes in SESSIONS:
        session.add(
            InquirySession(
                inquiry_id=inquiry.id,
                held_on=demo_day(held_on),
                location=location,
                witnesses=witnesses,
                minutes=minutes,
            )
        )
    for position, (key, text, due, response) in enumerate(RECOMMENDATIONS, start=1):
        recommendation = Recommendation(
            inquiry_id=inquiry.id, body_id=bodies[key].id, position=position, text=text, response_due=demo_day(due)
        )
        session.add(recommendation)
        session.flush()
        if response:
            outcome, reasons, on, action_by = response
            session.add(
                BodyResponse(
                    recommendation_id=recommendation.id,
                    outcome=outcome,
                    reasons=reasons,
                    responded_on=demo_day(on),
                    action_by=demo_day(action_by),
                )
            )
    session.flush()
    _open_inquiry(session, place, bodies, areas)


def _open_inquiry(session: Session, place: Place, bodies: dict[str, PublicBody], areas: dict[str, OutcomeArea]) -> None:
    """An inquiry the committee opened on its own initiative, still taking written evidence."""
    inquiry = Inquiry(
        place_id=place.id,
        title="Community safety in Blackburn town centre at night",
        terms_of_reference=(
            "To examine what the police, the fire service and the council each spend on keeping "
            "Blackburn town centre safe at night, and whether their patrols, licensing and CCTV work "
            "together."
        ),
        area_id=areas["Community safety"].id,
        bodies=",".join(str(bodies[k].id) for k in ("council", "police", "fire")),
        evidence_closes=demo_day(date(2027, 1, 31)),
        opened_on=demo_day(date(2026, 11, 26)),
    )
    session.add(inquiry)
    session.flush()
    session.add(
        InquirySession(
            inquiry_id=inquiry.id,
            held_on=demo_day(date(2027, 2, 11)),
            location="Blackburn Town Hall, Committee Room 2",
            witnesses="Chief Inspector, Blackburn with Darwen, Lancashire Constabulary\n"
            "Head of Licensing, Blackburn with Darwen Borough Council",
        )
    )
    session.flush()
