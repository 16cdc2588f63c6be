"""Errors services raise; views turn them into pages, never the other way round."""

from __future__ import annotations

import logging

from markupsafe import escape

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A use case could not go ahead; the message is plain English for the person acting."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class NotAllowed(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422


class InvalidRows(Invalid):
    """Every fault found in an upload at once, each naming its line; `message` is the first of `faults`."""

    def __init__(self, faults: list[str], *, field: str | None = None):
        super().__init__(faults[0], field=field)
        self.faults = faults


def form_status(form) -> int:
    """Return 422 when a form comes back with errors (beside fields or at its top), else 200."""
    return 422 if form.errors or form.form_errors else 200


def show_on_form(form, error: DomainError) -> None:
    """Put a service's refusal beside the field it names, or at the top of the form."""
    messages = getattr(error, "faults", None) or [error.message]
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + messages
    else:
        form.form_errors.extend(messages)


def init_app(app) -> None:
    """Show every HTTP error and unhandled refusal as the app's own page."""
    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, _error_page)
    app.register_error_handler(DomainError, _domain_error_page)


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    from pbapp.api import problems  # the public API answers in problem documents, not pages

    if problems.is_api_request():
        return problems.problem(code)
    return _render_error(code, None)


def _domain_error_page(error: DomainError):
    """A service refused and the view did not handle it: show its plain message."""
    from pbapp.api import problems

    if problems.is_api_request():
        return problems.problem(error.status, str(error.message))
    return _render_error(error.status, error.message)


def _render_error(code: int, message: str | None):
    """Render the error page after undoing the request's unfinished work; never fail while doing so.

    A fault inside a transaction leaves the session unusable until it is rolled back, and the page's
    menu reads the database; if rendering still fails, a bare page in the same words is returned.
    """
    from flask import g, render_template

    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except Exception:  # the connection itself may be gone; start again without it
            log.exception("could not roll back before rendering an error page")
            g.pop("db_session", None)
    try:
        return render_template("errors/error.html", code=code, message=message), code
    except Exception:
        log.exception("the error page failed to render")
        return _bare_page(code, message), code


def _bare_page(code: int, message: str | None) -> str:
    from flask_babel import gettext as _

    try:
        title = _("Sorry, there is a problem with the service") if code >= 500 else _("Sorry, that could not be done")
        error, again, start = _("Error:"), _("Try again later."), _("Go to the start page")
    except Exception:  # no translations to hand: English
        title, error, again = "Sorry, there is a problem with the service", "Error:", "Try again later."
        start = "Go to the start page"
    body = escape(message) if message else escape(again)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(error)} {escape(title)}'
        f'</title></head><body><main><h1>{escape(title)}</h1><p>{body}</p><p><a href="/">{escape(start)}</a></p>'
        f"</main></body></html>"
    )
