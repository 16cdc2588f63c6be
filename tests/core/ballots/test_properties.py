"""Properties on random elections: no rule overspends; Equal Shares charges no one beyond their share."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbapp.core.ballots import RULES, tally
from pbapp.core.ballots.election import Election, Profile
from pbapp.core.ballots.equal_shares import EqualShares, equal_shares_add1, same_between

IDS = [f"p{i}" for i in range(6)]


@st.composite
def elections(draw):
    m = draw(st.integers(1, 6))
    ids = IDS[:m]
    costs = {pid: draw(st.one_of(st.integers(0, 60), st.fractions(0, 60, max_denominator=100))) for pid in ids}
    budget = draw(st.one_of(st.integers(0, 150), st.fractions(0, 150, max_denominator=100)))
    points = draw(st.booleans())
    ballots = []
    for _ in range(draw(st.integers(0, 12))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=m))
        ballots.append({pid: draw(st.integers(1, 4)) for pid in chosen} if points else chosen)
    return Election.build(budget, costs, ballots, vote_type="cumulative" if points else "approval")


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(elections(), st.sampled_from(list(RULES)), st.sampled_from(["cost", "cardinality"]), st.integers(0, 3))
def test_no_rule_overspends(election, rule, utility, seed):
    outcome = tally(election, rule, utility=utility, seed=seed)
    assert outcome.spent <= election.budget
    assert outcome.spent == sum((election.project(pid).cost for pid in outcome.selected), 0)
    assert len(set(outcome.selected)) == len(outcome.selected)
    assert tally(election, rule, utility=utility, seed=seed).selected == outcome.selected


@SETTINGS
@given(elections(), st.sampled_from(["cost", "cardinality"]), st.integers(0, 5))
def test_equal_shares_charges_no_voter_more_than_their_share(election, utility, extra):
    profile = Profile.of(election)
    if profile.n_voters == 0:
        return
    share = Fraction(election.budget, profile.n_voters) + extra
    run = EqualShares(profile, utility).run(share)
    assert (run.remaining >= 0).all()
    assert (run.remaining <= float(share) * (1 + 1e-12)).all()
    paid = float(share) * profile.n_voters - float((run.remaining * profile.weights).sum())
    assert np.isclose(paid, float(run.cost(profile)), rtol=1e-9, atol=1e-9)


@SETTINGS
@given(elections(), st.sampled_from(["cost", "cardinality"]))
def test_add1_skipping_recounts_changes_nothing(election, utility):
    profile = Profile.of(election)
    fast = equal_shares_add1(profile, utility=utility)
    slow = equal_shares_add1(profile, utility=utility, skip=False)
    assert fast.selected == slow.selected
    assert fast.details["budget_per_voter"] == slow.details["budget_per_voter"]
    # Skipping alone never counts more; a leap that fails costs one count (8 against 7 once).
    skipping = equal_shares_add1(profile, utility=utility, leap=False)
    assert skipping.selected == slow.selected
    assert skipping.details["recounts"] <= slow.details["recounts"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.sampled_from(["cost", "cardinality"]), st.integers(0, 30), st.integers(2, 40))
def test_a_proven_leap_repeats_the_outcome_at_every_budget_in_between(election, utility, extra, leap):
    """Add1 leaps over the counts `same_between` vouches for: each of them must fund the same."""
    profile = Profile.of(election)
    if profile.n_voters == 0:
        return
    mes = EqualShares(profile, utility)
    low = mes.run(Fraction(election.budget, profile.n_voters) + extra, stop_above=election.budget, record=False)
    high = mes.run(low.per_voter + leap, stop_above=election.budget, record=False, versus=low)
    # Pricing more projects for the comparison changes no choice.
    assert high.selected == mes.run(high.per_voter, stop_above=election.budget, record=False).selected
    if same_between(low, high):
        for step in range(1, leap):
            assert mes.run(low.per_voter + step, stop_above=election.budget, record=False).selected == low.selected
