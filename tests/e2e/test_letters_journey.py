"""An officer prints the letters of a batch of voting codes: from their home to the PDF, made by a job."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from pbapp.pb import services
from tests.pb import factories

pytestmark = pytest.mark.e2e


def test_an_officer_prints_letters_from_their_home(page, app, db, demo, sign_in, tmp_path):
    app.config["LETTERS_DIR"] = str(tmp_path / "letters")
    ballot = factories.ballot(app, db, demo, open_now=False)
    process = services.get_process(db, demo, ballot.process_id)
    db.commit()

    sign_in("officer")
    page.get_by_role("link", name="Start a process or manage all processes").click()
    page.locator("main").get_by_role("link", name=process.title, exact=True).click()
    page.locator("main").get_by_role("link", name=ballot.title).first.click()
    page.get_by_role("link", name="Voting codes").click()
    page.get_by_label("Number of letters").fill("25")
    page.get_by_role("button", name="Make the codes").click()
    page.get_by_role("link", name="Letters (PDF)").click()
    page.get_by_role("button", name="Make the letters").click()
    # The job runs beside the web server; htmx polls the page until the file is ready.
    expect(page.get_by_text("The letters are ready.")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letters (PDF)").click()
    data = download.value.path().read_bytes()
    batch_id = factories.batch_ids(db, ballot)[-1]
    with app.test_request_context():
        codes = services.batch_codes(db, demo, ballot.id, batch_id, factories.officer(db))[1]
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 25 and all(code in text for code, text in zip(codes, pages, strict=True))
