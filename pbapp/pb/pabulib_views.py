"""Officer pages that import a Pabulib `.pb` file as a closed ballot: upload, preview, confirm, progress."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.pb import bp, forms, pabulib_import, permissions
from pbapp.pb.models import Ballot
from pbapp.security import requires


@bp.route("/<council>/manage/processes/<int:process_id>/import", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def import_pabulib(council: str, process_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_process = pabulib_import.get_process(db, the_council, process_id)
    form = forms.PabulibUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            token = pabulib_import.hold(
                db, the_council, process_id, current_user, data=upload.read(), filename=upload.filename or ""
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            return redirect_after_post(
                url_for("pb.import_pabulib_preview", council=council, process_id=process_id, token=token)
            )
    return render(
        "pb/import_pabulib.html",
        council=the_council,
        process=the_process,
        form=form,
        status=form_status(form),
        title=_("Import a Pabulib file as a ballot"),
    )


@bp.route("/<council>/manage/processes/<int:process_id>/import/<token>", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def import_pabulib_preview(council: str, process_id: int, token: str):
    db = get_session()
    the_council = get_council(db, council)
    held = pabulib_import.held(db, the_council, process_id, token, user_id=current_user.id)
    form = forms.PabulibImportForm(
        data=None
        if request.method == "POST"
        else {
            "title": pabulib_import.default_title(held.election, held.filename),
            "rule": pabulib_import.default_rule(held.election),
        }
    )
    action = request.form.get("action") if form.validate_on_submit() else None
    if action == "discard":
        pabulib_import.discard(db, the_council, process_id, token, user_id=current_user.id)
        flash(_("The file was discarded; nothing was imported."), "success")
        return redirect_after_post(url_for("pb.manage_process", council=council, process_id=process_id))
    if action == "import":  # "preview" only shows the outcome by the rule chosen
        try:
            done = pabulib_import.confirm(
                db, the_council, process_id, token, current_user, rule=form.rule.data, title=form.title.data
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            if isinstance(done, Ballot):
                flash(_("The ballot was imported, closed. Count it, then publish the results."), "success")
                return redirect_after_post(url_for("pb.manage_ballot", council=council, ballot_id=done.id))
            return redirect_after_post(
                url_for("pb.import_pabulib_progress", council=council, process_id=process_id, job_id=done.id)
            )
    rule = form.rule.data if form.rule.data in pabulib_import.counting.PROJECT_RULES else "greedy"
    try:
        preview = pabulib_import.preview(
            held.election, held.filename, rule=rule, title=form.title.data or "", seed=held.seed
        )
    except DomainError as error:
        show_on_form(form, error)
        preview = None
    return render(
        "pb/import_pabulib_preview.html",
        council=the_council,
        process=held.process,
        held=held,
        preview=preview,
        form=form,
        status=form_status(form),
        title=_("Check the file before importing"),
    )


@bp.route("/<council>/manage/processes/<int:process_id>/import/jobs/<int:job_id>")
@requires(permissions.RUN_PB)
def import_pabulib_progress(council: str, process_id: int, job_id: int):
    db = get_session()
    the_council = get_council(db, council)
    job = pabulib_import.import_of(db, the_council, process_id, job_id)
    return render(
        "pb/import_pabulib_progress.html",
        "pb/_import_pabulib_progress.html",
        council=the_council,
        process_id=process_id,
        job=job,
        title=_("Importing the ballot"),
    )
