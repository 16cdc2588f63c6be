"""How a recommendation vote is counted: support, oppose and abstain, and whether it is adopted.

Pure (no database): `close_recommendation_vote` in services.py reads the choices, counts them here
and stores the result. Change the rule here; tests/deliberation/test_counting.py checks it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from pbapp.deliberation.models import ABSTAIN, OPPOSE, SUPPORT


def meets_threshold(support: int, cast: int, threshold_percent: int) -> bool:
    """Whether `support` of `cast` votes reaches the threshold; exact integer arithmetic, no votes never passes."""
    return cast > 0 and support * 100 >= threshold_percent * cast


@dataclass(frozen=True)
class VoteCount:
    support: int
    oppose: int
    abstain: int
    # Abstentions count as cast: a recommendation needs the threshold of everyone who voted.
    cast: int
    adopted: bool


def count_votes(choices: Iterable[str], threshold_percent: int) -> VoteCount:
    """Count jurors' choices (support, oppose, abstain) against the recommendation's threshold."""
    counts = Counter(choices)
    unknown = set(counts) - {SUPPORT, OPPOSE, ABSTAIN}
    if unknown:
        raise ValueError(f"not a vote choice: {', '.join(sorted(unknown))}")
    cast = sum(counts.values())
    return VoteCount(
        counts[SUPPORT],
        counts[OPPOSE],
        counts[ABSTAIN],
        cast,
        meets_threshold(counts[SUPPORT], cast, threshold_percent),
    )
