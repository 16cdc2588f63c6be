"""The address lottery on a jury's page: upload the address list, choose and preview, draw, then download
the mail-merge CSV and the invitation letters and delete them once posted."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.confirm import ActionForm, check_action
from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.downloads import kept_file
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.juries import bp, permissions, services
from pbapp.juries.forms import AddressDrawForm, AddressListForm
from pbapp.links import external_url
from pbapp.security import requires
from pbapp.sortition import address_lottery, invitations


def _scope(council: str, jury_id: int):
    db = get_session()
    the_council = get_council(db, council)
    return db, the_council, services.jury_for(db, the_council, jury_id, current_user)


@bp.route("/<council>/<int:jury_id>/addresses", methods=["GET", "POST"])
@requires(permissions.MANAGE_JURIES)
def addresses(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    form = AddressListForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            token = address_lottery.hold_list(
                db, the_council, the_jury, filename=upload.filename or "", data=upload.read(), actor_id=current_user.id
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            return redirect_after_post(url_for("juries.address_draw", council=council, jury_id=jury_id, token=token))
    return render(
        "juries/addresses.html",
        council=the_council,
        jury=the_jury,
        form=form,
        status=form_status(form),
        title=_("Draw addresses to invite"),
    )


@bp.route("/<council>/<int:jury_id>/addresses/<token>", methods=["GET", "POST"])
@requires(permissions.MANAGE_JURIES)
def address_draw(council: str, jury_id: int, token: str):
    db, the_council, the_jury = _scope(council, jury_id)
    held = address_lottery.held_list(db, the_council, the_jury, token, user_id=current_user.id)
    form = AddressDrawForm()
    form.id_column.choices = [(c, c) for c in held.header]
    form.strata.choices = [(c, c) for c in held.header]
    form.address_columns.choices = [(c, c) for c in held.header]
    if request.method == "GET":
        form.id_column.data = held.suggested_id
    action = request.form.get("action", "preview")
    if request.method == "POST" and action == "discard":  # CSRF is checked app-wide (pbapp.security)
        address_lottery.discard(db, the_council, the_jury, token, user_id=current_user.id)
        flash(_("The address list was discarded."), "success")
        return redirect_after_post(url_for("juries.jury", council=council, jury_id=jury_id))
    plan = letter_columns = None
    if form.validate_on_submit():
        choices = {
            "id_column": form.id_column.data,
            "columns": form.strata.data or [],
            "letters": form.letters.data,
            "seed": form.seed.data,
            "address_columns": form.address_columns.data or [],
        }
        try:
            if action == "draw":
                address_lottery.draw(
                    db,
                    the_council,
                    the_jury,
                    token,
                    actor_id=current_user.id,
                    url=external_url("sortition.register", council=council),
                    language=str(get_locale()),
                    **choices,
                )
                flash(_("The households were drawn and their registration codes issued."), "success")
                return redirect_after_post(url_for("juries.invitations_page", council=council, jury_id=jury_id))
            plan = address_lottery.plan(held, **choices)
            letter_columns = address_lottery.letter_columns(
                held, id_column=choices["id_column"], columns=choices["columns"], chosen=choices["address_columns"]
            )
        except DomainError as error:
            show_on_form(form, error)
    return render(
        "juries/address_draw.html",
        council=the_council,
        jury=the_jury,
        held=held,
        form=form,
        plan=plan,
        letter_columns=letter_columns,
        kept=invitations.held(the_jury.id),
        status=form_status(form),
        title=_("Choose the draw of addresses"),
    )


@bp.route("/<council>/<int:jury_id>/invitation-letters", methods=["GET", "POST"])
@requires(permissions.MANAGE_JURIES)
def invitations_page(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    if request.method == "POST":
        check_action()
        invitations.make_again(db, the_council, the_jury, actor_id=current_user.id)
        flash(_("The letters are being made."), "success")
        return redirect_after_post(url_for("juries.invitations_page", council=council, jury_id=jury_id))
    job = invitations.letters_job(db, the_council, the_jury)
    return render(
        "juries/invitations.html",
        "juries/_invitations_progress.html",
        council=the_council,
        jury=the_jury,
        job=job,
        csv_kept=invitations.csv_path(the_jury.id).exists(),
        ready=invitations.ready(the_jury, job),
        action=ActionForm(),
        title=_("Invitation letters"),
    )


@bp.route("/<council>/<int:jury_id>/invitation-letters.csv")
@requires(permissions.MANAGE_JURIES)
def invitations_csv(council: str, jury_id: int):
    return _invitations_file(council, jury_id, "csv")


@bp.route("/<council>/<int:jury_id>/invitation-letters.pdf")
@requires(permissions.MANAGE_JURIES)
def invitations_pdf(council: str, jury_id: int):
    return _invitations_file(council, jury_id, "pdf")


def _invitations_file(council: str, jury_id: int, kind: str):
    db, the_council, the_jury = _scope(council, jury_id)
    path = invitations.download(db, the_council, the_jury, kind, actor_id=current_user.id)
    return kept_file(path, "text/csv" if kind == "csv" else "application/pdf", f"letters-jury-{jury_id}.{kind}")


@bp.route("/<council>/<int:jury_id>/invitation-letters/delete", methods=["POST"])
@requires(permissions.MANAGE_JURIES)
def delete_invitations(council: str, jury_id: int):
    check_action()
    db, the_council, the_jury = _scope(council, jury_id)
    invitations.delete(db, the_council, the_jury, actor_id=current_user.id)
    flash(_("The draw’s addresses and letters have been deleted. The codes still work."), "success")
    return redirect_after_post(url_for("juries.invitations_page", council=council, jury_id=jury_id))
