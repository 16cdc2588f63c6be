"""Routes of the places domain: a place's public money, its bodies and outcome areas, open data and the officers' forms."""

from __future__ import annotations

from flask import flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.core.places import format_percent
from pbapp.db import get_session
from pbapp.downloads import attachment
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.ledger.views import budget_upload
from pbapp.places import bp, forms, opendata, permissions, services
from pbapp.security import requires


def _actor() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _can_keep(council: str) -> bool:
    return permissions.KEEP_PLACE.allows(current_user, council)


def _labels() -> dict:
    return {"body_kind": forms.body_kind_label, "place_kind": forms.place_kind_label, "percent": format_percent}


@bp.route("/<council>/", methods=["GET"])
@requires(permissions.ANYONE)
def index(council: str):
    the_council, places = services.places_of(get_session(), council)
    return render(
        "places/index.html",
        council=the_council,
        places=places,
        form=forms.PlaceForm(),
        can_keep=_can_keep(council),
        labels=_labels(),
        title=_("Public money in your area"),
    )


@bp.route("/<council>/", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def add_place(council: str):
    db = get_session()
    form = forms.PlaceForm()
    if form.validate_on_submit():
        try:
            place = services.add_place(
                db,
                council,
                name=form.name.data,
                kind=form.kind.data,
                description=form.description.data or "",
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The place has been added."), "success")
            return redirect_after_post(url_for("places.place", council=council, place_id=place.id))
    the_council, places = services.places_of(db, council)
    return render(
        "places/index.html",
        council=the_council,
        places=places,
        form=form,
        can_keep=True,
        labels=_labels(),
        status=form_status(form),
        title=_("Public money in your area"),
    )


def _place_page(council: str, place_id: int, *, body_form=None, area_form=None, status: int = 200):
    view = services.place_detail(get_session(), council, place_id)
    return render(
        "places/place.html",
        view=view,
        can_keep=_can_keep(council),
        labels=_labels(),
        body_form=body_form or forms.BodyForm(prefix="body"),
        area_form=area_form or forms.AreaForm(prefix="area"),
        status=status,
        title=view.place.name,
    )


@bp.route("/<council>/<int:place_id>/")
@requires(permissions.ANYONE)
def place(council: str, place_id: int):
    return _place_page(council, place_id)


@bp.route("/<council>/<int:place_id>/print")
@requires(permissions.ANYONE)
def print_view(council: str, place_id: int):
    view = services.place_detail(get_session(), council, place_id)
    return render("places/print.html", view=view, labels=_labels(), title=view.place.name)


@bp.route("/<council>/<int:place_id>/bodies", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def add_body(council: str, place_id: int):
    form = forms.BodyForm(prefix="body")
    if form.validate_on_submit():
        try:
            body = services.add_body(
                get_session(),
                council,
                place_id,
                name=form.name.data,
                kind=form.kind.data,
                website=form.website.data or "",
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The body has been added. Import its budget next."), "success")
            return redirect_after_post(url_for("places.body", council=council, place_id=place_id, body_id=body.id))
    return _place_page(council, place_id, body_form=form, status=422)


@bp.route("/<council>/<int:place_id>/areas", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def add_area(council: str, place_id: int):
    form = forms.AreaForm(prefix="area")
    if form.validate_on_submit():
        try:
            area = services.add_area(
                get_session(),
                council,
                place_id,
                name=form.name.data,
                description=form.description.data or "",
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The outcome area has been added. Map the bodies’ lines to it next."), "success")
            return redirect_after_post(url_for("places.area", council=council, place_id=place_id, area_id=area.id))
    return _place_page(council, place_id, area_form=form, status=422)


@bp.route("/<council>/<int:place_id>/bodies/<int:body_id>")
@requires(permissions.ANYONE)
def body(council: str, place_id: int, body_id: int):
    from pbapp.places.inquiries import responses_of_body

    view = services.body_detail(get_session(), council, place_id, body_id)
    return render(
        "places/body.html",
        view=view,
        can_keep=_can_keep(council),
        labels=_labels(),
        responses=responses_of_body(get_session(), view.body),
        title=view.body.name,
    )


@bp.route("/<council>/<int:place_id>/bodies/<int:body_id>/import", methods=["GET", "POST"])
@requires(permissions.KEEP_PLACE)
def import_budget(council: str, place_id: int, body_id: int):
    db = get_session()
    view = services.body_detail(db, council, place_id, body_id)
    form = forms.BudgetImportForm()

    def save(text: str):
        services.import_budget(
            db,
            council,
            place_id,
            body_id,
            csv_text=text,
            thousands=form.thousands.data,
            financial_year=form.financial_year.data,
            basis=form.basis.data,
            source_title=form.source_title.data,
            source_url=form.source_url.data or "",
            source_date=form.source_date.data,
            actor_id=_actor(),
        )
        flash(_("The budget has been saved."), "success")
        return redirect_after_post(url_for("places.body", council=council, place_id=place_id, body_id=body_id))

    def preview(text: str):
        return services.preview_budget(db, council, place_id, body_id, csv_text=text, thousands=form.thousands.data)

    return budget_upload(
        form,
        save=save,
        preview=preview,
        template="places/import.html",
        view=view,
        title=_("Import a budget for %(body)s", body=view.body.name),
    )


@bp.route("/<council>/<int:place_id>/areas/<int:area_id>")
@requires(permissions.ANYONE)
def area(council: str, place_id: int, area_id: int):
    from pbapp.places.inquiries import inquiries_of_area

    view, summary = services.area_detail(get_session(), council, place_id, area_id)
    return render(
        "places/area.html",
        view=view,
        summary=summary,
        can_keep=_can_keep(council),
        labels=_labels(),
        inquiries=inquiries_of_area(get_session(), summary.area),
        title=summary.area.name,
    )


@bp.route("/<council>/<int:place_id>/areas/<int:area_id>/bodies/<int:body_id>/shares", methods=["GET", "POST"])
@requires(permissions.KEEP_PLACE)
def shares(council: str, place_id: int, area_id: int, body_id: int):
    db = get_session()
    view = services.shares_for(db, council, place_id, area_id, body_id)
    form = forms.SharesForm()
    form.fill(view.service_lines, view.current, format_percent)
    if form.validate_on_submit():
        try:
            services.set_shares(
                db, council, place_id, area_id, body_id, shares=form.chosen(view.service_lines), actor_id=_actor()
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The lines have been mapped."), "success")
            return redirect_after_post(url_for("places.area", council=council, place_id=place_id, area_id=area_id))
    return render(
        "places/shares.html",
        view=view,
        form=form,
        rows=list(zip(view.service_lines, form.shares)),
        labels=_labels(),
        status=form_status(form),
        title=_("Map lines to %(area)s", area=view.area.name),
    )


@bp.route("/<council>/<int:place_id>/open-data")
@requires(permissions.ANYONE)
def open_data(council: str, place_id: int):
    view = services.place_detail(get_session(), council, place_id)
    return render(
        "places/open_data.html",
        view=view,
        datasets=opendata.DATASETS,
        schema_version=opendata.SCHEMA_VERSION,
        title=_("Open data"),
    )


@bp.route("/<council>/<int:place_id>/data/<place_dataset>.<fmt>")
@requires(permissions.ANYONE)
def download(council: str, place_id: int, place_dataset: str, fmt: str):
    export = services.export(get_session(), council, place_id, place_dataset, fmt)
    return attachment(export.content, export.mimetype, export.filename)


from pbapp.places import committee_views  # noqa: E402,F401  (the committee's routes attach to the same bp)
from pbapp.places import inquiry_views  # noqa: E402,F401  (so do the inquiries')
