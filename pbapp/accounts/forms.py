"""Forms for signing in, registering, resetting passwords and inviting people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from pbapp.accounts.models import ADMIN, FACILITATOR, OFFICER, RESIDENT

POSTCODE = r"^\s*[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\s*$"


def _password(label):
    return PasswordField(label, validators=[
        DataRequired(_l("Enter a password")),
        Length(min=12, max=200, message=_l("Your password must be at least 12 characters")),
    ], description=_l("At least 12 characters. A few random words work well."))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address")),
        Email(_l("Enter an email address in the correct format, like name@example.com")),
    ])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))])


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter your full name")), Length(max=200)])
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address")),
        Email(_l("Enter an email address in the correct format, like name@example.com")),
    ])
    postcode = StringField(_l("Postcode"), validators=[
        Optional(), Regexp(POSTCODE, message=_l("Enter a real postcode, like BB1 7DY"))],
        description=_l("We use this to check which neighbourhood votes you can take part in."))
    password = _password(_l("Create a password"))
    confirm = PasswordField(_l("Confirm password"), validators=[
        DataRequired(_l("Confirm your password")),
        EqualTo("password", _l("The passwords do not match"))])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address")),
        Email(_l("Enter an email address in the correct format, like name@example.com")),
    ])


class ResetForm(FlaskForm):
    password = _password(_l("New password"))
    confirm = PasswordField(_l("Confirm new password"), validators=[
        DataRequired(_l("Confirm your password")),
        EqualTo("password", _l("The passwords do not match"))])


class InviteForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter the email address of the person to invite")),
        Email(_l("Enter an email address in the correct format, like name@example.com")),
    ])
    role = SelectField(_l("Role"), choices=[
        SelectChoice(RESIDENT, _l("Resident")), SelectChoice(FACILITATOR, _l("Facilitator")),
        SelectChoice(OFFICER, _l("Council officer")), SelectChoice(ADMIN, _l("Administrator"))],
        validators=[DataRequired(_l("Choose a role"))])


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter your full name")), Length(max=200)])
    password = _password(_l("Create a password"))
    confirm = PasswordField(_l("Confirm password"), validators=[
        DataRequired(_l("Confirm your password")),
        EqualTo("password", _l("The passwords do not match"))])


class RetryMailForm(FlaskForm):
    """Send failed mail again: one message (its id) or, with none, every failed message."""

    message_id = IntegerField(validators=[Optional()])
