"""Use cases of a place's public money: imports that change nothing until clean, shares capped at 100%, outcome sums."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.places import services
from pbapp.places.models import BodyBudget, BodyBudgetLine, LineShare
from tests import factories as base
from tests.places import factories

CSV = "service_line,amount,devolved\nPolicing,1000,100\nPrevention,200,\nTotal,1200,\n"


def _import(db, council, place, body, text=CSV, year="2026-27"):
    return services.import_budget(
        db,
        council.slug,
        place.id,
        body.id,
        csv_text=text,
        thousands=False,
        financial_year=year,
        basis="budget",
        source_title="PCC budget report",
        source_url="https://example.org/b.pdf",
        source_date=date(2026, 2, 1),
        actor_id=None,
    )


@pytest.fixture
def setup(db):
    council = base.council(db)
    place = factories.place(db, council)
    return council, place, factories.body(db, place, name="Police", kind="police_and_crime_commissioner")


def test_an_import_saves_lines_in_pence_with_its_source_and_replaces_the_same_year(db, setup):
    council, place, body = setup
    first = _import(db, council, place, body)
    assert (first.total_pence, first.devolved_pence, first.source_title) == (120_000, 10_000, "PCC budget report")
    again = _import(db, council, place, body, text="service_line,amount\nPolicing,5\nTotal,5\n")
    budgets = db.exec(select(BodyBudget).where(BodyBudget.body_id == body.id)).all()
    assert [b.id for b in budgets] == [again.id]
    assert [(line.service_line, line.amount_pence) for line in db.exec(select(BodyBudgetLine)).all()] == [
        ("Policing", 500)
    ]


def test_a_file_that_does_not_reconcile_saves_nothing(db, setup):
    council, place, body = setup
    with pytest.raises(services.ImportRejected) as refused:
        _import(db, council, place, body, text="service_line,amount\nPolicing,1000\nTotal,999\n")
    assert refused.value.errors[0].line == 3
    assert db.exec(select(BodyBudget)).all() == []


def test_another_councils_place_is_not_found(db, setup):
    council, place, body = setup
    other = base.council(db)
    with pytest.raises(NotFound):
        services.place_detail(db, other.slug, place.id)
    with pytest.raises(NotFound):
        services.body_detail(db, council.slug, place.id, body.id + 999)


def test_names_are_unique_within_a_place(db, setup):
    council, place, body = setup
    with pytest.raises(Conflict):
        services.add_body(db, council.slug, place.id, name="Police", kind="fire_authority", website="", actor_id=None)
    with pytest.raises(Invalid):
        services.add_body(db, council.slug, place.id, name="X", kind="bank", website="", actor_id=None)
    services.add_area(db, council.slug, place.id, name="Safety", description="", actor_id=None)
    with pytest.raises(Conflict):
        services.add_area(db, council.slug, place.id, name="Safety", description="", actor_id=None)


def test_shares_sum_to_at_most_100_percent_per_line_across_areas(db, setup):
    council, place, body = setup
    _import(db, council, place, body)
    safety, youth = factories.area(db, place, name="Safety"), factories.area(db, place, name="Youth")
    assert (
        services.set_shares(
            db, council.slug, place.id, safety.id, body.id, shares={"Policing": 7000, "Prevention": 0}, actor_id=None
        )
        == 1
    )
    with pytest.raises(Invalid, match="30%"):
        services.set_shares(db, council.slug, place.id, youth.id, body.id, shares={"Policing": 3001}, actor_id=None)
    with pytest.raises(Invalid, match="not a service line"):
        services.set_shares(db, council.slug, place.id, youth.id, body.id, shares={"Fraud": 100}, actor_id=None)
    services.set_shares(db, council.slug, place.id, youth.id, body.id, shares={"Policing": 3000}, actor_id=None)
    assert sorted(s.basis_points for s in db.exec(select(LineShare)).all()) == [3000, 7000]


def test_an_outcome_area_sums_every_body_with_the_change_on_last_year_and_the_devolved_share(db, setup):
    council, place, police = setup
    fire = factories.body(db, place, name="Fire", kind="fire_authority")
    factories.budget(db, police, [("Policing", 1_000_000, 100_000)], year="2026-27")
    factories.budget(db, police, [("Policing", 800_000, 0)], year="2025-26")
    factories.budget(db, fire, [("Prevention", 300_001, 0)], year="2026-27")
    safety = factories.area(db, place, name="Safety")
    factories.share(db, safety, police, "Policing", 5000)
    factories.share(db, safety, fire, "Prevention", 5000)
    _view, summary = services.area_detail(db, council.slug, place.id, safety.id)
    rows = {row.body.name: row for row in summary.bodies}
    assert (rows["Police"].amount, rows["Police"].before, rows["Police"].change, rows["Police"].change_tenths) == (
        500_000,
        400_000,
        100_000,
        250,
    )
    assert (rows["Fire"].amount, rows["Fire"].before) == (150_001, None)
    assert (summary.amount, summary.devolved, summary.before, summary.devolved_tenths) == (650_001, 50_000, 400_000, 77)


def test_exports_are_csv_and_json_in_pence(db, setup):
    council, place, body = setup
    _import(db, council, place, body)
    area = factories.area(db, place)
    factories.share(db, area, body, "Prevention", 10_000)
    spending = services.export(db, council.slug, place.id, "spending", "csv").content.splitlines()
    assert spending == [
        "outcome_area,body,body_kind,financial_year,amount_pence,devolved_pence,previous_year_pence,change_pence",
        "Youth unemployment,Police,police_and_crime_commissioner,2026-27,20000,0,,",
    ]
    import json

    lines = json.loads(services.export(db, council.slug, place.id, "body_lines", "json").content)
    assert [(r["service_line"], r["amount_pence"], r["source_date"]) for r in lines["rows"]] == [
        ("Policing", 100_000, "2026-02-01"),
        ("Prevention", 20_000, "2026-02-01"),
    ]
    shares = services.export(db, council.slug, place.id, "shares", "csv").content.splitlines()
    assert shares[1] == "Youth unemployment,Police,Prevention,10000"
    with pytest.raises(NotFound):
        services.export(db, council.slug, place.id, "secrets", "csv")
