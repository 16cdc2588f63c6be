"""Who took part in a vote: turnout by ward against each ward's adults, and anonymous "about you" answers.

The answers are optional, asked once after voting, and kept only as counts per answer (ParticipantAnswer):
nothing ties them to a ballot, a receipt, an account or a moment. They are published beside the Census
2021 figures the app keeps, with every small count hidden (pbapp.core.disclosure), as a jury report
compares its panel with the population.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select, update

from pbapp.core.disclosure import THRESHOLD, publishable
from pbapp.councils.models import WARD, Area, Council
from pbapp.errors import Invalid
from pbapp.pb.models import Ballot, ParticipantAnswer, Process, Vote
from pbapp.sortition import census

PREFER_NOT = "prefer_not"


@dataclass(frozen=True)
class Group:
    """One published row of a question: the answers it adds up, and the census category it is set against."""

    key: str
    label: str
    answers: tuple[str, ...]
    census_label: str | None  # the category's name in pbapp.sortition.census, None where no figure is kept


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    hint: str
    answers: tuple[tuple[str, str], ...]  # (stored answer, label), "prefer not to say" last
    groups: tuple[Group, ...]
    census_feature: str | None


def _one_to_one(pairs, census_labels) -> tuple[Group, ...]:
    return tuple(Group(key, label, (key,), census_labels.get(key)) for key, label in pairs)


_PREFER = (PREFER_NOT, _l("Prefer not to say"))
_AGES = (
    ("18-24", _l("18 to 24")),
    ("25-34", _l("25 to 34")),
    ("35-49", _l("35 to 49")),
    ("50-64", _l("50 to 64")),
    ("65-74", _l("65 to 74")),
    ("75+", _l("75 or over")),
)
_SEXES = (("female", _l("Female")), ("male", _l("Male")))
_ETHNIC_GROUPS = (
    ("white", _l("White")),
    ("mixed", _l("Mixed or Multiple ethnic groups")),
    ("asian", _l("Asian, Asian British or Asian Welsh")),
    ("black", _l("Black, Black British, Black Welsh, Caribbean or African")),
    ("other", _l("Other ethnic group")),
)
_DISABILITY = (
    ("limited_lot", _l("Yes, limited a lot")),
    ("limited_little", _l("Yes, limited a little")),
    ("not_limited", _l("No")),
)

# The census questions of 2021, in the census's words and order. The app keeps authority figures for
# age (adults) and three broad ethnic groups; none for sex or disability, which are shown without one.
QUESTIONS: tuple[Question, ...] = (
    Question(
        "age",
        _l("What is your age?"),
        "",
        _AGES + (_PREFER,),
        _one_to_one(_AGES, {key: key for key, _label in _AGES}),
        "age",
    ),
    Question("sex", _l("What is your sex?"), "", _SEXES + (_PREFER,), _one_to_one(_SEXES, {}), None),
    Question(
        "ethnicity",
        _l("What is your ethnic group?"),
        "",
        _ETHNIC_GROUPS + (_PREFER,),
        (
            Group("white", _l("White"), ("white",), "White"),
            Group("asian", _l("Asian, Asian British or Asian Welsh"), ("asian",), "Asian or Asian British"),
            Group(
                "black_mixed_other",
                _l("Black, Mixed or Other ethnic group"),
                ("black", "mixed", "other"),
                "Black / Mixed / Other",
            ),
        ),
        "ethnicity",
    ),
    Question(
        "disability",
        _l("Are your day-to-day activities limited because of a health problem or disability?"),
        _l(
            "Include problems related to old age. Count only problems that have lasted, or are expected to last, at least 12 months."
        ),
        _DISABILITY + (_PREFER,),
        _one_to_one(_DISABILITY, {}),
        None,
    ),
)
QUESTIONS_BY_KEY = {q.key: q for q in QUESTIONS}


def record_answers(session: Session, ballot: Ballot, answers: dict[str, str]) -> int:
    """Add one person's answers to the ballot's counts; unanswered questions are skipped. Return how many counted.

    Every answer is checked before anything is written, so a forged form changes nothing. Each count
    goes up by one in one statement, so answers sent at the same moment are all counted.
    """
    chosen: list[tuple[str, str]] = []
    for key, answer in answers.items():
        question = QUESTIONS_BY_KEY.get(key)
        if question is None:
            raise Invalid(_("There is no such question."))
        if not answer:
            continue
        if answer not in {value for value, _label in question.answers}:
            raise Invalid(_("Choose one of the answers given"), field=key)
        chosen.append((key, answer))
    for key, answer in chosen:
        _ensure_row(session, ballot.id, key, answer)
        session.execute(
            update(ParticipantAnswer)
            .where(
                ParticipantAnswer.ballot_id == ballot.id,
                ParticipantAnswer.question == key,
                ParticipantAnswer.answer == answer,
            )
            .values(count=ParticipantAnswer.count + 1)
        )
    session.commit()
    return len(chosen)


def _ensure_row(session: Session, ballot_id: int, question: str, answer: str) -> None:
    from pbapp.pb.services import _dialect_insert

    table = ParticipantAnswer.__table__
    session.execute(
        _dialect_insert(session)(table)
        .values(ballot_id=ballot_id, question=question, answer=answer, count=0)
        .on_conflict_do_nothing(index_elements=[table.c.ballot_id, table.c.question, table.c.answer])
    )


@dataclass(frozen=True)
class GroupRow:
    label: str
    count: int | None  # None: hidden, too few people to publish
    share: float | None  # of those who answered (not "prefer not to say")
    census_share: float | None


@dataclass(frozen=True)
class QuestionTable:
    question: Question
    respondents: int | None  # None when under the threshold
    rows: list[GroupRow]
    prefer_not: int | None
    has_census: bool


def about_you_tables(session: Session, council: Council, ballot: Ballot) -> list[QuestionTable]:
    """Each question's published counts and shares beside the census's share of adults, small counts hidden."""
    stored: dict[tuple[str, str], int] = {
        (q, a): n
        for q, a, n in session.exec(
            select(ParticipantAnswer.question, ParticipantAnswer.answer, ParticipantAnswer.count).where(
                ParticipantAnswer.ballot_id == ballot.id
            )
        ).all()
    }
    shares = census.census_shares() if council.gss_code in census.CENSUS_GSS_CODES else {}
    tables = []
    for question in QUESTIONS:
        counts = {group.key: sum(stored.get((question.key, a), 0) for a in group.answers) for group in question.groups}
        # "Prefer not to say" says nothing about anyone, so it is always shown and stays out of the
        # suppression (else a few of them would hide a large group by secondary suppression).
        prefer_not = stored.get((question.key, PREFER_NOT), 0)
        shown = publishable(counts)
        answered = sum(counts.values())
        total = answered + prefer_not
        figures = shares.get(question.census_feature or "", {})
        rows = []
        for group in question.groups:
            n = shown[group.key]
            rows.append(
                GroupRow(
                    group.label,
                    n,
                    None if n is None or not answered else n / answered,
                    figures.get(group.census_label) if group.census_label else None,
                )
            )
        tables.append(
            QuestionTable(
                question,
                total if total >= THRESHOLD else None,
                rows,
                prefer_not if total >= THRESHOLD else None,
                bool(figures),
            )
        )
    return tables


@dataclass(frozen=True)
class WardTurnout:
    name: str
    votes: int
    adults: int | None
    by_channel: dict[str, int]

    @property
    def percent(self) -> float | None:
        return 100 * self.votes / self.adults if self.adults else None


def turnout_by_ward(session: Session, council: Council, ballot: Ballot) -> list[WardTurnout]:
    """Counted ballots per ward of the vote's area (a letter's or a verified address's ward) and per channel.

    Every ward of the area is listed, with none where nobody voted; ballots whose ward is not known
    (letters sent to a whole neighbourhood) are one row at the end.
    """
    process = session.get(Process, ballot.process_id)
    wards_query = select(Area).where(Area.council_id == council.id, Area.kind == WARD)
    if process.area_id is not None:
        area = session.get(Area, process.area_id)
        if area.kind != WARD:
            wards_query = wards_query.where(Area.neighbourhood_id == area.id)
        else:
            wards_query = wards_query.where(Area.id == area.id)
    wards = list(session.exec(wards_query.order_by(Area.name)).all())
    counts: dict[int | None, dict[str, int]] = {}
    for area_id, channel, n in session.exec(
        select(Vote.area_id, Vote.channel, func.count())
        .where(Vote.ballot_id == ballot.id)
        .group_by(Vote.area_id, Vote.channel)
    ).all():
        counts.setdefault(area_id, {})[channel] = n
    ward_ids = {w.id for w in wards}
    rows = [
        WardTurnout(w.name, sum(counts.get(w.id, {}).values()), w.adults or None, counts.get(w.id, {})) for w in wards
    ]
    unknown: dict[str, int] = {}
    for area_id, channels in counts.items():
        if area_id not in ward_ids:
            for channel, n in channels.items():
                unknown[channel] = unknown.get(channel, 0) + n
    if unknown:
        rows.append(WardTurnout(_("Ward not known"), sum(unknown.values()), None, unknown))
    return rows


@dataclass(frozen=True)
class WhoTookPart:
    wards: list[WardTurnout]
    about_you: list[QuestionTable]
    threshold: int = THRESHOLD

    @property
    def answered_any(self) -> bool:
        return any(table.respondents for table in self.about_you)


def who_took_part(session: Session, council: Council, ballot: Ballot) -> WhoTookPart:
    """Everything the results page says about who voted: turnout by ward, and the "about you" tables."""
    return WhoTookPart(turnout_by_ward(session, council, ballot), about_you_tables(session, council, ballot))
