"""Errors of the API as RFC 9457 problem documents, and the CORS headers of its public reads."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.http import HTTP_STATUS_CODES

PREFIX = "/api/v1"


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def problem(status: int, detail: str = "", **extra):
    """A problem document (application/problem+json) for `status`, with a plain-language detail."""
    body = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or _default_detail(status),
        "instance": request.path,
        **extra,
    }
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _default_detail(status: int) -> str:
    return {
        404: _("There is nothing at this address in the API."),
        405: _("The API only answers GET, HEAD and OPTIONS."),
        429: _("Too many requests: wait a moment and try again."),
    }.get(status, "")


def add_cors(response):
    """Let any site's scripts read the public API (GET only, never with credentials)."""
    if is_api_request():
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
