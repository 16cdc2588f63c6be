"""Absolute links for emails, letters and QR codes, built only from the configured base URL.

A request's Host header is chosen by whoever sends it: a password reset requested with
`Host: evil.example` must still mail a link to this site. So links that leave the page are
built from PBAPP_BASE_URL alone, inside or outside a request (jobs send mail too).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """Return the absolute URL of `endpoint` under the configured base URL."""
    app = current_app
    base = urlsplit(app.config["BASE_URL"])
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
