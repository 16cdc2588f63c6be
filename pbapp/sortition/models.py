"""Tables of the sortition domain: pools, volunteers, features and quotas, selection runs."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.timeutil import utcnow

UPLOAD, REGISTRATION, SEEDED = "upload", "registration", "seed"

QUEUED, RUNNING, AWAITING_DRAW, COMPLETE, FAILED = "queued", "running", "awaiting_draw", "complete", "failed"
RUN_STATUSES = (QUEUED, RUNNING, AWAITING_DRAW, COMPLETE, FAILED)
LEXIMIN, LEGACY = "leximin", "legacy"
SELECTION, REPLACEMENT, RESERVE = "selection", "replacement", "reserve"


def _json_text() -> Any:
    return Field(default="{}", sa_column=Column(Text, nullable=False))


class Pool(SQLModel, table=True):
    """The volunteers a panel is drawn from, with the quotas the panel must meet.

    `household_salt` keys the pseudonymous household ids; erasing it (with the contacts)
    leaves no way back from a household id to an address.
    """

    __tablename__ = "sortition_pool"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    name: str = Field(max_length=200, nullable=False)
    panel_size: int = Field(default=30, nullable=False)
    one_per_household: bool = Field(default=False, nullable=False)
    retention_until: date | None = None
    household_salt: str = Field(default="", max_length=64, nullable=False)
    erased_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class Feature(SQLModel, table=True):
    """A characteristic the quotas stratify on (sex, age band, area...)."""

    __tablename__ = "sortition_feature"
    __table_args__ = (UniqueConstraint("pool_id", "name", name="uq_sortition_feature_pool_name"),)

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="sortition_pool.id", index=True, nullable=False)
    name: str = Field(max_length=80, nullable=False)
    position: int = Field(default=0, nullable=False)


class FeatureValue(SQLModel, table=True):
    """One value of a feature and its quota: the panel holds between `min` and `max` people with it."""

    __tablename__ = "sortition_feature_value"
    __table_args__ = (UniqueConstraint("feature_id", "value", name="uq_sortition_value_feature_value"),)

    id: int | None = Field(default=None, primary_key=True)
    feature_id: int = Field(foreign_key="sortition_feature.id", index=True, nullable=False)
    value: str = Field(max_length=120, nullable=False)
    position: int = Field(default=0, nullable=False)
    min: int = Field(default=0, nullable=False)
    max: int = Field(default=0, nullable=False)
    # The Sortition Foundation's flexible bounds on relaxing the quota (None when the file gave none).
    min_flex: int | None = None
    max_flex: int | None = None


class Person(SQLModel, table=True):
    """A volunteer: a pseudonymous id, features and a pseudonymous household, never contact details."""

    __tablename__ = "sortition_person"
    __table_args__ = (UniqueConstraint("pool_id", "public_id", name="uq_sortition_person_pool_public_id"),)

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="sortition_pool.id", index=True, nullable=False)
    public_id: str = Field(max_length=64, nullable=False)
    features: str = _json_text()
    household: str = Field(default="", max_length=64, nullable=False)
    source: str = Field(default=UPLOAD, max_length=16, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)

    def feature_values(self) -> dict[str, str]:
        return json.loads(self.features or "{}")


class PersonContact(SQLModel, table=True):
    """How to reach a volunteer; held apart from the features so it can be erased on its own."""

    __tablename__ = "sortition_person_contact"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="sortition_person.id", unique=True, nullable=False)
    name: str = Field(default="", max_length=200, nullable=False)
    email: str = Field(default="", max_length=320, nullable=False)
    phone: str = Field(default="", max_length=40, nullable=False)
    address: str = Field(default="", max_length=400, nullable=False)
    postcode: str = Field(default="", max_length=10, nullable=False)


class InvitationCode(SQLModel, table=True):
    """A one-time code printed on an invitation letter; only its hash is stored."""

    __tablename__ = "sortition_invitation_code"

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="sortition_pool.id", index=True, nullable=False)
    code_hash: str = Field(max_length=64, unique=True, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    used_at: datetime | None = None
    person_id: int | None = Field(default=None, foreign_key="sortition_person.id")


class SelectionRun(SQLModel, table=True):
    """One selection (or replacement) from a pool: committed lottery, public draw, panel, report.

    JSON columns hold pseudonymous ids only. `commitment` is the SHA-256 of the lottery,
    published before the draw number is known.
    """

    __tablename__ = "sortition_selection_run"

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="sortition_pool.id", index=True, nullable=False)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    purpose: str = Field(default=SELECTION, max_length=16, nullable=False)
    parent_id: int | None = Field(default=None, foreign_key="sortition_selection_run.id")
    algorithm: str = Field(default=LEXIMIN, max_length=16, nullable=False)
    version: str = Field(default="", max_length=60, nullable=False)
    status: str = Field(default=QUEUED, max_length=16, nullable=False)
    job_id: int | None = Field(default=None, foreign_key="job.id")
    panel_size: int = Field(nullable=False)
    seed: int = Field(default=0, nullable=False)
    input_hash: str = Field(default="", max_length=64, nullable=False)
    commitment: str = Field(default="", max_length=64, nullable=False)
    lottery_size: int = Field(default=0, nullable=False)
    draw_number: int | None = None
    pool_input: str = _json_text()
    lottery: str = _json_text()
    probabilities: str = _json_text()
    panel: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    report: str = _json_text()
    error: str = Field(default="", max_length=2000, nullable=False)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    committed_at: datetime | None = None
    drawn_at: datetime | None = None

    def panel_ids(self) -> list[str]:
        return json.loads(self.panel or "[]")

    def report_data(self) -> dict[str, Any]:
        return json.loads(self.report or "{}")

    def probability_of(self) -> dict[str, float]:
        return json.loads(self.probabilities or "{}")
