"""Public council pages and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _

from pbapp.councils import bp, permissions, services
from pbapp.db import get_session
from pbapp.htmx import render
from pbapp.security import requires


@bp.route("/")
@requires(permissions.ANYONE)
def index():
    councils = services.list_councils(get_session())
    return render("councils/index.html", councils=councils, title=_("Councils"))


@bp.route("/councils/<council>/")
@requires(permissions.ANYONE)
def home(council: str):
    db = get_session()
    the_council = services.get_council(db, council)
    return render("councils/home.html", council=the_council,
                  sections=services.open_now(db, the_council), title=the_council.name)


@bp.route("/councils/<council>/areas")
@requires(permissions.ANYONE)
def areas(council: str):
    db = get_session()
    the_council = services.get_council(db, council)
    neighbourhoods, wards = services.areas_of(db, the_council)
    return render("councils/areas.html", council=the_council, neighbourhoods=neighbourhoods,
                  wards=wards, title=_("Wards and neighbourhoods"))


@bp.route("/language/<code>")
@requires(permissions.ANYONE)
def language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.netloc:
        target = url_for("councils.index")
    return redirect(target, code=303)
