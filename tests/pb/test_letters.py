"""Voting-code letters as a PDF: one page per code, the code, the address and how to vote, never logged."""

from __future__ import annotations

import io
import logging
from datetime import datetime, timezone

from pypdf import PdfReader
from sqlmodel import select

from pbapp.audit import AuditEvent
from pbapp.pb import letters
from tests.pb import factories


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _letters(client, demo, ballot, batch_id):
    return client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes/{batch_id}.pdf")


def test_an_officer_downloads_one_letter_per_code(app, db, demo, client, login_as, caplog):
    ballot = factories.ballot(app, db, demo)
    codes = factories.codes(app, db, demo, ballot, size=3)
    batch_id = factories.batch_ids(db, ballot)[-1]
    login_as("officer")
    caplog.set_level(logging.DEBUG)
    response = _letters(client, demo, ballot, batch_id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="voting-letters-batch-{batch_id}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    pages = _pages(response.data)
    assert len(pages) == len(codes)
    for n, (code, text) in enumerate(zip(codes, pages, strict=True), start=1):
        assert code in text and f"http://localhost/pb/{demo.slug}/ballots/{ballot.id}" in text
        assert demo.name in text and "Your vote: Choose projects" in text and "enter this code" in text
        assert f"Letter {n} of 3, batch {batch_id}" in text
        assert all(other not in text for other in codes if other != code)
    assert not any(code in record.getMessage() for record in caplog.records for code in codes)
    downloads = db.exec(select(AuditEvent).where(AuditEvent.action == "pb.codes_downloaded")).all()
    db.commit()
    assert downloads and not any(code in (event.payload) for event in downloads for code in codes)


def test_letters_follow_the_officers_welsh(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    codes = factories.codes(app, db, demo, ballot, size=2)
    login_as("officer")
    with client.session_transaction() as browser:
        browser["lang"] = "cy"
    pages = _pages(_letters(client, demo, ballot, factories.batch_ids(db, ballot)[-1]).data)
    assert len(pages) == 2 and codes[1] in pages[1]
    assert "Eich pleidlais: Choose projects" in pages[0] and "a rhowch y cod hwn:" in pages[0]


def test_letters_print_welsh_letters_and_the_closing_date(app):
    batch = letters.LetterBatch("Cyngor Gŵyr", "Pen-y-bryn", "Gŵyl yr haf", "https://example.org/pb/x/ballots/1",
                                datetime(2026, 10, 12, 17, tzinfo=timezone.utc), 7)
    with app.test_request_context():
        data = letters.letters_pdf(batch, ["ABCD-EFGH-JKLM"])
    (text,) = _pages(data)
    assert "Cyngor Gŵyr" in text and "Gŵyl yr haf" in text and "ABCD-EFGH-JKLM" in text
    assert "Voting closes on 12 October 2026 at 18:00" in text  # 17:00 UTC is 18:00 in the UK (BST)
    assert "ABCD" not in str(PdfReader(io.BytesIO(data)).metadata)


def test_the_letters_form_starts_on_the_neighbourhood_the_vote_is_for(app, db, demo, client, login_as):
    """Fault: a neighbourhood vote's letters form offered "The whole council" first, so letters left for every
    home in the council unless the officer noticed."""
    import re

    ballot = factories.ballot(app, db, demo, open_now=False)
    area = factories.neighbourhood(db, demo)
    db.commit()
    login_as("officer")
    page = client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes").get_data(as_text=True)
    selected = re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', page)
    assert [a or b for a, b in selected] == [str(area.id)]
