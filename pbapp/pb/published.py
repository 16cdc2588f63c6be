"""What a published ballot shows, at a cost that follows what it shows rather than the size of the vote.

The results pages and exports read the stored count (`Result`); the log page reads two rows of the
log (its length and head) and a receipt check one entry. The ballot log (log.json) and the Pabulib
export (election.pb) never change once the results are published, so they are written then, once,
into `pb_published_file` in chunks, and served from there with an ETag and byte ranges, one chunk
in memory at a time, instead of each download reading and re-encoding the whole log.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator

from flask import Response, request, send_file
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from pbapp.core.chain import GENESIS
from pbapp.councils.models import Council
from pbapp import jobs
from pbapp.db import get_engine
from pbapp.errors import Conflict, NotFound
from pbapp.jobs import N_
from pbapp.pb.models import ALLOCATION, SIMULATOR, Ballot, BallotLogEntry
from pbapp.pb.published_models import PublishedChunk, PublishedFile

CHUNK_BYTES = 1 << 20
LOG, PB = "log.json", "election.pb"
_MIMETYPES = {LOG: "application/json", PB: "text/plain"}  # Flask adds the charset to text
_ENTRIES_MARK = "\x00pbapp-entries\x00"  # stands for the entries in the document's JSON while it is written
_ROWS_PER_FETCH = 5000


def log_extent(session: Session, ballot: Ballot) -> tuple[int, str]:
    """How many entries the ballot's log holds, and its head (the last entry's hash), from the index alone."""
    where = BallotLogEntry.ballot_id == ballot.id
    total = session.exec(select(func.count()).select_from(BallotLogEntry).where(where)).one()
    last = session.exec(select(BallotLogEntry.hash).where(where).order_by(BallotLogEntry.seq.desc()).limit(1)).first()
    return total, last or GENESIS


def log_json_pieces(session: Session, ballot: Ballot) -> Iterator[str]:
    """The published log.json, piece by piece: the same text as json.dumps(log_document(...)), in bounded memory."""
    from pbapp.pb import services

    document = services.log_document(session, ballot, entries=False)
    document["entries"] = _ENTRIES_MARK
    around = json.dumps(document, ensure_ascii=False).split(json.dumps(_ENTRIES_MARK))
    if len(around) != 2:
        raise RuntimeError("the ballot's settings hold the mark that stands for the log's entries")
    yield around[0] + "["
    entry = BallotLogEntry
    rows = session.execute(
        select(
            entry.seq,
            entry.voter_token,
            entry.channel,
            entry.choices,
            entry.receipt,
            entry.verified,
            entry.previous_hash,
            entry.hash,
        )
        .where(entry.ballot_id == ballot.id)
        .order_by(entry.seq)
        .execution_options(yield_per=_ROWS_PER_FETCH)
    )
    last = GENESIS
    for n, (seq, token, channel, choices, receipt, verified, previous, this) in enumerate(rows):
        content = {
            **entry.content_of(seq, token, channel, choices, receipt, verified),
            "previous_hash": previous,
            "hash": this,
        }
        yield (", " if n else "") + json.dumps(content, ensure_ascii=False)
        last = this
    # The head was read before the entries: a log changed in between must not be published half-old.
    if last != document["head"]:
        raise Conflict(_("The ballot log changed while it was being written. Try again in a moment."))
    yield "]" + around[1]


class _ChunkWriter:
    """Store text as one published file in CHUNK_BYTES pieces, hashing it as it goes."""

    def __init__(self, session: Session, file: PublishedFile):
        self.session, self.file = session, file
        self.buffer, self.digest, self.part = bytearray(), hashlib.sha256(), 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.digest.update(data)
        self.file.size += len(data)
        self.buffer += data
        while len(self.buffer) >= CHUNK_BYTES:
            self._store(bytes(self.buffer[:CHUNK_BYTES]))
            del self.buffer[:CHUNK_BYTES]

    def _store(self, data: bytes) -> None:
        self.session.execute(
            PublishedChunk.__table__.insert(), {"file_id": self.file.id, "part": self.part, "data": data}
        )
        self.part += 1

    def close(self) -> None:
        if self.buffer or self.part == 0:
            self._store(bytes(self.buffer))
        self.file.sha256 = self.digest.hexdigest()
        self.session.add(self.file)


def _write(session: Session, ballot: Ballot, name: str, pieces: Iterable[str]) -> PublishedFile:
    file = PublishedFile(ballot_id=ballot.id, name=name, mimetype=_MIMETYPES[name], sha256="")
    session.add(file)
    session.flush()
    writer = _ChunkWriter(session, file)
    for piece in pieces:
        writer.write(piece)
    writer.close()
    return file


def write_files(session: Session, council: Council, ballot: Ballot) -> None:
    """Write the ballot's log and Pabulib export as published; called as the results are published (no commit)."""
    from pbapp.pb import services

    session.flush()
    _write(session, ballot, LOG, log_json_pieces(session, ballot))
    if ballot.kind not in (ALLOCATION, SIMULATOR):
        text, _mimetype, _name = services.export(session, council, ballot.id, "pb")
        _write(session, ballot, PB, [text])


def write_after_commit(session: Session, council: Council, ballot: Ballot) -> None:
    """Have a job write the published files once the publication commits (reading 100,000 ballots takes seconds)."""
    jobs.enqueue_after_commit(
        session,
        f"pb.published_files:{ballot.id}",
        run_write_files,
        council_id=council.id,
        ballot_id=ballot.id,
    )


def run_write_files(session: Session, progress, ballot_id: int) -> dict:
    """Job: write a published ballot's files, unless a download already wrote them."""
    progress(10, N_("Writing the ballot log"))  # before any read: on SQLite a session's first read takes the write lock
    ballot = session.get(Ballot, ballot_id)
    written = session.exec(select(PublishedFile.id).where(PublishedFile.ballot_id == ballot_id)).first()
    if written is None:
        try:
            write_files(session, session.get(Council, ballot.council_id), ballot)
            session.commit()
        except IntegrityError:
            session.rollback()  # a download wrote them meanwhile: the same bytes
    return {"written": written is None}


def published_file(session: Session, council: Council, ballot_id: int, name: str) -> PublishedFile:
    """The stored file `name` of a published ballot; written now (once) for results published before files were kept."""
    from pbapp.pb import services

    ballot = services.get_ballot(session, council, ballot_id)
    if ballot.results_published_at is None:
        raise NotFound(_("Nothing about this ballot’s results is published until the council publishes them."))
    if name == PB and ballot.kind in (ALLOCATION, SIMULATOR):
        raise NotFound(_("Allocation ballots have no Pabulib export."))
    query = select(PublishedFile).where(PublishedFile.ballot_id == ballot.id, PublishedFile.name == name)
    file = session.exec(query).first()
    if file is None:
        try:
            write_files(session, council, ballot)
            session.commit()
        except IntegrityError:
            session.rollback()  # another request wrote them first: theirs are the same bytes
        file = session.exec(query).one()
    return file


class _ChunkReader(io.RawIOBase):
    """A published file read as a seekable file, one chunk from the database at a time.

    Each chunk is read on a connection taken from the pool and given back at once, so a slow
    download holds no connection between chunks.
    """

    def __init__(self, engine, file_id: int, size: int):
        super().__init__()
        self.engine, self.file_id, self.size = engine, file_id, size
        self.position, self.part, self.data = 0, -1, b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer) -> int:
        if self.position >= self.size:
            return 0
        part, start = divmod(self.position, CHUNK_BYTES)
        if part != self.part:
            with self.engine.connect() as connection:
                self.data = connection.execute(
                    select(PublishedChunk.data).where(
                        PublishedChunk.file_id == self.file_id, PublishedChunk.part == part
                    )
                ).scalar_one()
            self.part = part
        piece = memoryview(self.data)[start : start + len(buffer)]
        buffer[: len(piece)] = piece
        self.position += len(piece)
        return len(piece)


def send(file: PublishedFile, download_name: str) -> Response:
    """Serve a published file as a download, with its SHA-256 as ETag (304) and byte ranges (206)."""
    reader = io.BufferedReader(_ChunkReader(get_engine(), file.id, file.size), buffer_size=64 * 1024)
    response = send_file(
        reader,
        mimetype=file.mimetype,
        as_attachment=True,
        download_name=download_name,
        conditional=False,
        etag=file.sha256,
        last_modified=file.created_at,
    )
    response.content_length = file.size
    return response.make_conditional(request.environ, accept_ranges=True, complete_length=file.size)
