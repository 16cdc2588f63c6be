"""Reading a body's budget file and apportioning its lines to outcome areas (pure core)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbapp.core import places


def _errors(text: str, **kwargs) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in places.parse_body_budget(text, **kwargs).errors]


def test_a_clean_file_reads_every_line_in_pence_and_reconciles_to_its_total():
    parsed = places.parse_body_budget(
        '\ufeffService_Line,Amount,Devolved\nPolicing,"1,000.50",10\nFire,(20),\n,,\n Total ,980.50,\n'
    )
    assert parsed.clean
    assert parsed.lines == [places.BodyLine("Policing", 100_050, 1000), places.BodyLine("Fire", -2000, 0)]
    assert (parsed.total, parsed.devolved, parsed.stated_total) == (98_050, 1000, 98_050)


def test_thousands_multiply_amounts():
    parsed = places.parse_body_budget("service_line,amount\nA,1.5\nTotal,1.5\n", thousands=True)
    assert parsed.lines == [places.BodyLine("A", 150_000, 0)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("line,amount\nA,1\n", [(1, "service_line", "the header row is missing column service_line")]),
        ("service_line,amount\n", [(1, "", "the file has no service lines")]),
        (
            "service_line,amount\nA,1\nB,2\n",
            [
                (
                    4,
                    "service_line",
                    "add a row with service_line “Total” stating the total, so the figures can be checked",
                )
            ],
        ),
        (
            "service_line,amount\nA,1\nB,2\nTotal,4\n",
            [(4, "amount", "the stated total £4 is not the sum of the lines £3")],
        ),
        ("service_line,amount\nA,1\na,2\nTotal,3\n", [(3, "service_line", "“a” is already on line 2")]),
        ("service_line,amount\n,1\nTotal,1\n", [(2, "service_line", "enter the service line")]),
        ("service_line,amount\nA,1,9\nTotal,1\n", [(2, "", "this row has more cells than the header")]),
        (
            "service_line,amount,devolved\nA,10,11\nTotal,10\n",
            [(2, "devolved", "devolved must be between nothing and the amount (£10)")],
        ),
        (
            "service_line,amount,devolved\nA,10,-1\nTotal,10\n",
            [(2, "devolved", "devolved must be between nothing and the amount (£10)")],
        ),
        (
            "service_line,amount,devolved\nA,ten,x\nTotal,0\n",
            [
                (2, "amount", "amount: “ten” is not an amount of money, like 1234.56 or £1,234"),
                (2, "devolved", "devolved: “x” is not an amount of money, like 1234.56 or £1,234"),
            ],
        ),
    ],
)
def test_every_problem_is_named_with_its_line(text, expected):
    assert _errors(text) == expected
    assert not places.parse_body_budget(text).clean


def test_too_many_rows_and_bad_csv_are_refused():
    many = "service_line,amount\n" + "".join(f"L{i},1\n" for i in range(places.MAX_ROWS + 1))
    assert _errors(many)[-1][2] == f"the file has more than {places.MAX_ROWS} lines"
    huge = 'service_line,amount\n"' + "x" * 200_000 + '",1\n'
    assert "not valid CSV" in _errors(huge)[0][2]


@pytest.mark.parametrize(
    "text, points", [("40", 4000), ("12.5", 1250), ("12.50%", 1250), ("0", 0), ("100", 10_000), (" 3.05 ", 305)]
)
def test_percentages_become_basis_points(text, points):
    assert places.parse_percent(text) == points


@pytest.mark.parametrize("text", ["", "abc", "1.234", "-5", "100.01", "1000"])
def test_bad_percentages_are_refused(text):
    with pytest.raises(ValueError):
        places.parse_percent(text)


def test_format_percent():
    assert [places.format_percent(p) for p in (1250, 10_000, 305, 0)] == ["12.5", "100", "3.05", "0"]


def test_apportion_rounds_half_up_away_from_zero():
    assert places.apportion(1001, 5000) == 501
    assert places.apportion(-1001, 5000) == -501
    assert places.apportion(999, 10_000) == 999
    assert places.apportion(999, 0) == 0


@given(st.integers(-(10**12), 10**12), st.integers(0, 10_000))
def test_apportioned_parts_never_exceed_the_line(amount, points):
    part = places.apportion(amount, points)
    assert abs(part) <= abs(amount)
    assert abs(part * 10_000 - amount * points) <= 5_000


def test_over_allocated_lines_are_named():
    assert places.over_allocated({"A": [6000, 4000], "B": [6000, 4001], "C": []}) == ["B"]


def test_shares_and_changes_in_tenths_of_a_per_cent():
    assert places.share_of(1, 3) == 333
    assert places.share_of(5, 0) is None
    assert places.change_tenths(1000, 1044) == 44
    assert places.change_tenths(1000, 900) == -100
    assert places.change_tenths(0, 5) is None


def test_previous_year():
    assert places.previous_year("2026-27") == "2025-26"
    assert places.previous_year("2000-01") == "1999-00"
