"""A person registers, signs out, forgets their password, resets it and signs in, in a browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from pbapp.mail import OutboxMessage
from tests.e2e.conftest import fill_registration
from tests.e2e.helpers import says

pytestmark = pytest.mark.e2e


def test_register_reset_and_sign_in(page, db):
    page.goto("/")
    page.get_by_role("link", name="Blackburn with Darwen Borough Council").click()
    page.get_by_role("heading", name="Votes open now").wait_for()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Create an account").click()
    fill_registration(page, "Grace Hopper", "grace@example.org", "BB2 6AT", "short")
    summary = page.locator(".govuk-error-summary")
    assert "at least 12 characters" in summary.inner_text()
    page.get_by_label("Create a password").fill("a long enough password")
    page.get_by_label("Confirm password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    body = db.exec(select(OutboxMessage.body).where(OutboxMessage.subject == "Confirm your email address")).one()
    db.commit()
    page.goto(re.search(r"(/accounts/confirm/\S+)", body).group(1))
    page.get_by_role("button", name="Confirm my email address").click()
    # Back where the person set out from (the council's page), signed in.
    page.get_by_text("Your email address is confirmed.").wait_for()
    page.get_by_role("link", name="Your account").first.click()
    page.wait_for_url("**/accounts/me")
    says(page, "Grace Hopper")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="I have forgotten my password").click()
    page.get_by_label("Email address").fill("grace@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    body = db.exec(select(OutboxMessage.body).where(OutboxMessage.subject == "Reset your password")).one()
    link = re.search(r"(/accounts/reset/\S+)", body).group(1)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("another long password")
    page.get_by_label("Confirm new password").fill("another long password")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/accounts/me")
    says(page, "Your password has been changed.")


def test_the_site_switches_to_welsh(page):
    page.goto("/")
    # Each click loads a new page: wait for it rather than read the page being left.
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
