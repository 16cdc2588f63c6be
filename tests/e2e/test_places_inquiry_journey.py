"""Petition → inquiry → report → responses, in a browser and by links only: a resident follows the demo's youth
unemployment inquiry from the council's home page; an officer turns an accepted petition into an inquiry, a resident
gives evidence, and the officer runs it to each body's response. No page scrolls sideways on a 320 px phone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pbapp.timeutil import utcnow
from tests.e2e.helpers import fill_date, says
from tests.e2e.test_places_journey import SLUG, _fits

pytestmark = pytest.mark.e2e

FIRE = "Lancashire Fire and Rescue Service (Combined Fire Authority)"
PETITION = "Are home fire safety visits reaching older people in Darwen?"


def _place(page) -> None:
    page.goto(f"/councils/{SLUG}/")
    page.get_by_role("link", name="All public money in this area: council, NHS, police, fire and more").click()
    page.get_by_role("link", name="Blackburn with Darwen", exact=True).click()


def test_a_resident_follows_the_youth_unemployment_inquiry_from_the_home_page(page):
    _place(page)
    page.get_by_role("link", name="Youth unemployment", exact=True).click()
    says(page, "the public bodies here spend")
    page.get_by_role("link", name="Youth unemployment: is the money joined up?").click()
    says(page, "Darwen Library Theatre")
    _fits(page, "inquiry")
    content = page.content()
    assert "Darwen Library Theatre" in content and "Darwen Youth Forum" in content  # a session and evidence
    assert "Partly accepted" in content and "Response overdue" in content
    page.get_by_text("Minutes of", exact=False).nth(1).click()  # the second session, in Darwen
    assert page.get_by_text("shared referral form", exact=False).first.is_visible()
    page.get_by_role("link", name="Is the money for young people out of work joined up?").click()
    says(page, "The committee accepted: it will hold an inquiry")
    says(page, "112 signatures")
    page.get_by_role("link", name="Follow the inquiry: Youth unemployment: is the money joined up?").click()
    page.get_by_role("link", name="NHS Lancashire and South Cumbria Integrated Care Board").first.click()
    says(page, "Responses to the committee’s recommendations")
    says(page, "cannot report waiting times")
    _fits(page, "body-responses")
    page.get_by_role("link", name="Blackburn with Darwen", exact=True).click()
    page.get_by_role("link", name="Scrutiny", exact=True).click()
    _fits(page, "scrutiny")
    assert page.get_by_role("region", name="Responses by body").is_visible()


def test_an_officer_runs_an_inquiry_from_petition_to_responses(page, sign_in):
    today = utcnow().date()
    sign_in("officer")
    _place(page)
    page.get_by_role("link", name="Public accounts committee").first.click()
    page.get_by_role("link", name=PETITION).click()
    page.get_by_role("link", name="Publish the committee’s decision").click()
    page.get_by_label("Accept: hold an inquiry").check()
    page.get_by_label("Reasons", exact=True).fill("Two services visit the same homes without sharing what they find.")
    fill_date(page, "Date of the decision", today.isoformat())
    page.get_by_role("button", name="Publish the decision").click()
    page.get_by_role("link", name="Open the inquiry").click()
    _fits(page, "inquiry-new")
    page.get_by_label("Title of the inquiry").fill("Home fire safety visits in Darwen")
    page.get_by_label(FIRE).check()
    page.get_by_label("Blackburn with Darwen Borough Council").check()
    fill_date(page, "Call for evidence closes", (today + timedelta(days=28)).isoformat())
    page.get_by_role("button", name="Open the inquiry").click()
    page.get_by_text("The inquiry is open.").wait_for()
    inquiry = page.url.split("#")[0]
    page.get_by_role("button", name="Sign out").click()

    sign_in("resident")
    page.goto(inquiry)
    page.get_by_role("link", name="Give evidence").click()
    _fits(page, "evidence")
    page.get_by_label("Your evidence").fill("My neighbour had a smoke alarm fitted but nobody told her carers.")
    page.get_by_role("button", name="Send your evidence").click()
    page.get_by_text("Your evidence will be published once it has been checked.").wait_for()
    assert "nobody told her carers" not in page.content()
    page.get_by_role("button", name="Sign out").click()

    sign_in("officer")
    page.goto(inquiry)
    page.get_by_role("group", name="Evidence from Imran Hussain").get_by_label("Publish").check()
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_text("The evidence has been published.").wait_for()
    fill_date(page, "Date of the session", (today + timedelta(days=7)).isoformat())
    page.get_by_label("Where").fill("Darwen Fire Station")
    page.get_by_label("Witnesses").fill("Station manager, Lancashire Fire and Rescue\nHead of adult social care")
    page.get_by_role("button", name="Add the session").click()
    page.get_by_text("The session has been added.").wait_for()
    page.get_by_label("Recommendation", exact=True).fill("Share home visit lists with adult social care.")
    page.get_by_label("Addressed to").select_option(label=FIRE)
    fill_date(page, "Response due by", (today + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Add the recommendation").click()
    page.get_by_text("The recommendation has been added.").wait_for()
    page.get_by_label("Findings").fill("Older people in Darwen are visited twice, or not at all.")
    page.get_by_role("button", name="Publish the report").click()
    page.get_by_text("The report has been published.").wait_for()
    _fits(page, "inquiry-officer")
    page.get_by_role("link", name=f"Record the response of {FIRE}").click()
    page.get_by_label("Partly accepted").check()
    page.get_by_label("Reasons", exact=True).fill("Lists will be shared where the resident agrees.")
    fill_date(page, "Date of the response", today.isoformat())
    fill_date(page, "Action due by", (today + timedelta(days=90)).isoformat())
    _fits(page, "response")
    page.get_by_role("button", name="Save the response").click()
    page.get_by_text(f"The response of {FIRE} has been recorded.").wait_for()
    page.get_by_role("button", name="Sign out").click()

    page.goto(inquiry)  # as anyone
    content = page.content()
    assert "nobody told her carers" in content and "Darwen Fire Station" in content
    assert "Older people in Darwen are visited twice" in content
    assert "Lists will be shared where the resident agrees." in content and "Partly accepted" in content
