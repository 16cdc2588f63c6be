"""Forms for uploading pools, quotas, invitation codes, registration, runs and the draw."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pbapp.formfields import UKDateField, email_field, postcode_field
from pbapp.sortition.models import LEGACY, LEXIMIN
from pbapp.sortition.uploads import PBAPP_FORMAT, SF_FORMAT


class UploadForm(FlaskForm):
    file_format = RadioField(
        _l("Format of the files"),
        default=PBAPP_FORMAT,
        choices=[
            SelectChoice(PBAPP_FORMAT, _l("pbapp format: features.csv and people.csv")),
            SelectChoice(SF_FORMAT, _l("Sortition Foundation: categories and respondents")),
        ],
        validators=[DataRequired(_l("Choose the format of the files"))],
    )
    features = FileField(
        _l("Features and quotas (features.csv or categories.csv, or .xlsx)"),
        validators=[FileRequired(_l("Choose the features file"))],
    )
    people = FileField(
        _l("Volunteers (people.csv or respondents.csv, or .xlsx)"),
        validators=[FileRequired(_l("Choose the people file"))],
        description=_l(
            "May include the columns name, email, phone, address and postcode; "
            "they are kept apart from the answers and can be erased."
        ),
    )


class MappingForm(FlaskForm):
    """The second step: the id of the files held on the server, with the chosen columns."""

    upload = HiddenField()
    people_name = HiddenField()


class QuotaForm(FlaskForm):
    one_per_household = BooleanField(
        _l("At most one person per household"),
        description=_l("Volunteers at the same address cannot both be selected."),
    )


class CodesForm(FlaskForm):
    count = IntegerField(
        _l("How many codes"),
        default=100,
        validators=[
            InputRequired(_l("Enter how many codes to make")),
            NumberRange(1, 5000, _l("Enter a number of codes from 1 to 5000")),
        ],
        description=_l("One code per invitation letter. The codes are shown once, as a CSV file."),
    )


class RetentionForm(FlaskForm):
    retention_until = UKDateField(
        _l("Keep personal data until"),
        validators=[InputRequired(_l("Enter the date until which personal data may be kept"))],
        description=_l("You will be reminded 30 days before."),
    )


class RunForm(FlaskForm):
    algorithm = RadioField(
        _l("Selection method"),
        default=LEXIMIN,
        choices=[
            SelectChoice(
                LEXIMIN, _l("LEXIMIN (recommended): gives every volunteer as equal a chance as the quotas allow")
            ),
            SelectChoice(LEGACY, _l("Legacy: the Sortition Foundation’s earlier greedy method, for comparison")),
        ],
        validators=[DataRequired(_l("Choose a selection method"))],
    )


class DrawForm(FlaskForm):
    number = IntegerField(
        _l("The published number"), validators=[InputRequired(_l("Enter the number that was published"))]
    )


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I confirm the jury has finished and the contact details are no longer needed"),
        validators=[DataRequired(_l("Confirm that the contact details can be erased"))],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Invitation code"),
        validators=[DataRequired(_l("Enter the code from your invitation letter")), Length(max=20)],
        description=_l("It is printed on your letter, for example ABCDE-23456."),
    )


class RegistrationForm(FlaskForm):
    code = HiddenField()
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your full name")), Length(max=200)])
    email = email_field(max_length=320)
    phone = StringField(_l("Phone number (optional)"), validators=[Optional(), Length(max=40)])
    address = StringField(
        _l("Address"),
        validators=[DataRequired(_l("Enter your address")), Length(max=400)],
        description=_l("The first line of your address."),
    )
    postcode = postcode_field(required=True)
    consent = BooleanField(
        _l("I agree that the council may keep these details to select the jury and contact me"),
        validators=[DataRequired(_l("Tick the box to agree, or you cannot be entered"))],
    )


def registration_form(features, formdata=None) -> RegistrationForm:
    """Add one question per feature the quotas need (and nothing else)."""

    class _Form(RegistrationForm):
        pass

    for feature, values in features:
        setattr(
            _Form,
            f"feature_{feature.id}",
            RadioField(
                feature.name.capitalize(),
                choices=[SelectChoice(v.value, v.value) for v in values],
                validators=[DataRequired(_l("Choose an answer"))],
            ),
        )
    return _Form(formdata=formdata) if formdata is not None else _Form()
