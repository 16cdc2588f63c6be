"""Factories for juries: a jury with its pool, and a seated panel from a drawn run."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from pbapp.accounts.models import FACILITATOR, Membership
from pbapp.juries.models import Juror, Jury, JurySession
from pbapp.juries import services
from pbapp.sortition.models import Pool
from tests.sortition import factories as sortition_factories


def facilitator_id(db: Session, council) -> int | None:
    return db.exec(
        select(Membership.user_id).where(Membership.council_id == council.id, Membership.role == FACILITATOR)
    ).first()


def jury(db: Session, council, *, the_pool=None, facilitator: int | None = None, **fields) -> Jury:
    the_pool = the_pool or sortition_factories.pool(db, council)
    values = {
        "council_id": council.id,
        "pool_id": the_pool.id,
        "remit": "How should we balance the budget?",
        "panel_size": the_pool.panel_size,
        "starts_on": date(2027, 1, 9),
        "ends_on": date(2027, 2, 6),
        "facilitator_id": facilitator if facilitator is not None else facilitator_id(db, council),
        "honorarium_pence": 5000,
    }
    values.update(fields)
    item = Jury(**values)
    db.add(item)
    db.commit()
    return item


def seated_jury(app, db: Session, council, **fields) -> Jury:
    """A jury whose panel was drawn from its pool and seated (everyone invited)."""
    item = jury(db, council, **fields)
    run = sortition_factories.drawn_run(app, db, council, db.get(Pool, item.pool_id))
    with app.test_request_context():
        from pbapp.db import get_session

        session = get_session()
        services.seat_run(session, session.get(type(council), council.id), session.get(Jury, item.id), run.id, None)
        session.close()
    db.commit()
    return db.get(Jury, item.id)


def jurors(db: Session, the_jury: Jury) -> list[Juror]:
    db.commit()
    return list(db.exec(select(Juror).where(Juror.jury_id == the_jury.id).order_by(Juror.id)).all())


def meeting(db: Session, the_jury: Jury, title: str = "Day one") -> JurySession:
    item = JurySession(jury_id=the_jury.id, title=title, held_on=the_jury.starts_on)
    db.add(item)
    db.commit()
    return item
