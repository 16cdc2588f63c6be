"""The Sortition Foundation's flexible quotas (min_flex, max_flex) and its selected / remaining files."""

from __future__ import annotations

import pytest

from pbapp.core.errors import InputError
from pbapp.core.sortition import Relaxation, check_feasibility, read_sortition_foundation, selected_remaining_tables
from pbapp.core.sortition.pool import Person, Pool, Quota


def _pool(quotas, people, panel_size=2) -> Pool:
    return Pool(panel_size, ("g",), tuple(quotas), tuple(Person(i, (v,), h) for i, v, h in people))


ONE_A = [("a1", "a", None), *((f"b{n}", "b", None) for n in range(5))]


def test_the_flexible_columns_are_read_in_either_layout():
    for header in ("category,name,min,max,min_flex,max_flex", "feature,value,max,min,max_flex,min_flex"):
        names = header.split(",")
        rows = [
            dict(zip(("f", "v", "lo", "hi", "lf", "hf"), r)) for r in (("g", "a", 1, 2, 0, 3), ("g", "b", 0, 2, 0, 2))
        ]
        order = {
            "category": "f",
            "feature": "f",
            "name": "v",
            "value": "v",
            "min": "lo",
            "max": "hi",
            "min_flex": "lf",
            "max_flex": "hf",
        }
        text = header + "\n" + "".join(",".join(str(r[order[n]]) for n in names) + "\n" for r in rows)
        pool = read_sortition_foundation(text, "id,g\n1,A\n2,b\n3,B\n", 2)
        assert pool.quotas[0] == Quota("g", "a", 1, 2, min_flex=0, max_flex=3)
        assert (pool.quotas[1].min_flex, pool.quotas[1].max_flex) == (0, 2)


def test_without_flexible_columns_the_bounds_are_unset():
    pool = read_sortition_foundation("feature,value,min,max\ng,a,1,2\ng,b,0,2\n", "id,g\n1,a\n2,b\n", 2)
    assert (pool.quotas[0].min_flex, pool.quotas[0].max_flex) == (None, None)


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ("feature,value,min,max,min_flex\ng,a,1,2,0\n", "line 1: missing column 'max_flex'"),
        (
            "feature,value,min,max,min_flex,max_flex\ng,a,1,2,0,3\ng,b,0,2,,2\n",
            "line 3: min_flex must be a whole number",
        ),
        (
            "feature,value,min,max,min_flex,max_flex\ng,a,1,2,2,3\ng,b,0,2,0,2\n",
            "line 2: g 'a': min_flex must be from 0 to the min (1), got 2",
        ),
        (
            "feature,value,min,max,min_flex,max_flex\ng,a,1,2,0,3\ng,b,0,2,0,1\n",
            "line 3: g 'b': max_flex must be at least the max (2), got 1",
        ),
    ],
)
def test_faulty_flexible_bounds_are_refused_with_their_line(categories, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_sortition_foundation(categories, "id,g\n1,a\n2,b\n3,b\n", 2)


def test_without_flex_the_relaxation_lowers_the_minimum():
    report = check_feasibility(_pool([Quota("g", "a", 2, 2), Quota("g", "b", 0, 2)], ONE_A))
    assert report.relaxation == (Relaxation("g", "a", 2, 2, 1, 2),)
    assert not any(p.code == "quota.beyond_flex" for p in report.problems)


def test_a_relaxation_within_the_flexible_bounds_is_proposed_as_usual():
    report = check_feasibility(
        _pool([Quota("g", "a", 2, 2, min_flex=1, max_flex=2), Quota("g", "b", 0, 2, min_flex=0, max_flex=2)], ONE_A)
    )
    assert report.relaxation == (Relaxation("g", "a", 2, 2, 1, 2),)
    assert not any(p.code == "quota.beyond_flex" for p in report.problems)


def test_min_flex_forbids_lowering_a_minimum_and_says_so():
    report = check_feasibility(
        _pool([Quota("g", "a", 2, 2, min_flex=2, max_flex=2), Quota("g", "b", 0, 2, min_flex=0, max_flex=2)], ONE_A)
    )
    assert not report.feasible
    assert any(p.code == "quota.beyond_flex" for p in report.problems)
    assert report.relaxation == (Relaxation("g", "a", 2, 2, 1, 2),)


def test_max_flex_steers_the_relaxation_to_the_quota_that_may_move():
    # Five a's and one b, two seats: only raising a's maximum helps, and max_flex decides whether it may.
    people = [*((f"a{n}", "a", None) for n in range(5)), ("b1", "b", None)]
    within = check_feasibility(
        _pool([Quota("g", "a", 0, 0, min_flex=0, max_flex=1), Quota("g", "b", 1, 2, min_flex=1, max_flex=2)], people)
    )
    assert within.relaxation == (Relaxation("g", "a", 0, 0, 0, 1),)
    assert not any(p.code == "quota.beyond_flex" for p in within.problems)
    beyond = check_feasibility(
        _pool([Quota("g", "a", 0, 0, min_flex=0, max_flex=0), Quota("g", "b", 1, 2, min_flex=1, max_flex=2)], people)
    )
    assert any(p.code == "quota.beyond_flex" for p in beyond.problems)
    assert beyond.relaxation == (Relaxation("g", "a", 0, 0, 0, 1),)


def test_selected_and_remaining_tables_in_the_foundations_layout():
    people = [("p1", "a", "h1"), ("p2", "a", "h1"), ("p3", "b", "h2"), ("p4", "b", None), ("p5", "a", None)]
    pool = _pool([Quota("g", "a", 0, 2), Quota("g", "b", 0, 2)], people)
    kept = {"p1": ["Ann Lee", "ann@example.org"], "p3": ["Bo Ray", "bo@example.org"]}
    tables = selected_remaining_tables(pool, ["p3", "p1"], keep_columns=("name", "email"), kept=kept)
    assert tables.selected == [
        ["id", "name", "email", "g"],
        ["p3", "Bo Ray", "bo@example.org", "b"],
        ["p1", "Ann Lee", "ann@example.org", "a"],
    ]
    # p2 shares p1's household, so cannot be called on: left out of the remaining people.
    assert tables.remaining == [["id", "name", "email", "g"], ["p4", "", "", "b"], ["p5", "", "", "a"]]
    assert tables.housemates_removed == 1
    kept_all = selected_remaining_tables(pool, ["p3", "p1"], exclude_housemates=False)
    assert [r[0] for r in kept_all.remaining[1:]] == ["p2", "p4", "p5"] and kept_all.remaining[0] == ["id", "g"]


def test_an_unknown_or_repeated_panel_member_is_refused():
    pool = _pool([Quota("g", "a", 0, 2), Quota("g", "b", 0, 2)], ONE_A)
    with pytest.raises(Exception, match="'zz' is not in the pool"):
        selected_remaining_tables(pool, ["a1", "zz"])
    with pytest.raises(Exception, match="twice"):
        selected_remaining_tables(pool, ["a1", "a1"])
