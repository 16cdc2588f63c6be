"""Buttons that change state: the form they post (only the CSRF token), and the GOV.UK confirmation
pattern for actions that cannot be undone (say what will happen, then act)."""

from __future__ import annotations

from typing import Callable

from flask import flash, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from pbapp.errors import Conflict, Invalid, NotAllowed
from pbapp.htmx import redirect_after_post, render


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


def check_action() -> None:
    """Refuse a button's POST whose CSRF token is missing or stale, with the message every such button gives."""
    if not ActionForm().validate_on_submit():
        raise Invalid(_("The form has expired. Go back and try again."))


def confirm_page(
    action: Callable[[], object],
    *,
    heading: str,
    what: str,
    warning: str,
    button: str,
    back: str,
    done: str,
    after: str | Callable[[object], str],
    caption: str = "",
):
    """Ask before an irreversible change (GET), then make it (POST, 303); a refusal is shown on the same page."""
    problem = None
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            result = action()
        except (Conflict, Invalid, NotAllowed) as error:
            problem = error.message
        else:
            flash(done, "success")
            return redirect_after_post(after(result) if callable(after) else after)
    return render(
        "confirm.html",
        heading=heading,
        what=what,
        warning=warning,
        button=button,
        back=back,
        caption=caption,
        problem=problem,
        status=409 if problem else 200,
        title=heading,
    )
