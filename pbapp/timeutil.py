"""One clock for the app, so tests can freeze it and every timestamp is timezone-aware UTC."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Return the current time in UTC (aware, as the database columns require)."""
    return datetime.now(timezone.utc)
