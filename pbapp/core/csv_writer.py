"""The one CSV writer of every export (and the workbook of upload templates): cells safe to open in a spreadsheet, whole numbers, plain text.

Reference: OWASP, "CSV Injection". A text cell starting with = + - @, a tab or a carriage return is
prefixed with a single quote, so a spreadsheet shows it as text instead of running it as a formula
(`=HYPERLINK(...)`, `=cmd|...`). Whole numbers (int) are written as they are, so a negative count or
amount stays a number. Floats are refused: counts are integers and money is integer pence
(pbapp.core.money), so a float reaching an export is a bug, not a value to print. Dates are ISO 8601,
booleans `yes`/`no`, None an empty cell. Deterministic; RFC 4180 quoting, UTF-8.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import openpyxl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?")
CRLF, LF = "\r\n", "\n"


def cell(value: object, *, numeric: bool = False) -> str:
    """Return one cell's text, neutralised so a spreadsheet cannot run it as a formula.

    In a numeric column a plain negative number given as text (like "-12.50") is left as it is.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise TypeError(f"a float ({value!r}) cannot be written to a CSV export; use an integer")
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if numeric and _PLAIN_NEGATIVE_NUMBER.fullmatch(text):
        return text
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Iterable[str] = (),
    lineterminator: str = CRLF,
    interchange: bool = False,
) -> str:
    """Return the header and rows as CSV text, every cell through `cell`.

    `numeric` names the columns whose text may be a plain negative number. `interchange` is for
    files that a program reads back to the same data (the shared pool format of `pbapp select`):
    text is written exactly, since a quote added to "-" or "@" would change the data; whole numbers,
    dates and the refusal of floats are as for any other file.
    """
    numbers = set(numeric)
    flags = [name in numbers for name in header]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([_cell(name, False, interchange) for name in header])
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row has {len(row)} cells but the header has {len(header)}")
        writer.writerow([_cell(value, flag, interchange) for value, flag in zip(row, flags, strict=True)])
    return out.getvalue()


def _cell(value: object, numeric: bool, interchange: bool) -> str:
    if interchange and isinstance(value, str):
        return value
    return cell(value, numeric=numeric)


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str = "Sheet1") -> bytes:
    """Return the header and rows as an Excel workbook (.xlsx): whole numbers as numbers, all else as text.

    Text goes through `cell` and is stored as a string cell, so a workbook never holds a formula.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in [header, *rows]:
        sheet.append(
            [value if isinstance(value, int) and not isinstance(value, bool) else cell(value) for value in row]
        )
    for line in sheet.iter_rows():
        for item in line:
            if isinstance(item.value, str):
                item.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
