"""Counting a recommendation vote: exact thresholds, abstentions cast, unknown choices refused."""

from __future__ import annotations

import pytest

from pbapp.deliberation.counting import VoteCount, count_votes, meets_threshold
from pbapp.deliberation.models import ABSTAIN, OPPOSE, SUPPORT


@pytest.mark.parametrize(
    "support, cast, threshold, passes",
    [
        (4, 5, 80, True),
        (3, 4, 80, False),
        (8, 10, 80, True),
        (79, 100, 80, False),
        (0, 0, 50, False),
        (10, 10, 100, True),
    ],
)
def test_threshold_is_exact(support, cast, threshold, passes):
    assert meets_threshold(support, cast, threshold) is passes


def test_choices_are_counted_and_abstentions_are_cast():
    choices = [SUPPORT] * 4 + [OPPOSE] + [ABSTAIN]
    assert count_votes(choices, 66) == VoteCount(support=4, oppose=1, abstain=1, cast=6, adopted=True)
    assert count_votes(choices, 67).adopted is False  # 4 of 6 is 66.7%: an abstention counts against
    assert count_votes([], 50) == VoteCount(0, 0, 0, 0, False)


def test_an_unknown_choice_is_refused():
    with pytest.raises(ValueError, match="not a vote choice: maybe"):
        count_votes([SUPPORT, "maybe"], 50)
