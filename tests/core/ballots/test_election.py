"""Elections as data and their compression into distinct weighted ballots."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbapp.core.ballots import pabulib
from pbapp.core.ballots.election import Election, Profile, Vote, format_number, parse_number
from pbapp.core.errors import CoreError

from .conftest import FIXTURES


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        (" 748772.64 ", Fraction(74877264, 100)),
        ("2,5", Fraction(5, 2)),
        ("200000.0", 200000),
        (".5", Fraction(1, 2)),
    ],
)
def test_parse_number_is_exact(text, value):
    assert parse_number(text) == value
    assert type(parse_number(text)) is type(value)


@pytest.mark.parametrize("text", ["", "1e5", "abc", "1.2.3", "nan"])
def test_parse_number_refuses_non_numbers(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_format_number_round_trips():
    assert format_number(Fraction(74877264, 100)) == "748772.64"
    assert format_number(7) == "7"


def test_identical_ballots_are_grouped_with_weights(tiny):
    profile = Profile.of(tiny)
    assert profile.n_voters == 5
    assert sorted(profile.weights.tolist()) == [1, 1, 1, 1, 1]
    twice = Election.build(10, {"a": 5, "b": 5}, [["a"], ["a"], ["b", "a"], ["a", "b"], []])
    grouped = Profile.of(twice)
    assert grouped.weights.tolist() == [2, 2, 1]
    assert grouped.support.tolist() == [4, 2]
    assert grouped.n_voters == 5


def test_ordinal_scores_use_points_or_positions():
    s5r = pabulib.read(FIXTURES / "Switzerland_Zurich_S5R.pb")
    assert s5r.scores(Vote("v", ("a", "b", "c"))) == (3, 2, 1)
    assert s5r.scores(Vote("v", ("a", "b"), (5, 1))) == (5, 1)
    profile = Profile.of(s5r)
    # The PROJECTS score column is what the positional scores add up to.
    for project, support in zip(s5r.projects, profile.support):
        assert support == int(project.fields["score"])


def test_points_scores_and_missing_points():
    election = Election.build(10, {"a": 5}, [{"a": 3}], vote_type="cumulative")
    assert election.scores(election.votes[0]) == (3,)
    with pytest.raises(CoreError, match="no points"):
        election.scores(Vote("v", ("a",)))


def test_meta_helpers(tiny):
    assert tiny.vote_type == "approval"
    assert tiny.threshold == 0
    assert tiny.project("a").name == "Park benches"
    with pytest.raises(CoreError):
        tiny.project("nope")
    built = Election.build(5, {"x": 1}, [], meta={"min_project_score_threshold": "3"})
    assert built.threshold == 3
    assert built.projects[0].name == "x"
    assert Election({}, (), ()).vote_type == "approval"


def test_by_project_lists_supporters(tiny):
    profile = Profile.of(tiny)
    ptr, rows, scores = profile.by_project()
    a = profile.ids.index("a")
    assert np.diff(ptr)[a] == 3
    assert set(rows[ptr[a] : ptr[a + 1]].tolist()) == {0, 1, 4}
    assert (scores == 1).all()


def test_approval_scores_are_ones(tiny):
    assert tiny.scores(tiny.votes[0]) == (1, 1)


def _reference_rows(election: Election) -> list[tuple[tuple, int]]:
    """Group ballots the plain way: sorted (project, score) entries, in first-seen order."""
    index = {p.id: j for j, p in enumerate(election.projects)}
    counts: dict[tuple, int] = {}
    for vote in election.votes:
        key = tuple(sorted((index[pid], float(s)) for pid, s in zip(vote.projects, election.scores(vote)) if s > 0))
        counts[key] = counts.get(key, 0) + 1
    return list(counts.items())


def _rows(profile: Profile) -> list[tuple[tuple, int]]:
    return [
        (tuple(zip(profile.indices[a:b].tolist(), profile.scores[a:b].tolist())), int(w))
        for a, b, w in zip(profile.indptr[:-1], profile.indptr[1:], profile.weights)
    ]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("abcde"), unique=True, max_size=5), max_size=30),
    st.booleans(),
    st.data(),
)
def test_compression_matches_plain_grouping(ballots, points, data):
    if points:
        ballots = [{pid: data.draw(st.integers(0, 3)) for pid in ballot} for ballot in ballots]
    election = Election.build(10, dict.fromkeys("abcde", 2), ballots, vote_type="cumulative" if points else "approval")
    profile = Profile.of(election)
    assert _rows(profile) == _reference_rows(election)
    assert profile.n_voters == len(ballots)


def test_a_hash_collision_falls_back_to_exact_grouping(monkeypatch):
    election = Election.build(10, {"a": 2, "b": 2, "c": 2}, [["b", "a"], ["c"], ["a", "b"], ["a"], ["c"]])
    expected = _rows(Profile.of(election))
    real_unique = np.unique

    def colliding(values, **kwargs):
        # Every ballot of the same length gets the same hash, as if they had all collided.
        return (
            real_unique(values & np.uint64(0), **kwargs) if values.dtype == np.uint64 else real_unique(values, **kwargs)
        )

    monkeypatch.setattr(np, "unique", colliding)
    assert _rows(Profile.of(election)) == expected


def test_cached_views_are_read_only(tiny):
    profile = Profile.of(tiny)
    rows = profile.by_project()[1]
    with pytest.raises(ValueError):
        rows[0] = 1
    assert profile.by_project()[1] is rows


def _same_profile(a: Profile, b: Profile) -> None:
    for name in ("weights", "indptr", "indices", "scores", "support", "approvals"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.ids, a.costs, a.budget, a.n_voters) == (b.ids, b.costs, b.budget, b.n_voters)


@pytest.mark.parametrize("vote_type", ["approval", "cumulative", "scoring", "ordinal"])
@given(data=st.data())
@settings(max_examples=40, deadline=None)
def test_a_profile_of_ballots_is_the_profile_of_their_election(vote_type, data):
    """The count from the database builds its profile from the ballots without a Vote per voter."""
    costs = {"a": 10, "b": 20, "c": 30, "d": 5}
    refs = st.lists(st.sampled_from(sorted(costs)), unique=True, max_size=4)
    if vote_type in ("cumulative", "scoring"):
        ballot = refs.flatmap(lambda ids: st.tuples(*(st.integers(0, 5) for _ in ids)).map(lambda p: dict(zip(ids, p))))
    else:
        ballot = refs
    ballots = data.draw(st.lists(ballot, max_size=30))
    built = Election.build(40, costs, ballots, vote_type=vote_type)
    bare = Election.build(40, costs, (), vote_type=vote_type)
    _same_profile(Profile.of_ballots(bare, ballots), Profile.of(built))
