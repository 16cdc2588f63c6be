"""The feasibility check names the quotas at fault and the smallest relaxation."""

from __future__ import annotations

from pbapp.core.sortition import Relaxation, check_feasibility, find_panel, parse_pool
from pbapp.core.sortition.pool import Pool

from .conftest import fixture_pool


def test_feasible_pool():
    report = check_feasibility(fixture_pool("sfscot_22"))
    assert report.feasible
    assert report.as_dict() == {"feasible": True, "problems": [], "relaxation": []}


def test_too_few_volunteers_with_a_value():
    report = check_feasibility(fixture_pool("infeasible"))
    assert not report.feasible
    assert report.relaxation == (Relaxation("gender", "female", 3, 4, 2, 4),)
    assert "gender 'female': the minimum is 3 but only 2 volunteers in the pool have this value" in report.problems
    assert any("lowering it to 2" in p for p in report.problems)
    data = report.as_dict()
    assert data["relaxation"] == [
        {"feature": "gender", "value": "female", "min": 3, "max": 4, "new_min": 2, "new_max": 4}
    ]


def _relaxed(pool: Pool, report) -> Pool:
    changed = {(r.feature, r.value): r for r in report.relaxation}
    quotas = tuple(
        type(q)(q.feature, q.value, changed[(q.feature, q.value)].new_min, changed[(q.feature, q.value)].new_max)
        if (q.feature, q.value) in changed
        else q
        for q in pool.quotas
    )
    return Pool(pool.panel_size, pool.features, quotas, pool.people)


def test_cross_feature_conflict_is_relaxed_minimally_and_the_relaxation_works():
    features = "feature,value,min,max\ngender,f,2,2\ngender,m,2,2\nage,young,2,2\nage,old,2,2\n"
    people = "id,gender,age\na,f,young\nb,f,young\nc,f,young\nd,m,young\ne,m,young\nf,m,old\n"
    pool = parse_pool(features, people, 4)
    report = check_feasibility(pool)
    assert not report.feasible
    # One old volunteer: the old minimum must drop and the young maximum rise, one each.
    assert report.relaxation == (Relaxation("age", "young", 2, 2, 2, 3), Relaxation("age", "old", 2, 2, 1, 2))
    assert find_panel(_relaxed(pool, report)) is not None
    raised = [p for p in report.problems if "raising" in p or "lowering" in p]
    assert raised and all("age" in p for p in raised)


def test_housemates_who_must_both_sit_cannot_be_relaxed_away():
    features = "feature,value,min,max\ng,x,2,2\n"
    people = "id,g,household\na,x,H\nb,x,H\nc,x,K\n"
    pool = parse_pool(features, people, 2)
    assert check_feasibility(pool, include=["a", "c"]).feasible
    report = check_feasibility(pool, include=["a", "b"])
    assert not report.feasible
    assert any("whatever the quotas" in p for p in report.problems)
    assert report.relaxation == ()


def test_too_few_households_with_a_value():
    features = "feature,value,min,max\ng,x,2,2\ng,y,0,2\n"
    people = "id,g,household\na,x,H\nb,x,H\nc,y,K\nd,y,L\n"
    report = check_feasibility(parse_pool(features, people, 2))
    assert "g 'x': the minimum is 2 but the 2 volunteers with this value live in only 1 households" in report.problems
    assert report.relaxation == (Relaxation("g", "x", 2, 2, 1, 2),)


def test_included_people_over_a_maximum():
    features = "feature,value,min,max\ng,x,0,1\ng,y,0,2\n"
    people = "id,g\na,x\nb,x\nc,y\nd,y\n"
    report = check_feasibility(parse_pool(features, people, 2), include=["a", "b"])
    assert "g 'x': 2 people who must be included have this value but the maximum is 1" in report.problems
    assert report.relaxation == (Relaxation("g", "x", 0, 1, 0, 2),)
    assert any("raising it to 2" in p for p in report.problems)


def _change(report) -> int:
    return sum(r.min - r.new_min + r.new_max - r.max for r in report.relaxation)


def test_maximums_that_cannot_add_up_to_the_panel_are_relaxed_not_refused():
    features = "feature,value,min,max\ngender,f,1,1\ngender,m,0,1\nage,young,0,3\nage,old,0,3\n"
    people = "id,gender,age\na,f,young\nb,m,old\nc,f,old\nd,f,young\n"
    pool = parse_pool(features, people, 3)  # gender maximums add up to 2 < 3: a pool, with no panel
    report = check_feasibility(pool)
    assert not report.feasible
    assert report.relaxation == (Relaxation("gender", "f", 1, 1, 1, 2),)
    assert "gender 'f': no panel can keep to the maximum of 1; raising it to 2 would work" in report.problems
    assert find_panel(_relaxed(pool, report)) is not None


def test_minimums_that_add_up_to_more_than_the_panel_are_relaxed_not_refused():
    features = "feature,value,min,max\ngender,f,1,2\ngender,m,1,2\nage,young,2,2\nage,old,2,2\n"
    people = "id,gender,age\na,f,young\nb,m,old\nc,f,old\nd,m,young\n"
    pool = parse_pool(features, people, 3)  # age minimums add up to 4 > 3
    report = check_feasibility(pool)
    assert not report.feasible
    assert _change(report) == 1 and len(report.relaxation) == 1
    assert report.relaxation[0].feature == "age" and report.relaxation[0].new_min == 1
    assert any("lowering it to 1" in p for p in report.problems)
    assert find_panel(_relaxed(pool, report)) is not None
