"""Elections as plain data, and their compression into distinct weighted ballots.

An `Election` holds what a Pabulib file holds: META, projects with exact costs, and votes.
`Profile.of(election)` groups identical ballots (same projects, same scores) into one row with
a weight, so every rule works on the distinct ballots only; on Warsaw 2026 that shrinks 61,668
ballots several-fold. The compression is deterministic: rows appear in the order each distinct
ballot first occurs in the file.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain, repeat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

from pbapp.core.errors import CoreError

Money = int | Fraction

POINT_TYPES = ("cumulative", "scoring")
APPROVAL_TYPES = ("approval", "choose-1")
VOTE_TYPES = APPROVAL_TYPES + POINT_TYPES + ("ordinal",)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_number(text: str) -> Money:
    """Return the exact value of a decimal string ("12", "748772.64", "2,5"); raise ValueError."""
    text = text.strip()
    if not _NUMBER.match(text):
        raise ValueError(text)
    try:
        value = Fraction(Decimal(text.replace(",", ".")))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise ValueError(text) from exc
    return value.numerator if value.denominator == 1 else value


def format_number(value: Money) -> str:
    """Return the shortest exact decimal text for a value read by `parse_number`.

    Exact at any size (integer arithmetic, not Decimal's 28 digits). A value that has no finite
    decimal form (1/3) is given to 28 significant digits.
    """
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    rest, places = value.denominator, 0
    for prime in (2, 5):
        count = 0
        while rest % prime == 0:
            rest, count = rest // prime, count + 1
        places = max(places, count)
    if rest != 1:
        return str(Decimal(value.numerator) / Decimal(value.denominator))
    whole, fraction = divmod(abs(value.numerator) * 10**places // value.denominator, 10**places)
    return f"{'-' if value < 0 else ''}{whole}.{str(fraction).rjust(places, '0').rstrip('0')}"


@dataclass(frozen=True)
class Project:
    """A project: its id, exact cost, and every PROJECTS column as text (for faithful writing)."""

    id: str
    cost: Money
    fields: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """Return the project's name, or its id when the file has none."""
        return self.fields.get("name") or self.id


@dataclass(frozen=True)
class Vote:
    """One voter's ballot: project ids in the file's order, points when the file gives them."""

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Money, ...] | None = None
    fields: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass
class Election:
    """A participatory budgeting election: META, projects and votes, as in a Pabulib file."""

    meta: dict[str, str]
    projects: tuple[Project, ...]
    votes: tuple[Vote, ...]
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")
    newline: str = "\n"
    final_newline: bool = True
    raw_meta: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def budget(self) -> Money:
        """Return the budget from META."""
        return parse_number(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        """Return the META vote_type (approval, choose-1, cumulative, scoring or ordinal)."""
        return self.meta.get("vote_type", "approval")

    @property
    def threshold(self) -> Money:
        """Return META min_project_score_threshold, or 0 when the election sets none."""
        text = self.meta.get("min_project_score_threshold", "").strip()
        return parse_number(text) if text else 0

    def project(self, project_id: str) -> Project:
        """Return the project with this id."""
        for p in self.projects:
            if p.id == project_id:
                return p
        raise CoreError(f"There is no project {project_id!r}.")

    def scores(self, vote: Vote) -> tuple[Money, ...]:
        """Return the support a vote gives each of its projects.

        Approval and choose-1 give 1. Points ballots give their points. Ordinal ballots give the
        `points` column when the file has one (Krakow: 3, 2, 1), else ballot length minus
        position (Borda on the ballot), which is what the PROJECTS `score` column of every
        ordinal Pabulib file we hold adds up to.
        """
        if self.vote_type in APPROVAL_TYPES:
            return (1,) * len(vote.projects)
        if vote.points is not None:
            return vote.points
        if self.vote_type == "ordinal":
            n = len(vote.projects)
            return tuple(n - i for i in range(n))
        raise CoreError(f"Voter {vote.voter_id} has {self.vote_type} votes but no points.")

    @classmethod
    def build(
        cls,
        budget: Money,
        costs: Mapping[str, Money],
        ballots: Iterable[Sequence[str] | Mapping[str, Money]],
        *,
        vote_type: str = "approval",
        meta: Mapping[str, str] | None = None,
    ) -> Election:
        """Build an election from costs and ballots (lists of ids, or id -> points mappings)."""
        projects = tuple(
            Project(pid, cost, {"project_id": pid, "cost": format_number(cost)}) for pid, cost in costs.items()
        )
        votes = []
        has_points = False
        for n, ballot in enumerate(ballots, start=1):
            ids = tuple(ballot)
            points = tuple(ballot[i] for i in ids) if isinstance(ballot, Mapping) else None
            fields = {"voter_id": str(n), "vote": ",".join(ids)}
            if points is not None:
                has_points = True
                fields["points"] = ",".join(format_number(x) for x in points)
            votes.append(Vote(str(n), ids, points, fields))
        full_meta = {
            "description": "built in pbapp",
            "num_projects": str(len(projects)),
            "num_votes": str(len(votes)),
            "budget": format_number(budget),
            "vote_type": vote_type,
        }
        full_meta.update(meta or {})
        vote_columns = ("voter_id", "vote", "points") if has_points else ("voter_id", "vote")
        return cls(full_meta, projects, tuple(votes), ("project_id", "cost"), vote_columns)


@dataclass
class Profile:
    """Distinct ballots with weights, in compressed sparse rows, and the projects' exact costs.

    Invariants: `weights[g]` voters cast ballot row g; row g lists project indices
    `indices[indptr[g]:indptr[g+1]]` with positive scores `scores[...]`; `n_voters` counts every
    voter, including those with an empty ballot (they still hold a share of the budget).
    """

    ids: tuple[str, ...]
    costs: tuple[Money, ...]
    budget: Money
    weights: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    scores: np.ndarray
    n_voters: int
    support: np.ndarray
    approvals: np.ndarray

    @classmethod
    def of(cls, election: Election) -> Profile:
        """Compress an election's votes into distinct weighted ballots."""
        index = {p.id: j for j, p in enumerate(election.projects)}
        # Count identical votes first (fast, in C), then merge those that differ only in order.
        counts: dict[tuple, int] = {}
        if election.vote_type in APPROVAL_TYPES:
            for projects, n in Counter(vote.projects for vote in election.votes).items():
                key = tuple(sorted(map(index.__getitem__, projects)))
                counts[key] = counts.get(key, 0) + n
            flat_scores: Iterable[float] = repeat(1.0, sum(map(len, counts)))
            flat_indices: Iterable[int] = chain.from_iterable(counts)
        else:
            for (projects, points), n in Counter((vote.projects, vote.points) for vote in election.votes).items():
                scores = election.scores(Vote("", projects, points))
                key = tuple(sorted((index[pid], s) for pid, s in zip(projects, scores) if s > 0))
                counts[key] = counts.get(key, 0) + n
            flat_indices = (j for key in counts for j, _ in key)
            flat_scores = (float(s) for key in counts for _, s in key)
        weights = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        lengths = np.fromiter(map(len, counts), dtype=np.int64, count=len(counts))
        indptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.fromiter(flat_indices, dtype=np.int64, count=int(indptr[-1]))
        scores = np.fromiter(flat_scores, dtype=np.float64, count=int(indptr[-1]))
        m = len(election.projects)
        rows = np.repeat(np.arange(len(counts)), lengths)
        w = weights[rows].astype(np.float64)
        support = np.bincount(indices, weights=w * scores, minlength=m)
        approvals = np.bincount(indices, weights=w, minlength=m)
        return cls(
            ids=tuple(p.id for p in election.projects),
            costs=tuple(p.cost for p in election.projects),
            budget=election.budget,
            weights=weights,
            indptr=indptr,
            indices=indices,
            scores=scores,
            n_voters=len(election.votes),
            support=support,
            approvals=approvals,
        )

    @property
    def rows(self) -> np.ndarray:
        """Return the ballot row of every stored (row, project) entry."""
        return np.repeat(np.arange(len(self.weights)), np.diff(self.indptr))

    def by_project(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (project indptr, ballot rows, scores) sorted by project, for per-project scans."""
        order = np.argsort(self.indices, kind="stable")
        ptr = np.zeros(len(self.ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=len(self.ids)), out=ptr[1:])
        return ptr, self.rows[order], self.scores[order]
