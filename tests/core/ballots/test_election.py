"""Elections as data and their compression into distinct weighted ballots."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from pbapp.core.ballots import pabulib
from pbapp.core.ballots.election import Election, Profile, Vote, format_number, parse_number
from pbapp.core.errors import CoreError

from .conftest import FIXTURES


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), (" 748772.64 ", Fraction(74877264, 100)), ("2,5", Fraction(5, 2)), ("200000.0", 200000), (".5", Fraction(1, 2))],
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
    assert set(rows[ptr[a]:ptr[a + 1]].tolist()) == {0, 1, 4}
    assert (scores == 1).all()


def test_approval_scores_are_ones(tiny):
    assert tiny.scores(tiny.votes[0]) == (1, 1)
