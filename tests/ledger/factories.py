"""Factories for the ledger: books with lines, record items, responses and milestones."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlmodel import Session, select

from pbapp.core.ledger import Figures
from pbapp.councils.models import Council
from pbapp.ledger import services
from pbapp.ledger.models import (
    ACCEPTED,
    CABINET,
    DRAFT,
    PB_RESULT,
    BudgetBook,
    BudgetLine,
    Milestone,
    RecordItem,
    Response,
)
from pbapp.timeutil import utcnow

_counter = itertools.count(1)

LINES = (
    Figures("Adult social care", "Home care", 10_000_000, 3_000_000, 7_000_000, "Adults and Health"),
    Figures(
        "Cultural and related services", "Library service", 2_000_000, 200_000, 1_800_000, "Environment and Operations"
    ),
    Figures(
        "Environmental and regulatory services",
        "Trade waste",
        1_000_000,
        1_500_000,
        -500_000,
        "Environment and Operations",
    ),
)


def book(
    db: Session, council: Council, *, lines=LINES, stage: str = DRAFT, financial_year: str = "2026-27"
) -> BudgetBook:
    made = services.add_book(
        db,
        council,
        list(lines),
        financial_year=financial_year,
        stage=stage,
        title=f"Budget {financial_year}",
        actor_id=None,
    )
    db.commit()
    return made


def version(db: Session, base: BudgetBook, *, stage: str = DRAFT) -> BudgetBook:
    made = services.add_version(db, base, stage=stage, actor_id=None)
    db.commit()
    return made


def lines(db: Session, made: BudgetBook) -> list[BudgetLine]:
    found = services.lines_of(db, made.id)
    db.commit()
    return found


def item(db: Session, council: Council, *, source: str = PB_RESULT, decided_days_ago: int = 1, **fields) -> RecordItem:
    n = next(_counter)
    values = {
        "source_ref": f"test:{n}",
        "title": f"Item {n}",
        "summary": "What residents asked for.",
        "public_url": "",
        "amount_pence": 1_000_000,
    }
    values.update(fields)
    made = services.receive_item(
        db, council_id=council.id, source=source, decided_at=utcnow() - timedelta(days=decided_days_ago), **values
    )
    db.commit()
    return made


def response(
    db: Session,
    the_item: RecordItem,
    *,
    outcome: str = ACCEPTED,
    reasons: str = "Because it works.",
    decided_by: str = CABINET,
    decided_on: date | None = None,
) -> Response:
    made = services.apply_response(
        db,
        the_item,
        outcome=outcome,
        reasons=reasons,
        decided_by=decided_by,
        decided_on=decided_on or utcnow().date(),
        actor_id=None,
    )
    db.commit()
    return made


def milestone(
    db: Session, the_item: RecordItem, *, title: str = "Do it", status: str = "not_started", due_on: date | None = None
) -> Milestone:
    made = services.apply_milestone(db, the_item, title=title, due_on=due_on, status=status, actor_id=None)
    db.commit()
    return made


def demo_item_with_milestones(db: Session, council: Council) -> RecordItem:
    """The first seeded demo item that has delivery milestones."""
    found = db.exec(
        select(RecordItem)
        .join(Milestone, Milestone.item_id == RecordItem.id)
        .where(RecordItem.council_id == council.id)
        .order_by(RecordItem.id)
    ).first()
    db.commit()
    return found
