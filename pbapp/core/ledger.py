"""Budget-record rules: money in integer pence, reconciliation, budget CSV validation, version diffs.

Money is always an integer number of pence; nothing here uses floats. The invariants the record
keeps, checked by `line_problems`, `book_problems` and `diff_reconciles`:

* per line: net == gross - income (net may be negative when income exceeds spending);
* per book: the stated total == the sum of its lines (gross, income and net each);
* per pair of versions: the total change == the sum of the line-by-line changes.

Revenue Account (RA) service lines are those of the government's RA budget return (MHCLG,
"Local authority revenue expenditure and financing: Revenue Account budget"). Everything here is
deterministic: the same input always gives the same output.
"""

from __future__ import annotations

import csv
import io
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Iterable, Sequence

from pbapp.core import money
from pbapp.core.money import MoneyError, parse_pounds

RA_SERVICE_LINES = (
    "Education services",
    "Highways and transport services",
    "Children's social care",
    "Adult social care",
    "Public health",
    "Housing services (general fund only)",
    "Cultural and related services",
    "Environmental and regulatory services",
    "Planning and development services",
    "Police services",
    "Fire and rescue services",
    "Central services",
    "Other services",
)
_RA_BY_FOLDED = {name.casefold(): name for name in RA_SERVICE_LINES}

REQUIRED_COLUMNS = ("ra_line", "division", "directorate", "gross", "income")
OPTIONAL_COLUMNS = ("ra_code", "name", "net", "name_cy")  # name_cy: the line's name in Welsh
TOTAL_LABEL = "total"
MAX_ROWS = 5000
# Reports and problems show pence always ("£5.00"), as the budget book does.
format_money = partial(money.format_money, always_pence=True)


@dataclass(frozen=True)
class Figures:
    """One budget line's amounts in pence, keyed by its RA service line and division."""

    ra_line: str
    division: str
    gross: int
    income: int
    net: int
    directorate: str = ""
    ra_code: str = ""
    name: str = ""
    name_cy: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.ra_line, self.division)


@dataclass(frozen=True)
class Totals:
    gross: int = 0
    income: int = 0
    net: int = 0


def totals(lines: Iterable[Figures]) -> Totals:
    """Add up gross, income and net over lines."""
    gross = income = net = 0
    for line in lines:
        gross, income, net = gross + line.gross, income + line.income, net + line.net
    return Totals(gross, income, net)


def line_problems(line: Figures) -> list[str]:
    """Say what breaks the per-line rules: net must equal gross minus income; gross and income not negative."""
    problems = []
    if line.gross < 0:
        problems.append("gross spending cannot be negative")
    if line.income < 0:
        problems.append("income cannot be negative")
    if line.net != line.gross - line.income:
        problems.append(
            f"net {format_money(line.net)} is not gross {format_money(line.gross)} "
            f"minus income {format_money(line.income)}"
        )
    return problems


def book_problems(lines: Sequence[Figures], stated: Totals | None = None) -> list[str]:
    """Say what stops a book reconciling: a broken line, a repeated line, or a total that is not the sum."""
    problems = [f"{line.ra_line} / {line.division}: {p}" for line in lines for p in line_problems(line)]
    seen: set[tuple[str, str]] = set()
    for line in lines:
        if line.key in seen:
            problems.append(f"{line.ra_line} / {line.division} appears more than once")
        seen.add(line.key)
    if stated is not None:
        actual = totals(lines)
        for label in ("gross", "income", "net"):
            if getattr(stated, label) != getattr(actual, label):
                problems.append(
                    f"the stated {label} total {format_money(getattr(stated, label))} is not "
                    f"the sum of the lines {format_money(getattr(actual, label))}"
                )
    return problems


@dataclass(frozen=True)
class RowError:
    """A problem on one line of an uploaded file (line 1 is the header)."""

    line: int
    column: str
    message: str


@dataclass
class ParsedBook:
    """Lines read from a budget CSV, and every problem found, each with its line number."""

    lines: list[Figures] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    stated_total: Totals | None = None
    total_line: int = 0

    @property
    def clean(self) -> bool:
        return not self.errors and bool(self.lines)

    @property
    def totals(self) -> Totals:
        return totals(self.lines)


def canonical_ra_line(name: str) -> str | None:
    """Return the RA service line as the government spells it, or None if it is not one."""
    return _RA_BY_FOLDED.get(" ".join(name.split()).casefold())


def parse_budget_csv(text: str, *, thousands: bool = False) -> ParsedBook:
    """Read budget lines from CSV text, collecting every problem with its line number.

    Columns: ra_line, division, directorate, gross, income (required), ra_code, name, net
    (optional; when given, net must equal gross - income). A row whose ra_line is "Total" states
    the book's totals, which must equal the sum of the lines.
    """
    parsed = ParsedBook()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        _read_rows(parsed, reader, thousands)
    except csv.Error as error:
        # The csv module refuses a cell over its size limit; line_num counts the lines read before it.
        parsed.lines.clear()
        parsed.errors.append(RowError(reader.line_num + 1, "", f"the file is not valid CSV ({error})"))
    return parsed


def _read_rows(parsed: ParsedBook, reader: csv.DictReader, thousands: bool) -> None:
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        parsed.errors.append(RowError(1, ", ".join(missing), "the header row is missing column " + ", ".join(missing)))
        return
    reader.fieldnames = header
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        line_no = reader.line_num
        if len(parsed.lines) >= MAX_ROWS:
            parsed.errors.append(RowError(line_no, "", f"the file has more than {MAX_ROWS} lines"))
            break
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        if not any(values.values()):
            continue
        if None in row:
            parsed.errors.append(RowError(line_no, "", "this row has more cells than the header"))
            continue
        _read_row(parsed, values, line_no, thousands, seen)
    if parsed.stated_total is not None and not parsed.errors:
        parsed.errors += [RowError(parsed.total_line, "", p) for p in _total_problems(parsed)]
    if not parsed.lines and not parsed.errors:
        parsed.errors.append(RowError(1, "", "the file has no budget lines"))


def _total_problems(parsed: ParsedBook) -> list[str]:
    actual = totals(parsed.lines)
    stated = parsed.stated_total
    return [
        f"the {label} total {format_money(getattr(stated, label))} is not the sum of the lines "
        f"{format_money(getattr(actual, label))}"
        for label in ("gross", "income", "net")
        if getattr(stated, label) != getattr(actual, label)
    ]


def _amounts(values: dict[str, str], line_no: int, thousands: bool, errors: list[RowError]) -> dict[str, int] | None:
    amounts: dict[str, int] = {}
    for column in ("gross", "income", "net"):
        if column == "net" and not values.get("net"):
            continue
        try:
            amounts[column] = parse_pounds(values.get(column, ""), thousands=thousands)
        except MoneyError as error:
            errors.append(RowError(line_no, column, f"{column}: {error}"))
    return amounts if "gross" in amounts and "income" in amounts else None


def _read_row(
    parsed: ParsedBook, values: dict[str, str], line_no: int, thousands: bool, seen: dict[tuple[str, str], int]
) -> None:
    errors_before = len(parsed.errors)
    amounts = _amounts(values, line_no, thousands, parsed.errors)
    if values["ra_line"].casefold() == TOTAL_LABEL:
        if amounts is not None:
            gross, income = amounts["gross"], amounts["income"]
            parsed.stated_total = Totals(gross, income, amounts.get("net", gross - income))
            parsed.total_line = line_no
        return
    ra_line = canonical_ra_line(values["ra_line"])
    if ra_line is None:
        parsed.errors.append(
            RowError(line_no, "ra_line", f"“{values['ra_line']}” is not a Revenue Account service line")
        )
    for column in ("division", "directorate"):
        if not values[column]:
            parsed.errors.append(RowError(line_no, column, f"enter the {column}"))
    if len(parsed.errors) > errors_before or amounts is None or ra_line is None:
        return
    gross, income = amounts["gross"], amounts["income"]
    line = Figures(
        ra_line=ra_line,
        division=values["division"],
        gross=gross,
        income=income,
        net=amounts.get("net", gross - income),
        directorate=values["directorate"],
        ra_code=values.get("ra_code", ""),
        name=values.get("name", "") or values["division"],
        name_cy=values.get("name_cy", "")[:200],
    )
    for problem in line_problems(line):
        parsed.errors.append(RowError(line_no, "net" if "net" in problem else "", problem))
    if line.key in seen:
        parsed.errors.append(
            RowError(line_no, "division", f"{ra_line} / {line.division} is already on line {seen[line.key]}")
        )
    if len(parsed.errors) == errors_before:
        seen[line.key] = line_no
        parsed.lines.append(line)


@dataclass(frozen=True)
class LineDiff:
    """How one line differs between two versions (None on a side where the line is absent)."""

    ra_line: str
    division: str
    before: Figures | None
    after: Figures | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        same = (self.before.gross, self.before.income, self.before.net) == (
            self.after.gross,
            self.after.income,
            self.after.net,
        )
        return "unchanged" if same else "changed"

    def delta(self, column: str = "net") -> int:
        """The change in `column` (gross, income or net); a missing side counts as zero."""
        before = getattr(self.before, column) if self.before else 0
        after = getattr(self.after, column) if self.after else 0
        return after - before


def diff_versions(before: Sequence[Figures], after: Sequence[Figures]) -> list[LineDiff]:
    """Compare two versions line by line, in the newer version's order, removed lines last."""
    old = {line.key: line for line in before}
    new_keys = {line.key for line in after}
    diffs = [LineDiff(line.ra_line, line.division, old.get(line.key), line) for line in after]
    diffs += [LineDiff(line.ra_line, line.division, line, None) for line in before if line.key not in new_keys]
    return diffs


def diff_reconciles(before: Sequence[Figures], after: Sequence[Figures], diffs: Sequence[LineDiff]) -> bool:
    """Whether the total change of each column equals the sum of the line changes."""
    old, new = totals(before), totals(after)
    return all(
        sum(d.delta(column) for d in diffs) == getattr(new, column) - getattr(old, column)
        for column in ("gross", "income", "net")
    )


def response_deadline(decided: date, months: int = 2) -> date:
    """The date a response is due: `months` calendar months after the decision (day clamped to month end).

    Two months follows the time an executive has to respond to an overview and scrutiny
    committee's recommendations (Local Government Act 2000, s.9FE).
    """
    month_index = decided.month - 1 + months
    year, month = decided.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(decided.day, monthrange(year, month)[1]))


def is_overdue(due: date, responded: bool, today: date) -> bool:
    """An item is overdue when its deadline has passed and the council has not responded."""
    return not responded and today > due


def progress_percent(statuses: Sequence[str], done: str = "done") -> int:
    """Share of milestones done, as a whole percentage (0 when there are none)."""
    if not statuses:
        return 0
    return sum(1 for status in statuses if status == done) * 100 // len(statuses)


def changes_reconcile(before_total: int, after_total: int, line_changes: Iterable[int]) -> bool:
    """Whether a version's total change equals the sum of its recorded line changes."""
    return after_total - before_total == sum(line_changes)


@dataclass(frozen=True)
class Bar:
    """A bar of a chart with a zero axis: where it starts and how long it is, in chart units."""

    x: int
    width: int
    negative: bool


def bars(values: Sequence[int], width: int) -> tuple[int, list[Bar]]:
    """Lay out horizontal bars for values that may be negative: return the zero axis and the bars.

    Negative values extend left of the axis, positive to the right; the longest fills its side.
    Deterministic integer arithmetic, so the same figures always draw the same chart.
    """
    low = min([0, *values])
    high = max([0, *values])
    span = (high - low) or 1
    axis = (-low) * width // span
    laid = []
    for value in values:
        length = abs(value) * width // span
        laid.append(Bar(axis - length if value < 0 else axis, length, value < 0))
    return axis, laid
