"""Tables of a jury's deliberation: rounds, witnesses, evidence, questions, straw polls, recommendations.

They build on the juries domain's `Jury`, `Juror` and `JurySession` (pbapp/juries/models.py); the
table names keep their `jury_` prefix, so moving them here changed no schema.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pbapp.modelfields import pence
from pbapp.timeutil import utcnow

EVIDENCE_ROUND, DELIBERATION_ROUND, DECISION_ROUND = "evidence", "deliberation", "decision"
ROUND_KINDS = (EVIDENCE_ROUND, DELIBERATION_ROUND, DECISION_ROUND)

PDF_EVIDENCE, MARKDOWN_EVIDENCE, LINK_EVIDENCE, STATEMENT_EVIDENCE = "pdf", "markdown", "link", "statement"
EVIDENCE_KINDS = (PDF_EVIDENCE, MARKDOWN_EVIDENCE, LINK_EVIDENCE, STATEMENT_EVIDENCE)

IN_FAVOUR, AGAINST, MIXED, NEUTRAL = "in_favour", "against", "mixed", "neutral"
STANCES = (IN_FAVOUR, AGAINST, MIXED, NEUTRAL)
ASKED_BY_FACILITATOR, ASKED_BY_JURORS, ASKED_BY_COUNCIL, ASKED_BY_STAKEHOLDER = (
    "facilitator",
    "jurors",
    "council",
    "stakeholder",
)
ASKERS = (ASKED_BY_FACILITATOR, ASKED_BY_JURORS, ASKED_BY_COUNCIL, ASKED_BY_STAKEHOLDER)

WITNESS_REQUEST, EVIDENCE_REQUEST = "witness", "evidence"
REQUEST_KINDS = (WITNESS_REQUEST, EVIDENCE_REQUEST)
REQUEST_OPEN, REQUEST_AGREED, REQUEST_DECLINED = "open", "agreed", "declined"
REQUEST_STATUSES = (REQUEST_OPEN, REQUEST_AGREED, REQUEST_DECLINED)

TO_WITNESS, TO_OFFICER = "witness", "officer"

ALLOCATION_POLL, APPROVAL_POLL, RANKING_POLL = "allocation", "approval", "ranking"
POLL_KINDS = (ALLOCATION_POLL, APPROVAL_POLL, RANKING_POLL)
POLL_DRAFT, POLL_OPEN, POLL_CLOSED = "draft", "open", "closed"


REC_DRAFT, REC_VOTING, REC_ADOPTED, REC_NOT_ADOPTED = "draft", "voting", "adopted", "not_adopted"
REC_STATUSES = (REC_DRAFT, REC_VOTING, REC_ADOPTED, REC_NOT_ADOPTED)
SUPPORT, OPPOSE, ABSTAIN = "support", "oppose", "abstain"
VOTE_CHOICES = (SUPPORT, OPPOSE, ABSTAIN)


class JurorAccount(SQLModel, table=True):
    """The sign-in account a juror uses for the portal, and whether their name may be published."""

    __tablename__ = "jury_juror_account"

    id: int | None = Field(default=None, primary_key=True)
    juror_id: int = Field(foreign_key="juror.id", unique=True, nullable=False)
    user_id: int = Field(foreign_key="user_account.id", index=True, nullable=False)
    name_consent: bool = Field(default=False, nullable=False)
    linked_at: datetime = Field(default_factory=utcnow, nullable=False)


class Round(SQLModel, table=True):
    """What happens at one jury session: its kind, where, and the agenda (the session holds the date)."""

    __tablename__ = "jury_round"

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    session_id: int = Field(foreign_key="jury_session.id", unique=True, nullable=False)
    kind: str = Field(max_length=16, nullable=False)
    starts_at: str = Field(default="", max_length=5, nullable=False)  # "18:30", local time
    place: str = Field(default="", max_length=300, nullable=False)
    link: str = Field(default="", max_length=500, nullable=False)
    agenda: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class Witness(SQLModel, table=True):
    """Someone who gives evidence: who they are, the view they put and who asked for them."""

    __tablename__ = "jury_witness"

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    round_id: int | None = Field(default=None, foreign_key="jury_round.id")
    name: str = Field(max_length=200, nullable=False)
    organisation: str = Field(default="", max_length=200, nullable=False)
    view: str = Field(default="", max_length=500, nullable=False)
    stance: str = Field(default=NEUTRAL, max_length=16, nullable=False)
    asked_by: str = Field(default=ASKED_BY_FACILITATOR, max_length=16, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class Evidence(SQLModel, table=True):
    """An item in the jury's evidence library: a PDF, a markdown note, a link or a witness statement."""

    __tablename__ = "jury_evidence"

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    round_id: int | None = Field(default=None, foreign_key="jury_round.id")
    witness_id: int | None = Field(default=None, foreign_key="jury_witness.id")
    kind: str = Field(max_length=16, nullable=False)
    title: str = Field(max_length=200, nullable=False)
    summary: str = Field(default="", max_length=1000, nullable=False)
    title_cy: str = Field(default="", max_length=200, nullable=False)
    summary_cy: str = Field(default="", max_length=1000, nullable=False)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))  # markdown source
    body_cy: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # its Welsh version
    url: str = Field(default="", max_length=500, nullable=False)
    file_name: str = Field(default="", max_length=200, nullable=False)
    file_size: int = Field(default=0, nullable=False)
    published_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class EvidenceFile(SQLModel, table=True):
    """The bytes of an uploaded PDF, kept apart so listing evidence never loads them."""

    __tablename__ = "jury_evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="jury_evidence.id", unique=True, nullable=False)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class EvidenceRequest(SQLModel, table=True):
    """A juror asking to hear a witness or see a piece of evidence, and the facilitator's reply."""

    __tablename__ = "jury_evidence_request"

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    juror_id: int = Field(foreign_key="juror.id", index=True, nullable=False)
    kind: str = Field(max_length=16, nullable=False)
    text: str = Field(max_length=1000, nullable=False)
    status: str = Field(default=REQUEST_OPEN, max_length=16, nullable=False)
    reply: str = Field(default="", max_length=1000, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    replied_at: datetime | None = None


class Question(SQLModel, table=True):
    """A juror's question to a witness or to council officers, and its recorded answer."""

    __tablename__ = "jury_question"

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    juror_id: int = Field(foreign_key="juror.id", index=True, nullable=False)
    round_id: int | None = Field(default=None, foreign_key="jury_round.id")
    addressed_to: str = Field(default=TO_OFFICER, max_length=16, nullable=False)
    witness_id: int | None = Field(default=None, foreign_key="jury_witness.id")
    text: str = Field(max_length=1000, nullable=False)
    answer: str = Field(default="", sa_column=Column(Text, nullable=False))
    answered_by: str = Field(default="", max_length=200, nullable=False)
    answered_at: datetime | None = None
    published_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class StrawPoll(SQLModel, table=True):
    """A straw poll held in a round: an allocation of the budget, or approval or ranking of options."""

    __tablename__ = "jury_poll"

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    round_id: int = Field(foreign_key="jury_round.id", index=True, nullable=False)
    kind: str = Field(max_length=16, nullable=False)
    question: str = Field(max_length=300, nullable=False)
    question_cy: str = Field(default="", max_length=300, nullable=False)
    status: str = Field(default=POLL_DRAFT, max_length=16, nullable=False)
    total_pence: int = pence()
    max_choices: int | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class PollOption(SQLModel, table=True):
    """One choice in a straw poll; for an allocation, a budget line with its lowest and highest amount."""

    __tablename__ = "jury_poll_option"

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="jury_poll.id", index=True, nullable=False)
    position: int = Field(default=0, nullable=False)
    label: str = Field(max_length=200, nullable=False)
    label_cy: str = Field(default="", max_length=200, nullable=False)
    # BudgetLine lives in pbapp.ledger; a plain id keeps the ledger free to renumber books.
    budget_line_id: int | None = None
    low_pence: int = pence()
    high_pence: int = pence()


class PollBallot(SQLModel, table=True):
    """A juror's ballot in a straw poll (changeable until it closes); one per juror per poll."""

    __tablename__ = "jury_poll_ballot"
    __table_args__ = (UniqueConstraint("poll_id", "juror_id", name="uq_poll_ballot_poll_juror"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="jury_poll.id", index=True, nullable=False)
    juror_id: int = Field(foreign_key="juror.id", index=True, nullable=False)
    # JSON: {option id: pence} for an allocation, [option ids] for approval and ranking (in order).
    choices: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    # Set when the facilitator entered a ballot the juror cast in the room (on paper or by hand).
    entered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    cast_at: datetime = Field(default_factory=utcnow, nullable=False)


class Recommendation(SQLModel, table=True):
    """A recommendation the jury drafts together, then votes on against a threshold set in advance."""

    __tablename__ = "jury_recommendation"

    id: int | None = Field(default=None, primary_key=True)
    jury_id: int = Field(foreign_key="jury.id", index=True, nullable=False)
    number: int = Field(nullable=False)
    status: str = Field(default=REC_DRAFT, max_length=16, nullable=False)
    threshold_percent: int = Field(default=80, nullable=False)
    support_count: int = Field(default=0, nullable=False)
    oppose_count: int = Field(default=0, nullable=False)
    abstain_count: int = Field(default=0, nullable=False)
    vote_opened_at: datetime | None = None
    decided_at: datetime | None = None
    record_item_id: int | None = None  # the ledger's RecordItem, once adopted
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class RecommendationVersion(SQLModel, table=True):
    """One saved wording of a recommendation: who changed it, what and why."""

    __tablename__ = "jury_recommendation_version"
    __table_args__ = (UniqueConstraint("recommendation_id", "version", name="uq_recommendation_version"),)

    id: int | None = Field(default=None, primary_key=True)
    recommendation_id: int = Field(foreign_key="jury_recommendation.id", index=True, nullable=False)
    version: int = Field(nullable=False)
    title: str = Field(max_length=200, nullable=False)
    text: str = Field(sa_column=Column(Text, nullable=False))
    title_cy: str = Field(default="", max_length=200, nullable=False)
    text_cy: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    note: str = Field(default="", max_length=300, nullable=False)
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class RecommendationLine(SQLModel, table=True):
    """A budget line one version of a recommendation would change, and by how much (pence, plus or minus)."""

    __tablename__ = "jury_recommendation_line"
    __table_args__ = (UniqueConstraint("version_id", "budget_line_id", name="uq_recommendation_line_version_line"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="jury_recommendation_version.id", index=True, nullable=False)
    position: int = Field(default=0, nullable=False)
    budget_line_id: int = Field(nullable=False)  # pbapp.ledger BudgetLine, a plain id as for poll options
    change_pence: int = pence()


class RecommendationVote(SQLModel, table=True):
    """A juror's final vote on a recommendation; one per juror per recommendation."""

    __tablename__ = "jury_recommendation_vote"
    __table_args__ = (UniqueConstraint("recommendation_id", "juror_id", name="uq_recommendation_vote_juror"),)

    id: int | None = Field(default=None, primary_key=True)
    recommendation_id: int = Field(foreign_key="jury_recommendation.id", index=True, nullable=False)
    juror_id: int = Field(foreign_key="juror.id", index=True, nullable=False)
    choice: str = Field(max_length=16, nullable=False)
    # Set when the facilitator entered a vote the juror cast in the room (on paper or by hand).
    entered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    cast_at: datetime = Field(default_factory=utcnow, nullable=False)
