"""The address lottery from a jury's page: the officer's counterpart of `pbapp draw-addresses`.

An address list is uploaded and held (pbapp.pending) while the officer chooses the number of
letters, the id column, the columns to stratify by and the public seed, and sees each stratum's
share; the draw (pbapp.core.sortition.addresses) then issues one registration code per letter in
the jury's pool and keeps the mail-merge CSV and the letters made from it (pbapp.sortition.invitations)
until the officer deletes them: only the codes' hashes are kept otherwise. The held list is deleted by
the draw, so one upload gives one set of letters.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import Session

from pbapp import audit, pending
from pbapp.core.csv_writer import write_csv
from pbapp.core.errors import InputError
from pbapp.core.sortition.addresses import AddressDraw, draw_addresses, mail_merge_rows, read_addresses
from pbapp.councils.models import Council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.juries.models import Jury
from pbapp.sortition import invitations
from pbapp.sortition.models import Pool
from pbapp.sortition.services import generate_codes
from pbapp.sortition.uploads import read_upload

KIND = "jury.addresses"
MAX_LETTERS = 5000  # the most registration codes one request issues (sortition.services.generate_codes)
# The columns that name an address's unique id in the usual extracts, in order of preference.
ID_COLUMNS = ("uprn", "id", "address_id", "property_ref")


@dataclass(frozen=True)
class HeldList:
    """An uploaded address list waiting for its draw."""

    token: str
    filename: str
    text: str
    header: list[str]
    addresses: int
    row: pending.PendingUpload

    @property
    def suggested_id(self) -> str:
        folded = {c.casefold(): c for c in self.header}
        return next((folded[c] for c in ID_COLUMNS if c in folded), self.header[0])


def _header_and_count(text: str, filename: str) -> tuple[list[str], int]:
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise Invalid(
            _("%(file)s is not a valid CSV file (%(error)s)", file=filename, error=str(exc)), field="file"
        ) from None
    if len(rows) < 2:
        raise Invalid(_("%(file)s has no addresses under its first line.", file=filename), field="file")
    header = [c.strip() for c in rows[0]]
    if any(not c for c in header) or len(set(header)) != len(header):
        raise Invalid(_("%(file)s, line 1: every column needs a name of its own.", file=filename), field="file")
    return header, len(rows) - 1


def hold_list(session: Session, council: Council, jury: Jury, *, filename: str, data: bytes, actor_id: int) -> str:
    """Check an uploaded address list can be read and hold it for the draw; return its id for the page."""
    name = (filename or "addresses.csv")[:200]
    text = read_upload(data, name)
    _header_and_count(text, name)
    token = pending.hold(
        session, KIND, council.id, actor_id, {"file": text.encode("utf-8")}, {"filename": name, "jury_id": jury.id}
    )
    session.commit()
    return token


def held_list(session: Session, council: Council, jury: Jury, token: str, *, user_id: int) -> HeldList:
    """The list this person uploaded for this jury, or NotFound."""
    held = pending.find(session, token, KIND, council.id, user_id)
    files, meta = held.unpack() if held is not None else ({}, {})
    if held is None or meta.get("jury_id") != jury.id:
        raise NotFound(_("This address list has already been drawn from or discarded. Upload it again."))
    text = files["file"].decode("utf-8")
    header, count = _header_and_count(text, meta["filename"])
    return HeldList(token, meta["filename"], text, header, count, held)


def letter_columns(held: HeldList, *, id_column: str, columns: Sequence[str], chosen: Sequence[str]) -> list[str]:
    """The columns that make a letter's address block, in the file's order: those chosen, else every
    column but the id and the strata."""
    wanted = set(chosen) if chosen else set(held.header) - {id_column, *columns}
    found = [c for c in held.header if c in wanted]
    if not found:
        raise Invalid(
            _("Choose the columns that make up each address: every column is the id or a stratum."),
            field="address_columns",
        )
    if id_column in chosen:
        raise Invalid(_("Choose address columns other than the address id."), field="address_columns")
    return found


def plan(
    held: HeldList,
    *,
    id_column: str,
    columns: Sequence[str],
    letters: int,
    seed: str,
    address_columns: Sequence[str] = (),
) -> AddressDraw:
    """The draw these choices make (nothing is issued or saved): each stratum's addresses and letters."""
    if id_column in columns:
        raise Invalid(_("Stratify by other columns than the address id."), field="strata")
    if not 1 <= letters <= min(MAX_LETTERS, held.addresses):
        raise Invalid(
            _("Enter a number of letters from 1 to %(most)d.", most=min(MAX_LETTERS, held.addresses)), field="letters"
        )
    if not seed.strip():
        raise Invalid(_("Enter the public seed of the draw."), field="seed")
    try:
        found, _header = read_addresses(held.text, id_column=id_column, strata_columns=columns, source=held.filename)
        result = draw_addresses(found, letters, seed.strip(), columns)
    except InputError as exc:
        raise Invalid(
            _("%(file)s, line %(line)s: %(problem)s", file=held.filename, line=exc.line or 1, problem=exc.message),
            field="file",
        ) from None
    letter_columns(held, id_column=id_column, columns=columns, chosen=address_columns)  # the letters can be made
    return result


def draw(
    session: Session,
    council: Council,
    jury: Jury,
    token: str,
    *,
    id_column: str,
    columns: Sequence[str],
    letters: int,
    seed: str,
    actor_id: int,
    address_columns: Sequence[str] = (),
    url: str,
    language: str,
) -> AddressDraw:
    """Draw the addresses, issue a registration code per letter in the jury's pool, keep the mail-merge CSV
    (every column of the list, the public rank, the code) and start making its letters. Audited."""
    held = held_list(session, council, jury, token, user_id=actor_id)
    result = plan(
        held, id_column=id_column, columns=columns, letters=letters, seed=seed, address_columns=address_columns
    )
    if invitations.held(jury.id):
        raise Conflict(
            _(
                "The last draw’s letters are still kept for this jury. Download them and delete them before drawing again."
            )
        )
    chosen_columns = letter_columns(held, id_column=id_column, columns=columns, chosen=address_columns)
    session.delete(held.row)
    audit.record(
        session,
        "jury.addresses_drawn",
        "jury",
        jury.id,
        council_id=council.id,
        actor_id=actor_id,
        pool_id=jury.pool_id,
        seed=result.seed,
        letters=letters,
        addresses=held.addresses,
        id_column=id_column,
        strata=list(columns),
        address_columns=chosen_columns,
        list_sha256=hashlib.sha256(held.text.encode("utf-8")).hexdigest(),
    )
    codes = generate_codes(session, council, session.get(Pool, jury.pool_id), letters, actor_id)  # commits
    text = write_csv([*held.header, "rank", "registration_code"], mail_merge_rows(result, held.header, codes))
    invitations.keep_and_start(session, council, jury, text, address_columns=chosen_columns, url=url, language=language)
    return result


def discard(session: Session, council: Council, jury: Jury, token: str, *, user_id: int) -> None:
    session.delete(held_list(session, council, jury, token, user_id=user_id).row)
    session.commit()
