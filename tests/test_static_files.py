"""Static files are linked by their content's version and kept by browsers for a year."""

from __future__ import annotations

import re

from pbapp.static_files import ONE_YEAR, file_version


def _stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


def test_pages_link_static_files_by_version_and_those_are_kept_a_year(client):
    sheets = _stylesheets(client.get("/").get_data(as_text=True))
    assert sheets and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in sheets), sheets
    for url in sheets:
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age == ONE_YEAR
        assert response.cache_control.immutable and response.cache_control.public
        response.close()


def test_an_unversioned_or_old_link_is_revalidated(client):
    for url in ("/static/app.css", "/static/app.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age is None and not response.cache_control.immutable
        assert response.cache_control.no_cache
        response.close()


def test_a_changed_file_gets_a_new_version(app, tmp_path):
    app.static_folder = str(tmp_path)
    sheet = tmp_path / "site.css"
    sheet.write_text("body { color: black }")
    first = file_version(app, "site.css")
    sheet.write_text("body { color: #0b0c0c }")
    second = file_version(app, "site.css")
    assert first and second and first != second
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="site.css") == f"/static/site.css?v={second}"
        assert url_for("static", filename="missing.css") == "/static/missing.css"
    response = app.test_client().get(f"/static/site.css?v={first}")
    assert response.status_code == 200 and response.cache_control.max_age is None
    response.close()


def test_a_vendored_release_is_kept_a_year_by_its_folders_name(client):
    """app.js imports GOV.UK Frontend by a path that cannot carry a version; the folder names the release."""
    response = client.get("/static/vendor/govuk-frontend-6.6.0/govuk-frontend.min.js")
    assert response.status_code == 200
    assert response.cache_control.max_age == ONE_YEAR and response.cache_control.immutable
    response.close()


def test_a_name_leading_out_of_the_static_folder_has_no_version(app, client):
    assert file_version(app, "../config.py") is None
    response = client.get("/static/../config.py?v=000000000000")
    assert response.status_code == 404
    response.close()
