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
    """A person with an account; `session_token` changes with the password to end old sessions."""

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

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


class Membership(SQLModel, table=True):
    """A role a user holds in one council."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "council_id", "role", name="uq_membership_user_council_role"),
    )

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


class PasswordReset(SQLModel, table=True):
    """A single-use, expiring password reset token (only its hash is stored)."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)
    token_hash: str = Field(max_length=64, unique=True, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    expires_at: datetime = Field(nullable=False)
    used_at: datetime | None = None
