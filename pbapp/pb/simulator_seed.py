"""Demo data for the budget simulator: an open "balance the budget" ballot on the demo council's budget book.

Eight lines of the current book (grouped by service) move from -10% to +10% in steps of 5%, each
step with what it would mean for the service, in English and Welsh (the lines' Welsh names are the
book's); council tax moves from -2% to +5% of Band D. The
council must find £1.5m. Band D and the tax base are illustrative figures for the demo council.
Verified residents vote (resident@demo.example can try it).
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app
from sqlmodel import Session, select

from pbapp import audit
from pbapp.councils.models import Council
from pbapp.pb import simulator
from pbapp.pb.models import RESIDENTS, SIMULATOR, VOTING, Ballot, Process
from pbapp.pb.simulator_models import SimulatorLine, SimulatorSetup
from pbapp.seed import demo_financial_year
from pbapp.timeutil import utcnow

SAVINGS_PENCE = 1_500_000_00
BAND_D_PENCE = 2_051_37
TAX_BASE = 38_900

# Division of the demo book -> what a cut of 10%, 5% and a rise of 5%, 10% would mean.
LINES = {
    "Library service": (
        "Close two branch libraries and cut opening hours at the rest.",
        "Cut opening hours at branch libraries by a day a week.",
        "Open the central library on Sunday afternoons.",
        "Open every library on Saturdays and add a mobile library route.",
    ),
    "Waste collection": (
        "Collect general waste every three weeks instead of every two.",
        "Stop the free collection of bulky items.",
        "Collect food waste weekly from flats.",
        "Weekly food waste for every home and a new garden-waste round.",
    ),
    "Street cleansing (not chargeable to highways)": (
        "Clean town-centre streets weekly instead of daily.",
        "Clean residential streets every eight weeks instead of six.",
        "Clear fly-tipping within two working days.",
        "Clear fly-tipping the next working day and add litter bins.",
    ),
    "Recycling": (
        "Close one of the two household recycling centres.",
        "Shorten recycling-centre opening hours in winter.",
        "Collect textiles and small electricals from the kerb.",
        "Kerbside textiles and electricals, and a reuse shop at the recycling centre.",
    ),
    "Recreation and sport - Sports development and community recreation": (
        "End grants to community sports clubs.",
        "Halve grants to community sports clubs.",
        "Free swimming for under-16s in school holidays.",
        "Free swimming for under-16s all year.",
    ),
    "Tourism": (
        "End the visitor information service.",
        "Run fewer town-centre events.",
        "One more festival weekend a year.",
        "Two more festival weekends and a walking-trail guide.",
    ),
    "Economic development": (
        "End small business start-up grants.",
        "Halve small business start-up grants.",
        "Twenty more apprenticeships with local employers.",
        "Forty more apprenticeships and a town-centre shop-front scheme.",
    ),
    "Crime reduction": (
        "End the neighbourhood wardens in two wards.",
        "Reduce neighbourhood warden patrols.",
        "Wardens on weekend evenings in the town centres.",
        "Wardens on weekend evenings and more CCTV monitoring hours.",
    ),
}
# The same in Welsh, step for step: a Welsh reader sees these under the steps.
LINES_CY = {
    "Library service": (
        "Cau dwy lyfrgell gangen a chwtogi oriau agor y gweddill.",
        "Cwtogi oriau agor llyfrgelloedd cangen o ddiwrnod yr wythnos.",
        "Agor y llyfrgell ganolog ar brynhawniau Sul.",
        "Agor pob llyfrgell ar ddydd Sadwrn ac ychwanegu llwybr llyfrgell deithiol.",
    ),
    "Waste collection": (
        "Casglu gwastraff cyffredinol bob tair wythnos yn lle bob pythefnos.",
        "Rhoi’r gorau i gasglu eitemau swmpus am ddim.",
        "Casglu gwastraff bwyd o fflatiau bob wythnos.",
        "Casglu gwastraff bwyd o bob cartref bob wythnos, a rownd newydd ar gyfer gwastraff gardd.",
    ),
    "Street cleansing (not chargeable to highways)": (
        "Glanhau strydoedd canol y dref bob wythnos yn lle bob dydd.",
        "Glanhau strydoedd preswyl bob wyth wythnos yn lle bob chwe wythnos.",
        "Clirio tipio anghyfreithlon o fewn dau ddiwrnod gwaith.",
        "Clirio tipio anghyfreithlon erbyn y diwrnod gwaith nesaf ac ychwanegu biniau sbwriel.",
    ),
    "Recycling": (
        "Cau un o’r ddwy ganolfan ailgylchu gwastraff cartref.",
        "Cwtogi oriau agor y canolfannau ailgylchu yn y gaeaf.",
        "Casglu tecstilau a nwyddau trydanol bach o ymyl y palmant.",
        "Casglu tecstilau a nwyddau trydanol o ymyl y palmant, a siop ailddefnyddio yn y ganolfan ailgylchu.",
    ),
    "Recreation and sport - Sports development and community recreation": (
        "Dod â grantiau i glybiau chwaraeon cymunedol i ben.",
        "Haneru grantiau i glybiau chwaraeon cymunedol.",
        "Nofio am ddim i blant dan 16 oed yn ystod gwyliau’r ysgol.",
        "Nofio am ddim i blant dan 16 oed drwy’r flwyddyn.",
    ),
    "Tourism": (
        "Dod â’r gwasanaeth gwybodaeth i ymwelwyr i ben.",
        "Cynnal llai o ddigwyddiadau yng nghanol y dref.",
        "Un penwythnos gŵyl arall bob blwyddyn.",
        "Dau benwythnos gŵyl arall a chanllaw i lwybrau cerdded.",
    ),
    "Economic development": (
        "Dod â grantiau cychwyn busnesau bach i ben.",
        "Haneru grantiau cychwyn busnesau bach.",
        "Ugain prentisiaeth arall gyda chyflogwyr lleol.",
        "Deugain prentisiaeth arall a chynllun blaenau siopau yng nghanol y dref.",
    ),
    "Crime reduction": (
        "Dod â’r wardeiniaid cymdogaeth i ben mewn dwy ward.",
        "Lleihau patrolau’r wardeiniaid cymdogaeth.",
        "Wardeiniaid ar nosweithiau penwythnos yng nghanol y trefi.",
        "Wardeiniaid ar nosweithiau penwythnos a mwy o oriau monitro teledu cylch cyfyng.",
    ),
}
STEPS = (-10, -5, 5, 10)


def simulator_title() -> str:
    return f"Balance the budget {demo_financial_year(1)}"


def seed_demo_simulator(session: Session, council: Council, officer, report: list[str]) -> int | None:
    """An open simulator ballot on the demo council's current budget book; returns its id."""
    from pbapp.ledger import services as ledger

    book_lines = {line.name: line for line in ledger.budget_lines(session, council.id)}
    chosen = [book_lines[name] for name in LINES if name in book_lines and book_lines[name].net_pence > 0]
    if len(chosen) < 2:
        return None
    now = utcnow()
    opened = now.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=3)
    process = Process(
        council_id=council.id,
        title=simulator_title(),
        pot_pence=0,
        phase=VOTING,
        description="The council must save £1.5 million on the services below next year. Try "
        "balancing the budget yourself: move each service up or down, or change council "
        "tax, and tell the council what you would do.",
        title_cy=f"Mantoli’r gyllideb {demo_financial_year(1)}",
        description_cy="Rhaid i’r cyngor arbed £1.5 miliwn ar y gwasanaethau isod y flwyddyn nesaf. "
        "Rhowch gynnig ar fantoli’r gyllideb eich hun: symudwch bob gwasanaeth i fyny "
        "neu i lawr, neu newidiwch y dreth gyngor, a dywedwch wrth y cyngor beth fyddech "
        "chi’n ei wneud.",
        voting_from=opened.date(),
        results_from=(opened + timedelta(days=35)).date(),
        created_by_id=officer.id if officer else None,
        created_at=now - timedelta(days=20),
    )
    session.add(process)
    session.flush()
    ballot = Ballot(
        process_id=process.id,
        council_id=council.id,
        title="Balance the council's budget",
        title_cy="Mantoli cyllideb y cyngor",
        kind=SIMULATOR,
        rule="summary",
        budget_pence=0,
        eligibility=RESIDENTS,
        seed=2027,
        key_version=current_app.config["VOTER_KEY_VERSION"],
        opens_at=opened,
        closes_at=opened + timedelta(days=28, hours=8),
        frozen_at=opened,
    )
    session.add(ballot)
    session.flush()
    session.add(
        SimulatorSetup(
            ballot_id=ballot.id,
            savings_pence=SAVINGS_PENCE,
            tax_enabled=True,
            band_d_pence=BAND_D_PENCE,
            tax_base=TAX_BASE,
            tax_min_percent=-2,
            tax_max_percent=5,
        )
    )
    for n, line in enumerate(chosen):
        said = dict(zip((str(p) for p in STEPS), LINES[line.name]))
        said_cy = dict(zip((str(p) for p in STEPS), LINES_CY[line.name]))
        session.add(
            SimulatorLine(
                ballot_id=ballot.id,
                budget_line_id=line.id,
                ref=f"l{line.id}",
                service=line.ra_line,
                title=line.name,
                service_cy=simulator.welsh_service(line.ra_line),
                title_cy=line.name_cy or "",
                consequences_cy=json.dumps(said_cy, ensure_ascii=False, sort_keys=True),
                current_pence=line.net_pence,
                min_percent=-10,
                max_percent=10,
                step_percent=5,
                consequences=json.dumps(said, ensure_ascii=False, sort_keys=True),
                position=n,
            )
        )
    session.flush()
    session.add_all(simulator.freeze_options(session, ballot))
    audit.record(
        session,
        "pb.ballot_opened",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=officer.id if officer else None,
        seeded=True,
        kind=SIMULATOR,
    )
    report.append(
        f"Added the budget simulator “{simulator_title()}” (open now for verified residents: "
        "sign in as resident@demo.example)."
    )
    return ballot.id


def existing(session: Session, council: Council) -> Process | None:
    return session.exec(
        select(Process).where(Process.council_id == council.id, Process.title == simulator_title())
    ).first()
