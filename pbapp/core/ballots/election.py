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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cached_property
from itertools import chain
from operator import attrgetter

import numpy as np

from pbapp.core.errors import CoreError

Money = int | Fraction

POINT_TYPES = ("cumulative", "scoring")
APPROVAL_TYPES = ("approval", "choose-1")
VOTE_TYPES = APPROVAL_TYPES + POINT_TYPES + ("ordinal",)
# Pabulib's mark of a withdrawn project: its cost in PROJECTS (never funded, never a stop).
WITHDRAWN_COST = 999999999
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
    # What the reader accepted but noted (a voter listing a project twice), in plain words.
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)
    # The compressed ballots, when the reader built them in the same pass (see `Profile.of`).
    _profile: Profile | None = field(default=None, repr=False, compare=False)

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
        if not vote.projects:
            return ()  # an empty points ballot may leave its points empty too
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
        """Compress an election's votes into distinct weighted ballots.

        Identical votes are counted first (in C); the distinct ones are then put in canonical
        form (projects in file order) and merged with numpy, so the Python work is one pass
        over the distinct votes. Rows keep the order in which each ballot first occurs.
        """
        if election._profile is not None:
            return election._profile
        key = attrgetter("projects") if election.vote_type in APPROVAL_TYPES else attrgetter("projects", "points")
        return cls._of_equal(election, Counter(map(key, election.votes)), len(election.votes))

    @classmethod
    def of_ballots(cls, election: Election, ballots: Sequence[Sequence[str] | Mapping[str, Money]]) -> Profile:
        """Profile.of(Election.build(..., ballots)) for `election`'s projects, without a Vote per voter.

        For a count from the database (100,000 ballots, a few hundred distinct): equal ballots are
        counted first, as Profile.of counts equal votes, and `election` needs no votes of its own.
        """
        if election.vote_type in APPROVAL_TYPES:
            return cls._of_equal(election, Counter(map(tuple, ballots)), len(ballots))
        keyed = ((tuple(b), tuple(b.values()) if isinstance(b, Mapping) else None) for b in ballots)
        return cls._of_equal(election, Counter(keyed), len(ballots))

    @classmethod
    def _of_equal(cls, election: Election, equal: Counter, n_voters: int) -> Profile:
        """The profile of equal ballots counted: keyed by their projects (approval) or (projects, points)."""
        if election.vote_type in APPROVAL_TYPES:
            return cls.counted(election, list(equal), None, list(equal.values()), n_voters)
        return cls.counted(
            election,
            [projects for projects, _ in equal],
            [points for _, points in equal],
            list(equal.values()),
            n_voters,
        )

    @classmethod
    def counted(
        cls,
        election: Election,
        keys: Sequence[tuple[str, ...]],
        points: Sequence[tuple[Money, ...] | None] | None,
        counts: Sequence[int],
        n_voters: int,
    ) -> Profile:
        """Build the profile from distinct ballots (`keys`, with `points` unless approval) and counts."""
        index = {p.id: j for j, p in enumerate(election.projects)}
        if election.vote_type in APPROVAL_TYPES:
            lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
            total = int(lengths.sum())
            indices = np.fromiter(map(index.__getitem__, chain.from_iterable(keys)), dtype=np.int64, count=total)
            scores = np.ones(total)
        else:
            lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
            total = int(lengths.sum())
            indices = np.fromiter(map(index.__getitem__, chain.from_iterable(keys)), dtype=np.int64, count=total)
            positional = election.vote_type == "ordinal"
            raw = (
                given
                if given is not None
                else range(len(projects), 0, -1)
                if positional
                else election.scores(Vote("", projects))
                for projects, given in zip(keys, points or [None] * len(keys))
            )
            scores = np.fromiter(map(float, chain.from_iterable(raw)), dtype=np.float64, count=total)
        return cls.from_arrays(
            election, lengths, indices, scores, np.fromiter(counts, dtype=np.int64, count=len(keys)), n_voters
        )

    @classmethod
    def from_arrays(
        cls,
        election: Election,
        lengths: np.ndarray,
        indices: np.ndarray,
        scores: np.ndarray,
        weights: np.ndarray,
        n_voters: int,
    ) -> Profile:
        """Build the profile from distinct ballots as flat arrays: row g has `lengths[g]` entries.

        Entries are (project index, score) in the ballot's order; `weights[g]` voters cast row g.
        """
        keys = weights
        rows = np.repeat(np.arange(len(keys)), lengths)
        if not (scores > 0).all():
            keep = scores > 0
            rows, indices, scores = rows[keep], indices[keep], scores[keep]
            lengths = np.bincount(rows, minlength=len(keys))
        weights, lengths, indices, scores = _merge_equal(weights, lengths, rows, indices, scores)
        indptr = np.zeros(len(weights) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        m = len(election.projects)
        w = np.repeat(weights, lengths).astype(np.float64)
        return cls(
            ids=tuple(p.id for p in election.projects),
            costs=tuple(p.cost for p in election.projects),
            budget=election.budget,
            weights=weights,
            indptr=indptr,
            indices=indices,
            scores=scores,
            n_voters=n_voters,
            support=np.bincount(indices, weights=w * scores, minlength=m),
            approvals=np.bincount(indices, weights=w, minlength=m),
        )

    @cached_property
    def rows(self) -> np.ndarray:
        """Return the ballot row of every stored (row, project) entry."""
        return _frozen(np.repeat(np.arange(len(self.weights)), np.diff(self.indptr)))

    @cached_property
    def _by_project(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # A stable sort on a 16-bit key is a radix sort: linear in the number of entries.
        key = self.indices.astype(np.uint16) if len(self.ids) <= 2**16 else self.indices
        order = np.argsort(key, kind="stable")
        ptr = np.zeros(len(self.ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=len(self.ids)), out=ptr[1:])
        return _frozen(ptr), _frozen(self.rows[order]), _frozen(self.scores[order])

    def by_project(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (project indptr, ballot rows, scores) sorted by project, for per-project scans."""
        return self._by_project


def _frozen(array: np.ndarray) -> np.ndarray:
    """Make a cached array read-only, so no caller can change it for the next."""
    array.flags.writeable = False
    return array


def _merge_equal(weights, lengths, rows, indices, scores):
    """Sort each ballot's entries by project and merge equal ballots, keeping first-seen order.

    Ballots are grouped by an order-free hash of their entries, then every merge is checked
    entry by entry; a hash collision (never seen in practice) falls back to exact grouping.
    """
    n = len(weights)
    if n == 0:
        return weights, lengths, indices, scores
    unsorted = (np.diff(indices) < 0) | ((np.diff(indices) == 0) & (np.diff(scores) < 0))
    if (unsorted & (rows[1:] == rows[:-1])).any():
        key = rows * (int(indices.max()) + 1) + indices
        order = np.argsort(key, kind="stable")
        key = key[order]
        if ((key[1:] == key[:-1]) & (np.diff(scores[order]) < 0)).any():
            # A project listed twice on one ballot: order its entries by score too.
            order = np.lexsort((scores, indices, rows))
        indices, scores = indices[order], scores[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    salt = _salt(2 * (int(indices.max(initial=0)) + 1)).reshape(2, -1)
    # splitmix64's finaliser, so that every bit of the score reaches every bit of the hash.
    mix = salt[0][indices] ^ scores.view(np.uint64)
    mix = (mix ^ (mix >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    mix = (mix ^ (mix >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mix ^= mix >> np.uint64(31)
    sums = np.add.reduceat(np.append(mix, np.uint64(0)), np.minimum(indptr[:-1], len(mix)))
    sums[lengths == 0] = 0
    sums += lengths.astype(np.uint64) * salt[1][0]
    _, first, group = np.unique(sums, return_index=True, return_inverse=True)
    if len(first) == n:
        return weights, lengths, indices, scores
    rep = first[group.reshape(-1)]
    src = indptr[rep][rows] + (np.arange(len(indices)) - indptr[rows])
    if not ((lengths[rep] == lengths).all() and (indices == indices[src]).all() and (scores == scores[src]).all()):
        return _merge_exact(weights, lengths, indices, scores, indptr)
    kept = np.sort(first)
    new_id = np.zeros(n, dtype=np.int64)
    new_id[kept] = np.arange(len(kept))
    merged = np.bincount(new_id[rep], weights=weights, minlength=len(kept)).astype(np.int64)
    keep = np.zeros(n, dtype=bool)
    keep[kept] = True
    return merged, lengths[kept], indices[keep[rows]], scores[keep[rows]]


def _salt(n: int) -> np.ndarray:
    """Return n fixed pseudo-random odd 64-bit numbers (splitmix64 of 1..n; no numpy.random import)."""
    x = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31)) | np.uint64(1)


def _merge_exact(weights, lengths, indices, scores, indptr):
    """Merge equal ballots by their exact entries (the slow path after a hash collision)."""
    counts: dict[tuple, int] = {}
    for g in range(len(weights)):
        sl = slice(indptr[g], indptr[g + 1])
        key = (tuple(indices[sl].tolist()), tuple(scores[sl].tolist()))
        counts[key] = counts.get(key, 0) + int(weights[g])
    out_lengths = np.fromiter((len(k[0]) for k in counts), dtype=np.int64, count=len(counts))
    out_indices = np.fromiter(chain.from_iterable(k[0] for k in counts), dtype=np.int64, count=int(out_lengths.sum()))
    out_scores = np.fromiter(chain.from_iterable(k[1] for k in counts), dtype=np.float64, count=int(out_lengths.sum()))
    return np.fromiter(counts.values(), dtype=np.int64, count=len(counts)), out_lengths, out_indices, out_scores
