"""Outgoing mail: recorded in the outbox, delivered by a job through Flask-Mailman, retried, and
marked failed where a person can see it and try again.

A web request never talks to the mail server: it records the message, and once its transaction
has committed a job delivers it. The outbox page shows only a preview in which personal links
(password resets, invitations) are withheld, and a message's body is dropped once delivered.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMessage, Mail
from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, select

from pbapp.jobs import N_
from pbapp.timeutil import utcnow

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED, KEPT = "pending", "sending", "sent", "failed", "kept"
STATUS_LABELS = {
    PENDING: _l("Waiting to be sent"),
    SENDING: _l("Being sent"),
    SENT: _l("Sent"),
    FAILED: _l("Not sent: failed"),
    KEPT: _l("Kept here: no mail server is set up"),
}
WITHHELD = "[link withheld]"

_mailer = Mail()


class OutboxMessage(SQLModel, table=True):
    """A message the app sent, is sending, could not send, or kept because no mail server is set up."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int | None = Field(default=None, foreign_key="council.id", index=True)
    to: str = Field(max_length=320, nullable=False)
    subject: str = Field(max_length=200, nullable=False)
    body: str = Field(nullable=False)
    preview: str = Field(default="", nullable=False)
    status: str = Field(default=PENDING, max_length=16, nullable=False, index=True)
    attempts: int = Field(default=0, nullable=False)
    last_error: str = Field(default="", max_length=300, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    sent_at: datetime | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


def init_app(app: Flask) -> None:
    """Configure Flask-Mailman from MAIL_TLS (none, starttls or tls) and the MAIL_* settings."""
    mode = app.config.get("MAIL_TLS", "starttls")
    app.config["MAIL_USE_TLS"] = mode == "starttls"
    app.config["MAIL_USE_SSL"] = mode == "tls"
    app.config.setdefault("MAIL_DEFAULT_SENDER", app.config.get("MAIL_FROM"))
    # Always SMTP: Flask-Mailman would keep mail in memory under TESTING, and the tests use a real server.
    app.config["MAIL_BACKEND"] = "smtp"
    _mailer.init_app(app)


def send(
    session: Session, to: str, subject: str, body: str, *, council_id: int | None = None, secret: str | None = None
) -> OutboxMessage:
    """Record a message in the caller's transaction; a job delivers it once that transaction commits.

    `secret` (a reset or invitation link) is withheld from the preview the outbox page shows.
    """
    preview = body.replace(secret, WITHHELD) if secret else body
    configured = bool(current_app.config.get("MAIL_SERVER"))
    message = OutboxMessage(
        to=to,
        subject=subject,
        body=body,
        preview=preview,
        council_id=council_id,
        status=PENDING if configured else KEPT,
    )
    session.add(message)
    if configured:
        from pbapp import jobs

        jobs.enqueue_after_commit(session, "mail", deliver_job, council_id=council_id, council=council_id)
    return message


def deliver_job(session: Session, progress, council: int | None = None) -> dict[str, int]:
    """Job: deliver the pending messages, retrying the whole batch while the server does not answer."""
    config = current_app.config
    attempts_allowed = max(1, config.get("MAIL_ATTEMPTS", 5))
    wait = float(config.get("MAIL_RETRY_SECONDS", 30))
    council_id, sent = council, 0
    for attempt in range(attempts_allowed):
        pending = _pending(session, council_id)
        # End the read before talking to the relay: on SQLite the job's transaction holds the write
        # lock, and a relay that never answers would otherwise stall every vote for its timeout.
        session.commit()
        if not pending:
            break
        sent += _deliver_batch(session, pending, progress)
        left = len(_pending(session, council_id))
        session.commit()  # end the read: progress writes in its own transaction
        if not left or attempt == attempts_allowed - 1:
            break
        progress(100 * sent / max(1, sent + left), N_("The mail server did not answer; trying again"))
        time.sleep(wait * (2**attempt))
    failed = _give_up(session, council_id, attempts_allowed)
    return {"sent": sent, "failed": failed}


def _pending(session: Session, council_id: int | None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.status == PENDING)
    query = (
        query.where(OutboxMessage.council_id == council_id)
        if council_id is not None
        else query.where(OutboxMessage.council_id.is_(None))
    )
    return list(session.exec(query.order_by(OutboxMessage.id)).all())


def _deliver_batch(session: Session, messages: list[OutboxMessage], progress) -> int:
    """Send each message over one connection; a message is committed as sent the moment it is.

    Each message is claimed (pending -> sending) in its own transaction before it is sent, so two
    workers delivering the same council's mail at once never send one message twice.
    """
    sent = 0
    try:
        with _mailer.get_connection(fail_silently=False) as connection:
            for number, message in enumerate(messages, start=1):
                if not _claim(session, message):
                    continue
                email = EmailMessage(
                    message.subject, message.body, current_app.config["MAIL_FROM"], [message.to], connection=connection
                )
                try:
                    email.send()
                except Exception as error:  # noqa: BLE001 - any refusal is recorded on the message
                    _failed_attempt(message, error)
                    message.status = PENDING
                else:
                    message.status, message.sent_at, message.body = SENT, utcnow(), ""
                    message.last_error = ""
                    sent += 1
                message.attempts += 1
                session.add(message)
                session.commit()
                progress(100 * number / len(messages), N_("Sending mail"))
    except Exception as error:  # noqa: BLE001 - the server could not be reached or refused the session
        session.rollback()
        for message in messages:
            session.refresh(message)
            if message.status in (PENDING, SENDING):
                _failed_attempt(message, error)
                message.status = PENDING
                message.attempts += 1
                session.add(message)
        session.commit()
    return sent


def _claim(session: Session, message: OutboxMessage) -> bool:
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == PENDING)
        .values(status=SENDING)
    ).rowcount
    session.commit()
    if claimed:
        message.status = SENDING
    return bool(claimed)


def _failed_attempt(message: OutboxMessage, error: Exception) -> None:
    # The address is personal data: the log names the message, never the recipient.
    reason = f"{type(error).__name__}: {error}"[:300]
    log.warning("mail %s not delivered: %s", message.id, type(error).__name__)
    message.last_error = reason.replace(message.to, "(recipient)")


def _give_up(session: Session, council_id: int | None, attempts_allowed: int) -> int:
    left = _pending(session, council_id)
    for message in left:
        message.status = FAILED
        session.add(message)
    session.commit()
    return len(left)


STOPPED = N_("The worker sending this message stopped before the mail server answered.")


def recover_stuck(session: Session) -> int:
    """Mark failed the messages left 'sending' by a mail job that is no longer running; return how many."""
    from pbapp import jobs

    live = set(
        session.exec(
            select(jobs.Job.council_id).where(jobs.Job.kind == "mail", jobs.Job.status.in_((jobs.QUEUED, jobs.RUNNING)))
        ).all()
    )
    stuck = [
        m
        for m in session.exec(select(OutboxMessage).where(OutboxMessage.status == SENDING)).all()
        if m.council_id not in live
    ]
    for message in stuck:
        message.status, message.last_error = FAILED, STOPPED
        session.add(message)
    session.commit()
    return len(stuck)


def outbox(session: Session, council_ids: list[int], limit: int = 100) -> list[OutboxMessage]:
    """The newest messages of the given councils (the ones a person manages), newest first."""
    if not council_ids:
        return []
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.council_id.in_(council_ids))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def retry_failed(session: Session, council_ids: list[int], message_id: int | None = None) -> int:
    """Put failed messages of these councils back in the queue (one, or all) in the caller's
    transaction; delivery starts when it commits. Return how many."""
    query = select(OutboxMessage).where(
        OutboxMessage.status == FAILED, OutboxMessage.council_id.in_(council_ids or [-1])
    )
    if message_id is not None:
        query = query.where(OutboxMessage.id == message_id)
    messages = list(session.exec(query).all())
    for message in messages:
        message.status, message.attempts, message.last_error = PENDING, 0, ""
        session.add(message)
    if messages and current_app.config.get("MAIL_SERVER"):
        from pbapp import jobs

        for council_id in sorted({m.council_id for m in messages}):
            jobs.enqueue_after_commit(session, "mail", deliver_job, council_id=council_id, council=council_id)
    return len(messages)
