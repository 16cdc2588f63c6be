"""A resident balances the demo council's budget with the simulator on a phone, and with the keyboard alone."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from pbapp.pb.models import Ballot, Process, Vote
from pbapp.pb import services
from pbapp.pb.simulator_seed import SAVINGS_PENCE, simulator_title
from pbapp.templating import money
from tests.e2e.helpers import says, wcag_violations

pytestmark = pytest.mark.e2e

PHONES = ({"width": 320, "height": 640}, {"width": 390, "height": 844})


def _ballot(db, demo) -> Ballot:
    process = db.exec(select(Process).where(Process.council_id == demo.id, Process.title == simulator_title())).one()
    return db.exec(select(Ballot).where(Ballot.process_id == process.id)).one()


def _library_pence(db, ballot) -> int:
    return next(o.cost_pence for o in services.options_of(db, ballot) if o.title == "Library service")


def _vote(db, ballot) -> dict:
    db.rollback()
    return json.loads(db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one().choices)


@pytest.mark.parametrize("size", PHONES, ids=("320px", "390px"))
def test_resident_balances_the_budget_on_a_phone(page, db, demo, sign_in, size):
    ballot = _ballot(db, demo)
    page.set_viewport_size(size)
    sign_in("resident")
    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}")
    meter = page.locator("#budget-meter")
    meter.get_by_text("Not balanced: £1,500,000").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    # Cut libraries by 10%: the officer's consequence is under the step, and htmx redraws the balance.
    library = page.get_by_role("group", name="Library service")
    library.get_by_label("Cut 10%", exact=False).check()
    assert library.get_by_text("Close two branch libraries").is_visible()
    gap = money(SAVINGS_PENCE - _library_pence(db, ballot) // 10)
    meter.get_by_text(f"Not balanced: {gap}").wait_for()
    # Sending it unbalanced is refused with the gap.
    page.get_by_role("button", name="Continue").click()
    assert f"{gap} short" in page.locator(".govuk-error-summary").inner_text()
    # Raise council tax 2%: each step says what it raises and costs a Band D home.
    tax = page.get_by_role("group", name="Change council tax")
    assert "for a Band D home" in tax.inner_text()
    page.wait_for_load_state("load")  # htmx listens once the page (sent back with its error) has loaded
    tax.get_by_label("Raise council tax 2%").check()
    meter.get_by_text("Balanced, with", exact=False).wait_for(timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers before voting").wait_for()
    says(page, "Close two branch libraries")
    page.get_by_role("button", name="Send my vote").click()
    page.locator("#receipt").wait_for()
    choices = _vote(db, ballot)
    assert choices["tax"] == 2 and -10 in choices.values()


def test_resident_balances_the_budget_with_the_keyboard_alone_and_no_script(browser, live_server, demo, db):
    """Without JavaScript the steps are radios and "Check balance" works out the balance on the server."""
    from tests.conftest import ROLE_EMAILS, DEMO_PASSWORD

    ballot = _ballot(db, demo)
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login")
    page.get_by_label("Email address").fill(ROLE_EMAILS["resident"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/home/**")
    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}")
    # Tab into the first line's radios: the checked step ("Keep as now") takes the focus.
    keep = page.get_by_role("group", name="Library service").get_by_label("Keep as now", exact=False)
    for _ in range(200):
        page.keyboard.press("Tab")
        if keep.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the first step was never reached with Tab")
    page.keyboard.press("ArrowUp")  # one step down the list: cut 5%
    page.keyboard.press("ArrowUp")  # cut 10%
    assert page.get_by_role("group", name="Library service").get_by_label("Cut 10%", exact=False).is_checked()
    # Tab on to council tax and raise it 2%.
    raise_one = page.get_by_role("group", name="Change council tax").get_by_label("Keep council tax as now")
    for _ in range(100):
        page.keyboard.press("Tab")
        if raise_one.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the council-tax lever was never reached with Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # "Check balance" comes first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Check balance"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Balanced, with" in page.locator("#budget-meter").inner_text()
    assert page.get_by_role("group", name="Change council tax").get_by_label("Raise council tax 2%").is_checked()
    page.get_by_role("button", name="Continue").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("button", name="Send my vote").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("#receipt").wait_for()
    context.close()
    assert _vote(db, ballot)["tax"] == 2


@pytest.mark.rendering
def test_simulator_pages_pass_wcag_22_aa(page, app, db, demo, sign_in):
    """The resident's board, the officer's set-up and line pages, and the published results, checked by axe-core."""

    from tests.pb import factories

    ballot = _ballot(db, demo)
    refs = [o.ref for o in services.options_of(db, ballot)]
    app.config["JOBS_INLINE"] = True
    with app.test_request_context():
        for n, choice in enumerate([{refs[0]: -10, "tax": 2}, {refs[1]: -5, "tax": 2}, {refs[2]: 5, "tax": 3}]):
            services.cast_vote(db, demo, ballot.id, services.Voter(f"{n:064d}", "code"), choice)
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "/")
    db.commit()
    failures = []
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in("officer")
    urls = [
        f"/pb/{demo.slug}/ballots/{ballot.id}/results",
        f"/pb/{demo.slug}/manage/ballots/{ballot.id}",
        f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator",
        f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator/lines/{refs[0]}",
    ]
    for url in urls:
        assert page.goto(url).status == 200, url
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
        failures += [f"{url}: {v['id']} {v['help']}" for v in wcag_violations(page)]
    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}/results")
    says(page, "How many chose each step")
    assert failures == []


def test_a_welsh_reader_balances_the_budget_in_welsh_on_a_phone(page, db, demo, sign_in):
    """The lines, their services and what each step would mean are in Welsh; the page passes axe-core."""

    ballot = _ballot(db, demo)
    page.set_viewport_size(PHONES[0])
    sign_in("resident")
    page.goto(f"/language/cy?next=/pb/{demo.slug}/ballots/{ballot.id}")
    page.locator("#budget-meter").get_by_text("Heb ei mantoli", exact=False).wait_for()
    assert page.get_by_role("heading", name="Gwasanaethau diwylliannol a chysylltiedig").is_visible()
    library = page.get_by_role("group", name="Gwasanaeth llyfrgell")
    library.get_by_label("Torri 10%", exact=False).check()
    assert library.get_by_text("Cau dwy lyfrgell gangen a chwtogi oriau agor y gweddill.").is_visible()
    assert "Close two branch libraries" not in page.content() and page.locator('main [lang="en"]').count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONES[0]["width"]
    assert [v["id"] for v in wcag_violations(page)] == []
    page.get_by_role("group", name="Newid y dreth gyngor").get_by_label("Codi’r dreth gyngor 2%").check()
    page.locator("#budget-meter").get_by_text("Wedi’i mantoli", exact=False).wait_for(timeout=30_000)
    page.get_by_role("button", name="Parhau").click()
    says(page, "Gwasanaeth llyfrgell")
    says(page, "Cau dwy lyfrgell gangen")


def test_an_officer_writes_a_line_in_welsh_in_the_browser(page, app, db, demo, client, login_as, sign_in):
    """The line page's Welsh boxes: typed Welsh survives an error, the page passes axe-core, and it saves."""

    from pbapp.pb import simulator
    from tests.pb.test_simulator import _officer_sets_up

    ballot = _officer_sets_up(app, db, demo, client, login_as)  # a draft simulator with three lines
    line = simulator.lines_of(db, ballot)[0]
    page.set_viewport_size(PHONES[0])
    sign_in("officer")
    page.goto(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator/lines/{line.ref}")
    page.get_by_label("Name of the line in Welsh (optional)").fill("Amgueddfeydd")
    cut = page.get_by_role("group", name="Cut 20%")
    assert cut.get_by_label("In English").input_value() == "Close the museum."
    cut.get_by_label("In Welsh (optional)").fill("Cau’r amgueddfa.")
    page.get_by_label("Step, in per cent").fill("3")
    page.get_by_role("button", name="Save this line").click()
    page.locator(".govuk-error-summary").get_by_text("multiple of 3", exact=False).wait_for()
    assert page.get_by_label("Name of the line in Welsh (optional)").input_value() == "Amgueddfeydd"
    assert page.get_by_role("group", name="Cut 20%").get_by_label("In Welsh (optional)").input_value() == (
        "Cau’r amgueddfa."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONES[0]["width"]
    assert [v["id"] for v in wcag_violations(page)] == []
    page.get_by_label("Step, in per cent").fill("10")
    page.get_by_role("button", name="Save this line").click()
    page.get_by_role("heading", name="Set up the budget simulator").wait_for()
    db.rollback()
    saved = simulator.lines_of(db, ballot)[0]
    assert (saved.title_cy, saved.consequence_cy_of(-20)) == ("Amgueddfeydd", "Cau’r amgueddfa.")
