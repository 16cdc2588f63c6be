"""The address lottery's invitation letters: one page a drawn household, in draw order, with its address and
code; Welsh then English for a bilingual council; kept until the officer deletes them (issue #21)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader
from sqlmodel import func, select

from pbapp import jobs
from pbapp.audit import AuditEvent
from pbapp.pending import PendingUpload
from pbapp.sortition import invitations
from pbapp.sortition.models import InvitationCode
from tests.conftest import ROLE_EMAILS, csrf_token, login
from tests.core.sortition.test_addresses import address_list
from tests.juries import factories

SEED = "Lotto 5 Dec 2026: 3 14 22 31 40 47"
CHOICES = {"letters": "6", "id_column": "uprn", "strata": ["area"], "seed": SEED}


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"LETTERS_DIR": str(tmp_path / "letters"), "WTF_CSRF_ENABLED": True}


@pytest.fixture
def jury(db, demo):
    return factories.jury(db, demo)


def _upload(client, demo, jury, text: str) -> str:
    url = f"/juries/{demo.slug}/{jury.id}/addresses"
    response = client.post(
        url,
        data={"file": (io.BytesIO(text.encode()), "addresses.csv"), "csrf_token": csrf_token(client, url)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    return response.location


def _post(client, url: str, data: dict):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def _draw(client, demo, jury, text: str = address_list(60), **choices):
    return _post(client, _upload(client, demo, jury, text), {**CHOICES, **choices, "action": "draw"})


def _download(client, demo, jury, kind: str):
    response = client.get(f"/juries/{demo.slug}/{jury.id}/invitation-letters.{kind}")
    response.get_data()
    response.close()  # the file is sent as it is read
    return response


def _pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data), strict=True).pages]


def _actions(db, jury) -> list[str]:
    events = db.exec(
        select(AuditEvent).where(AuditEvent.subject_type == "jury", AuditEvent.subject_id == str(jury.id))
    ).all()
    db.commit()
    return [e.action for e in events]


def _codes(db, jury) -> int:
    found = db.exec(
        select(func.count()).select_from(InvitationCode).where(InvitationCode.pool_id == jury.pool_id)
    ).one()
    db.commit()
    return found


def test_the_letters_hold_each_households_address_and_code_once_in_draw_order(app, client, db, demo, jury):
    login(client, ROLE_EMAILS["officer"])
    drawn = _draw(client, demo, jury)
    assert drawn.status_code == 303 and drawn.location.endswith(f"/juries/{demo.slug}/{jury.id}/invitation-letters")
    page = client.get(drawn.location).get_data(as_text=True)
    assert "/invitation-letters.csv" in page and "/invitation-letters.pdf" in page  # both downloads, by links
    assert "personal data" in page
    rows = list(csv.DictReader(io.StringIO(_download(client, demo, jury, "csv").get_data(as_text=True))))
    pdf = _download(client, demo, jury, "pdf")
    assert pdf.mimetype == "application/pdf" and pdf.headers["Cache-Control"] == "no-store"
    pages = _pages(pdf.data)
    assert len(rows) == len(pages) == 6
    everything = " ".join(pages)
    for n, (row, text) in enumerate(zip(rows, pages, strict=True), start=1):
        assert text.count(row["registration_code"]) == 1 and everything.count(row["registration_code"]) == 1
        # The address columns by default: neither the id, nor the stratum, in the file's order.
        assert everything.count(f"{row['address']} {row['postcode']}") == 1
        assert text.index(row["address"]) < text.index(row["postcode"])
        assert row["uprn"] not in text  # the id is not part of the address
        assert f"Letter {n} of 6" in text
        assert "/sortition/" in text and "/register" in text  # the volunteer registration page
        assert "£50 for each session" in text, text  # the jury's settings say it is paid
    assert _actions(db, jury).count("jury.invitations_downloaded") == 2  # every download is audited
    with app.app_context():
        (job,) = db.exec(select(jobs.Job).where(jobs.Job.kind == f"jury.invitations:{jury.id}")).all()
        assert job.status == jobs.DONE and job.result_data() == {"letters": 6}
        assert invitations.pdf_path(jury.id).stat().st_mode & 0o077 == 0  # the app's alone
        assert invitations.csv_path(jury.id).stat().st_mode & 0o077 == 0
    db.commit()


def test_an_unpaid_jury_says_nothing_of_pay(app, client, db, demo):
    unpaid = factories.jury(db, demo, honorarium_pence=0)
    login(client, ROLE_EMAILS["officer"])
    _draw(client, demo, unpaid)
    text = " ".join(_pages(_download(client, demo, unpaid, "pdf").data))
    assert "paid" not in text and "How should we balance the budget?" in text


def test_chosen_address_columns_are_printed_and_shown_on_the_preview(app, client, db, demo, jury):
    login(client, ROLE_EMAILS["officer"])
    held = _upload(client, demo, jury, address_list(20))
    preview = _post(client, held, {**CHOICES, "action": "preview"}).get_data(as_text=True)
    assert "Address on the letters: address, postcode, imd_decile, one part a line." in preview
    _post(client, held, {**CHOICES, "address_columns": ["postcode"], "action": "draw"})
    rows = list(csv.DictReader(io.StringIO(_download(client, demo, jury, "csv").get_data(as_text=True))))
    text = " ".join(_pages(_download(client, demo, jury, "pdf").data))
    assert all(r["postcode"] in text for r in rows) and not any(r["address"] in text for r in rows)


def test_a_bilingual_council_sends_letters_in_welsh_then_english(app, client, db, demo, jury):
    demo.bilingual, demo.name_cy = True, "Cyngor Bwrdeistref Blackburn gyda Darwen"
    db.add(demo)
    db.commit()
    login(client, ROLE_EMAILS["officer"])  # who reads English
    _draw(client, demo, jury, letters="2")
    pages = _pages(_download(client, demo, jury, "pdf").data)
    for text in pages:
        assert text.index("Gwahoddiad i ymuno â rheithgor dinasyddion") < text.index(
            "An invitation to join a citizens’ jury"
        )
        assert text.index("a rhowch y cod hwn:") < text.index("and enter this code:")
        assert "Cyngor Bwrdeistref Blackburn gyda Darwen / " + demo.name in text
    assert "Llythyr 2 o 2" in pages[1] and "Letter 2 of 2" in pages[1]


@pytest.mark.parametrize(
    "choices, message",
    [
        ({"address_columns": ["uprn"]}, "Choose address columns other than the address id."),
        (
            {"strata": ["address", "postcode", "area", "imd_decile"]},
            "Choose the columns that make up each address: every column is the id or a stratum.",
        ),
    ],
)
def test_bad_address_columns_are_refused_and_nothing_is_written(app, client, db, demo, jury, choices, message):
    login(client, ROLE_EMAILS["officer"])
    page = _draw(client, demo, jury, **choices)
    assert page.status_code == 422 and message in page.get_data(as_text=True)
    assert _codes(db, jury) == 0
    with app.app_context():
        assert not invitations.held(jury.id)
    assert len(db.exec(select(PendingUpload)).all()) == 1  # the list is kept for another try
    db.commit()


def test_no_second_draw_while_the_last_ones_letters_are_kept(app, client, db, demo, jury):
    login(client, ROLE_EMAILS["officer"])
    _draw(client, demo, jury)
    again = _draw(client, demo, jury)
    assert again.status_code == 422
    assert "Download them and delete them before drawing again." in again.get_data(as_text=True)
    assert _codes(db, jury) == 6


def test_deleting_removes_the_addresses_from_disk_audited(app, client, db, demo, jury):
    login(client, ROLE_EMAILS["officer"])
    _draw(client, demo, jury)
    url = f"/juries/{demo.slug}/{jury.id}/invitation-letters"
    assert client.post(f"{url}/delete", data={}).status_code == 400  # no CSRF token, nothing deleted
    with app.app_context():
        assert invitations.held(jury.id)
    deleted = client.post(f"{url}/delete", data={"csrf_token": csrf_token(client, url)})
    assert deleted.status_code == 303
    with app.app_context():
        assert not invitations.held(jury.id)
    assert _download(client, demo, jury, "pdf").status_code == 404
    assert "No draw’s letters are kept for this jury." in client.get(url).get_data(as_text=True)
    assert "jury.invitations_deleted" in _actions(db, jury)
    db.commit()
    assert _draw(client, demo, jury).status_code == 303  # a new draw may start


@pytest.mark.parametrize("role", ["resident", "facilitator"])
def test_only_the_councils_officers_reach_the_letters(app, client, db, demo, jury, role):
    login(client, ROLE_EMAILS["officer"])
    _draw(client, demo, jury)
    other = app.test_client()
    login(other, ROLE_EMAILS[role])
    url = f"/juries/{demo.slug}/{jury.id}/invitation-letters"
    for path in ("", ".csv", ".pdf"):
        assert other.get(f"{url}{path}").status_code == 403
    token = csrf_token(other, "/")
    assert other.post(f"{url}/delete", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert invitations.held(jury.id)


def test_the_letters_say_where_the_draw_was_audited(app, client, db, demo, jury):
    login(client, ROLE_EMAILS["officer"])
    _draw(client, demo, jury)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "jury.addresses_drawn")).one()
    assert json.loads(event.payload)["address_columns"] == ["address", "postcode", "imd_decile"]
    db.commit()


def test_the_longest_texts_in_two_languages_still_end_above_the_letters_number(app):
    from datetime import date

    from flask_babel import force_locale

    from pbapp.sortition import invitation_letters as il

    names = {"cy": "Cyngor Bwrdeistref Sirol Rhondda Cynon Taf", "en": "Rhondda Cynon Taf County Borough Council"}
    about = il.Invitation(
        names,
        ("How should the council spend its climate budget, and what should it stop doing? " * 4)[:300],
        ("Sut dylai’r cyngor wario ei gyllideb hinsawdd, a beth ddylai roi’r gorau i’w wneud? " * 4)[:300],
        date(2027, 1, 9),
        date(2027, 2, 6),
        12_550,
        "https://participate.example.gov.uk/sortition/rhondda-cynon-taf-county-borough/register",
    )
    household = il.Household(("Flat 12", "Ty Gwyn", "100 Heol y Frenhines", "Pontypridd", "CF37 1AA"), "ABCD-EFGH-JKLM")
    with app.test_request_context():
        words = []
        for language in ("cy", "en"):
            with force_locale(language):
                words.append(il._words(about, names[language], 5000, language == "cy"))
        sender = " / ".join(names.values())
        size = il._fit(sender, about.url, words, household)
        assert il._trial(sender, about.url, words, household, size) <= il.A4_HEIGHT_MM - il.FOOTER_MM
        assert size != il.SIZES[2]  # the first bilingual print would have run into the number


def test_letters_whose_job_failed_are_made_again_from_the_kept_draw(app, client, db, demo, jury):
    login(client, ROLE_EMAILS["officer"])
    _draw(client, demo, jury)
    url = f"/juries/{demo.slug}/{jury.id}/invitation-letters"
    assert _post(client, url, {}).status_code == 409  # only a failed job is run again
    (job,) = db.exec(select(jobs.Job).where(jobs.Job.kind == f"jury.invitations:{jury.id}")).all()
    job.status, job.error = jobs.FAILED, jobs.DIED
    db.add(job)
    db.commit()
    with app.app_context():
        invitations.pdf_path(jury.id).unlink()
    page = client.get(url).get_data(as_text=True)
    assert "The letters were not made" in page and "Make the letters again" in page
    assert "/invitation-letters.pdf" not in page
    assert _post(client, url, {}).status_code == 303
    assert len(_pages(_download(client, demo, jury, "pdf").data)) == 6
    assert "jury.invitations_started" in _actions(db, jury)
