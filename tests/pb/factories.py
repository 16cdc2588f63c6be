"""Factories for pb: a process with reviewed proposals, an open ballot, codes and votes."""

from __future__ import annotations

import itertools

from flask import Flask
from sqlmodel import Session, select

from pbapp.accounts.models import User
from pbapp.councils.models import Area, Council
from pbapp.pb import services
from pbapp.pb.models import KNAPSACK, Ballot, Process, Proposal

_counter = itertools.count(1)
COSTS = (4_000_000, 3_000_000, 2_500_000, 1_500_000, 1_000_000)  # pence; the pot is £100,000


def officer(db: Session) -> User:
    user = db.exec(select(User).where(User.email == "officer@demo.example")).one()
    db.commit()
    return user


def neighbourhood(db: Session, council: Council, name: str = "Darwen and West Pennine") -> Area:
    area = db.exec(select(Area).where(Area.council_id == council.id, Area.name == name)).one()
    db.commit()
    return area


def process(
    app: Flask,
    db: Session,
    council: Council,
    *,
    area: Area | None = None,
    pot_pence: int = 10_000_000,
    proposals: int = 5,
    reviewed: bool = True,
) -> Process:
    """A process with proposals; reviewed ones are published as feasible."""
    with app.test_request_context():
        actor = officer(db)
        made = services.create_process(
            db,
            council,
            actor,
            title=f"Neighbourhood budget {next(_counter)}",
            description="Ideas for the neighbourhood",
            area_id=area.id if area else None,
            pot_pence=pot_pence,
        )
        for n in range(proposals):
            item = services.submit_proposal(
                db,
                council,
                made.id,
                actor,
                title=f"Project {n + 1}",
                description="A good idea",
                estimated_cost_pence=COSTS[n % len(COSTS)],
            )
            if reviewed:
                services.save_review(db, council, item.id, actor, feasible=True, reviewed_cost_pence=None, reason="")
                services.publish_review(db, council, item.id, actor)
    return made


def ballot(
    app: Flask, db: Session, council: Council, *, open_now: bool = True, process_: Process | None = None, **settings
) -> Ballot:
    """A ballot on a (new) process, opened unless asked not to."""
    the_process = process_ or process(app, db, council, area=neighbourhood(db, council))
    values = {
        "title": "Choose projects",
        "kind": KNAPSACK,
        "rule": "equalshares",
        "utility": "cost",
        "eligibility": "codes",
        "min_choices": 0,
    }
    values.update(settings)
    with app.test_request_context():
        made = services.create_ballot(db, council, the_process.id, officer(db), **values)
        if open_now:
            services.open_ballot(db, council, made.id, officer(db))
    db.commit()
    return made


def codes(app: Flask, db: Session, council: Council, the_ballot: Ballot, size: int = 3) -> list[str]:
    with app.test_request_context():
        batch = services.generate_codes(db, council, the_ballot.id, officer(db), size=size, area_id=None)
        return services.batch_codes(db, council, the_ballot.id, batch.id, officer(db))[1]


def refs(db: Session, the_ballot: Ballot) -> list[str]:
    found = [o.ref for o in services.options_of(db, the_ballot)]
    db.commit()
    return found


def proposal(db: Session, the_process: Process) -> Proposal:
    found = db.exec(select(Proposal).where(Proposal.process_id == the_process.id)).first()
    db.commit()
    return found


def batch_ids(db: Session, the_ballot: Ballot) -> list[int]:
    found = [b.id for b in services.batches_of(db, the_ballot)]
    db.commit()
    return found


def resident(
    db: Session,
    council: Council,
    *,
    postcode: str = "BB3 1AA",
    confirmed: bool = True,
    verified: bool = True,
    address: str = "",
) -> User:
    """An account whose email is (or is not) confirmed and whose residence is (or is not) verified."""
    from pbapp.timeutil import utcnow
    from tests import factories as base

    user = base.user(db, postcode=postcode, email_confirmed_at=utcnow() if confirmed else None)
    if verified:
        verify(db, council, user, postcode=postcode, address=address)
    return user


def verify(db: Session, council: Council, user: User, *, postcode: str = "BB3 1AA", address: str = "") -> None:
    """Confirm the account's email and verify its residence, as the emailed link and the register check do."""
    from pbapp.accounts.models import REGISTER, ResidenceVerification
    from pbapp.timeutil import utcnow

    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.add(user)
    db.add(
        ResidenceVerification(
            council_id=council.id,
            user_id=user.id,
            method=REGISTER,
            evidence_hash=f"evidence-{user.id}-".ljust(64, "0"),
            postcode=postcode,
            address_hash=address,
        )
    )
    db.commit()
