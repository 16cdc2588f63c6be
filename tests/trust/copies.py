"""What a copy of the database holds in what order: the tables a backup rewrites out of their written order."""

from __future__ import annotations

from pbapp.backup import unordered_rows
from pbapp.db import get_engine


def ordered_by_backup(app) -> None:
    """Do to the test database what `pbapp backup` does before it dumps one (a no-op on SQLite)."""
    with get_engine(app).begin() as connection:
        unordered_rows(connection)
