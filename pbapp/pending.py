"""Uploads waiting for a person's confirmation, held on the server instead of in the page.

A two-step upload (preview, then confirm) keeps the files here under a random id that only the
person who uploaded them, in the council they uploaded them to, can use; the page carries the
id alone. Held files expire after PENDING_UPLOAD_MINUTES and are deleted by the next upload
(or once used). They live in the database, so every app instance behind the proxy sees them.
The one store for every such upload: a pool's files (sortition) and a council's wards and
postcodes files (councils), each under its own `kind`.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import LargeBinary, delete
from sqlmodel import Column, Field, Session, SQLModel, select

from pbapp.core.tokens import new_token, token_hash
from pbapp.timeutil import utcnow


class PendingUpload(SQLModel, table=True):
    """Files uploaded for a preview, kept until confirmed or expired."""

    __tablename__ = "pending_upload"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, nullable=False, unique=True)
    kind: str = Field(max_length=40, nullable=False)
    council_id: int = Field(foreign_key="council.id", nullable=False, index=True)
    user_id: int = Field(foreign_key="user_account.id", nullable=False)
    files: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    meta: str = Field(default="{}", nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    expires_at: datetime = Field(nullable=False, index=True)

    def unpack(self) -> tuple[dict[str, bytes], dict]:
        with zipfile.ZipFile(io.BytesIO(self.files)) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        return files, json.loads(self.meta)


def hold(session: Session, kind: str, council_id: int, user_id: int, files: dict[str, bytes], meta: dict) -> str:
    """Keep `files` for a later confirmation in the caller's transaction; return the id for the page."""
    session.execute(delete(PendingUpload).where(PendingUpload.expires_at < utcnow()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    token, digest = new_token(24)
    minutes = current_app.config["PENDING_UPLOAD_MINUTES"]
    session.add(
        PendingUpload(
            token_hash=digest,
            kind=kind,
            council_id=council_id,
            user_id=user_id,
            files=buffer.getvalue(),
            meta=json.dumps(meta, sort_keys=True),
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    return token


def find(session: Session, token: str, kind: str, council_id: int, user_id: int) -> PendingUpload | None:
    """The held upload behind `token`, if it is this person's, for this council and not expired."""
    if not token:
        return None
    held = session.exec(select(PendingUpload).where(PendingUpload.token_hash == token_hash(token))).first()
    if (
        held is None
        or held.kind != kind
        or held.council_id != council_id
        or held.user_id != user_id
        or _aware(held.expires_at) < utcnow()
    ):
        return None
    return held


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
