"""Outcomes as JSON and money as text."""

from __future__ import annotations

from fractions import Fraction

from pbapp.core.ballots.outcome import Explanation, Outcome, money_json, money_text


def test_money_json_keeps_whole_numbers_whole():
    assert money_json(Fraction(10, 1)) == 10 and isinstance(money_json(Fraction(10, 1)), int)
    assert money_json(Fraction(201, 2)) == 100.5
    assert money_json(7) == 7
    assert money_json(3.0000000001) == 3
    assert money_json(2.25) == 2.25


def test_money_text_uses_symbols_or_codes():
    assert money_text(12400, "£") == "£12,400"
    assert money_text(Fraction(201, 2), "£") == "£100.50"
    assert money_text(5, "PLN") == "5 PLN"
    assert money_text(5) == "5"


def test_outcome_to_dict():
    outcome = Outcome("greedy", 10, ["a"], 4, {"a": Explanation(True, "Funded.", {"cost": 4})})
    assert outcome.to_dict() == {
        "rule": "greedy",
        "budget": 10,
        "spent": 4,
        "selected": ["a"],
        "explanations": {"a": {"funded": True, "reason": "Funded.", "cost": 4}},
        "ties": [],
    }
    outcome.details["utility"] = "cost"
    assert outcome.to_dict()["details"] == {"utility": "cost"}
