"""A resident follows all public money from the council's home page to an outcome area; an officer imports a
body's budget and maps its lines, all by links. No page scrolls sideways on a 320 px phone."""

from __future__ import annotations

import os

import pytest

from tests.e2e.helpers import fill_date, says

pytestmark = pytest.mark.e2e

SLUG = "blackburn-with-darwen"
CSV = b'service_line,amount,devolved\nYouth employment support,"1,200",300\nAdult claimants,8800,\nTotal,10000,\n'
SHOTS = os.environ.get("PBAPP_SCREENSHOTS")  # a folder to keep screenshots in, to look at them


def _fits(page, name: str) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_load_state("load")  # the stylesheet applied, on a loaded machine too
        fits = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        try:  # a page laid out for the old width a moment after the resize is given up to 2 s to reflow
            page.wait_for_function(fits, timeout=2_000)
        except Exception:  # noqa: BLE001  (the assertion below says by how much it does not fit)
            pass
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"places-{name}-{width}.png"), full_page=True)


def test_a_resident_finds_what_every_body_spends_on_youth_unemployment(page):
    page.goto(f"/councils/{SLUG}/")
    page.get_by_role("link", name="All public money in this area: council, NHS, police, fire and more").click()
    page.get_by_role("link", name="Blackburn with Darwen", exact=True).click()
    _fits(page, "place")
    page.get_by_role("link", name="Youth unemployment", exact=True).click()
    _fits(page, "area")
    table = page.get_by_role("table", name="What each body spends on Youth unemployment")
    text = table.inner_text()
    assert "Blackburn with Darwen Borough Council" in text and "NHS Lancashire and South Cumbria" in text
    assert "All bodies" in text
    page.get_by_role("link", name="Print view").click()
    _fits(page, "print")
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Open data").click()
    _fits(page, "open-data")


def test_an_officer_imports_a_bodys_budget_and_maps_its_lines(page, sign_in):
    sign_in("officer")
    page.goto(f"/councils/{SLUG}/")
    page.get_by_role("link", name="All public money in this area: council, NHS, police, fire and more").click()
    page.get_by_role("link", name="Blackburn with Darwen", exact=True).click()
    page.get_by_label("Name of the body").fill("Jobcentre Plus, Blackburn and Darwen")
    page.get_by_label("Kind of body").select_option("jobcentre_plus")
    page.get_by_role("button", name="Add the body").click()
    page.get_by_text("The body has been added. Import its budget next.").wait_for()
    page.get_by_role("link", name="Import a budget").click()
    page.get_by_label("Budget file (CSV or Excel .xlsx)").set_input_files(
        {"name": "jobcentre.csv", "mimeType": "text/csv", "buffer": CSV.replace(b"10000", b"9000")}
    )
    page.get_by_label("Financial year").fill("2026-27")
    page.get_by_label("Source document").fill("DWP spending by district, 2026-27")
    fill_date(page, "Date of the source", "2026-05-01")
    page.get_by_role("button", name="Check the file").click()
    assert (
        "Line 4 (amount): the stated total £9,000 is not the sum of the lines £10,000"
        in page.locator("#import-errors").inner_text()
    )
    _fits(page, "import-errors")
    page.get_by_label("Budget file (CSV or Excel .xlsx)").set_input_files(
        {"name": "jobcentre.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("Matches the stated total").wait_for()
    _fits(page, "import-preview")
    page.get_by_role("button", name="Save this budget").click()
    page.get_by_text("The budget has been saved.").wait_for()
    page.get_by_role("link", name="Youth unemployment", exact=True).click()
    page.get_by_label("Share of “Youth employment support” (%)").fill("100")
    page.get_by_label("Share of “Adult claimants” (%)").fill("5")
    _fits(page, "shares")
    page.get_by_role("button", name="Save the mapping").click()
    page.get_by_text("The lines have been mapped.").wait_for()
    row = page.get_by_role("row", name="Jobcentre Plus, Blackburn and Darwen")
    assert "£1,640" in row.inner_text()  # all of £1,200 and 5% of £8,800


def test_a_resident_petitions_the_committee_and_an_officer_publishes_its_decision(page, sign_in):
    sign_in("resident")
    page.goto(f"/councils/{SLUG}/")
    page.get_by_role("link", name="All public money in this area: council, NHS, police, fire and more").click()
    page.get_by_role("link", name="Blackburn with Darwen", exact=True).click()
    page.get_by_role("link", name="Public accounts committee").click()
    _fits(page, "committee")
    page.get_by_role("link", name="Start a petition").click()
    page.get_by_role("button", name="Open the petition").click()
    assert "Enter what the committee should look into" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("What should the committee look into?").fill("Fire safety checks for older people")
    page.get_by_label("What do you want examined, and why?").fill("Whether home safety visits reach Darwen.")
    page.get_by_role("button", name="Open the petition").click()
    page.get_by_text("Your petition is open, with your signature on it.").wait_for()
    assert "You have signed" in page.content() and "Imran Hussain" not in page.content()
    _fits(page, "petition")
    page.get_by_role("button", name="Sign out").click()

    sign_in("officer")
    page.goto(f"/councils/{SLUG}/")
    page.get_by_role("link", name="All public money in this area: council, NHS, police, fire and more").click()
    page.get_by_role("link", name="Blackburn with Darwen", exact=True).click()
    page.get_by_role("link", name="Public accounts committee").click()
    page.get_by_role("link", name="Fire safety checks for older people").click()
    page.get_by_role("link", name="Publish the committee’s decision").click()
    page.get_by_label("Decline").check()
    page.get_by_label("Reasons", exact=True).fill(
        "The fire authority's own scrutiny panel reviews home safety visits in March."
    )
    fill_date(page, "Date of the decision", "2027-01-14")
    page.get_by_role("button", name="Publish the decision").click()
    page.get_by_text("The committee’s decision has been published.").wait_for()
    says(page, "The committee declined")
