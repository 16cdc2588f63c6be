"""A whole jury in a browser: a round, evidence, a question and its answer, a straw poll (with an
answer given in the room and entered by the facilitator), and a recommendation on two budget lines
drafted, voted on (online and from the room) and adopted, then read on the public page."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from pbapp.juries.models import Jury
from tests.e2e.helpers import fill_date, says

pytestmark = pytest.mark.e2e


def test_a_jury_from_evidence_to_an_adopted_recommendation(page, sign_in, demo, db):
    jury = db.exec(select(Jury).where(Jury.council_id == demo.id).order_by(Jury.id)).first()
    base = f"/juries/{demo.slug}/{jury.id}"

    def settle():
        # Let the page finish loading its scripts before leaving it: an aborted download of a static
        # file makes the development server leave the file open (a ResourceWarning, an error here).
        page.wait_for_load_state("load")

    def go(url: str):
        settle()
        page.goto(url)

    def as_(role: str):
        settle()
        sign_in(role)

    as_("facilitator")
    go(f"{base}/deliberation")
    page.get_by_role("link", name="Add a round").click()
    page.get_by_label("Title", exact=True).fill("Evening 5: libraries")
    fill_date(page, "Date", "2027-03-13")
    page.get_by_label("Evidence: hearing from witnesses").check()
    page.get_by_label("Place", exact=True).fill("Blackburn Central Library")
    page.get_by_role("button", name="Add the round").click()
    page.get_by_role("heading", name="Evening 5: libraries").wait_for()
    round_url = page.url

    go(f"{base}/evidence/new")
    page.get_by_label("Title", exact=True).fill("How the libraries are used")
    page.get_by_label("A written briefing").check()
    page.get_by_label("Text", exact=True).fill("**Visits** rose by a tenth last year.")
    page.get_by_label("Publish now to the jurors and the public page").check()
    page.get_by_role("button", name="Add the evidence").click()
    page.get_by_role("link", name="How the libraries are used", exact=True).click()
    assert page.locator(".app-markdown strong").inner_text() == "Visits"

    as_("resident")
    go(f"{base}/portal")
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Council officers").check()
    page.get_by_label("Your question", exact=True).fill("Could libraries open on Sunday afternoons?")
    page.get_by_role("button", name="Send the question").click()
    says(page, "Your question has been sent")

    as_("facilitator")
    go(f"{base}/deliberation")
    page.get_by_role("link", name=re.compile(r"^Answer\W+Could libraries open")).click()
    page.get_by_label("Who answered").fill("Libraries manager")
    page.get_by_label("Answer", exact=True).fill("Yes, for about £90,000 a year.")
    page.get_by_label("Publish the question and answer with the evidence").check()
    page.get_by_role("button", name="Save the answer").click()

    go(round_url)
    page.get_by_role("link", name="Set up a straw poll").click()
    page.get_by_label("Question", exact=True).fill("Which change matters most?")
    page.get_by_label("Approve any of some options").check()
    page.get_by_label("Options", exact=True).fill("Sunday opening\nLonger evenings\nMore events")
    page.get_by_role("button", name="Set up the poll").click()
    page.get_by_role("button", name="Open the poll").click()
    page.get_by_role("button", name="Close the poll").wait_for()
    page.get_by_role("link", name=re.compile(r"^Answers from the room")).click()
    page.get_by_role("link", name=re.compile(r"^Enter the answer")).first.click()
    page.get_by_label("More events").check()
    page.get_by_role("button", name="Save this juror’s answer").click()
    says(page, "Answer from the room saved")
    assert page.locator(".app-entered-by").count() == 1

    as_("resident")
    go(f"{base}/portal")
    page.get_by_role("link", name="Which change matters most?").click()
    page.get_by_label("Sunday opening").check()
    page.get_by_role("button", name="Save my answer").click()
    says(page, "Your answer is saved")
    page.get_by_role("link", name="Draft a recommendation").click()
    page.get_by_label("Short title", exact=True).fill("Open libraries on Sunday afternoons")
    page.get_by_label("Recommendation", exact=True).fill("Open the three biggest libraries 1pm to 5pm on Sundays.")
    page.get_by_label("Budget line 1", exact=True).select_option(label="Library service")
    page.get_by_label("Proposed change to line 1").fill("£90,000")
    page.get_by_label("Budget line 2", exact=True).select_option(label="Highways and transport services")
    page.get_by_label("Proposed change to line 2").fill("-£60,000")
    page.get_by_role("button", name="Add another budget line").click()
    page.get_by_label("Budget line 4", exact=True).select_option(label="Public health")
    page.get_by_label("Proposed change to line 4").fill("-£30,000")
    page.get_by_label("Budget line 3", exact=True).select_option(label="Public health")
    page.get_by_role("button", name="Save the draft").click()
    assert "You have chosen this budget line already" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Budget line 3", exact=True).select_option(label="No budget line")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("heading", name="Open libraries on Sunday afternoons").wait_for()
    rec_url = page.url
    lines = page.locator(".app-recommendation-lines").inner_text()
    assert "Library service" in lines and "+£90,000" in lines and "-£60,000" in lines and "-£30,000" in lines

    as_("facilitator")
    go(rec_url)
    page.get_by_role("button", name="Open the final vote").click()
    as_("resident")
    go(rec_url)
    page.get_by_label("I support this").check()
    page.get_by_role("button", name="Cast my vote").click()
    says(page, "Your vote is recorded")
    as_("facilitator")
    go(rec_url)
    page.get_by_text("Enter votes cast in the room").click()
    page.locator("select[name^='vote-']").first.select_option("support")
    page.get_by_role("button", name="Enter these votes").click()
    says(page, "1 votes from the room entered")
    page.get_by_text("Enter votes cast in the room").click()
    assert page.locator(".app-entered-by").count() == 1
    page.get_by_role("link", name="Close the vote and count it").click()
    says(page, "You cannot open the vote again.")  # asked first: the count cannot be undone
    page.get_by_role("button", name="Close the vote and count it").click()
    assert "Adopted" in page.locator("h1").inner_text()

    page.get_by_role("button", name="Sign out").click()
    go(f"{base}/public")
    recommendations = page.locator(".app-recommendation").all_inner_texts()
    ours = [text for text in recommendations if "Open libraries on Sunday afternoons" in text]
    assert len(ours) == 1 and "2 supported" in ours[0] and "2 of 2 jurors voting" in ours[0]
    assert "1 of these votes was cast in the room and entered by the facilitator." in ours[0]
    assert "Library service" in ours[0] and "+£90,000" in ours[0] and "-£60,000" in ours[0] and "-£30,000" in ours[0]
    says(page, "Yes, for about £90,000 a year.")
    says(page, "How the libraries are used")
