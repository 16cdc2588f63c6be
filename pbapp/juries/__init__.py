"""Juries: the jury, its jurors, sessions, attendance and expenses (deliberation is pbapp/deliberation)."""

from flask import Blueprint, Flask, url_for
from flask_babel import format_date, gettext as _

bp = Blueprint("juries", __name__, url_prefix="/juries")


def _open_juries(session, council):
    """List the council's current and coming juries on its home page."""
    from pbapp.councils.services import OpenItem
    from pbapp.juries.services import public_juries
    from pbapp.timeutil import uk_today

    today = uk_today()
    return [
        OpenItem(
            "juries",
            jury.remit,
            url_for("juries.about", council=council.slug, jury_id=jury.id),
            summary=_(
                "%(size)d residents chosen by lot, %(start)s to %(end)s",
                size=jury.panel_size,
                start=format_date(jury.starts_on, "d MMMM yyyy"),
                end=format_date(jury.ends_on, "d MMMM yyyy"),
            ),
            status=_("Meeting now") if jury.starts_on <= today <= jury.ends_on else _("Coming up"),
        )
        for jury in public_juries(session, council)
        if jury.ends_on >= today
    ]


def register(app: Flask) -> None:
    """Wire juries into the app: its pages, and its juries on the council's home page."""
    from pbapp.councils.services import register_open_now
    from pbapp.juries import views  # noqa: F401  (its routes and the address lottery's attach to bp)

    app.register_blueprint(bp)
    register_open_now(app, _open_juries)
