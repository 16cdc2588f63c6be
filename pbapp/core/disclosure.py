"""Statistical disclosure control for small counts: which cells of a published table to hide.

Counts of who took part are published beside the census. A cell with fewer than `threshold`
people could point at somebody, so it is hidden ("primary suppression"). If only one cell of a
table were hidden, anyone could work it out from the total and the other cells, so the smallest
shown cell is hidden too ("secondary suppression"). Zero is shown: it points at nobody.
Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping

THRESHOLD = 10


def hidden_cells(counts: Mapping[str, int], threshold: int = THRESHOLD) -> set[str]:
    """Return the keys whose counts must not be published.

    A table whose whole total is under the threshold is hidden entirely, since its total alone
    would describe fewer people than the threshold allows.
    """
    if sum(counts.values()) < threshold:
        return {key for key, n in counts.items() if n > 0}
    hidden = {key for key, n in counts.items() if 0 < n < threshold}
    if len(hidden) == 1:
        shown = sorted((n, key) for key, n in counts.items() if key not in hidden and n > 0)
        if shown:
            hidden.add(shown[0][1])
    return hidden


def publishable(counts: Mapping[str, int], threshold: int = THRESHOLD) -> dict[str, int | None]:
    """Return the counts with every cell that must be hidden replaced by None, in the same order."""
    hidden = hidden_cells(counts, threshold)
    return {key: (None if key in hidden else n) for key, n in counts.items()}
