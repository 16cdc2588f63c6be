"""Voting: who may vote (accounts, letter codes, paper), the ballot page, and casting a vote."""

from __future__ import annotations

import functools
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts import residence
from pbapp.accounts.models import User
from pbapp.core.ballots.kinds import BallotError
from pbapp.core.money import MoneyError, parse_pounds
from pbapp.councils.models import Area, Council
from pbapp.councils.services import area_for_postcode, in_council_area, postcode_in_area
from pbapp.db import execute_alone
from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.messages import say
from pbapp.pb import counting, simulator
from pbapp.pb.models import (
    ALLOCATION,
    CHANNELS,
    CODES,
    CUMULATIVE,
    KNAPSACK,
    MATCHED,
    MISMATCH,
    ONLINE,
    OPEN,
    RANKED,
    TAKES_CODES,
    Ballot,
    BallotOption,
    CodeBatch,
    CodeBinding,
    SIMULATOR,
    PaperBallotEntry,
    Process,
    Vote,
    VotingCode,
    random_id,
)
from pbapp.timeutil import utcnow
from pbapp.pb.services.ballots import _spec, ballot_state, get_ballot, options_of, ordered_for
from pbapp.pb.services.keys import Voter, _code_hash, _voter_key
from pbapp.pb.services.processes import option_images


@dataclass
class Eligibility:
    """Whether the person at the ballot page may vote now, and if not, what they can do."""

    voter: Voter | None
    reason: str = ""
    can_use_code: bool = False
    can_sign_in: bool = False
    can_verify: bool = False  # an account that must confirm its email or verify its residence first


@dataclass
class BallotView:
    """Everything the ballot page shows."""

    ballot: Ballot
    process: Process
    options: list[BallotOption]
    eligibility: Eligibility
    current: Any = None
    receipt: str = ""
    state: str = ""
    meter: dict = field(default_factory=dict)
    images: dict[int, str] = field(default_factory=dict)


def enter_code(session: Session, council: Council, ballot_id: int, code: str, user=None) -> Voter:
    """Check a letter's code for this ballot and return the voter it stands for.

    Entered by a signed-in account, the code binds to it: the account then votes as that letter
    (and can change the vote later without it), and neither can add a second counted ballot.
    """
    ballot = get_ballot(session, council, ballot_id)
    if ballot.eligibility not in TAKES_CODES:
        raise Invalid(_("This ballot does not take voting codes."), field="code")
    versions = session.exec(select(CodeBatch.key_version).where(CodeBatch.ballot_id == ballot.id).distinct()).all()
    hashes = [_code_hash(code, version) for version in versions]
    found = session.exec(select(VotingCode).where(VotingCode.code_hash.in_(hashes))).first() if hashes else None
    if found is None or found.ballot_id != ballot.id:
        raise Invalid(_("Enter the code exactly as it is printed on your letter"), field="code")
    voter = Voter(key=_voter_key(ballot, "code", found.code_hash), via="code", area_id=found.area_id, code_id=found.id)
    if user is not None and user.is_authenticated:
        _bind(session, ballot.id, voter, account_voter_key(ballot, user.id))
    return voter


def account_voter_key(ballot: Any, user_id: int) -> str:
    """The keyed hash an account votes under in a ballot (unless a letter's code is bound to it)."""
    return _voter_key(ballot, "user", user_id)


def _bindings(session: Session, ballot_id: int, account_key: str, code_key: str = "") -> list[CodeBinding]:
    return list(
        session.exec(
            select(CodeBinding).where(
                CodeBinding.ballot_id == ballot_id,
                (CodeBinding.account_key == account_key) | (CodeBinding.code_key == code_key),
            )
        ).all()
    )


def _refuse_other_binding(bindings: list[CodeBinding], voter: Voter, account_key: str) -> bool:
    """True if this account and this letter are already bound together; raise if either is bound elsewhere."""
    for bound in bindings:
        if bound.account_key == account_key and bound.code_key == voter.key:
            return True
        if bound.account_key == account_key:
            raise Conflict(
                _(
                    "Your account already votes with the code from another letter. To use this letter for someone else, sign out first."
                ),
                field="code",
            )
        raise Conflict(
            _("This letter’s code is linked to another account. Sign in to that account to change the vote."),
            field="code",
        )
    return False


def _bind(session: Session, ballot_id: int, voter: Voter, account_key: str) -> None:
    if _refuse_other_binding(_bindings(session, ballot_id, account_key, voter.key), voter, account_key):
        return
    if session.exec(select(Vote.id).where(Vote.ballot_id == ballot_id, Vote.voter_key == account_key)).first():
        # Only on ballots opened under the withdrawn mode, where an account could vote as itself.
        raise Conflict(
            _("You have already voted with your account, so this letter cannot add a second vote."), field="code"
        )
    # Not audited: a time beside the account would link it to the vote that follows.
    for attempt in range(2):
        session.add(
            CodeBinding(
                ballot_id=ballot_id,
                account_key=account_key,
                code_key=voter.key,
                code_id=voter.code_id,
                area_id=voter.area_id,
            )
        )
        try:
            session.commit()
            return
        except IntegrityError:  # another request bound this account or this letter first
            session.rollback()
            if _refuse_other_binding(_bindings(session, ballot_id, account_key, voter.key), voter, account_key):
                session.commit()
                return
            # Neither is bound: the letter's used code was being moved (pb.shuffle) and its row was
            # gone when the binding's foreign key looked. The move has committed: the row is back.
            if attempt:
                raise


def _bound_voter(session: Session, ballot: Ballot, user) -> Voter | None:
    bound = session.exec(
        select(CodeBinding).where(
            CodeBinding.ballot_id == ballot.id, CodeBinding.account_key == account_voter_key(ballot, user.id)
        )
    ).first()
    return None if bound is None else Voter(bound.code_key, "code", bound.area_id, bound.code_id)


def _account_voter(session: Session, council: Council, ballot: Ballot, process: Process | None, user) -> Eligibility:
    voter = Voter(key=account_voter_key(ballot, user.id), via="account")
    if ballot.eligibility == OPEN:
        return Eligibility(voter)
    if ballot.eligibility == CODES:
        return Eligibility(
            None,
            _(
                "This vote is by the code on the letter the council sent to your address. Enter it below: your account then keeps your vote, so you can change it later without the letter."
            ),
            can_use_code=True,
        )
    codes_too = ballot.eligibility in TAKES_CODES
    if user.email_confirmed_at is None:
        return Eligibility(
            None,
            _(
                "Your vote cannot be counted until you confirm your email address. Use the link we emailed you, or ask for a new one."
            ),
            can_use_code=codes_too,
            can_verify=True,
        )
    verified = residence.verification_of(session, council.id, user.id)
    if verified is None:
        return Eligibility(
            None,
            _(
                "Your vote cannot be counted until the council knows you live here. Verify your address: we check your details against the council’s register, or post a code to your address."
            ),
            can_use_code=codes_too,
            can_verify=True,
        )
    postcode = verified.postcode
    process = process or session.get(Process, ballot.process_id)
    if process.area_id is None:
        if in_council_area(council, postcode):
            ward = area_for_postcode(session, council, postcode)
            return Eligibility(Voter(voter.key, "account", ward.id if ward else None))
        return Eligibility(
            None, _("Your postcode is not in %(council)s.", council=council.name), can_use_code=codes_too
        )
    area = session.get(Area, process.area_id)
    ward = area_for_postcode(session, council, postcode)
    if postcode_in_area(session, council, area, postcode):
        return Eligibility(Voter(voter.key, "account", ward.id if ward else area.id))
    return Eligibility(
        None,
        _("Your postcode is not in %(area)s, so you cannot vote in this neighbourhood budget.", area=area.name),
        can_use_code=codes_too,
    )


def account_receipt(session: Session, ballot: Ballot, user) -> str | None:
    """The receipt of this account's counted ballot (its latest), None if it has not voted."""
    bound = _bound_voter(session, ballot, user)  # an account that entered its letter votes as that letter
    key = bound.key if bound is not None else account_voter_key(ballot, user.id)
    return session.exec(select(Vote.receipt).where(Vote.ballot_id == ballot.id, Vote.voter_key == key)).first()


def _letter_voter(code_voter: dict) -> Voter:
    """The voter a letter code entered in this browser stands for (kept in the signed session)."""
    return Voter(code_voter["key"], "code", code_voter.get("area_id"), code_voter.get("code_id"))


def eligibility(
    session: Session, council: Council, ballot: Ballot, process: Process | None, user, code_voter: dict | None
) -> Eligibility:
    """Work out who is at the ballot page: a letter code in this browser, an eligible account, or nobody yet."""
    if code_voter:
        return Eligibility(_letter_voter(code_voter))
    takes_codes = ballot.eligibility in TAKES_CODES
    if user is not None and user.is_authenticated:
        bound = _bound_voter(session, ballot, user) if takes_codes else None
        return Eligibility(bound) if bound else _account_voter(session, council, ballot, process, user)
    if ballot.eligibility == CODES:
        return Eligibility(None, _("Enter the code from your letter to vote."), can_use_code=True)
    return Eligibility(
        None,
        _("Sign in to vote, or enter the code from your letter.") if takes_codes else _("Sign in to vote."),
        can_use_code=takes_codes,
        can_sign_in=True,
    )


def ballot_view(
    session: Session, council: Council, ballot_id: int, user, code_voter: dict | None, browser_seed: str
) -> BallotView:
    """The ballot page: options in this voter's order, their current vote and whether they may vote."""
    ballot = get_ballot(session, council, ballot_id)
    process = session.get(Process, ballot.process_id)
    state = ballot_state(ballot)
    elig = eligibility(session, council, ballot, process, user, code_voter)
    options = ordered_for(options_of(session, ballot), elig.voter.key if elig.voter else browser_seed)
    current, receipt = None, ""
    if elig.voter is not None:
        vote = session.exec(select(Vote).where(Vote.ballot_id == ballot.id, Vote.voter_key == elig.voter.key)).first()
        if vote is not None:
            current, receipt = json.loads(vote.choices), vote.receipt
    view = BallotView(ballot, process, options, elig, current, receipt, state, images=option_images(session, options))
    view.meter = meter(ballot, options, current if current is not None else _empty(ballot.kind))
    return view


def _empty(kind: str) -> Any:
    return {} if kind in (CUMULATIVE, ALLOCATION, SIMULATOR) else []


def parse_choices(ballot: Ballot, options: list[BallotOption], form) -> Any:
    """Read a ballot form: ticked projects, ranks, points or amounts in pounds."""
    return _parse(ballot.kind, [o.ref for o in options], form)


def _parse(kind: str, refs: list[str] | tuple[str, ...], form) -> Any:
    if kind == SIMULATOR:
        return simulator.parse(refs, form)
    if kind in (counting.APPROVAL, KNAPSACK):
        chosen = set(form.getlist("choice"))
        return [r for r in refs if r in chosen] + sorted(chosen - set(refs))
    if kind == RANKED:
        ranks = {}
        for ref in refs:
            value = (form.get(f"rank-{ref}") or "").strip()
            if value:
                if not value.isdigit() or int(value) < 1:
                    raise Invalid(
                        _("Give each project you rank a number: 1 for your first choice"), field=f"rank-{ref}"
                    )
                ranks[ref] = int(value)
        if len(set(ranks.values())) != len(ranks):
            raise Invalid(_("Give each project a different rank"), field="choices")
        return sorted(ranks, key=ranks.get)
    numbers = {}
    for ref in refs:
        value = (form.get(f"amount-{ref}") or "").strip()
        if not value:
            continue
        if kind == CUMULATIVE:
            try:
                points = Decimal(value.replace(",", ""))
            except InvalidOperation:
                raise Invalid(_("Enter a number"), field=f"amount-{ref}") from None
            if not points.is_finite() or points != points.to_integral_value() or points < 0:
                raise Invalid(_("Give a whole number of points, 0 or more"), field=f"amount-{ref}")
            if points:
                numbers[ref] = int(points)
        else:
            try:
                pence = parse_pounds(value)
            except MoneyError:
                raise Invalid(_("Enter a number"), field=f"amount-{ref}") from None
            if pence < 0:
                raise Invalid(_("Enter an amount of £0 or more"), field=f"amount-{ref}")
            numbers[ref] = pence
    return numbers


def check_choices(ballot: Ballot, options: list[BallotOption], choices: Any) -> None:
    """Raise Invalid with the engine's message, in the reader's language, unless the ballot is valid."""
    _validate(_spec(ballot, options), ballot, choices)


def _validate(spec: Any, ballot: Ballot, choices: Any) -> None:
    try:
        spec.validate(counting.engine_ballot(ballot.kind, choices))
    except BallotError as exc:
        raise Invalid(say(exc.message), field="choices") from None


_PER_WORKER_MAX = 256  # opened ballots a worker remembers before it starts again


def _remembered(name: str, key: Any, read: Any) -> Any:
    """What `read()` gave for `key`, read once per worker if it is an opened ballot's (frozen for good).

    Kept because it pays (issue 18): reading the ballot and its frozen options on every letter-code
    vote took 3.2 times the CPU (69-70% of the vote saved; bench/pb_vote_cpu.py, 7 Dec 2026).
    """
    cache = current_app.extensions.setdefault(name, {})
    found = cache.get(key)
    if found is None:
        found = read()
        if found is not None and found.frozen_at is not None:
            if len(cache) >= _PER_WORKER_MAX:
                cache.clear()
            cache[key] = found
    return found


@dataclass(frozen=True)
class _Frozen:
    refs: tuple[str, ...]
    spec: Any
    frozen_at: datetime | None


def _frozen(session: Session, ballot: Ballot) -> _Frozen:
    # Options and rules cannot change once voting opens (update_ballot refuses), so each worker
    # reads them once per opened ballot instead of on every submission.
    def read() -> _Frozen:
        full = ballot if isinstance(ballot, Ballot) else session.get(Ballot, ballot.id)  # a row: settings read here
        options = options_of(session, full)
        return _Frozen(tuple(o.ref for o in options), _spec(full, options, session), full.frozen_at)

    return _remembered("pbapp.pb.frozen", (ballot.id, ballot.frozen_at), read)


def meter(ballot: Ballot, options: list[BallotOption], choices: Any) -> dict:
    """The live budget meter: what the choices use of the budget, points or total, and any problem."""
    if ballot.kind == SIMULATOR:
        return simulator.meter(ballot, options, choices)
    by_ref = {o.ref: o for o in options}
    if ballot.kind in (counting.APPROVAL, KNAPSACK, RANKED):
        used = sum(by_ref[r].cost_pence for r in choices if r in by_ref)
        limit, unit = ballot.budget_pence, "money"
        count = len(choices)
    elif ballot.kind == CUMULATIVE:
        used, limit, unit, count = sum(choices.values()), ballot.total_points, "points", len(choices)
    else:
        used, limit, unit, count = sum(choices.values()), ballot.budget_pence, "money", len(choices)
    problem = ""
    try:
        check_choices(ballot, options, choices)
    except Invalid as exc:
        problem = exc.message
    return {
        "used": used,
        "limit": limit,
        "unit": unit,
        "count": count,
        "problem": problem,
        "left": limit - used,
        "over": used > limit and ballot.kind != RANKED,
    }


_VOTE_COLUMNS = ("id", "ballot_id", "voter_key", "choices", "channel", "area_id", "receipt", "changes")


# What casting a vote reads of the ballot: its kind and its state (ballot_state).
_CAST_COLUMNS = ("id", "kind", "opens_at", "closes_at", "frozen_at", "closed_at", "results_published_at")


@functools.cache
def _ballot_and_council() -> Any:
    return (
        select(Ballot, Council)
        .join(Council, Council.id == Ballot.council_id)
        .where(Ballot.id == bindparam("ballot_id"), Council.slug == bindparam("slug"))
    )


@functools.cache
def _cast_row() -> Any:
    """The columns of a ballot a vote needs, as a plain row: no objects built."""
    ballots, councils = Ballot.__table__, Council.__table__
    return (
        select(*(ballots.c[name] for name in _CAST_COLUMNS))
        .join(councils, councils.c.id == ballots.c.council_id)
        .where(ballots.c.id == bindparam("ballot_id"), councils.c.slug == bindparam("slug"))
    )


@dataclass(frozen=True)
class _SqliteStatements:
    state: Any
    use_code: Any
    upsert_vote: Any


@functools.cache
def _sqlite_statements() -> _SqliteStatements:
    # Built once per process: composing these expressions cost more than running them did.
    # SQLite serialises writers already (BEGIN IMMEDIATE).
    votes, ballots = Vote.__table__, Ballot.__table__
    upsert = sqlite_insert(votes).values({c: bindparam(f"vote_{c}") for c in _VOTE_COLUMNS})
    return _SqliteStatements(
        state=select(*(ballots.c[name] for name in _CAST_COLUMNS)).where(ballots.c.id == bindparam("ballot_id")),
        use_code=update(VotingCode)
        .where(VotingCode.id == bindparam("code_id"), VotingCode.used.is_(False))
        .values(used=True),
        # The unique (ballot_id, voter_key) constraint decides races; a later ballot replaces the earlier.
        upsert_vote=upsert.on_conflict_do_update(
            index_elements=[votes.c.ballot_id, votes.c.voter_key],
            set_={
                "choices": upsert.excluded.choices,
                "receipt": upsert.excluded.receipt,
                "changes": votes.c.changes + 1,
            },
        ).returning(votes.c.id),
    )


# PostgreSQL: one statement checks that the ballot is open (with `online` set, as ballot_state
# does; nothing is counted if not), uses the letter code and counts the vote. The ballot row is
# only share-locked, so votes run side by side while closing the ballot (an update of the row)
# waits for those in flight and every later one sees it closed. The unique (ballot_id,
# voter_key) constraint makes a voter's later ballot replace the earlier, whatever races. A vote
# with nothing else to commit runs it in autocommit. No log entry is written: the log is sealed
# at the count (ballot_log._sealed_entries says why).
_PG_RECORD_BALLOT = """
WITH open AS (
    SELECT id FROM pb_ballot
    WHERE id = %(ballot_id)s AND (NOT %(online)s OR (
        frozen_at IS NOT NULL AND closed_at IS NULL AND results_published_at IS NULL
        AND (opens_at IS NULL OR opens_at <= %(now)s) AND (closes_at IS NULL OR closes_at > %(now)s)))
    FOR SHARE
), used AS (
    UPDATE pb_voting_code SET used = TRUE FROM open
    WHERE pb_voting_code.id = %(code_id)s AND NOT pb_voting_code.used
)
INSERT INTO pb_vote AS v (id, ballot_id, voter_key, choices, channel, area_id, receipt, changes)
SELECT %(id)s, open.id, %(voter_key)s, %(choices)s, %(channel)s, %(area_id)s, %(receipt)s, 0 FROM open
ON CONFLICT (ballot_id, voter_key) DO UPDATE
SET choices = EXCLUDED.choices, receipt = EXCLUDED.receipt, changes = v.changes + 1
RETURNING v.id, v.receipt
"""


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _record_ballot(
    session: Session, ballot_id: int, voter: Voter, choices: Any, channel: str, online: bool = False
) -> tuple[int, str] | None:
    """Make the ballot the voter's one counted ballot (replacing an earlier one); return (vote id, receipt).

    An `online` vote is counted only while the ballot is open (else None): checked as it is written.
    The receipt is random, new with each ballot sent: it says nothing of the voter or of when.
    """
    payload, receipt, now = json.dumps(choices, sort_keys=True), secrets.token_hex(32), utcnow()
    if _postgres(session):
        params = {
            "ballot_id": ballot_id,
            "online": online,
            "now": now,
            "code_id": voter.code_id,
            "id": random_id(),
            "voter_key": voter.key,
            "choices": payload,
            "channel": channel,
            "area_id": voter.area_id,
            "receipt": receipt,
        }
        if online and not session.in_transaction():  # a letter-code vote: nothing else to commit with it
            row = execute_alone(_PG_RECORD_BALLOT, params)
        else:
            row = session.connection().exec_driver_sql(_PG_RECORD_BALLOT, params).first()
        return None if row is None else (row[0], row[1])
    sql = _sqlite_statements()
    db = session.connection()  # plain statements: no ORM work per execution
    if online and ballot_state(db.execute(sql.state, {"ballot_id": ballot_id}).one(), now) != "open":
        return None
    written = {
        "code_id": voter.code_id,
        "vote_id": random_id(),
        "vote_ballot_id": ballot_id,
        "vote_voter_key": voter.key,
        "vote_choices": payload,
        "vote_channel": channel,
        "vote_area_id": voter.area_id,
        "vote_receipt": receipt,
        "vote_changes": 0,
    }
    if voter.code_id is not None:
        db.execute(sql.use_code, written)
    return db.execute(sql.upsert_vote, written).scalar_one(), receipt


def cast_vote(session: Session, council: Council, ballot_id: int, voter: Voter | None, choices: Any) -> str:
    """Count this voter's ballot (replacing any earlier one) and return the receipt."""
    ballot = get_ballot(session, council, ballot_id)
    if voter is None:
        raise NotAllowed(_("You cannot vote in this ballot."))
    return _cast(session, ballot, voter, choices)


def _cast(session: Session, ballot: Any, voter: Voter, choices: Any) -> str:
    if ballot_state(ballot) != "open":
        raise Conflict(_("This ballot is not open for voting."))
    _validate(_frozen(session, ballot).spec, ballot, choices)
    recorded = _record_ballot(session, ballot.id, voter, choices, ONLINE, online=True)
    if session.in_transaction():
        session.commit()
    if recorded is None:  # closed between the read above and the vote
        raise Conflict(_("This ballot is not open for voting."))
    return recorded[1]


def _open_ballot(session: Session, slug: str, ballot_id: int) -> Any:
    """The kind and state columns of a ballot, read once per worker once it has opened (None: no such ballot).

    Opening freezes a ballot's kind and options for good, and the vote itself re-checks that it
    is still open, so a letter-code vote needs no read of the ballot of its own.
    """
    return _remembered(
        "pbapp.pb.open",
        (slug, ballot_id),
        lambda: session.connection().execute(_cast_row(), {"ballot_id": ballot_id, "slug": slug}).first(),
    )


def submit_ballot(session: Session, council_slug: str, ballot_id: int, user, code_voter: dict | None, form) -> str:
    """Read, check and count a submitted ballot form; return the receipt.

    A letter-code vote on PostgreSQL is, once this worker has read the ballot, one statement in
    autocommit and nothing else (see _PG_RECORD_BALLOT).
    """
    if code_voter:
        # The code was checked against this ballot when it was entered.
        ballot = _open_ballot(session, council_slug, ballot_id)
        if ballot is None:
            raise NotFound(_("There is no such ballot."))
        voter = _letter_voter(code_voter)
    else:
        found = session.execute(_ballot_and_council(), {"ballot_id": ballot_id, "slug": council_slug}).first()
        if found is None:
            raise NotFound(_("There is no such ballot."))
        ballot, council = found
        elig = eligibility(session, council, ballot, None, user, None)
        if elig.voter is None:
            raise NotAllowed(elig.reason)
        voter = elig.voter
    choices = _parse(ballot.kind, _frozen(session, ballot).refs, form)
    return _cast(session, ballot, voter, choices)


def paper_entries(session: Session, ballot: Ballot) -> list[PaperBallotEntry]:
    return list(
        session.exec(
            select(PaperBallotEntry)
            .where(PaperBallotEntry.ballot_id == ballot.id)
            .order_by(PaperBallotEntry.status.desc(), PaperBallotEntry.id)
        ).all()
    )


def key_paper_ballot(
    session: Session,
    council: Council,
    ballot_id: int,
    actor: User,
    *,
    paper_ref: str,
    channel: str,
    area_id: int | None,
    choices: Any,
) -> PaperBallotEntry:
    """Key a paper or booth ballot; a second officer keys it again and only matching entries count."""
    ballot = get_ballot(session, council, ballot_id)
    if ballot.frozen_at is None or ballot.results_published_at is not None:
        raise Conflict(_("Paper ballots can be keyed once voting has opened and until results are published."))
    if channel not in CHANNELS[1:]:
        raise Invalid(_("Choose paper or polling booth"), field="channel")
    paper_ref = paper_ref.strip().upper()
    if not paper_ref:
        raise Invalid(_("Enter the number printed on the ballot paper"), field="paper_ref")
    check_choices(ballot, options_of(session, ballot), choices)
    payload = json.dumps(choices, sort_keys=True)
    entry = session.exec(
        select(PaperBallotEntry).where(PaperBallotEntry.ballot_id == ballot.id, PaperBallotEntry.paper_ref == paper_ref)
    ).first()
    if entry is None:
        entry = PaperBallotEntry(
            ballot_id=ballot.id,
            paper_ref=paper_ref,
            channel=channel,
            area_id=area_id,
            first_choices=payload,
            first_by_id=actor.id,
        )
        session.add(entry)
        session.flush()
        action = "pb.paper_keyed_first"
    else:
        if entry.status == MATCHED:
            raise Conflict(_("Ballot paper %(ref)s has already been keyed twice and counted.", ref=paper_ref))
        if entry.first_by_id == actor.id:
            raise NotAllowed(_("A different officer must key ballot paper %(ref)s the second time.", ref=paper_ref))
        entry.second_choices, entry.second_by_id = payload, actor.id
        if payload == entry.first_choices and channel == entry.channel:
            entry.status = MATCHED
            voter = Voter(key=_voter_key(ballot, "paper", paper_ref), via=channel, area_id=entry.area_id)
            entry.vote_id, _receipt = _record_ballot(session, ballot.id, voter, choices, channel)
            action = "pb.paper_matched"
        else:
            entry.status = MISMATCH
            action = "pb.paper_mismatch"
    audit.record(
        session,
        action,
        "pb_paper_entry",
        entry.id,
        council_id=council.id,
        actor_id=actor.id,
        ballot_id=ballot.id,
        paper_ref=paper_ref,
        channel=channel,
    )
    session.commit()
    return entry


@dataclass(frozen=True)
class CrowdFlag:
    """A postcode, or one address in it, with more verified voters in a ballot than the council expects."""

    kind: str  # "postcode" or "address"
    postcode: str
    voters: int
    threshold: int


def crowd_flags(session: Session, council: Council, ballot: Ballot) -> list[CrowdFlag]:
    """Postcodes and addresses with more verified voters than FLAG_VOTERS_PER_POSTCODE / _PER_ADDRESS."""
    if ballot.frozen_at is None or ballot.eligibility in (CODES, OPEN):
        return []
    postcodes: Counter = Counter()
    addresses: Counter = Counter()
    for postcode, address in _verified_voters(session, council, ballot):
        postcodes[postcode] += 1
        if address:
            addresses[(postcode, address)] += 1
    per_postcode = current_app.config["FLAG_VOTERS_PER_POSTCODE"]
    per_address = current_app.config["FLAG_VOTERS_PER_ADDRESS"]
    flags = [CrowdFlag("postcode", p, n, per_postcode) for p, n in postcodes.items() if n > per_postcode]
    flags += [CrowdFlag("address", p, n, per_address) for (p, _a), n in addresses.items() if n > per_address]
    return sorted(flags, key=lambda f: (-f.voters, f.kind, f.postcode))


def _verified_residents(session: Session, council_id: int):
    """(user id, postcode, address hash) of the council's accounts with a confirmed email and a verified residence."""
    verification = residence.ResidenceVerification
    return session.exec(
        select(verification.user_id, verification.postcode, verification.address_hash)
        .join(User, User.id == verification.user_id)
        .where(verification.council_id == council_id, User.email_confirmed_at.is_not(None))
    ).all()


def _verified_voters(session: Session, council: Council, ballot: Ballot) -> list[tuple[str, str]]:
    """(postcode, address hash) of each verified resident with a counted ballot; nothing new is stored."""
    voted = set(session.exec(select(Vote.voter_key).where(Vote.ballot_id == ballot.id)).all())
    if not voted:
        return []
    return [
        (postcode, address)
        for user_id, postcode, address in _verified_residents(session, council.id)
        if account_voter_key(ballot, user_id) in voted
    ]


def _verified_keys(session: Session, council_id: int, ballot: Ballot) -> set[str]:
    """The voter keys verified residents vote under in this ballot (verified by the time of the count)."""
    return {account_voter_key(ballot, user_id) for user_id, _p, _a in _verified_residents(session, council_id)}
