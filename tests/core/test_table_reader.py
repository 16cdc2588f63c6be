"""The one reader of uploaded tables: CSV in any usual dialect, .xlsx workbooks, plain refusals."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbapp.core.table_reader import TableError, read_table, sniff_delimiter

ROWS = [["id", "sex", "age"], ["P1", "Female", "16-29"], ["P2", "Male", "30-44"], ["P3", "Female; other", "45+"]]


def _csv(rows, delimiter=",", encoding="utf-8", newline="\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_any_usual_dialect_reads_as_the_same_rows(delimiter, encoding):
    table = read_table(_csv(ROWS, delimiter, encoding), "people.csv")
    assert _back(table.text) == ROWS and table.delimiter == delimiter and table.kind == "csv"


def test_a_semicolon_file_with_decimal_commas_keeps_its_cells():
    rows = [["ra_line", "gross", "income"], ["Public health", "1234,50", "0,5"]]
    assert _back(read_table(_csv(rows, ";"), "b.csv").text) == rows


def test_a_workbook_reads_its_first_sheet_as_people_see_it():
    rows = [
        ["id", "sex", "age", "joined", None],
        ["P1", "Female", 16, date(2026, 2, 11), None],
        [None] * 5,
        ["P2", "Male", 30.0, None, None],
    ]
    table = read_table(_xlsx(rows), "people.xlsx")
    assert table.kind == "xlsx"
    assert _back(table.text) == [
        ["id", "sex", "age", "joined"],
        ["P1", "Female", "16", "2026-02-11"],
        ["", "", "", ""],
        ["P2", "Male", "30", ""],
    ]


@pytest.mark.parametrize(
    "data, code",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xls"),
        (b"%PDF-1.7\n", "not_csv"),
        (b"\x89PNG\r\n\x1a\n", "not_csv"),
        (b"id,sex\0\0\0", "not_csv"),
        (b"PK\x03\x04 broken zip", "bad_xlsx"),
        ("id,sex\nP1,Fémale\n".encode("cp1252"), "not_utf8"),
    ],
)
def test_what_is_not_a_table_is_refused_plainly(data, code):
    with pytest.raises(TableError) as caught:
        read_table(data, "people.csv")
    assert caught.value.code == code and caught.value.source == "people.csv"


def test_another_kind_of_zip_is_not_a_csv_file():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")
    with pytest.raises(TableError, match="not a CSV file") as caught:
        read_table(out.getvalue(), "people.ods")
    assert caught.value.code == "not_csv"


def test_a_file_not_in_utf8_names_its_line():
    with pytest.raises(TableError) as caught:
        read_table("id,sex\nP1,Female\nP2,Fémale\n".encode("cp1252"), "people.csv")
    assert caught.value.line == 3 and caught.value.params == {"byte": "0xe9"}


@pytest.mark.parametrize(
    "text, delimiter",
    [
        ("id\nP1\n", ","),
        ("", ","),
        ("a;b;c\n1;2;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a,b\n1,2\n", ","),
        ('name,note\n"Smith; J","a;b;c"\n', ","),
        ("a;b\n", ";"),
    ],
)
def test_sniff_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n"), max_size=8)


@given(st.sampled_from([",", ";", "\t"]), st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=6))
def test_rows_written_in_any_dialect_read_back_the_same(delimiter, body):
    rows = [["id", "sex", "age"], *body]
    assert _back(read_table(_csv(rows, delimiter), "p.csv").text) == [r for r in rows]
