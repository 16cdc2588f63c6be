"""Full page or fragment, decided in one place, so every pushed URL also loads as a page."""

from __future__ import annotations

from flask import Response, flash, make_response, redirect, render_template, request, session


def is_fragment_request() -> bool:
    """An htmx request wants a fragment, unless htmx is restoring history (then a full page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(page: str, fragment: str | None = None, *, status: int = 200, **context) -> Response:
    """Render `fragment` for htmx requests and `page` otherwise; responses vary on HX-Request."""
    template = fragment if fragment and is_fragment_request() else page
    # The page's <title> starts "Error:" when it answers with an error (a form with errors is 422).
    response = make_response(render_template(template, response_status=status, **context), status)
    response.headers["Vary"] = "HX-Request"
    return response


def redirect_after_post(location: str) -> Response:
    """303 See Other for plain forms; HX-Redirect for htmx so the browser loads a full page."""
    if is_fragment_request():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)


def redirect_with_notice(location: str, message: str) -> Response:
    """Send a polling page on to `location` with a success notice, said once.

    htmx queues a poll behind one still in flight, so on a slow server two polls can both find the
    job done before the browser leaves: the second must not add the notice again.
    """
    if ("success", message) not in [tuple(pending) for pending in session.get("_flashes", [])]:
        flash(message, "success")
    return redirect_after_post(location)


def add_vary(response: Response) -> Response:
    """Make caches keep pages and fragments of one URL apart."""
    vary = response.headers.get("Vary", "")
    if "HX-Request" not in vary:
        response.headers["Vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
    return response
