"""An officer records the council's response to an overdue PB result; the public page shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import fill_date, says

pytestmark = pytest.mark.e2e

SLUG = "blackburn-with-darwen"


def test_officer_records_a_response_and_the_public_sees_it(page, sign_in):
    sign_in("officer")
    page.goto(f"/ledger/{SLUG}/register")
    page.get_by_label("Decision").select_option("overdue")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Safer walking routes to school in Darwen South").click()
    says(page, "The council has not responded yet.")
    page.get_by_role("link", name="Record the council’s response").click()
    page.get_by_role("button", name="Save the response").click()
    assert "Choose what the council decided" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Partly accepted").check()
    page.get_by_label("Reasons", exact=True).fill(
        "A zebra crossing on Blackburn Road this year; kerb build-outs in 2027-28."
    )
    page.get_by_label("Full council").check()
    fill_date(page, "Date of the decision", "2026-11-02")
    page.get_by_role("button", name="Save the response").click()
    page.get_by_text("The council’s response has been recorded.").wait_for()

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"/ledger/{SLUG}/register?q=walking")
    card = page.locator(".app-ledger-item", has_text="Safer walking routes")
    assert "Partly accepted" in card.inner_text()
    assert "A zebra crossing on Blackburn Road" in card.inner_text()
    page.goto(f"/ledger/{SLUG}/scrutiny")
    overdue = page.get_by_role("table", name="Overdue: no response by the deadline")
    assert "Safer walking routes" not in overdue.inner_text()


def test_the_budget_at_a_glance_draws_a_chart_without_errors(page):
    page.goto(f"/councils/{SLUG}/")
    page.get_by_role("link", name="Budget 2026-27 at a glance").click()
    chart = page.get_by_role("img", name="Net spending by service")
    expect(chart.locator("rect")).to_have_count(13)  # drawn by script after load: wait for it
    page.get_by_role("link", name="Recommendations and responses").click()
    page.wait_for_url("**/register")  # the page has loaded, so htmx listens before the filter changes
    with page.expect_response(lambda response: "source=pb_result" in response.url):
        page.get_by_label("From").select_option("pb_result")  # htmx swaps the list in place
    page.wait_for_url("**source=pb_result**")
    assert "Clean the town centres" not in page.locator("#register-items").inner_text()
