"""The service's languages come from configuration: a council adds a community language (here Urdu,
written right to left) with a catalogue, and the switcher, `<html lang dir>`, dates, the account
preference and officer-entered content all follow; content in English shown to a reader of another
language is marked `lang="en"`."""

from __future__ import annotations

from datetime import date

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import url_for
from flask_babel import force_locale
from sqlmodel import select

from pbapp.languages import check_languages, parse_languages
from pbapp.pb.models import Process
from pbapp.templating import _date

URDU = {
    "Skip to main content": "مرکزی مواد پر جائیں",
    "Sign in": "سائن ان کریں",
    "Participatory budgeting": "شراکتی بجٹ سازی",
}


def write_catalogue(folder, code: str, messages: dict[str, str]) -> None:
    """Compile a small interface catalogue, as `pybabel compile` would from a council's .po file."""
    catalog = Catalog(locale=code)
    for english, translated in messages.items():
        catalog.add(english, translated)
    target = folder / code / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as out:
        write_mo(out, catalog)


def with_urdu(tmp_path) -> dict:
    """App settings that add Urdu from a council's own catalogue folder, beside English and Welsh."""
    from pbapp.config import PACKAGE_ROOT

    extra = tmp_path / "translations"
    write_catalogue(extra, "ur", URDU)
    return {
        "LANGUAGES": ("en", "cy", "ur"),
        "BABEL_TRANSLATION_DIRECTORIES": f"{extra};{PACKAGE_ROOT / 'translations'}",
    }


@pytest.fixture
def app_overrides(tmp_path):
    return with_urdu(tmp_path)


def test_an_urdu_page_is_right_to_left_with_its_own_strings(client, demo):
    client.get("/language/ur")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl"' in html
    assert URDU["Skip to main content"] in html and "Skip to main content" not in html
    assert "app-rtl.css" in html
    # The switcher offers every other configured language, each named in itself.
    assert 'lang="en" hreflang="en">English</a>' in html and 'lang="cy" hreflang="cy">Cymraeg</a>' in html
    assert 'hreflang="ur"' not in html
    # Welsh still works beside it, left to right, with no mirroring stylesheet.
    client.get("/language/cy")
    welsh = client.get("/").get_data(as_text=True)
    assert '<html lang="cy" dir="ltr"' in welsh and "app-rtl.css" not in welsh and 'hreflang="ur">اردو</a>' in welsh


def test_officer_content_falls_back_to_english_marked_as_english_for_an_urdu_reader(app, client, db, demo):
    process = db.exec(select(Process).where(Process.council_id == demo.id)).first()
    client.get("/language/ur")
    with app.test_request_context():
        url = url_for("pb.process", council=demo.slug, process_id=process.id)
    html = client.get(url).get_data(as_text=True)
    assert f'<span lang="en" dir="ltr">{process.title}</span>' in html
    assert process.title_cy not in html  # content has English and Welsh columns only


def test_dates_follow_the_reader_language(app):
    with app.test_request_context(), force_locale("ur"):
        urdu = _date(date(2026, 3, 5))
    with app.test_request_context(), force_locale("cy"):
        welsh = _date(date(2026, 3, 5))
    assert welsh == "5 Mawrth 2026"
    assert "مارچ" in urdu


def test_a_resident_can_choose_the_added_language_for_their_account(client, demo, login_as):
    login_as("resident")
    form = client.get("/accounts/me/details").get_data(as_text=True)
    assert 'value="ur"' in form and "اردو" in form
    sent = client.post("/accounts/me/details", data={"name": "Demo Resident", "postcode": "", "language": "ur"})
    assert sent.status_code == 303
    profile = client.get("/accounts/me").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl"' in profile and "اردو" in profile
    refused = client.post("/accounts/me/details", data={"name": "Demo Resident", "postcode": "", "language": "fr"})
    assert refused.status_code == 422


def test_languages_are_read_english_first_without_repeats():
    assert parse_languages("cy, ur,en,cy") == ("en", "cy", "ur")
    assert parse_languages("") == ("en",)


def test_a_language_with_no_catalogue_or_an_unknown_code_refuses_to_start(tmp_path):
    write_catalogue(tmp_path, "ur", URDU)
    check_languages(("en", "ur"), [str(tmp_path)])
    with pytest.raises(RuntimeError, match="no compiled catalogue for 'pl'"):
        check_languages(("en", "ur", "pl"), [str(tmp_path)])
    with pytest.raises(RuntimeError, match="'xx-zz-qq' is not a language code"):
        check_languages(("en", "xx-zz-qq"), [str(tmp_path)])


def test_the_setting_is_read_from_the_environment(monkeypatch, tmp_path):
    from pbapp.config import Config

    monkeypatch.setenv("PBAPP_LANGUAGES", "en,cy,pl")
    monkeypatch.setenv("PBAPP_TRANSLATIONS", str(tmp_path))
    config = Config()
    assert config.LANGUAGES == ("en", "cy", "pl")
    assert config.BABEL_TRANSLATION_DIRECTORIES.split(";")[0] == str(tmp_path)
