"""Sentences the core writes in English reach the reader in their language, with the same facts."""

import ast
import re
from fractions import Fraction
from pathlib import Path

import pytest
from flask_babel import force_locale

from pbapp.core.ballots import Election, Project, Vote, tally
from pbapp.core.ballots.kinds import (
    AllocationSpec,
    ApprovalSpec,
    BallotError,
    CumulativeSpec,
    KnapsackSpec,
    OverBudget,
    RankedSpec,
)
from pbapp.core.messages import Message
from pbapp.messages import CATALOGUE, say

CORE = Path(__file__).resolve().parents[1] / "pbapp" / "core"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _core_codes():
    """Every code the core passes as Message's first argument, found by reading its source."""
    codes = set()
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Message" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant):
                    codes.add(first.value)
                elif isinstance(first, ast.IfExp):
                    codes.update(n.value for n in (first.body, first.orelse) if isinstance(n, ast.Constant))
                elif isinstance(first, ast.Name):
                    codes.update(
                        f"es.funded.{kind}{capped}" for kind in ("share", "per_point") for capped in ("", ".capped")
                    )
    return codes


def test_every_core_message_has_a_translatable_sentence():
    assert _core_codes() - set(CATALOGUE) == set()


def test_a_message_is_its_english_text_everywhere_else():
    message = Message("greedy.funded", "Funded: number 1.", rank=1, left="£5", cost="£4")
    assert message == "Funded: number 1." and f"{message}" == "Funded: number 1."
    assert "; ".join([message, message]) == "Funded: number 1.; Funded: number 1."


def test_explanations_read_in_welsh_with_their_figures(app):
    election = Election(
        meta={"budget": "1000", "currency": "£", "vote_type": "approval"},
        projects=(Project("a", 600), Project("b", 600)),
        votes=(Vote("1", ("a",)), Vote("2", ("a",)), Vote("3", ("b",))),
    )
    outcome = tally(election, "greedy")
    stored = {pid: e.to_dict() for pid, e in outcome.explanations.items()}
    with app.test_request_context(), force_locale("en"):
        assert say(stored["a"]) == stored["a"]["reason"]
    with app.test_request_context(), force_locale("cy"):
        funded, not_funded = say(stored["a"]), say(stored["b"])
    assert "£1,000" in funded and "£600" in funded and funded != stored["a"]["reason"]
    assert "£400" in not_funded and not_funded != stored["b"]["reason"]


def test_unknown_codes_and_plain_text_fall_back_to_english(app):
    with app.test_request_context(), force_locale("cy"):
        assert say({"reason": "Old result", "reason_code": "gone"}) == "Old result"
        assert say({"reason": "Stored before codes"}) == "Stored before codes"
        assert say("plain") == "plain" and say(None) == ""
        assert say(Message("greedy.funded", "English", rank=1)) == "English"  # params missing: keep the English


def test_a_refused_ballot_is_explained_in_the_readers_language(app):
    spec = KnapsackSpec({"a": 6200, "b": 6200}, 10_000)
    with pytest.raises(OverBudget) as refused:
        spec.validate(["a", "b"])
    message = refused.value.message
    with app.test_request_context(), force_locale("en"):
        assert say(message) == str(message) == "Your choices cost £12,400, which is £2,400 over the £10,000 budget."
    with app.test_request_context(), force_locale("cy"):
        welsh = say(message)
    assert welsh != str(message) and "£12,400" in welsh and "£2,400" in welsh and "£10,000" in welsh


def test_every_ballot_refusal_reads_the_same_in_english_as_the_core_wrote_it(app):
    names = {"a": "Park benches"}
    refusals = [
        (ApprovalSpec(frozenset("ab"), max_choices=1, names=names), ["a", "b"]),
        (ApprovalSpec(frozenset("ab"), min_choices=2), ["a"]),
        (ApprovalSpec(frozenset("ab"), names=names), ["a", "a"]),
        (ApprovalSpec(frozenset("ab")), ["z"]),
        (RankedSpec(frozenset("abc"), max_ranks=2), ["a", "b", "c"]),
        (RankedSpec(frozenset("abc"), max_ranks=2), []),
        (KnapsackSpec({"a": 100}, 1_000, min_share=Fraction(1, 2)), ["a"]),
        (CumulativeSpec(frozenset("ab"), total_points=10, max_per_project=5, names=names), {"a": 6}),
        (CumulativeSpec(frozenset("ab"), total_points=10), {"a": 6, "b": 6}),
        (CumulativeSpec(frozenset("ab"), total_points=10), {"a": 0.5}),
        (CumulativeSpec(frozenset("ab"), total_points=10, must_use_all=True), {"a": 1}),
        (AllocationSpec({"a": (0, 600), "b": (0, 600)}, 1_000), {"a": 700, "b": 300}),
        (AllocationSpec({"a": (0, 600), "b": (0, 600)}, 1_000), {"a": 300, "b": 300}),
        (AllocationSpec({"a": (0, 600), "b": (0, 600)}, 1_000), {"a": 600, "b": 500}),
    ]
    for spec, ballot in refusals:
        with pytest.raises(BallotError) as refused:
            spec.validate(ballot)
        message = refused.value.message
        with app.test_request_context(), force_locale("en"):
            assert say(message) == str(message), message.code
        with app.test_request_context(), force_locale("cy"):
            assert say(message) != str(message), message.code
