"""Forms for places: a place, its bodies, a body's budget import, outcome areas and the shares mapped to them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from pbapp.core.places import parse_percent
from pbapp.formfields import MultiCheckboxField, UKDateField, label_of
from pbapp.ledger.forms import MAX_CSV_CHARACTERS, ImportForm
from pbapp.places.models import (
    ACCEPTED_AS_INQUIRY,
    BUDGET,
    CO_OPTED,
    COMBINED_AUTHORITY,
    COMBINED_AUTHORITY_AREA,
    COUNCIL,
    COUNCIL_AREA,
    COUNCILLOR,
    DECLINED,
    FIRE,
    HOUSING,
    ICB,
    JOBCENTRE,
    PCC,
    PUBLISHED,
    RESIDENT_MEMBER,
    RESPONSE_ACCEPTED,
    RESPONSE_PARTLY,
    RESPONSE_REJECTED,
    SCHOOLS,
    SPEND,
    WITHHELD,
)

__all__ = ["MAX_CSV_CHARACTERS"]


def place_kind_choices():
    return [
        SelectChoice(COUNCIL_AREA, _l("A council area")),
        SelectChoice(COMBINED_AUTHORITY_AREA, _l("A combined authority area of several councils")),
    ]


def body_kind_choices():
    return [
        SelectChoice(COUNCIL, _l("Council")),
        SelectChoice(ICB, _l("NHS integrated care board")),
        SelectChoice(PCC, _l("Police and crime commissioner")),
        SelectChoice(FIRE, _l("Fire and rescue authority")),
        SelectChoice(SCHOOLS, _l("Schools and academies")),
        SelectChoice(COMBINED_AUTHORITY, _l("Combined authority")),
        SelectChoice(JOBCENTRE, _l("Jobcentre Plus")),
        SelectChoice(HOUSING, _l("Housing association")),
    ]


def body_kind_label(kind: str) -> str:
    return label_of(body_kind_choices(), kind)


def place_kind_label(kind: str) -> str:
    return label_of(place_kind_choices(), kind)


class PlaceForm(FlaskForm):
    name = StringField(
        _l("Name of the place"), validators=[DataRequired(_l("Enter the name of the place")), Length(max=160)]
    )
    kind = RadioField(
        _l("Kind of place"),
        choices=place_kind_choices(),
        default=COUNCIL_AREA,
        validators=[DataRequired(_l("Choose what kind of place it is"))],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class BodyForm(FlaskForm):
    name = StringField(
        _l("Name of the body"), validators=[DataRequired(_l("Enter the name of the body")), Length(max=200)]
    )
    kind = SelectField(_l("Kind of body"), choices=body_kind_choices(), default=COUNCIL)
    website = StringField(
        _l("Website"),
        validators=[Optional(), URL(message=_l("Enter a web address starting with https://")), Length(max=500)],
    )


class AreaForm(FlaskForm):
    name = StringField(
        _l("Name of the outcome area"),
        description=_l("For example, youth unemployment"),
        validators=[DataRequired(_l("Enter the name of the outcome area")), Length(max=160)],
    )
    description = TextAreaField(_l("What it covers"), validators=[Optional(), Length(max=2000)])


class BudgetImportForm(ImportForm):
    """The budget book's upload, with a body's columns and the document the figures come from."""

    csv_file = FileField(
        _l("Budget file (CSV or Excel .xlsx)"),
        description=_l(
            "Columns: service_line, amount, and optionally devolved (the part neighbourhoods decide). A last row "
            "with service_line “Total” states the total, which must add up."
        ),
    )
    csv_text = HiddenField()
    title = None
    stage = None
    basis = RadioField(
        _l("These figures are"),
        choices=[SelectChoice(BUDGET, _l("A budget (planned)")), SelectChoice(SPEND, _l("Spending (outturn)"))],
        default=BUDGET,
        validators=[DataRequired(_l("Choose budget or spending"))],
    )
    source_title = StringField(
        _l("Source document"),
        description=_l("The published document the figures come from"),
        validators=[DataRequired(_l("Enter the source document")), Length(max=300)],
    )
    source_url = StringField(
        _l("Web address of the source"),
        validators=[Optional(), URL(message=_l("Enter a web address starting with https://")), Length(max=500)],
    )
    source_date = UKDateField(
        _l("Date of the source"), validators=[InputRequired(_l("Enter the date of the source document"))]
    )
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
    name = StringField(
        _l("Name of the committee"), validators=[DataRequired(_l("Enter the name of the committee")), Length(max=200)]
    )
    terms_of_reference = TextAreaField(_l("Terms of reference"), validators=[Optional(), Length(max=10_000)])
    signature_threshold = IntegerField(
        _l("Signatures a petition needs"),
        description=_l("When a petition reaches this many signatures, the committee must consider it."),
        validators=[InputRequired(_l("Enter a whole number of signatures")), NumberRange(min=1, max=1_000_000)],
    )
    decision_days = IntegerField(
        _l("Days the committee has to decide"),
        validators=[InputRequired(_l("Enter a whole number of days")), NumberRange(min=1, max=365)],
    )


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the member’s name")), Length(max=200)])
    kind = RadioField(
        _l("Kind of member"),
        choices=[
            SelectChoice(COUNCILLOR, _l("Councillor")),
            SelectChoice(CO_OPTED, _l("Co-opted independent member")),
            SelectChoice(RESIDENT_MEMBER, _l("Resident")),
        ],
        validators=[DataRequired(_l("Choose the kind of member"))],
    )
    role = StringField(_l("Role"), description=_l("For example, chair"), validators=[Optional(), Length(max=120)])
    term_start = UKDateField(_l("Term starts"), validators=[InputRequired(_l("Enter when the term starts"))])
    term_end = UKDateField(_l("Term ends"), validators=[Optional()])


class MeetingForm(FlaskForm):
    held_on = UKDateField(_l("Date of the meeting"), validators=[InputRequired(_l("Enter the date of the meeting"))])
    location = StringField(
        _l("Where"), validators=[DataRequired(_l("Enter where the meeting is held")), Length(max=200)]
    )
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=10_000)])


class PetitionForm(FlaskForm):
    topic = StringField(
        _l("What should the committee look into?"),
        validators=[DataRequired(_l("Enter what the committee should look into")), Length(max=200)],
    )
    bodies_concerned = StringField(
        _l("Which public bodies does it concern?"), validators=[Optional(), Length(max=1000)]
    )
    examine = TextAreaField(
        _l("What do you want examined, and why?"),
        validators=[DataRequired(_l("Say what you want examined")), Length(max=5000)],
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("The committee’s decision"),
        choices=[
            SelectChoice(ACCEPTED_AS_INQUIRY, _l("Accept: hold an inquiry")),
            SelectChoice(DECLINED, _l("Decline")),
        ],
        validators=[DataRequired(_l("Choose whether the committee accepts or declines"))],
    )
    reasons = TextAreaField(
        _l("Reasons"), validators=[DataRequired(_l("Give the committee’s reasons")), Length(max=5000)]
    )
    decided_on = UKDateField(
        _l("Date of the decision"), validators=[InputRequired(_l("Enter the date of the decision"))]
    )


class InquiryForm(FlaskForm):
    title = StringField(
        _l("Title of the inquiry"), validators=[DataRequired(_l("Enter the title of the inquiry")), Length(max=200)]
    )
    terms_of_reference = TextAreaField(
        _l("Terms of reference"),
        description=_l("What the inquiry will examine, and what it will not"),
        validators=[DataRequired(_l("Enter the inquiry’s terms of reference")), Length(max=10_000)],
    )
    bodies = MultiCheckboxField(
        _l("Public bodies it covers"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one public body the inquiry covers"))],
    )
    area_id = SelectField(_l("Outcome area"), validators=[Optional()])
    evidence_closes = UKDateField(
        _l("Call for evidence closes"),
        description=_l("Leave empty to keep it open until the report"),
        validators=[Optional()],
    )
    petition_id = HiddenField()

    def chosen_area(self) -> int | None:
        return int(self.area_id.data) if (self.area_id.data or "").isdigit() else None

    def chosen_petition(self) -> int | None:
        return int(self.petition_id.data) if (self.petition_id.data or "").isdigit() else None


class EvidenceForm(FlaskForm):
    author = StringField(
        _l("Your name"),
        description=_l("Published with your evidence"),
        validators=[DataRequired(_l("Enter your name")), Length(max=200)],
    )
    organisation = StringField(
        _l("Organisation (if you write for one)"),
        description=_l("For example, the public body or charity you work for"),
        validators=[Optional(), Length(max=200)],
    )
    text = TextAreaField(
        _l("Your evidence"),
        description=_l("What you know about the questions in the terms of reference. Do not name other people."),
        validators=[DataRequired(_l("Enter your evidence")), Length(max=20_000)],
    )


class ModerationForm(FlaskForm):
    state = RadioField(
        _l("Decision"),
        choices=[SelectChoice(PUBLISHED, _l("Publish")), SelectChoice(WITHHELD, _l("Withhold"))],
        validators=[DataRequired(_l("Choose whether to publish or withhold the evidence"))],
    )
    note = StringField(_l("Why it is withheld"), validators=[Optional(), Length(max=1000)])


class EvidenceSessionForm(FlaskForm):
    held_on = UKDateField(_l("Date of the session"), validators=[InputRequired(_l("Enter the date of the session"))])
    location = StringField(
        _l("Where"), validators=[DataRequired(_l("Enter where the session is held")), Length(max=200)]
    )
    witnesses = TextAreaField(
        _l("Witnesses"), description=_l("One a line: name, role and body"), validators=[Optional(), Length(max=5000)]
    )
    minutes = TextAreaField(
        _l("Minutes"),
        description=_l("Add them once the session has been held"),
        validators=[Optional(), Length(max=50_000)],
    )


class RecommendationForm(FlaskForm):
    text = TextAreaField(
        _l("Recommendation"), validators=[DataRequired(_l("Enter the recommendation")), Length(max=5000)]
    )
    body_id = SelectField(_l("Addressed to"), validators=[DataRequired(_l("Choose the body it is addressed to"))])
    response_due = UKDateField(_l("Response due by"), validators=[InputRequired(_l("Enter when the response is due"))])


class ReportForm(FlaskForm):
    findings = TextAreaField(
        _l("Findings"),
        description=_l("What the inquiry found, in plain English"),
        validators=[DataRequired(_l("Enter the report’s findings")), Length(max=50_000)],
    )


class BodyResponseForm(FlaskForm):
    outcome = RadioField(
        _l("What the body decided"),
        choices=[
            SelectChoice(RESPONSE_ACCEPTED, _l("Accepted")),
            SelectChoice(RESPONSE_PARTLY, _l("Partly accepted")),
            SelectChoice(RESPONSE_REJECTED, _l("Rejected")),
        ],
        validators=[DataRequired(_l("Choose what the body decided"))],
    )
    reasons = TextAreaField(
        _l("Reasons"),
        description=_l("The body’s reasons, in plain English"),
        validators=[DataRequired(_l("Enter the body’s reasons")), Length(max=5000)],
    )
    responded_on = UKDateField(
        _l("Date of the response"), validators=[InputRequired(_l("Enter the date of the response"))]
    )
    action_by = UKDateField(
        _l("Action due by"), description=_l("If accepted, when it will be done"), validators=[Optional()]
    )


class DrawForm(FlaskForm):
    seats = IntegerField(
        _l("Residents to draw"),
        validators=[InputRequired(_l("Enter how many residents to draw")), NumberRange(min=1, max=20)],
    )
    term_start = UKDateField(_l("Their term starts"), validators=[InputRequired(_l("Enter when the term starts"))])
    term_end = UKDateField(_l("Their term ends"), validators=[Optional()])
