"""An officer finds failed mail from their account page and sends it again; a big pool import shows progress."""

from __future__ import annotations

import json
import os

import pytest
from sqlmodel import select

from pbapp import jobs, mail
from pbapp.sortition.models import Pool
from tests.e2e.helpers import says

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("PBAPP_SCREENSHOTS")  # a folder: the journey saves its pages there to look at


def _fits(page, name: str) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} at {width}px"
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)


def test_an_officer_sees_failed_mail_and_sends_it_again(page, sign_in, db, demo):
    db.add(
        mail.OutboxMessage(
            council_id=demo.id,
            to="juror@example.org",
            subject="You have been chosen",
            body="Reply: http://localhost/juries/respond/secret-token",
            preview="Reply: " + mail.WITHHELD,
            status=mail.FAILED,
            attempts=5,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
    )
    db.commit()
    sign_in("officer")
    page.get_by_role("link", name="Mail outbox").first.click()
    page.get_by_role("heading", name="Mail outbox").wait_for()
    assert "Not sent: failed" in page.content() and "secret-token" not in page.content()
    _fits(page, "outbox")
    page.get_by_role("button", name="Send again").click()
    page.get_by_role("heading", name="Mail outbox").wait_for()
    says(page, "1 messages will be sent again.")


def test_the_import_page_reports_the_count(page, sign_in, db, demo):
    pool = db.exec(select(Pool).where(Pool.council_id == demo.id)).first()
    job = jobs.Job(
        kind="sortition.import",
        council_id=demo.id,
        status=jobs.DONE,
        progress=100,
        result=json.dumps({"count": 10000, "pool_id": pool.id}),
    )
    db.add(job)
    db.commit()
    sign_in("officer")
    page.goto(f"/sortition/{demo.slug}/pools/{pool.id}/imports/{job.id}")
    assert "10000 volunteers were added to the pool." in page.content().replace(",", "")
    _fits(page, "import")
    page.get_by_role("link", name="Back to the pool").click()
    page.get_by_role("heading", name=pool.name).wait_for()
