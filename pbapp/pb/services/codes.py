"""Letter codes: generated per batch, printed as letters or a CSV for a mail house."""

from __future__ import annotations

import hashlib
import hmac
import random

from flask_babel import gettext as _
from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.core.csv_writer import write_csv
from pbapp.core.tokens import code_from_digest
from pbapp.councils.models import Council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.pb.models import TAKES_CODES, Ballot, CodeBatch, VotingCode
from pbapp.pb.services.ballots import ballot_state, get_ballot
from pbapp.pb.services.keys import _code_hash, _voter_secret
from pbapp.pb.services.processes import areas_by_id


CODE_GROUPS = (4, 4, 4)


def _derive_code(batch: CodeBatch, n: int) -> str:
    # Derived from the voter key, so only hashes are stored yet the batch can be printed again.
    digest = hmac.new(_voter_secret(batch.key_version), f"pb-code:{batch.id}:{n}".encode(), hashlib.sha256).digest()
    return code_from_digest(digest[:10], CODE_GROUPS)


def generate_codes(
    session: Session, council: Council, ballot_id: int, actor: User, *, size: int, area_id: int | None
) -> CodeBatch:
    """Create a batch of one-time voting codes for letters; only their hashes are kept."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot.eligibility not in TAKES_CODES:
        raise Conflict(_("This ballot does not take voting codes."))
    if ballot_state(ballot) in ("closed", "published"):
        raise Conflict(_("Voting has closed on this ballot."))
    if not 1 <= size <= 50_000:
        raise Invalid(_("Enter a number of codes between 1 and 50,000"), field="size")
    if area_id is not None and area_id not in areas_by_id(session, council):
        raise Invalid(_("Choose an area of this council"), field="area_id")
    batch = CodeBatch(
        ballot_id=ballot.id, area_id=area_id, size=size, created_by_id=actor.id, key_version=ballot.key_version
    )
    session.add(batch)
    session.flush()
    rows = [
        {
            "ballot_id": ballot.id,
            "batch_id": batch.id,
            "area_id": area_id,
            "code_hash": _code_hash(_derive_code(batch, n), batch.key_version),
            "used": False,
        }
        for n in range(size)
    ]
    # Rows (so their ids) in an order unrelated to the letters': an id says nothing of a letter number.
    random.SystemRandom().shuffle(rows)
    session.execute(VotingCode.__table__.insert(), rows)
    audit.record(
        session,
        "pb.codes_generated",
        "pb_code_batch",
        batch.id,
        council_id=council.id,
        actor_id=actor.id,
        ballot_id=ballot.id,
        size=size,
        area_id=area_id,
    )
    session.commit()
    return batch


def batches_of(session: Session, ballot: Ballot) -> list[CodeBatch]:
    return list(session.exec(select(CodeBatch).where(CodeBatch.ballot_id == ballot.id).order_by(CodeBatch.id)).all())


def batch_codes(
    session: Session, council: Council, ballot_id: int, batch_id: int, actor: User
) -> tuple[CodeBatch, list[str]]:
    """The codes of a batch, for printing letters; every download is audited."""
    ballot = get_ballot(session, council, ballot_id)
    batch = session.get(CodeBatch, batch_id)
    if batch is None or batch.ballot_id != ballot.id:
        raise NotFound(_("There is no such batch of codes."))
    audit.record(session, "pb.codes_downloaded", "pb_code_batch", batch.id, council_id=council.id, actor_id=actor.id)
    session.commit()
    return batch, derive_codes(batch)


def derive_codes(batch: CodeBatch) -> list[str]:
    """The batch's codes in letter order (letter n carries code n-1)."""
    return [_derive_code(batch, n) for n in range(batch.size)]


def codes_csv(ballot: Ballot, batch: CodeBatch, codes: list[str], area_name: str) -> str:
    """The printer's file: one row per letter; the ballot's title cannot run as a formula."""
    return write_csv(
        ["letter", "ballot", "area", "code"],
        ([n, ballot.title, area_name, code] for n, code in enumerate(codes, start=1)),
    )
