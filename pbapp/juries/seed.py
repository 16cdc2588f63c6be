"""Demo jury: next year's budget jury, deliberating now: its pool, a drawn LEXIMIN panel, its jurors and reserves."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.councils.models import Council
from pbapp.juries.models import CONFIRMED, RESERVE, Juror, Jury
from pbapp.seed import demo_financial_year
from pbapp.sortition.models import Pool
from pbapp.sortition.seed import DEMO_POOL_SIZE, seed_demo_pool
from pbapp.timeutil import utcnow

DEMO_PANEL_SIZE = 30
# The jury met three weeks ago and meets for the last time in five weeks' time, whenever the demo is seeded.
STARTED_DAYS_AGO, ENDS_IN_DAYS = 21, 35


def demo_remit() -> str:
    """The demo jury's question: next financial year's budget."""
    return f"How should Blackburn with Darwen balance its {demo_financial_year(1, '/')} budget?"


def demo_remit_cy() -> str:
    """The demo jury's question in Welsh."""
    return f"Sut ddylai Blackburn gyda Darwen gydbwyso ei chyllideb ar gyfer {demo_financial_year(1, '/')}?"


def seed_demo_juries(session: Session, council: Council, report: list[str]) -> None:
    """Add the demo jury once; the caller commits."""
    remit = demo_remit()
    if session.exec(select(Jury).where(Jury.council_id == council.id, Jury.remit == remit)).first():
        return
    facilitator = session.exec(select(User).where(User.email == "facilitator@demo.example")).first()
    today = utcnow().date()
    pool = Pool(
        council_id=council.id,
        name=f"Volunteers for the {demo_financial_year(1, '/')} budget jury",
        panel_size=DEMO_PANEL_SIZE,
        retention_until=today + timedelta(days=ENDS_IN_DAYS + 180),
        household_salt=secrets.token_hex(16),
    )
    session.add(pool)
    session.flush()
    ids, panel, pending, reserves, run, reserve_run = seed_demo_pool(session, pool, DEMO_PANEL_SIZE)
    jury = Jury(
        council_id=council.id,
        pool_id=pool.id,
        remit=remit,
        remit_cy=demo_remit_cy(),
        panel_size=DEMO_PANEL_SIZE,
        starts_on=today - timedelta(days=STARTED_DAYS_AGO),
        ends_on=today + timedelta(days=ENDS_IN_DAYS),
        honorarium_pence=5000,
        facilitator_id=facilitator.id if facilitator else None,
        selection_run_id=run.id,
    )
    session.add(jury)
    session.flush()
    # Deliberation has begun, so every invited member has said yes (the draw's later replies included).
    invited = utcnow() - timedelta(days=STARTED_DAYS_AGO + 28)
    jurors = [
        Juror(
            jury_id=jury.id,
            person_id=ids[public_id],
            from_run_id=run.id,
            invited_at=invited,
            status=CONFIRMED,
            responded_at=invited + timedelta(days=3 + n % 9),
        )
        for n, public_id in enumerate(panel)
    ]
    jurors += [
        Juror(
            jury_id=jury.id,
            person_id=ids[public_id],
            from_run_id=reserve_run.id if reserve_run else None,
            status=RESERVE,
            reserve_rank=rank,
        )
        for rank, public_id in enumerate(reserves, start=1)
    ]
    session.add_all(jurors)
    # The meetings, their rounds and attendance are the deliberation seed's.
    audit.record(
        session, "jury.created", "jury", jury.id, council_id=council.id, panel_size=DEMO_PANEL_SIZE, seeded=True
    )
    report.append(
        f"Added the demo jury ({DEMO_POOL_SIZE:,} volunteers, a LEXIMIN panel of {DEMO_PANEL_SIZE} "
        f"who all confirmed, {len(reserves)} reserves), deliberating now."
    )
