"""An admin of a (fictional) council imports its ward boundaries in a browser, a faulty file first;
the process page then maps proposals per ward, a ward on the map opens its own list, and at 320 px
nothing scrolls sideways and axe finds no WCAG 2.2 AA fault."""

from __future__ import annotations

import json

import pytest

from pbapp.accounts.models import ADMIN
from tests import factories
from tests.councils.test_boundaries import FIXTURE, GOOD, _process_with_ward_proposals
from tests.e2e.test_council_setup_journey import _fits

pytestmark = pytest.mark.e2e


def test_an_admin_imports_boundaries_and_the_proposals_page_maps_them(page, app, db, demo, tmp_path):
    council = factories.council(
        db, slug="north-borough", name="North Borough Council", gss_code="E06000099", postcode_prefixes=""
    )
    factories.ward(db, council, name="Northgate", code="E05099001", adults=4000)
    factories.ward(db, council, name="Southfield", code="E05099002", adults=5000)
    admin = factories.user(db, council=council, role=ADMIN)
    process, wards = _process_with_ward_proposals(app, db, council)
    bad = tmp_path / "bad.geojson"
    broken = json.loads(json.dumps(GOOD))
    broken["features"][1]["geometry"] = {"type": "Point", "coordinates": [-30, 50]}
    bad.write_text(json.dumps(broken), encoding="utf-8")

    page.goto("/accounts/login")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home/**")
    page.get_by_role("link", name="Set up the council").first.click()
    page.get_by_role("link", name="Import ward boundaries").click()
    page.get_by_label("GeoJSON file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("Feature 2: Ward E05099002: Its geometry is a Point").wait_for()
    assert page.get_by_role("button", name="Import", exact=True).count() == 0
    _fits(page, "boundaries-refused")

    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("GeoJSON file").set_input_files(str(FIXTURE))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("img", name="The wards as they will be drawn").wait_for()
    _fits(page, "boundaries-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Boundaries imported for 2 wards").wait_for()

    page.goto(f"/pb/north-borough/processes/{process.id}")
    page.set_viewport_size({"width": 320, "height": 900})
    ward_map = page.get_by_role("group", name="Proposals by ward")
    ward_map.wait_for()
    box = ward_map.bounding_box()
    assert 200 <= box["width"] <= 320 and box["height"] > 100  # drawn, and within a phone's width
    assert page.locator("#proposals-by-ward-table").is_visible()  # the same figures as a table
    _fits(page, "proposals-by-ward")
    page.set_viewport_size({"width": 320, "height": 900})
    page.get_by_role("link", name="Northgate: 3 proposals").click()
    page.wait_for_url(f"**ward={wards['Northgate'].id}**")
    page.get_by_role("heading", name="Proposals for Northgate").wait_for()
