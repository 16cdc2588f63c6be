"""Demo budget record for Blackburn with Darwen: the 2026-27 book and the council's responses.

The book's net figures are the government's RA budget return (pbapp/seed_data/uk); divisions come from the
2024-25 outturn and directorates from pbapp/seed_data/ledger/directorates.csv. The jury recommendations and
neighbourhood-budget results are demo items, received through `services.receive_item` as the jury
and PB tools would send them.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta, timezone

from sqlmodel import Session, select

from pbapp.core.ledger import Figures, canonical_ra_line
from pbapp.councils.models import Council
from pbapp.ledger import services
from pbapp.ledger.models import (
    ACCEPTED,
    CABINET,
    DEFERRED,
    DELAYED,
    DONE,
    DRAFT,
    FINAL,
    FULL_COUNCIL,
    IN_PROGRESS,
    JURY_RECOMMENDATION,
    NOT_STARTED,
    OFFICER_SOURCE,
    PARTLY_ACCEPTED,
    PB_RESULT,
    REJECTED,
    BudgetBook,
    BudgetLine,
)
from pbapp.datafiles import seed_file
from pbapp.seed import demo_day, demo_financial_year
from pbapp.timeutil import utcnow

OTHER_DIVISIONS = "Other divisions"
PENCE_PER_THOUSAND = 100_000


def _rows(name: str) -> list[dict[str, str]]:
    with open(seed_file(name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(net: int, income_percent: int) -> tuple[int, int]:
    """Gross and income (pence, whole £000) for a net figure, so that gross - income == net exactly."""
    gross = net * 100 // (100 - income_percent) // PENCE_PER_THOUSAND * PENCE_PER_THOUSAND
    return gross, gross - net


def demo_lines() -> list[Figures]:
    """The 2026-27 book: each RA service line's divisions plus "Other divisions", reconciling to the RA net."""
    mapping = {
        (r["ra_line"], r["division"]): (r["directorate"], int(r["income_percent"]))
        for r in _rows("ledger/directorates.csv")
    }
    divisions: dict[str, list[dict[str, str]]] = {}
    for row in _rows("uk/outturn_2024_25_divisions.csv"):
        divisions.setdefault(row["ra_line"], []).append(row)
    lines = []
    for service in _rows("uk/ra_budget_2026_27.csv"):
        ra_line = canonical_ra_line(service["ra_line"]) or service["ra_line"]
        remaining = int(service["net_gbp_thousands"]) * PENCE_PER_THOUSAND
        parts = [(d["division"], int(d["net_gbp_thousands"]) * PENCE_PER_THOUSAND) for d in divisions.get(ra_line, [])]
        remaining -= sum(net for _, net in parts)
        parts.append((OTHER_DIVISIONS if parts else ra_line, remaining))
        for division, net in parts:
            directorate, percent = mapping.get((ra_line, division), mapping[(ra_line, "*")])
            gross, income = _split(net, percent)
            lines.append(
                Figures(
                    ra_line=ra_line,
                    division=division,
                    gross=gross,
                    income=income,
                    net=net,
                    directorate=directorate,
                    ra_code=service["ra_code"],
                    name=division,
                )
            )
    return lines


JURY_REF = "demo-jury-2026"
PB_REF = "demo-darwen-neighbourhood-budget-2026"
# (source, ref, title, summary, amount £, division, decided, response, milestones, change); dates as of
# pbapp.seed.DEMO_EPOCH, moved to today when seeded.
ITEMS = (
    (
        JURY_RECOMMENDATION,
        f"{JURY_REF}:1",
        "Clean the town centres more often",
        "Add early-morning and Sunday street cleansing in Blackburn and Darwen town centres, and empty litter bins daily.",
        250_000,
        "Street cleansing (not chargeable to highways)",
        date(2026, 1, 24),
        (
            ACCEPTED,
            CABINET,
            date(2026, 2, 11),
            "Cabinet agreed to fund two extra cleansing crews from April 2026. Town centres are where most "
            "residents said they notice litter, and the cost can be met within the Environment budget.",
        ),
        (
            ("Recruit two cleansing crews", DONE, date(2026, 5, 31)),
            ("Sunday cleansing in both town centres", IN_PROGRESS, date(2026, 12, 31)),
        ),
        (250_000, "Jury recommendation accepted by cabinet: two extra cleansing crews."),
    ),
    (
        JURY_RECOMMENDATION,
        f"{JURY_REF}:2",
        "Open libraries on Saturdays and two evenings a week",
        "Restore Saturday opening at every library and open until 7pm on two weekday evenings.",
        180_000,
        "Library service",
        date(2026, 1, 24),
        (
            PARTLY_ACCEPTED,
            FULL_COUNCIL,
            date(2026, 2, 26),
            "Full council agreed Saturday opening at Blackburn Central and Darwen libraries. Evening opening "
            "will be tried at Blackburn Central for a year before deciding on other libraries, because the "
            "full proposal would cost £180,000 and the budget gap could not absorb it all.",
        ),
        (
            ("Saturday opening at Blackburn Central and Darwen", DONE, date(2026, 4, 30)),
            ("Evening opening pilot at Blackburn Central", IN_PROGRESS, date(2027, 3, 31)),
        ),
        (90_000, "Jury recommendation partly accepted: Saturday opening at two libraries and an evening pilot."),
    ),
    (
        JURY_RECOMMENDATION,
        f"{JURY_REF}:3",
        "Keep the free town-centre bus link",
        "Keep the free shuttle bus linking Blackburn station, the town centre and the hospital.",
        140_000,
        "Highways and transport services",
        date(2026, 1, 24),
        (
            REJECTED,
            CABINET,
            date(2026, 2, 11),
            "Cabinet did not agree. The shuttle carries about 60 passengers a day at a cost of over £9 per "
            "journey, and the commercial routes 1 and 3 now cover the same stops every 12 minutes. The money "
            "goes instead to keeping concessionary travel for disabled residents.",
        ),
        (),
        None,
    ),
    (
        JURY_RECOMMENDATION,
        f"{JURY_REF}:4",
        "Spend more on preventing homelessness",
        "Fund two more housing advice officers to help families before they lose their home.",
        95_000,
        "Housing services (general fund only)",
        date(2026, 1, 24),
        (
            DEFERRED,
            CABINET,
            date(2026, 2, 11),
            "Cabinet will decide in the 2027-28 budget, once the government confirms the Homelessness "
            "Prevention Grant for next year, which would pay for these posts.",
        ),
        (),
        None,
    ),
    (
        PB_RESULT,
        f"{PB_REF}:youth",
        "Youth activities in Darwen",
        "Evening and holiday sessions for young people at Darwen Library Theatre and Sudell youth centre.",
        45_000,
        "Community development and safety",
        date(2026, 6, 20),
        (
            ACCEPTED,
            CABINET,
            date(2026, 7, 15),
            "Cabinet confirmed the residents' vote. The sessions will be run with Darwen youth groups.",
        ),
        (
            ("Choose the youth groups to run the sessions", DONE, date(2026, 8, 31)),
            ("Summer holiday sessions", DONE, date(2026, 9, 5)),
            ("Weekly evening sessions through the winter", IN_PROGRESS, date(2027, 3, 31)),
        ),
        None,
    ),
    (
        PB_RESULT,
        f"{PB_REF}:play",
        "New play equipment at Whitehall Park",
        "Replace the worn-out climbing frame and add accessible swings.",
        60_000,
        "Recreation and sport - Sports development and community recreation",
        date(2026, 6, 20),
        (ACCEPTED, CABINET, date(2026, 7, 15), "Cabinet confirmed the residents' vote."),
        (("Order the equipment", DONE, date(2026, 9, 30)), ("Install the equipment", DELAYED, date(2026, 10, 31))),
        None,
    ),
    (
        PB_RESULT,
        f"{PB_REF}:verges",
        "Wildflower verges and trees on Bolton Road",
        "Sow wildflowers on the Bolton Road verges and plant 40 street trees.",
        18_000,
        None,
        date(2026, 6, 20),
        (ACCEPTED, CABINET, date(2026, 7, 15), "Cabinet confirmed the residents' vote."),
        (("Plant the trees in the planting season", NOT_STARTED, date(2026, 12, 15)),),
        None,
    ),
    (
        PB_RESULT,
        f"{PB_REF}:pantry",
        "A community food pantry in Darwen East",
        "Fit out an empty shop on Duckworth Street as a community food pantry.",
        25_000,
        None,
        date(2026, 6, 20),
        (
            REJECTED,
            CABINET,
            date(2026, 7, 15),
            "Cabinet could not go ahead: the shop's owner withdrew the lease offer. The £25,000 stays in the "
            "Darwen neighbourhood budget for the next round, and the group has been offered help to find another site.",
        ),
        (),
        None,
    ),
)
# Decided long enough ago that its two months have run out, whenever the demo is seeded.
OVERDUE_ITEM = (
    PB_RESULT,
    f"{PB_REF}:school-routes",
    "Safer walking routes to school in Darwen South",
    "Build out kerbs and add a zebra crossing on the walking routes to Darwen Vale and Sunnyhurst schools.",
    30_000,
    None,
)
# Welsh versions of the demo record: {English: Welsh} for titles, summaries, reasons and milestones.
WELSH = {
    "Clean the town centres more often": "Glanhau canol y trefi yn amlach",
    "Add early-morning and Sunday street cleansing in Blackburn and Darwen town centres, and empty litter bins daily.": "Ychwanegu glanhau strydoedd yn gynnar yn y bore ac ar ddydd Sul yng nghanol trefi Blackburn a Darwen, a "
    "gwagio biniau sbwriel bob dydd.",
    "Cabinet agreed to fund two extra cleansing crews from April 2026. Town centres are where most "
    "residents said they notice litter, and the cost can be met within the Environment budget.": "Cytunodd y Cabinet i ariannu dau griw glanhau ychwanegol o fis Ebrill 2026. Canol y trefi yw lle dywedodd "
    "y rhan fwyaf o drigolion eu bod yn sylwi ar sbwriel, a gellir talu'r gost o fewn cyllideb yr Amgylchedd.",
    "Recruit two cleansing crews": "Recriwtio dau griw glanhau",
    "Sunday cleansing in both town centres": "Glanhau ar ddydd Sul yng nghanol y ddwy dref",
    "Open libraries on Saturdays and two evenings a week": "Agor llyfrgelloedd ar ddydd Sadwrn a dwy noson yr wythnos",
    "Restore Saturday opening at every library and open until 7pm on two weekday evenings.": "Adfer oriau agor ar ddydd Sadwrn ym mhob llyfrgell ac agor tan 7pm ar ddwy noson yn ystod yr wythnos.",
    "Full council agreed Saturday opening at Blackburn Central and Darwen libraries. Evening opening "
    "will be tried at Blackburn Central for a year before deciding on other libraries, because the "
    "full proposal would cost £180,000 and the budget gap could not absorb it all.": "Cytunodd y cyngor llawn i agor llyfrgelloedd Blackburn Canolog a Darwen ar ddydd Sadwrn. Bydd agor gyda'r "
    "nos yn cael ei dreialu yn Blackburn Canolog am flwyddyn cyn penderfynu ar lyfrgelloedd eraill, oherwydd "
    "byddai'r cynnig llawn yn costio £180,000 ac ni allai'r bwlch yn y gyllideb ei amsugno i gyd.",
    "Saturday opening at Blackburn Central and Darwen": "Agor ar ddydd Sadwrn yn Blackburn Canolog a Darwen",
    "Evening opening pilot at Blackburn Central": "Cynllun peilot agor gyda'r nos yn Blackburn Canolog",
    "Keep the free town-centre bus link": "Cadw'r bws am ddim i ganol y dref",
    "Keep the free shuttle bus linking Blackburn station, the town centre and the hospital.": "Cadw'r bws gwennol am ddim sy'n cysylltu gorsaf Blackburn, canol y dref a'r ysbyty.",
    "Cabinet did not agree. The shuttle carries about 60 passengers a day at a cost of over £9 per "
    "journey, and the commercial routes 1 and 3 now cover the same stops every 12 minutes. The money "
    "goes instead to keeping concessionary travel for disabled residents.": "Ni chytunodd y Cabinet. Mae'r bws gwennol yn cludo tua 60 o deithwyr y dydd ar gost o dros £9 y daith, "
    "ac mae llwybrau masnachol 1 a 3 bellach yn gwasanaethu'r un arosfannau bob 12 munud. Bydd yr arian yn "
    "mynd yn hytrach at gadw teithio rhatach i drigolion anabl.",
    "Spend more on preventing homelessness": "Gwario mwy ar atal digartrefedd",
    "Fund two more housing advice officers to help families before they lose their home.": "Ariannu dau swyddog cyngor tai arall i helpu teuluoedd cyn iddynt golli eu cartref.",
    "Cabinet will decide in the 2027-28 budget, once the government confirms the Homelessness "
    "Prevention Grant for next year, which would pay for these posts.": "Bydd y Cabinet yn penderfynu yng nghyllideb 2027-28, unwaith y bydd y llywodraeth yn cadarnhau'r Grant "
    "Atal Digartrefedd ar gyfer y flwyddyn nesaf, a fyddai'n talu am y swyddi hyn.",
    "Youth activities in Darwen": "Gweithgareddau i bobl ifanc yn Darwen",
    "Evening and holiday sessions for young people at Darwen Library Theatre and Sudell youth centre.": "Sesiynau gyda'r nos ac yn y gwyliau i bobl ifanc yn Theatr Llyfrgell Darwen a chanolfan ieuenctid Sudell.",
    "Cabinet confirmed the residents' vote. The sessions will be run with Darwen youth groups.": "Cadarnhaodd y Cabinet bleidlais y trigolion. Bydd y sesiynau'n cael eu cynnal gyda grwpiau ieuenctid Darwen.",
    "Choose the youth groups to run the sessions": "Dewis y grwpiau ieuenctid i gynnal y sesiynau",
    "Summer holiday sessions": "Sesiynau gwyliau'r haf",
    "Weekly evening sessions through the winter": "Sesiynau wythnosol gyda'r nos drwy'r gaeaf",
    "New play equipment at Whitehall Park": "Offer chwarae newydd ym Mharc Whitehall",
    "Replace the worn-out climbing frame and add accessible swings.": "Newid y ffrâm ddringo sydd wedi treulio ac ychwanegu siglenni hygyrch.",
    "Cabinet confirmed the residents' vote.": "Cadarnhaodd y Cabinet bleidlais y trigolion.",
    "Order the equipment": "Archebu'r offer",
    "Install the equipment": "Gosod yr offer",
    "Wildflower verges and trees on Bolton Road": "Blodau gwyllt ar yr ymylon a choed ar Bolton Road",
    "Sow wildflowers on the Bolton Road verges and plant 40 street trees.": "Hau blodau gwyllt ar ymylon Bolton Road a phlannu 40 o goed stryd.",
    "Plant the trees in the planting season": "Plannu'r coed yn y tymor plannu",
    "A community food pantry in Darwen East": "Pantri bwyd cymunedol yn Nwyrain Darwen",
    "Fit out an empty shop on Duckworth Street as a community food pantry.": "Gosod siop wag ar Duckworth Street yn bantri bwyd cymunedol.",
    "Cabinet could not go ahead: the shop's owner withdrew the lease offer. The £25,000 stays in the "
    "Darwen neighbourhood budget for the next round, and the group has been offered help to find another site.": "Ni allai'r Cabinet fwrw ymlaen: tynnodd perchennog y siop y cynnig prydles yn ôl. Mae'r £25,000 yn aros "
    "yng nghyllideb gymdogaeth Darwen ar gyfer y rownd nesaf, a chynigiwyd help i'r grŵp ddod o hyd i safle arall.",
    "Safer walking routes to school in Darwen South": "Llwybrau cerdded mwy diogel i'r ysgol yn Ne Darwen",
    "Build out kerbs and add a zebra crossing on the walking routes to Darwen Vale and Sunnyhurst schools.": "Ymestyn cyrbau ac ychwanegu croesfan sebra ar y llwybrau cerdded i ysgolion Darwen Vale a Sunnyhurst.",
}


OFFICER_CHANGES = (
    (
        "Adult social care",
        "Adult social care",
        1_200_000,
        "More older residents need home care; demand growth confirmed in the January forecast.",
    ),
    (
        "Central services",
        "Corporate and Democratic Core",
        -300_000,
        "Savings from sharing democratic services support with a neighbouring council.",
    ),
)


def _at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


def seed_demo_ledger(session: Session, council: Council, report: list[str]) -> None:
    """Add the demo book (draft and final for this financial year) and the responded-to items, once."""
    if session.exec(select(BudgetBook.id).where(BudgetBook.council_id == council.id)).first() is not None:
        return
    # The figures are the 2026-27 return; the label follows the demo's dates (see pbapp.seed.DEMO_EPOCH).
    year = demo_financial_year()
    draft = services.add_book(
        session, council, demo_lines(), financial_year=year, stage=DRAFT, title=f"Budget {year}", actor_id=None
    )
    draft.title_cy = f"Cyllideb {year}"
    names_cy = {row["english"]: row["welsh"] for row in _rows("ledger/names_cy.csv")}
    for line in services.lines_of(session, draft.id):
        line.name_cy = names_cy.get(line.name, "")
        session.add(line)
    session.flush()
    final = services.add_version(session, draft, stage=DRAFT, actor_id=None)
    final.title_cy = draft.title_cy
    lines = {line.division: line for line in services.lines_of(session, final.id)}
    for source, ref, title, summary, pounds, division, decided, response, steps, change in ITEMS:
        decided = demo_day(decided)
        item = services.receive_item(
            session,
            council_id=council.id,
            source=source,
            source_ref=ref,
            title=title,
            summary=summary,
            public_url="",
            amount_pence=pounds * 100,
            budget_line_id=lines[division].id if division else None,
            decided_at=_at_noon(decided),
            received_at=_at_noon(decided),
            title_cy=WELSH.get(title, ""),
            summary_cy=WELSH.get(summary, ""),
        )
        outcome, decided_by, decided_on, reasons = response
        decided_on = demo_day(decided_on)
        answer = services.apply_response(
            session, item, outcome=outcome, reasons=reasons, decided_by=decided_by, decided_on=decided_on, actor_id=None
        )
        answer.reasons_cy = WELSH.get(reasons, "")
        for step_title, status, due in steps:
            due = demo_day(due)
            step = services.apply_milestone(
                session, item, title=step_title, due_on=due, status=NOT_STARTED, actor_id=None
            )
            step.title_cy = WELSH.get(step_title, "")
            if status != NOT_STARTED:
                services.apply_milestone_update(
                    session,
                    step,
                    status=status,
                    completed_on=due if status == DONE else None,
                    evidence_url="",
                    evidence_note="",
                    actor_id=None,
                )
        if change is not None:
            _change(session, council, final, lines[division], change[0] * 100, source, item.id, change[1])
    source, ref, title, summary, pounds, _ = OVERDUE_ITEM
    decided = utcnow() - timedelta(days=90)
    services.receive_item(
        session,
        council_id=council.id,
        source=source,
        source_ref=ref,
        title=title,
        summary=summary,
        public_url="",
        amount_pence=pounds * 100,
        decided_at=decided,
        received_at=decided + timedelta(hours=2),
        title_cy=WELSH[title],
        summary_cy=WELSH[summary],
    )
    for ra_line, division, pounds, reason in OFFICER_CHANGES:
        line = next(line for line in lines.values() if line.ra_line == ra_line and line.division == division)
        _change(session, council, final, line, pounds * 100, OFFICER_SOURCE, None, reason)
    services.apply_stage(session, final, stage=FINAL, actor_id=None)
    report.append(
        f"Added the {year} budget book (draft and final, "
        f"{len(services.lines_of(session, final.id))} lines) and "
        f"{len(ITEMS) + 1} jury recommendations and PB results with the council's responses."
    )


def _change(
    session: Session,
    council: Council,
    book: BudgetBook,
    line: BudgetLine,
    extra_gross: int,
    source: str,
    item_id: int | None,
    reason: str,
) -> None:
    services.apply_change(
        session,
        council,
        book,
        line,
        gross_pence=line.gross_pence + extra_gross,
        income_pence=line.income_pence,
        source=source,
        item_id=item_id,
        reason=reason,
        actor_id=None,
    )
