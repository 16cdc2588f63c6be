"""Static files under URLs that name their content, so browsers keep them for a year.

Every page links the same stylesheets and scripts. Without a lifetime, a browser asks again for each
of them on every page it opens (five requests a page, each answered "not modified"), which a phone
on a slow connection pays for in round trips. `url_for("static", ...)` adds `?v=` and the first
characters of the file's SHA-256; a request carrying the file's current version is answered with a
year's lifetime, marked immutable. A changed file gets a new version, so a new URL, so no browser
keeps the old one. A request with no version, or an old one, is served as before, revalidated each
time. Vendored releases (`vendor/govuk-frontend-6.6.0/...`) are named by their version already: a
script imports its modules by such paths, which cannot carry `?v=`, and a new release is a new folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from flask import Flask, current_app, request
from werkzeug.security import safe_join

VERSION_ARG = "v"
ONE_YEAR = 365 * 24 * 60 * 60
_VERSIONS_KEY = "pbapp.static_versions"
_VENDORED_RELEASE = re.compile(r"vendor/[a-z0-9-]+-\d+(\.\d+)+/")


def file_version(app: Flask, filename: str) -> str | None:
    """The first 12 hex digits of the static file's SHA-256, or None if there is no such file.

    Kept per file with its modification time and size, so a file edited while the development
    server runs gets a new version, and the file is read again only when it changes. A name that
    leads out of the static folder has none: the version is looked up before the static view
    checks the name, so a request must not make the app read a file outside it.
    """
    folder = app.static_folder
    joined = safe_join(folder, filename) if folder is not None else None
    if joined is None:
        return None
    path = Path(joined)
    try:
        stat = path.stat()
    except (OSError, ValueError):
        return None
    versions: dict = app.extensions[_VERSIONS_KEY]
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = versions.get(filename)
    if known is None or known[0] != stamp:
        known = (stamp, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
        versions[filename] = known
    return known[1]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
        return
    version = file_version(current_app, values["filename"])
    if version is not None:
        values[VERSION_ARG] = version


def _is_current_version() -> bool:
    """Whether the request names what the file holds now: by its version, or by a vendored release's folder."""
    filename = os.fspath((request.view_args or {}).get("filename") or "")
    if not filename:
        return False
    asked = request.args.get(VERSION_ARG)
    if asked is None:
        return _VENDORED_RELEASE.match(filename) is not None
    return asked == file_version(current_app, filename)


def _max_age(filename: str | None) -> int | None:
    """A year for a request naming the file's current version; otherwise Flask's default (revalidate)."""
    if request.endpoint == "static" and _is_current_version():
        return ONE_YEAR
    return current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]


def _mark_immutable(response):
    """A static file given a year's lifetime by `_max_age` is the current version's: it never changes."""
    if request.endpoint == "static" and response.status_code == 200 and response.cache_control.max_age == ONE_YEAR:
        response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    app.extensions[_VERSIONS_KEY] = {}
    app.url_defaults(_add_version)
    app.get_send_file_max_age = _max_age  # type: ignore[method-assign]
    app.after_request(_mark_immutable)
