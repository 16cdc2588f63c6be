"""Greedy by support, with and without skipping, and with a threshold."""

from __future__ import annotations

from pbapp.core.ballots import tally
from pbapp.core.ballots.election import Election, Profile
from pbapp.core.ballots.greedy import greedy, support_order


def test_funds_by_support_and_fills_up_exactly(tiny):
    outcome = tally(tiny, "greedy")
    # a has 3 votes; b and c have 2 each and c wins the tie by costing less.
    assert outcome.selected == ["a", "c", "b"]
    assert outcome.spent == tiny.budget
    assert outcome.explanations["b"].facts["budget_left"] == 40.5
    assert outcome.explanations["a"].reason.startswith("Funded: number 1 by support; 100.50 GBP was left")


def test_skips_what_no_longer_fits_or_stops_there():
    election = Election.build(
        10, {"big": 8, "huge": 5, "small": 2}, [["big", "huge", "small"], ["big", "huge"], ["big"]]
    )
    assert tally(election, "greedy").selected == ["big", "small"]
    stopped = tally(election, "greedy-no-skip")
    assert stopped.selected == ["big"]
    assert "Counting stops here" in stopped.explanations["huge"].reason
    assert "counting stopped at project huge" in stopped.explanations["small"].reason
    assert not stopped.explanations["small"].funded


def test_threshold_leaves_out_weak_projects():
    election = Election.build(10, {"a": 2, "b": 2}, [["a", "b"], ["a"]], meta={"min_project_score_threshold": "2"})
    outcome = tally(election, "greedy-threshold")
    assert outcome.selected == ["a"]
    assert "below the threshold of 2" in outcome.explanations["b"].reason
    assert outcome.explanations["b"].facts["threshold"] == 2


def test_unsupported_projects_come_last_and_only_with_money_left():
    election = Election.build(10, {"liked": 6, "ignored": 4}, [["liked"], []])
    assert tally(election, "greedy").selected == ["liked", "ignored"]


def test_ties_are_reported_with_what_decided_them():
    election = Election.build(10, {"x": 6, "y": 6, "z": 4}, [["x", "y"], ["x", "y"], ["z"]])
    outcome = tally(election, "greedy")
    assert outcome.selected[0] in {"x", "y"}
    assert [t.decided_by for t in outcome.ties] == ["lot"]
    assert set(outcome.ties[0].tied) == {"x", "y"}
    cheaper = Election.build(10, {"x": 6, "y": 5}, [["x", "y"]])
    outcome = tally(cheaper, "greedy")
    assert outcome.selected == ["y"]
    assert outcome.ties[0].decided_by == "lower cost"


def test_the_seed_decides_the_lot():
    election = Election.build(1, {str(i): 1 for i in range(8)}, [[str(i) for i in range(8)]])
    winners = {tally(election, "greedy", seed=seed).selected[0] for seed in range(20)}
    assert len(winners) > 1
    assert tally(election, "greedy", seed=3).selected == tally(election, "greedy", seed=3).selected


def test_completion_starts_from_projects_already_funded(tiny):
    profile = Profile.of(tiny)
    a = profile.ids.index("a")
    outcome = greedy(profile, already=[a])
    assert outcome.selected == ["a", "c", "b"]
    assert "a" not in outcome.explanations
    assert support_order(profile)[0] == a
