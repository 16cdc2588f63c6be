"""The demo council: Blackburn with Darwen's real wards and census figures, with demo accounts.

Idempotent: running it again changes nothing, except that PBAPP_DEMO_PASSWORD resets the demo
accounts' password. Each domain's demo data comes from its own seed module, called from seed_demo.
"""

from __future__ import annotations

import csv
import secrets
from datetime import date, datetime, timedelta

from flask import Flask
from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.models import ADMIN, FACILITATOR, OFFICER, RESIDENT, Membership, User
from pbapp.councils.models import NEIGHBOURHOOD, WARD, Area, Council
from pbapp.councils.services import total_wards
from pbapp.datafiles import SEED_DIR
from pbapp.db import standalone_session
from pbapp.security import hash_password
from pbapp.timeutil import utcnow

DEMO_SLUG = "blackburn-with-darwen"
DEMO_ACCOUNTS = (
    ("admin@demo.example", "Aisha Patel", ADMIN),
    ("officer@demo.example", "Tom Hargreaves", OFFICER),
    ("facilitator@demo.example", "Megan Lloyd", FACILITATOR),
    ("resident@demo.example", "Imran Hussain", RESIDENT),
)
# Postcode districts and sectors per ward (approximate, for the demo's address checks).
WARD_POSTCODES = {
    "Darwen East": "BB3 1,BB3 2",
    "Darwen South": "BB3 0,BB3 3",
    "Darwen West": "BB3 2,BB3 3",
    "West Pennine": "BB3 0,BB2 6",
    "Blackburn South & Lower Darwen": "BB2 3,BB2 4,BB3 0",
    "Little Harwood & Whitebirk": "BB1 5,BB1 3",
    "Roe Lee": "BB1 9,BB1 8",
    "Shear Brow & Corporation Park": "BB2 7,BB1 8",
    "Bastwell & Daisyfield": "BB1 6,BB1 5",
    "Blackburn South East": "BB1 2,BB2 5",
    "Audley & Queen's Park": "BB1 1,BB1 2",
    "Blackburn Central": "BB1 7,BB2 1",
    "Billinge & Beardwood": "BB2 6,BB2 7",
    "Wensley Fold": "BB2 4,BB2 2",
    "Mill Hill & Moorgate": "BB2 4,BB2 3",
    "Ewood": "BB2 4,BB2 3",
    "Livesey with Pleasington": "BB2 5,BB2 6",
}
# A known password on a developer's machine; production always gets a random one.
DEVELOPMENT_PASSWORD = "demo-council-2026"
# The demo's dates are written as they stood on this day, and moved by whole days to the day it is
# seeded, so a jury is always deliberating now, a vote is always open and past items stay past.
DEMO_EPOCH = date(2026, 12, 6)


def _rows(name: str) -> list[dict[str, str]]:
    with open(SEED_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _council(session: Session, report: list[str]) -> Council:
    council = session.exec(select(Council).where(Council.slug == DEMO_SLUG)).first()
    if council is None:
        council = Council(
            slug=DEMO_SLUG,
            name="Blackburn with Darwen Borough Council",
            name_cy="Cyngor Bwrdeistref Blackburn gyda Darwen",
            gss_code="E06000008",
            postcode_prefixes="BB1,BB2,BB3",
        )
        session.add(council)
        session.flush()
        audit.record(session, "council.created", "council", council.id, council_id=council.id)
        report.append(f"Created the demo council {council.name}.")
    return council


def _areas(session: Session, council: Council, report: list[str]) -> None:
    existing = {a.name: a for a in session.exec(select(Area).where(Area.council_id == council.id)).all()}
    neighbourhood_of = {r["ward"]: r["neighbourhood"] for r in _rows("neighbourhoods.csv")}
    for name in sorted(set(neighbourhood_of.values())):
        if name not in existing:
            existing[name] = Area(council_id=council.id, kind=NEIGHBOURHOOD, name=name)
            session.add(existing[name])
    session.flush()
    added = 0
    for row in _rows("uk/census2021_wards.csv"):
        if row["ward"] in existing:
            continue
        ward = Area(
            council_id=council.id,
            kind=WARD,
            name=row["ward"],
            code=row["ward_code"],
            adults=int(row["adults_18_plus"]),
            postcode_prefixes=WARD_POSTCODES[row["ward"]],
            neighbourhood_id=existing[neighbourhood_of[row["ward"]]].id,
        )
        session.add(ward)
        existing[ward.name] = ward
        added += 1
    for neighbourhood in (a for a in existing.values() if a.kind == NEIGHBOURHOOD):
        total_wards(neighbourhood, [a for a in existing.values() if a.neighbourhood_id == neighbourhood.id])
    if added:
        report.append(f"Added {added} wards in 3 neighbourhoods.")


def _accounts(session: Session, council: Council, password: str | None, production: bool, report: list[str]) -> None:
    generated = None
    for email, name, role in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            if password is None and generated is None:
                generated = secrets.token_urlsafe(12) if production else DEVELOPMENT_PASSWORD
            user = User(
                email=email,
                name=name,
                password_hash=hash_password(password or generated),
                postcode="BB3 1AA" if role == RESIDENT else "",
                email_confirmed_at=utcnow(),
            )
            session.add(user)
            session.flush()
        elif password is not None:
            user.password_hash = hash_password(password)
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
        if role == RESIDENT:
            _verified_resident(session, council, user)
        if not session.exec(
            select(Membership).where(Membership.user_id == user.id, Membership.council_id == council.id)
        ).first():
            session.add(Membership(user_id=user.id, council_id=council.id, role=role))
    shown = password or generated
    if shown:
        report.append("Demo accounts (" + ", ".join(e for e, _, _ in DEMO_ACCOUNTS) + f") password: {shown}")
    else:
        report.append("Demo accounts exist; their password is unchanged (set PBAPP_DEMO_PASSWORD to reset it).")


def _verified_resident(session: Session, council: Council, user: User) -> None:
    # The demo resident counts as verified (as if found on the council's register), so the demo can vote.
    from pbapp.accounts.models import REGISTER, ResidenceVerification
    from pbapp.accounts.residence import person_hash, verification_of

    if verification_of(session, council.id, user.id) is None:
        session.add(
            ResidenceVerification(
                council_id=council.id,
                user_id=user.id,
                method=REGISTER,
                evidence_hash=person_hash(user.name, date(1980, 1, 1), "BB3 1AA"),
                postcode="BB3 1AA",
            )
        )


def seed_demo(app: Flask, *, if_empty: bool = False) -> list[str]:
    """Create or complete the demo council and return what was done, line by line."""
    # Imported here, not at the top: each domain's seed module imports this one for the demo's dates.
    from pbapp.deliberation.seed import seed_demo_deliberation
    from pbapp.juries.seed import seed_demo_juries
    from pbapp.ledger.seed import seed_demo_ledger
    from pbapp.pb.seed import seed_demo_pb
    from pbapp.places.seed import seed_demo_places

    report: list[str] = []
    with app.app_context(), standalone_session(app) as session:
        if if_empty and session.exec(select(Council)).first() is not None:
            return ["A council already exists; nothing to seed."]
        council = _council(session, report)
        _areas(session, council, report)
        _accounts(session, council, app.config.get("DEMO_PASSWORD"), app.config["PRODUCTION"], report)
        seed_demo_ledger(session, council, report)
        seed_demo_juries(session, council, report)
        seed_demo_deliberation(session, council, report)
        seed_demo_pb(session, council, report)
        seed_demo_places(session, council, report)
        session.commit()
    return report


def demo_shift() -> timedelta:
    """How far today is from DEMO_EPOCH: the amount every written demo date moves by."""
    return utcnow().date() - DEMO_EPOCH


def demo_day(day: date) -> date:
    """A demo date written as of DEMO_EPOCH, moved to the same distance from today."""
    return day + demo_shift()


def demo_at(moment: datetime) -> datetime:
    """A demo time written as of DEMO_EPOCH, moved to the same distance from today."""
    return moment + demo_shift()


def demo_financial_year(ahead: int = 0, sep: str = "-") -> str:
    """The demo's current UK financial year (April to March) as "2026-27", or `ahead` years later."""
    start = demo_day(date(2026, 4, 1))
    year = (start.year if start.month >= 4 else start.year - 1) + ahead
    return f"{year}{sep}{(year + 1) % 100:02d}"
