"""Read the ONS reference files a council imports: ward codes, and a Postcode Directory extract.

Each reader takes the file's text and returns rows and line-numbered problems; nothing is saved
here. Line numbers count the header as line 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from pbapp.core import postcodes

GSS_CODE = re.compile(r"^[EWSN]\d{8}$")
MAX_ROWS = 100_000
# ONS files name their columns by year (WD24CD, LAD24CD ...); any year is accepted.
_WARD_CODE, _WARD_NAME, _LAD_CODE = re.compile(r"^WD\d\dCD$"), re.compile(r"^WD\d\dNM$"), re.compile(r"^LAD\d\dCD$")
_WARD_NAME_CY = re.compile(r"^WD\d\dNMW$")


@dataclass
class Problem:
    line: int
    message: str
    where: str = ""  # in place of "Line N" where a file's parts are not lines (a GeoJSON feature)


@dataclass
class WardRow:
    code: str
    name: str
    name_cy: str = ""


@dataclass
class PostcodeRow:
    postcode: str  # compact, upper case
    ward_code: str


@dataclass
class Reading:
    """What a file holds for this council, what it holds for others, and what is wrong in it."""

    rows: list = field(default_factory=list)
    other_councils: int = 0
    problems: list[Problem] = field(default_factory=list)


def _reader(text: str) -> tuple[csv.DictReader | None, list[str], Problem | None]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        return None, [], Problem(1, _("The file is empty."))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    return reader, header, None


def _column(header: list[str], pattern: re.Pattern | str) -> str | None:
    for name in header:
        if pattern.match(name.upper()) if isinstance(pattern, re.Pattern) else name.lower() == pattern:
            return name
    return None


def _missing(names: list[str]) -> Problem:
    return Problem(1, _("The first line must name the columns %(columns)s.", columns=", ".join(names)))


def _rows(reader: csv.DictReader, reading: Reading):
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            reading.problems.append(Problem(number, _("The file has more than %(count)d rows.", count=MAX_ROWS)))
            return
        if None in row:
            reading.problems.append(Problem(number, _("This line has more values than the header has columns.")))
            continue
        yield number, {k: (v or "").strip() for k, v in row.items()}


def read_wards(text: str, council_code: str) -> Reading:
    """Wards of the council with GSS code `council_code` from an ONS ward-to-authority lookup."""
    reading = Reading()
    reader, header, problem = _reader(text)
    if problem:
        reading.problems.append(problem)
        return reading
    code, name, lad = (_column(header, p) for p in (_WARD_CODE, _WARD_NAME, _LAD_CODE))
    if not (code and name and lad):
        reading.problems.append(_missing(["WD24CD", "WD24NM", "LAD24CD"]))
        return reading
    name_cy = _column(header, _WARD_NAME_CY)
    seen: dict[str, int] = {}
    names: dict[str, int] = {}
    for number, row in _rows(reader, reading):
        if not GSS_CODE.match(row[lad]):
            reading.problems.append(Problem(number, _("“%(value)s” is not a GSS code like E06000008.", value=row[lad])))
            continue
        if row[lad] != council_code:
            reading.other_councils += 1
            continue
        if not GSS_CODE.match(row[code]):
            reading.problems.append(
                Problem(number, _("“%(value)s” is not a GSS code like E05011086.", value=row[code]))
            )
        elif not row[name] or len(row[name]) > 120:
            reading.problems.append(Problem(number, _("Give the ward a name of at most 120 characters.")))
        elif row[code] in seen:
            reading.problems.append(
                Problem(number, _("Ward %(code)s is already on line %(line)d.", code=row[code], line=seen[row[code]]))
            )
        elif row[name].casefold() in names:
            reading.problems.append(
                Problem(
                    number,
                    _(
                        "A ward named %(name)s is already on line %(line)d.",
                        name=row[name],
                        line=names[row[name].casefold()],
                    ),
                )
            )
        else:
            seen[row[code]] = names[row[name].casefold()] = number
            reading.rows.append(WardRow(row[code], row[name], (row.get(name_cy) or "")[:120] if name_cy else ""))
    if not reading.rows and not reading.problems:
        reading.problems.append(Problem(1, _("No line of the file is for %(code)s.", code=council_code)))
    return reading


def read_postcodes(text: str, council_code: str, ward_codes: set[str]) -> Reading:
    """Live postcodes of the council from an ONS Postcode Directory extract (pcds, osward, lad...)."""
    reading = Reading()
    reader, header, problem = _reader(text)
    if problem:
        reading.problems.append(problem)
        return reading
    postcode, ward = _column(header, "pcds"), _column(header, "osward")
    lad = _column(header, "lad") or _column(header, "oslaua")
    if not (postcode and ward and lad):
        reading.problems.append(_missing(["pcds", "osward", "lad"]))
        return reading
    terminated = _column(header, "doterm")
    seen: dict[str, int] = {}
    for number, row in _rows(reader, reading):
        if terminated and row[terminated]:
            continue  # a postcode no longer in use
        if row[lad] != council_code:
            reading.other_councils += 1
            continue
        compact = postcodes.compact(row[postcode])
        if not postcodes.is_postcode(compact):
            reading.problems.append(Problem(number, _("“%(value)s” is not a postcode.", value=row[postcode])))
        elif row[ward] not in ward_codes:
            reading.problems.append(
                Problem(
                    number,
                    _("Ward %(code)s is not one of this council’s wards. Import the wards first.", code=row[ward]),
                )
            )
        elif compact in seen:
            reading.problems.append(
                Problem(
                    number,
                    _("Postcode %(postcode)s is already on line %(line)d.", postcode=row[postcode], line=seen[compact]),
                )
            )
        else:
            seen[compact] = number
            reading.rows.append(PostcodeRow(compact, row[ward]))
    if not reading.rows and not reading.problems:
        reading.problems.append(Problem(1, _("No live postcode in the file is in %(code)s.", code=council_code)))
    return reading
