"""Sign-in, registration, password reset, invitations, the member list and the mail outbox."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm

from pbapp.accounts import bp, permissions, residence, services
from pbapp.accounts.forms import (
    AcceptInvitationForm,
    DetailsForm,
    InviteForm,
    LetterCodeForm,
    LetterRequestForm,
    LoginForm,
    PasswordChangeForm,
    RegisterCheckForm,
    RegisterForm,
    RegisterImportForm,
    ResetForm,
    ResetRequestForm,
    RetryMailForm,
)
from pbapp.councils.services import get_council, list_councils
from pbapp.db import get_session
from pbapp.downloads import attachment
from pbapp.errors import DomainError, Invalid, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.security import limiter, requires


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def _start_session(user) -> None:
    # A fresh session on sign-in so a cookie planted before it (session fixation) is worthless.
    lang = user.language or session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@requires(permissions.ANYONE)
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(get_session(), form.email.data, form.password.data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            _start_session(user)
            return redirect_after_post(_safe_next(url_for("homes.home")))
    status = form_status(form)
    return render("accounts/login.html", form=form, status=status, title=_("Sign in"))


@bp.route("/logout", methods=["POST"])
@requires(permissions.ANYONE)
def logout():
    if current_user.is_authenticated:
        # The session version on the account changes, so the cookie is worthless even if copied.
        services.sign_out(get_session(), current_user)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect_after_post(url_for("councils.index"))


@bp.route("/register", methods=["GET", "POST"])
@requires(permissions.ANYONE)
@limiter.limit(_login_limit, methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        # The same page whether or not the address already has an account (its owner is emailed).
        services.register(
            get_session(),
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            postcode=form.postcode.data or "",
            next_path=_safe_next(""),
        )
        return render("accounts/register_sent.html", email=form.email.data, title=_("Check your email"))
    status = form_status(form)
    return render("accounts/register.html", form=form, status=status, title=_("Create an account"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@requires(permissions.ANYONE)
@limiter.limit(_login_limit, methods=["POST"])
def confirm_email(token: str):
    # Confirmed by a button, not by opening the link: mail scanners open links too.
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            user = residence.confirm_email(get_session(), token)
        except DomainError as error:
            return render(
                "accounts/link_expired.html", message=error.message, status=404, title=_("This link has expired")
            )
        _start_session(user)
        flash(_("Your email address is confirmed."), "success")
        return redirect_after_post(_safe_next(url_for("accounts.profile")))
    return render(
        "accounts/confirm_email.html",
        form=form,
        token=token,
        next=_safe_next(""),
        title=_("Confirm your email address"),
    )


@bp.route("/confirm", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
@limiter.limit(_login_limit)
def resend_confirmation():
    try:
        residence.resend_confirmation(get_session(), current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("We have sent a new link to %(email)s.", email=current_user.email), "success")
    return redirect_after_post(_safe_next(url_for("accounts.profile")))


@bp.route("/me")
@requires(permissions.ACCOUNT_HOLDER)
def profile():
    memberships = services.memberships_of(get_session(), current_user.id)
    return render(
        "accounts/profile.html",
        memberships=memberships,
        all_councils=list_councils(get_session()),
        title=_("Your account"),
    )


@bp.route("/me/details", methods=["GET", "POST"])
@requires(permissions.ACCOUNT_HOLDER)
def details():
    form = DetailsForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_details(
                get_session(),
                current_user,
                name=form.name.data,
                postcode=form.postcode.data or "",
                language=form.language.data or "",
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            if form.language.data:
                session["lang"] = form.language.data
            flash(_("Your details have been saved."), "success")
            return redirect_after_post(url_for("accounts.profile"))
    return render("accounts/details.html", form=form, status=form_status(form), title=_("Change your details"))


@bp.route("/me/password", methods=["GET", "POST"])
@requires(permissions.ACCOUNT_HOLDER)
@limiter.limit(_login_limit, methods=["POST"])
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            user = services.change_password(
                get_session(), current_user, current=form.current.data, new=form.password.data
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            _start_session(user)
            flash(_("Your password has been changed."), "success")
            return redirect_after_post(url_for("accounts.profile"))
    return render("accounts/password.html", form=form, status=form_status(form), title=_("Change your password"))


@bp.route("/reset", methods=["GET", "POST"])
@requires(permissions.ANYONE)
@limiter.limit(_login_limit, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(get_session(), form.email.data)
        return render("accounts/reset_sent.html", email=form.email.data, title=_("Check your email"))
    return render("accounts/reset_request.html", form=form, status=form_status(form), title=_("Reset your password"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@requires(permissions.ANYONE)
def reset_password(token: str):
    db = get_session()
    try:
        services.check_reset_token(db, token)
    except DomainError as error:
        return render("accounts/link_expired.html", message=error.message, status=404, title=_("This link has expired"))
    form = ResetForm()
    if form.validate_on_submit():
        user = services.reset_password(db, token, form.password.data)
        _start_session(user)
        flash(_("Your password has been changed."), "success")
        return redirect_after_post(url_for("accounts.profile"))
    return render(
        "accounts/reset_password.html",
        form=form,
        token=token,
        status=form_status(form),
        title=_("Choose a new password"),
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@requires(permissions.ANYONE)
def accept_invitation(token: str):
    db = get_session()
    try:
        invitation, council, existing = services.open_invitation(db, token)
    except DomainError as error:
        return render(
            "accounts/link_expired.html", message=error.message, status=404, title=_("This invitation has expired")
        )
    form = AcceptInvitationForm()
    signed_in_as_invitee = existing is not None and current_user.is_authenticated and current_user.id == existing.id
    if request.method == "POST" and (signed_in_as_invitee or form.validate_on_submit()):
        try:
            user = services.accept_invitation(
                db,
                token,
                current=current_user if current_user.is_authenticated else None,
                name=form.name.data,
                password=form.password.data,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            _start_session(user)
            flash(_("You have joined %(council)s.", council=council.name), "success")
            return redirect_after_post(url_for("councils.home", council=council.slug))
    return render(
        "accounts/accept_invitation.html",
        form=form,
        invitation=invitation,
        council=council,
        existing=existing,
        signed_in_as_invitee=signed_in_as_invitee,
        status=form_status(form),
        title=_("Accept your invitation"),
    )


@bp.route("/councils/<council>/members", methods=["GET", "POST"])
@requires(permissions.MANAGE_MEMBERS)
def members(council: str):
    db = get_session()
    the_council = get_council(db, council)
    form = InviteForm()
    if form.validate_on_submit():
        services.invite(db, the_council, email=form.email.data, role=form.role.data, invited_by=current_user)
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
        return redirect_after_post(url_for("accounts.members", council=council))
    return render(
        "accounts/members.html",
        council=the_council,
        form=form,
        members=services.members_of(db, the_council),
        invitations=services.pending_invitations(db, the_council),
        status=form_status(form),
        title=_("People and roles"),
    )


@bp.route("/councils/<council>/members/<int:membership_id>/remove", methods=["POST"])
@requires(permissions.MANAGE_MEMBERS)
def remove_role(council: str, membership_id: int):
    db = get_session()
    the_council = get_council(db, council)
    try:
        services.remove_role(db, the_council, membership_id, actor=current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The role has been removed."), "success")
    return redirect_after_post(url_for("accounts.members", council=council))


@bp.route("/outbox")
@requires(permissions.READ_OUTBOX)
def outbox():
    return render(
        "accounts/outbox.html",
        messages=services.outbox(get_session(), current_user),
        smtp=bool(current_app.config.get("MAIL_SERVER")),
        form=RetryMailForm(),
        title=_("Mail outbox"),
    )


def _residence_page(the_council, check_form=None, letter_form=None, code_form=None, status=200):
    db = get_session()
    return render(
        "accounts/residence.html",
        council=the_council,
        residence=residence.status_of(db, the_council, current_user),
        check_form=check_form or RegisterCheckForm(),
        letter_form=letter_form or LetterRequestForm(prefix="letter"),
        code_form=code_form or LetterCodeForm(),
        status=status,
        title=_("Show that you live here"),
    )


@bp.route("/councils/<council>/residence")
@requires(permissions.ACCOUNT_HOLDER)
def residence_page(council: str):
    return _residence_page(get_council(get_session(), council))


def _residence_step(council: str, form, act, done: str, form_name: str):
    """Run one verification step from the residence page; a refusal comes back beside its field."""
    db = get_session()
    the_council = get_council(db, council)
    if form.validate_on_submit():
        try:
            act(db, the_council)
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(done, "success")
            return redirect_after_post(url_for("accounts.residence_page", council=council))
    return _residence_page(the_council, status=form_status(form), **{form_name: form})


@bp.route("/councils/<council>/residence/register", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
@limiter.limit(_login_limit)
def residence_check(council: str):
    form = RegisterCheckForm()
    return _residence_step(
        council,
        form,
        lambda db, c: residence.verify_by_register(
            db, c, current_user, name=form.name.data, born=form.date_of_birth.parsed, postcode=form.postcode.data
        ),
        _("Thank you. You are on the council’s register, so your votes count."),
        "check_form",
    )


@bp.route("/councils/<council>/residence/letter", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
@limiter.limit(_login_limit)
def residence_letter(council: str):
    form = LetterRequestForm(prefix="letter")
    return _residence_step(
        council,
        form,
        lambda db, c: residence.request_letter(
            db, c, current_user, address=form.address.data, postcode=form.postcode.data
        ),
        _("The council will post a letter with a code to your address. Enter the code here when it arrives."),
        "letter_form",
    )


@bp.route("/councils/<council>/residence/code", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
@limiter.limit(_login_limit)
def residence_code(council: str):
    form = LetterCodeForm()
    return _residence_step(
        council,
        form,
        lambda db, c: residence.verify_by_letter(db, c, current_user, code=form.code.data),
        _("Thank you. Your address is verified, so your votes count."),
        "code_form",
    )


def _register_page(the_council, form, problems=(), status=200):
    return render(
        "accounts/register_import.html",
        council=the_council,
        form=form,
        problems=problems,
        listed=residence.MAX_LISTED_PROBLEMS,
        view=residence.register_view(get_session(), the_council),
        action=FlaskForm(),
        status=status,
        title=_("Residents’ register"),
    )


@bp.route("/councils/<council>/register", methods=["GET", "POST"])
@requires(permissions.RUN_RESIDENCE)
def register_import(council: str):
    db = get_session()
    the_council = get_council(db, council)
    form = RegisterImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            residence.preview_register(
                db,
                the_council,
                current_user,
                source=form.source.data,
                filename=upload.filename or "",
                data=upload.read(),
            )
        except residence.RegisterProblems as error:
            show_on_form(form, error)
            problems = error.problems
        except DomainError as error:
            show_on_form(form, error)
        else:
            return redirect_after_post(url_for("accounts.register_import", council=council))
    return _register_page(the_council, form, problems, form_status(form))


@bp.route("/councils/<council>/register/<int:import_id>/confirm", methods=["POST"])
@requires(permissions.RUN_RESIDENCE)
def confirm_register(council: str, import_id: int):
    db = get_session()
    if not FlaskForm().validate_on_submit():
        raise Invalid(_("The form has expired. Try again."))
    register = residence.confirm_register(db, get_council(db, council), import_id, current_user)
    flash(_("The register of %(n)d people is now used to verify residents.", n=register.rows), "success")
    return redirect_after_post(url_for("accounts.register_import", council=council))


@bp.route("/councils/<council>/residence-letters")
@requires(permissions.RUN_RESIDENCE)
def residence_letters(council: str):
    db = get_session()
    the_council = get_council(db, council)
    return render(
        "accounts/residence_letters.html",
        council=the_council,
        letters=residence.letters_waiting(db, the_council),
        title=_("Letters to verify addresses"),
    )


@bp.route("/councils/<council>/residence-letters.csv")
@requires(permissions.RUN_RESIDENCE)
def residence_letters_csv(council: str):
    db = get_session()
    body = residence.letters_csv(db, get_council(db, council), current_user)
    return attachment(body, "text/csv", f"{council}-residence-letters.csv", no_store=True)


@bp.route("/outbox/retry", methods=["POST"])
@requires(permissions.READ_OUTBOX)
def retry_mail():
    form = RetryMailForm()
    if form.validate_on_submit():
        count = services.retry_mail(get_session(), current_user, form.message_id.data)
        flash(_("%(count)d messages will be sent again.", count=count), "success")
    return redirect_after_post(url_for("accounts.outbox"))
