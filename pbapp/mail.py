"""Outgoing mail: sent by SMTP when configured, and always kept in an outbox admins can read."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlmodel import Field, Session, SQLModel

from pbapp.timeutil import utcnow

log = logging.getLogger(__name__)


class OutboxMessage(SQLModel, table=True):
    """A message the app sent or would have sent (the dev outbox when no SMTP is set)."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=320, nullable=False)
    subject: str = Field(max_length=200, nullable=False)
    body: str = Field(nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    delivered: bool = Field(default=False, nullable=False)


def send(session: Session, to: str, subject: str, body: str) -> OutboxMessage:
    """Queue a message in the caller's transaction and deliver it if SMTP is configured."""
    message = OutboxMessage(to=to, subject=subject, body=body)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        email = EmailMessage()
        email["From"] = config["MAIL_FROM"]
        email["To"] = to
        email["Subject"] = subject
        email.set_content(body)
        try:
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
                smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                smtp.send_message(email)
            message.delivered = True
        except (OSError, smtplib.SMTPException):
            # The address is personal data: log only that a delivery failed.
            log.warning("mail delivery failed; message kept in the outbox")
    session.add(message)
    return message
