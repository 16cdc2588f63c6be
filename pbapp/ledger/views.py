"""Routes of the ledger domain: the public record, its open data, and the officers' forms."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pbapp.downloads import attachment
from pbapp.templating import in_language
from pbapp.db import get_session
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.ledger import bp, forms, opendata, permissions, services
from pbapp.security import requires


def _actor() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _can_keep(council: str) -> bool:
    return permissions.KEEP_RECORD.allows(current_user, council)


@bp.route("/<council>/")
@requires(permissions.ANYONE)
def glance(council: str):
    view = services.glance(get_session(), council)
    return render("ledger/glance.html", view=view, can_keep=_can_keep(council), title=_("Budget at a glance"))


@bp.route("/<council>/books")
@requires(permissions.ANYONE)
def books(council: str):
    view = services.glance(get_session(), council)
    return render("ledger/books.html", view=view, can_keep=_can_keep(council), title=_("Budget books"))


@bp.route("/<council>/books/<int:book_id>")
@requires(permissions.ANYONE)
def book(council: str, book_id: int):
    view = services.book_detail(get_session(), council, book_id)
    return render(
        "ledger/book.html",
        view=view,
        can_keep=_can_keep(council),
        version_form=forms.VersionForm(),
        stage_form=forms.StageForm(stage=view.book.stage),
        title=in_language(view.book, "title"),
    )


@bp.route("/<council>/books/<int:book_id>/versions", methods=["POST"])
@requires(permissions.KEEP_RECORD)
def new_version(council: str, book_id: int):
    form = forms.VersionForm()
    if form.validate_on_submit():
        created = services.new_version(get_session(), council, book_id, stage=form.stage.data, actor_id=_actor())
        flash(_("Version %(version)d started.", version=created.version), "success")
        return redirect_after_post(url_for("ledger.book", council=council, book_id=created.id))
    view = services.book_detail(get_session(), council, book_id)
    return render(
        "ledger/book.html",
        view=view,
        can_keep=True,
        version_form=form,
        stage_form=forms.StageForm(stage=view.book.stage),
        status=422,
        title=in_language(view.book, "title"),
    )


@bp.route("/<council>/books/<int:book_id>/stage", methods=["POST"])
@requires(permissions.KEEP_RECORD)
def set_stage(council: str, book_id: int):
    form = forms.StageForm()
    if form.validate_on_submit():
        services.set_stage(get_session(), council, book_id, stage=form.stage.data, actor_id=_actor())
        flash(_("The stage has been changed."), "success")
        return redirect_after_post(url_for("ledger.book", council=council, book_id=book_id))
    view = services.book_detail(get_session(), council, book_id)
    return render(
        "ledger/book.html",
        view=view,
        can_keep=True,
        version_form=forms.VersionForm(),
        stage_form=form,
        status=422,
        title=in_language(view.book, "title"),
    )


@bp.route("/<council>/books/<int:book_id>/differences")
@requires(permissions.ANYONE)
def differences(council: str, book_id: int):
    against = request.args.get("against", type=int)
    view = services.version_diff(get_session(), council, book_id, against)
    return render("ledger/differences.html", view=view, title=_("Differences between versions"))


@bp.route("/<council>/books/<int:book_id>/lines/<int:line_id>/change", methods=["GET", "POST"])
@requires(permissions.KEEP_RECORD)
def change_line(council: str, book_id: int, line_id: int):
    db = get_session()
    view, line = services.line_in_book(db, council, book_id, line_id)
    form = forms.ChangeForm(data={"gross": line.gross_pence, "income": line.income_pence})
    form.item_id.choices = [SelectChoice("", _("None"))] + [SelectChoice(str(i.id), i.title) for i in view.items]
    if form.validate_on_submit():
        try:
            services.change_line(
                db,
                council,
                book_id,
                line_id,
                gross_pence=form.gross.data,
                income_pence=form.income.data,
                source=form.source.data,
                item_id=form.chosen_item(),
                reason=form.reason.data,
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The line has been changed."), "success")
            return redirect_after_post(url_for("ledger.book", council=council, book_id=book_id))
    return render(
        "ledger/change.html", view=view, line=line, form=form, status=form_status(form), title=_("Change a budget line")
    )


def budget_upload(form: forms.ImportForm, *, save, preview, template: str, **context):
    """A budget import page (a council's book, a body's budget): save the file whole, or show it previewed.

    `save(text)` saves and returns the response to send; `preview(text)` reads the file without saving.
    Otherwise `template` is shown with the form, the preview, its problems and `context`.
    """
    parsed, errors = None, []
    if form.validate_on_submit():
        try:
            text = services.csv_text(form.csv_content(), limit=forms.MAX_CSV_CHARACTERS, source=form.upload_name())
            if "save" in request.form:
                return save(text)
            parsed = preview(text)
            form.csv_text.data, errors = text, parsed.errors
        except services.ImportRejected as error:
            show_on_form(form, error)
            errors = error.errors
    status = 422 if form.errors or form.form_errors or errors else 200
    return render(template, form=form, parsed=parsed, errors=errors, status=status, **context)


@bp.route("/<council>/import", methods=["GET", "POST"])
@requires(permissions.KEEP_RECORD)
def import_book(council: str):
    db = get_session()
    form = forms.ImportForm()

    def save(text: str):
        saved = services.import_book(
            db,
            council,
            csv_text=text,
            thousands=form.thousands.data,
            financial_year=form.financial_year.data,
            stage=form.stage.data,
            title=form.title.data or "",
            actor_id=_actor(),
            title_cy=form.title_cy.data or "",
        )
        flash(_("The budget book has been saved."), "success")
        return redirect_after_post(url_for("ledger.book", council=council, book_id=saved.id))

    def preview(text: str):
        return services.preview_import(db, council, csv_text=text, thousands=form.thousands.data)

    return budget_upload(
        form,
        save=save,
        preview=preview,
        template="ledger/import.html",
        council=council,
        title=_("Import a budget book"),
    )


@bp.route("/<council>/register")
@requires(permissions.ANYONE)
def register(council: str):
    form = forms.RegisterFilterForm(formdata=request.args)
    form.validate()
    view = services.register(
        get_session(), council, source=form.source.data or "", state=form.state.data or "", query=form.q.data or ""
    )
    return render(
        "ledger/register.html",
        "ledger/_register_items.html",
        view=view,
        form=form,
        title=_("Recommendations, results and the council’s responses"),
    )


@bp.route("/<council>/register/<int:item_id>")
@requires(permissions.ANYONE)
def item(council: str, item_id: int):
    view = services.item_detail(get_session(), council, item_id)
    return render(
        "ledger/item.html",
        council=council,
        view=view,
        can_keep=_can_keep(council),
        milestone_form=forms.MilestoneForm(),
        title=in_language(view.item, "title"),
    )


@bp.route("/<council>/register/<int:item_id>/response", methods=["GET", "POST"])
@requires(permissions.KEEP_RECORD)
def respond(council: str, item_id: int):
    db = get_session()
    view = services.item_detail(db, council, item_id)
    form = forms.ResponseForm(obj=view.response)
    if form.validate_on_submit():
        try:
            services.record_response(
                db,
                council,
                item_id,
                outcome=form.outcome.data,
                reasons=form.reasons.data,
                decided_by=form.decided_by.data,
                decided_on=form.decided_on.data,
                actor_id=_actor(),
                reasons_cy=form.reasons_cy.data or "",
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The council’s response has been recorded."), "success")
            return redirect_after_post(url_for("ledger.item", council=council, item_id=item_id))
    return render(
        "ledger/respond.html",
        council=council,
        view=view,
        form=form,
        status=form_status(form),
        title=_("Record the council’s response"),
    )


@bp.route("/<council>/register/<int:item_id>/milestones", methods=["POST"])
@requires(permissions.KEEP_RECORD)
def add_milestone(council: str, item_id: int):
    db = get_session()
    form = forms.MilestoneForm()
    if form.validate_on_submit():
        try:
            services.add_milestone(
                db,
                council,
                item_id,
                title=form.title.data,
                due_on=form.due_on.data,
                status=form.status.data,
                actor_id=_actor(),
                title_cy=form.title_cy.data or "",
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The milestone has been added."), "success")
            return redirect_after_post(url_for("ledger.item", council=council, item_id=item_id))
    view = services.item_detail(db, council, item_id)
    return render(
        "ledger/item.html",
        council=council,
        view=view,
        can_keep=True,
        milestone_form=form,
        status=422,
        title=in_language(view.item, "title"),
    )


@bp.route("/<council>/register/<int:item_id>/milestones/<int:milestone_id>", methods=["GET", "POST"])
@requires(permissions.KEEP_RECORD)
def milestone(council: str, item_id: int, milestone_id: int):
    db = get_session()
    view, step = services.milestone_of(db, council, item_id, milestone_id)
    form = forms.MilestoneUpdateForm(obj=step)
    if form.validate_on_submit():
        try:
            services.update_milestone(
                db,
                council,
                item_id,
                milestone_id,
                status=form.status.data,
                completed_on=form.completed_on.data,
                evidence_url=form.evidence_url.data or "",
                evidence_note=form.evidence_note.data or "",
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The milestone has been updated."), "success")
            return redirect_after_post(url_for("ledger.item", council=council, item_id=item_id))
    return render(
        "ledger/milestone.html",
        council=council,
        view=view,
        step=step,
        form=form,
        status=form_status(form),
        title=_("Update a milestone"),
    )


@bp.route("/<council>/scrutiny")
@requires(permissions.ANYONE)
def scrutiny(council: str):
    view = services.scrutiny(get_session(), council)
    return render("ledger/scrutiny.html", view=view, title=_("Scrutiny: overdue and rejected"))


@bp.route("/<council>/open-data")
@requires(permissions.ANYONE)
def open_data(council: str):
    view = services.glance(get_session(), council)
    return render(
        "ledger/open_data.html",
        view=view,
        datasets=opendata.DATASETS,
        schema_version=opendata.SCHEMA_VERSION,
        title=_("Open data"),
    )


@bp.route("/<council>/data/<dataset>.<fmt>")
@requires(permissions.ANYONE)
def download(council: str, dataset: str, fmt: str):
    export = services.export(get_session(), council, dataset, fmt, request.args.get("book", type=int))
    return attachment(export.content, export.mimetype, export.filename)
