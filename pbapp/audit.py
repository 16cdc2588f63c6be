"""The append-only, hash-chained audit log of every state change that matters."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlmodel import Field, Session, SQLModel

from pbapp.core.chain import GENESIS, link_hash, verify_chain, ChainBreak
from pbapp.timeutil import utcnow


class AuditEvent(SQLModel, table=True):
    """One recorded action; `previous_hash` is unique so the chain cannot fork."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    council_id: int | None = Field(default=None, foreign_key="council.id", index=True)
    actor_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=80, nullable=False)
    subject_type: str = Field(max_length=40, nullable=False)
    subject_id: str = Field(max_length=64, nullable=False, default="")
    payload: str = Field(default="{}", nullable=False)
    previous_hash: str = Field(max_length=64, nullable=False, unique=True)
    hash: str = Field(max_length=64, nullable=False, unique=True)

    def content(self) -> dict[str, Any]:
        """Return what the hash covers."""
        return {
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "council_id": self.council_id,
            "actor_id": self.actor_id,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "payload": json.loads(self.payload),
        }


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(*_args):
    raise AuditLogIsAppendOnly("audit entries cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(*_args):
    raise AuditLogIsAppendOnly("audit entries cannot be deleted")


def _lock_chain(session: Session) -> None:
    # Writers must read the chain's tail one at a time or two would link to the same entry.
    # SQLite already serialises writers (BEGIN IMMEDIATE); PostgreSQL needs an explicit lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727001)"))


def record(
    session: Session,
    action: str,
    subject_type: str,
    subject_id: Any = "",
    *,
    council_id: int | None = None,
    actor_id: int | None = None,
    **payload: Any,
) -> AuditEvent:
    """Append an event to the chain in the caller's transaction (the caller commits)."""
    _lock_chain(session)
    session.flush()
    last = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none()
    entry = AuditEvent(
        council_id=council_id,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=json.dumps(payload, sort_keys=True, default=str),
        previous_hash=last or GENESIS,
        hash="",
    )
    entry.hash = link_hash(entry.previous_hash, entry.content())
    session.add(entry)
    session.flush()
    return entry


def verify(session: Session) -> ChainBreak | None:
    """Re-check the whole audit chain; return the first break or None."""
    events = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
    return verify_chain((e.previous_hash, e.hash, e.content()) for e in events)
