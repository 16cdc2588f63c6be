"""Demo data for pb: last year's counted neighbourhood budget, this year's open one, and an open council-wide vote.

Last year's Darwen and West Pennine vote is counted and published; this year's is open now by the
code on a letter (a batch of letters is printed, and the seed reports one code), so anyone trying
the demo can vote, see the budget meter, change their vote and get a receipt. Dates are written as of
pbapp.seed.DEMO_EPOCH and moved to the day the demo is seeded.

Deterministic: the ballots come from a seeded generator, so every run gives the same votes,
log hashes and result. Votes and log entries are inserted in bulk.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import secrets
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.councils.models import Area, Council
from pbapp.pb import counting, services
from pbapp.pb.models import (
    CUMULATIVE,
    FEASIBLE,
    KNAPSACK,
    MATCHED,
    NOT_FEASIBLE,
    ONLINE,
    PAPER,
    BOOTH,
    RESULTS,
    CODES,
    RESIDENTS,
    VOTING,
    Ballot,
    BallotLogEntry,
    BallotOption,
    PaperBallotEntry,
    PROPOSALS,
    ParticipantAnswer,
    Process,
    Proposal,
    ProposalComment,
    Result,
    Vote,
    random_id,
)
from pbapp.datafiles import seed_file
from pbapp.seed import demo_at, demo_day, demo_financial_year
from pbapp.timeutil import utcnow

NEIGHBOURHOOD = "Darwen and West Pennine"
POT_PENCE = 150_000_00
OPEN_POT_PENCE = 120_000_00
LETTERS = 400
VOTERS = 3_000
# Every test that needs the demo council seeds it, so the suite uses fewer synthetic ballots.
TEST_VOTERS = 300
PAPER_SHARE, BOOTH_SHARE = 0.06, 0.03


def _rows(name: str) -> list[dict[str, str]]:
    with open(seed_file(name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def neighbourhood_title(ahead: int = 0) -> str:
    """Title of the Darwen and West Pennine neighbourhood budget: this year's (0) or next year's (1)."""
    return f"{NEIGHBOURHOOD} neighbourhood budget {demo_financial_year(ahead)}"


def priorities_title() -> str:
    return f"Budget priorities {demo_financial_year(1)}"


NEIGHBOURHOOD_CY = "Darwen a Gorllewin y Pennines"
NEIGHBOURHOOD_DESCRIPTION_CY = (
    "Mae trigolion Darwen, Gorllewin y Pennines a Lower Darwen yn penderfynu sut i wario {pot} ar eu cymdogaeth."
)
NEIGHBOURHOOD_BALLOT_CY = "Dewiswch brosiectau ar gyfer Darwen a Gorllewin y Pennines"


def neighbourhood_title_cy(ahead: int = 0) -> str:
    """The Welsh title of the neighbourhood budget (shown to Welsh readers)."""
    return f"Cyllideb gymdogaeth {NEIGHBOURHOOD_CY} {demo_financial_year(ahead)}"


def priorities_title_cy() -> str:
    return f"Blaenoriaethau'r gyllideb {demo_financial_year(1)}"


def seed_demo_pb(session: Session, council: Council, report: list[str]) -> None:
    """Add last year's neighbourhood budget (counted and published), this year's (open) and a priorities vote."""
    if session.exec(
        select(Process).where(Process.council_id == council.id, Process.title == neighbourhood_title())
    ).first():
        return
    officer = _user(session, "officer@demo.example")
    admin = _user(session, "admin@demo.example")
    ballots = _neighbourhood_budget(session, council, officer, admin)
    _budget_priorities(session, council, officer)
    code = _open_neighbourhood_budget(session, council, officer)
    _ideas_wanted(session, council, officer)
    from pbapp.pb.simulator_seed import seed_demo_simulator

    seed_demo_simulator(session, council, officer, report)
    report.append(
        f"Added the {neighbourhood_title()} ({ballots:,} ballots, counted by Equal Shares), "
        f"the {neighbourhood_title(1)} (open now, with {LETTERS} letters printed) "
        f"and an open vote on {priorities_title()}."
    )
    if code:
        report.append(
            f"Try the open neighbourhood vote with the letter code {code}, or sign in as resident@demo.example."
        )


IDEAS_SUPPORTS_NEEDED = 3


def ideas_title() -> str:
    return f"Parks and green spaces fund {demo_financial_year(1)}"


def ideas_title_cy() -> str:
    return f"Cronfa parciau a mannau gwyrdd {demo_financial_year(1)}"


def _ideas_wanted(session: Session, council: Council, officer: User | None) -> None:
    """A council-wide fund gathering ideas now: residents can support, follow and comment on them."""
    now = utcnow()
    process = Process(
        council_id=council.id,
        title=ideas_title(),
        pot_pence=6_000_000,
        phase=PROPOSALS,
        description="Ideas for the borough's parks and green spaces. Support the ideas you like: "
        f"an idea goes to the council's review once {IDEAS_SUPPORTS_NEEDED} residents support it.",
        title_cy=ideas_title_cy(),
        description_cy="Syniadau ar gyfer parciau a mannau gwyrdd y fwrdeistref. Cefnogwch y syniadau rydych "
        "yn eu hoffi: mae syniad yn mynd i adolygiad y cyngor pan fydd "
        f"{IDEAS_SUPPORTS_NEEDED} o drigolion yn ei gefnogi.",
        support_threshold=IDEAS_SUPPORTS_NEEDED,
        proposals_from=(now - timedelta(days=14)).date(),
        review_from=(now + timedelta(days=30)).date(),
        voting_from=(now + timedelta(days=75)).date(),
        created_by_id=officer.id if officer else None,
    )
    session.add(process)
    session.flush()
    areas = _areas(session, council)
    resident = _user(session, "resident@demo.example")
    for n, row in enumerate(_rows("pb/green_ideas.csv")):
        mine = n == 1 and resident is not None  # the demo resident put one idea forward and comments on it
        proposal = Proposal(
            process_id=process.id,
            council_id=council.id,
            area_id=areas[row["ward"]].id,
            title=row["title"],
            description=row["description"],
            title_cy=row["title_cy"],
            description_cy=row["description_cy"],
            estimated_cost_pence=int(row["cost_pounds"]) * 100,
            group_name=row["group"],
            submitter_id=resident.id if mine else None,
            created_at=now - timedelta(days=12 - 2 * n),
        )
        session.add(proposal)
        session.flush()
        if mine:
            session.add(
                ProposalComment(
                    proposal_id=proposal.id,
                    council_id=council.id,
                    author_id=resident.id,
                    body="The gate by the car park is too narrow for a double buggy too: could the path start there?",
                    created_at=now - timedelta(days=3),
                )
            )


def _areas(session: Session, council: Council) -> dict[str, Area]:
    return {a.name: a for a in session.exec(select(Area).where(Area.council_id == council.id)).all()}


def _neighbourhood_budget(session: Session, council: Council, officer: User | None, admin: User | None) -> int:
    areas = _areas(session, council)
    area = areas[NEIGHBOURHOOD]
    process = Process(
        council_id=council.id,
        area_id=area.id,
        title=neighbourhood_title(),
        pot_pence=POT_PENCE,
        description="Residents of Darwen, West Pennine and Lower Darwen decide how to spend "
        "£150,000 on their neighbourhood.",
        title_cy=neighbourhood_title_cy(),
        description_cy=NEIGHBOURHOOD_DESCRIPTION_CY.format(pot="£150,000"),
        phase=RESULTS,
        proposals_from=demo_day(date(2026, 5, 1)),
        review_from=demo_day(date(2026, 7, 1)),
        voting_from=demo_day(date(2026, 9, 14)),
        results_from=demo_day(date(2026, 10, 19)),
        delivery_from=demo_day(date(2027, 1, 4)),
        created_by_id=officer.id if officer else None,
        created_at=demo_at(datetime(2026, 4, 20, 9, tzinfo=timezone.utc)),
    )
    session.add(process)
    session.flush()
    popularity: dict[str, int] = {}
    proposals = _reviewed_proposals(
        session,
        council,
        process,
        areas,
        "pb/darwen_proposals.csv",
        officer,
        demo_at(datetime(2026, 8, 28, 12, tzinfo=timezone.utc)),
    )
    ballot = Ballot(
        process_id=process.id,
        council_id=council.id,
        title="Choose projects for Darwen and West Pennine",
        title_cy=NEIGHBOURHOOD_BALLOT_CY,
        kind=KNAPSACK,
        budget_pence=POT_PENCE,
        rule="equalshares/add1",
        utility="cost",
        partial_funding=True,
        eligibility=CODES,
        seed=2026,
        key_version=current_app.config["VOTER_KEY_VERSION"],
        opens_at=demo_at(datetime(2026, 9, 14, 9, tzinfo=timezone.utc)),
        closes_at=demo_at(datetime(2026, 10, 12, 17, tzinfo=timezone.utc)),
        frozen_at=demo_at(datetime(2026, 9, 14, 9, tzinfo=timezone.utc)),
        closed_at=demo_at(datetime(2026, 10, 12, 17, tzinfo=timezone.utc)),
    )
    session.add(ballot)
    session.flush()
    options = []
    for n, (proposal, weight) in enumerate(p for p in proposals if p[0].status == FEASIBLE):
        option = BallotOption(
            ballot_id=ballot.id,
            ref=f"p{proposal.id}",
            proposal_id=proposal.id,
            title=proposal.title,
            description=proposal.description,
            title_cy=proposal.title_cy,
            description_cy=proposal.description_cy,
            cost_pence=proposal.cost_pence,
            position=n,
        )
        options.append(option)
        popularity[option.ref] = weight
    session.add_all(options)
    session.flush()
    wards = [a for a in areas.values() if a.neighbourhood_id == area.id]
    voters = current_app.config.get("PB_DEMO_BALLOTS") or (TEST_VOTERS if current_app.testing else VOTERS)
    votes = _synthetic_ballots(options, popularity, voters)
    _insert_votes(session, ballot, votes, wards, officer, admin)
    _about_you_answers(session, ballot, len(votes))
    settings = {**_settings(ballot)}
    option_dicts = [
        {"ref": o.ref, "title": o.title, "cost_pence": o.cost_pence, "min_pence": 0, "max_pence": 0} for o in options
    ]
    computed = counting.count(settings, option_dicts, [choices for choices, _channel in votes])
    head = session.exec(
        select(BallotLogEntry.hash)
        .where(BallotLogEntry.ballot_id == ballot.id)
        .order_by(BallotLogEntry.seq.desc())
        .limit(1)
    ).one()
    session.add(
        Result(
            ballot_id=ballot.id,
            rule=ballot.rule,
            computed=json.dumps(computed, sort_keys=True),
            voters=len(votes),
            log_head=head,
            computed_at=ballot.closed_at + timedelta(minutes=5),
            official_selected=json.dumps(computed["selected"]),
            decided_by_id=officer.id if officer else None,
            decided_at=demo_at(datetime(2026, 10, 19, 10, tzinfo=timezone.utc)),
        )
    )
    ballot.results_published_at = demo_at(datetime(2026, 10, 19, 10, tzinfo=timezone.utc))
    session.flush()
    _to_record(session, council, process, ballot, options, computed["selected"])
    audit.record(
        session,
        "pb.results_published",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=officer.id if officer else None,
        log_head=head,
        selected=computed["selected"],
        seeded=True,
    )
    return len(votes)


def _reviewed_proposals(
    session: Session,
    council: Council,
    process: Process,
    areas: dict[str, Area],
    name: str,
    officer: User | None,
    reviewed_at: datetime,
) -> list[tuple[Proposal, int]]:
    """The proposals in seed/`name`, reviewed and published, with how popular each is with the demo's voters."""
    proposals = []
    for row in _rows(name):
        feasible = row["feasible"] == "yes"
        proposal = Proposal(
            process_id=process.id,
            council_id=council.id,
            area_id=areas[row["ward"]].id,
            title=row["title"],
            description=row["description"],
            title_cy=row.get("title_cy", ""),
            description_cy=row.get("description_cy", ""),
            estimated_cost_pence=int(row["cost_pounds"]) * 100,
            status=FEASIBLE if feasible else NOT_FEASIBLE,
            review_feasible=feasible,
            review_reason=row["review_reason"],
            reviewed_by_id=officer.id if officer else None,
            review_published_at=reviewed_at,
        )
        session.add(proposal)
        proposals.append((proposal, int(row["popularity"])))
    session.flush()
    return proposals


def _settings(ballot: Ballot) -> dict:
    return {
        "title": ballot.title,
        "kind": ballot.kind,
        "budget_pence": ballot.budget_pence,
        "rule": ballot.rule,
        "utility": ballot.utility,
        "seed": ballot.seed,
        "partial_funding": ballot.partial_funding,
        "min_choices": ballot.min_choices,
        "max_choices": ballot.max_choices,
        "total_points": ballot.total_points,
        "max_per_project": ballot.max_per_project,
        "min_spend_percent": ballot.min_spend_percent,
    }


def _synthetic_ballots(
    options: list[BallotOption], popularity: dict[str, int], voters: int
) -> list[tuple[list[str], str]]:
    """Knapsack ballots: each voter adds projects they like, most liked first, while they fit."""
    rng = random.Random(20261012)
    ballots = []
    for _n in range(voters):
        liked = [o for o in options if rng.random() < popularity[o.ref] / 11]
        rng.shuffle(liked)
        liked.sort(key=lambda o: -popularity[o.ref] * rng.random())
        chosen, spent = [], 0
        for option in liked:
            if spent + option.cost_pence <= POT_PENCE:
                chosen.append(option.ref)
                spent += option.cost_pence
        roll = rng.random()
        channel = PAPER if roll < PAPER_SHARE else BOOTH if roll < PAPER_SHARE + BOOTH_SHARE else ONLINE
        ballots.append((sorted(chosen, key=lambda ref: int(ref[1:])), channel))
    return ballots


def _insert_votes(session: Session, ballot: Ballot, votes, wards, officer, admin) -> None:
    rng = random.Random(7)
    vote_rows, paper_rows = [], []
    when = ballot.opens_at
    for n, (choices, channel) in enumerate(votes, start=1):
        voter_key = hashlib.sha256(f"seed-voter:{ballot.id}:{n}".encode()).hexdigest()
        when = when + timedelta(seconds=rng.randint(30, 700))
        ward = rng.choice(wards) if wards else None
        vote_rows.append(
            {
                "id": random_id(),
                "ballot_id": ballot.id,
                "voter_key": voter_key,
                "choices": json.dumps(choices, sort_keys=True),
                "channel": channel,
                "area_id": ward.id if ward else None,
                "receipt": secrets.token_hex(32),
                "changes": 0,
            }
        )
        if channel != ONLINE and officer and admin:
            paper_rows.append(
                {
                    "ballot_id": ballot.id,
                    "paper_ref": f"DWP-{n:05d}",
                    "channel": channel,
                    "area_id": ward.id if ward else None,
                    "first_choices": json.dumps(choices, sort_keys=True),
                    "first_by_id": officer.id,
                    "second_choices": json.dumps(choices, sort_keys=True),
                    "second_by_id": admin.id,
                    "status": MATCHED,
                    "created_at": when,
                }
            )
    session.execute(Vote.__table__.insert(), vote_rows)
    services.seal_log(session, ballot)  # the log a count seals: one entry per voter, in receipt order
    if paper_rows:
        session.execute(PaperBallotEntry.__table__.insert(), paper_rows)


# Who answered the optional questions after voting, as such surveys go: about a third of voters,
# older people more than younger, and a few who prefer not to say.
ABOUT_YOU_SHARE = 0.35
_AGE_LEANING = {"18-24": 0.5, "25-34": 0.7, "35-49": 0.9, "50-64": 1.3, "65-74": 1.5, "75+": 1.0}


def _about_you_answers(session: Session, ballot: Ballot, voters: int) -> None:
    """Totals of the demo's "about you" answers, drawn around the census so the comparison has something to show."""
    from pbapp.pb.participation import PREFER_NOT
    from pbapp.sortition.census import census_shares

    rng = random.Random(20261013)
    shares = census_shares()
    weights = {
        "age": {band: share * _AGE_LEANING[band] for band, share in shares["age"].items()},
        "sex": {"female": 0.56, "male": 0.44},
        "ethnicity": {
            "white": shares["ethnicity"]["White"] * 1.15,
            "asian": shares["ethnicity"]["Asian or Asian British"] * 0.8,
            "mixed": 0.012,
            "black": 0.006,
            "other": 0.01,
        },
        "disability": {"limited_lot": 0.09, "limited_little": 0.12, "not_limited": 0.79},
    }
    totals: dict[tuple[str, str], int] = {}
    for _n in range(round(voters * ABOUT_YOU_SHARE)):
        for key, question_weights in weights.items():
            answers = [*question_weights, PREFER_NOT]
            chosen = rng.choices(answers, [*question_weights.values(), 0.04])[0]
            totals[(key, chosen)] = totals.get((key, chosen), 0) + 1
    session.execute(
        ParticipantAnswer.__table__.insert(),
        [{"ballot_id": ballot.id, "question": q, "answer": a, "count": n} for (q, a), n in sorted(totals.items())],
    )


def _to_record(session, council, process, ballot, options, selected) -> None:
    try:
        from pbapp.ledger import services as ledger
    except ImportError:  # the budget record is optional for the demo
        return
    by_ref = {o.ref: o for o in options}
    for ref in selected:
        option = by_ref[ref]
        ledger.receive_item(
            session,
            council_id=council.id,
            source="pb_result",
            source_ref=f"pb:{process.id}:{ref}",
            title=option.title,
            summary=f"Funded by residents' vote in {process.title}.",
            title_cy=option.title_cy,
            summary_cy=f"Wedi'i ariannu gan bleidlais y trigolion yn {process.title_cy}." if process.title_cy else "",
            public_url=f"/pb/{council.slug}/ballots/{ballot.id}/results",
            amount_pence=option.cost_pence,
            decided_at=ballot.results_published_at,
        )


def _budget_priorities(session: Session, council: Council, officer: User | None) -> None:
    now = utcnow()
    # A points ballot on services: no pot of money is shared out, so none is shown.
    process = Process(
        council_id=council.id,
        title=priorities_title(),
        pot_pence=0,
        phase=VOTING,
        description="Tell the council which services matter most to you as it sets next year's budget.",
        title_cy=priorities_title_cy(),
        description_cy="Dywedwch wrth y cyngor pa wasanaethau sydd bwysicaf i chi wrth iddo osod "
        "cyllideb y flwyddyn nesaf.",
        voting_from=now.date(),
        results_from=(now + timedelta(days=35)).date(),
        created_by_id=officer.id if officer else None,
    )
    session.add(process)
    session.flush()
    ballot = Ballot(
        process_id=process.id,
        council_id=council.id,
        title="Share 100 points between council services",
        title_cy="Rhannwch 100 pwynt rhwng gwasanaethau'r cyngor",
        kind=CUMULATIVE,
        budget_pence=0,
        total_points=100,
        max_per_project=40,
        rule="greedy",
        eligibility=RESIDENTS,
        seed=2027,
        key_version=current_app.config["VOTER_KEY_VERSION"],
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=28),
        frozen_at=now - timedelta(days=2),
    )
    session.add(ballot)
    session.flush()
    for n, row in enumerate(_rows("pb/budget_priorities.csv")):
        proposal = Proposal(
            process_id=process.id,
            council_id=council.id,
            title=row["title"],
            description=row["description"],
            title_cy=row["title_cy"],
            description_cy=row["description_cy"],
            estimated_cost_pence=0,
            status=FEASIBLE,
            review_feasible=True,
            review_published_at=now - timedelta(days=3),
        )
        session.add(proposal)
        session.flush()
        session.add(
            BallotOption(
                ballot_id=ballot.id,
                ref=f"p{proposal.id}",
                proposal_id=proposal.id,
                title=proposal.title,
                description=proposal.description,
                title_cy=proposal.title_cy,
                description_cy=proposal.description_cy,
                position=n,
            )
        )
    audit.record(
        session,
        "pb.ballot_opened",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=officer.id if officer else None,
        seeded=True,
    )


def _open_neighbourhood_budget(session: Session, council: Council, officer: User | None) -> str | None:
    """This year's neighbourhood vote, open now by the code on each home's letter; returns one printed code to try."""
    areas = _areas(session, council)
    area = areas[NEIGHBOURHOOD]
    now = utcnow()
    opened = now.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=4)
    process = Process(
        council_id=council.id,
        area_id=area.id,
        title=neighbourhood_title(1),
        pot_pence=OPEN_POT_PENCE,
        title_cy=neighbourhood_title_cy(1),
        description_cy=NEIGHBOURHOOD_DESCRIPTION_CY.format(pot="£120,000")
        + (
            " Pleidleisiwch gyda'r cod ar y llythyr a anfonwyd i bob cartref; mewngofnodwch yn gyntaf "
            "i allu newid eich pleidlais heb y llythyr."
        ),
        description="Residents of Darwen, West Pennine and Lower Darwen decide how to spend "
        "£120,000 on their neighbourhood. Vote with the code on the letter sent to every "
        "home; sign in first to be able to change your vote without the letter.",
        phase=VOTING,
        proposals_from=(now - timedelta(days=90)).date(),
        review_from=(now - timedelta(days=40)).date(),
        voting_from=opened.date(),
        results_from=(opened + timedelta(days=35)).date(),
        created_by_id=officer.id if officer else None,
        created_at=now - timedelta(days=100),
    )
    session.add(process)
    session.flush()
    proposals = _reviewed_proposals(
        session, council, process, areas, "pb/darwen_proposals_open.csv", officer, now - timedelta(days=10)
    )
    options = [
        BallotOption(
            ref=f"p{p.id}",
            proposal_id=p.id,
            title=p.title,
            description=p.description,
            title_cy=p.title_cy,
            description_cy=p.description_cy,
            cost_pence=p.cost_pence,
            position=n,
        )
        for n, p in enumerate(p for p, _popularity in proposals if p.status == FEASIBLE)
    ]
    ballot = Ballot(
        process_id=process.id,
        council_id=council.id,
        title="Choose projects for Darwen and West Pennine",
        title_cy=NEIGHBOURHOOD_BALLOT_CY,
        kind=KNAPSACK,
        budget_pence=OPEN_POT_PENCE,
        rule="equalshares/add1",
        utility="cost",
        partial_funding=True,
        eligibility=CODES,
        seed=2027,
        key_version=current_app.config["VOTER_KEY_VERSION"],
        opens_at=opened,
        closes_at=opened + timedelta(days=28, hours=8),
        frozen_at=opened,
    )
    session.add(ballot)
    session.flush()
    for option in options:
        option.ballot_id = ballot.id
    session.add_all(options)
    audit.record(
        session,
        "pb.ballot_opened",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=officer.id if officer else None,
        seeded=True,
    )
    if officer is None:
        return None
    batch = services.generate_codes(session, council, ballot.id, officer, size=LETTERS, area_id=area.id)
    _batch, codes = services.batch_codes(session, council, ballot.id, batch.id, officer)
    return codes[0]
