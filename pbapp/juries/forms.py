"""Forms for creating a jury, changing jurors, sessions, attendance and expenses."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pbapp.core.money import to_pence
from pbapp.formfields import UKDateField
from pbapp.juries.models import CARE, MEALS, OTHER, TRAVEL
from pbapp.sortition.models import REPLACEMENT, RESERVE


class JuryForm(FlaskForm):
    remit = TextAreaField(_l("The question the jury will answer"), validators=[
        DataRequired(_l("Enter the question the jury will answer")), Length(max=300)],
        description=_l("One plain-language question, for example: How should the council balance its budget?"))
    remit_cy = TextAreaField(_l("The question in Welsh (optional)"), validators=[Optional(), Length(max=300)],
                             description=_l("Welsh readers see this instead of the English, when it is given."))
    panel_size = IntegerField(_l("Number of jurors"), default=30, validators=[
        InputRequired(_l("Enter the number of jurors")), NumberRange(4, 500, _l("The panel must have from 4 to 500 members"))])
    starts_on = UKDateField(_l("First day"), validators=[InputRequired(_l("Enter the first day as a real date"))])
    ends_on = UKDateField(_l("Last day"), validators=[InputRequired(_l("Enter the last day as a real date"))])
    facilitator_id = SelectField(_l("Facilitator"), coerce=int, validators=[InputRequired(_l("Choose a facilitator"))])
    budget_book_id = IntegerField(_l("Budget book it advises on (optional)"), validators=[Optional()],
                                  description=_l("The number of the budget book in the council’s budget record."))
    honorarium = DecimalField(_l("Payment per session attended, in pounds"), places=2, default=Decimal("0"),
                              validators=[InputRequired(_l("Enter the payment per session, or 0")),
                                          NumberRange(0, 10000, _l("Enter an amount from £0 to £10,000"))])

    def set_facilitators(self, users) -> None:
        self.facilitator_id.choices = [SelectChoice(u.id, u.name) for u in users]


class SeatForm(FlaskForm):
    run_id = IntegerField(validators=[InputRequired()])


class JurorActionForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])


class ReplacementForm(FlaskForm):
    purpose = RadioField(_l("What to draw"), default=REPLACEMENT, choices=[
        SelectChoice(REPLACEMENT, _l("Replacements for people who declined or withdrew")),
        SelectChoice(RESERVE, _l("Reserves for the seats not yet confirmed"))],
        validators=[DataRequired(_l("Choose what to draw"))])


class SessionForm(FlaskForm):
    title = StringField(_l("Session title"), validators=[DataRequired(_l("Enter a title for the session")), Length(max=200)])
    held_on = UKDateField(_l("Date"), validators=[InputRequired(_l("Enter the date as a real date"))])


class ExpenseForm(FlaskForm):
    juror_id = SelectField(_l("Juror"), coerce=int, validators=[InputRequired(_l("Choose a juror"))])
    kind = SelectField(_l("Kind"), choices=[
        SelectChoice(TRAVEL, _l("Travel")), SelectChoice(CARE, _l("Care (children or others)")),
        SelectChoice(MEALS, _l("Meals")), SelectChoice(OTHER, _l("Other"))],
        validators=[DataRequired(_l("Choose the kind of expense"))])
    amount = DecimalField(_l("Amount in pounds"), places=2, validators=[
        InputRequired(_l("Enter the amount")), NumberRange(0.01, 10000, _l("Enter an amount from £0.01 to £10,000"))])
    description = StringField(_l("Description (optional)"), validators=[Optional(), Length(max=200)])

    def set_jurors(self, rows) -> None:
        self.juror_id.choices = [SelectChoice(r.juror.id, r.contact.name if r.contact and r.contact.name
                                              else r.person.public_id) for r in rows]


def pence(amount: Decimal | None) -> int:
    """Pence from a DecimalField of pounds (blank is £0)."""
    return to_pence(amount or Decimal(0))
