"""Routes of the juries domain: create a jury, seat and manage its panel, sessions, payments."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from pbapp.downloads import attachment
from pbapp.templating import in_language
from pbapp.confirm import confirm_page
from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.juries import bp, permissions, services
from pbapp.security import requires
from pbapp.juries.forms import ExpenseForm, JurorActionForm, JuryForm, ReplacementForm, SeatForm, SessionForm


def _scope(council: str, jury_id: int):
    db = get_session()
    the_council = get_council(db, council)
    return db, the_council, services.jury_for(db, the_council, jury_id, current_user)


def _back(council: str, jury_id: int):
    return redirect_after_post(url_for("juries.jury", council=council, jury_id=jury_id))


@bp.route("/<council>/")
@requires(permissions.SEE_JURY)
def index(council: str):
    db = get_session()
    the_council = get_council(db, council)
    return render(
        "juries/index.html",
        council=the_council,
        juries=services.juries_for(db, the_council, current_user),
        can_manage=services.manages(db, the_council, current_user),
        title=_("Citizens’ juries"),
    )


@bp.route("/<council>/new", methods=["GET", "POST"])
@requires(permissions.MANAGE_JURIES)
def new(council: str):
    db = get_session()
    the_council = get_council(db, council)
    form = JuryForm()
    form.set_facilitators(services.facilitators_of(db, the_council))
    if form.validate_on_submit():
        try:
            jury = services.create_jury(
                db,
                the_council,
                remit=form.remit.data,
                panel_size=form.panel_size.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                facilitator_id=form.facilitator_id.data,
                budget_book_id=form.budget_book_id.data,
                honorarium_pence=form.honorarium.data,
                actor_id=current_user.id,
                remit_cy=form.remit_cy.data or "",
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The jury has been created. Next, fill its pool of volunteers."), "success")
            return _back(council, jury.id)
    return render("juries/new.html", council=the_council, form=form, status=form_status(form), title=_("Create a jury"))


@bp.route("/<council>/<int:jury_id>")
@requires(permissions.SEE_JURY)
def jury(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    rows = services.jurors_of(db, the_jury)
    expense_form = ExpenseForm(formdata=None)
    expense_form.set_jurors([r for r in rows if r.juror.status in ("confirmed", "withdrawn")])
    return render(
        "juries/jury.html",
        council=the_council,
        jury=the_jury,
        rows=rows,
        runs=services.runs_of(db, the_jury),
        meetings=services.sessions_of(db, the_jury),
        payments=services.payments(db, the_jury),
        can_manage=services.manages(db, the_council, current_user),
        seat_form=SeatForm(formdata=None),
        action_form=JurorActionForm(formdata=None),
        replacement_form=ReplacementForm(formdata=None),
        session_form=SessionForm(formdata=None),
        expense_form=expense_form,
        title=in_language(the_jury, "remit"),
    )


@bp.route("/<council>/<int:jury_id>/seat", methods=["POST"])
@requires(permissions.MANAGE_JURIES)
def seat(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    form = SeatForm()
    if form.validate_on_submit():
        added = services.seat_run(db, the_council, the_jury, form.run_id.data, current_user.id)
        flash(
            ngettext("%(num)d person was added to the jury.", "%(num)d people were added to the jury.", added),
            "success",
        )
    return _back(council, jury_id)


@bp.route("/<council>/<int:jury_id>/invitations", methods=["POST"])
@requires(permissions.MANAGE_JURIES)
def invitations(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    sent = services.send_invitations(db, the_council, the_jury, current_user.id)
    flash(ngettext("%(num)d invitation was sent.", "%(num)d invitations were sent.", sent), "success")
    return _back(council, jury_id)


@bp.route("/<council>/<int:jury_id>/jurors/<int:juror_id>", methods=["POST"])
@requires(permissions.MANAGE_JURIES)
def juror(council: str, jury_id: int, juror_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    form = JurorActionForm()
    if form.validate_on_submit():
        services.change_juror(db, the_council, the_jury, juror_id, form.action.data, current_user.id)
        flash(_("The juror’s status has been changed."), "success")
    return _back(council, jury_id)


def _confirm_juror(council: str, jury_id: int, juror_id: int, action: str):
    db, the_council, the_jury = _scope(council, jury_id)
    row = services.juror_row(db, the_jury, juror_id)
    name = row.person.public_id
    if action == "withdraw":
        words = {
            "heading": _("Withdraw juror %(name)s from the jury?", name=name),
            "what": _(
                "Use this when a confirmed juror can no longer take part. They leave the panel, and you "
                "can then draw a replacement or promote a reserve."
            ),
            "button": _("Withdraw the juror"),
        }
    else:
        words = {
            "heading": _("Record that juror %(name)s declined?", name=name),
            "what": _(
                "Use this when an invited person has said they cannot take part. They will not be on the "
                "panel, and you can then draw a replacement or promote a reserve."
            ),
            "button": _("Record that they declined"),
        }
    back = url_for("juries.jury", council=council, jury_id=jury_id)
    return confirm_page(
        lambda: services.change_juror(db, the_council, the_jury, juror_id, action, current_user.id),
        caption=the_jury.remit,
        warning=_("You cannot undo this."),
        back=back,
        done=_("The juror’s status has been changed."),
        after=back,
        **words,
    )


@bp.route("/<council>/<int:jury_id>/jurors/<int:juror_id>/withdraw", methods=["GET", "POST"])
@requires(permissions.MANAGE_JURIES)
def withdraw_juror(council: str, jury_id: int, juror_id: int):
    return _confirm_juror(council, jury_id, juror_id, "withdraw")


@bp.route("/<council>/<int:jury_id>/jurors/<int:juror_id>/decline", methods=["GET", "POST"])
@requires(permissions.MANAGE_JURIES)
def decline_juror(council: str, jury_id: int, juror_id: int):
    return _confirm_juror(council, jury_id, juror_id, "decline")


@bp.route("/<council>/<int:jury_id>/replacements", methods=["POST"])
@requires(permissions.MANAGE_JURIES)
def replacements(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    form = ReplacementForm()
    if not form.validate_on_submit():
        return _back(council, jury_id)
    try:
        run = services.start_replacement(db, the_council, the_jury, form.purpose.data, current_user.id)
    except DomainError as error:
        flash(error.message, "error")
        return _back(council, jury_id)
    return redirect_after_post(url_for("sortition.run", council=council, run_id=run.id))


@bp.route("/<council>/<int:jury_id>/sessions", methods=["POST"])
@requires(permissions.MANAGE_JURIES)
def add_session(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    form = SessionForm()
    if form.validate_on_submit():
        services.add_session(
            db,
            the_council,
            the_jury,
            title=form.title.data,
            held_on=form.held_on.data,
            actor_id=current_user.id,
            title_cy=form.title_cy.data or "",
        )
        flash(_("The session has been added."), "success")
    else:
        flash(_("Enter a title and a real date for the session"), "error")
    return _back(council, jury_id)


@bp.route("/<council>/<int:jury_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@requires(permissions.SEE_JURY)
def attendance(council: str, jury_id: int, session_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    meeting = services.get_session_of(db, the_jury, session_id)
    form = JurorActionForm(formdata=None)
    if request.method == "POST":
        present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        services.record_attendance(db, the_council, the_jury, meeting, present, current_user.id)
        flash(_("Attendance has been saved."), "success")
        return redirect_after_post(
            url_for("juries.attendance", council=council, jury_id=jury_id, session_id=session_id)
        )
    return render(
        "juries/attendance.html",
        council=the_council,
        jury=the_jury,
        meeting=meeting,
        form=form,
        rows=services.attending_jurors(db, the_jury),
        attended=services.attendance_of(db, meeting),
        title=in_language(meeting, "title"),
    )


@bp.route("/<council>/<int:jury_id>/expenses", methods=["POST"])
@requires(permissions.MANAGE_JURIES)
def expenses(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    form = ExpenseForm()
    form.set_jurors(services.attending_jurors(db, the_jury))
    if form.validate_on_submit():
        services.add_expense(
            db,
            the_council,
            the_jury,
            juror_id=form.juror_id.data,
            kind=form.kind.data,
            amount_pence=form.amount.data,
            description=form.description.data or "",
            actor_id=current_user.id,
        )
        flash(_("The expense has been recorded."), "success")
    else:
        flash(_("Choose a juror and enter an amount from £0.01 to £10,000"), "error")
    return _back(council, jury_id)


@bp.route("/<council>/<int:jury_id>/payments.csv")
@requires(permissions.PERSONAL_DATA)
def payments_csv(council: str, jury_id: int):
    db, the_council, the_jury = _scope(council, jury_id)
    content = services.payments_csv(db, the_council, the_jury, current_user.id)
    return attachment(content, "text/csv", f"jury-{jury_id}-payments.csv", no_store=True)


@bp.route("/<council>/<int:jury_id>/about")
@requires(permissions.ANYONE)
def about(council: str, jury_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_jury, run, counts = services.public_jury(db, the_council, jury_id)
    return render(
        "juries/about.html",
        council=the_council,
        jury=the_jury,
        run=run,
        counts=counts,
        title=in_language(the_jury, "remit"),
    )


@bp.route("/respond/<token>", methods=["GET", "POST"])
@requires(permissions.ANYONE)
def respond(token: str):
    db = get_session()
    the_juror, the_jury = services.juror_for_token(db, token)
    form = JurorActionForm(formdata=None)
    if request.method == "POST":
        try:
            services.respond(db, token, accept=request.form.get("answer") == "yes")
            return redirect_after_post(url_for("juries.respond", token=token))
        except DomainError as error:
            form.form_errors.append(error.message)
    return render(
        "juries/respond.html",
        jury=the_jury,
        juror=the_juror,
        form=form,
        status=409 if form.form_errors else 200,
        title=_("Your invitation to the citizens’ jury"),
    )


from pbapp.juries import address_views  # noqa: E402,F401  the address lottery's routes attach to the same blueprint
