"""Money of every public body in a place: reading a body's budget by service line, and apportioning it to outcome areas.

Reference: the "Total Place" pilots (HM Treasury and DCLG, 2010) counted all public spending in an
area by service line and re-grouped it by the outcomes it serves. Here a body's line is mapped to an
outcome area whole or in part, as a share in basis points (1/100 of a per cent, so 12.5% is 1250):
the share of the line that serves the area is amount * basis_points / 10000, rounded half up to the
penny. Invariants: all money is integer pence; a line's shares across all areas add up to at most
10000 (100%); a budget file is clean only when its stated Total row equals the sum of its lines.
Deterministic; no randomness.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from pbapp.core.ledger import RowError
from pbapp.core.money import MoneyError, format_money, parse_pounds

WHOLE = 10_000  # basis points in 100%
REQUIRED_COLUMNS = ("service_line", "amount")
OPTIONAL_COLUMNS = ("devolved",)
TOTAL_LABEL = "total"
MAX_ROWS = 2000
_PERCENT = re.compile(r"(\d{1,3})(?:\.(\d{1,2}))?%?")


@dataclass(frozen=True)
class BodyLine:
    """One service line of a body's budget: what it spends, and how much of that neighbourhoods decide."""

    service_line: str
    amount: int
    devolved: int = 0


@dataclass
class ParsedBodyBudget:
    """Lines read from a body's budget file, its stated total, and every problem with its line number."""

    lines: list[BodyLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    stated_total: int | None = None

    @property
    def clean(self) -> bool:
        return not self.errors and bool(self.lines) and self.stated_total is not None

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def devolved(self) -> int:
        return sum(line.devolved for line in self.lines)


def parse_body_budget(text: str, *, thousands: bool = False) -> ParsedBodyBudget:
    """Read a body's budget from CSV text: service_line, amount and optionally devolved, then a Total row.

    The Total row (service_line "Total") is required and must equal the sum of the amounts, so a
    file that lost or doubled a row is refused. Every problem is collected with its line number.
    """
    parsed = ParsedBodyBudget()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        _read_rows(parsed, reader, thousands)
    except csv.Error as error:
        parsed.lines.clear()
        parsed.errors.append(RowError(reader.line_num + 1, "", f"the file is not valid CSV ({error})"))
    return parsed


def _read_rows(parsed: ParsedBodyBudget, reader: csv.DictReader, thousands: bool) -> None:
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        parsed.errors.append(RowError(1, ", ".join(missing), "the header row is missing column " + ", ".join(missing)))
        return
    reader.fieldnames = header
    seen: dict[str, int] = {}
    total_line = 0
    for row in reader:
        line_no = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        if not any(values.values()):
            continue
        if None in row:
            parsed.errors.append(RowError(line_no, "", "this row has more cells than the header"))
            continue
        if len(parsed.lines) >= MAX_ROWS:
            parsed.errors.append(RowError(line_no, "", f"the file has more than {MAX_ROWS} lines"))
            break
        amount, devolved = _amounts(values, line_no, thousands, parsed.errors)
        name = " ".join(values["service_line"].split())
        if name.casefold() == TOTAL_LABEL:
            parsed.stated_total, total_line = amount, line_no
            continue
        _add_line(parsed, name, amount, devolved, line_no, seen)
    _check_total(parsed, total_line, reader.line_num + 1)


def _amounts(values: dict[str, str], line_no: int, thousands: bool, errors: list[RowError]) -> tuple[int | None, int]:
    amounts: dict[str, int | None] = {"amount": None, "devolved": 0}
    for column in ("amount", "devolved"):
        if column == "devolved" and not values.get("devolved"):
            continue
        try:
            amounts[column] = parse_pounds(values.get(column, ""), thousands=thousands)
        except MoneyError as error:
            amounts[column] = None if column == "amount" else 0
            errors.append(RowError(line_no, column, f"{column}: {error}"))
    return amounts["amount"], amounts["devolved"] or 0


def _add_line(
    parsed: ParsedBodyBudget, name: str, amount: int | None, devolved: int, line_no: int, seen: dict[str, int]
) -> None:
    if not name:
        parsed.errors.append(RowError(line_no, "service_line", "enter the service line"))
        return
    if name.casefold() in seen:
        parsed.errors.append(RowError(line_no, "service_line", f"“{name}” is already on line {seen[name.casefold()]}"))
        return
    if amount is None:
        return
    if devolved < 0 or (devolved > amount >= 0):
        parsed.errors.append(
            RowError(line_no, "devolved", f"devolved must be between nothing and the amount ({format_money(amount)})")
        )
        return
    seen[name.casefold()] = line_no
    parsed.lines.append(BodyLine(name, amount, devolved))


def _check_total(parsed: ParsedBodyBudget, total_line: int, last_line: int) -> None:
    if not parsed.lines and not parsed.errors:
        parsed.errors.append(RowError(1, "", "the file has no service lines"))
    elif not total_line and not parsed.errors:
        parsed.errors.append(
            RowError(
                last_line,
                "service_line",
                "add a row with service_line “Total” stating the total, so the figures can be checked",
            )
        )
    elif parsed.stated_total is not None and not parsed.errors and parsed.stated_total != parsed.total:
        parsed.errors.append(
            RowError(
                total_line,
                "amount",
                f"the stated total {format_money(parsed.stated_total)} "
                f"is not the sum of the lines {format_money(parsed.total)}",
            )
        )


def parse_percent(text: str | None) -> int:
    """Read a share like "40", "12.5" or "12.5%" and return basis points (0 to 10000); raise ValueError otherwise."""
    cleaned = (text or "").strip().replace(" ", "")
    match = _PERCENT.fullmatch(cleaned)
    if not match:
        raise ValueError(f"“{text}” is not a percentage, like 40 or 12.5")
    points = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if points > WHOLE:
        raise ValueError("a share cannot be more than 100%")
    return points


def format_percent(points: int) -> str:
    """Show basis points as a percentage without trailing zeros: 1250 → "12.5", 10000 → "100"."""
    whole, rest = divmod(points, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") if rest else str(whole)


def apportion(amount: int, points: int) -> int:
    """The part of `amount` pence that a share of `points` basis points is, rounded half up (away from zero)."""
    scaled = abs(amount) * points
    part = (scaled + WHOLE // 2) // WHOLE
    return -part if amount < 0 else part


def over_allocated(shares: dict[str, list[int]]) -> list[str]:
    """Names of the lines whose shares across all outcome areas add up to more than 100%, in the order given."""
    return [name for name, points in shares.items() if sum(points) > WHOLE]


def share_of(part: int, whole: int) -> int | None:
    """`part` as tenths of a per cent of `whole`, rounded half up; None when `whole` is not positive."""
    if whole <= 0:
        return None
    return (part * 2000 + whole) // (2 * whole)


def change_tenths(before: int, after: int) -> int | None:
    """The change from `before` to `after` in tenths of a per cent (rounded half up); None without a positive `before`."""
    if before <= 0:
        return None
    return ((after - before) * 2000 + before) // (2 * before)


def previous_year(financial_year: str) -> str:
    """The financial year before one written like 2026-27: 2025-26."""
    start = int(financial_year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"
