"""Tables of the juries domain: the jury, its jurors, sessions, attendance and expenses.

Deliberation (rounds, evidence, questions, polls, recommendations) builds on `Jury` and
`JurySession`: its tables are in pbapp/deliberation/models.py.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.timeutil import utcnow

INVITED, CONFIRMED, DECLINED, WITHDRAWN, REPLACED, RESERVE = (
    "invited",
    "confirmed",
    "declined",
    "withdrawn",
    "replaced",
    "reserve",
)
JUROR_STATUSES = (INVITED, CONFIRMED, DECLINED, WITHDRAWN, REPLACED, RESERVE)
SEATED = (INVITED, CONFIRMED)
LEFT = (DECLINED, WITHDRAWN)

TRAVEL, CARE, MEALS, OTHER = "travel", "care", "meals", "other"
EXPENSE_KINDS = (TRAVEL, CARE, MEALS, OTHER)


class Jury(SQLModel, table=True):
    """A citizens' jury: one plain-language question, a panel drawn from its pool, a facilitator."""

    __tablename__ = "jury"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    pool_id: int = Field(foreign_key="sortition_pool.id", index=True, nullable=False)
    remit: str = Field(max_length=300, nullable=False)
    remit_cy: str = Field(default="", max_length=300, nullable=False)  # the remit in Welsh, empty when none
    panel_size: int = Field(nullable=False)
    starts_on: date = Field(nullable=False)
    ends_on: date = Field(nullable=False)
    facilitator_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # BudgetBook lives in pbapp.ledger; kept as a plain id so juries does not depend on it.
    budget_book_id: int | None = None
    honorarium_pence: int = Field(default=0, nullable=False)
    selection_run_id: int | None = Field(default=None, foreign_key="sortition_selection_run.id")
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class Juror(SQLModel, table=True):
    """A volunteer's place on (or in reserve for) a jury; one per person per jury."""

    __tablename__ = "juror"
    __table_args__ = (UniqueConstraint("jury_id", "person_id", name="uq_juror_jury_person"),)

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    person_id: int = Field(foreign_key="sortition_person.id", index=True, nullable=False)
    status: str = Field(default=INVITED, max_length=16, nullable=False)
    reserve_rank: int | None = None
    from_run_id: int | None = Field(default=None, foreign_key="sortition_selection_run.id")
    response_token_hash: str = Field(default="", max_length=64, nullable=False, index=True)
    invited_at: datetime | None = None
    responded_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class JurySession(SQLModel, table=True):
    """A day (or evening) the jury meets; attendance and honoraria count per session."""

    __tablename__ = "jury_session"

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    title: str = Field(max_length=200, nullable=False)
    title_cy: str = Field(default="", max_length=200, nullable=False)
    held_on: date = Field(nullable=False)


class Attendance(SQLModel, table=True):
    """Whether a juror came to a session."""

    __tablename__ = "jury_attendance"
    __table_args__ = (UniqueConstraint("session_id", "juror_id", name="uq_attendance_session_juror"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="jury_session.id", index=True, nullable=False)
    juror_id: int = Field(foreign_key="juror.id", index=True, nullable=False)
    present: bool = Field(default=False, nullable=False)
    recorded_at: datetime = Field(default_factory=utcnow, nullable=False)


class Expense(SQLModel, table=True):
    """Money owed to a juror beyond the honorarium (travel, care, meals), in pence."""

    __tablename__ = "jury_expense"

    id: int | None = Field(default=None, primary_key=True)
    juror_id: int = Field(foreign_key="juror.id", index=True, nullable=False)
    session_id: int | None = Field(default=None, foreign_key="jury_session.id")
    kind: str = Field(max_length=16, nullable=False)
    description: str = Field(default="", max_length=200, nullable=False)
    amount_pence: int = Field(nullable=False)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
