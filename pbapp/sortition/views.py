"""Routes of the sortition domain: pool, upload, quotas, codes, registration, runs, reports."""

from __future__ import annotations

import json

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_fresh

from pbapp import jobs
from pbapp.confirm import ActionForm
from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.downloads import attachment
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import is_fragment_request, redirect_after_post, redirect_with_notice, render
from pbapp.security import limiter, requires
from pbapp.sortition import bp, permissions, services
from pbapp.sortition.forms import (
    CodeForm,
    CodesForm,
    DrawForm,
    EraseForm,
    MappingForm,
    QuotaForm,
    RetentionForm,
    RunForm,
    UploadForm,
    registration_form,
)
from pbapp.sortition.uploads import CONTACT_FIELDS, HOUSEHOLD_KEY, ID_KEY, feature_key


def _scope(council: str, pool_id: int):
    db = get_session()
    the_council = get_council(db, council)
    return db, the_council, services.get_pool(db, the_council, pool_id)


@bp.route("/<council>/pools/<int:pool_id>")
@requires(permissions.MANAGE_POOLS)
def pool(council: str, pool_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    return render(
        "sortition/pool.html",
        council=the_council,
        overview=services.pool_overview(db, the_pool),
        run_form=RunForm(),
        codes_form=CodesForm(),
        erase_form=EraseForm(),
        retention_form=RetentionForm(retention_until=the_pool.retention_until),
        title=the_pool.name,
    )


def _mapping_from(formdata, features: list[str]) -> dict[str, str]:
    keys = [ID_KEY, HOUSEHOLD_KEY, *CONTACT_FIELDS, *(feature_key(f) for f in features)]
    return {key: formdata.get("map-" + key, "").strip() for key in keys}


@bp.route("/<council>/pools/<int:pool_id>/upload", methods=["GET", "POST"])
@requires(permissions.MANAGE_POOLS)
def upload(council: str, pool_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    if request.form.get("step") == "import":
        return _import_step(db, the_council, the_pool)
    form = UploadForm()
    if form.validate_on_submit():
        files = (form.features.data, form.people.data)
        sources = (files[0].filename or "features.csv", files[1].filename or "people.csv")
        contents = []
        for upload_file in files:
            with upload_file.stream:  # a large upload is spooled to a temporary file: close it now
                contents.append(upload_file.read())
        try:
            found, token = services.hold_upload(
                db,
                the_council,
                the_pool,
                current_user.id,
                features=contents[0],
                people=contents[1],
                fmt=form.file_format.data,
                sources=sources,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            mapping_form = MappingForm(formdata=None, upload=token, people_name=sources[1])
            return render(
                "sortition/upload_map.html",
                council=the_council,
                pool=the_pool,
                preview=found,
                form=mapping_form,
                mapping=found.mapping,
                title=_("Check the columns"),
            )
    return render(
        "sortition/upload.html",
        council=the_council,
        pool=the_pool,
        form=form,
        status=form_status(form),
        title=_("Upload volunteers"),
    )


@bp.route("/<council>/pools/<int:pool_id>/upload/<template>.<fmt>")
@requires(permissions.MANAGE_POOLS)
def upload_template(council: str, pool_id: int, template: str, fmt: str):
    db, _council, the_pool = _scope(council, pool_id)
    content, mimetype, name = services.upload_template(db, the_pool, template, fmt)
    return attachment(content, mimetype, name)


def _import_step(db, the_council, the_pool):
    form = MappingForm()
    try:
        held, found, _meta = services.held_upload(db, the_council, the_pool, current_user.id, form.upload.data)
    except DomainError as error:
        form = UploadForm(formdata=None)
        show_on_form(form, error)
        return render(
            "sortition/upload.html",
            council=the_council,
            pool=the_pool,
            form=form,
            status=422,
            title=_("Upload volunteers"),
        )
    mapping = _mapping_from(request.form, found.features)
    job = services.start_import(db, the_council, held, mapping, current_user.id)
    if job.status == jobs.FAILED:
        form.form_errors.extend(job.error.splitlines())
        return render(
            "sortition/upload_map.html",
            council=the_council,
            pool=the_pool,
            preview=found,
            form=form,
            mapping=mapping,
            status=422,
            title=_("Check the columns"),
        )
    if job.status == jobs.DONE:
        flash(_("%(count)d volunteers were added to the pool.", count=job.result_data()["count"]), "success")
        return redirect_after_post(url_for("sortition.pool", council=the_council.slug, pool_id=the_pool.id))
    return redirect_after_post(
        url_for("sortition.import_progress", council=the_council.slug, pool_id=the_pool.id, job_id=job.id)
    )


@bp.route("/<council>/pools/<int:pool_id>/imports/<int:job_id>")
@requires(permissions.MANAGE_POOLS)
def import_progress(council: str, pool_id: int, job_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    job = services.import_of(db, the_council, the_pool, job_id)
    if job.status == jobs.DONE and is_fragment_request():
        # The page was polling: take the officer to the pool, as a small import does at once.
        return redirect_with_notice(
            url_for("sortition.pool", council=council, pool_id=pool_id),
            _("%(count)d volunteers were added to the pool.", count=job.result_data()["count"]),
        )
    return render(
        "sortition/import.html",
        "sortition/_import_progress.html",
        council=the_council,
        pool=the_pool,
        job=job,
        title=_("Adding the volunteers"),
    )


def _bounds(formdata, features) -> tuple[dict[int, tuple[int, int]], dict[str, str]]:
    bounds, errors = {}, {}
    for feature, values in features:
        for value in values:
            pair = []
            for side in ("min", "max"):
                raw = formdata.get(f"{side}_{value.id}", str(getattr(value, side))).strip()
                if not raw.isdigit():
                    errors[f"{side}_{value.id}"] = _(
                        "%(feature)s “%(value)s”: enter the %(side)s as a whole number",
                        feature=feature.name,
                        value=value.value,
                        side=side,
                    )
                pair.append(int(raw) if raw.isdigit() else 0)
            bounds[value.id] = (pair[0], pair[1])
    return bounds, errors


@bp.route("/<council>/pools/<int:pool_id>/quotas", methods=["GET", "POST"])
@requires(permissions.MANAGE_POOLS)
def quotas(council: str, pool_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    form = QuotaForm(obj=the_pool)
    features = services.features_of(db, the_pool)
    bounds, errors, report, status, filled = {}, {}, None, 200, None
    if request.method == "POST" and form.validate_on_submit():
        bounds, errors = _bounds(request.form, features)
        action = request.form.get("action", "save")
        try:
            if action == "census":
                filled = services.census_fill(db, the_council, the_pool, _census_choices(request.form, features))
                bounds, errors = {**bounds, **filled.bounds}, {}
            elif not errors and action == "check":
                report = services.check_quotas(db, the_pool, bounds, form.one_per_household.data)
            elif not errors:
                services.save_quotas(db, the_council, the_pool, bounds, form.one_per_household.data, current_user.id)
                flash(_("The quotas have been saved."), "success")
                return redirect_after_post(url_for("sortition.pool", council=council, pool_id=pool_id))
        except DomainError as error:
            errors[error.field or "form"] = error.message
        status = 422 if errors else 200
    return render(
        "sortition/quotas.html",
        council=the_council,
        pool=the_pool,
        form=form,
        features=features,
        bounds=bounds,
        errors=errors,
        report=report,
        census=filled,
        status=status,
        title=_("Quotas"),
    )


def _census_choices(formdata, features) -> dict[int, str] | None:
    """The census figure the officer chose for each value, once the matching table has been shown."""
    if "census_shown" not in formdata:
        return None
    return {value.id: formdata.get(f"census_{value.id}", "") for _feature, values in features for value in values}


@bp.route("/<council>/pools/<int:pool_id>/quotas/check", methods=["POST"])
@requires(permissions.MANAGE_POOLS)
def check_quotas(council: str, pool_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    form = QuotaForm()
    features = services.features_of(db, the_pool)
    bounds, errors = _bounds(request.form, features)
    report = None
    try:
        if not errors:
            report = services.check_quotas(db, the_pool, bounds, form.one_per_household.data)
    except DomainError as error:
        errors[error.field or "form"] = error.message
    return render(
        "sortition/quotas.html",
        "sortition/_feasibility.html",
        council=the_council,
        pool=the_pool,
        form=form,
        features=features,
        bounds=bounds,
        errors=errors,
        report=report,
        census=None,
        title=_("Quotas"),
    )


@bp.route("/<council>/pools/<int:pool_id>/codes", methods=["POST"])
@requires(permissions.MANAGE_POOLS)
def codes(council: str, pool_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    form = CodesForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect_after_post(url_for("sortition.pool", council=council, pool_id=pool_id))
    made = services.generate_codes(db, the_council, the_pool, form.count.data, current_user.id)
    return attachment(services.codes_csv(made), "text/csv", f"invitation-codes-pool-{pool_id}.csv", no_store=True)


@bp.route("/<council>/pools/<int:pool_id>/retention", methods=["POST"])
@requires(permissions.MANAGE_POOLS)
def retention(council: str, pool_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    form = RetentionForm()
    if form.validate_on_submit():
        services.set_retention(db, the_council, the_pool, form.retention_until.data, current_user.id)
        flash(_("The retention date has been saved."), "success")
    else:
        flash(_("Enter a real date, like 31 3 2028"), "error")
    return redirect_after_post(url_for("sortition.pool", council=council, pool_id=pool_id))


@bp.route("/<council>/pools/<int:pool_id>/erase", methods=["POST"])
@requires(permissions.PERSONAL_DATA)
def erase(council: str, pool_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    form = EraseForm()
    if form.validate_on_submit():
        erased = services.erase_personal_data(db, the_council, the_pool, current_user.id)
        flash(_("Contact details of %(count)d volunteers have been erased.", count=erased), "success")
    else:
        flash(_("Confirm that the contact details can be erased"), "error")
    return redirect_after_post(url_for("sortition.pool", council=council, pool_id=pool_id))


@bp.route("/<council>/pools/<int:pool_id>/runs", methods=["POST"])
@requires(permissions.MANAGE_POOLS)
def start_run(council: str, pool_id: int):
    db, the_council, the_pool = _scope(council, pool_id)
    form = RunForm()
    if not form.validate_on_submit():
        flash(_("Choose a selection method"), "error")
        return redirect_after_post(url_for("sortition.pool", council=council, pool_id=pool_id))
    run = services.start_run(db, the_council, the_pool, algorithm=form.algorithm.data, actor_id=current_user.id)
    return redirect_after_post(url_for("sortition.run", council=council, run_id=run.id))


def _run_scope(council: str, run_id: int):
    db = get_session()
    the_council = get_council(db, council)
    return db, the_council, services.get_run(db, the_council, run_id)


@bp.route("/<council>/runs/<int:run_id>")
@requires(permissions.MANAGE_POOLS)
def run(council: str, run_id: int):
    db, the_council, the_run = _run_scope(council, run_id)
    response = render(
        "sortition/run.html",
        "sortition/_run_progress.html",
        council=the_council,
        run=the_run,
        job=services.run_job(db, the_run),
        view=services.run_view(the_run),
        form=DrawForm(),
        retry_form=ActionForm(),
        title=_("Selection run %(id)d", id=run_id),
    )
    if request.headers.get("HX-Request") and the_run.status not in ("queued", "running"):
        response.headers["HX-Refresh"] = "true"
    return response


@bp.route("/<council>/runs/<int:run_id>/retry", methods=["POST"])
@requires(permissions.MANAGE_POOLS)
def retry_run(council: str, run_id: int):
    db, the_council, the_run = _run_scope(council, run_id)
    if ActionForm().validate_on_submit():
        services.retry_run(db, the_council, the_run, current_user.id)
        flash(_("The selection is running again."), "success")
    return redirect_after_post(url_for("sortition.run", council=council, run_id=run_id))


@bp.route("/<council>/runs/<int:run_id>/draw", methods=["POST"])
@requires(permissions.MANAGE_POOLS)
def draw(council: str, run_id: int):
    db, the_council, the_run = _run_scope(council, run_id)
    form = DrawForm()
    if form.validate_on_submit():
        try:
            services.draw(db, the_council, the_run, form.number.data, current_user.id)
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The panel has been drawn with the number %(number)d.", number=form.number.data), "success")
            return redirect_after_post(url_for("sortition.run", council=council, run_id=run_id))
    return render(
        "sortition/run.html",
        council=the_council,
        run=the_run,
        job=services.run_job(db, the_run),
        view=services.run_view(the_run),
        form=form,
        status=422,
        title=_("Selection run %(id)d", id=run_id),
    )


@bp.route("/<council>/runs/<int:run_id>/input.zip")
@requires(permissions.MANAGE_POOLS)
def run_input(council: str, run_id: int):
    db = get_session()
    the_run = services.get_run(db, get_council(db, council), run_id)
    return attachment(services.input_archive(the_run), "application/zip", f"pool-run-{run_id}.zip")


@bp.route("/<council>/runs/<int:run_id>/selected.csv", defaults={"part": "selected"})
@bp.route("/<council>/runs/<int:run_id>/remaining.csv", defaults={"part": "remaining"})
@requires(permissions.PERSONAL_DATA)
def selected_remaining(council: str, run_id: int, part: str):
    """The Sortition Foundation's selected and remaining files of a drawn panel."""
    db, the_council, the_run = _run_scope(council, run_id)
    content, filename = services.selected_remaining_csv(db, the_council, the_run, part, current_user.id)
    return attachment(content, "text/csv", filename)


@bp.route("/<council>/runs/<int:run_id>/report")
@requires(permissions.ANYONE)
def report(council: str, run_id: int):
    db = get_session()
    the_council = get_council(db, council)
    view = services.public_run(db, the_council, run_id)
    return render(
        "sortition/report.html", council=the_council, view=view, run=view.run, title=_("How the jury was selected")
    )


@bp.route("/<council>/people/<int:person_id>/export")
@requires(permissions.PERSONAL_DATA)
def export_person(council: str, person_id: int):
    if not login_fresh():
        flash(_("Sign in again to download personal data."), "error")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    db = get_session()
    data = services.export_person(db, get_council(db, council), person_id, current_user.id)
    content = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
    return attachment(content, "application/json", f"volunteer-{person_id}.json", no_store=True)


def _registration_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/<council>/register", methods=["GET", "POST"])
@requires(permissions.ANYONE)
@limiter.limit(_registration_limit, methods=["POST"])
def register(council: str):
    db = get_session()
    the_council = get_council(db, council)
    code_form = CodeForm()
    code = request.form.get("code", "")
    if request.method == "POST" and (code_form.validate_on_submit() or code):
        try:
            the_pool, features = services.registration_features(db, the_council, code)
        except DomainError as error:
            show_on_form(code_form, error)
        else:
            return _registration_step(db, the_council, code, features)
    return render(
        "sortition/register_code.html",
        council=the_council,
        form=code_form,
        status=form_status(code_form),
        title=_("Join the citizens’ jury pool"),
    )


def _registration_step(db, the_council, code: str, features):
    form = registration_form(features)
    form.code.data = code
    if "name" in request.form and form.validate_on_submit():
        answers = {f.name: getattr(form, f"feature_{f.id}").data for f, _values in features}
        contact = {k: (getattr(form, k).data or "").strip() for k in CONTACT_FIELDS}
        try:
            services.register_volunteer(db, the_council, code=code, answers=answers, contact=contact)
        except DomainError as error:
            show_on_form(form, error)
        else:
            return render("sortition/registered.html", council=the_council, title=_("You are in the pool"))
    submitted = "name" in request.form
    return render(
        "sortition/register.html",
        council=the_council,
        form=form,
        features=features,
        status=422 if submitted and (form.errors or form.form_errors) else 200,
        title=_("Join the citizens’ jury pool"),
    )
