"""Residents take part in the conversation on a phone; officers review, moderate and see who took part.

Everything is reached by clicking from each role's home page.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from pbapp import mail
from pbapp.pb.seed import ideas_title, neighbourhood_title
from tests.conftest import DEMO_PASSWORD, ROLE_EMAILS
from tests.e2e.helpers import says

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
IDEA = "Wildflower meadows in Corporation Park"


def _fits(page, width: int) -> None:
    page.wait_for_load_state("load")  # after a click the next page may not have a document yet
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _sign_in(page, role: str) -> None:
    page.goto("/accounts/login")
    page.get_by_label("Email address").fill(ROLE_EMAILS[role])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home/**")


def test_a_resident_supports_and_comments_on_a_phone_and_hears_of_the_review(page, browser, live_server, db, demo):
    page.set_viewport_size(PHONE)
    _sign_in(page, "resident")  # the demo resident is also a juror: home is the jury page
    page.get_by_role("button", name="Menu").click()  # the service navigation folds away on a phone
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your votes and ideas").click()
    page.get_by_role("link", name=ideas_title()).first.click()
    page.get_by_role("link", name=IDEA).click()
    _fits(page, PHONE["width"])
    says(page, "0 residents support this proposal.")
    page.get_by_role("button", name="Support this proposal").click()
    assert "You support this proposal." in page.locator(".govuk-notification-banner").inner_text()
    says(page, "1 resident supports this proposal.")
    says(page, "It needs 2 more supports")
    # An empty comment is refused with a message at the top of the page, then the resident writes one.
    page.get_by_role("button", name="Publish my comment").click()
    assert "Write your comment" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error:")
    page.get_by_label("Your comment").fill("Yes please: bees need it, and it saves mowing.")
    page.get_by_role("button", name="Publish my comment").click()
    assert "Yes please: bees need it, and it saves mowing." in page.locator("#comments ~ ul").inner_text()
    _fits(page, PHONE["width"])

    # The officer lowers the support threshold, reviews the idea and publishes the review, all by links.
    officer = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    _sign_in(officer, "officer")
    officer.get_by_role("link", name="Start a process or manage all processes").click()
    officer.get_by_role("link", name=ideas_title()).click()
    officer.get_by_label("Supports needed before the council reviews a proposal").fill("1")
    officer.get_by_role("button", name="Save").first.click()
    says(officer, "Proposals now go to review once they have 1 supports")
    officer.get_by_role("link", name="Run participatory budgeting").click()
    officer.get_by_role("link", name="Proposals to review across every open process").click()
    officer.get_by_role("link", name=IDEA).click()
    officer.get_by_label("Yes, it is feasible").check()
    officer.get_by_role("button", name="Save as a draft").click()
    officer.get_by_role("button", name="Publish the review").click()
    officer.context.close()

    sent = db.exec(select(mail.OutboxMessage).where(mail.OutboxMessage.to == ROLE_EMAILS["resident"])).all()
    db.commit()
    assert [m.subject for m in sent] == [f"Review published: {IDEA}"]
    assert "/proposals/" in sent[0].body and "feasible" in sent[0].body


def test_an_officer_sees_turnout_by_ward_and_who_took_part_on_the_results_page(page):
    _sign_in(page, "officer")
    page.get_by_role("link", name="Start a process or manage all processes").click()
    page.get_by_role("link", name=neighbourhood_title(), exact=True).click()
    page.locator("a[href*='/manage/ballots/']").first.click()
    table = page.locator("#turnout-by-ward")
    assert "Darwen East" in table.inner_text() and "%" in table.inner_text()
    ages = page.locator("#about-you-age").inner_text()
    assert "Share of adults (Census 2021)" in ages and "50 to 64" in ages
    page.set_viewport_size({"width": 320, "height": 800})
    _fits(page, 320)
