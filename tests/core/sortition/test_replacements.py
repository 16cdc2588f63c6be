"""Replacements keep the confirmed members and every quota."""

from __future__ import annotations

import pytest

from pbapp.core.errors import CoreError
from pbapp.core.sortition import InfeasibleError, replace

from .conftest import fixture_pool, meets_quotas


def test_replacements_fill_the_seats_of_drop_outs():
    # A panel named here, not the solver's: the pool has several panels that meet every quota, and
    # which one find_panel returns may change with the HiGHS release. Dropping h1 from some of them
    # leaves no woman outside the confirmed households (a correct InfeasibleError, a useless test).
    pool = fixture_pool("households")
    panel = ["h3", "h5", "h6", "h7"]
    assert meets_quotas(pool, panel)
    dropped, confirmed = ["h6"], ["h3", "h5", "h7"]
    result = replace(pool, confirmed, dropped, seed=2)
    assert meets_quotas(pool, result.selection.panel)
    assert set(confirmed) <= set(result.selection.panel)
    assert dropped[0] not in result.selection.panel
    assert result.replacements == tuple(sorted(set(result.selection.panel) - set(confirmed)))
    # Two men are left: h4 shares h3's household, so h2 is the one replacement that keeps every rule.
    assert result.replacements == ("h2",)
    again = replace(pool, confirmed, dropped, seed=2)
    assert again.selection.panel == result.selection.panel


def test_bad_requests():
    pool = fixture_pool("households")
    with pytest.raises(CoreError, match="'zz' is not in the pool"):
        replace(pool, ["zz"], [])
    with pytest.raises(CoreError, match="both confirmed and dropped"):
        replace(pool, ["h1"], ["h1"])
    with pytest.raises(CoreError, match="5 confirmed members but the panel has 4 seats"):
        replace(pool, ["h1", "h3", "h5", "h6", "h7"], [])


def test_no_one_left_to_fill_the_seat():
    pool = fixture_pool("never_selected")
    with pytest.raises(InfeasibleError):
        replace(pool, ["n3"], ["n1"], exclude=["n2"])
