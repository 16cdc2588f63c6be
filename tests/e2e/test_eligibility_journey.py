"""An officer imports the residents' register with a preview; a new resident confirms their email,
is found on the register and votes in a ballot for verified residents."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlmodel import select

from pbapp.mail import OutboxMessage
from pbapp.pb import services
from tests.pb import factories
from tests.e2e.helpers import says

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("PBAPP_SCREENSHOTS")  # a folder: screenshots at 320 and 1280 px wide, when set


def _look(page, name: str) -> None:
    """No sideways scrolling at 320 px; screenshots at both widths if asked for."""
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), (
            f"{name} scrolls sideways at {width} px"
        )
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)


def test_register_import_then_a_verified_resident_votes(page, app, db, demo, sign_in, tmp_path):
    ballot = factories.ballot(app, db, demo, eligibility="residents")
    titles = [o.title for o in services.options_of(db, ballot)]
    db.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,date_of_birth,postcode\nAda Lovelace,1985-12-10,BB3 1AA\nAda Lovelace,10/12/1985,bb31aa\n"
        "Grace Hopper,someday,BB3 1AA\n"
    )
    good = tmp_path / "register.csv"
    good.write_text(
        "name,date_of_birth,postcode,address\nAda Lovelace,1985-12-10,BB3 1AA,1 Bolton Road\n"
        "Grace Hopper,1986-12-09,BB3 2AA,2 Bolton Road\n"
    )

    sign_in("officer")
    page.goto(f"/pb/{demo.slug}/manage")
    page.get_by_role("link", name="Residents’ register").click()
    page.get_by_label("Electoral register").check()
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    problems = page.locator("table").inner_text()
    assert "The same person as on line 2" in problems and "date like" in problems
    _look(page, "register-problems")
    page.get_by_label("Electoral register").check()
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Check the import").wait_for()
    page.get_by_role("button", name="Import this register").click()
    says(page, "The register of 2 people is now used")
    page.goto(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/settings")
    _look(page, "ballot-settings")
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}")
    page.get_by_role("link", name="Sign in to vote with your account").click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Create a password").fill("a long enough password")
    page.get_by_label("Confirm password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    body = db.exec(select(OutboxMessage.body).where(OutboxMessage.to == "ada@example.org")).one()
    db.commit()
    page.goto(re.search(r"(/accounts/confirm/\S+)", body).group(1))
    page.get_by_role("button", name="Confirm my email address").click()
    page.get_by_text("Your email address is confirmed.").wait_for()

    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}")
    says(page, "until the council knows you live here")
    _look(page, "ballot-unverified")
    page.get_by_role("link", name="Get verified").click()
    _look(page, "residence")
    page.get_by_label("Full name").fill("ADA LOVELACE")
    page.get_by_label("Date of birth").fill("10/12/1985")
    page.get_by_label("Postcode").first.fill("bb3 1aa")
    page.get_by_role("button", name="Check my details").click()
    says(page, "You are on the council’s register")

    page.goto(f"/pb/{demo.slug}/ballots/{ballot.id}")
    page.get_by_label(titles[0], exact=False).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send my vote").click()
    page.locator("#receipt").wait_for()
