"""Voting-code letters as a PDF made by a job: one page per code, in the batch's order, never logged."""

from __future__ import annotations

import io
import logging
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader
from sqlmodel import select

from pbapp import jobs
from pbapp.audit import AuditEvent
from pbapp.pb import letter_jobs, letters
from tests.conftest import csrf_token
from tests.pb import factories


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"LETTERS_DIR": str(tmp_path / "letters")}


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data), strict=True).pages]


def _page_url(demo, ballot, batch_id) -> str:
    return f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes/{batch_id}/letters"


def _make(client, demo, ballot, batch_id):
    url = _page_url(demo, ballot, batch_id)
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token})


def _letters(client, demo, ballot, batch_id):
    """Make the letters (the job runs inline in tests) and download them."""
    assert _make(client, demo, ballot, batch_id).status_code == 303
    response = client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes/{batch_id}.pdf")
    response.get_data()
    response.close()  # the file is sent as it is read
    return response


def test_an_officer_downloads_one_letter_per_code(app, db, demo, client, login_as, caplog):
    ballot = factories.ballot(app, db, demo)
    codes = factories.codes(app, db, demo, ballot, size=3)
    batch_id = factories.batch_ids(db, ballot)[-1]
    login_as("officer")
    caplog.set_level(logging.DEBUG)
    response = _letters(client, demo, ballot, batch_id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename=voting-letters-batch-{batch_id}.pdf"
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
    batch = letters.LetterBatch(
        "Cyngor Gŵyr",
        "Pen-y-bryn",
        "Gŵyl yr haf",
        "https://example.org/pb/x/ballots/1",
        datetime(2026, 10, 12, 17, tzinfo=timezone.utc),
        7,
    )
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


def test_the_job_writes_every_code_once_in_the_batchs_order(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    codes = factories.codes(app, db, demo, ballot, size=40)
    batch_id = factories.batch_ids(db, ballot)[-1]
    login_as("officer")
    pages = _pages(_letters(client, demo, ballot, batch_id).data)
    assert len(pages) == 40
    for code, text in zip(codes, pages, strict=True):
        assert text.count(code) == 1
    assert sum(text.count(code) for text in pages for code in codes) == 40
    (job,) = db.exec(select(jobs.Job).where(jobs.Job.kind == f"pb.letters:{batch_id}")).all()
    db.commit()
    assert job.status == jobs.DONE and job.progress == 100 and job.result_data() == {"letters": 40}
    with app.app_context():
        assert letter_jobs.letters_path(batch_id).stat().st_mode & 0o077 == 0  # the codes are the app's alone


def test_progress_is_reported_every_thousand_letters(app):
    batch = letters.LetterBatch("Council", "", "Vote", "https://example.org/v", None, 1)
    codes = [f"ABCD-EFGH-{n:04d}" for n in range(2500)]
    seen: list[int] = []
    out = io.BytesIO()
    with app.test_request_context():
        letters.write_letters(out, batch, codes, progress=seen.append)
    assert seen == [1000, 2000, 2500]
    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert len(reader.pages) == 2500 and "ABCD-EFGH-1234" in reader.pages[1234].extract_text()


def _running_job(db, demo, batch_id, progress=40) -> jobs.Job:
    from pbapp.timeutil import utcnow

    job = jobs.Job(
        kind=f"pb.letters:{batch_id}",
        council_id=demo.id,
        status=jobs.RUNNING,
        progress=progress,
        message="Making the letters",
        heartbeat_at=utcnow(),
    )
    db.add(job)
    db.commit()
    return job


def test_the_page_shows_progress_with_and_without_javascript(app, db, demo, client, htmx_client, login_as):
    ballot = factories.ballot(app, db, demo)
    factories.codes(app, db, demo, ballot, size=2)
    batch_id = factories.batch_ids(db, ballot)[-1]
    job = _running_job(db, demo, batch_id)
    login_as("officer")
    url = _page_url(demo, ballot, batch_id)
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Making the letters (40%)" in page
    assert f'href="{url}">Refresh</a>' in page  # without JavaScript, the officer refreshes
    assert 'hx-trigger="every 1s"' in page
    with htmx_client.session_transaction() as browser, client.session_transaction() as signed_in:
        browser.update(signed_in)
    fragment = htmx_client.get(url)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.get_data(as_text=True) and "Making the letters (40%)" in fragment.get_data(
        as_text=True
    )
    # A second start while the first runs is refused and starts nothing.
    assert _make(client, demo, ballot, batch_id).status_code == 409
    assert len(db.exec(select(jobs.Job).where(jobs.Job.kind == f"pb.letters:{batch_id}")).all()) == 1
    job.status, job.progress = jobs.FAILED, 50
    job.error = "The job stopped because of an unexpected error."
    db.add(job)
    db.commit()
    finished = htmx_client.get(url).get_data(as_text=True)
    assert (
        "hx-trigger" not in finished
        and "The letters were not made" in finished
        and "Make the letters again" in finished
    )
    assert client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes/{batch_id}.pdf").status_code == 404


def test_the_codes_page_links_to_the_letters_and_the_letters_to_the_download(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    factories.codes(app, db, demo, ballot, size=2)
    batch_id = factories.batch_ids(db, ballot)[-1]
    login_as("officer")
    codes_page = client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes").get_data(as_text=True)
    assert f'href="{_page_url(demo, ballot, batch_id)}">Letters (PDF)</a>' in codes_page
    before = client.get(_page_url(demo, ballot, batch_id)).get_data(as_text=True)
    assert "Make the letters" in before and ".pdf" not in before
    _make(client, demo, ballot, batch_id)
    after = client.get(_page_url(demo, ballot, batch_id)).get_data(as_text=True)
    assert "The letters are ready." in after and f"codes/{batch_id}.pdf" in after and "hx-trigger" not in after


def test_deleting_the_file_removes_the_codes_from_disk(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    factories.codes(app, db, demo, ballot, size=2)
    batch_id = factories.batch_ids(db, ballot)[-1]
    login_as("officer")
    assert _letters(client, demo, ballot, batch_id).status_code == 200
    url = _page_url(demo, ballot, batch_id) + "/delete"
    assert (
        client.post(url, data={"csrf_token": csrf_token(client, _page_url(demo, ballot, batch_id))}).status_code == 303
    )
    with app.app_context():
        assert not letter_jobs.letters_path(batch_id).exists()
    assert client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes/{batch_id}.pdf").status_code == 404
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "pb.letters_deleted")).first() is not None


@pytest.mark.parametrize("role", ["resident", None])
def test_only_officers_make_or_download_letters(app, db, demo, client, login_as, role):
    ballot = factories.ballot(app, db, demo)
    factories.codes(app, db, demo, ballot, size=2)
    batch_id = factories.batch_ids(db, ballot)[-1]
    if role:
        login_as(role)
    url = _page_url(demo, ballot, batch_id)
    for response in (
        client.get(url),
        client.post(url),
        client.post(url + "/delete"),
        client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes/{batch_id}.pdf"),
    ):
        assert response.status_code in (302, 403)
    assert db.exec(select(jobs.Job).where(jobs.Job.kind == f"pb.letters:{batch_id}")).first() is None


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_making_letters_needs_the_forms_token(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    factories.codes(app, db, demo, ballot, size=2)
    batch_id = factories.batch_ids(db, ballot)[-1]
    login_as("officer")
    url = _page_url(demo, ballot, batch_id)
    assert client.post(url, data={}).status_code == 400
    assert client.post(url + "/delete", data={}).status_code == 400
    assert db.exec(select(jobs.Job).where(jobs.Job.kind == f"pb.letters:{batch_id}")).first() is None


def test_a_bilingual_council_sends_letters_in_welsh_then_english(app, db, demo, client, login_as):
    demo.bilingual, demo.name_cy = True, "Cyngor Bwrdeistref Blackburn gyda Darwen"
    db.add(demo)
    db.commit()
    ballot = factories.ballot(app, db, demo)
    codes = factories.codes(app, db, demo, ballot, size=2)
    login_as("officer")  # who reads English
    pages = _pages(_letters(client, demo, ballot, factories.batch_ids(db, ballot)[-1]).data)
    for code, text in zip(codes, pages, strict=True):
        assert text.count(code) == 1
        assert text.index("Eich pleidlais: Choose projects") < text.index("Your vote: Choose projects")
        assert text.index("a rhowch y cod hwn:") < text.index("and enter this code:")
        assert "Cyngor Bwrdeistref Blackburn gyda Darwen / " + demo.name in " ".join(text.split())
    assert "Llythyr 2 o 2" in pages[1] and "Letter 2 of 2" in pages[1]


def test_the_welsh_half_of_a_letter_gives_the_ballots_welsh_title(app, db, demo, client, login_as):
    """Fault: bilingual letters printed the English title in the Welsh half too, though the ballot had a Welsh one."""
    demo.bilingual = True
    db.add(demo)
    ballot = factories.ballot(app, db, demo)
    ballot.title_cy = "Dewis prosiectau"
    db.add(ballot)
    db.commit()
    factories.codes(app, db, demo, ballot, size=1)
    login_as("officer")
    (text,) = _pages(_letters(client, demo, ballot, factories.batch_ids(db, ballot)[-1]).data)
    assert text.index("Eich pleidlais: Dewis prosiectau") < text.index("Your vote: Choose projects")
    assert "Eich pleidlais: Choose projects" not in text


def test_an_english_council_sends_letters_in_the_officers_language_only(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    factories.codes(app, db, demo, ballot, size=1)
    login_as("officer")
    (text,) = _pages(_letters(client, demo, ballot, factories.batch_ids(db, ballot)[-1]).data)
    assert "Your vote" in text and "Eich pleidlais" not in text and "Llythyr" not in text


def test_long_texts_in_two_languages_still_end_above_the_letters_number(app):
    title = "Gwella’r parciau, y llwybrau a’r canolfannau cymunedol ym mhob cymdogaeth " * 3
    batch = letters.LetterBatch(
        "Cyngor Sir Ynys Môn / Isle of Anglesey County Council",
        "Llanfair Pwllgwyngyll",
        title,
        "https://example.org/pb/ynys-mon/ballots/1",
        datetime(2026, 10, 12, 17, tzinfo=timezone.utc),
        7,
    )
    with app.test_request_context():
        words = [letters._words(batch, 1)] * 2
        first_fit = next(
            sizes
            for sizes in letters.SIZES[1:]
            if letters._layout(batch, words, "t", "Q" * 14, *sizes)[1] <= letters.A4_HEIGHT_MM - letters.FOOTER_MM
        )
        assert first_fit != letters.SIZES[1]  # the default bilingual print would run into the number
        (text,) = _pages(letters.letters_pdf(batch, ["ABCD-EFGH-JKLM"], languages=("cy", "en")))
    assert "ABCD-EFGH-JKLM" in text and "Letter 1 of 1" in text
