"""Forms for places: a place, its bodies, a body's budget import, outcome areas and the shares mapped to them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, FieldList, HiddenField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from pbapp.core.places import parse_percent
from pbapp.formfields import UKDateField
from pbapp.ledger.forms import MAX_CSV_CHARACTERS, ImportForm
from pbapp.places.models import (ACCEPTED_AS_INQUIRY, BUDGET, CO_OPTED, COMBINED_AUTHORITY, COMBINED_AUTHORITY_AREA,
                                 COUNCIL, COUNCIL_AREA, COUNCILLOR, DECLINED, FIRE, HOUSING, ICB, JOBCENTRE, PCC,
                                 RESIDENT_MEMBER, SCHOOLS, SPEND)

__all__ = ["MAX_CSV_CHARACTERS"]


def place_kind_choices():
    return [SelectChoice(COUNCIL_AREA, _l("A council area")),
            SelectChoice(COMBINED_AUTHORITY_AREA, _l("A combined authority area of several councils"))]


def body_kind_choices():
    return [SelectChoice(COUNCIL, _l("Council")), SelectChoice(ICB, _l("NHS integrated care board")),
            SelectChoice(PCC, _l("Police and crime commissioner")), SelectChoice(FIRE, _l("Fire and rescue authority")),
            SelectChoice(SCHOOLS, _l("Schools and academies")),
            SelectChoice(COMBINED_AUTHORITY, _l("Combined authority")),
            SelectChoice(JOBCENTRE, _l("Jobcentre Plus")), SelectChoice(HOUSING, _l("Housing association"))]


def body_kind_label(kind: str) -> str:
    return next((str(c.label) for c in body_kind_choices() if c.value == kind), kind)


def place_kind_label(kind: str) -> str:
    return next((str(c.label) for c in place_kind_choices() if c.value == kind), kind)


class PlaceForm(FlaskForm):
    name = StringField(_l("Name of the place"), validators=[DataRequired(_l("Enter the name of the place")),
                                                            Length(max=160)])
    kind = RadioField(_l("Kind of place"), choices=place_kind_choices(), default=COUNCIL_AREA,
                      validators=[DataRequired(_l("Choose what kind of place it is"))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class BodyForm(FlaskForm):
    name = StringField(_l("Name of the body"), validators=[DataRequired(_l("Enter the name of the body")),
                                                           Length(max=200)])
    kind = SelectField(_l("Kind of body"), choices=body_kind_choices(), default=COUNCIL)
    website = StringField(_l("Website"), validators=[
        Optional(), URL(message=_l("Enter a web address starting with https://")), Length(max=500)])


class AreaForm(FlaskForm):
    name = StringField(_l("Name of the outcome area"), description=_l("For example, youth unemployment"),
                       validators=[DataRequired(_l("Enter the name of the outcome area")), Length(max=160)])
    description = TextAreaField(_l("What it covers"), validators=[Optional(), Length(max=2000)])


class BudgetImportForm(ImportForm):
    """The budget book's upload, with a body's columns and the document the figures come from."""

    csv_file = FileField(_l("Budget file (CSV or Excel .xlsx)"), description=_l(
        "Columns: service_line, amount, and optionally devolved (the part neighbourhoods decide). A last row "
        "with service_line “Total” states the total, which must add up."))
    csv_text = HiddenField()
    title = None
    stage = None
    basis = RadioField(_l("These figures are"), choices=[SelectChoice(BUDGET, _l("A budget (planned)")),
                                                        SelectChoice(SPEND, _l("Spending (outturn)"))],
                       default=BUDGET, validators=[DataRequired(_l("Choose budget or spending"))])
    source_title = StringField(_l("Source document"), description=_l("The published document the figures come from"),
                               validators=[DataRequired(_l("Enter the source document")), Length(max=300)])
    source_url = StringField(_l("Web address of the source"), validators=[
        Optional(), URL(message=_l("Enter a web address starting with https://")), Length(max=500)])
    source_date = UKDateField(_l("Date of the source"), validators=[
        InputRequired(_l("Enter the date of the source document"))])
    thousands = BooleanField(_l("The figures are in thousands of pounds (£000)"))


class PercentField(StringField):
    """A share typed as a percentage ("40", "12.5"); `points` holds basis points, 0 when left empty."""

    points: int = 0

    def pre_validate(self, form) -> None:
        self.points = 0
        if (self.data or "").strip():
            try:
                self.points = parse_percent(self.data)
            except ValueError as error:
                raise ValidationError(_l("Enter a percentage from 0 to 100, like 40 or 12.5")) from error


class SharesForm(FlaskForm):
    shares = FieldList(PercentField(_l("Share (%)")), min_entries=0)

    def fill(self, names: list[str], current: dict[str, int], format_percent) -> None:
        """One share field per service line, in the given order (kept as typed on a re-shown form)."""
        if not self.is_submitted():
            for name in names:
                points = current.get(name, 0)
                self.shares.append_entry(format_percent(points) if points else "")
        while len(self.shares) < len(names):
            self.shares.append_entry("")

    def chosen(self, names: list[str]) -> dict[str, int]:
        return {name: entry.points for name, entry in zip(names, self.shares)}


class CommitteeForm(FlaskForm):
    name = StringField(_l("Name of the committee"), validators=[DataRequired(_l("Enter the name of the committee")),
                                                                Length(max=200)])
    terms_of_reference = TextAreaField(_l("Terms of reference"), validators=[Optional(), Length(max=10_000)])
    signature_threshold = IntegerField(_l("Signatures a petition needs"), description=_l(
        "When a petition reaches this many signatures, the committee must consider it."),
        validators=[InputRequired(_l("Enter a whole number of signatures")), NumberRange(min=1, max=1_000_000)])
    decision_days = IntegerField(_l("Days the committee has to decide"), validators=[
        InputRequired(_l("Enter a whole number of days")), NumberRange(min=1, max=365)])


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the member’s name")), Length(max=200)])
    kind = RadioField(_l("Kind of member"), choices=[
        SelectChoice(COUNCILLOR, _l("Councillor")), SelectChoice(CO_OPTED, _l("Co-opted independent member")),
        SelectChoice(RESIDENT_MEMBER, _l("Resident"))], validators=[DataRequired(_l("Choose the kind of member"))])
    role = StringField(_l("Role"), description=_l("For example, chair"), validators=[Optional(), Length(max=120)])
    term_start = UKDateField(_l("Term starts"), validators=[InputRequired(_l("Enter when the term starts"))])
    term_end = UKDateField(_l("Term ends"), validators=[Optional()])


class MeetingForm(FlaskForm):
    held_on = UKDateField(_l("Date of the meeting"), validators=[InputRequired(_l("Enter the date of the meeting"))])
    location = StringField(_l("Where"), validators=[DataRequired(_l("Enter where the meeting is held")),
                                                    Length(max=200)])
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=10_000)])


class PetitionForm(FlaskForm):
    topic = StringField(_l("What should the committee look into?"), validators=[
        DataRequired(_l("Enter what the committee should look into")), Length(max=200)])
    bodies_concerned = StringField(_l("Which public bodies does it concern?"), validators=[
        Optional(), Length(max=1000)])
    examine = TextAreaField(_l("What do you want examined, and why?"), validators=[
        DataRequired(_l("Say what you want examined")), Length(max=5000)])


class SignForm(FlaskForm):
    pass


class DecisionForm(FlaskForm):
    decision = RadioField(_l("The committee’s decision"), choices=[
        SelectChoice(ACCEPTED_AS_INQUIRY, _l("Accept: hold an inquiry")), SelectChoice(DECLINED, _l("Decline"))],
        validators=[DataRequired(_l("Choose whether the committee accepts or declines"))])
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(_l("Give the committee’s reasons")),
                                                       Length(max=5000)])
    decided_on = UKDateField(_l("Date of the decision"), validators=[
        InputRequired(_l("Enter the date of the decision"))])
