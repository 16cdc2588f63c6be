"""An officer draws the households to invite from a jury's page: home, the jury, the address list
uploaded, the shares previewed with the public seed, the drawn addresses downloaded with their codes
for a mail merge and as printable letters (made by a job, the page polling), then deleted; at 320 px
nothing scrolls sideways and axe finds no WCAG 2.2 AA fault."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import func, select

from pbapp.juries.models import Jury
from pbapp.sortition.models import InvitationCode
from tests.core.sortition.test_addresses import address_list
from tests.e2e.test_council_setup_journey import _fits

pytestmark = pytest.mark.e2e
SEED = "Lotto 5 Dec 2026: 3 14 22 31 40 47"


def test_an_officer_draws_addresses_and_downloads_the_letters(page, app, sign_in, demo, db, tmp_path):
    app.config["LETTERS_DIR"] = str(tmp_path / "letters")
    source = tmp_path / "addressbase.csv"
    source.write_text(address_list(120), encoding="utf-8")
    sign_in("officer")
    page.get_by_role("link", name="All juries").click()
    page.locator("main a[href*='/juries/']").filter(has_not_text="Create").first.click()
    jury_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    pool_id = db.get(Jury, jury_id).pool_id
    before = db.exec(select(func.count()).select_from(InvitationCode).where(InvitationCode.pool_id == pool_id)).one()
    db.commit()
    page.get_by_role("link", name="Draw addresses to invite").click()
    _fits(page, "addresses-upload")
    page.get_by_label("Address list (CSV or Excel)").set_input_files(str(source))
    page.get_by_role("button", name="Check the list").click()
    page.get_by_label("How many households to invite").fill("12")
    page.get_by_role("group", name="Stratify by (optional)").get_by_label("area").check()
    page.get_by_label("Public seed").fill(SEED)
    page.get_by_role("button", name="Preview the shares").click()
    page.get_by_text(f"Public seed: {SEED}.").wait_for()
    assert page.locator("#address-strata tbody tr").count() == 3
    expect(page.locator("#letter-columns")).to_have_text(
        "Address on the letters: address, postcode, imd_decile, one part a line."
    )
    _fits(page, "addresses-shares")
    page.get_by_role("button", name="Draw the addresses").click()
    # The letters' job runs beside the web server; htmx polls the page until the file is ready.
    expect(page.get_by_text("The letters are ready.")).to_be_visible(timeout=60_000)
    _fits(page, "invitations-ready")
    with page.expect_download() as got:
        page.get_by_role("link", name="Download the addresses and codes for a mail merge (CSV)").click()
    download = got.value
    assert download.suggested_filename == f"letters-jury-{jury_id}.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert len(rows) == 12 and all(r["registration_code"] and r["rank"] for r in rows)
    with page.expect_download() as got:
        page.get_by_role("link", name="Download the invitation letters (PDF)").click()
    assert got.value.suggested_filename == f"letters-jury-{jury_id}.pdf"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(got.value.path().read_bytes())).pages]
    assert len(pages) == 12
    for row, text in zip(rows, pages, strict=True):  # in draw order, each household's code and address
        assert text.count(row["registration_code"]) == 1 and row["address"] in text
    page.get_by_role("button", name="Delete the addresses and letters").click()
    expect(page.get_by_text("No draw’s letters are kept for this jury.")).to_be_visible()
    after = db.exec(select(func.count()).select_from(InvitationCode).where(InvitationCode.pool_id == pool_id)).one()
    db.commit()
    assert after - before == 12
