"""Tables of the ledger domain: budget books, lines, changes, the response register and delivery."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.modelfields import pence
from pbapp.timeutil import utcnow

DRAFT, PROPOSED, FINAL = "draft", "proposed", "final"
STAGES = (DRAFT, PROPOSED, FINAL)

JURY_RECOMMENDATION, PB_RESULT, OFFICER_SOURCE = "jury_recommendation", "pb_result", "officer"
ITEM_SOURCES = (JURY_RECOMMENDATION, PB_RESULT)
CHANGE_SOURCES = (JURY_RECOMMENDATION, PB_RESULT, OFFICER_SOURCE)

ACCEPTED, PARTLY_ACCEPTED, REJECTED, DEFERRED = "accepted", "partly_accepted", "rejected", "deferred"
OUTCOMES = (ACCEPTED, PARTLY_ACCEPTED, REJECTED, DEFERRED)

CABINET, FULL_COUNCIL, EXECUTIVE_MEMBER, OFFICER_DELEGATED = (
    "cabinet",
    "full_council",
    "executive_member",
    "officer_delegated",
)
DECIDERS = (CABINET, FULL_COUNCIL, EXECUTIVE_MEMBER, OFFICER_DELEGATED)

NOT_STARTED, IN_PROGRESS, DONE, DELAYED = "not_started", "in_progress", "done", "delayed"
MILESTONE_STATUSES = (NOT_STARTED, IN_PROGRESS, DONE, DELAYED)


class BudgetBook(SQLModel, table=True):
    """One version of a council's budget for a financial year (draft, proposed or final)."""

    __tablename__ = "budget_book"
    __table_args__ = (UniqueConstraint("council_id", "financial_year", "version", name="uq_budget_book_version"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    financial_year: str = Field(max_length=7, nullable=False)  # "2026-27"
    version: int = Field(nullable=False)
    stage: str = Field(max_length=16, nullable=False, default=DRAFT)
    title: str = Field(default="", max_length=200, nullable=False)
    title_cy: str = Field(default="", max_length=200, nullable=False)
    based_on_id: int | None = Field(default=None, foreign_key="budget_book.id")
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class BudgetLine(SQLModel, table=True):
    """A division of a Revenue Account service line, owned by one of the council's directorates."""

    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("book_id", "ra_line", "division", name="uq_budget_line_division"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(
        sa_column=Column(Integer, ForeignKey("budget_book.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    position: int = Field(default=0, nullable=False)
    ra_line: str = Field(max_length=120, nullable=False)
    ra_code: str = Field(default="", max_length=20, nullable=False)
    division: str = Field(max_length=160, nullable=False)
    directorate: str = Field(max_length=120, nullable=False)
    name: str = Field(max_length=200, nullable=False)
    name_cy: str = Field(default="", max_length=200, nullable=False)
    gross_pence: int = pence()
    income_pence: int = pence()
    net_pence: int = pence()

    @property
    def division_cy(self) -> str:
        """The division's Welsh name: the line's Welsh name, when the line is named after its division."""
        return self.name_cy if self.name == self.division else ""


class RecordItem(SQLModel, table=True):
    """A jury recommendation or PB result the council must respond to ("comply or explain")."""

    __tablename__ = "record_item"
    __table_args__ = (UniqueConstraint("source", "source_ref", name="uq_record_item_source"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    source: str = Field(max_length=32, nullable=False)
    source_ref: str = Field(max_length=120, nullable=False)
    title: str = Field(max_length=300, nullable=False)
    summary: str = Field(default="", nullable=False)
    title_cy: str = Field(default="", max_length=300, nullable=False)
    summary_cy: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    public_url: str = Field(default="", max_length=500, nullable=False)
    amount_pence: int | None = pence(nullable=True)
    budget_line_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("budget_line.id", ondelete="SET NULL"), index=True, nullable=True),
    )
    decided_at: datetime | None = Field(default=None)
    received_at: datetime = Field(default_factory=utcnow, nullable=False)
    response_due: date = Field(nullable=False)


class RecordItemLine(SQLModel, table=True):
    """One of several budget lines an item would change (a jury recommendation may touch many), in pence."""

    __tablename__ = "record_item_line"
    __table_args__ = (UniqueConstraint("item_id", "budget_line_id", name="uq_record_item_line"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(
        sa_column=Column(Integer, ForeignKey("record_item.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    budget_line_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("budget_line.id", ondelete="SET NULL"), index=True, nullable=True),
    )
    change_pence: int = pence()


class Response(SQLModel, table=True):
    """What the council decided about an item, who decided it, when, and why."""

    __tablename__ = "record_response"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="record_item.id", unique=True, nullable=False)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    outcome: str = Field(max_length=20, nullable=False)
    reasons: str = Field(nullable=False)
    reasons_cy: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    decided_by: str = Field(max_length=32, nullable=False)
    decided_on: date = Field(nullable=False)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow, nullable=False)


class LineChange(SQLModel, table=True):
    """A change to one line of a book version: from → to, its source and the reason."""

    __tablename__ = "line_change"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    book_id: int = Field(foreign_key="budget_book.id", index=True, nullable=False)
    line_id: int = Field(foreign_key="budget_line.id", index=True, nullable=False)
    source: str = Field(max_length=32, nullable=False)
    item_id: int | None = Field(default=None, foreign_key="record_item.id", index=True)
    reason: str = Field(nullable=False)
    from_gross_pence: int = pence()
    to_gross_pence: int = pence()
    from_income_pence: int = pence()
    to_income_pence: int = pence()
    from_net_pence: int = pence()
    to_net_pence: int = pence()
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class Milestone(SQLModel, table=True):
    """A step in delivering an accepted item, with its status, dates and evidence."""

    __tablename__ = "milestone"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="record_item.id", index=True, nullable=False)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    title: str = Field(max_length=200, nullable=False)
    title_cy: str = Field(default="", max_length=200, nullable=False)
    status: str = Field(max_length=16, nullable=False, default=NOT_STARTED)
    due_on: date | None = Field(default=None)
    completed_on: date | None = Field(default=None)
    evidence_url: str = Field(default="", max_length=500, nullable=False)
    evidence_note: str = Field(default="", nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, nullable=False)
