"""An officer uploads volunteers as spreadsheets really come (semicolons, faults on several lines), with the
page's column guide and templates, then fills quotas from the census, on a phone and a desktop."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import on_the_pool_after_import
from tests.sortition import factories

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [320, 1280])
def test_officer_uploads_a_semicolon_file_fixes_its_faults_and_fills_from_the_census(
    page, sign_in, db, demo, width, tmp_path
):
    pool = factories.pool(
        db,
        demo,
        people=0,
        quotas=(("sex", "Female", 1, 3), ("sex", "Male", 1, 3), ("age", "18-24", 0, 4), ("age", "Under 18", 0, 4)),
    )
    db.commit()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in("officer")
    page.goto(f"/sortition/{demo.slug}/pools/{pool.id}")
    page.get_by_role("link", name="Upload volunteers from a CSV or Excel file").click()
    page.get_by_role("heading", name="Columns each file needs").wait_for()
    assert page.locator("#upload-templates a").count() == 4 and _no_sideways_scroll(page)
    with page.expect_download() as got:
        page.locator("#upload-templates a").nth(2).click()
    assert got.value.suggested_filename == f"people-template-pool-{pool.id}.csv"
    page.screenshot(path=str(tmp_path / f"upload-{width}.png"), full_page=True)

    features = "feature;value;min;max\nsex;Female;1;3\nsex;Male;1;3\nage;18-24;0;4\nage;Under 18;0;4\n"
    people = "id;sex;age\n" + "".join(f"P{i};{'Female' if i % 2 else 'Male'};18-24\n" for i in range(1, 9))
    people = people.replace("P3;Female", "P3;Woman").replace("P6;Male;18-24", "P6;Male;99")
    page.get_by_label("Features and quotas").set_input_files(
        {"name": "features.csv", "mimeType": "text/csv", "buffer": features.encode()}
    )
    page.get_by_label("Volunteers (people.csv").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": people.encode()}
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check the columns").wait_for()
    page.get_by_role("button", name="Check and import").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "people.csv, line 4: “Woman” is not a value of sex" in summary.inner_text()
    assert "people.csv, line 7: “99” is not a value of age" in summary.inner_text()
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / f"upload-faults-{width}.png"), full_page=True)

    page.get_by_role("link", name="Upload different files").click()
    page.get_by_label("Features and quotas").set_input_files(
        {"name": "features.csv", "mimeType": "text/csv", "buffer": features.encode()}
    )
    page.get_by_label("Volunteers (people.csv").set_input_files(
        {
            "name": "people.csv",
            "mimeType": "text/csv",
            "buffer": people.replace("Woman", "Female").replace(";99", ";18-24").encode(),
        }
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Check and import").click()
    on_the_pool_after_import(page, 8)

    page.get_by_role("link", name="Change the quotas").click()
    page.get_by_role("button", name="Fill from the census").click()
    page.get_by_text("3 of 4 values were filled from census figures").wait_for()
    assert "age: Under 18" in page.locator("#census-unfilled").inner_text()
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / f"census-{width}.png"), full_page=True)
