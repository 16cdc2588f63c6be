"""The budget simulator's pure maths: steps, balance, refusal of unbalanced ballots, and the summary."""

from __future__ import annotations

import pytest

from pbapp.core import simulator as sim
from pbapp.core.ballots.kinds import UnknownProject
from pbapp.core.errors import CoreError


def _spec(available=190_00, tax=True):
    lines = {
        "a": sim.SimLine("a", "Libraries", 100_00, sim.steps_between(-10, 10, 5)),
        "b": sim.SimLine("b", "Parks", 100_00, sim.steps_between(-20, 0, 10)),
    }
    lever = sim.TaxLever(1_000_00, 10, sim.steps_between(-2, 3, 1)) if tax else None
    return sim.SimulatorSpec(lines, available, lever)


def test_steps_include_no_change_and_refuse_bad_limits():
    assert sim.steps_between(-10, 10, 5) == (-10, -5, 0, 5, 10)
    for bad in ((-10, 10, 0), (5, 10, 5), (-10, 10, 3), (-110, 0, 10)):
        with pytest.raises(CoreError):
            sim.steps_between(*bad)


def test_balance_counts_changes_and_council_tax():
    spec = _spec()
    balance = spec.balance({"a": -10, "b": -10})
    assert balance.changes == {"a": -10_00, "b": -10_00}
    assert balance.spending_pence == 180_00 and balance.gap_pence == -10_00 and balance.balanced
    # 1% of a £1,000 Band D on 10 homes raises £100.
    assert spec.tax.revenue_pence(1) == 100_00 and spec.tax.household_pence(1) == 10_00
    assert spec.balance({"tax": 1}).funding_pence == 290_00


def test_unbalanced_ballot_is_refused_with_the_gap():
    spec = _spec()
    with pytest.raises(sim.Unbalanced) as refused:
        spec.validate({"a": -5})
    assert "£5" in str(refused.value.message) and "short" in str(refused.value.message)
    spec.validate({"a": -5, "b": -10})  # £195 - £15 = £185 of £190: balanced
    spec.validate({"tax": 1})


def test_steps_not_on_offer_and_unknown_lines_are_refused():
    spec = _spec()
    with pytest.raises(sim.BadStep):
        spec.validate({"a": -7, "b": -20})
    with pytest.raises(sim.BadStep):
        spec.validate({"b": 10})
    with pytest.raises(sim.BadStep):
        spec.validate({"tax": 4})
    with pytest.raises(UnknownProject):
        spec.validate({"z": 0, "tax": 3})


def test_a_budget_no_ballot_can_balance_is_refused():
    with pytest.raises(sim.BadStep):
        _spec(available=100_00, tax=False)


def test_summary_gives_spread_mean_median_and_shares():
    ballots = [{"a": -10, "tax": 1}, {"a": -5}, {"a": 0, "tax": 0}, {"a": 10, "b": -10, "tax": 2}]
    out = sim.summarise([{"ref": "a", "cost_pence": 100_00}, {"ref": "b", "cost_pence": 300_00}], ballots)
    a = out["lines"]["a"]
    assert a["distribution"] == {"-10": 1, "-5": 1, "0": 1, "10": 1}
    assert a["mean_percent"] == -1.25 and a["median_percent"] == -2.5
    assert (a["cut"], a["kept"], a["raised"]) == (2, 1, 1) and a["cut_share"] == 50.0
    assert a["mean_change_pence"] == -1_25 and a["median_change_pence"] == -2_50
    b = out["lines"]["b"]
    assert b["distribution"] == {"-10": 1, "0": 3} and b["median_percent"] == 0.0 and b["mean_change_pence"] == -7_50
    assert out["tax"]["distribution"] == {"0": 2, "1": 1, "2": 1} and out["tax"]["raised_share"] == 50.0
    assert sim.summarise([{"ref": "a", "cost_pence": 1}], [{"a": 5}])["tax"] is None
    with pytest.raises(CoreError):
        sim.summarise([{"ref": "a", "cost_pence": 1}], [])
