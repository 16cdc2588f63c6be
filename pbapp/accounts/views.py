"""Sign-in, registration, password reset, invitations, the member list and the mail outbox."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from pbapp.accounts import bp, permissions, services
from pbapp.accounts.forms import (AcceptInvitationForm, InviteForm, LoginForm, RegisterForm,
                                  ResetForm, ResetRequestForm, RetryMailForm)
from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, form_status, show_on_form
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
    lang = session.get("lang")
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
            return redirect_after_post(_safe_next(url_for("accounts.profile")))
    status = form_status(form)
    return render("accounts/login.html", form=form, status=status, title=_("Sign in"))


@bp.route("/logout", methods=["POST"])
@requires(permissions.ANYONE)
def logout():
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
        try:
            user = services.register(get_session(), name=form.name.data, email=form.email.data,
                                     password=form.password.data, postcode=form.postcode.data or "")
        except DomainError as error:
            show_on_form(form, error)
        else:
            _start_session(user)
            flash(_("Your account has been created."), "success")
            return redirect_after_post(url_for("accounts.profile"))
    status = form_status(form)
    return render("accounts/register.html", form=form, status=status, title=_("Create an account"))


@bp.route("/me")
@requires(permissions.ACCOUNT_HOLDER)
def profile():
    memberships = services.memberships_of(get_session(), current_user.id)
    return render("accounts/profile.html", memberships=memberships, title=_("Your account"))


@bp.route("/reset", methods=["GET", "POST"])
@requires(permissions.ANYONE)
@limiter.limit(_login_limit, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(get_session(), form.email.data)
        return render("accounts/reset_sent.html", email=form.email.data, title=_("Check your email"))
    return render("accounts/reset_request.html", form=form, status=form_status(form),
                  title=_("Reset your password"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@requires(permissions.ANYONE)
def reset_password(token: str):
    db = get_session()
    try:
        services.check_reset_token(db, token)
    except DomainError as error:
        return render("accounts/link_expired.html", message=error.message, status=404,
                      title=_("This link has expired"))
    form = ResetForm()
    if form.validate_on_submit():
        user = services.reset_password(db, token, form.password.data)
        _start_session(user)
        flash(_("Your password has been changed."), "success")
        return redirect_after_post(url_for("accounts.profile"))
    return render("accounts/reset_password.html", form=form, token=token,
                  status=form_status(form), title=_("Choose a new password"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@requires(permissions.ANYONE)
def accept_invitation(token: str):
    db = get_session()
    try:
        invitation, council, existing = services.open_invitation(db, token)
    except DomainError as error:
        return render("accounts/link_expired.html", message=error.message, status=404,
                      title=_("This invitation has expired"))
    form = AcceptInvitationForm()
    signed_in_as_invitee = existing is not None and current_user.is_authenticated and current_user.id == existing.id
    if request.method == "POST" and (signed_in_as_invitee or form.validate_on_submit()):
        try:
            user = services.accept_invitation(
                db, token, current=current_user if current_user.is_authenticated else None,
                name=form.name.data, password=form.password.data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            _start_session(user)
            flash(_("You have joined %(council)s.", council=council.name), "success")
            return redirect_after_post(url_for("councils.home", council=council.slug))
    return render("accounts/accept_invitation.html", form=form, invitation=invitation,
                  council=council, existing=existing, signed_in_as_invitee=signed_in_as_invitee,
                  status=form_status(form),
                  title=_("Accept your invitation"))


@bp.route("/councils/<council>/members", methods=["GET", "POST"])
@requires(permissions.MANAGE_MEMBERS)
def members(council: str):
    db = get_session()
    the_council = get_council(db, council)
    form = InviteForm()
    if form.validate_on_submit():
        services.invite(db, the_council, email=form.email.data, role=form.role.data,
                        invited_by=current_user)
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
        return redirect_after_post(url_for("accounts.members", council=council))
    return render("accounts/members.html", council=the_council, form=form,
                  members=services.members_of(db, the_council),
                  invitations=services.pending_invitations(db, the_council),
                  status=form_status(form), title=_("People and roles"))


@bp.route("/outbox")
@requires(permissions.READ_OUTBOX)
def outbox():
    return render("accounts/outbox.html", messages=services.outbox(get_session(), current_user),
                  smtp=bool(current_app.config.get("MAIL_SERVER")), form=RetryMailForm(), title=_("Mail outbox"))


@bp.route("/outbox/retry", methods=["POST"])
@requires(permissions.READ_OUTBOX)
def retry_mail():
    form = RetryMailForm()
    if form.validate_on_submit():
        count = services.retry_mail(get_session(), current_user, form.message_id.data)
        flash(_("%(count)d messages will be sent again.", count=count), "success")
    return redirect_after_post(url_for("accounts.outbox"))
