"""The address lottery from a jury's page: upload, choose and preview the shares, draw, download."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlmodel import func, select

from pbapp.audit import AuditEvent
from pbapp.core.sortition.addresses import draw_addresses, read_addresses
from pbapp.pending import PendingUpload
from pbapp.sortition import services as sortition_services
from pbapp.sortition.models import InvitationCode
from tests.conftest import ROLE_EMAILS, login
from tests.core.sortition.test_addresses import address_list
from tests.juries import factories

SEED = "Lotto 5 Dec 2026: 3 14 22 31 40 47"


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"LETTERS_DIR": str(tmp_path / "letters")}


@pytest.fixture
def jury(db, demo):
    return factories.jury(db, demo)


@pytest.fixture
def officer(client):
    login(client, ROLE_EMAILS["officer"])
    return client


def _upload(client, demo, jury, text: str | bytes, name: str = "addresses.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        f"/juries/{demo.slug}/{jury.id}/addresses",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _codes(db, jury) -> int:
    found = db.exec(
        select(func.count()).select_from(InvitationCode).where(InvitationCode.pool_id == jury.pool_id)
    ).one()
    db.commit()
    return found


def test_the_jury_page_links_to_the_address_draw(officer, demo, jury):
    page = officer.get(f"/juries/{demo.slug}/{jury.id}").get_data(as_text=True)
    assert f"/juries/{demo.slug}/{jury.id}/addresses" in page


def test_an_officer_previews_the_shares_then_downloads_the_letters_with_codes(officer, db, demo, jury):
    response = _upload(officer, demo, jury, address_list(300))
    assert response.status_code == 303
    form = officer.get(response.location).get_data(as_text=True)
    assert re.search(r'<option (selected value="uprn"|value="uprn" selected)', form)  # the UPRN column suggested
    assert '<dd class="govuk-summary-list__value">300</dd>' in form  # the addresses counted
    choices = {"letters": "30", "id_column": "uprn", "strata": ["area", "imd_decile"], "seed": SEED}
    preview = officer.post(response.location, data={**choices, "action": "preview"}).get_data(as_text=True)
    assert 'id="address-strata"' in preview and SEED in preview and 'value="draw"' in preview
    expected = draw_addresses(
        read_addresses(address_list(300), strata_columns=("area", "imd_decile"))[0], 30, SEED, ("area", "imd_decile")
    )
    assert _codes(db, jury) == 0  # a preview issues nothing
    drawn = officer.post(response.location, data={**choices, "action": "draw"})
    assert drawn.status_code == 303  # to the page of both downloads, the CSV and the letters
    downloads = officer.get(drawn.location).get_data(as_text=True)
    assert f"/juries/{demo.slug}/{jury.id}/invitation-letters.pdf" in downloads
    got = officer.get(f"/juries/{demo.slug}/{jury.id}/invitation-letters.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert "attachment" in got.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(got.get_data(as_text=True))))
    got.close()
    assert [r["uprn"] for r in rows] == [a.id for a in expected.chosen]  # the same draw as the CLI's core
    assert set(rows[0]) == {"uprn", "address", "postcode", "area", "imd_decile", "rank", "registration_code"}
    assert _codes(db, jury) == 30
    _code, pool = sortition_services.open_code(db, demo, rows[0]["registration_code"])
    assert pool.id == jury.pool_id
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "jury.addresses_drawn")).one()
    payload = json.loads(event.payload)
    assert payload["seed"] == SEED and payload["letters"] == 30 and payload["strata"] == ["area", "imd_decile"]
    assert db.exec(select(PendingUpload)).all() == []  # one upload, one set of letters
    db.commit()
    assert officer.post(response.location, data={**choices, "action": "draw"}).status_code == 404


@pytest.mark.parametrize(
    "text, message",
    [
        ("uprn,area\n1,A\n1,B\n", "addresses.csv, line 3: address &#39;1&#39; is listed twice (first on line 2)"),
        ("uprn,area\n1,A\n,B\n", "addresses.csv, line 3: empty &#39;uprn&#39;"),
    ],
)
def test_a_faulty_list_names_its_line_and_issues_no_code(officer, db, demo, jury, text, message):
    response = _upload(officer, demo, jury, text)
    page = officer.post(
        response.location,
        data={"letters": "1", "id_column": "uprn", "strata": ["area"], "seed": SEED, "action": "draw"},
    )
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert _codes(db, jury) == 0


@pytest.mark.parametrize(
    "text, message",
    [
        ("uprn,area\n", "addresses.csv has no addresses under its first line."),
        ("uprn,,area\n1,x,A\n", "addresses.csv, line 1: every column needs a name of its own."),
        ("uprn,area\n1,Caf\u00e9\n".encode("cp1252"), "line 2"),
    ],
)
def test_an_unreadable_list_is_refused_at_upload(officer, db, demo, jury, text, message):
    response = _upload(officer, demo, jury, text)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.exec(select(PendingUpload)).all() == []
    db.commit()


@pytest.mark.parametrize(
    "letters, seed, strata, message",
    [
        ("0", SEED, [], "Enter a number of letters from 1 to 5000"),
        ("11", SEED, [], "Enter a number of letters from 1 to 10."),
        ("2", "", [], "Enter the public seed of the draw"),
        ("2", SEED, ["uprn"], "Stratify by other columns than the address id."),
    ],
)
def test_bad_choices_are_refused_beside_their_field(officer, db, demo, jury, letters, seed, strata, message):
    response = _upload(officer, demo, jury, address_list(10))
    page = officer.post(
        response.location,
        data={"letters": letters, "id_column": "uprn", "strata": strata, "seed": seed, "action": "draw"},
    )
    assert page.status_code == 422 and message in page.get_data(as_text=True)
    assert _codes(db, jury) == 0
