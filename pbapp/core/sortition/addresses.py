"""The first stage of a civic lottery: draw the households that receive an invitation letter.

From an address list (an Ordnance Survey AddressBase extract, a council tax or electoral register
extract, as CSV with one row per address and a unique id such as the UPRN), a number of addresses
is drawn, stratified when the list gives strata (e.g. `area` and `imd_decile`): each stratum gets
its proportional share of the letters (largest remainders, ties to the larger stratum, then the
stratum's name), so an area or a deprivation decile is neither over- nor under-invited by chance.

The draw is reproducible by anyone from a public seed, without this program: an address's rank
is SHA-256 of "<seed>|<address id>" (hex), and each stratum takes its addresses of lowest rank.
Duplicate ids, empty ids and missing columns are refused with their line. Pure and deterministic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from pbapp.core.errors import InputError
from pbapp.core.sortition.pool import Source, _header, _require, _rows, read_text


@dataclass(frozen=True)
class Address:
    """One address: its id, its stratum (one value per stratum column) and every cell of its row."""

    id: str
    stratum: tuple[str, ...]
    row: dict[str, str] = field(compare=False, repr=False)
    line: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AddressDraw:
    """The drawn addresses (in rank order within each stratum) and each stratum's size and share."""

    chosen: tuple[Address, ...]
    strata: dict[tuple[str, ...], tuple[int, int]]  # stratum -> (addresses, letters)
    seed: str
    columns: tuple[str, ...]


def read_addresses(
    src: Source, *, id_column: str = "uprn", strata_columns: Sequence[str] = (), source: str = "addresses.csv"
) -> tuple[list[Address], list[str]]:
    """Read an address list; return the addresses and the file's header (for writing them out again)."""
    text = read_text(src, source)
    header = _header(text, source)
    _require(header, (id_column, *strata_columns), source)
    seen: dict[str, int] = {}
    found = []
    for line, row in _rows(text, source):
        ident = row[id_column]
        if not ident:
            raise InputError(f"empty {id_column!r}", line=line, source=source)
        if ident in seen:
            raise InputError(
                f"address {ident!r} is listed twice (first on line {seen[ident]})", line=line, source=source
            )
        seen[ident] = line
        found.append(Address(ident, tuple(row[c] for c in strata_columns), row, line=line))
    if not found:
        raise InputError("no addresses", line=1, source=source)
    return found, header


def rank(seed: str, address_id: str) -> str:
    """The public rank of an address in the draw: lower ranks are drawn first."""
    return hashlib.sha256(f"{seed}|{address_id}".encode()).hexdigest()


def shares(sizes: dict[tuple[str, ...], int], count: int) -> dict[tuple[str, ...], int]:
    """Split `count` letters between strata in proportion to their sizes (largest remainder)."""
    total = sum(sizes.values())
    exact = {s: count * n / total for s, n in sizes.items()}
    given = {s: min(sizes[s], int(x)) for s, x in exact.items()}
    order = sorted(sizes, key=lambda s: (-(exact[s] - int(exact[s])), -sizes[s], s))
    left = count - sum(given.values())
    while left > 0:
        for s in order:
            if left and given[s] < sizes[s]:
                given[s] += 1
                left -= 1
    return given


def draw_addresses(addresses: Sequence[Address], count: int, seed: str, columns: Sequence[str] = ()) -> AddressDraw:
    """Draw `count` addresses, stratified by the addresses' strata, reproducibly from `seed`."""
    if not str(seed).strip():
        raise InputError("give the public seed of the draw (e.g. the lottery numbers drawn on a stated day)")
    if not 1 <= count <= len(addresses):
        raise InputError(f"the number of letters must be from 1 to the {len(addresses)} addresses, got {count}")
    groups: dict[tuple[str, ...], list[Address]] = {}
    for address in addresses:
        groups.setdefault(address.stratum, []).append(address)
    letters = shares({s: len(m) for s, m in groups.items()}, count)
    chosen: list[Address] = []
    for stratum in sorted(groups):
        members = sorted(groups[stratum], key=lambda a: rank(seed, a.id))
        chosen += members[: letters[stratum]]
    return AddressDraw(
        tuple(chosen), {s: (len(groups[s]), letters[s]) for s in sorted(groups)}, str(seed), tuple(columns)
    )


def mail_merge_rows(result: AddressDraw, header: Sequence[str], codes: Sequence[str] = ()) -> list[list[str]]:
    """The drawn rows for a mail merge: every column of the list, the public rank, then the letter's
    registration code when codes were issued (one per drawn address, in the same order)."""
    if codes and len(codes) != len(result.chosen):
        raise ValueError("one registration code per drawn address")
    return [
        [a.row.get(c, "") for c in header] + [rank(result.seed, a.id), *([codes[n]] if codes else [])]
        for n, a in enumerate(result.chosen)
    ]
