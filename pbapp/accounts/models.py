"""People who sign in, their roles per council, invitations and password resets."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.timeutil import utcnow

ADMIN, OFFICER, FACILITATOR, RESIDENT = "admin", "officer", "facilitator", "resident"
ROLES = (ADMIN, OFFICER, FACILITATOR, RESIDENT)


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, SQLModel, table=True):
    """A person with an account; `session_token` (the session version) changes with the password and on
    sign-out, which ends every session signed with the old one."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, nullable=False)
    name: str = Field(max_length=200, nullable=False)
    password_hash: str = Field(max_length=200, nullable=False)
    postcode: str = Field(default="", max_length=10, nullable=False)
    language: str = Field(default="", max_length=5, nullable=False)  # "" follows the browser
    active: bool = Field(default=True, nullable=False)
    session_token: str = Field(default_factory=new_session_token, max_length=40, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    email_confirmed_at: datetime | None = None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


class Membership(SQLModel, table=True):
    """A role a user holds in one council."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "council_id", "role", name="uq_membership_user_council_role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    role: str = Field(max_length=16, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class Invitation(SQLModel, table=True):
    """An emailed link that lets someone join a council in a role until it expires."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    email: str = Field(max_length=320, nullable=False)
    role: str = Field(max_length=16, nullable=False)
    token_hash: str = Field(max_length=64, unique=True, nullable=False)
    invited_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    expires_at: datetime = Field(nullable=False)
    accepted_at: datetime | None = None


class OneTimeLink(SQLModel):
    """The columns of an emailed single-use, expiring link (only its token's hash is stored)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)
    token_hash: str = Field(max_length=64, unique=True, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    expires_at: datetime = Field(nullable=False)
    used_at: datetime | None = None


class PasswordReset(OneTimeLink, table=True):
    """A link that lets the account holder choose a new password."""

    __tablename__ = "password_reset"


class EmailConfirmation(OneTimeLink, table=True):
    """A link that proves the account holder reads the account's email."""

    __tablename__ = "email_confirmation"


REGISTER, LETTER = "register", "letter"
RESIDENCE_METHODS = (REGISTER, LETTER)
ELECTORAL_REGISTER, COUNCIL_TAX = "electoral_register", "council_tax"
REGISTER_SOURCES = (ELECTORAL_REGISTER, COUNCIL_TAX)
PREVIEW, ACTIVE, REPLACED = "preview", "active", "replaced"


class RegisterImport(SQLModel, table=True):
    """A register of residents a council imported (electoral register or council tax extract), as keyed hashes."""

    __tablename__ = "register_import"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    source: str = Field(max_length=24, nullable=False)
    filename: str = Field(default="", max_length=200, nullable=False)
    rows: int = Field(default=0, nullable=False)
    status: str = Field(default=PREVIEW, max_length=12, nullable=False)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    confirmed_at: datetime | None = None


class RegisterEntry(SQLModel, table=True):
    """One person on an imported register: keyed hashes of normalised name, date of birth and postcode, and of the address."""

    __tablename__ = "register_entry"
    __table_args__ = (UniqueConstraint("import_id", "person_hash", name="uq_register_entry_import_person"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="register_import.id", index=True, nullable=False)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    person_hash: str = Field(max_length=64, index=True, nullable=False)
    address_hash: str = Field(default="", max_length=64, nullable=False)


class ResidenceLetter(SQLModel, table=True):
    """A one-time code posted to the address a resident gave; entering it proves they live there."""

    __tablename__ = "residence_letter"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)
    address: str = Field(max_length=300, nullable=False)
    postcode: str = Field(max_length=10, nullable=False)
    requested_at: datetime = Field(default_factory=utcnow, nullable=False)
    printed_at: datetime | None = None
    used_at: datetime | None = None


class ResidenceVerification(SQLModel, table=True):
    """That an account's holder lives in a council's area, and how it was shown.

    `evidence_hash` is the register entry's keyed hash or the posted letter's: one piece of evidence
    verifies one account, which a database constraint enforces.
    """

    __tablename__ = "residence_verification"
    __table_args__ = (
        UniqueConstraint("council_id", "user_id", name="uq_residence_council_user"),
        UniqueConstraint("council_id", "evidence_hash", name="uq_residence_council_evidence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)
    method: str = Field(max_length=12, nullable=False)
    evidence_hash: str = Field(max_length=64, nullable=False)
    postcode: str = Field(max_length=10, nullable=False)
    address_hash: str = Field(default="", max_length=64, nullable=False)
    verified_at: datetime = Field(default_factory=utcnow, nullable=False)
