"""Money: integer pence, read from what people type and shown as pounds. Never a float.

Every amount the app stores, counts or exports is an int of pence. Text becomes pence through
`parse_pounds` (exact: digits, never float()); pence become text through `format_money` (pages),
`format_compact` (charts and headlines) and `decimal_pounds` (files for other systems). The ballot
engine counts in exact pounds (fractions.Fraction): `to_pounds` and `to_pence` cross over, rounding
half up. Deterministic; no locale.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Rational

_AMOUNT = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")
_MINUS = "\u2212"


class MoneyError(ValueError):
    """An amount could not be read; the message says why in plain English."""


def parse_pounds(text: str | None, *, thousands: bool = False) -> int:
    """Read an amount of pounds ("£1,234.56", "1234", "1,234.5", "(1,234)", "-£5") and return pence.

    Brackets or a leading minus make it negative, as in published accounts. Thousands separators
    must be in their places (1,234 not 12,34); at most two decimal places. With `thousands`, the
    figure is in £000 (as in government returns), so "1.5" means £1,500.
    """
    original = (text or "").strip()
    cleaned = original.replace(_MINUS, "-")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1].strip()
    if cleaned.startswith("-"):
        if negative:
            raise MoneyError("use either brackets or a minus sign, not both")
        negative, cleaned = True, cleaned[1:].strip()
    cleaned = cleaned.removeprefix("£").strip()
    if cleaned.startswith("-") and not negative:
        negative, cleaned = True, cleaned[1:].strip()
    if not cleaned:
        raise MoneyError("enter an amount")
    if not _AMOUNT.fullmatch(cleaned):
        raise MoneyError(f"“{original}” is not an amount of money, like 1234.56 or £1,234")
    pounds, _, fraction = cleaned.replace(",", "").partition(".")
    pence = int(pounds) * 100 + int(fraction.ljust(2, "0") or "0")
    if thousands:
        pence *= 1000
    return -pence if negative else pence


def format_money(pence: int, *, always_pence: bool = False, signed: bool = False) -> str:
    """Show pence as pounds with separators: 123456 → "£1,234.56", 500 → "£5" (or "£5.00" with always_pence).

    Negative amounts read "-£5"; with `signed`, positive ones read "+£5".
    """
    pence = _whole(pence)
    sign = "-" if pence < 0 else ("+" if signed and pence > 0 else "")
    pounds, rest = divmod(abs(pence), 100)
    if rest or always_pence:
        return f"{sign}£{pounds:,}.{rest:02d}"
    return f"{sign}£{pounds:,}"


def format_compact(pence: int) -> str:
    """Show a large amount briefly for charts and headlines: "£163.1m", "£2.7m", "£950k", "£12".

    Rounded half up to a tenth of a million, a thousand or a pound.
    """
    pence = _whole(pence)
    sign = "-" if pence < 0 else ""
    size = abs(pence)
    if size >= 100_000_000:
        tenths = _round_half_up(size, 10_000_000)
        return f"{sign}£{tenths // 10:,}.{tenths % 10}m"
    if size >= 100_000:
        return f"{sign}£{_round_half_up(size, 100_000):,}k"
    return f"{sign}£{_round_half_up(size, 100):,}"


def decimal_pounds(pence: int) -> str:
    """Show pence as a plain decimal of pounds for other systems' files: -1250 → "-12.50"."""
    pence = _whole(pence)
    pounds, rest = divmod(abs(pence), 100)
    return f"{'-' if pence < 0 else ''}{pounds}.{rest:02d}"


def to_pounds(pence: int) -> Fraction:
    """Return pence as exact pounds, for the ballot engine."""
    return Fraction(_whole(pence), 100)


def to_pence(pounds: Rational | Decimal | int | float) -> int:
    """Return an amount of pounds as whole pence, rounding half up (a float is taken at its exact value)."""
    return int((Fraction(pounds) * 100 + Fraction(1, 2)) // 1)


def format_pounds(amount: Rational | int | float, currency: str = "£") -> str:
    """Show an exact amount of pounds for people: thousands separated, pence only when there are any.

    A currency symbol (£ $ €) goes before the figure, a code (PLN) after it.
    """
    pence = to_pence(amount)
    pounds, rest = divmod(abs(pence), 100)
    text = ("-" if pence < 0 else "") + (f"{pounds:,}" if rest == 0 else f"{pounds:,}.{rest:02d}")
    return f"{currency}{text}" if currency in ("£", "$", "€") else f"{text} {currency}".strip()


def _round_half_up(amount: int, unit: int) -> int:
    return (amount + unit // 2) // unit


def _whole(pence: int) -> int:
    if isinstance(pence, bool) or not isinstance(pence, Integral):
        raise TypeError(f"an amount of money must be whole pence (int), not {pence!r}")
    return int(pence)
