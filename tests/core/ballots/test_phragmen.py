"""Sequential Phragmén."""

from __future__ import annotations

from pbapp.core.ballots import tally
from pbapp.core.ballots.election import Election


def test_lowest_common_load_goes_first(tiny):
    outcome = tally(tiny, "phragmen")
    # c costs nothing (load 0), then a (60 / 3 = 20) before b ((20 + 40.50) / 2 = 30.25).
    assert outcome.selected == ["c", "a", "b"]
    assert outcome.explanations["b"].facts["load"] == 30.25
    assert outcome.explanations["a"].reason.startswith("Funded in round 2: its 3 supporters' loads rose to 20 GBP")


def test_stops_when_the_next_project_does_not_fit():
    election = Election.build(
        10,
        {"a": 6, "b": 6, "c": 1, "far": 11, "none": 1},
        [["a", "b", "far"], ["a", "b"], ["a", "c"]],
    )
    outcome = tally(election, "phragmen")
    assert outcome.selected == ["c", "a"]
    reasons = {pid: e.reason for pid, e in outcome.explanations.items()}
    assert reasons["b"].startswith("Not funded: it was next in line but cost 6 with only 3 left")
    assert reasons["far"] == "Not funded: it costs more than the whole budget."
    assert reasons["none"] == "Not funded: no one supported it."


def test_projects_behind_the_stop_are_explained():
    election = Election.build(10, {"a": 8, "b": 5, "c": 4}, [["a"], ["a"], ["a"], ["b"], ["c"]])
    outcome = tally(election, "phragmen")
    assert outcome.selected == ["a"]
    assert outcome.explanations["b"].reason == "Not funded: counting stopped before its supporters' turn came."


def test_ties_are_reported():
    election = Election.build(10, {"p": 5, "q": 5}, [["p"], ["q"]])
    outcome = tally(election, "phragmen")
    assert sorted(outcome.selected) == ["p", "q"]
    assert outcome.ties[0].decided_by == "lot"
