"""A Sortition Foundation pool with flexible quotas: it imports, selects and exports in the Foundation's layout.

The pool is the shared OpenDLP fixture (sortitionfoundation/opendlp), written out as the Foundation's
tools read it: a categories file with min_flex/max_flex and a respondents file with split names.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from pbapp.core.csv_writer import write_csv
from pbapp.errors import Invalid
from pbapp.sortition import services
from pbapp.sortition.models import Feature, FeatureValue, Person, PersonContact, SelectionRun
from tests.shared_data import SHARED_DATA
from tests.sortition import factories

POOL = SHARED_DATA / "sortition" / "opendlp_30"
SOURCES = ("categories.csv", "respondents.csv")


def _rows(name: str) -> list[dict[str, str]]:
    with open(POOL / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def categories() -> bytes:
    """The quotas with flexible bounds two either side (never below 0)."""
    rows = [
        [r["feature"], r["value"], r["min"], r["max"], max(0, int(r["min"]) - 2), int(r["max"]) + 2]
        for r in _rows("features.csv")
    ]
    return write_csv(["category", "name", "min", "max", "min_flex", "max_flex"], rows).encode()


def respondents() -> bytes:
    people = _rows("people.csv")
    features = [c for c in people[0] if c != "id"]
    header = ["unique_id", "first_name", "last_name", "email", *features, "primary_address1", "primary_zip"]
    rows = [
        [
            p["id"],
            f"First{p['id']}",
            f"Last{p['id']}",
            f"r{p['id']}@example.org",
            *(p[f] for f in features),
            f"{p['id']} High Street",
            "BB2 6AT",
        ]
        for p in people
    ]
    return write_csv(header, rows).encode()


def _import(db, council, pool, features: bytes, people: bytes) -> int:
    found = services.upload_preview(features, people, "sortition_foundation", SOURCES)
    assert found.mapping["id"] == "unique_id" and found.mapping["name"] == ""
    return services.import_upload(
        db,
        council,
        pool,
        features=features,
        people=people,
        fmt="sortition_foundation",
        mapping=found.mapping,
        sources=SOURCES,
        actor_id=None,
    )


@pytest.fixture
def foundation_pool(db, demo):
    pool = factories.pool(db, demo, people=0, panel_size=30, name="OpenDLP monitoring pool")
    assert _import(db, demo, pool, categories(), respondents()) == 100
    return pool


def test_flexible_quotas_and_combined_names_are_imported(db, foundation_pool):
    values = db.exec(select(FeatureValue).join(Feature).where(Feature.pool_id == foundation_pool.id)).all()
    expected = {(r["value"]): (max(0, int(r["min"]) - 2), int(r["max"]) + 2) for r in _rows("features.csv")}
    assert {v.value: (v.min_flex, v.max_flex) for v in values} == expected
    person = db.exec(select(Person).where(Person.pool_id == foundation_pool.id, Person.public_id == "7")).one()
    contact = db.exec(select(PersonContact).where(PersonContact.person_id == person.id)).one()
    assert contact.name == "First7 Last7"


def _few_women(flex_below: int) -> tuple[bytes, bytes]:
    """Only 10 women in the pool while the quota asks for at least 14: the women's minimum must come down."""
    people = respondents().decode().splitlines()
    header, rows = people[0].split(","), [r.split(",") for r in people[1:]]
    column = header.index("gender")
    women = [r for r in rows if r[column] == "Female"]
    for row in women[10:]:
        row[column] = "Male"
    lines = categories().decode().splitlines()
    for n, line in enumerate(lines):
        cells = line.split(",")
        if cells[1] == "Female":
            cells[4] = str(max(0, int(cells[2]) - flex_below))
            lines[n] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode(), ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode()


@pytest.mark.parametrize(("flex_below", "beyond"), [(2, True), (14, False)])
def test_the_quota_check_keeps_within_the_flexible_bounds(db, demo, flex_below, beyond):
    pool = factories.pool(db, demo, people=0, panel_size=30)
    features, people = _few_women(flex_below)
    _import(db, demo, pool, features, people)
    report = services.check_quotas(db, pool, {}, False)
    assert not report.feasible
    assert any(p.code == "quota.beyond_flex" for p in report.problems) is beyond
    female = next(r for r in report.relaxation if r.value == "Female")
    assert female.new_min <= 10


def test_saving_quotas_keeps_each_flexible_bound_outside_them(db, demo, foundation_pool):
    features = services.features_of(db, foundation_pool)
    gender = next(values for feature, values in features if feature.name == "gender")
    female = next(v for v in gender if v.value == "Female")
    services.save_quotas(db, demo, foundation_pool, {female.id: (11, 30)}, False, None)
    db.refresh(female)
    assert (female.min, female.max, female.min_flex, female.max_flex) == (11, 30, 11, 30)


def test_a_foundation_file_with_a_flexible_bound_inside_its_quota_is_refused(db, demo):
    pool = factories.pool(db, demo, people=0, panel_size=30)
    bad = categories().decode().splitlines()
    cells = bad[2].split(",")
    cells[4] = str(int(cells[2]) + 1)  # min_flex above min
    bad[2] = ",".join(cells)
    with pytest.raises(Invalid) as refused:
        _import(db, demo, pool, ("\n".join(bad) + "\n").encode(), respondents())
    assert any(
        "categories.csv, line 3" in fault and "min_flex" in fault
        for fault in getattr(refused.value, "faults", [str(refused.value)])
    )
    assert db.exec(select(Person).where(Person.pool_id == pool.id)).first() is None


def test_the_drawn_panel_exports_as_selected_and_remaining(app, client, login_as, db, demo, foundation_pool):
    run = factories.drawn_run(app, db, demo, foundation_pool)
    panel = run.panel_ids()
    assert len(panel) == 30
    login_as("officer")
    tables = {}
    for part in ("selected", "remaining"):
        response = client.get(f"/sortition/{demo.slug}/runs/{run.id}/{part}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        tables[part] = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header = ["id", "name", "email", "phone", "address", "postcode", "gender", "ethnicity", "province", "education"]
    assert tables["selected"][0] == header == tables["remaining"][0]
    assert [r[0] for r in tables["selected"][1:]] == panel
    assert len(tables["remaining"]) - 1 == 70
    assert {r[0] for r in tables["remaining"][1:]} == {p["id"] for p in _rows("people.csv")} - set(panel)
    people = {p["id"]: p for p in _rows("people.csv")}
    for row in tables["selected"][1:]:
        assert row[1] == f"First{row[0]} Last{row[0]}" and row[2] == f"r{row[0]}@example.org"
        assert row[6:] == [people[row[0]][f] for f in header[6:]]
    # Every quota holds on the exported panel.
    for q in _rows("features.csv"):
        count = sum(1 for r in tables["selected"][1:] if r[header.index(q["feature"])] == q["value"])
        assert int(q["min"]) <= count <= int(q["max"]), q


def test_the_export_needs_a_drawn_panel_and_an_officer(app, client, login_as, db, demo, foundation_pool):
    run = factories.drawn_run(app, db, demo, foundation_pool, draw=False)
    assert client.get(f"/sortition/{demo.slug}/runs/{run.id}/selected.csv").status_code in (302, 401, 403)
    login_as("officer")
    assert client.get(f"/sortition/{demo.slug}/runs/{run.id}/selected.csv").status_code == 409
    assert db.get(SelectionRun, run.id).status != "complete"


def test_the_mapping_page_says_first_and_last_names_are_combined(client, login_as, db, demo):
    pool = factories.pool(db, demo, people=0, panel_size=30)
    login_as("officer")
    page = client.post(
        f"/sortition/{demo.slug}/pools/{pool.id}/upload",
        data={
            "file_format": "sortition_foundation",
            "features": (io.BytesIO(categories()), "categories.csv"),
            "people": (io.BytesIO(respondents()), "respondents.csv"),
        },
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    assert "“first_name” and “last_name” are combined" in html
