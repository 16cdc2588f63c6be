"""Use cases of the budget-setting record: books, changes, the response register and delivery."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pbapp import audit
from pbapp.core import ledger as rules
from pbapp.errors import Invalid
from pbapp.ledger.models import FINAL, ITEM_SOURCES, BudgetBook, BudgetLine, RecordItem
from pbapp.timeutil import utcnow


def current_book(session: Session, council_id: int) -> BudgetBook | None:
    """The council's current book: the newest final version, else the newest version of any stage."""
    newest = (BudgetBook.financial_year.desc(), BudgetBook.version.desc())
    query = select(BudgetBook).where(BudgetBook.council_id == council_id)
    return (session.exec(query.where(BudgetBook.stage == FINAL).order_by(*newest)).first()
            or session.exec(query.order_by(*newest)).first())


def lines_of(session: Session, book_id: int) -> list[BudgetLine]:
    """Lines of one book in display order."""
    return list(session.exec(select(BudgetLine).where(BudgetLine.book_id == book_id)
                             .order_by(BudgetLine.position, BudgetLine.id)).all())


def budget_lines(session: Session, council_id: int) -> list[BudgetLine]:
    """Lines of the council's current budget book (the newest final version, else the newest version), ordered for display."""
    book = current_book(session, council_id)
    return lines_of(session, book.id) if book is not None else []


def receive_item(session: Session, *, council_id: int, source: str, source_ref: str, title: str,
                 summary: str, public_url: str, amount_pence: int | None = None,
                 budget_line_id: int | None = None, decided_at: datetime | None = None) -> RecordItem:
    """Record something the council must respond to: source is "jury_recommendation" or "pb_result".

    Idempotent on (source, source_ref) (a DB unique constraint); writes an audit event; does NOT
    commit (the calling service commits once).
    """
    if source not in ITEM_SOURCES:
        raise Invalid(_("The source must be a jury recommendation or a PB result."), field="source")
    existing = _item_by_source(session, source, source_ref)
    if existing is not None:
        return existing
    if budget_line_id is not None:
        line = session.get(BudgetLine, budget_line_id)
        if line is None or line.council_id != council_id:
            raise Invalid(_("That budget line is not in this council's budget."), field="budget_line_id")
    received = utcnow()
    item = RecordItem(council_id=council_id, source=source, source_ref=source_ref, title=title,
                      summary=summary, public_url=public_url, amount_pence=amount_pence,
                      budget_line_id=budget_line_id, decided_at=decided_at, received_at=received,
                      response_due=rules.response_deadline((decided_at or received).date()))
    try:
        # A savepoint, so losing a race to another writer leaves the caller's transaction usable.
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError:
        existing = _item_by_source(session, source, source_ref)
        if existing is None:  # pragma: no cover - the constraint that failed was not ours
            raise
        return existing
    audit.record(session, "record.item_received", "record_item", item.id, council_id=council_id,
                 source=source, source_ref=source_ref, amount_pence=amount_pence,
                 budget_line_id=budget_line_id, response_due=item.response_due.isoformat())
    return item


def _item_by_source(session: Session, source: str, source_ref: str) -> RecordItem | None:
    return session.exec(select(RecordItem).where(RecordItem.source == source,
                                                 RecordItem.source_ref == source_ref)).first()
