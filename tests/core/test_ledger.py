"""Budget-record rules: money in pence, reconciliation, CSV validation with line numbers, diffs."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbapp.core import ledger
from pbapp.core.ledger import Figures, RowError, Totals

HEADER = "ra_line,division,directorate,gross,income,net\n"


amounts = st.integers(min_value=0, max_value=10**12)


@st.composite
def reconciled_lines(draw, max_size=12):
    count = draw(st.integers(min_value=0, max_value=max_size))
    lines = []
    for index in range(count):
        gross, income = draw(amounts), draw(amounts)
        lines.append(
            Figures(
                ledger.RA_SERVICE_LINES[index % 13], f"Division {index}", gross, income, gross - income, "Directorate"
            )
        )
    return lines


@given(reconciled_lines())
def test_a_book_of_reconciled_lines_reconciles_with_its_own_totals(lines):
    assert ledger.book_problems(lines, ledger.totals(lines)) == []
    total = ledger.totals(lines)
    assert total.net == total.gross - total.income == sum(line.net for line in lines)


@given(reconciled_lines(), st.integers(min_value=1, max_value=10**6))
def test_a_stated_total_off_by_a_penny_or_more_does_not_reconcile(lines, error):
    total = ledger.totals(lines)
    problems = ledger.book_problems(lines, Totals(total.gross, total.income, total.net + error))
    assert any("net total" in p for p in problems)


@given(reconciled_lines(), reconciled_lines())
def test_line_changes_add_up_to_the_total_change(before, after):
    diffs = ledger.diff_versions(before, after)
    assert ledger.diff_reconciles(before, after, diffs)
    assert ledger.changes_reconcile(
        ledger.totals(before).net, ledger.totals(after).net, (d.delta("net") for d in diffs)
    )


def test_line_rules_name_each_problem():
    assert ledger.line_problems(Figures("Public health", "A", -1, 0, -1)) == ["gross spending cannot be negative"]
    assert ledger.line_problems(Figures("Public health", "A", 0, -1, 1)) == ["income cannot be negative"]
    assert "is not gross" in ledger.line_problems(Figures("Public health", "A", 10, 2, 7))[0]


def test_a_repeated_line_is_a_problem():
    line = Figures("Public health", "A", 10, 2, 8)
    assert ledger.book_problems([line, line]) == ["Public health / A appears more than once"]


def test_diff_marks_added_removed_changed_and_unchanged():
    same = Figures("Public health", "Same", 10, 0, 10)
    before = [same, Figures("Public health", "Gone", 5, 0, 5), Figures("Public health", "Moved", 5, 0, 5)]
    after = [same, Figures("Public health", "Moved", 9, 1, 8), Figures("Public health", "New", 3, 0, 3)]
    diffs = {d.division: d for d in ledger.diff_versions(before, after)}
    assert {k: d.kind for k, d in diffs.items()} == {
        "Same": "unchanged",
        "Gone": "removed",
        "Moved": "changed",
        "New": "added",
    }
    assert diffs["Gone"].delta() == -5 and diffs["New"].delta("gross") == 3 and diffs["Moved"].delta() == 3
    assert ledger.diff_reconciles(before, after, list(diffs.values()))
    assert not ledger.diff_reconciles(before, after, [diffs["Same"]])


def test_parse_a_clean_book_with_a_stated_total():
    text = (
        HEADER + 'Public health,Sexual health,Adults and Health,"£1,000",200,800\n'
        "environmental and regulatory services,Trade waste,Environment,100,250,\n"
        ",,,,,\n"
        'Total,,,"1,100",450,650\n'
    )
    parsed = ledger.parse_budget_csv(text)
    assert parsed.errors == [] and parsed.clean
    assert [line.ra_line for line in parsed.lines] == ["Public health", "Environmental and regulatory services"]
    assert parsed.lines[1].net == -15_000
    assert parsed.totals == Totals(110_000, 45_000, 65_000)
    assert parsed.stated_total == parsed.totals and parsed.total_line == 5


def test_parse_reports_every_problem_with_its_line_number():
    text = (
        HEADER
        + "Public health,Sexual health,Adults and Health,1000,200,800\n"  # line 2: fine
        + "Parks and gardens,Parks,Environment,10,0,10\n"  # line 3: not an RA line
        + "Public health,Drugs,Adults and Health,ten,0,10\n"  # line 4: bad money
        + "Public health,Smoking,Adults and Health,100,20,70\n"  # line 5: net wrong
        + "Public health,Sexual health,Adults and Health,5,0,5\n"  # line 6: repeated
        + "Public health,,Adults and Health,5,0,5\n"  # line 7: no division
        + "Public health,Extra,Adults and Health,5,0,5,surplus\n"  # line 8: too many cells
        + "Public health,Negative,Adults and Health,-5,0,-5\n"
    )  # line 9: gross negative
    parsed = ledger.parse_budget_csv(text)
    assert [(e.line, e.column) for e in parsed.errors] == [
        (3, "ra_line"),
        (4, "gross"),
        (5, "net"),
        (6, "division"),
        (7, "division"),
        (8, ""),
        (9, ""),
    ]
    assert "“Parks and gardens” is not a Revenue Account service line" in parsed.errors[0].message
    assert "already on line 2" in parsed.errors[3].message
    assert not parsed.clean


def test_parse_checks_the_stated_total():
    text = HEADER + "Public health,A,X,10,0,10\nTotal,,,10,0,11\n"
    parsed = ledger.parse_budget_csv(text)
    assert parsed.errors == [RowError(3, "", "the net total £11.00 is not the sum of the lines £10.00")]


def test_parse_needs_the_columns_and_some_lines():
    missing = ledger.parse_budget_csv("ra_line,division\nPublic health,A\n")
    assert missing.errors[0].line == 1 and "directorate, gross, income" in missing.errors[0].message
    empty = ledger.parse_budget_csv(HEADER)
    assert empty.errors == [RowError(1, "", "the file has no budget lines")] and not empty.clean
    assert ledger.parse_budget_csv("").errors[0].line == 1


def test_parse_ignores_a_bad_total_row_amount_and_computes_net_when_absent():
    parsed = ledger.parse_budget_csv(
        "\ufeffra_line,division,directorate,gross,income\nPublic health,A,X,10,4\nTotal,,,x,0\n"
    )
    assert parsed.lines[0].net == 600 and parsed.stated_total is None
    assert [e.line for e in parsed.errors] == [3]


def test_parse_in_thousands_and_a_row_limit(monkeypatch):
    assert ledger.parse_budget_csv(HEADER + "Public health,A,X,1.5,0.5,1\n", thousands=True).lines[0].net == 100_000
    monkeypatch.setattr(ledger, "MAX_ROWS", 1)
    parsed = ledger.parse_budget_csv(HEADER + "Public health,A,X,1,0,1\nPublic health,B,X,1,0,1\n")
    assert parsed.errors == [RowError(3, "", "the file has more than 1 lines")]


@pytest.mark.parametrize(
    "decided, due",
    [
        (date(2026, 1, 24), date(2026, 3, 24)),
        (date(2025, 12, 31), date(2026, 2, 28)),
        (date(2026, 11, 30), date(2027, 1, 30)),
        (date(2027, 12, 31), date(2028, 2, 29)),
    ],
)
def test_response_deadline_is_two_calendar_months(decided, due):
    assert ledger.response_deadline(decided) == due


def test_overdue_and_progress():
    assert ledger.is_overdue(date(2026, 1, 1), False, date(2026, 1, 2))
    assert not ledger.is_overdue(date(2026, 1, 1), False, date(2026, 1, 1))
    assert not ledger.is_overdue(date(2026, 1, 1), True, date(2026, 6, 1))
    assert ledger.progress_percent([]) == 0
    assert ledger.progress_percent(["done", "in_progress", "done"]) == 66


def test_canonical_ra_line():
    assert ledger.canonical_ra_line("  adult   SOCIAL care ") == "Adult social care"
    assert ledger.canonical_ra_line("Parks") is None


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=15), st.integers(1, 1000))
def test_bars_stay_inside_the_chart_and_keep_their_sign(values, width):
    axis, laid = ledger.bars(values, width)
    assert 0 <= axis <= width
    for value, bar in zip(values, laid):
        assert 0 <= bar.x and bar.x + bar.width <= width
        assert bar.negative == (value < 0)
        assert (bar.x + bar.width == axis) if value < 0 else (bar.x == axis)


def test_bars_with_only_zeros():
    assert ledger.bars([0, 0], 100) == (0, [ledger.Bar(0, 0, False), ledger.Bar(0, 0, False)])


@given(reconciled_lines(max_size=8), st.booleans())
def test_a_written_book_reads_back_the_same_to_the_penny(lines, state_total):
    rows = [HEADER.strip()]
    for line in lines:
        rows.append(
            f'{line.ra_line},{line.division},{line.directorate},"{ledger.format_money(line.gross)}",'
            f'"{ledger.format_money(line.income)}","{ledger.format_money(line.net)}"'
        )
    total = ledger.totals(lines)
    if state_total:
        rows.append(
            f'Total,,,"{ledger.format_money(total.gross)}","{ledger.format_money(total.income)}",'
            f'"{ledger.format_money(total.net)}"'
        )
    parsed = ledger.parse_budget_csv("\n".join(rows) + "\n")
    if not lines:
        assert not parsed.clean
        return
    assert parsed.errors == []
    assert [(line.key, line.gross, line.income, line.net) for line in parsed.lines] == [
        (line.key, line.gross, line.income, line.net) for line in lines
    ]
    assert parsed.totals == total
