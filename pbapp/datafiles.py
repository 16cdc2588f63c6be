"""The figures kept in pbapp/seed_data (census tables, budgets, sources), read by run-time code and the demo alike.

Apart from pbapp.seed so that run-time code (the census quota targets) can find them without
importing the demo seed and what it brings in (accounts, password hashing, Flask).
"""

from __future__ import annotations

from pathlib import Path

from pbapp.config import PACKAGE_ROOT

SEED_DIR = PACKAGE_ROOT / "seed_data"


def seed_file(name: str) -> Path:
    """Path of a file kept in pbapp/seed_data/ (domains read their figures through this)."""
    return SEED_DIR / name
