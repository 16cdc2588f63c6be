"""Demo deliberation: the jury deliberating now, and last year's jury whose recommendations the council answered.

The current jury has met twice (evidence, witnesses, questions, a closed straw poll and one open
now) and meets twice more; its three recommendations are drafts to be voted on at the last
meeting. Last year's jury of 24 adopted four recommendations, which are the budget-setting
record's jury items with the council's responses (see pbapp.ledger.seed).

Idempotent: does nothing if the current jury already has rounds. The demo resident becomes a
confirmed juror with a portal account, so the demo shows the juror's side too. The caller commits.
"""

from __future__ import annotations

import json
import random
import secrets
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import Session, select


from pbapp import audit
from pbapp.accounts.models import User
from pbapp.councils.models import Council
from pbapp.juries.models import CONFIRMED, Attendance, Juror, Jury, JurySession
from pbapp.deliberation.models import (
    ABSTAIN,
    AGAINST,
    ALLOCATION_POLL,
    ASKED_BY_COUNCIL,
    ASKED_BY_FACILITATOR,
    ASKED_BY_JURORS,
    ASKED_BY_STAKEHOLDER,
    DECISION_ROUND,
    DELIBERATION_ROUND,
    EVIDENCE_REQUEST,
    EVIDENCE_ROUND,
    IN_FAVOUR,
    LINK_EVIDENCE,
    MARKDOWN_EVIDENCE,
    MIXED,
    NEUTRAL,
    OPPOSE,
    PDF_EVIDENCE,
    POLL_CLOSED,
    POLL_OPEN,
    REC_ADOPTED,
    REC_DRAFT,
    STATEMENT_EVIDENCE,
    SUPPORT,
    TO_OFFICER,
    TO_WITNESS,
    Evidence,
    EvidenceFile,
    EvidenceRequest,
    JurorAccount,
    PollBallot,
    PollOption,
    Question,
    Recommendation,
    RecommendationLine,
    RecommendationVersion,
    RecommendationVote,
    Round,
    StrawPoll,
    Witness,
)
from pbapp.deliberation.counting import meets_threshold
from pbapp.ledger import services as ledger
from pbapp.ledger.models import JURY_RECOMMENDATION
from pbapp.ledger.seed import ITEMS as RECORD_ITEMS
from pbapp.ledger.seed import WELSH as RECORD_WELSH
from pbapp.seed import demo_day, demo_financial_year
from pbapp.sortition.models import Person, Pool
from pbapp.timeutil import utcnow
from pbapp.links import external_url

DEMO_RESIDENT = "resident@demo.example"
DEMO_FACILITATOR = "facilitator@demo.example"
POLL_LINES = (
    "Highways and transport services",
    "Library service",
    "Street cleansing (not chargeable to highways)",
    "Recreation and sport - Sports development and community recreation",
    "Public health",
)
POLL_TOTAL = 200_000_000  # £2m of discretionary spending to split
# A tiny, valid one-page PDF, so the demo library holds a real document.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _jury(session: Session, council: Council, facilitator: User | None) -> Jury:
    """The demo jury from the juries seed, or a minimal one with twelve confirmed jurors."""
    found = session.exec(select(Jury).where(Jury.council_id == council.id).order_by(Jury.id)).first()
    if found is not None:
        return found
    pool = Pool(council_id=council.id, name="Demo jury volunteers", panel_size=12, household_salt=secrets.token_hex(16))
    session.add(pool)
    session.flush()
    jury = Jury(
        council_id=council.id,
        pool_id=pool.id,
        remit="How should the council balance its budget?",
        remit_cy="Sut ddylai'r cyngor gydbwyso ei gyllideb?",
        panel_size=12,
        starts_on=utcnow().date() - timedelta(days=21),
        ends_on=utcnow().date() + timedelta(days=35),
        honorarium_pence=5000,
        facilitator_id=facilitator.id if facilitator else None,
    )
    session.add(jury)
    session.flush()
    for n in range(12):
        person = Person(pool_id=pool.id, public_id=f"demo-{n + 1:03d}", features="{}")
        session.add(person)
        session.flush()
        session.add(Juror(jury_id=jury.id, person_id=person.id, status=CONFIRMED, responded_at=utcnow()))
    session.flush()
    return jury


def _sessions(session: Session, jury: Jury) -> list[JurySession]:
    """Four sessions: the juries seed's first ones, then enough more, a fortnight apart."""
    sessions = list(
        session.exec(
            select(JurySession).where(JurySession.jury_id == jury.id).order_by(JurySession.held_on, JurySession.id)
        ).all()
    )
    titles = (
        "Day 1: how the council's budget works",
        "Day 2: hearing from services",
        "Day 3: weighing it up",
        "Day 4: deciding what to recommend",
    )
    while len(sessions) < 4:
        held = (sessions[-1].held_on if sessions else jury.starts_on) + timedelta(days=14 if sessions else 0)
        title = titles[len(sessions)]
        sessions.append(JurySession(jury_id=jury.id, title=title, title_cy=WELSH.get(title, ""), held_on=held))
        session.add(sessions[-1])
    session.flush()
    return sessions[:4]


def _attendance(session: Session, meetings: list[JurySession], jurors: list[Juror]) -> None:
    for m, meeting in enumerate(meetings):
        marked = set(session.exec(select(Attendance.juror_id).where(Attendance.session_id == meeting.id)).all())
        session.add_all(
            [
                Attendance(session_id=meeting.id, juror_id=j.id, present=(n + m) % 11 != 0)
                for n, j in enumerate(jurors)
                if j.id not in marked
            ]
        )


def _ballots(rng: random.Random, options: list[PollOption], jurors: list[Juror], leaning: list[int]) -> list[dict]:
    """Allocation ballots that lean towards `leaning` (weights per option) and always add up to the total."""
    ballots = []
    for _ in jurors:
        weights = [max(1, w + rng.randint(-3, 3)) for w in leaning]
        units = POLL_TOTAL // 100_000_00  # whole £100,000 steps
        shares = [units * w // sum(weights) for w in weights]
        shares[0] += units - sum(shares)
        ballots.append({str(o.id): s * 100_000_00 for o, s in zip(options, shares)})
    return ballots


def _poll(
    session: Session,
    jury: Jury,
    the_round: Round,
    lines,
    question: str,
    jurors: list[Juror],
    leaning: list[int],
    rng: random.Random,
    actor_id: int | None,
    *,
    opened: datetime,
    closed: datetime | None,
) -> None:
    """An allocation poll on budget lines, answered by `jurors`; open when `closed` is None."""
    poll = StrawPoll(
        jury_id=jury.id,
        round_id=the_round.id,
        kind=ALLOCATION_POLL,
        question=question,
        question_cy=WELSH.get(question, ""),
        status=POLL_OPEN if closed is None else POLL_CLOSED,
        total_pence=POLL_TOTAL,
        opened_at=opened,
        closed_at=closed,
        created_by_id=actor_id,
    )
    session.add(poll)
    session.flush()
    options = [
        PollOption(
            poll_id=poll.id,
            position=n,
            label=line.name,
            label_cy=line.name_cy,
            budget_line_id=line.id,
            low_pence=0,
            high_pence=POLL_TOTAL,
        )
        for n, line in enumerate(lines)
    ]
    session.add_all(options)
    session.flush()
    for juror, ballot in zip(jurors, _ballots(rng, options, jurors, leaning)):
        session.add(PollBallot(poll_id=poll.id, juror_id=juror.id, choices=json.dumps(ballot, sort_keys=True)))


def _evidence(session: Session, jury: Jury, rounds: list[Round], actor_id: int | None) -> list[Witness]:
    now = utcnow()
    witnesses = [
        Witness(
            jury_id=jury.id,
            round_id=rounds[0].id,
            name="Priya Shah",
            organisation="Council finance team",
            view="Explains where the money comes from and what the council must spend by law.",
            stance=NEUTRAL,
            asked_by=ASKED_BY_COUNCIL,
        ),
        Witness(
            jury_id=jury.id,
            round_id=rounds[1].id,
            name="Dave Whittaker",
            organisation="Darwen Cycling Club",
            view="Argues for moving money from road resurfacing into safe walking and cycling routes.",
            stance=IN_FAVOUR,
            asked_by=ASKED_BY_JURORS,
        ),
        Witness(
            jury_id=jury.id,
            round_id=rounds[1].id,
            name="Jean Barker",
            organisation="Federation of Small Businesses",
            view="Warns that cutting highways maintenance will harm town-centre trade.",
            stance=AGAINST,
            asked_by=ASKED_BY_STAKEHOLDER,
        ),
        Witness(
            jury_id=jury.id,
            round_id=rounds[1].id,
            name="Dr Sam Okafor",
            organisation="Lancashire public health",
            view="Sets out the evidence on prevention spending: some clear gains, some uncertain.",
            stance=MIXED,
            asked_by=ASKED_BY_FACILITATOR,
        ),
    ]
    session.add_all(witnesses)
    session.flush()
    items = [
        Evidence(
            jury_id=jury.id,
            round_id=rounds[0].id,
            kind=MARKDOWN_EVIDENCE,
            published_at=now,
            title="The council's budget in ten minutes",
            created_by_id=actor_id,
            summary="Where the money comes from, and the services it pays for.",
            body="## Where the money comes from\n\n- **Council tax**: about a quarter\n- **Business rates**\n"
            "- **Government grants**, many of them ring-fenced\n\n## What must be spent\n\nSocial care "
            "and education take most of the budget and are largely set by law.",
        ),
        Evidence(
            jury_id=jury.id,
            round_id=rounds[0].id,
            kind=PDF_EVIDENCE,
            published_at=now,
            created_by_id=actor_id,
            title="Medium-term financial plan (summary)",
            summary="The council's own forecast for three years.",
            file_name="medium-term-financial-plan.pdf",
            file_size=len(DEMO_PDF),
        ),
        Evidence(
            jury_id=jury.id,
            round_id=rounds[1].id,
            witness_id=witnesses[1].id,
            kind=STATEMENT_EVIDENCE,
            published_at=now,
            created_by_id=actor_id,
            title="Statement: safer streets for walking and cycling",
            body="Most trips in the borough are under two miles. Safe routes would let more people walk or "
            "cycle, which costs less to maintain than roads.",
        ),
        Evidence(
            jury_id=jury.id,
            round_id=rounds[1].id,
            witness_id=witnesses[2].id,
            kind=STATEMENT_EVIDENCE,
            published_at=now,
            created_by_id=actor_id,
            title="Statement: keep the roads in good repair",
            body="Potholes cost local firms money in repairs and lost trade. Maintenance is cheaper than rebuilding.",
        ),
        Evidence(
            jury_id=jury.id,
            round_id=rounds[1].id,
            kind=LINK_EVIDENCE,
            published_at=now,
            created_by_id=actor_id,
            title="Revenue outturn statistics (GOV.UK)",
            url="https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing",
        ),
    ]
    for item in items:
        item.title_cy, item.summary_cy = WELSH.get(item.title, ""), WELSH.get(item.summary, "")
    session.add_all(items)
    session.flush()
    session.add(EvidenceFile(evidence_id=items[1].id, data=DEMO_PDF))
    return witnesses


def _questions(session: Session, jury: Jury, jurors: list[Juror], witnesses: list[Witness]) -> None:
    now = utcnow()
    session.add_all(
        [
            Question(
                jury_id=jury.id,
                juror_id=jurors[1].id,
                addressed_to=TO_OFFICER,
                published_at=now,
                answered_at=now,
                text="How much of the budget can the council actually choose how to spend?",
                answer="About £2 million of next year's spending is not committed by law or contract.",
                answered_by="Head of Finance",
            ),
            Question(
                jury_id=jury.id,
                juror_id=jurors[2].id,
                addressed_to=TO_WITNESS,
                witness_id=witnesses[1].id,
                published_at=now,
                answered_at=now,
                text="How many people would use new cycle routes?",
                answer="Towns that built connected routes saw cycling trips double within five years.",
                answered_by="Dave Whittaker",
            ),
            Question(
                jury_id=jury.id,
                juror_id=jurors[3].id,
                addressed_to=TO_OFFICER,
                published_at=now,
                answered_at=now,
                text="Would longer library opening hours cost much?",
                answer="Opening every library one more evening a week would cost about £180,000 a year.",
                answered_by="Libraries manager",
            ),
            Question(
                jury_id=jury.id,
                juror_id=jurors[0].id,
                addressed_to=TO_WITNESS,
                witness_id=witnesses[3].id,
                text="Which prevention programmes have the strongest evidence?",
            ),
        ]
    )
    session.add(
        EvidenceRequest(
            jury_id=jury.id,
            juror_id=jurors[4].id,
            kind=EVIDENCE_REQUEST,
            text="Figures on how many people use each library.",
        )
    )


# Welsh versions of the demo's public jury text: {English: Welsh}.
WELSH = {
    "Day 1: how the council's budget works": "Diwrnod 1: sut mae cyllideb y cyngor yn gweithio",
    "Day 2: hearing from services": "Diwrnod 2: clywed gan y gwasanaethau",
    "Day 3: weighing it up": "Diwrnod 3: pwyso a mesur",
    "Day 4: deciding what to recommend": "Diwrnod 4: penderfynu beth i'w argymell",
    "The council's budget in ten minutes": "Cyllideb y cyngor mewn deng munud",
    "Where the money comes from, and the services it pays for.": "O ble daw'r arian, a'r gwasanaethau y mae'n talu amdanynt.",
    "Medium-term financial plan (summary)": "Cynllun ariannol tymor canolig (crynodeb)",
    "The council's own forecast for three years.": "Rhagolwg y cyngor ei hun am dair blynedd.",
    "Statement: safer streets for walking and cycling": "Datganiad: strydoedd mwy diogel ar gyfer cerdded a beicio",
    "Statement: keep the roads in good repair": "Datganiad: cadw'r ffyrdd mewn cyflwr da",
    "Revenue outturn statistics (GOV.UK)": "Ystadegau alldro refeniw (GOV.UK)",
    "How would you split £2 million between these services?": "Sut fyddech chi'n rhannu £2 filiwn rhwng y gwasanaethau hyn?",
    "After hearing the evidence: how would you split £2 million now?": "Ar ôl clywed y dystiolaeth: sut fyddech chi'n rhannu £2 filiwn nawr?",
    "Before we meet again: how would you split £2 million?": "Cyn i ni gwrdd eto: sut fyddech chi'n rhannu £2 filiwn?",
    "Fund safe walking and cycling routes": "Ariannu llwybrau cerdded a beicio diogel",
    "Move £250,000 a year from road resurfacing into a network of safe walking and cycling routes, starting near "
    "schools.": "Symud £250,000 y flwyddyn o ailwynebu ffyrdd i rwydwaith o lwybrau cerdded a beicio diogel, gan "
    "ddechrau ger ysgolion.",
    "Move £250,000 a year from road resurfacing into a network of walking and cycling routes, starting near "
    "schools.": "Symud £250,000 y flwyddyn o ailwynebu ffyrdd i rwydwaith o lwybrau cerdded a beicio, gan ddechrau "
    "ger ysgolion.",
    "Open libraries one more evening a week": "Agor llyfrgelloedd un noson arall yr wythnos",
    "Keep every library open until 8pm one evening a week, paid for from the discretionary budget.": "Cadw pob llyfrgell ar agor tan 8pm un noson yr wythnos, wedi'i dalu o'r gyllideb ddewisol.",
    "Cut street cleansing to pay for prevention": "Torri glanhau strydoedd i dalu am atal",
    "Reduce street cleansing frequency and move £150,000 to public health prevention.": "Glanhau strydoedd yn llai aml a symud £150,000 i waith atal iechyd y cyhoedd.",
}

# (title, text, first draft's lines, agreed lines, threshold): lines are (index in POLL_LINES, pence).
RECOMMENDATIONS = (
    (
        "Fund safe walking and cycling routes",
        "Move £250,000 a year from road resurfacing into a network of safe "
        "walking and cycling routes, starting near schools.",
        ((4, 25_000_000),),
        ((0, -25_000_000), (4, 25_000_000)),
        80,
    ),
    (
        "Open libraries one more evening a week",
        "Keep every library open until 8pm one evening a week, paid for from the discretionary budget.",
        ((1, 18_000_000),),
        ((1, 18_000_000),),
        80,
    ),
    (
        "Cut street cleansing to pay for prevention",
        "Reduce street cleansing frequency and move £150,000 to public health prevention.",
        ((2, -15_000_000),),
        ((2, -15_000_000), (4, 15_000_000)),
        80,
    ),
)
# Last year's jury: its panel, its threshold and how its 24 members voted on each of its four
# recommendations (support, oppose, abstain), in the order of the record's jury items.
FINISHED_PANEL, FINISHED_THRESHOLD = 24, 75
FINISHED_VOTES = ((22, 1, 1), (20, 3, 1), (19, 4, 1), (21, 2, 1))
FINISHED_MEETINGS = (
    ("Day 1: how the council's budget works", date(2025, 11, 15)),
    ("Day 2: hearing from services", date(2025, 11, 29)),
    ("Day 3: weighing it up", date(2025, 12, 13)),
    ("Day 4: deciding what to recommend", date(2026, 1, 10)),
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _public_url(council: Council, jury: Jury, number: int) -> str:
    return external_url(
        "deliberation.public_jury", council=council.slug, jury_id=jury.id, _anchor=f"recommendation-{number}"
    )


def _versions(session: Session, rec: Recommendation, title: str, drafts, lines) -> None:
    """Save each wording of a recommendation with the budget lines it changes: (version, text, author, changes, note)."""
    for version, wording, author, changes, note in drafts:
        item = RecommendationVersion(
            recommendation_id=rec.id,
            version=version,
            title=title,
            text=wording,
            title_cy=WELSH.get(title, ""),
            text_cy=WELSH.get(wording, ""),
            author_id=author,
            note=note,
        )
        session.add(item)
        session.flush()
        session.add_all(
            [
                RecommendationLine(version_id=item.id, position=n, budget_line_id=lines[i].id, change_pence=pence)
                for n, (i, pence) in enumerate(changes)
                if i < len(lines)
            ]
        )


def _draft_recommendations(
    session: Session, jury: Jury, lines, resident: User | None, facilitator: User | None
) -> None:
    """The current jury's recommendations, worded in small groups and not yet voted on."""
    for number, (title, text, first, agreed, threshold) in enumerate(RECOMMENDATIONS, start=1):
        rec = Recommendation(jury_id=jury.id, number=number, threshold_percent=threshold, status=REC_DRAFT)
        session.add(rec)
        session.flush()
        _versions(
            session,
            rec,
            title,
            (
                (1, text.replace("safe walking", "walking"), resident.id if resident else None, first, "First draft"),
                (2, text, facilitator.id if facilitator else None, agreed, "Wording agreed in small groups"),
            ),
            lines,
        )


def _finished_pool_people(session: Session, council: Council, donor: Pool | None) -> tuple[Pool, list[Person]]:
    """Last year's pool after its retention date: pseudonymous features only, contact details erased."""
    pool = Pool(
        council_id=council.id,
        name=f"Volunteers for the {demo_financial_year(0, '/')} budget jury",
        panel_size=FINISHED_PANEL,
        retention_until=demo_day(date(2026, 7, 24)),
        household_salt=secrets.token_hex(16),
    )
    session.add(pool)
    session.flush()
    features = ["{}"] * FINISHED_PANEL
    if donor is not None:
        rows = session.exec(select(Person.features).where(Person.pool_id == donor.id).order_by(Person.id)).all()
        features = random.Random(2026).sample(list(rows), FINISHED_PANEL) if len(rows) >= FINISHED_PANEL else features
    people = [
        Person(pool_id=pool.id, public_id=f"J26-{n + 1:03d}", features=features[n]) for n in range(FINISHED_PANEL)
    ]
    session.add_all(people)
    session.flush()
    return pool, people


def _finished_jury(session: Session, council: Council, current: Jury, facilitator: User | None, lines) -> int:
    """Last year's jury, finished: its meetings, its members' votes, and its adopted recommendations on the record."""
    pool, people = _finished_pool_people(session, council, session.get(Pool, current.pool_id))
    meetings = [(title, demo_day(day)) for title, day in FINISHED_MEETINGS]
    jury = Jury(
        council_id=council.id,
        pool_id=pool.id,
        panel_size=FINISHED_PANEL,
        honorarium_pence=5000,
        remit=f"How should Blackburn with Darwen balance its {demo_financial_year(0, '/')} budget?",
        remit_cy=f"Sut ddylai Blackburn gyda Darwen gydbwyso ei chyllideb ar gyfer {demo_financial_year(0, '/')}?",
        starts_on=meetings[0][1],
        ends_on=meetings[-1][1],
        facilitator_id=facilitator.id if facilitator else None,
    )
    session.add(jury)
    session.flush()
    jurors = [
        Juror(
            jury_id=jury.id,
            person_id=p.id,
            status=CONFIRMED,
            invited_at=_at(meetings[0][1] - timedelta(days=42)),
            responded_at=_at(meetings[0][1] - timedelta(days=35)),
        )
        for p in people
    ]
    session.add_all(jurors)
    held = [
        JurySession(jury_id=jury.id, title=title, title_cy=WELSH.get(title, ""), held_on=day) for title, day in meetings
    ]
    session.add_all(held)
    session.flush()
    session.add_all(
        [
            Round(
                jury_id=jury.id,
                session_id=m.id,
                kind=kind,
                starts_at="10:00",
                place="Blackburn Town Hall",
                agenda="Welcome and recap\nEvidence and questions\nSmall-group discussion\nWhat we heard",
            )
            for m, kind in zip(held, (EVIDENCE_ROUND, EVIDENCE_ROUND, DELIBERATION_ROUND, DECISION_ROUND))
        ]
    )
    _attendance(session, held, jurors)
    decided = _at(meetings[-1][1], 16)
    items = [row for row in RECORD_ITEMS if row[0] == JURY_RECOMMENDATION]
    by_division = {line.division: line for line in lines}
    for number, ((_source, ref, title, summary, pounds, division, *_rest), counts) in enumerate(
        zip(items, FINISHED_VOTES), start=1
    ):
        rec = Recommendation(
            jury_id=jury.id,
            number=number,
            threshold_percent=FINISHED_THRESHOLD,
            vote_opened_at=decided - timedelta(hours=2),
            decided_at=decided,
        )
        session.add(rec)
        session.flush()
        line = by_division.get(division)
        version = RecommendationVersion(
            recommendation_id=rec.id,
            version=1,
            title=title,
            text=summary,
            title_cy=RECORD_WELSH.get(title, ""),
            text_cy=RECORD_WELSH.get(summary, ""),
            author_id=facilitator.id if facilitator else None,
            note="Wording agreed by the jury",
        )
        session.add(version)
        session.flush()
        if line is not None:
            session.add(
                RecommendationLine(version_id=version.id, position=0, budget_line_id=line.id, change_pence=pounds * 100)
            )
        choices = [SUPPORT] * counts[0] + [OPPOSE] * counts[1] + [ABSTAIN] * counts[2]
        session.add_all(
            [RecommendationVote(recommendation_id=rec.id, juror_id=j.id, choice=c) for j, c in zip(jurors, choices)]
        )
        rec.support_count, rec.oppose_count, rec.abstain_count = counts
        if not meets_threshold(rec.support_count, len(choices), FINISHED_THRESHOLD):
            raise AssertionError(f"the demo's recommendation {number} must pass its threshold")
        rec.status = REC_ADOPTED
        item = ledger.item_by_source(session, JURY_RECOMMENDATION, ref)
        if item is not None:
            ledger.attach_source(
                session,
                item,
                source_ref=f"jury:{jury.id}:recommendation:{rec.id}",
                public_url=_public_url(council, jury, number),
            )
            rec.record_item_id = item.id
        session.add(rec)
    audit.record(
        session,
        "jury.deliberation_seeded",
        "jury",
        jury.id,
        council_id=council.id,
        rounds=len(held),
        adopted=len(items),
    )
    return len(items)


def seed_demo_deliberation(session: Session, council: Council, report: list[str]) -> None:
    """Add the current jury's deliberation and last year's finished jury, once; the caller commits."""
    facilitator = session.exec(select(User).where(User.email == DEMO_FACILITATOR)).first()
    resident = session.exec(select(User).where(User.email == DEMO_RESIDENT)).first()
    jury = _jury(session, council, facilitator)
    if session.exec(select(Round).where(Round.jury_id == jury.id)).first() is not None:
        return
    jurors = list(
        session.exec(select(Juror).where(Juror.jury_id == jury.id, Juror.status == CONFIRMED).order_by(Juror.id)).all()
    )
    if not jurors:
        return
    if (
        resident is not None
        and not session.exec(
            select(JurorAccount).where(JurorAccount.user_id == resident.id, JurorAccount.juror_id == jurors[0].id)
        ).first()
    ):
        session.add(JurorAccount(juror_id=jurors[0].id, user_id=resident.id, name_consent=False))
    meetings = _sessions(session, jury)
    kinds = (EVIDENCE_ROUND, EVIDENCE_ROUND, DELIBERATION_ROUND, DECISION_ROUND)
    actor_id = facilitator.id if facilitator else None
    rounds = [
        Round(
            jury_id=jury.id,
            session_id=m.id,
            kind=kind,
            starts_at="10:00",
            place="Darwen Library Theatre",
            agenda="Welcome and recap\nEvidence and questions\nSmall-group discussion\nWhat we heard",
            created_by_id=actor_id,
        )
        for m, kind in zip(meetings, kinds)
    ]
    session.add_all(rounds)
    session.flush()
    today = utcnow().date()
    _attendance(session, [m for m in meetings if m.held_on <= today], jurors)
    witnesses = _evidence(session, jury, rounds, actor_id)
    _questions(session, jury, jurors, witnesses)
    by_name = {line.name: line for line in ledger.budget_lines(session, council.id)}
    lines = [by_name[name] for name in POLL_LINES if name in by_name]
    rng = random.Random(2027)
    if len(lines) >= 2:
        first, second = (_at(m.held_on, 15) for m in meetings[:2])
        _poll(
            session,
            jury,
            rounds[0],
            lines,
            "How would you split £2 million between these services?",
            jurors,
            [6, 4, 4, 3, 3][: len(lines)],
            rng,
            actor_id,
            opened=first,
            closed=first + timedelta(hours=1),
        )
        _poll(
            session,
            jury,
            rounds[1],
            lines,
            "After hearing the evidence: how would you split £2 million now?",
            jurors,
            [3, 6, 3, 4, 4][: len(lines)],
            rng,
            actor_id,
            opened=second,
            closed=second + timedelta(hours=1),
        )
        # Open until the next meeting; the demo resident's juror has not answered yet, so they can.
        _poll(
            session,
            jury,
            rounds[1],
            lines,
            "Before we meet again: how would you split £2 million?",
            jurors[1 : len(jurors) * 2 // 3],
            [4, 5, 3, 4, 4][: len(lines)],
            rng,
            actor_id,
            opened=second + timedelta(hours=2),
            closed=None,
        )
    _draft_recommendations(session, jury, lines, resident, facilitator)
    adopted = _finished_jury(session, council, jury, facilitator, ledger.budget_lines(session, council.id))
    audit.record(
        session, "jury.deliberation_seeded", "jury", jury.id, council_id=council.id, rounds=len(rounds), adopted=0
    )
    report.append(
        f"Added the demo jury's deliberation: {len(rounds)} meetings (two held), evidence from "
        f"{len(witnesses)} witnesses, two straw polls closed and one open now, and {len(RECOMMENDATIONS)} draft "
        f"recommendations; and last year's jury of {FINISHED_PANEL}, whose {adopted} adopted "
        "recommendations have the council's responses."
    )
