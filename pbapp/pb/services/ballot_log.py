"""The ballot log: sealed at the count in receipt order, published, and looked up by receipt. Every statement that writes the log is here."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import Session, func, select

from pbapp.core.chain import GENESIS, canonical_json, link_hash_of_text
from pbapp.councils.models import Council
from pbapp.db import insert_rows
from pbapp.errors import NotFound
from pbapp.pb import counting, published
from pbapp.pb.models import OPEN, Ballot, BallotLogEntry, LOG_CHAINED_AS_CAST, Result, Vote
from pbapp.pb.services.ballots import _option_dict, _settings, get_ballot, options_of
from pbapp.pb.services.keys import _log_token
from pbapp.pb.services.voting import _verified_keys


def log_document(session: Session, ballot: Ballot, *, with_result: bool = True, entries: bool = True) -> dict:
    """The ballot log as published: settings, options, hash-chained entries and the result.

    A sealed log (the default) holds entries only once the ballot has been counted (seal_log).
    Without `entries` the list is left empty and the head is read from the log's last row alone.
    """
    if entries:
        rows = [
            {**e.content(), "previous_hash": e.previous_hash, "hash": e.hash}
            for e in session.exec(
                select(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id).order_by(BallotLogEntry.seq)
            ).all()
        ]
        head = rows[-1]["hash"] if rows else GENESIS
    else:
        rows, head = [], published.log_extent(session, ballot)[1]
    document = {
        "format": counting.LOG_FORMATS[ballot.log_format],
        "ballot": _settings(ballot),
        "options": [_option_dict(o) for o in options_of(session, ballot)],
        "entries": rows,
        "head": head,
    }
    if with_result:
        result = session.exec(select(Result).where(Result.ballot_id == ballot.id)).first()
        document["result"] = json.loads(result.computed) if result and result.computed_at else None
    return document


@dataclass
class SealedLog:
    """The log a count seals: the rows to write, and each entry's choices as read from their JSON."""

    rows: list[dict]
    choices: list[object]

    @property
    def head(self) -> str:
        return self.rows[-1]["hash"] if self.rows else GENESIS

    @property
    def entries(self) -> list[dict]:
        """Each entry's content as published (the count reads these rather than the log it wrote)."""
        return [
            BallotLogEntry.content_read(
                row["seq"], row["voter_token"], row["channel"], value, row["receipt"], row["verified"]
            )
            for row, value in zip(self.rows, self.choices)
        ]


def _sealed_entries(session: Session, ballot: Ballot) -> Iterator[tuple]:
    """The log a count of the ballot seals now: each voter's counted ballot, in the order of the receipts.

    Why sealed, and why in receipt order. A log appended to as ballots arrive is in the order of
    voting, and whoever copies the database sees accounts in the order of sign-up (ids, audit
    events): residents who sign up and vote straight away are then linked to their ballots by rank
    alone. So nothing kept while voting is open has an order: a vote is one row with a random id
    and a random receipt (the unique (ballot_id, voter_key) constraint still allows one counted
    ballot per voter, whatever races), and the public log is written only when the ballot is
    counted, one entry per voter sorted by receipt, then hash-chained. Receipts still prove a
    ballot is in the count (`find_receipt`), and the head and entry count published with the
    results still let `pbapp verify-log --head --count` catch a log cut short or extended; a
    ballot replaced by a later one is simply not in the log.

    Yields (seq, voter token, channel, choices as stored, choices read, receipt, verified, previous
    hash, hash). A ballot's choices are read and encoded once for all the voters who cast the same
    ones (a 100,000-ballot vote on ten projects has a few hundred distinct ballots); each entry's
    hash is still that of BallotLogEntry.content_of (tests/pb/test_log_text.py).
    """
    votes = session.exec(
        select(Vote.voter_key, Vote.channel, Vote.choices, Vote.receipt).where(Vote.ballot_id == ballot.id)
    ).all()
    # An open vote's ballots are counted apart by whether a verified resident cast them, so each
    # entry says which (nothing more: the log still names no one).
    verified = _verified_keys(session, ballot.council_id, ballot) if ballot.eligibility == OPEN else None
    read: dict[str, tuple[object, str]] = {}  # choices as stored -> (read, their canonical JSON)
    previous = GENESIS
    for seq, (voter_key, channel, choices, receipt) in enumerate(sorted(votes, key=lambda v: v[3]), start=1):
        if choices not in read:
            value = json.loads(choices)
            read[choices] = (value, canonical_json(value))
        value, text = read[choices]
        token = _log_token(voter_key)
        flag = None if verified is None else voter_key in verified
        entry_hash = link_hash_of_text(
            previous, BallotLogEntry.canonical_text(seq, token, channel, text, receipt, flag)
        )
        yield seq, token, channel, choices, value, receipt, flag, previous, entry_hash
        previous = entry_hash


def sealed_log(session: Session, ballot: Ballot) -> SealedLog:
    """The log a count of the ballot seals now (_sealed_entries says why it is sealed, and in receipt order)."""
    rows, values = [], []
    for seq, token, channel, choices, value, receipt, flag, previous, entry_hash in _sealed_entries(session, ballot):
        rows.append(
            {
                "ballot_id": ballot.id,
                "seq": seq,
                "voter_token": token,
                "channel": channel,
                "choices": choices,
                "previous_hash": previous,
                "hash": entry_hash,
                "receipt": receipt,
                "verified": flag,
            }
        )
        values.append(value)
    return SealedLog(rows, values)


def seal_log(session: Session, ballot: Ballot) -> str:
    """Write the ballot's log as sealed_log gives it (replacing an earlier count's) and return its head."""
    return write_sealed_log(session, ballot, sealed_log(session, ballot))


def write_sealed_log(session: Session, ballot: Ballot, sealed: SealedLog) -> str:
    """Store the sealed log and return its head; a recount that seals the same log keeps the stored one.

    The head covers every entry, so an equal head and length is an equal log. Writing 100,000
    entries again over their own deleted rows took PostgreSQL 2.5 s (1.3 s into an empty table).
    """
    if sealed.rows and published.log_extent(session, ballot) == (len(sealed.rows), sealed.head):
        ballot.log_seq, ballot.log_head = len(sealed.rows), sealed.head
        session.add(ballot)
        return ballot.log_head
    return _write_log(session, ballot, sealed.rows)


def _write_log(session: Session, ballot: Ballot, rows: list[dict]) -> str:
    session.execute(BallotLogEntry.__table__.delete().where(BallotLogEntry.ballot_id == ballot.id))
    insert_rows(session, BallotLogEntry.__table__, rows)
    ballot.log_seq, ballot.log_head = len(rows), rows[-1]["hash"] if rows else GENESIS
    session.add(ballot)
    return ballot.log_head


def _head_now(session: Session, ballot: Ballot) -> str:
    """The head the ballot's log has, or (sealed) would have if it were counted now."""
    if ballot.log_format == LOG_CHAINED_AS_CAST:
        return log_document(session, ballot, with_result=False)["head"]
    last = deque(_sealed_entries(session, ballot), maxlen=1)  # only the last entry is kept
    return last[0][-1] if last else GENESIS


def _published(session: Session, council: Council, ballot_id: int) -> Ballot:
    ballot = get_ballot(session, council, ballot_id)
    if ballot.results_published_at is None:
        raise NotFound(_("Nothing about this ballot’s results is published until the council publishes them."))
    return ballot


def published_log(session: Session, council: Council, ballot_id: int) -> dict:
    """The anonymous, hash-chained ballot log, published with the results."""
    return log_document(session, _published(session, council, ballot_id))


def find_receipt(session: Session, council: Council, ballot_id: int, receipt: str) -> BallotLogEntry | None:
    ballot = _published(session, council, ballot_id)
    column = BallotLogEntry.hash if ballot.log_format == LOG_CHAINED_AS_CAST else BallotLogEntry.receipt
    return session.exec(
        select(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id, column == receipt.strip().lower())
    ).first()


def log_summary(session: Session, council: Council, ballot_id: int) -> tuple[Ballot, int, str]:
    ballot = _published(session, council, ballot_id)
    return (ballot, *published.log_extent(session, ballot))


def published_log_entries(
    session: Session, council: Council, ballot_id: int, *, offset: int, limit: int
) -> tuple[int, list[BallotLogEntry]]:
    """How many entries a published ballot log holds, and `limit` of them in order from `offset`."""
    ballot = _published(session, council, ballot_id)
    where = BallotLogEntry.ballot_id == ballot.id
    total = session.exec(select(func.count()).select_from(BallotLogEntry).where(where)).one()
    rows = session.exec(
        select(BallotLogEntry).where(where).order_by(BallotLogEntry.seq).offset(offset).limit(limit)
    ).all()
    return total, list(rows)
