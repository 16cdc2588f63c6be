"""Fixtures shared by the sortition tests: a council of its own and an empty pool in it."""

from __future__ import annotations

import pytest

from tests import factories as base
from tests.sortition import factories


@pytest.fixture
def council(db):
    return base.council(db, postcode_prefixes="BB1,BB2")


@pytest.fixture
def empty_pool(db, council):
    return factories.pool(db, council, people=0)
