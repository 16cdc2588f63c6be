"""The one reader of uploaded tables: CSV in any usual dialect, or an Excel workbook (.xlsx).

Every upload of rows (volunteers and quotas, a budget book) comes through `read_table`, so each
takes the same files and refuses the same way:
* the kind of file is judged by its bytes: an .xlsx workbook (a zip holding xl/workbook.xml) is read
  with openpyxl (first sheet, values not formulas); an old .xls, another zip (.ods, .docx), a PDF or
  an image is refused as "not a CSV file";
* text may be UTF-8 (with or without the byte-order mark Excel writes) or UTF-16 with its mark;
  anything else is refused with the line of the first byte that is not UTF-8;
* the delimiter is found from the first lines (comma, semicolon or tab: Excel writes semicolons
  where the comma is the decimal mark), by csv.Sniffer and, where it cannot tell, by the most
  frequent of the three in the header line.
The result is comma-separated text with one physical line per row of the upload, so the readers
downstream report line numbers that point at the row the person sees in their spreadsheet.
Deterministic; reads at most MAX_BYTES.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import openpyxl

from pbapp.core.errors import InputError, NotUtf8, utf8_text

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
MAX_ERRORS = 50
_SAMPLE = 64 * 1024
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_NOT_TEXT = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF")


class TableError(InputError):
    """An upload that cannot be read as a table; `code` and `params` let the web layer word it in any language."""

    def __init__(self, code: str, message: str, *, source: str, line: int | None = None, **params: object):
        super().__init__(message, line=line, source=source)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Table:
    """An upload as comma-separated text, with what it was read from."""

    text: str
    kind: str  # "csv" or "xlsx"
    delimiter: str  # as found in the upload; "," for a workbook
    encoding: str


def read_table(data: bytes, source: str) -> Table:
    """Return the upload as comma-separated text, or raise InputError saying why it cannot be read."""
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, source)
    if data.startswith(_XLS_MAGIC):
        raise TableError(
            "xls",
            "this is an old Excel workbook (.xls), not a CSV file; save it as CSV UTF-8 "
            "or as an .xlsx workbook and upload it again",
            source=source,
        )
    if data.startswith(_NOT_TEXT):
        raise _not_csv(source)
    text, encoding = decode(data, source)
    if "\x00" in text:
        raise _not_csv(source)
    delimiter = sniff_delimiter(text)
    if delimiter == ",":
        return Table(_one_newline(text), "csv", delimiter, encoding)
    return Table(_recomma(text, delimiter, source), "csv", delimiter, encoding)


def _not_csv(source: str) -> TableError:
    return TableError(
        "not_csv",
        "this is not a CSV file; save the table as CSV UTF-8 or as an .xlsx workbook and upload it again",
        source=source,
    )


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Return (text, encoding name): UTF-8 (BOM dropped) or UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise _not_csv(source) from None
    try:
        return utf8_text(data), "UTF-8"
    except NotUtf8 as exc:
        raise TableError(
            "not_utf8",
            f"file is not UTF-8 text (byte 0x{exc.byte:02x}); save it as CSV UTF-8 and upload it again",
            line=exc.line,
            source=source,
            byte=f"0x{exc.byte:02x}",
        ) from None


def sniff_delimiter(text: str) -> str:
    """Return the delimiter of CSV text: comma, semicolon or tab (comma when there is nothing to tell)."""
    sample = text[:_SAMPLE]
    header = sample.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    try:
        found = csv.Sniffer().sniff(sample if "\n" in sample else sample + "\n", delimiters="".join(DELIMITERS))
        if found.delimiter in DELIMITERS and (counts[found.delimiter] or not any(counts.values())):
            return found.delimiter
    except csv.Error:
        pass
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _one_newline(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _recomma(text: str, delimiter: str, source: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            writer.writerow(row)
    except csv.Error as exc:
        raise TableError("bad_csv", f"not valid CSV ({exc})", source=source, error=str(exc)) from exc
    return out.getvalue()


def _read_xlsx(data: bytes, source: str) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_workbook = "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile as exc:
        raise TableError(
            "bad_xlsx", "this workbook is damaged or incomplete; save it again and upload the copy", source=source
        ) from exc
    if not is_workbook:
        raise _not_csv(source)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, zip and XML errors)
        raise TableError(
            "bad_xlsx", "this workbook is damaged or incomplete; save it again and upload the copy", source=source
        ) from exc
    try:
        sheet = book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in sheet.iter_rows(values_only=True):
            writer.writerow([_cell_text(value) for value in row])
    finally:
        book.close()
    return Table(_trim_columns(out.getvalue()), "xlsx", ",", "xlsx")


def _cell_text(value: object) -> str:
    """Return a workbook cell as the text a person sees: 12 not 12.0, dates as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value).replace("\r\n", " ").replace("\n", " ")


def _trim_columns(text: str) -> str:
    """Drop the empty columns a workbook pads its rows with on the right."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    width = max((max((i + 1 for i, c in enumerate(row) if c.strip()), default=0) for row in rows), default=0)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(row[:width] for row in rows)
    return out.getvalue()
