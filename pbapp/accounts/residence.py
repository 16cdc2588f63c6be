"""Who may count as a resident: confirmed emails, the council's imported register, letters posted to an address.

The register is stored only as keyed hashes (HMAC-SHA256) of the normalised name, date of birth
and postcode, and of the normalised address, as CONSUL's census check stores residents; a copy
of the database without the key reveals nobody. One register entry or one posted letter verifies
one account, which a database constraint enforces.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pbapp.bilingual_mail import compose, council_of_account
from pbapp.core import postcodes
from pbapp.core.csv_writer import write_csv
from pbapp.core.tokens import code_from_digest, compact_code, new_token, token_hash
from pbapp import audit, mail
from pbapp.accounts.models import (
    ACTIVE,
    LETTER,
    PREVIEW,
    REGISTER,
    REGISTER_SOURCES,
    REPLACED,
    EmailConfirmation,
    RegisterEntry,
    RegisterImport,
    ResidenceLetter,
    ResidenceVerification,
    User,
)
from pbapp.councils.models import Council
from pbapp.councils.services import in_council_area
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.links import external_url
from pbapp.timeutil import utcnow

MAX_LISTED_PROBLEMS = 50


def _key() -> bytes:
    return (current_app.config.get("REGISTER_HASH_KEY") or current_app.config["SECRET_KEY"]).encode()


def _keyed(*parts: str) -> str:
    return hmac.new(_key(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def normalise_name(name: str) -> str:
    """Lower case, no accents, letters only, one space between words: 'Siân  O’Neill' -> 'sian oneill'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = ("".join(ch for ch in word if ch.isalpha()) for word in plain.replace("-", " ").split())
    return " ".join(w for w in words if w)


def normalise_address(address: str) -> str:
    plain = unicodedata.normalize("NFKD", address).encode("ascii", "ignore").decode().casefold()
    return " ".join("".join(ch for ch in word if ch.isalnum()) for word in re.split(r"[\s,.;]+", plain) if word).strip()


def parse_birth_date(text: str) -> date | None:
    """A date of birth as registers write it: 1980-03-31, 31/03/1980 or 31-03-1980."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def person_hash(name: str, born: date, postcode: str) -> str:
    return _keyed("person", normalise_name(name), born.isoformat(), postcodes.compact(postcode))


def address_hash(address: str, postcode: str) -> str:
    return _keyed("address", normalise_address(address), postcodes.compact(postcode)) if address.strip() else ""


# Email confirmation -------------------------------------------------------------------------


def send_confirmation(session: Session, user: User, next_path: str = "") -> None:
    """Email a link that confirms the address (in the caller's transaction); it leads on to `next_path`."""
    token, digest = new_token()
    days = current_app.config["EMAIL_CONFIRM_DAYS"]
    session.add(EmailConfirmation(user_id=user.id, token_hash=digest, expires_at=utcnow() + timedelta(days=days)))
    link = external_url("accounts.confirm_email", token=token, next=next_path or None)
    mail.send(
        session,
        user.email,
        *compose(
            council_of_account(session, user),
            lambda: (
                _("Confirm your email address"),
                _(
                    "Use this link to confirm your email address. It works once and expires in %(days)d days.\n\n%(link)s\n\nIf you did not create an account, you can ignore this email.",
                    days=days,
                    link=link,
                ),
            ),
        ),
    )


def resend_confirmation(session: Session, user: User) -> None:
    if user.email_confirmed_at is not None:
        raise Conflict(_("Your email address is already confirmed."))
    send_confirmation(session, user)
    audit.record(session, "account.confirmation_sent", "user", user.id, actor_id=user.id)
    session.commit()


def confirm_email(session: Session, token: str) -> User:
    """Confirm the email address a link was sent to; the link works once."""
    found = session.exec(select(EmailConfirmation).where(EmailConfirmation.token_hash == token_hash(token))).first()
    if found is None or found.used_at is not None or found.expires_at < utcnow():
        raise NotFound(_("This link has expired or has already been used. Ask for a new one."))
    user = session.get(User, found.user_id)
    found.used_at = utcnow()
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    audit.record(session, "account.email_confirmed", "user", user.id, actor_id=user.id)
    session.commit()
    return user


# Residence status ---------------------------------------------------------------------------


@dataclass
class ResidenceStatus:
    """What an account holder has done, and still needs to do, to count as a resident of a council."""

    email_confirmed: bool
    verification: ResidenceVerification | None
    letters: list[ResidenceLetter] = field(default_factory=list)
    register_available: bool = False

    @property
    def verified(self) -> bool:
        return self.email_confirmed and self.verification is not None

    @property
    def letter_waiting(self) -> ResidenceLetter | None:
        return next((letter for letter in self.letters if letter.used_at is None), None)


def verification_of(session: Session, council_id: int, user_id: int) -> ResidenceVerification | None:
    return session.exec(
        select(ResidenceVerification).where(
            ResidenceVerification.council_id == council_id, ResidenceVerification.user_id == user_id
        )
    ).first()


def _active_import(session: Session, council: Council) -> RegisterImport | None:
    return session.exec(
        select(RegisterImport).where(RegisterImport.council_id == council.id, RegisterImport.status == ACTIVE)
    ).first()


def status_of(session: Session, council: Council, user: User) -> ResidenceStatus:
    letters = session.exec(
        select(ResidenceLetter)
        .where(ResidenceLetter.council_id == council.id, ResidenceLetter.user_id == user.id)
        .order_by(ResidenceLetter.id.desc())
    ).all()
    return ResidenceStatus(
        user.email_confirmed_at is not None,
        verification_of(session, council.id, user.id),
        list(letters),
        _active_import(session, council) is not None,
    )


def _verify(
    session: Session, council: Council, user: User, *, method: str, evidence: str, postcode: str, address: str
) -> ResidenceVerification:
    if verification_of(session, council.id, user.id) is not None:
        raise Conflict(_("Your residence is already verified."))
    verification = ResidenceVerification(
        council_id=council.id,
        user_id=user.id,
        method=method,
        evidence_hash=evidence,
        postcode=postcode,
        address_hash=address,
    )
    session.add(verification)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            _("These details have already verified another account. If that was not you, contact the council.")
        ) from None
    audit.record(
        session, "account.residence_verified", "user", user.id, council_id=council.id, actor_id=user.id, method=method
    )
    return verification


def verify_by_register(
    session: Session, council: Council, user: User, *, name: str, born: date, postcode: str
) -> ResidenceVerification:
    """Verify residence by finding the person on the council's current register."""
    evidence = person_hash(name, born, postcode)
    register = _active_import(session, council)
    entry = (
        None
        if register is None
        else session.exec(
            select(RegisterEntry).where(RegisterEntry.import_id == register.id, RegisterEntry.person_hash == evidence)
        ).first()
    )
    if entry is None:
        raise Invalid(
            _(
                "We could not find these details on the council’s register. Enter your name, date of birth and postcode exactly as on your council tax bill or poll card, or ask for a letter instead."
            )
        )
    verification = _verify(
        session,
        council,
        user,
        method=REGISTER,
        evidence=evidence,
        postcode=postcodes.spaced(postcode),
        address=entry.address_hash,
    )
    session.commit()
    return verification


def request_letter(session: Session, council: Council, user: User, *, address: str, postcode: str) -> ResidenceLetter:
    """Ask for a one-time code to be posted to an address in the council's area."""
    compact = postcodes.compact(postcode)
    if not postcodes.is_postcode(compact):
        raise Invalid(_("Enter a real postcode, like BB1 7DY"), field="postcode")
    if not in_council_area(council, compact):
        raise Invalid(_("This postcode is not in %(council)s.", council=council.name), field="postcode")
    if not address.strip():
        raise Invalid(_("Enter the first line of your address"), field="address")
    status = status_of(session, council, user)
    if status.verification is not None:
        raise Conflict(_("Your residence is already verified."))
    if status.letter_waiting is not None:
        raise Conflict(_("A letter is already on its way to you. Enter its code when it arrives."))
    letter = ResidenceLetter(
        council_id=council.id, user_id=user.id, address=address.strip()[:300], postcode=postcodes.spaced(compact)
    )
    session.add(letter)
    session.flush()
    audit.record(
        session,
        "account.residence_letter_requested",
        "residence_letter",
        letter.id,
        council_id=council.id,
        actor_id=user.id,
    )
    session.commit()
    return letter


def letter_code(letter_id: int) -> str:
    """The code printed on a residence letter: derived from the key, so only the letter and its printout hold it."""
    digest = hmac.new(_key(), f"residence-letter:{letter_id}".encode(), hashlib.sha256).digest()
    return code_from_digest(digest[:8], (5, 5))


def verify_by_letter(session: Session, council: Council, user: User, *, code: str) -> ResidenceVerification:
    """Verify residence with the code posted to the address the account holder gave."""
    typed = compact_code(code)
    letters = session.exec(
        select(ResidenceLetter).where(
            ResidenceLetter.council_id == council.id,
            ResidenceLetter.user_id == user.id,
            ResidenceLetter.printed_at.is_not(None),
            ResidenceLetter.used_at.is_(None),
        )
    ).all()
    letter = next(
        (found for found in letters if hmac.compare_digest(letter_code(found.id).replace("-", ""), typed)), None
    )
    if letter is None:
        raise Invalid(_("Enter the code exactly as it is printed on your letter"), field="code")
    letter.used_at = utcnow()
    verification = _verify(
        session,
        council,
        user,
        method=LETTER,
        evidence=_keyed("letter", str(letter.id)),
        postcode=letter.postcode,
        address=address_hash(letter.address, letter.postcode),
    )
    session.commit()
    return verification


def letters_waiting(session: Session, council: Council) -> list[tuple[ResidenceLetter, User]]:
    """Residence letters asked for and not yet used, oldest first."""
    query = (
        select(ResidenceLetter, User)
        .join(User, User.id == ResidenceLetter.user_id)
        .where(ResidenceLetter.council_id == council.id, ResidenceLetter.used_at.is_(None))
        .order_by(ResidenceLetter.id)
    )
    return [(letter, user) for letter, user in session.exec(query).all()]


def letters_csv(session: Session, council: Council, actor: User) -> str:
    """The waiting residence letters with their codes, for printing; marks them printed and audits the download."""
    now = utcnow()
    waiting = letters_waiting(session, council)
    rows = [[letter.id, user.name, letter.address, letter.postcode, letter_code(letter.id)] for letter, user in waiting]
    for letter, _user in waiting:
        letter.printed_at = letter.printed_at or now
    audit.record(
        session,
        "account.residence_letters_exported",
        "council",
        council.id,
        council_id=council.id,
        actor_id=actor.id,
        letters=len(waiting),
    )
    session.commit()
    # Through the one CSV writer: a spreadsheet must not run what a resident typed as a formula.
    return write_csv(["letter", "name", "address", "postcode", "code"], rows)


# The council's register -----------------------------------------------------------------------


class RegisterProblems(Invalid):
    """A register file that cannot be imported, with each problem's line number."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(_("The file has %(n)d problems. Nothing has been imported.", n=len(problems)), field="file")
        self.problems = problems


_COLUMNS = {
    "name": ("name", "full_name", "fullname"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date"),
    "postcode": ("postcode", "post_code"),
    "address": ("address", "address_line_1", "address1"),
}


def _header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _rows(data: bytes) -> tuple[dict[str, str], csv.DictReader]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegisterProblems([(1, _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = {_header(h): h for h in reader.fieldnames or []}
    found = {column: next((headers[a] for a in aliases if a in headers), "") for column, aliases in _COLUMNS.items()}
    missing = [column for column in ("name", "date_of_birth", "postcode") if not found[column]]
    if missing:
        raise RegisterProblems(
            [
                (
                    1,
                    _(
                        "The first line must name the columns name, date_of_birth and postcode (address is optional). Missing: %(columns)s",
                        columns=", ".join(missing),
                    ),
                )
            ]
        )
    return found, reader


def _read_register(council: Council, data: bytes) -> list[tuple[str, str]]:
    columns, reader = _rows(data)
    problems: list[tuple[int, str]] = []
    entries: list[tuple[str, str]] = []
    first_line: dict[str, int] = {}
    today = date.today()
    for row in reader:
        line = reader.line_num
        name = (row.get(columns["name"]) or "").strip()
        born = parse_birth_date(row.get(columns["date_of_birth"]) or "")
        postcode = postcodes.compact(row.get(columns["postcode"]) or "")
        address = (row.get(columns["address"]) or "").strip() if columns["address"] else ""
        if not normalise_name(name):
            problems.append((line, _("Enter a name")))
            continue
        if born is None:
            problems.append((line, _("The date of birth must be a date like 1980-03-31 or 31/03/1980")))
            continue
        if not date(1900, 1, 1) <= born <= today:
            problems.append((line, _("The date of birth must be in the past and after 1900")))
            continue
        if not postcodes.is_postcode(postcode):
            problems.append((line, _("Enter a real postcode, like BB1 7DY")))
            continue
        if not in_council_area(council, postcode):
            problems.append((line, _("This postcode is not in %(council)s.", council=council.name)))
            continue
        person = person_hash(name, born, postcode)
        if person in first_line:
            problems.append((line, _("The same person as on line %(line)d", line=first_line[person])))
            continue
        first_line[person] = line
        entries.append((person, address_hash(address, postcode)))
    if problems:
        raise RegisterProblems(problems)
    if not entries:
        raise RegisterProblems([(1, _("The file has no people in it"))])
    return entries


def preview_register(
    session: Session, council: Council, actor: User, *, source: str, filename: str, data: bytes
) -> RegisterImport:
    """Check a register file line by line and keep it, hashed, as a preview until an officer confirms it."""
    if source not in REGISTER_SOURCES:
        raise Invalid(_("Choose what kind of register this is"), field="source")
    entries = _read_register(council, data)
    for old in session.exec(
        select(RegisterImport).where(RegisterImport.council_id == council.id, RegisterImport.status == PREVIEW)
    ).all():
        _drop(session, old)
    register = RegisterImport(
        council_id=council.id, source=source, filename=filename[:200], rows=len(entries), created_by_id=actor.id
    )
    session.add(register)
    session.flush()
    session.execute(
        RegisterEntry.__table__.insert(),
        [
            {"import_id": register.id, "council_id": council.id, "person_hash": person, "address_hash": address}
            for person, address in entries
        ],
    )
    audit.record(
        session,
        "account.register_previewed",
        "register_import",
        register.id,
        council_id=council.id,
        actor_id=actor.id,
        source=source,
        rows=len(entries),
    )
    session.commit()
    return register


def _drop(session: Session, register: RegisterImport) -> None:
    session.execute(delete(RegisterEntry).where(RegisterEntry.import_id == register.id))
    if register.status == PREVIEW:
        session.delete(register)


@dataclass
class RegisterView:
    current: RegisterImport | None
    preview: RegisterImport | None
    matches: Counter


def register_view(session: Session, council: Council) -> RegisterView:
    preview = session.exec(
        select(RegisterImport).where(RegisterImport.council_id == council.id, RegisterImport.status == PREVIEW)
    ).first()
    methods = Counter(
        session.exec(select(ResidenceVerification.method).where(ResidenceVerification.council_id == council.id)).all()
    )
    return RegisterView(_active_import(session, council), preview, methods)


def get_import(session: Session, council: Council, import_id: int) -> RegisterImport:
    found = session.get(RegisterImport, import_id)
    if found is None or found.council_id != council.id:
        raise NotFound(_("There is no such register import."))
    return found


def confirm_register(session: Session, council: Council, import_id: int, actor: User) -> RegisterImport:
    """Make a previewed register the one residents are checked against; the previous one is deleted."""
    register = get_import(session, council, import_id)
    if register.status != PREVIEW:
        raise Conflict(_("This register has already been imported."))
    current = _active_import(session, council)
    if current is not None:
        _drop(session, current)
        current.status = REPLACED
    register.status, register.confirmed_at = ACTIVE, utcnow()
    audit.record(
        session,
        "account.register_imported",
        "register_import",
        register.id,
        council_id=council.id,
        actor_id=actor.id,
        source=register.source,
        rows=register.rows,
        replaced=current.id if current else None,
    )
    session.commit()
    return register
