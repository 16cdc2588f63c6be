"""Public council pages, the language switch, and the admin pages that set a council up."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.councils import boundaries, bp, permissions, services
from pbapp.councils.forms import (
    BoundaryImportForm,
    ConfirmForm,
    CouncilForm,
    ImportForm,
    NeighbourhoodForm,
    NewCouncilForm,
)
from pbapp.db import get_session
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
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
    return render(
        "councils/home.html", council=the_council, sections=services.open_now(db, the_council), title=the_council.name
    )


@bp.route("/councils/<council>/areas")
@requires(permissions.ANYONE)
def areas(council: str):
    db = get_session()
    the_council = services.get_council(db, council)
    neighbourhoods, wards = services.areas_of(db, the_council)
    return render(
        "councils/areas.html",
        council=the_council,
        neighbourhoods=neighbourhoods,
        wards=wards,
        title=_("Wards and neighbourhoods"),
    )


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


@bp.route("/councils/<council>/logo.png")
@requires(permissions.ANYONE)
def logo(council: str):
    the_council = services.get_council(get_session(), council)
    if the_council.logo is None:
        abort(404)
    response = make_response(the_council.logo)
    response.headers["Content-Type"] = "image/png"
    # The URL carries the logo's version, so a changed logo is a new URL and this one can be kept.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/councils/new", methods=["GET", "POST"])
@requires(permissions.CREATE_COUNCIL)
def new_council():
    form = NewCouncilForm()
    if form.validate_on_submit():
        try:
            created = services.create_council(
                get_session(),
                name=form.name.data,
                slug=form.slug.data,
                name_cy=form.name_cy.data or "",
                gss_code=form.gss_code.data or "",
                actor_id=current_user.id,
                admin_id=current_user.id,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(
                _(
                    "%(council)s has been added, with you as its admin. Import its wards and postcodes next.",
                    council=created.name,
                ),
                "success",
            )
            return redirect_after_post(url_for("councils.setup", council=created.slug))
    return render("councils/new.html", form=form, status=form_status(form), title=_("Add a council"))


@bp.route("/councils/<council>/setup", methods=["GET", "POST"])
@requires(permissions.SET_UP_COUNCIL)
def setup(council: str):
    db = get_session()
    the_council = services.get_council(db, council)
    form = CouncilForm(obj=the_council) if request.method == "GET" else CouncilForm()
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            services.update_council(
                db,
                the_council,
                name=form.name.data,
                name_cy=form.name_cy.data or "",
                gss_code=form.gss_code.data or "",
                logo=upload.read() if upload else None,
                remove_logo=form.remove_logo.data,
                bilingual=form.bilingual.data,
                actor_id=current_user.id,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The council’s details have been saved."), "success")
            return redirect_after_post(url_for("councils.setup", council=council))
    neighbourhoods, wards = services.areas_of(db, the_council)
    return render(
        "councils/setup.html",
        council=the_council,
        form=form,
        wards=wards,
        neighbourhoods=neighbourhoods,
        postcodes=services.postcode_counts(db, the_council),
        status=form_status(form),
        title=_("Set up the council"),
    )


@bp.route("/councils/<council>/setup/import/<kind>", methods=["GET", "POST"])
@requires(permissions.SET_UP_COUNCIL)
def import_upload(council: str, kind: str):
    db = get_session()
    the_council = services.get_council(db, council)
    if kind not in services.IMPORT_KINDS:
        abort(404)
    form = BoundaryImportForm() if kind == services.BOUNDARIES else ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            token = services.hold_import(
                db, the_council, kind=kind, filename=upload.filename or "", data=upload.read(), actor_id=current_user.id
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            return redirect_after_post(url_for("councils.import_preview", council=council, kind=kind, token=token))
    return render(
        "councils/import.html",
        council=the_council,
        form=form,
        kind=kind,
        status=form_status(form),
        title={
            services.WARDS: _("Import wards"),
            services.POSTCODES: _("Import postcodes"),
            services.BOUNDARIES: _("Import ward boundaries"),
        }[kind],
    )


@bp.route("/councils/<council>/setup/import/<kind>/<token>", methods=["GET", "POST"])
@requires(permissions.SET_UP_COUNCIL)
def import_preview(council: str, kind: str, token: str):
    db = get_session()
    the_council = services.get_council(db, council)
    held = services.held_import(db, the_council, kind, token, user_id=current_user.id)
    form = ConfirmForm()
    reading = services.read_import(db, the_council, held)
    if form.validate_on_submit():
        if request.form.get("action") == "discard":
            services.discard_import(db, the_council, kind, token, user_id=current_user.id)
            flash(_("The file was discarded; nothing was imported."), "success")
            return redirect_after_post(url_for("councils.setup", council=council))
        try:
            counts = services.apply_import(db, the_council, kind, token, actor_id=current_user.id)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            if kind == services.WARDS:
                flash(_("Wards imported: %(added)d added, %(updated)d updated.", **counts), "success")
            elif kind == services.BOUNDARIES:
                flash(
                    _(
                        "Boundaries imported for %(wards)d wards, simplified from %(points_before)d points to "
                        "%(points_after)d.",
                        **counts,
                    ),
                    "success",
                )
            else:
                flash(
                    _("Postcodes imported: %(postcodes)d, replacing the %(replaced)d held before.", **counts), "success"
                )
            return redirect_after_post(url_for("councils.setup", council=council))
    preview_map = (
        boundaries.preview_map(reading.rows)
        if kind == services.BOUNDARIES and reading.rows and not reading.problems
        else None
    )
    return render(
        "councils/import_preview.html",
        council=the_council,
        held=held,
        reading=reading,
        preview_map=preview_map,
        form=form,
        status=422 if form.form_errors else 200,
        title=_("Check the file before importing"),
    )


@bp.route("/councils/<council>/setup/neighbourhoods/new", methods=["GET", "POST"], defaults={"area_id": None})
@bp.route("/councils/<council>/setup/neighbourhoods/<int:area_id>", methods=["GET", "POST"])
@requires(permissions.SET_UP_COUNCIL)
def neighbourhood(council: str, area_id: int | None):
    db = get_session()
    the_council = services.get_council(db, council)
    area = services.get_neighbourhood(db, the_council, area_id) if area_id is not None else None
    wards = services.areas_of(db, the_council)[1]
    form = NeighbourhoodForm()
    form.wards.choices = [(w.id, w.name) for w in wards]
    if request.method == "GET" and area is not None:
        form.name.data = area.name
        form.wards.data = [w.id for w in wards if w.neighbourhood_id == area.id]
    if form.validate_on_submit():
        try:
            services.save_neighbourhood(
                db,
                the_council,
                name=form.name.data,
                ward_ids=form.wards.data or [],
                actor_id=current_user.id,
                area_id=area_id,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The neighbourhood has been saved."), "success")
            return redirect_after_post(url_for("councils.setup", council=council))
    return render(
        "councils/neighbourhood.html",
        council=the_council,
        form=form,
        area=area,
        status=form_status(form),
        title=area.name if area else _("Add a neighbourhood"),
    )
