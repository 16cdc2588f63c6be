"""Each role's home, the landing page after sign-in, and the footer pages."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.councils.services import get_council, list_councils
from pbapp.db import get_session
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.homes import bp, permissions, services
from pbapp.homes.forms import ContactForm
from pbapp.htmx import redirect_after_post, render
from pbapp.security import limiter, requires


@bp.route("/home/")
@requires(permissions.ACCOUNT_HOLDER)
def home():
    """Send the person to the home of their most responsible role."""
    return redirect(services.homes_of(get_session(), current_user)[0].url, code=303)


@bp.route("/home/admin")
@requires(permissions.ADMIN_HOME)
def admin():
    return render("homes/admin.html", home=services.admin_home(get_session(), current_user), title=_("Administration"))


@bp.route("/home/<council>/officer")
@requires(permissions.OFFICER_HOME)
def officer(council: str):
    db = get_session()
    return render(
        "homes/officer.html", home=services.officer_home(db, get_council(db, council)), title=_("Council work")
    )


@bp.route("/home/facilitator")
@requires(permissions.FACILITATOR_HOME)
def facilitator():
    return render(
        "homes/facilitator.html", desks=services.facilitator_home(get_session(), current_user), title=_("Your juries")
    )


@bp.route("/home/jury")
@requires(permissions.JUROR_HOME)
def juror():
    return render("homes/juror.html", desks=services.juror_home(get_session(), current_user), title=_("Your jury"))


@bp.route("/home/votes")
@requires(permissions.ACCOUNT_HOLDER)
def resident():
    return render(
        "homes/resident.html", home=services.resident_home(get_session(), current_user), title=_("Your votes and ideas")
    )


@bp.route("/accessibility")
@requires(permissions.ANYONE)
def accessibility():
    return render("homes/accessibility.html", title=_("Accessibility statement"))


@bp.route("/privacy")
@requires(permissions.ANYONE)
def privacy():
    return render("homes/privacy.html", title=_("Privacy notice"))


@bp.route("/cookies")
@requires(permissions.ANYONE)
def cookies():
    return render("homes/cookies.html", title=_("Cookies"))


def _contact_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/contact", methods=["GET", "POST"])
@requires(permissions.ANYONE)
@limiter.limit(_contact_limit, methods=["POST"])
def contact():
    db = get_session()
    form = ContactForm()
    form.set_councils(list_councils(db), str(get_locale()))
    if not form.is_submitted() and current_user.is_authenticated:
        form.name.data, form.email.data = current_user.name, current_user.email
    if form.validate_on_submit():
        try:
            services.send_contact(
                db,
                get_council(db, form.council.data),
                name=form.name.data,
                email=form.email.data,
                message=form.message.data,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Your message has been sent. The council will reply by email."), "success")
            return redirect_after_post(url_for("homes.contact"))
    return render("homes/contact.html", form=form, status=form_status(form), title=_("Contact"))
