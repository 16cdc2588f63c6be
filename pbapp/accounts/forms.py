"""Forms for signing in, registering, resetting passwords and inviting people."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from pbapp.formfields import email_field, postcode_field
from pbapp.languages import autonym
from pbapp.accounts.models import ADMIN, COUNCIL_TAX, ELECTORAL_REGISTER, FACILITATOR, OFFICER, RESIDENT


def _password(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Enter a password")),
            Length(min=12, max=200, message=_l("Your password must be at least 12 characters")),
        ],
        description=_l("At least 12 characters. A few random words work well."),
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))])


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your full name")), Length(max=200)])
    email = email_field()
    postcode = postcode_field(
        required=False, description=_l("We use this to check which neighbourhood votes you can take part in.")
    )
    password = _password(_l("Create a password"))
    confirm = PasswordField(
        _l("Confirm password"),
        validators=[DataRequired(_l("Confirm your password")), EqualTo("password", _l("The passwords do not match"))],
    )


class ResetRequestForm(FlaskForm):
    email = email_field()


class ResetForm(FlaskForm):
    password = _password(_l("New password"))
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[DataRequired(_l("Confirm your password")), EqualTo("password", _l("The passwords do not match"))],
    )


class InviteForm(FlaskForm):
    email = email_field(missing=_l("Enter the email address of the person to invite"))
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(RESIDENT, _l("Resident")),
            SelectChoice(FACILITATOR, _l("Facilitator")),
            SelectChoice(OFFICER, _l("Council officer")),
            SelectChoice(ADMIN, _l("Administrator")),
        ],
        validators=[DataRequired(_l("Choose a role"))],
    )


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your full name")), Length(max=200)])
    password = _password(_l("Create a password"))
    confirm = PasswordField(
        _l("Confirm password"),
        validators=[DataRequired(_l("Confirm your password")), EqualTo("password", _l("The passwords do not match"))],
    )


class BirthDateField(StringField):
    """A date of birth typed as 31/03/1980 (or 1980-03-31)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        from pbapp.accounts.residence import parse_birth_date

        self.parsed = parse_birth_date(self.data or "")


class RegisterCheckForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your full name")), Length(max=200)],
        description=_l("As on your council tax bill or poll card."),
    )
    date_of_birth = BirthDateField(
        _l("Date of birth"),
        validators=[DataRequired(_l("Enter your date of birth"))],
        description=_l("For example, 31/03/1980"),
    )
    postcode = postcode_field(required=True)

    def validate_date_of_birth(self, field):
        from wtforms.validators import ValidationError

        if getattr(field, "parsed", None) is None:
            raise ValidationError(_l("Enter your date of birth as a date, like 31/03/1980"))


class LetterRequestForm(FlaskForm):
    address = StringField(
        _l("First line of your address"),
        validators=[DataRequired(_l("Enter the first line of your address")), Length(max=300)],
        description=_l("For example, 12 Market Street"),
    )
    postcode = postcode_field(required=True)


class LetterCodeForm(FlaskForm):
    code = StringField(
        _l("Code from the council’s letter"),
        validators=[DataRequired(_l("Enter the code from the letter")), Length(max=40)],
    )


class RegisterImportForm(FlaskForm):
    source = RadioField(
        _l("What kind of register is it?"),
        choices=[
            SelectChoice(ELECTORAL_REGISTER, _l("Electoral register")),
            SelectChoice(COUNCIL_TAX, _l("Council tax extract")),
        ],
        validators=[DataRequired(_l("Choose what kind of register this is"))],
    )
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file"))],
        description=_l(
            "The first line names the columns: name, date_of_birth, postcode and, if you have it, address. Only keyed fingerprints of each line are kept."
        ),
    )


class DetailsForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter your full name")),
            Length(max=200, message=_l("Your name must be 200 characters or fewer")),
        ],
    )
    postcode = postcode_field(
        required=False, description=_l("We use this to check which neighbourhood votes you can take part in.")
    )
    language = RadioField(_l("Language of the service"), default="", validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The languages come from configuration (PBAPP_LANGUAGES), each named in itself.
        self.language.choices = [SelectChoice(code, autonym(code)) for code in current_app.config["LANGUAGES"]] + [
            SelectChoice("", _l("The language my browser asks for"))
        ]


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password"))])
    password = _password(_l("New password"))
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[
            DataRequired(_l("Confirm your new password")),
            EqualTo("password", _l("The passwords do not match")),
        ],
    )


class RetryMailForm(FlaskForm):
    """Send failed mail again: one message (its id) or, with none, every failed message."""

    message_id = IntegerField(validators=[Optional()])
