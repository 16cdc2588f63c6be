"""Forms for creating a jury, changing jurors, sessions, attendance and expenses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pbapp.bilingual import welsh_field
from pbapp.formfields import MultiCheckboxField, PoundsField, UKDateField
from pbapp.juries.models import CARE, MEALS, OTHER, TRAVEL
from pbapp.sortition.models import REPLACEMENT, RESERVE


class JuryForm(FlaskForm):
    remit = TextAreaField(
        _l("The question the jury will answer"),
        validators=[DataRequired(_l("Enter the question the jury will answer")), Length(max=300)],
        description=_l("One plain-language question, for example: How should the council balance its budget?"),
    )
    remit_cy = TextAreaField(
        _l("The question in Welsh (optional)"),
        validators=[Optional(), Length(max=300)],
        description=_l("Welsh readers see this instead of the English, when it is given."),
    )
    panel_size = IntegerField(
        _l("Number of jurors"),
        default=30,
        validators=[
            InputRequired(_l("Enter the number of jurors")),
            NumberRange(4, 500, _l("The panel must have from 4 to 500 members")),
        ],
    )
    starts_on = UKDateField(_l("First day"), validators=[InputRequired(_l("Enter the first day as a real date"))])
    ends_on = UKDateField(_l("Last day"), validators=[InputRequired(_l("Enter the last day as a real date"))])
    facilitator_id = SelectField(_l("Facilitator"), coerce=int, validators=[InputRequired(_l("Choose a facilitator"))])
    budget_book_id = IntegerField(
        _l("Budget book it advises on (optional)"),
        validators=[Optional()],
        description=_l("The number of the budget book in the council’s budget record."),
    )
    honorarium = PoundsField(
        _l("Payment per session attended, in pounds"),
        required=_l("Enter the payment per session, or 0"),
        high_pence=1_000_000,
        default=0,
    )

    def set_facilitators(self, users) -> None:
        self.facilitator_id.choices = [SelectChoice(u.id, u.name) for u in users]


class SeatForm(FlaskForm):
    run_id = IntegerField(validators=[InputRequired()])


class JurorActionForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])


class ReplacementForm(FlaskForm):
    purpose = RadioField(
        _l("What to draw"),
        default=REPLACEMENT,
        choices=[
            SelectChoice(REPLACEMENT, _l("Replacements for people who declined or withdrew")),
            SelectChoice(RESERVE, _l("Reserves for the seats not yet confirmed")),
        ],
        validators=[DataRequired(_l("Choose what to draw"))],
    )


class SessionForm(FlaskForm):
    title = StringField(
        _l("Session title"), validators=[DataRequired(_l("Enter a title for the session")), Length(max=200)]
    )
    title_cy = welsh_field(_l("Session title in Welsh (optional)"), 200)
    held_on = UKDateField(_l("Date"), validators=[InputRequired(_l("Enter the date as a real date"))])


class ExpenseForm(FlaskForm):
    juror_id = SelectField(_l("Juror"), coerce=int, validators=[InputRequired(_l("Choose a juror"))])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(TRAVEL, _l("Travel")),
            SelectChoice(CARE, _l("Care (children or others)")),
            SelectChoice(MEALS, _l("Meals")),
            SelectChoice(OTHER, _l("Other")),
        ],
        validators=[DataRequired(_l("Choose the kind of expense"))],
    )
    amount = PoundsField(_l("Amount in pounds"), required=_l("Enter the amount"), low_pence=1, high_pence=1_000_000)
    description = StringField(_l("Description (optional)"), validators=[Optional(), Length(max=200)])

    def set_jurors(self, rows) -> None:
        self.juror_id.choices = [
            SelectChoice(r.juror.id, r.contact.name if r.contact and r.contact.name else r.person.public_id)
            for r in rows
        ]


class AddressListForm(FlaskForm):
    file = FileField(
        _l("Address list (CSV or Excel)"),
        validators=[FileRequired(_l("Choose the address list"))],
        description=_l(
            "One row per address with a unique id such as the UPRN, and any columns to "
            "stratify by, like area or deprivation decile."
        ),
    )


class AddressDrawForm(FlaskForm):
    """The choices of an address draw; the list itself stays on the server."""

    letters = IntegerField(
        _l("How many households to invite"),
        validators=[
            InputRequired(_l("Enter how many households to invite")),
            NumberRange(1, 5000, _l("Enter a number of letters from 1 to 5000")),
        ],
    )
    id_column = SelectField(_l("Column with each address’s unique id"), choices=[])
    strata = MultiCheckboxField(
        _l("Stratify by (optional)"),
        choices=[],
        description=_l(
            "Each value of these columns gets its share of the letters in proportion to its number of addresses."
        ),
    )
    address_columns = MultiCheckboxField(
        _l("Columns that make up the address on the letters (optional)"),
        choices=[],
        description=_l(
            "Printed in the envelope’s window, one part a line, in the file’s order. Leave them all unticked "
            "to use every column other than the id and the strata."
        ),
    )
    seed = StringField(
        _l("Public seed"),
        validators=[DataRequired(_l("Enter the public seed of the draw")), Length(max=200)],
        description=_l(
            "Announced before the draw, such as the National Lottery numbers drawn on a "
            "stated day. Anyone can re-create the draw from it."
        ),
    )
