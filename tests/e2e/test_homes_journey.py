"""Each role signs in and reaches its main tools by clicking from its home only (no typed address)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from pbapp.mail import OutboxMessage

from tests.e2e.conftest import fill_registration
from tests.e2e.helpers import says, wcag_violations

pytestmark = pytest.mark.e2e


def _home(page, name: str) -> None:
    """Go back to the role's home through the service navigation."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def _heading(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_an_officer_reaches_juries_pools_votes_reviews_the_register_and_budget_books(page, sign_in):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("officer")
    _heading(page, "Council work")
    expect(page.locator(".govuk-header")).to_contain_text("Blackburn with Darwen Borough Council")
    for link, heading in [
        ("Create a jury", "Create a jury"),
        ("Start a process or manage all processes", "Run participatory budgeting"),
        ("The review queue", "Proposals to review"),
        ("The whole register", "What residents asked for and what the council decided"),
        ("Import a budget book", "Import a budget book"),
    ]:
        page.get_by_role("link", name=link, exact=True).click()
        _heading(page, heading)
        _home(page, "Council work")
    page.locator("#pools").locator("xpath=following-sibling::dl[1]").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Council work")
    _home(page, "Council work")
    page.locator("#juries").locator("xpath=following-sibling::dl[1]").locator(
        ".govuk-summary-list__actions a"
    ).first.click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Council work")


def test_a_facilitator_reaches_the_deliberation_and_the_jurors(page, sign_in):
    sign_in("facilitator")
    _heading(page, "Your juries")
    expect(page.get_by_role("heading", name="Next session").first).to_be_visible()
    page.get_by_role("link", name="Rounds, evidence, polls and recommendations").first.click()
    _heading(page, "Running the jury")
    _home(page, "Your juries")
    page.get_by_role("link", name="Jurors, sessions and attendance").first.click()
    expect(page.get_by_role("heading", name="Jurors")).to_be_visible()


def test_a_juror_reaches_their_jury_page_and_a_resident_their_votes(page, sign_in):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in("resident")
    _heading(page, "Your jury")
    page.get_by_role("link", name="Go to your jury page").first.click()
    expect(page.get_by_role("link", name="Ask a question")).to_be_visible()
    page.get_by_role("button", name="Menu").click()
    _home(page, "Your votes and ideas")
    _heading(page, "Your votes and ideas")
    page.get_by_role("heading", name="Votes open where you live").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_an_admin_reaches_people_the_outbox_and_council_work(page, sign_in):
    sign_in("admin")
    _heading(page, "Administration")
    page.get_by_role("link", name="People and roles").click()
    _heading(page, "People and roles")
    _home(page, "Administration")
    page.get_by_role("link", name="Mail outbox").click()
    _heading(page, "Mail outbox")
    _home(page, "Council work")
    _heading(page, "Council work")


def test_signing_up_from_a_ballot_comes_back_to_the_ballot(page, db):
    page.goto("/")
    page.get_by_role("link", name="Blackburn with Darwen Borough Council").click()
    page.locator("#section-votes").locator("xpath=..").get_by_role("link").first.click()
    ballot_url = page.url
    page.get_by_role("link", name="Sign in to vote with your account").click()
    page.get_by_role("link", name="Create an account").click()
    fill_registration(page, "Ada Lovelace", "ada@example.org", "BB3 1AA", "a long enough password")
    page.get_by_role("heading", name="Check your email").wait_for()
    body = db.exec(select(OutboxMessage.body).where(OutboxMessage.subject == "Confirm your email address")).one()
    db.commit()
    page.goto(re.search(r"(/accounts/confirm/\S+)", body).group(1))  # the emailed link keeps the way back
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_url(ballot_url)
    says(page, "Your email address is confirmed.")


@pytest.mark.rendering
@pytest.mark.parametrize("role", ["officer", "facilitator", "resident", "admin"])
def test_homes_footer_and_account_pages_pass_wcag_22_aa_in_both_languages(page, sign_in, role):

    sign_in(role)
    home = page.url
    failures = []
    for language in ("English", "Cymraeg"):
        if language == "Cymraeg":
            page.get_by_role("link", name="Cymraeg").click()
            expect(page.locator("html")).to_have_attribute("lang", "cy")
        # The account and footer pages are the same for everyone: checked once, as the resident.
        shared = (
            (
                "/home/votes",
                "/accounts/me",
                "/accounts/me/details",
                "/accounts/me/password",
                "/accessibility",
                "/privacy",
                "/cookies",
                "/contact",
            )
            if role == "resident"
            else ()
        )
        for path in (home, *shared):
            page.goto(path)
            failures += [f"{path} ({language}): {v['id']} {v['help']}" for v in wcag_violations(page)]
    assert failures == [], "\n".join(failures)
