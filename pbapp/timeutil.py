"""One clock for the app, so tests can freeze it and every timestamp is timezone-aware UTC.

People read and type times in UK local time (GMT in winter, BST in summer); the database keeps UTC.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


class NoSuchLocalTime(ValueError):
    """The clocks go forward past this time: it never happens in the UK on that day."""


def utcnow() -> datetime:
    """Return the current time in UTC (aware, as the database columns require)."""
    return datetime.now(timezone.utc)


def uk_today() -> date:
    """Return today's date in the UK (after 11pm GMT or midnight BST it differs from UTC's)."""
    return utcnow().astimezone(UK).date()


def uk_to_utc(day: date, at: time) -> datetime:
    """Return the aware UTC instant of a UK wall-clock time.

    In the hour the clocks go back (repeated), the first (BST) reading is meant, as a person
    reading "1:30am" on that night's first pass would; an hour skipped when the clocks go
    forward raises NoSuchLocalTime.
    """
    local = datetime.combine(day, at).replace(tzinfo=UK, fold=0)
    instant = local.astimezone(timezone.utc)
    if instant.astimezone(UK).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NoSuchLocalTime(local.isoformat())
    return instant


def in_uk(value: datetime) -> datetime:
    """Return an instant as UK local time; a naive value is taken as UTC (as SQLite returns it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(UK)
