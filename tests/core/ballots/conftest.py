"""Paths and small elections shared by the ballot tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbapp.core.ballots import pabulib
from tests.shared_data import SHARED_DATA

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "pabulib"
PABUTOOLS = ROOT / "tests" / "fixtures" / "pabutools"
SHARED = SHARED_DATA / "pabulib"


def shared_files() -> list[Path]:
    """Return the shared Pabulib files, smallest first (none when the data is absent)."""
    return sorted(SHARED.glob("*.pb"), key=lambda p: p.stat().st_size) if SHARED.is_dir() else []


@pytest.fixture
def assen():
    return pabulib.read(FIXTURES / "Netherlands_Assen_2024.pb")


@pytest.fixture
def tiny():
    return pabulib.read(FIXTURES / "tiny_approval.pb")


@pytest.fixture
def tiny_points():
    return pabulib.read(FIXTURES / "tiny_cumulative.pb")
