"""Volunteer uploads as officers make them: Excel workbooks, semicolons, every fault at once, templates, census."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from sqlmodel import func, select

from pbapp.errors import Invalid, InvalidRows
from pbapp.sortition import census, services, uploads
from pbapp.sortition.models import Person
from tests.sortition import data, factories

SOURCES = ("features.csv", "people.csv")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _xlsx(text: str) -> bytes:
    book = openpyxl.Workbook()
    for row in _rows(text):
        book.active.append([int(c) if c.isdigit() else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(db, council, pool, features: bytes, people: bytes, sources=SOURCES) -> int:
    found = services.upload_preview(features, people, "pbapp", sources)
    return services.import_upload(
        db,
        council,
        pool,
        features=features,
        people=people,
        fmt="pbapp",
        mapping=found.mapping,
        sources=sources,
        actor_id=None,
    )


def _count(db, pool) -> int:
    found = db.exec(select(func.count()).select_from(Person).where(Person.pool_id == pool.id)).one()
    db.commit()
    return found


def test_excel_workbooks_are_read(db, council, empty_pool):
    assert (
        _import(db, council, empty_pool, _xlsx(data.FEATURES), _xlsx(data.people(12)), ("features.xlsx", "people.xlsx"))
        == 12
    )
    person = db.exec(select(Person).where(Person.public_id == "P003")).one()
    assert person.feature_values() == {"sex": "Female", "age": "40+"}


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files_are_read(db, council, empty_pool, delimiter):
    features, people = (text.replace(",", delimiter).encode("utf-8-sig") for text in (data.FEATURES, data.people(12)))
    assert _import(db, council, empty_pool, features, people) == 12


def test_an_old_excel_file_is_refused_as_not_a_csv_file(db, council, empty_pool):
    with pytest.raises(Invalid, match="people.xls: this is an old Excel workbook"):
        services.upload_preview(
            data.FEATURES.encode(),
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "pbapp",
            ("features.csv", "people.xls"),
        )
    with pytest.raises(Invalid, match="people.pdf: this is not a CSV file"):
        services.upload_preview(data.FEATURES.encode(), b"%PDF-1.7 ...", "pbapp", ("features.csv", "people.pdf"))


def test_every_fault_is_reported_at_once_with_its_line(db, council, empty_pool):
    people = (
        data.people(12)
        .replace("P003,Female,40+", "P003,Woman,40+")
        .replace("P006,", "P002,")
        .replace("P009,Female,40+", ",Female,teen")
    )
    with pytest.raises(InvalidRows) as caught:
        _import(db, council, empty_pool, data.FEATURES.encode(), people.encode())
    faults = caught.value.faults
    assert faults == [
        "people.csv, line 4: “Woman” is not a value of sex in the features file (it lists Female, Male)",
        "people.csv, line 7: duplicate id “P002”, also on line 3",
        "people.csv, line 10: the volunteer id is empty",
        "people.csv, line 10: “teen” is not a value of age in the features file (it lists 18-39, 40+)",
    ]
    assert _count(db, empty_pool) == 0


def test_at_most_fifty_faults_are_listed_and_the_rest_counted(db, council, empty_pool):
    people = data.HEADER + "".join(data.person(i, age="unknown") for i in range(1, 61))
    with pytest.raises(InvalidRows) as caught:
        _import(db, council, empty_pool, data.FEATURES.encode(), people.encode())
    faults = caught.value.faults
    assert (
        len(faults) == 51
        and faults[0].startswith("people.csv, line 2:")
        and faults[49].startswith("people.csv, line 51:")
    )
    assert faults[50] == "10 more problems are not shown. Fix these and upload the file again."


def test_too_few_volunteers_is_reported_with_the_other_faults(db, council, empty_pool):
    with pytest.raises(InvalidRows) as caught:
        _import(db, council, empty_pool, data.FEATURES.encode(), data.people(3).replace("P002,", "P001,").encode())
    assert "panel needs 4" in caught.value.faults[0] and "duplicate id “P001”" in caught.value.faults[1]


def test_every_missing_feature_column_is_named(db, council, empty_pool):
    people = data.people(12).replace("id,sex,age,", "id,gender,agegroup,", 1)
    with pytest.raises(InvalidRows) as caught:
        _import(db, council, empty_pool, data.FEATURES.encode(), people.encode())
    assert [f.split("“")[1].split("”")[0] for f in caught.value.faults] == ["sex", "age"]


def _upload(client, slug, pool, features: bytes, people: bytes, names=SOURCES):
    return client.post(
        f"/sortition/{slug}/pools/{pool.id}/upload",
        data={
            "file_format": "pbapp",
            "features": (io.BytesIO(features), names[0]),
            "people": (io.BytesIO(people), names[1]),
        },
        content_type="multipart/form-data",
    )


def test_the_page_says_which_columns_are_needed_and_its_templates_round_trip(client, login_as, db, demo):
    login_as("officer")
    pool = factories.pool(db, demo, people=0)
    page = client.get(f"/sortition/{demo.slug}/pools/{pool.id}/upload").get_data(as_text=True)
    assert "Columns each file needs" in page and "feature, value, min and max" in page
    links = re.findall(r'href="([^"]+/upload/(?:features|people)\.(?:csv|xlsx))"', page)
    assert len(links) == 4
    got = {link.rsplit("/", 1)[1]: client.get(link) for link in links}
    assert all(r.status_code == 200 for r in got.values())
    assert _rows(got["features.csv"].get_data(as_text=True)) == _rows(data.FEATURES)
    assert _rows(got["people.csv"].get_data(as_text=True)) == [
        ["id", "sex", "age", "household", "name", "email", "phone", "address", "postcode"]
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(got["features.xlsx"].data)).active
    assert [c.value for c in sheet[2]] == ["sex", "Female", 1, 3]
    # A template filled in and uploaded as it is comes to the column check with every column matched.
    people = got["people.csv"].get_data(as_text=True) + "".join(data.person(i) for i in range(1, 13))
    mapped = _upload(
        client, demo.slug, pool, got["features.xlsx"].data, people.encode(), ("features.xlsx", "people.csv")
    )
    html = mapped.get_data(as_text=True)
    assert mapped.status_code == 200 and "people.csv has 12 volunteers" in html
    assert client.get(f"/sortition/{demo.slug}/pools/{pool.id}/upload/other.csv").status_code == 404


def test_a_semicolon_workbook_export_is_not_a_missing_column(client, login_as, db, demo):
    login_as("officer")
    pool = factories.pool(db, demo, people=0)
    response = _upload(
        client, demo.slug, pool, data.FEATURES.replace(",", ";").encode(), data.people(12).replace(",", ";").encode()
    )
    assert response.status_code == 200 and "people.csv has 12 volunteers" in response.get_data(as_text=True)


CENSUS_QUOTAS = (
    ("Gender", "Woman", 0, 30),
    ("Gender", "Man", 0, 30),
    ("Gender", "Another way", 0, 30),
    ("age", "18 to 24", 0, 30),
    ("age", "75 and over", 0, 30),
    ("age", "Under 18", 0, 30),
)


def _census(client, slug, pool, **extra):
    return client.post(f"/sortition/{slug}/pools/{pool.id}/quotas", data={"action": "census", **extra})


def test_fill_from_the_census_shows_its_matches_and_what_it_did_not_fill(client, login_as, db, demo):
    login_as("officer")
    pool = factories.pool(db, demo, quotas=CENSUS_QUOTAS, panel_size=30, people=40)
    values = {v.value: v.id for _f, vs in services.features_of(db, pool) for v in vs}
    db.commit()
    html = _census(client, demo.slug, pool).get_data(as_text=True)
    assert "4 of 6 values were filled from census figures" in html
    unfilled = re.search(r'<ul[^>]*id="census-unfilled">(.*?)</ul>', html, re.S).group(1)
    assert "Gender: Another way" in unfilled and "age: Under 18" in unfilled and "Woman" not in unfilled
    chosen = {}
    for value_id, body in re.findall(r'<select[^>]*name="census_(\d+)"[^>]*>(.*?)</select>', html, re.S):
        if picked := re.search(r'<option value="([^"]*)" selected>', body):
            chosen[value_id] = picked.group(1)
    assert chosen[str(values["Woman"])] == "sex|Female" and chosen[str(values["18 to 24"])] == "age|18-24"
    assert str(values["Under 18"]) not in chosen
    assert re.search(rf'id="min_{values["18 to 24"]}"[^>]*value="3"', html)  # 11.7% of 30 = 3.5
    # The officer maps one more value by hand and fills again; a value mapped to nothing stays as it was.
    form = {
        "census_shown": "1",
        **{f"census_{i}": v for i, v in chosen.items()},
        f"census_{values['Another way']}": "sex|Female",
        f"min_{values['Under 18']}": "0",
        f"max_{values['Under 18']}": "2",
    }
    again = _census(client, demo.slug, pool, **form).get_data(as_text=True)
    assert "5 of 6 values were filled" in again and "Gender: Another way" not in re.search(
        r'id="census-unfilled">(.*?)</ul>', again, re.S
    ).group(1)
    assert re.search(rf'id="max_{values["Under 18"]}"[^>]*value="2"', again)


def test_fill_from_the_census_says_so_when_the_council_has_no_figures(client, login_as, db, demo, monkeypatch):
    login_as("officer")
    monkeypatch.setattr(census, "CENSUS_GSS_CODES", ())
    pool = factories.pool(db, demo, quotas=CENSUS_QUOTAS, panel_size=30, people=40)
    html = _census(client, demo.slug, pool).get_data(as_text=True)
    assert "There are no census figures for this council, so no target was filled." in html
    assert "were filled from census" not in html


def test_refusals_and_faults_are_in_the_readers_language(app):
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        with pytest.raises(Invalid, match="llyfr gwaith Excel hen"):
            services.upload_preview(
                data.FEATURES.encode(),
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
                "pbapp",
                ("features.csv", "people.xls"),
            )
        with pytest.raises(InvalidRows) as caught:
            uploads.parse(
                data.FEATURES.encode(),
                data.people(12).replace("P002,Male", "P002,Dyn").encode(),
                "pbapp",
                {"id": "id", "feature:sex": "sex", "feature:age": "age"},
                panel_size=4,
                salt="s",
                sources=SOURCES,
            )
        assert caught.value.faults == [
            "people.csv, llinell 3: nid yw “Dyn” yn un o werthoedd sex yn y ffeil nodweddion "
            "(mae’n rhestru Female, Male)"
        ]


def test_every_fault_of_the_features_file_is_reported_at_once(db, council, empty_pool):
    features = (
        "feature,value,min,max\nsex,Female,one,3\nsex,Male,3,1\n,Other,0,1\nage,18-39,1,3\n"
        "age,18-39,1,3\nage,40+,1,-2\n"
    )
    with pytest.raises(InvalidRows) as caught:
        services.upload_preview(features.encode(), data.people(12).encode(), "pbapp", SOURCES)
    assert caught.value.faults == [
        "features.csv, line 2: min must be a whole number, got “one”",
        "features.csv, line 3: sex “Male”: the max (1) is below the min (3)",
        "features.csv, line 4: the feature is empty",
        "features.csv, line 6: age “18-39” is listed twice, also on line 5",
        "features.csv, line 7: max must be a whole number, got “-2”",
    ]
