"""Tables of the files published with a ballot's results: its log (log.json) and Pabulib export (election.pb).

They are written once, when the results are published, and never change after; they live in the
database (in chunks, so a download reads one chunk at a time) so that every app instance serves the
same bytes and `pbapp backup`/`restore` keep them with everything else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.timeutil import utcnow


class PublishedFile(SQLModel, table=True):
    """One published file of a ballot: its name, length and SHA-256 (the ETag)."""

    __tablename__ = "pb_published_file"
    __table_args__ = (UniqueConstraint("ballot_id", "name", name="uq_pb_published_file_name"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    name: str = Field(max_length=32, nullable=False)
    mimetype: str = Field(max_length=64, nullable=False)
    size: int = Field(default=0, nullable=False)
    sha256: str = Field(max_length=64, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class PublishedChunk(SQLModel, table=True):
    """A piece of a published file, in order by `part`; every piece but the last holds CHUNK_BYTES."""

    __tablename__ = "pb_published_chunk"

    file_id: int = Field(foreign_key="pb_published_file.id", primary_key=True)
    part: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
