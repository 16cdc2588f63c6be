"""A council's admin sets it up in a browser: GSS code and logo, postcodes imported after a
preview that first refuses a faulty file, a role removed; at 320 px nothing scrolls sideways."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from pbapp.councils.models import WARD, Area, Postcode

from tests.e2e.helpers import wcag_violations

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("PBAPP_SCREENSHOTS")


def _fits(page, name: str) -> None:
    """No sideways scroll at 320 px or 1280 px, and axe-core finds no WCAG 2.2 AA fault."""
    violations = wcag_violations(page)
    assert violations == [], f"{name}: {violations}"
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1 && !e.closest('.app-table-scroll')).map(e => e.tagName + '.'"
            " + e.className).slice(0, 5)"
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} at {width}px: {wide}"
        )
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_admin_sets_up_the_council_from_their_account(page, sign_in, demo, db, tmp_path):
    wards = db.exec(select(Area).where(Area.council_id == demo.id, Area.kind == WARD).order_by(Area.name)).all()
    first, second = wards[0], wards[1]
    good = tmp_path / "postcodes.csv"
    good.write_text(
        f"pcds,osward,lad\nBB1 1AA,{first.code},E06000008\nBB2 2BB,{second.code},E06000008\n"
        f"PR1 1AA,E05000001,E07000123\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(f"pcds,osward,lad\nBB1 1AA,{first.code},E06000008\nNOPE,{first.code},E06000008\n", encoding="utf-8")
    logo = tmp_path / "logo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), (0, 90, 160)).save(buffer, format="PNG")
    logo.write_bytes(buffer.getvalue())

    sign_in("admin")
    page.get_by_role("link", name="Set up the council").click()
    page.get_by_label("Logo (optional)").set_input_files(str(logo))
    page.get_by_role("button", name="Save details").click()
    page.get_by_text("The council’s details have been saved.").wait_for()
    assert page.locator("img.app-council-logo").count() == 1
    _fits(page, "setup")

    page.get_by_role("link", name="Import postcodes").first.click()
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("Line 3: “NOPE” is not a postcode.").wait_for()
    assert page.get_by_role("button", name="Import", exact=True).count() == 0
    _fits(page, "import-refused")

    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("Lines for other councils, left out").wait_for()
    _fits(page, "import-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Postcodes imported: 2, replacing the 0 held before.").wait_for()
    db.commit()
    assert sorted(p.postcode for p in db.exec(select(Postcode))) == ["BB11AA", "BB22BB"]

    page.get_by_role("link", name="Add a neighbourhood").click()
    page.wait_for_url("**/setup/neighbourhoods/new")
    _fits(page, "neighbourhood")
    page.get_by_label("Name", exact=True).fill("Town centre")
    page.get_by_label(first.name).check()
    page.get_by_role("button", name="Save the neighbourhood").click()
    page.get_by_text("The neighbourhood has been saved.").wait_for()

    page.get_by_role("link", name="People and roles").first.click()
    _fits(page, "members")
    page.get_by_role("button", name="Remove role Imran Hussain").click()
    page.get_by_text("The role has been removed.").wait_for()

    page.get_by_role("link", name="Cymraeg").click()
    page.goto(f"/councils/{demo.slug}/setup")
    page.get_by_role("heading", name="Sefydlu’r cyngor").wait_for()
    _fits(page, "setup-cy")
