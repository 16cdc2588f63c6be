"""The public entry point: every rule, by name."""

from __future__ import annotations

import pytest

from pbapp.core.ballots import RULES, tally
from pbapp.core.errors import CoreError


@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_counts_and_explains_every_project(tiny, rule):
    outcome = tally(tiny, rule)
    assert outcome.rule == rule
    assert outcome.spent <= tiny.budget
    assert set(outcome.explanations) == {p.id for p in tiny.projects}
    assert all(outcome.explanations[pid].funded for pid in outcome.selected)


def test_utility_is_recorded_for_equal_shares_only(tiny):
    assert tally(tiny, "equalshares", utility="cardinality").details["utility"] == "cardinality"
    assert "utility" not in tally(tiny, "greedy").details


def test_unknown_rule_or_utility(tiny):
    with pytest.raises(CoreError, match="Unknown rule"):
        tally(tiny, "borda")
    with pytest.raises(CoreError, match="Unknown utility"):
        tally(tiny, "equalshares", utility="joy")
