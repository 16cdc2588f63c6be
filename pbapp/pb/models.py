"""Tables of the pb domain: processes, proposals, ballots, votes, paper entries, the ballot log, results."""

from __future__ import annotations

from datetime import date, datetime

import random
from json.encoder import encode_basestring

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.core.chain import GENESIS
from pbapp.modelfields import pence
from pbapp.timeutil import utcnow

PROPOSALS, REVIEW, VOTING, RESULTS, DELIVERY = "proposals", "review", "voting", "results", "delivery"
PHASES = (PROPOSALS, REVIEW, VOTING, RESULTS, DELIVERY)

SUBMITTED, FEASIBLE, NOT_FEASIBLE, HIDDEN = "submitted", "feasible", "not_feasible", "hidden"
PROPOSAL_STATUSES = (SUBMITTED, FEASIBLE, NOT_FEASIBLE, HIDDEN)

APPROVAL, KNAPSACK, CUMULATIVE, RANKED, ALLOCATION = "approval", "knapsack", "cumulative", "ranked", "allocation"
SIMULATOR = "simulator"  # the budget simulator: its lines and steps are in simulator_models
BALLOT_KINDS = (APPROVAL, KNAPSACK, CUMULATIVE, RANKED, ALLOCATION, SIMULATOR)

RESIDENTS, CODES, RESIDENTS_OR_CODES, OPEN = "residents", "codes", "residents_or_codes", "open"
# What an officer may choose. RESIDENTS_OR_CODES is kept only for ballots opened before it was
# withdrawn: a letter used signed out and a verified account were two counted ballots of one person.
ELIGIBILITY_MODES = (CODES, RESIDENTS, OPEN)
TAKES_CODES = (CODES, RESIDENTS_OR_CODES)

ONLINE, PAPER, BOOTH = "online", "paper", "booth"
CHANNELS = (ONLINE, PAPER, BOOTH)

AWAITING_SECOND, MATCHED, MISMATCH = "awaiting_second", "matched", "mismatch"


# Rows whose place in the table must not tell when they were written (votes, letter bindings) take a
# random 63-bit id: a sequential id ranks a vote among the others, and ranks line up with the
# order of sign-ups. On SQLite an INTEGER PRIMARY KEY is the rowid, so the rows are also stored
# in that random order; BIGINT elsewhere, so that random ids do not collide.
RANDOM_ID = BigInteger().with_variant(Integer(), "sqlite")


def random_id() -> int:
    return random.SystemRandom().randrange(1, 2**63)


def _random_id_column():
    return Field(default_factory=random_id, sa_column=Column(RANDOM_ID, primary_key=True, autoincrement=False))


# Ballot logs: version 1 chained every submission as it came (its order followed the order of
# voting, which in a copy of the database lines up with the order of sign-ups); version 2 keeps no
# log while voting and seals one at the count: the final ballot of each voter, in receipt order.
LOG_CHAINED_AS_CAST, LOG_SEALED_AT_COUNT = 1, 2


class Process(SQLModel, table=True):
    """A participatory budgeting cycle of a council, or of one neighbourhood with its own pot."""

    __tablename__ = "pb_process"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    title: str = Field(max_length=200, nullable=False)
    description: str = Field(default="", nullable=False)
    title_cy: str = Field(default="", max_length=200, nullable=False)  # Welsh versions: empty when none
    description_cy: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    pot_pence: int = pence()
    phase: str = Field(default=PROPOSALS, max_length=16, nullable=False)
    proposals_from: date | None = None
    review_from: date | None = None
    voting_from: date | None = None
    results_from: date | None = None
    delivery_from: date | None = None
    # Supports a proposal needs before the council reviews it; None: every proposal is reviewed.
    support_threshold: int | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class ProposalFile(SQLModel, table=True):
    """The checked bytes of a picture or document, stored once under their SHA-256 and read only to serve them."""

    __tablename__ = "pb_file"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True, nullable=False)
    content_type: str = Field(max_length=40, nullable=False)
    size: int = Field(nullable=False)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class Proposal(SQLModel, table=True):
    """An idea a resident or group puts forward; the officer's review is a draft until published."""

    __tablename__ = "pb_proposal"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True, nullable=False)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    title: str = Field(max_length=200, nullable=False)
    description: str = Field(default="", nullable=False)
    title_cy: str = Field(default="", max_length=200, nullable=False)
    description_cy: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    estimated_cost_pence: int = pence()
    submitter_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    group_name: str = Field(default="", max_length=200, nullable=False)
    status: str = Field(default=SUBMITTED, max_length=16, nullable=False)
    review_feasible: bool | None = None
    reviewed_cost_pence: int | None = pence(nullable=True)
    review_reason: str = Field(default="", nullable=False)
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    review_published_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    file_sha256: str | None = Field(default=None, max_length=64, foreign_key="pb_file.sha256")
    file_type: str = Field(default="", max_length=40, nullable=False)
    file_name: str = Field(default="", max_length=120, nullable=False)
    image_alt: str = Field(default="", max_length=300, nullable=False)

    @property
    def has_image(self) -> bool:
        return self.file_sha256 is not None and self.file_type.startswith("image/")

    @property
    def cost_pence(self) -> int:
        """The cost on the ballot: the officer's reviewed cost once published, else the estimate."""
        if self.review_published_at is not None and self.reviewed_cost_pence is not None:
            return self.reviewed_cost_pence
        return self.estimated_cost_pence


class Ballot(SQLModel, table=True):
    """The vote of a process: kind, limits, counting rule and eligibility, frozen when voting opens."""

    __tablename__ = "pb_ballot"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True, nullable=False)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    title: str = Field(max_length=200, nullable=False)
    title_cy: str = Field(default="", max_length=200, nullable=False)
    kind: str = Field(default=KNAPSACK, max_length=16, nullable=False)
    budget_pence: int = pence()
    min_choices: int = Field(default=0, nullable=False)
    max_choices: int | None = None
    total_points: int = Field(default=0, nullable=False)
    max_per_project: int | None = None
    min_spend_percent: int = Field(default=0, nullable=False)
    rule: str = Field(default="equalshares/add1", max_length=40, nullable=False)
    utility: str = Field(default="cost", max_length=16, nullable=False)
    partial_funding: bool = Field(default=False, nullable=False)
    eligibility: str = Field(default=CODES, max_length=24, nullable=False)
    seed: int = Field(default=0, nullable=False)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    frozen_at: datetime | None = None
    closed_at: datetime | None = None
    results_published_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    # The ballot log's length and last hash: as sealed by the last count (a log chained as cast kept
    # them up to date with each ballot).
    log_seq: int = Field(default=0, nullable=False)
    log_head: str = Field(default=GENESIS, max_length=64, nullable=False)
    # The version of VOTER_KEY that keys this ballot's voter ids, fixed for the ballot's life.
    key_version: int = Field(default=0, nullable=False)
    # How its log is kept (LOG_CHAINED_AS_CAST for ballots opened before logs were sealed at the count).
    log_format: int = Field(default=LOG_SEALED_AT_COUNT, nullable=False)
    # A ballot imported from a Pabulib file: the file's META as JSON (its score threshold counts;
    # the rest is written back on export). "{}" for a ballot run here.
    pabulib_meta: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class BallotOption(SQLModel, table=True):
    """A project (or budget line) on a ballot, copied when voting opens so it cannot change."""

    __tablename__ = "pb_ballot_option"
    __table_args__ = (UniqueConstraint("ballot_id", "ref", name="uq_pb_option_ballot_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    ref: str = Field(max_length=20, nullable=False)
    proposal_id: int | None = Field(default=None, foreign_key="pb_proposal.id")
    budget_line_ref: str = Field(default="", max_length=40, nullable=False)
    title: str = Field(max_length=200, nullable=False)
    description: str = Field(default="", nullable=False)
    title_cy: str = Field(default="", max_length=200, nullable=False)
    description_cy: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    cost_pence: int = pence()
    min_pence: int = pence()
    max_pence: int = pence()
    position: int = Field(default=0, nullable=False)


class CodeBatch(SQLModel, table=True):
    """A batch of one-time voting codes for letters to the residents of one area."""

    __tablename__ = "pb_code_batch"

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    size: int = Field(nullable=False)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    # The version of VOTER_KEY the batch's codes are derived and hashed with.
    key_version: int = Field(default=0, nullable=False)


class VotingCode(SQLModel, table=True):
    """A one-time code printed on a letter; only its keyed hash is stored.

    Nothing here can be matched to a vote without the voter key: rows are written in an order
    unrelated to the letters', and `used` carries no time (a time would equal the vote's).
    """

    __tablename__ = "pb_voting_code"

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    batch_id: int = Field(foreign_key="pb_code_batch.id", index=True, nullable=False)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    code_hash: str = Field(max_length=64, unique=True, nullable=False)
    used: bool = Field(default=False, nullable=False)


class CodeBinding(SQLModel, table=True):
    """A letter's code entered by a signed-in account: the account then votes as that letter, and only as it.

    Both keys are keyed hashes; the two unique constraints make one letter one account and one
    account one letter per ballot, however many requests race.
    """

    __tablename__ = "pb_code_binding"
    __table_args__ = (
        UniqueConstraint("ballot_id", "account_key", name="uq_pb_binding_ballot_account"),
        UniqueConstraint("ballot_id", "code_key", name="uq_pb_binding_ballot_code"),
        {"info": {"unordered": True}},  # pbapp.backup rewrites it in id order before a dump
    )

    # Random: bindings are made as accounts vote, so a sequential id would rank them (and the vote
    # whose voter_key is their code_key) in the order of sign-ups.
    id: int | None = _random_id_column()
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    account_key: str = Field(max_length=64, nullable=False)
    code_key: str = Field(max_length=64, nullable=False)
    code_id: int | None = Field(default=None, foreign_key="pb_voting_code.id")
    area_id: int | None = Field(default=None, foreign_key="area.id")


class Vote(SQLModel, table=True):
    """The one counted ballot of a voter; `voter_key` is a keyed one-way hash, never an identity.

    It has no time: a time could be joined to a sign-up, a code or a web log to name the voter.
    Nor an order: its id is random (a sequential id would rank it among the votes, and residents
    who sign up and vote at once vote in the order of their account ids). `receipt` is random too,
    drawn anew each time the voter sends a ballot.
    """

    __tablename__ = "pb_vote"
    __table_args__ = (
        UniqueConstraint("ballot_id", "voter_key", name="uq_pb_vote_ballot_voter"),
        {"info": {"unordered": True}},
    )  # pbapp.backup rewrites it in id order before a dump

    id: int | None = _random_id_column()
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    voter_key: str = Field(max_length=64, nullable=False)
    choices: str = Field(default="[]", nullable=False)
    channel: str = Field(default=ONLINE, max_length=8, nullable=False)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    receipt: str = Field(default="", max_length=64, nullable=False)
    changes: int = Field(default=0, nullable=False)


class PaperBallotEntry(SQLModel, table=True):
    """A paper or booth ballot keyed twice by two different officers; a mismatch is flagged."""

    __tablename__ = "pb_paper_entry"
    __table_args__ = (UniqueConstraint("ballot_id", "paper_ref", name="uq_pb_paper_ballot_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    paper_ref: str = Field(max_length=40, nullable=False)
    channel: str = Field(default=PAPER, max_length=8, nullable=False)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    first_choices: str = Field(default="[]", nullable=False)
    first_by_id: int = Field(foreign_key="user_account.id", nullable=False)
    second_choices: str | None = None
    second_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    status: str = Field(default=AWAITING_SECOND, max_length=16, nullable=False)
    vote_id: int | None = Field(default=None, sa_column=Column(RANDOM_ID, ForeignKey("pb_vote.id"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class BallotLogEntry(SQLModel, table=True):
    """One ballot in the public, hash-chained log.

    In a sealed log (LOG_SEALED_AT_COUNT) the entries are written at the count, one per voter, in the
    order of their receipts, so neither `seq` nor `id` says anything of when a ballot was cast;
    `receipt` is the voter's receipt and is covered by the hash. In a log chained as cast
    (LOG_CHAINED_AS_CAST) `receipt` is empty and the entry's hash is the receipt.
    """

    __tablename__ = "pb_ballot_log"
    __table_args__ = (
        UniqueConstraint("ballot_id", "seq", name="uq_pb_log_ballot_seq"),
        UniqueConstraint("ballot_id", "previous_hash", name="uq_pb_log_ballot_previous"),
        Index("ix_pb_ballot_log_receipt", "ballot_id", "receipt"),  # a receipt check reads one entry
    )

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    seq: int = Field(nullable=False)
    voter_token: str = Field(max_length=64, nullable=False)
    channel: str = Field(default=ONLINE, max_length=8, nullable=False)
    choices: str = Field(default="[]", nullable=False)
    previous_hash: str = Field(max_length=64, nullable=False)
    hash: str = Field(max_length=64, unique=True, nullable=False)
    receipt: str | None = Field(default=None, max_length=64)
    # Open votes only: whether the ballot came from a verified resident (the two are counted apart).
    verified: bool | None = None

    def content(self) -> dict:
        """Return what the hash covers (no time, no identity)."""
        return self.content_of(self.seq, self.voter_token, self.channel, self.choices, self.receipt, self.verified)

    @staticmethod
    def content_of(
        seq: int, voter_token: str, channel: str, choices: str, receipt: str | None = None, verified: bool | None = None
    ) -> dict:
        """What the hash of an entry with these values covers, for writers that never build the entry."""
        import json

        return BallotLogEntry.content_read(seq, voter_token, channel, json.loads(choices), receipt, verified)

    @staticmethod
    def content_read(
        seq: int, voter_token: str, channel: str, choices, receipt: str | None = None, verified: bool | None = None
    ) -> dict:
        """content_of, with the choices already read from their JSON (shared by every entry that holds them)."""
        content = {"seq": seq, "voter": voter_token, "channel": channel, "choices": choices}
        if receipt is not None:
            content["receipt"] = receipt
        if verified is not None:
            content["verified"] = verified
        return content

    @staticmethod
    def canonical_text(
        seq: int, voter_token: str, channel: str, choices_text: str, receipt: str | None, verified: bool | None
    ) -> str:
        """canonical_json(content_read(...)) written out, for a writer hashing many entries (a count's seal).

        `choices_text` is the canonical JSON of the choices, made once for every voter who cast
        the same; the keys are in canonical_json's sorted order (tests/pb/test_log_text.py).
        """
        return "".join(
            (
                '{"channel":',
                encode_basestring(channel),
                ',"choices":',
                choices_text,
                "" if receipt is None else ',"receipt":' + encode_basestring(receipt),
                ',"seq":',
                int.__repr__(seq),
                "" if verified is None else (',"verified":true' if verified else ',"verified":false'),
                ',"voter":',
                encode_basestring(voter_token),
                "}",
            )
        )


class Result(SQLModel, table=True):
    """The computed outcome of a ballot and the council's official decision beside it."""

    __tablename__ = "pb_result"

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", unique=True, nullable=False)
    job_id: int | None = Field(default=None, foreign_key="job.id")
    rule: str = Field(default="", max_length=40, nullable=False)
    computed: str = Field(default="{}", nullable=False)
    voters: int = Field(default=0, nullable=False)
    log_head: str = Field(default="", max_length=64, nullable=False)
    computed_at: datetime | None = None
    official_selected: str | None = None
    official_reason: str = Field(default="", nullable=False)
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = None


class ParticipantAnswer(SQLModel, table=True):
    """How many people gave one answer to one optional "about you" question after voting on a ballot.

    Only counts are kept: no voter key, no time, no row per person, so an answer can never be joined
    to a ballot, a receipt or an account, even in a copy of the database.
    """

    __tablename__ = "pb_participant_answer"
    __table_args__ = (UniqueConstraint("ballot_id", "question", "answer", name="uq_pb_participant_answer"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pb_ballot.id", index=True, nullable=False)
    question: str = Field(max_length=24, nullable=False)
    answer: str = Field(max_length=40, nullable=False)
    count: int = Field(default=0, nullable=False)


PUBLISHED, HELD = "published", "held"  # a comment's states; HIDDEN (above) is the third
COMMENT_STATUSES = (PUBLISHED, HELD, HIDDEN)


class ProposalComment(SQLModel, table=True):
    """A resident's comment on a proposal: published at once, held for an officer once reported enough, or hidden."""

    __tablename__ = "pb_proposal_comment"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="pb_proposal.id", index=True, nullable=False)
    council_id: int = Field(foreign_key="council.id", index=True, nullable=False)
    author_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    body: str = Field(nullable=False)
    status: str = Field(default=PUBLISHED, max_length=12, nullable=False)
    reports: int = Field(default=0, nullable=False)
    moderation_reason: str = Field(default="", nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class CommentReport(SQLModel, table=True):
    """One account's report of a comment as abusive; one per account and comment."""

    __tablename__ = "pb_comment_report"
    __table_args__ = (UniqueConstraint("comment_id", "user_id", name="uq_pb_comment_report"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="pb_proposal_comment.id", index=True, nullable=False)
    user_id: int = Field(foreign_key="user_account.id", nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class ProposalSupport(SQLModel, table=True):
    """One account's support for a proposal while ideas are being gathered; one per account and proposal."""

    __tablename__ = "pb_proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_pb_proposal_support"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="pb_proposal.id", index=True, nullable=False)
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)


class ProposalFollow(SQLModel, table=True):
    """An account that wants an email when the proposal's review or result is published."""

    __tablename__ = "pb_proposal_follow"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_pb_proposal_follow"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="pb_proposal.id", index=True, nullable=False)
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)
