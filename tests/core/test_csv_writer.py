"""The one CSV writer: formulas neutralised (OWASP CSV injection), whole numbers only, RFC 4180 text."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbapp.core import csv_writer
from pbapp.core.csv_writer import cell, write_csv


@pytest.mark.parametrize(
    "value, numeric, expected",
    [
        ("=SUM(A1)", False, "'=SUM(A1)"),
        ("+1", False, "'+1"),
        ("-2", False, "'-2"),
        ("@cmd", False, "'@cmd"),
        ("\tx", False, "'\tx"),
        ("\rx", False, "'\rx"),
        ("-2", True, "-2"),
        ("-2.5", True, "-2.5"),
        ("-2+3", True, "'-2+3"),
        ("=1", True, "'=1"),
        (None, False, ""),
        (12, True, "12"),
        (-12, False, "-12"),
        ("Libraries", False, "Libraries"),
        (True, False, "yes"),
        (False, False, "no"),
        (date(2026, 2, 11), False, "2026-02-11"),
        (datetime(2026, 2, 11, 9, 30, tzinfo=timezone.utc), False, "2026-02-11T09:30:00+00:00"),
        ('=HYPERLINK("http://x.example","go")', False, '\'=HYPERLINK("http://x.example","go")'),
    ],
)
def test_cell(value, numeric, expected):
    assert cell(value, numeric=numeric) == expected


def test_a_float_is_refused_because_counts_are_whole_and_money_is_pence():
    with pytest.raises(TypeError, match="float"):
        cell(2.0)


def test_write_csv_quotes_and_ends_lines():
    text = write_csv(["name", "amount"], [["Parks, play", -500], ["=1+1", 3]], numeric=["amount"])
    assert text == 'name,amount\r\n"Parks, play",-500\r\n\'=1+1,3\r\n'
    assert write_csv(["a"], [["x"]], lineterminator=csv_writer.LF) == "a\nx\n"


def test_a_row_of_the_wrong_length_is_a_bug():
    with pytest.raises(ValueError, match="2 cells"):
        write_csv(["a"], [["x", "y"]])


@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=5))
def test_any_text_reads_back_safe_and_unchanged_after_its_prefix(rows):
    text = write_csv(["a", "b"], rows)
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back[0] == ["a", "b"] and len(back) == len(rows) + 1
    for written, original in zip(back[1:], rows, strict=True):
        for got, want in zip(written, original, strict=True):
            assert not got.startswith(csv_writer.FORMULA_STARTS)
            assert got == want or (got == "'" + want and want.startswith(csv_writer.FORMULA_STARTS))


def test_an_interchange_file_keeps_text_exactly_but_still_refuses_floats():
    assert write_csv(["value", "min"], [["@", 0], ["-", 1]], interchange=True) == "value,min\r\n@,0\r\n-,1\r\n"
    with pytest.raises(TypeError):
        write_csv(["value"], [[0.5]], interchange=True)
