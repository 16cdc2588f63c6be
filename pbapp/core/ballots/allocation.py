"""Aggregate allocation ("balance the budget") ballots: the mean, and Independent Markets.

Each ballot splits the same total across budget lines, every line within its bounds.

`mean_allocation` averages the ballots line by line. It is exact (Fractions), always within
the bounds and adds up to the total (both are kept by averaging), and easy to explain, but a
voter can pull a line far towards their wish by exaggerating.

`independent_markets` is the proportional rule we chose. Reference: Freeman, Pennock, Peters,
Wortman Vaughan, "Truthful Aggregation of Budget Proposals", EC 2019 (J. Econ. Theory 2021).
Each line gets the median of the n votes and n+1 "phantom" values total x min(1, t(n-k)),
k = 0..n, with t chosen so the lines add up to the total. Reasons: it is truthful (no voter
can move a line towards their wish by misreporting), and proportional: if each group of voters
puts everything on one line, every line gets a share of the total equal to its group's share
of the voters, which the median alone cannot do and the mean does only without exaggeration.
With bounds, each line's median is clipped to its bounds; the sum still grows with t, so t is
found by bisection (float, 200 steps), and the result is rounded to the penny with the
leftover pennies given by largest remainder, so it adds up to the total exactly.
Deterministic (no lot is needed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from pbapp.core.ballots.election import Money
from pbapp.core.errors import CoreError


def mean_allocation(lines: Sequence[str], ballots: Sequence[Mapping[str, Money]]) -> dict[str, Fraction]:
    """Return the line-by-line mean of the ballots (exact)."""
    if not ballots:
        raise CoreError("There are no ballots to average.")
    n = len(ballots)
    return {line: sum((Fraction(b.get(line, 0)) for b in ballots), Fraction(0)) / n for line in lines}


def independent_markets(
    lines: Sequence[str],
    ballots: Sequence[Mapping[str, Money]],
    total: Money,
    bounds: Mapping[str, tuple[Money, Money]] | None = None,
    unit: Fraction = Fraction(1, 100),
) -> dict[str, Fraction]:
    """Return the Independent Markets allocation, rounded to `unit` (a penny) and adding up to `total`."""
    if not ballots:
        raise CoreError("There are no ballots to aggregate.")
    if (Fraction(total) / unit).denominator != 1:
        raise CoreError("The total must be a whole number of pennies.")
    n = len(ballots)
    bounds = bounds or {line: (0, total) for line in lines}
    votes = {line: sorted(float(b.get(line, 0)) for b in ballots) for line in lines}
    t_total = float(total)

    def allocate(t: float) -> dict[str, float]:
        phantoms = [t_total * min(1.0, t * (n - k)) for k in range(n + 1)]
        out = {}
        for line in lines:
            values = sorted(votes[line] + phantoms)
            lo, hi = bounds[line]
            out[line] = min(max(values[n], float(lo)), float(hi))
        return out

    low, high = 0.0, 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if sum(allocate(mid).values()) < t_total:
            low = mid
        else:
            high = mid
    return _round_to_total(allocate(high), Fraction(total), unit)


def _round_to_total(amounts: Mapping[str, float], total: Fraction, unit: Fraction) -> dict[str, Fraction]:
    """Round down to whole units, then give the missing units to the largest remainders.

    The missing units number fewer than the lines with a remainder, so no line gets more than
    one and none passes a bound that is a whole number of units.
    """
    exact = {line: Fraction(value) / unit for line, value in amounts.items()}
    units = {line: int(x) for line, x in exact.items()}
    gap = int(total / unit) - sum(units.values())
    for line in sorted(exact, key=lambda line: (-(exact[line] - units[line]), line))[: max(gap, 0)]:
        units[line] += 1
    return {line: units[line] * unit for line in amounts}
