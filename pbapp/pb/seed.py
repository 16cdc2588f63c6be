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
from pbapp.pb.models import (CUMULATIVE, FEASIBLE, KNAPSACK, MATCHED, NOT_FEASIBLE, ONLINE, PAPER, BOOTH, RESULTS,
                             CODES, RESIDENTS, VOTING, Ballot, BallotLogEntry, BallotOption, PaperBallotEntry,
                             Process, Proposal, Result, Vote, random_id)
from pbapp.seed import demo_at, demo_day, demo_financial_year, seed_file
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


def seed_demo_pb(session: Session, council: Council, report: list[str]) -> None:
    """Add last year's neighbourhood budget (counted and published), this year's (open) and a priorities vote."""
    if session.exec(select(Process).where(Process.council_id == council.id,
                                          Process.title == neighbourhood_title())).first():
        return
    officer = _user(session, "officer@demo.example")
    admin = _user(session, "admin@demo.example")
    ballots = _neighbourhood_budget(session, council, officer, admin)
    _budget_priorities(session, council, officer)
    code = _open_neighbourhood_budget(session, council, officer)
    report.append(f"Added the {neighbourhood_title()} ({ballots:,} ballots, counted by Equal Shares), "
                  f"the {neighbourhood_title(1)} (open now, with {LETTERS} letters printed) "
                  f"and an open vote on {priorities_title()}.")
    if code:
        report.append(f"Try the open neighbourhood vote with the letter code {code}, "
                      "or sign in as resident@demo.example.")


def _areas(session: Session, council: Council) -> dict[str, Area]:
    return {a.name: a for a in session.exec(select(Area).where(Area.council_id == council.id)).all()}


def _neighbourhood_budget(session: Session, council: Council, officer: User | None, admin: User | None) -> int:
    areas = _areas(session, council)
    area = areas[NEIGHBOURHOOD]
    process = Process(council_id=council.id, area_id=area.id, title=neighbourhood_title(), pot_pence=POT_PENCE,
                      description="Residents of Darwen, West Pennine and Lower Darwen decide how to spend "
                                  "£150,000 on their neighbourhood.",
                      phase=RESULTS, proposals_from=demo_day(date(2026, 5, 1)), review_from=demo_day(date(2026, 7, 1)),
                      voting_from=demo_day(date(2026, 9, 14)), results_from=demo_day(date(2026, 10, 19)),
                      delivery_from=demo_day(date(2027, 1, 4)), created_by_id=officer.id if officer else None,
                      created_at=demo_at(datetime(2026, 4, 20, 9, tzinfo=timezone.utc)))
    session.add(process)
    session.flush()
    popularity: dict[str, int] = {}
    proposals = _reviewed_proposals(session, council, process, areas, "pb/darwen_proposals.csv", officer,
                                    demo_at(datetime(2026, 8, 28, 12, tzinfo=timezone.utc)))
    ballot = Ballot(process_id=process.id, council_id=council.id, title="Choose projects for Darwen and West Pennine",
                    kind=KNAPSACK, budget_pence=POT_PENCE, rule="equalshares/add1", utility="cost",
                    partial_funding=True, eligibility=CODES, seed=2026,
                    key_version=current_app.config["VOTER_KEY_VERSION"],
                    opens_at=demo_at(datetime(2026, 9, 14, 9, tzinfo=timezone.utc)),
                    closes_at=demo_at(datetime(2026, 10, 12, 17, tzinfo=timezone.utc)),
                    frozen_at=demo_at(datetime(2026, 9, 14, 9, tzinfo=timezone.utc)),
                    closed_at=demo_at(datetime(2026, 10, 12, 17, tzinfo=timezone.utc)))
    session.add(ballot)
    session.flush()
    options = []
    for n, (proposal, weight) in enumerate(p for p in proposals if p[0].status == FEASIBLE):
        option = BallotOption(ballot_id=ballot.id, ref=f"p{proposal.id}", proposal_id=proposal.id, title=proposal.title,
                              description=proposal.description, cost_pence=proposal.cost_pence, position=n)
        options.append(option)
        popularity[option.ref] = weight
    session.add_all(options)
    session.flush()
    wards = [a for a in areas.values() if a.neighbourhood_id == area.id]
    voters = current_app.config.get("PB_DEMO_BALLOTS") or (TEST_VOTERS if current_app.testing else VOTERS)
    votes = _synthetic_ballots(options, popularity, voters)
    _insert_votes(session, ballot, votes, wards, officer, admin)
    settings = {**_settings(ballot)}
    option_dicts = [{"ref": o.ref, "title": o.title, "cost_pence": o.cost_pence, "min_pence": 0, "max_pence": 0}
                    for o in options]
    computed = counting.count(settings, option_dicts, [choices for choices, _channel in votes])
    head = session.exec(select(BallotLogEntry.hash).where(BallotLogEntry.ballot_id == ballot.id)
                        .order_by(BallotLogEntry.seq.desc()).limit(1)).one()
    session.add(Result(ballot_id=ballot.id, rule=ballot.rule, computed=json.dumps(computed, sort_keys=True),
                       voters=len(votes), log_head=head, computed_at=ballot.closed_at + timedelta(minutes=5),
                       official_selected=json.dumps(computed["selected"]), decided_by_id=officer.id if officer else None,
                       decided_at=demo_at(datetime(2026, 10, 19, 10, tzinfo=timezone.utc))))
    ballot.results_published_at = demo_at(datetime(2026, 10, 19, 10, tzinfo=timezone.utc))
    session.flush()
    _to_record(session, council, process, ballot, options, computed["selected"])
    audit.record(session, "pb.results_published", "pb_ballot", ballot.id, council_id=council.id,
                 actor_id=officer.id if officer else None, log_head=head, selected=computed["selected"], seeded=True)
    return len(votes)


def _reviewed_proposals(session: Session, council: Council, process: Process, areas: dict[str, Area], name: str,
                        officer: User | None, reviewed_at: datetime) -> list[tuple[Proposal, int]]:
    """The proposals in seed/`name`, reviewed and published, with how popular each is with the demo's voters."""
    proposals = []
    for row in _rows(name):
        feasible = row["feasible"] == "yes"
        proposal = Proposal(process_id=process.id, council_id=council.id, area_id=areas[row["ward"]].id,
                            title=row["title"], description=row["description"],
                            estimated_cost_pence=int(row["cost_pounds"]) * 100,
                            status=FEASIBLE if feasible else NOT_FEASIBLE, review_feasible=feasible,
                            review_reason=row["review_reason"], reviewed_by_id=officer.id if officer else None,
                            review_published_at=reviewed_at)
        session.add(proposal)
        proposals.append((proposal, int(row["popularity"])))
    session.flush()
    return proposals


def _settings(ballot: Ballot) -> dict:
    return {"title": ballot.title, "kind": ballot.kind, "budget_pence": ballot.budget_pence, "rule": ballot.rule,
            "utility": ballot.utility, "seed": ballot.seed, "partial_funding": ballot.partial_funding,
            "min_choices": ballot.min_choices, "max_choices": ballot.max_choices, "total_points": ballot.total_points,
            "max_per_project": ballot.max_per_project, "min_spend_percent": ballot.min_spend_percent}


def _synthetic_ballots(options: list[BallotOption], popularity: dict[str, int], voters: int) -> list[tuple[list[str], str]]:
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
        vote_rows.append({"id": random_id(), "ballot_id": ballot.id, "voter_key": voter_key,
                          "choices": json.dumps(choices, sort_keys=True), "channel": channel,
                          "area_id": ward.id if ward else None, "receipt": secrets.token_hex(32), "changes": 0})
        if channel != ONLINE and officer and admin:
            paper_rows.append({"ballot_id": ballot.id, "paper_ref": f"DWP-{n:05d}", "channel": channel,
                               "area_id": ward.id if ward else None, "first_choices": json.dumps(choices, sort_keys=True),
                               "first_by_id": officer.id, "second_choices": json.dumps(choices, sort_keys=True),
                               "second_by_id": admin.id, "status": MATCHED, "created_at": when})
    session.execute(Vote.__table__.insert(), vote_rows)
    services.seal_log(session, ballot)  # the log a count seals: one entry per voter, in receipt order
    if paper_rows:
        session.execute(PaperBallotEntry.__table__.insert(), paper_rows)


def _to_record(session, council, process, ballot, options, selected) -> None:
    try:
        from pbapp.ledger import services as ledger
    except ImportError:  # the budget record is optional for the demo
        return
    by_ref = {o.ref: o for o in options}
    for ref in selected:
        option = by_ref[ref]
        ledger.receive_item(session, council_id=council.id, source="pb_result", source_ref=f"pb:{process.id}:{ref}",
                            title=option.title, summary=f"Funded by residents' vote in {process.title}.",
                            public_url=f"/pb/{council.slug}/ballots/{ballot.id}/results", amount_pence=option.cost_pence,
                            decided_at=ballot.results_published_at)


def _budget_priorities(session: Session, council: Council, officer: User | None) -> None:
    now = utcnow()
    # A points ballot on services: no pot of money is shared out, so none is shown.
    process = Process(council_id=council.id, title=priorities_title(), pot_pence=0, phase=VOTING,
                      description="Tell the council which services matter most to you as it sets next year's budget.",
                      voting_from=now.date(), results_from=(now + timedelta(days=35)).date(),
                      created_by_id=officer.id if officer else None)
    session.add(process)
    session.flush()
    ballot = Ballot(process_id=process.id, council_id=council.id, title="Share 100 points between council services",
                    kind=CUMULATIVE, budget_pence=0, total_points=100, max_per_project=40,
                    rule="greedy", eligibility=RESIDENTS, seed=2027,
                    key_version=current_app.config["VOTER_KEY_VERSION"],
                    opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=28), frozen_at=now - timedelta(days=2))
    session.add(ballot)
    session.flush()
    for n, row in enumerate(_rows("pb/budget_priorities.csv")):
        proposal = Proposal(process_id=process.id, council_id=council.id, title=row["title"],
                            description=row["description"], estimated_cost_pence=0, status=FEASIBLE,
                            review_feasible=True, review_published_at=now - timedelta(days=3))
        session.add(proposal)
        session.flush()
        session.add(BallotOption(ballot_id=ballot.id, ref=f"p{proposal.id}", proposal_id=proposal.id,
                                 title=proposal.title, description=proposal.description, position=n))
    audit.record(session, "pb.ballot_opened", "pb_ballot", ballot.id, council_id=council.id,
                 actor_id=officer.id if officer else None, seeded=True)


def _open_neighbourhood_budget(session: Session, council: Council, officer: User | None) -> str | None:
    """This year's neighbourhood vote, open now by the code on each home's letter; returns one printed code to try."""
    areas = _areas(session, council)
    area = areas[NEIGHBOURHOOD]
    now = utcnow()
    opened = now.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=4)
    process = Process(council_id=council.id, area_id=area.id, title=neighbourhood_title(1), pot_pence=OPEN_POT_PENCE,
                      description="Residents of Darwen, West Pennine and Lower Darwen decide how to spend "
                                  "£120,000 on their neighbourhood. Vote with the code on the letter sent to every "
                                  "home; sign in first to be able to change your vote without the letter.",
                      phase=VOTING, proposals_from=(now - timedelta(days=90)).date(),
                      review_from=(now - timedelta(days=40)).date(), voting_from=opened.date(),
                      results_from=(opened + timedelta(days=35)).date(), created_by_id=officer.id if officer else None,
                      created_at=now - timedelta(days=100))
    session.add(process)
    session.flush()
    proposals = _reviewed_proposals(session, council, process, areas, "pb/darwen_proposals_open.csv", officer,
                                    now - timedelta(days=10))
    options = [BallotOption(ref=f"p{p.id}", proposal_id=p.id, title=p.title, description=p.description,
                            cost_pence=p.cost_pence, position=n)
               for n, p in enumerate(p for p, _popularity in proposals if p.status == FEASIBLE)]
    ballot = Ballot(process_id=process.id, council_id=council.id, title="Choose projects for Darwen and West Pennine",
                    kind=KNAPSACK, budget_pence=OPEN_POT_PENCE, rule="equalshares/add1", utility="cost",
                    partial_funding=True, eligibility=CODES, seed=2027,
                    key_version=current_app.config["VOTER_KEY_VERSION"], opens_at=opened,
                    closes_at=opened + timedelta(days=28, hours=8), frozen_at=opened)
    session.add(ballot)
    session.flush()
    for option in options:
        option.ballot_id = ballot.id
    session.add_all(options)
    audit.record(session, "pb.ballot_opened", "pb_ballot", ballot.id, council_id=council.id,
                 actor_id=officer.id if officer else None, seeded=True)
    if officer is None:
        return None
    batch = services.generate_codes(session, council, ballot.id, officer, size=LETTERS, area_id=area.id)
    _batch, codes = services.batch_codes(session, council, ballot.id, batch.id, officer)
    return codes[0]
