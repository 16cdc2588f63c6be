"""Each role's whole journey, by clicking from the home page only: no typed address after the first page.

The officer convenes a jury and runs a neighbourhood vote from proposals to the council's response;
the facilitator runs a round and a juror answers its straw poll; a resident signs up from a ballot,
votes on a 390 px phone, changes the vote and finds the receipt in the published log. The only
address not reached by a click is the one in the email a new account is sent (a person clicks it in
their mail). Every page passed through is checked for sideways scrolling at the width it is seen.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from pbapp.mail import OutboxMessage
from tests.conftest import DEMO_PASSWORD, ROLE_EMAILS
from tests.e2e.conftest import fill_registration
from tests.e2e.helpers import fill_date, on_the_pool_after_import, says

pytestmark = pytest.mark.e2e
PHONE = 320
# Tables wider than the screen must scroll inside a labelled, focusable region of their own.
LOOSE_TABLES = """() => [...document.querySelectorAll('main table')]
  .filter(t => t.getBoundingClientRect().width > document.documentElement.clientWidth
               && !t.closest('[role=region][aria-label][tabindex="0"]'))
  .map(t => t.id || (t.caption && t.caption.textContent.trim()) || t.className)"""
SLOW = 90_000  # LEXIMIN takes seconds on a busy machine


class Walk:
    """A person in the browser: signs in and out through the header, and checks each page's width."""

    def __init__(self, page):
        self.page = page
        self.too_wide: list[str] = []
        self.seen: set[str] = set()

    def fits(self) -> None:
        """Note the page if it scrolls sideways on a 320 px phone (measured once a page, whatever the window)."""
        page = self.page
        page.wait_for_load_state("load")
        path = re.sub(r"\d+", "N", page.url.split("?")[0])
        if path in self.seen:
            return
        self.seen.add(path)
        viewport = page.viewport_size
        if viewport["width"] != PHONE:
            page.set_viewport_size({"width": PHONE, "height": viewport["height"]})
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            self.too_wide.append(f"{page.url}: {width} px")
        for table in page.evaluate(LOOSE_TABLES):
            self.too_wide.append(f"{page.url}: table {table} is wider than the phone outside a labelled region")
        if viewport["width"] != PHONE:
            page.set_viewport_size(viewport)

    def menu(self):
        """The service navigation, opened first on a phone, where it folds behind "Menu"."""
        self.page.wait_for_load_state("load")
        toggle = self.page.get_by_role("button", name="Menu")
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
        return self.page.get_by_role("navigation", name="Menu")

    def sign_in(self, role: str, home: str) -> None:
        self.page.wait_for_load_state("load")
        self.menu().get_by_role("link", name="Sign in").click()
        self.page.get_by_label("Email address").fill(ROLE_EMAILS[role])
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("load")
        self.menu().get_by_role("link", name=home).click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(home)

    def sign_out(self) -> None:
        self.page.wait_for_load_state("load")
        self.menu().get_by_role("button", name="Sign out").click()
        self.page.wait_for_load_state("load")

    def link(self, name, **kwargs) -> None:
        self.fits()
        self.page.get_by_role("link", name=name, **kwargs).first.click()

    def button(self, name, **kwargs) -> None:
        self.fits()
        self.page.get_by_role("button", name=name, **kwargs).first.click()

    def heading(self, text) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)

    def says(self, text: str) -> None:
        says(self.page, text)


@pytest.fixture
def walk(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")  # the only typed address
    walk = Walk(page)
    yield walk
    walk.fits()
    assert walk.too_wide == [], f"pages wider than the screen: {walk.too_wide}"


def test_the_facilitator_runs_a_round_and_a_juror_answers_its_straw_poll(walk, page):
    walk.sign_in("facilitator", "Your juries")
    walk.link("Rounds, evidence, polls and recommendations")
    walk.heading("Running the jury")
    walk.link("Add a round")
    page.get_by_label("Title", exact=True).fill("Evening 5: parks and open spaces")
    fill_date(page, "Date", "2027-01-09")
    page.get_by_label("Evidence: hearing from witnesses").check()
    page.get_by_label("Place", exact=True).fill("Darwen Library Theatre")
    walk.button("Add the round")
    walk.heading("Evening 5: parks and open spaces")
    walk.link("Set up a straw poll")
    page.get_by_label("Question", exact=True).fill("Which park matters most to you?")
    page.get_by_label("Approve any of some options").check()
    page.get_by_label("Options", exact=True).fill("Sunnyhurst Woods\nBold Venture Park\nWhitehall Park")
    walk.button("Set up the poll")
    walk.button("Open the poll")
    page.get_by_role("button", name="Close the poll").wait_for()
    walk.sign_out()

    page.set_viewport_size({"width": 390, "height": 800})
    walk.sign_in("resident", "Your jury")  # the demo resident sits on the demo jury
    walk.link("Which park matters most to you?")
    page.get_by_label("Bold Venture Park").check()
    page.get_by_label("Whitehall Park").check()
    walk.button("Save my answer")
    walk.says("Your answer is saved")
    walk.sign_out()

    page.set_viewport_size({"width": 1280, "height": 900})
    walk.sign_in("facilitator", "Your juries")
    walk.link("Rounds, evidence, polls and recommendations")
    walk.link("Evening 5: parks and open spaces")
    walk.button("Close the poll")
    results = page.locator(".app-poll-result").last.inner_text()
    assert "1 juror answered" in results and re.search(r"Bold Venture Park\s+1 / 1", results), results


def _volunteer_files() -> tuple[bytes, bytes]:
    """Quotas for a panel of 12 on sex and area, and 150 demo-like volunteers, as an officer's two files."""
    from pbapp.sortition.seed import demo_volunteers

    quotas = (
        "feature,value,min,max\nsex,Female,5,7\nsex,Male,5,7\n"
        "area,Darwen wards (East/South/West),2,4\narea,Rest of borough (14 wards),8,10\n"
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "sex", "area", "name", "email", "postcode"])
    for v in demo_volunteers(150, seed=5):
        writer.writerow([v.public_id, v.features["sex"], v.features["area"], v.name, v.email, v.postcode])
    return quotas.encode(), out.getvalue().encode()


def test_the_officer_convenes_a_jury_from_council_work(walk, page):
    walk.sign_in("officer", "Council work")
    walk.link("Create a jury", exact=True)
    page.get_by_label("The question the jury will answer").fill("How should Darwen's parks be looked after?")
    page.get_by_label("Number of jurors").fill("12")
    fill_date(page, "First day", "2027-04-03")
    fill_date(page, "Last day", "2027-05-01")
    page.get_by_label("Facilitator").select_option(label="Megan Lloyd")
    walk.button("Create the jury")
    walk.heading("How should Darwen's parks be looked after?")

    walk.link("The pool of volunteers, quotas and selection")
    walk.link("Upload volunteers from a CSV or Excel file")
    features, people = _volunteer_files()
    page.get_by_label("Features and quotas").set_input_files(
        {"name": "features.csv", "mimeType": "text/csv", "buffer": features}
    )
    page.get_by_label("Volunteers (people.csv").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": people}
    )
    walk.button("Continue")
    walk.button("Check and import")
    on_the_pool_after_import(page, 150)
    walk.link("Change the quotas")
    page.get_by_label("sex Female: at least").fill("6")
    walk.button("Save quotas")
    walk.says("The quotas have been saved.")
    walk.button("Start the selection")
    page.get_by_label("The published number").wait_for(timeout=SLOW)
    page.get_by_label("The published number").fill("314")
    walk.button("Draw the panel")
    walk.says("The panel has been drawn with the number 314.")

    walk.menu().get_by_role("link", name="Council work").click()
    walk.link("How should Darwen's parks be looked after?")
    walk.button(re.compile("Add the people from run"))
    walk.says("12 people were added to the jury.")
    walk.button("Send invitations")
    walk.says("12 invitations were sent.")
    page.locator("#jurors tbody tr").first.get_by_role("link", name=re.compile("^Declined")).click()
    walk.button("Record that they declined")
    walk.says("The juror’s status has been changed.")
    walk.button("Start a replacement draw")
    page.get_by_label("The published number").wait_for(timeout=SLOW)
    page.get_by_label("The published number").fill("7")
    walk.button("Draw the panel")
    walk.says("The panel has been drawn with the number 7.")
    walk.menu().get_by_role("link", name="Council work").click()
    walk.link("How should Darwen's parks be looked after?")
    walk.button(re.compile("Add the people from run"))
    walk.says("1 person was added to the jury.")
    statuses = page.locator("#jurors tbody tr .govuk-tag").all_inner_texts()
    assert statuses.count("Replaced") == 1 and statuses.count("Invited") == 12, statuses


def _uk_today() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()


def test_a_neighbourhood_vote_from_ideas_to_the_councils_response(walk, page, db):
    """The officer runs the vote; the demo resident suggests ideas; a new resident votes on a phone."""
    walk.sign_in("officer", "Council work")
    walk.link("Start a process or manage all processes")
    page.get_by_label("Title", exact=True).fill("Whitehall Park neighbourhood budget")
    page.get_by_label("What it is for", exact=True).fill("Residents decide how to spend £30,000 on Whitehall Park.")
    page.get_by_label("Area", exact=True).select_option(label="Darwen and West Pennine")
    page.get_by_label("Pot in pounds").fill("£30,000")
    walk.button("Start the process")
    walk.heading("Whitehall Park neighbourhood budget")
    walk.sign_out()

    walk.sign_in("resident", "Your jury")
    walk.menu().get_by_role("link", name="Your votes and ideas").click()
    walk.link("Whitehall Park neighbourhood budget")
    for title, cost in (
        ("New benches by the pond", "£9,000"),
        ("A wildflower meadow", "£12,000"),
        ("Fix the tennis courts", "£18,000"),
    ):
        walk.link("Put forward an idea")
        page.get_by_label("Title of your idea").fill(title)
        page.get_by_label("Describe your idea").fill(f"{title}, for everyone who uses Whitehall Park.")
        page.get_by_label("Estimated cost in pounds").fill(cost)
        walk.button(re.compile("^Send|^Submit|^Suggest"))
        walk.says("Your proposal has been sent to the council for review.")
        walk.link("Whitehall Park neighbourhood budget")
    walk.sign_out()

    walk.sign_in("officer", "Council work")
    for reviewed in range(3):
        walk.link(re.compile(r"proposals? (is|are) waiting for review"))
        page.locator("main").get_by_role("link", name=re.compile("benches|meadow|tennis")).first.click()
        page.get_by_label("Yes, it is feasible").check()
        if reviewed == 0:
            page.get_by_label("Reviewed cost in pounds").fill("£10,000")
        walk.button(re.compile("^Save"))
        walk.button(re.compile("^Publish"))
        walk.menu().get_by_role("link", name="Council work").click()
    walk.link("Whitehall Park neighbourhood budget")
    page.get_by_label("Title", exact=True).fill("Choose projects for Whitehall Park")
    page.get_by_label("Kind of ballot").select_option(label="Choose projects within the budget")
    page.get_by_label("Budget in pounds").fill("£30,000")
    page.get_by_label(re.compile("^People with a letter")).check()
    today = _uk_today()
    fill_date(page, "Voting opens", today.isoformat(), "00:00")
    fill_date(page, "Voting closes", (today + timedelta(days=14)).isoformat(), "17:00")
    walk.button("Create the ballot")
    walk.heading("Choose projects for Whitehall Park")
    closes = (today + timedelta(days=14)).strftime("%-d %B %Y")
    assert closes in page.locator("main").inner_text()
    walk.link("Voting codes")
    page.get_by_label("Number of letters").fill("3")
    expect(page.get_by_label("Area the letters go to").locator("option:checked")).to_have_text(
        "Darwen and West Pennine"
    )
    walk.button("Make the codes")
    walk.link("Printable letters")
    codes = re.findall(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b", page.locator("main").inner_text())
    assert len(set(codes)) == 3, codes
    page.go_back()
    walk.link("Choose projects for Whitehall Park")
    walk.link("Open voting")
    walk.button("Open voting")
    walk.sign_out()

    # A new resident, on a phone, from the council's page to the ballot, signs up and votes with a letter.
    page.set_viewport_size({"width": 390, "height": 844})
    walk.menu().get_by_role("link", name="Councils").click()
    walk.link("Blackburn with Darwen Borough Council")
    walk.link("Choose projects for Whitehall Park")
    ballot = page.url
    walk.link("Sign in or create an account")
    walk.link("Create an account")
    fill_registration(page, "Grace Hopper", "grace@example.org", "BB3 2AB", "a long enough password")
    page.get_by_role("heading", name="Check your email").wait_for()
    body = db.exec(select(OutboxMessage.body).where(OutboxMessage.to == "grace@example.org")).one()
    db.commit()
    page.goto(re.search(r"(/accounts/confirm/\S+)", body).group(1))  # the link in the email
    walk.button("Confirm my email address")
    page.wait_for_url(ballot)
    page.get_by_label("Code from your letter").fill(codes[0].lower())
    walk.button("Continue")
    page.get_by_label("New benches by the pond").check()
    page.get_by_label("Fix the tennis courts").check()
    page.locator("#budget-meter").get_by_text("£28,000 of £30,000").wait_for()
    walk.button("Continue")
    walk.heading("Check your answers before voting")
    walk.button("Change your choices")
    expect(page.get_by_label("Fix the tennis courts")).to_be_checked()
    walk.button("Continue")
    walk.button("Send my vote")
    first = page.locator("#receipt").inner_text()
    walk.link("Change your vote")
    page.get_by_label("Fix the tennis courts").uncheck()
    page.get_by_label("A wildflower meadow").check()
    walk.button("Continue")
    walk.button("Send my vote")
    receipt = page.locator("#receipt").inner_text()
    assert receipt != first
    walk.sign_out()

    # The officer closes the vote, counts it, publishes the results and records the council's response.
    page.set_viewport_size({"width": 1280, "height": 900})
    walk.sign_in("officer", "Council work")
    walk.link(re.compile("^Enter paper ballots, or close voting\\W+Whitehall Park"))
    walk.link("Close voting and count")
    walk.button(re.compile("^Close voting"))
    page.get_by_text(re.compile("counted|The count")).first.wait_for(timeout=SLOW)
    walk.menu().get_by_role("link", name="Council work").click()
    walk.link("Choose projects for Whitehall Park")
    walk.link("Publish results and the ballot log")
    walk.button(re.compile("^Publish"))
    walk.menu().get_by_role("link", name="Council work").click()
    walk.link(re.compile("^Record the council’s response\\W+.*(Whitehall|benches|meadow|tennis)"))
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("Reasons", exact=True).fill(
        "The council will fund the benches and the meadow from the park budget."
    )
    page.get_by_label("Cabinet").check()
    fill_date(page, "Date of the decision", _uk_today().isoformat())
    walk.button("Save the response")
    walk.says("The council’s response has been recorded.")
    walk.sign_out()

    # The new resident, on the phone again, finds the receipt on their home and checks it in the published log.
    page.set_viewport_size({"width": 390, "height": 844})
    walk.menu().get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill("grace@example.org")
    page.get_by_label("Password").fill("a long enough password")
    walk.button("Sign in")
    walk.menu().get_by_role("link", name="Your votes and ideas").click()
    assert receipt in page.locator("main").inner_text()
    walk.link("Choose projects for Whitehall Park")
    walk.heading("Ballot log")
    expect(page.get_by_label("Your receipt")).to_have_value(receipt)
    walk.button("Check")
    page.get_by_role("heading", name="Your ballot is in the log").wait_for()
    assert receipt not in page.url
