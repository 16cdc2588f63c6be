"""The pool of volunteers and the quotas of a selection, with readers for its files.

Two layouts are read, both validated with the file name and line number of the first fault:

* the shared instance format (`features.csv` with `feature,value,min,max`, `people.csv` with
  `id,<features>[,household]`, `instance.json` with `panel_size`), matched case-sensitively;
* the Sortition Foundation's spreadsheet layout (categories with `feature,value,min,max` or
  `category,name,min,max`, optional `min_flex,max_flex`; respondents with an id column, one
  column per feature, optional address columns and any other columns, which are ignored),
  matched case-insensitively and ignoring surrounding spaces, as its own tool does.

Every reader takes a `pathlib.Path` (or other `os.PathLike`) to read a file, `bytes` for an
uploaded file, or `str` holding the text itself. A UTF-8 byte-order mark is dropped; bytes that
are not UTF-8 give an `InputError` naming the line. Reading is deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pbapp.core.errors import CoreError, InputError, NotUtf8, utf8_text

Source = str | bytes | os.PathLike

HOUSEHOLD = "household"


@dataclass(frozen=True)
class Quota:
    """Bounds on how many panel members may have `value` for `feature`."""

    feature: str
    value: str
    min: int
    max: int
    line: int | None = field(default=None, compare=False, repr=False)
    # The Sortition Foundation's flexible bounds: how far a relaxation may lower the minimum or raise
    # the maximum when no panel meets the quotas (None: not given, so 0 and any maximum).
    min_flex: int | None = None
    max_flex: int | None = None


@dataclass(frozen=True)
class Person:
    """A volunteer: an id, one value per feature (in the pool's feature order), a household."""

    id: str
    values: tuple[str, ...]
    household: str | None = None
    line: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Pool:
    """Volunteers, quotas and the panel size; construction checks that they fit together.

    Invariants: ids are unique; every person has a value listed in the quotas for each
    feature; 1 <= panel_size <= number of people. Quotas that cannot add up to the panel
    size (a feature's minimums summing to more, or its maximums to less) are a valid pool
    with no panel: `check_feasibility` reports the smallest relaxation, as for any other
    infeasible quotas.
    """

    panel_size: int
    features: tuple[str, ...]
    quotas: tuple[Quota, ...]
    people: tuple[Person, ...]
    name: str = ""
    sources: tuple[str, str, str] = field(default=("features", "people", "panel size"), compare=False, repr=False)

    def __post_init__(self) -> None:
        _check_pool(self)

    @property
    def size(self) -> int:
        """Return the number of volunteers."""
        return len(self.people)

    @property
    def ids(self) -> tuple[str, ...]:
        """Return the volunteers' ids in pool order."""
        return tuple(p.id for p in self.people)

    @property
    def has_households(self) -> bool:
        """Return whether any two volunteers share a household."""
        return any(len(m) > 1 for m in self.households().values())

    def value(self, person: Person, feature: str) -> str:
        """Return `person`'s value for `feature`."""
        return person.values[self.features.index(feature)]

    def members(self, quota: Quota) -> list[int]:
        """Return the pool indices of the volunteers that count towards `quota`."""
        f = self.features.index(quota.feature)
        return [i for i, p in enumerate(self.people) if p.values[f] == quota.value]

    def indices(self, ids: Iterable[str]) -> set[int]:
        """Return the pool indices of `ids`, raising `CoreError` for an id not in the pool."""
        pos = {p.id: i for i, p in enumerate(self.people)}
        missing = sorted(set(ids) - pos.keys())
        if missing:
            raise CoreError(f"{missing[0]!r} is not in the pool")
        return {pos[i] for i in ids}

    def households(self) -> dict[str, list[int]]:
        """Return pool indices grouped by non-empty household, in order of first appearance."""
        groups: dict[str, list[int]] = {}
        for i, p in enumerate(self.people):
            if p.household:
                groups.setdefault(p.household, []).append(i)
        return groups


def _check_pool(pool: Pool) -> None:
    fsrc, psrc, ksrc = pool.sources
    if not pool.features:
        raise InputError("no features (quota rows) given", source=fsrc)
    known: dict[str, dict[str, Quota]] = {f: {} for f in pool.features}
    for q in pool.quotas:
        if q.feature not in known:
            raise InputError(f"quota for unknown feature {q.feature!r}", line=q.line, source=fsrc)
        if q.value in known[q.feature]:
            raise InputError(f"{q.feature} {q.value!r} is listed twice", line=q.line, source=fsrc)
        if q.min < 0 or q.max < q.min:
            raise InputError(
                f"{q.feature} {q.value!r}: need 0 <= min <= max, got min {q.min} and max {q.max}",
                line=q.line,
                source=fsrc,
            )
        _check_flex(q, fsrc)
        known[q.feature][q.value] = q
    k = pool.panel_size
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"panel size must be a whole number of at least 1, got {k!r}", source=ksrc)
    for f, values in known.items():
        if not values:
            raise InputError(f"feature {f!r} has no values", source=fsrc)
    seen: dict[str, Person] = {}
    for p in pool.people:
        if not p.id:
            raise InputError("a volunteer has an empty id", line=p.line, source=psrc)
        if p.id in seen:
            where = f" (first on line {seen[p.id].line})" if seen[p.id].line else ""
            raise InputError(f"duplicate id {p.id!r}{where}", line=p.line, source=psrc)
        seen[p.id] = p
        if len(p.values) != len(pool.features):
            raise InputError(
                f"{p.id!r} has {len(p.values)} feature values, expected {len(pool.features)}",
                line=p.line,
                source=psrc,
            )
        for f, v in zip(pool.features, p.values, strict=True):
            if v not in known[f]:
                allowed = ", ".join(repr(x) for x in known[f])
                raise InputError(f"unknown value {v!r} for {f!r} (expected one of {allowed})", line=p.line, source=psrc)
    if k > len(pool.people):
        raise InputError(f"panel size {k} is larger than the pool ({len(pool.people)} people)", source=ksrc)


def _check_flex(q: Quota, source: str) -> None:
    """Flexible bounds lie outside the quota, as the Sortition Foundation's tool requires."""
    if q.min_flex is not None and not 0 <= q.min_flex <= q.min:
        raise InputError(
            f"{q.feature} {q.value!r}: min_flex must be from 0 to the min ({q.min}), got {q.min_flex}",
            line=q.line,
            source=source,
        )
    if q.max_flex is not None and q.max_flex < q.max:
        raise InputError(
            f"{q.feature} {q.value!r}: max_flex must be at least the max ({q.max}), got {q.max_flex}",
            line=q.line,
            source=source,
        )


def read_text(src: Source, source: str) -> str:
    """Return the text of `src`: a path is read, bytes are decoded, a str is the text itself."""
    if isinstance(src, os.PathLike):
        try:
            raw = Path(src).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read file ({exc.strerror})", source=source) from exc
    elif isinstance(src, bytes):
        raw = src
    else:
        return src.removeprefix("\ufeff")
    try:
        return utf8_text(raw)
    except NotUtf8 as exc:
        raise InputError(
            f"file is not UTF-8 text (byte 0x{exc.byte:02x}); save it as CSV UTF-8 and upload it again",
            line=exc.line,
            source=source,
        ) from exc


def _rows(text: str, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each non-blank data row, keyed by stripped header names."""
    # strict: a stray quote is an error to report, not something to guess around.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise InputError(
                    f"{len(row)} fields but the header has {len(header)} columns", line=reader.line_num, source=source
                )
            cells = [c.strip() for c in row] + [""] * (len(header) - len(row))
            yield reader.line_num, dict(zip(header, cells, strict=True))
    except csv.Error as exc:
        raise InputError(f"not valid CSV ({exc})", line=reader.line_num, source=source) from exc


def _header(text: str, source: str) -> list[str]:
    """Return the stripped header cells, checking that there is a header without repeats."""
    first = next(csv.reader(io.StringIO(text, newline="")), None)
    if first is None:
        raise InputError("the file is empty", line=1, source=source)
    header = [h.strip() for h in first]
    for h in header:
        if header.count(h) > 1:
            raise InputError(f"column {h!r} appears twice in the header", line=1, source=source)
    return header


def _require(header: Sequence[str], columns: Iterable[str], source: str) -> None:
    for col in columns:
        if col not in header:
            raise InputError(f"missing column {col!r}", line=1, source=source)


def _int(cell: str, what: str, line: int, source: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise InputError(f"{what} must be a whole number, got {cell!r}", line=line, source=source) from None


FLEX_COLUMNS = ("min_flex", "max_flex")


def read_features(src: Source, *, source: str = "features.csv") -> list[Quota]:
    """Read quota rows `feature,value,min,max` (shared format), with `min_flex,max_flex` if given.

    The flexible columns come as a pair, as in the Sortition Foundation's features files, and
    every row then fills both; other columns are ignored.
    """
    return _read_quotas(src, source, ("feature", "value"))


def _read_quotas(src: Source, source: str, names: tuple[str, str]) -> list[Quota]:
    text = read_text(src, source)
    header = _header(text, source)
    fcol, vcol = names
    _require(header, (fcol, vcol, "min", "max"), source)
    flex = any(c in header for c in FLEX_COLUMNS)
    if flex:
        _require(header, FLEX_COLUMNS, source)
    quotas = []
    for line, row in _rows(text, source):
        if not row[fcol]:
            raise InputError(f"empty {fcol!r}", line=line, source=source)
        lo = _int(row["min"], "min", line, source)
        hi = _int(row["max"], "max", line, source)
        lo_flex = _int(row["min_flex"], "min_flex", line, source) if flex else None
        hi_flex = _int(row["max_flex"], "max_flex", line, source) if flex else None
        quotas.append(Quota(row[fcol], row[vcol], lo, hi, line=line, min_flex=lo_flex, max_flex=hi_flex))
    if not quotas:
        raise InputError("no quota rows", line=1, source=source)
    return quotas


def _features_of(quotas: Iterable[Quota]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(q.feature for q in quotas))


def read_people(
    src: Source,
    features: Sequence[str],
    *,
    source: str = "people.csv",
    id_column: str = "id",
    household_columns: Sequence[str] = (HOUSEHOLD,),
    canonical: dict[str, dict[str, str]] | None = None,
) -> list[Person]:
    """Read one row per volunteer: an id, a value per feature and, if present, a household.

    `household_columns` that are all present in the header form the household key (empty
    cells mean a household of one). With `canonical` (feature -> folded value -> quota's
    spelling) values are matched case-insensitively and rewritten to the quota's spelling.
    """
    text = read_text(src, source)
    header = _header(text, source)
    _require(header, (id_column, *features), source)
    hcols = [c for c in household_columns if c in header]
    if len(hcols) != len(household_columns):
        hcols = []
    people = []
    for line, row in _rows(text, source):
        values = tuple(row[f] for f in features)
        if canonical is not None:
            values = tuple(canonical[f].get(_fold(v), v) for f, v in zip(features, values, strict=True))
        key = "\x1f".join(_fold(row[c]) if canonical is not None else row[c] for c in hcols)
        household = key if key.strip("\x1f") else None
        people.append(Person(row[id_column], values, household, line=line))
    return people


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


def read_panel_size(src: Source, *, source: str = "instance.json") -> int:
    """Read `panel_size` from an instance.json."""
    text = read_text(src, source)
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", line=exc.lineno, source=source) from None
    if not isinstance(meta, dict) or "panel_size" not in meta:
        raise InputError("missing 'panel_size'", source=source)
    k = meta["panel_size"]
    if isinstance(k, bool) or not isinstance(k, int):
        raise InputError(f"'panel_size' must be a whole number, got {k!r}", source=source)
    return k


def parse_pool(
    features: Source, people: Source, panel_size: int, *, name: str = "", sources: tuple[str, str] | None = None
) -> Pool:
    """Build a pool from features.csv and people.csv content in the shared format."""
    fsrc, psrc = sources or ("features.csv", "people.csv")
    quotas = read_features(features, source=fsrc)
    feats = _features_of(quotas)
    persons = read_people(people, feats, source=psrc)
    return Pool(panel_size, feats, tuple(quotas), tuple(persons), name=name, sources=(fsrc, psrc, "panel size"))


def read_pool(directory: str | os.PathLike) -> Pool:
    """Read an instance directory in the shared format (features.csv, people.csv, instance.json)."""
    d = Path(directory)
    if not d.is_dir():
        raise InputError("not a directory", source=str(d))
    ksrc = str(d / "instance.json")
    k = read_panel_size(d / "instance.json", source=ksrc)
    fsrc, psrc = str(d / "features.csv"), str(d / "people.csv")
    quotas = read_features(d / "features.csv", source=fsrc)
    feats = _features_of(quotas)
    persons = read_people(d / "people.csv", feats, source=psrc)
    return Pool(k, feats, tuple(quotas), tuple(persons), name=d.name, sources=(fsrc, psrc, ksrc))


def read_sortition_foundation(
    categories: Source,
    respondents: Source,
    panel_size: int,
    *,
    id_column: str | None = None,
    address_columns: Sequence[str] = (),
    name: str = "",
    sources: tuple[str, str] = ("categories.csv", "respondents.csv"),
) -> Pool:
    """Build a pool from the Sortition Foundation's categories and respondents CSVs.

    The id column is `id_column`, else the first of `id`, `nationbuilder_id`, `unique_id`
    present. People sharing all `address_columns` (compared ignoring case and spacing) form a
    household. Values are matched ignoring case and surrounding spaces, as the Foundation's
    tool does, and stored in the spelling of the categories file.
    """
    csrc, rsrc = sources
    ctext = read_text(categories, csrc)
    cheader = _header(ctext, csrc)
    names = ("category", "name") if "category" in cheader and "feature" not in cheader else ("feature", "value")
    quotas = _read_quotas(ctext, csrc, names)
    feats = _features_of(quotas)
    canonical: dict[str, dict[str, str]] = {f: {} for f in feats}
    for q in quotas:
        canonical[q.feature].setdefault(_fold(q.value), q.value)
    rtext = read_text(respondents, rsrc)
    if id_column is None:
        rheader = _header(rtext, rsrc)
        id_column = next((c for c in ("id", "nationbuilder_id", "unique_id") if c in rheader), "id")
    if address_columns:
        _require(_header(rtext, rsrc), address_columns, rsrc)
    persons = read_people(
        rtext, feats, source=rsrc, id_column=id_column, household_columns=tuple(address_columns), canonical=canonical
    )
    return Pool(panel_size, feats, tuple(quotas), tuple(persons), name=name, sources=(csrc, rsrc, "panel size"))
