"""The Sortition Foundation's output files: the selected panel and the remaining pool, in its layout.

Its tool (`sortition-algorithms`, `selected_remaining_tables`) writes two tables with the same
columns: the id column, the columns the organisers keep (names, contact details, addresses) and
then the features. `selected` lists the panel in the order given; `remaining` lists everyone else
in pool order, except (when one person per household may sit) the housemates of someone selected,
who can no longer be called on as replacements. Pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pbapp.core.errors import CoreError
from pbapp.core.sortition.pool import Pool


@dataclass(frozen=True)
class SelectedRemaining:
    """The two tables (header first) and how many housemates of selected people were left out of `remaining`."""

    selected: list[list[str]]
    remaining: list[list[str]]
    housemates_removed: int


def selected_remaining_tables(
    pool: Pool,
    panel: Sequence[str],
    *,
    id_column: str = "id",
    keep_columns: Sequence[str] = (),
    kept: Mapping[str, Sequence[str]] | None = None,
    exclude_housemates: bool = True,
) -> SelectedRemaining:
    """Return the selected and remaining tables of a drawn panel.

    `kept` gives, per volunteer id, the values of `keep_columns` (missing ids get empty cells).
    A feature already among `keep_columns` is not repeated. Raises `CoreError` for an id not in
    the pool or listed twice.
    """
    missing = [i for i in panel if i not in set(pool.ids)]
    if missing:
        raise CoreError(f"{missing[0]!r} is not in the pool")
    if len(set(panel)) != len(panel):
        raise CoreError("the panel lists someone twice")
    kept = kept or {}
    features = [f for f in pool.features if f not in keep_columns]
    header = [id_column, *keep_columns, *features]
    by_id = {p.id: p for p in pool.people}

    def row(ident: str) -> list[str]:
        person = by_id[ident]
        cells = list(kept.get(ident, ())) + [""] * len(keep_columns)
        return [ident, *cells[: len(keep_columns)], *(pool.value(person, f) for f in features)]

    chosen = set(panel)
    houses = {by_id[i].household for i in panel if by_id[i].household} if exclude_housemates else set()
    remaining, removed = [], 0
    for person in pool.people:
        if person.id in chosen:
            continue
        if person.household and person.household in houses:
            removed += 1
            continue
        remaining.append(row(person.id))
    return SelectedRemaining([header, *(row(i) for i in panel)], [header, *remaining], removed)
