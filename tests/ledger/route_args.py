"""Route arguments of the ledger for the permission matrix and the CSRF walk (demo council data)."""

from __future__ import annotations

from sqlmodel import select

from pbapp.ledger import services
from pbapp.ledger.models import Milestone
from tests.ledger import factories


def _book_id(app, db, council):
    return services.current_book(db, council.id).id


def _line_id(app, db, council):
    return services.budget_lines(db, council.id)[0].id


def _item_id(app, db, council):
    return factories.demo_item_with_milestones(db, council).id


def _milestone_id(app, db, council):
    item = factories.demo_item_with_milestones(db, council)
    return db.exec(select(Milestone.id).where(Milestone.item_id == item.id).order_by(Milestone.id)).first()


ARGS = {
    "book_id": _book_id,
    "line_id": _line_id,
    "item_id": _item_id,
    "milestone_id": _milestone_id,
    "dataset": lambda app, db, council: "book",
    "fmt": lambda app, db, council: "csv",
}
