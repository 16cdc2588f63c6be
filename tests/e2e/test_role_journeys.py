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

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD, ROLE_EMAILS
from tests.e2e.helpers import fill_date

pytestmark = pytest.mark.e2e
PHONE = 320
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
        if viewport["width"] != PHONE:
            page.set_viewport_size(viewport)

    def menu(self):
        """The service navigation, opened first on a phone, where it folds behind "Menu"."""
        toggle = self.page.get_by_role("button", name="Menu")
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
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
        self.page.get_by_text(text).first.wait_for()


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

    quotas = ("feature,value,min,max\nsex,Female,5,7\nsex,Male,5,7\n"
              "area,Darwen wards (East/South/West),2,4\narea,Rest of borough (14 wards),8,10\n")
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
        {"name": "features.csv", "mimeType": "text/csv", "buffer": features})
    page.get_by_label("Volunteers (people.csv").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": people})
    walk.button("Continue")
    walk.button("Check and import")
    walk.says("150 volunteers were added to the pool.")
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
