"""A resident votes with a letter code, changes the vote, finishes, and finds the receipt in the published log."""

from __future__ import annotations

import pytest

from pbapp.pb import services
from tests.pb import factories
from tests.e2e.helpers import says

pytestmark = pytest.mark.e2e


def test_vote_with_a_letter_code_change_it_and_check_the_receipt(page, app, db, demo):
    ballot = factories.ballot(app, db, demo)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    options = {o.ref: o.title for o in services.options_of(db, ballot)}
    db.commit()
    titles = list(options.values())

    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}")
    page.get_by_label("Code from your letter").fill(code.lower())
    with page.expect_navigation():  # the ballot page loads again: htmx listens once it has loaded
        page.get_by_role("button", name="Continue").click()
    page.get_by_label(titles[0], exact=False).check()
    page.locator("#budget-meter").get_by_text("£40,000 of £100,000").wait_for()
    page.get_by_label(titles[1], exact=False).check()
    page.get_by_label(titles[2], exact=False).check()
    page.get_by_label(titles[3], exact=False).check()
    page.locator("#budget-meter").get_by_text("over the £100,000 budget").wait_for()
    page.get_by_role("button", name="Continue").click()
    assert "over the £100,000 budget" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label(titles[3], exact=False).uncheck()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers before voting").wait_for()
    page.get_by_role("button", name="Send my vote").click()
    first = page.locator("#receipt").inner_text()

    says(page, "see how you voted")
    page.get_by_role("link", name="Change your vote").click()
    # The letter's session ended with the vote: changing it takes the code again.
    page.get_by_label("Code from your letter").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    says(page, "You have already voted")
    page.get_by_label(titles[1], exact=False).uncheck()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send my vote").click()
    latest = page.locator("#receipt").inner_text()
    assert latest != first
    page.get_by_role("button", name="Finish").click()
    page.get_by_label("Code from your letter").wait_for()  # the next person starts afresh
    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}/receipt")
    assert latest not in page.content()

    app.config["JOBS_INLINE"] = True  # count now, so the test can publish straight away
    with app.test_request_context():
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "/")
    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}/log")
    page.get_by_label("Your receipt").fill(latest)
    page.get_by_role("button", name="Check").click()
    page.get_by_role("heading", name="Your ballot is in the log").wait_for()
    assert latest not in page.url
    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}/results")
    # The log sealed at the count holds the voter's counted ballot only, not the one it replaced.
    assert "--count 1" in page.locator("body").inner_text()
