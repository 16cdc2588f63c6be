"""Participatory budgeting ballots and counting rules: pure, seeded, documented.

`tally(election, rule)` counts an `Election` (read from a Pabulib file with `pabulib.read`, or
built with `Election.build`) by one of `RULES` and returns an `Outcome`: the projects funded in
the order chosen, the money spent, why each project was or was not funded, and the ties the
seeded lot decided. Same election, rule, utility and seed: same outcome.
"""

from __future__ import annotations

from collections.abc import Callable

from pbapp.core.ballots.election import Election, Money, Profile, Project, Vote
from pbapp.core.ballots.equal_shares import (
    UTILITIES,
    equal_shares,
    equal_shares_add1,
    equal_shares_comparison,
    equal_shares_greedy,
)
from pbapp.core.ballots.greedy import greedy
from pbapp.core.ballots.outcome import Explanation, Outcome
from pbapp.core.ballots.phragmen import phragmen
from pbapp.core.ballots.ties import TIE_BREAKS
from pbapp.core.errors import CoreError

RULES: dict[str, Callable[..., Outcome]] = {
    "greedy": lambda p, e, **k: greedy(p, **k),
    "greedy-no-skip": lambda p, e, **k: greedy(p, skip=False, rule="greedy-no-skip", **k),
    "greedy-threshold": lambda p, e, **k: greedy(p, rule="greedy-threshold", **k),
    "equalshares": lambda p, e, **k: equal_shares(p, **k),
    "equalshares/greedy": lambda p, e, **k: equal_shares_greedy(p, **k),
    "equalshares/add1": lambda p, e, **k: equal_shares_add1(p, **k),
    "equalshares/add1-comparison": lambda p, e, **k: equal_shares_comparison(p, **k),
    "phragmen": lambda p, e, **k: phragmen(p, **k),
}
USES_UTILITY = {"equalshares", "equalshares/greedy", "equalshares/add1", "equalshares/add1-comparison"}
USES_THRESHOLD = {"greedy", "greedy-no-skip", "greedy-threshold"}


def tally(
    election: Election,
    rule: str,
    *,
    utility: str = "cost",
    seed: int = 0,
    profile: Profile | None = None,
    threshold: Money | None = None,
    tie_break: str = "cost",
) -> Outcome:
    """Count an election by a rule; `profile` may pass a ready `Profile.of(election)`.

    Pabulib's conventions: every greedy rule leaves out projects below META
    `min_project_score_threshold` when the file gives one (`threshold` overrides it; 0 for
    none, as pabutools' greedy counts); `tie_break` is "cost" (cheaper first, then more
    support, then the seeded lot) or "file" (the project listed first), see `ties`.
    """
    if rule not in RULES:
        raise CoreError(f"Unknown rule {rule!r}; choose one of {', '.join(RULES)}.")
    if utility not in UTILITIES:
        raise CoreError(f"Unknown utility {utility!r}; choose cost or cardinality.")
    if tie_break not in TIE_BREAKS:
        raise CoreError(f"Unknown tie-break {tie_break!r}; choose one of {', '.join(TIE_BREAKS)}.")
    profile = profile or Profile.of(election)
    kwargs = {"seed": seed, "currency": election.meta.get("currency", ""), "tie_break": tie_break}
    if rule in USES_UTILITY:
        kwargs["utility"] = utility
    if rule in USES_THRESHOLD:
        kwargs["threshold"] = election.threshold if threshold is None else threshold
    outcome = RULES[rule](profile, election, **kwargs)
    if rule in USES_UTILITY:
        outcome.details["utility"] = utility
    if tie_break != "cost":
        outcome.details["tie_break"] = tie_break
    return outcome


__all__ = ["RULES", "Election", "Explanation", "Outcome", "Profile", "Project", "Vote", "tally"]
