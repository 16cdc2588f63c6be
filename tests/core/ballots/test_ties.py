"""The documented tie order: lower cost, more support, then a seeded lot."""

from __future__ import annotations

from pbapp.core.ballots.ties import TieReport, decided_by, lot_ranks, tie_order


def test_lot_is_a_seeded_permutation():
    ranks = lot_ranks(["b", "a", "c"], seed=0)
    assert sorted(ranks.values()) == [0, 1, 2]
    assert ranks == lot_ranks(["c", "b", "a"], seed=0)
    assert any(lot_ranks("abcdef", seed=s) != lot_ranks("abcdef", seed=0) for s in range(1, 5))


def test_order_is_cost_then_support_then_lot():
    ids, costs, support = ["x", "y", "z"], [5, 3, 5], [1, 1, 2]
    assert tie_order(ids, costs, support) == [1, 2, 0]
    assert decided_by([1, 2, 0], costs, support) == "lower cost"
    assert decided_by([2, 0], costs, support) == "more support"
    assert decided_by([0, 2], [5, 5, 5], [1, 1, 1]) == "lot"


def test_report_is_json_ready():
    report = TieReport("round 1", ("a", "b"), "a", "lot")
    assert report.to_dict() == {"step": "round 1", "tied": ["a", "b"], "chosen": "a", "decided_by": "lot"}
