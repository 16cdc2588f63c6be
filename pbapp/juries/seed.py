"""Demo jury: the 2027/28 budget jury, its pool, a drawn LEXIMIN panel, confirmed jurors and reserves."""

from __future__ import annotations

import secrets
from datetime import date

from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.councils.models import Council
from pbapp.juries.models import CONFIRMED, INVITED, RESERVE, Attendance, Juror, Jury, JurySession
from pbapp.sortition.models import Pool
from pbapp.sortition.seed import DEMO_POOL_SIZE, seed_demo_pool
from pbapp.timeutil import utcnow

DEMO_REMIT = "How should Blackburn with Darwen balance its 2027/28 budget?"
DEMO_PANEL_SIZE = 30


def seed_demo_juries(session: Session, council: Council, report: list[str]) -> None:
    """Add the demo jury once; the caller commits."""
    if session.exec(select(Jury).where(Jury.council_id == council.id, Jury.remit == DEMO_REMIT)).first():
        return
    facilitator = session.exec(select(User).where(User.email == "facilitator@demo.example")).first()
    pool = Pool(council_id=council.id, name="Volunteers for the 2027/28 budget jury", panel_size=DEMO_PANEL_SIZE,
                retention_until=date(2027, 9, 30), household_salt=secrets.token_hex(16))
    session.add(pool)
    session.flush()
    ids, panel, pending, reserves, run, reserve_run = seed_demo_pool(session, pool, DEMO_PANEL_SIZE)
    jury = Jury(council_id=council.id, pool_id=pool.id, remit=DEMO_REMIT, panel_size=DEMO_PANEL_SIZE,
                starts_on=date(2027, 1, 16), ends_on=date(2027, 3, 6), honorarium_pence=5000,
                facilitator_id=facilitator.id if facilitator else None, selection_run_id=run.id)
    session.add(jury)
    session.flush()
    now = utcnow()
    jurors = [Juror(jury_id=jury.id, person_id=ids[public_id], from_run_id=run.id, invited_at=now,
                    status=INVITED if public_id in pending else CONFIRMED,
                    responded_at=None if public_id in pending else now)
              for public_id in panel]
    jurors += [Juror(jury_id=jury.id, person_id=ids[public_id], from_run_id=reserve_run.id if reserve_run else None, status=RESERVE,
                     reserve_rank=rank) for rank, public_id in enumerate(reserves, start=1)]
    session.add_all(jurors)
    first = JurySession(jury_id=jury.id, title="Day 1: how the council's budget works", held_on=jury.starts_on)
    session.add_all([first, JurySession(jury_id=jury.id, title="Day 2: hearing from services",
                                        held_on=date(2027, 1, 30))])
    session.flush()
    session.add_all([Attendance(session_id=first.id, juror_id=j.id, present=n % 9 != 0)
                     for n, j in enumerate(j for j in jurors if j.status == CONFIRMED)])
    audit.record(session, "jury.created", "jury", jury.id, council_id=council.id, panel_size=DEMO_PANEL_SIZE,
                 seeded=True)
    report.append(f"Added the demo jury ({DEMO_POOL_SIZE:,} volunteers, a LEXIMIN panel of {DEMO_PANEL_SIZE}: "
                  f"{DEMO_PANEL_SIZE - len(pending)} confirmed, {len(pending)} awaiting a reply, {len(reserves)} reserves).")
