"""Forms for importing budget books, changing lines, recording responses and delivery."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, Regexp

from pbapp.bilingual import welsh_field
from pbapp.formfields import PoundsField, UKDateField
from pbapp.ledger.models import (
    ACCEPTED,
    CABINET,
    DEFERRED,
    DELAYED,
    DONE,
    DRAFT,
    EXECUTIVE_MEMBER,
    FINAL,
    FULL_COUNCIL,
    IN_PROGRESS,
    JURY_RECOMMENDATION,
    NOT_STARTED,
    OFFICER_DELEGATED,
    OFFICER_SOURCE,
    PARTLY_ACCEPTED,
    PB_RESULT,
    PROPOSED,
    REJECTED,
)

MAX_CSV_CHARACTERS = 2_000_000


def stage_choices():
    return [SelectChoice(DRAFT, _l("Draft")), SelectChoice(PROPOSED, _l("Proposed")), SelectChoice(FINAL, _l("Final"))]


def outcome_choices():
    return [
        SelectChoice(ACCEPTED, _l("Accepted")),
        SelectChoice(PARTLY_ACCEPTED, _l("Partly accepted")),
        SelectChoice(REJECTED, _l("Rejected")),
        SelectChoice(DEFERRED, _l("Deferred")),
    ]


def decider_choices():
    return [
        SelectChoice(CABINET, _l("Cabinet")),
        SelectChoice(FULL_COUNCIL, _l("Full council")),
        SelectChoice(EXECUTIVE_MEMBER, _l("Executive member")),
        SelectChoice(OFFICER_DELEGATED, _l("Officer under delegated powers")),
    ]


def milestone_choices():
    return [
        SelectChoice(NOT_STARTED, _l("Not started")),
        SelectChoice(IN_PROGRESS, _l("In progress")),
        SelectChoice(DONE, _l("Done")),
        SelectChoice(DELAYED, _l("Delayed")),
    ]


class ImportForm(FlaskForm):
    csv_file = FileField(
        _l("Budget file (CSV or Excel .xlsx)"),
        description=_l(
            "Columns: ra_line, division, directorate, gross, income, and optionally ra_code, name, net. "
            "A row with ra_line “Total” states the totals, which must add up. Commas, semicolons or tabs "
            "may separate the columns."
        ),
    )
    csv_text = HiddenField()
    financial_year = StringField(
        _l("Financial year"),
        description=_l("For example, 2026-27"),
        validators=[
            DataRequired(_l("Enter the financial year")),
            Regexp(r"^\d{4}-\d{2}$", message=_l("Enter the financial year like 2026-27")),
        ],
    )
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    title_cy = welsh_field(_l("Title in Welsh (optional)"), 200)
    stage = RadioField(
        _l("Stage"), choices=stage_choices(), default=DRAFT, validators=[DataRequired(_l("Choose the stage"))]
    )
    thousands = BooleanField(_l("The figures are in thousands of pounds (£000)"))

    def csv_content(self) -> str | bytes:
        """The CSV: the bytes of a new upload, or the text carried over from the preview."""
        upload = self.csv_file.data
        if upload is not None and getattr(upload, "filename", ""):
            return upload.read(MAX_CSV_CHARACTERS + 1)
        return self.csv_text.data or ""

    def upload_name(self) -> str:
        """The uploaded file's name, to name it in messages."""
        return getattr(self.csv_file.data, "filename", "") or "budget.csv"


class VersionForm(FlaskForm):
    stage = RadioField(
        _l("Stage of the new version"),
        choices=stage_choices(),
        default=DRAFT,
        validators=[DataRequired(_l("Choose the stage"))],
    )


class StageForm(FlaskForm):
    stage = RadioField(_l("Stage"), choices=stage_choices(), validators=[DataRequired(_l("Choose the stage"))])


class ChangeForm(FlaskForm):
    gross = PoundsField(_l("Gross spending (£)"), required=_l("Enter the gross spending"))
    income = PoundsField(_l("Income (£)"), required=_l("Enter the income"))
    source = RadioField(
        _l("Where the change came from"),
        choices=[
            SelectChoice(OFFICER_SOURCE, _l("An officer")),
            SelectChoice(JURY_RECOMMENDATION, _l("A jury recommendation")),
            SelectChoice(PB_RESULT, _l("A PB result")),
        ],
        default=OFFICER_SOURCE,
        validators=[DataRequired(_l("Choose where the change came from"))],
    )
    item_id = SelectField(
        _l("Recommendation or result"),
        choices=[],
        validate_choice=False,
        description=_l("Needed when the change comes from a jury or a PB vote."),
    )
    reason = TextAreaField(
        _l("Reason for the change"), validators=[DataRequired(_l("Enter the reason for the change")), Length(max=2000)]
    )

    def chosen_item(self) -> int | None:
        return int(self.item_id.data) if (self.item_id.data or "").isdigit() else None


class ResponseForm(FlaskForm):
    outcome = RadioField(
        _l("What the council decided"),
        choices=outcome_choices(),
        validators=[DataRequired(_l("Choose what the council decided"))],
    )
    reasons = TextAreaField(
        _l("Reasons"),
        description=_l("Say why, in plain English. Residents will read this."),
        validators=[DataRequired(_l("Enter the reasons for the decision")), Length(max=5000)],
    )
    reasons_cy = TextAreaField(
        _l("Reasons in Welsh (optional)"),
        description=_l("Welsh readers see this instead of the English, when it is given."),
        validators=[Optional(), Length(max=5000)],
    )
    decided_by = RadioField(
        _l("Who decided"), choices=decider_choices(), validators=[DataRequired(_l("Choose who made the decision"))]
    )
    decided_on = UKDateField(
        _l("Date of the decision"), validators=[InputRequired(_l("Enter the date of the decision"))]
    )


class MilestoneForm(FlaskForm):
    title = StringField(
        _l("What will be done"), validators=[DataRequired(_l("Enter what will be done")), Length(max=200)]
    )
    title_cy = StringField(_l("What will be done, in Welsh (optional)"), validators=[Optional(), Length(max=200)])
    due_on = UKDateField(_l("Due by"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=milestone_choices(), default=NOT_STARTED)


class MilestoneUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), choices=milestone_choices())
    completed_on = UKDateField(_l("Completed on"), validators=[Optional()])
    evidence_url = StringField(
        _l("Link to evidence"),
        description=_l("A web page showing it was done"),
        validators=[Optional(), URL(message=_l("Enter a web address starting with https://")), Length(max=500)],
    )
    evidence_note = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=2000)])


class RegisterFilterForm(FlaskForm):
    class Meta:
        csrf = False

    source = SelectField(
        _l("From"),
        choices=[
            SelectChoice("", _l("Juries and PB votes")),
            SelectChoice(JURY_RECOMMENDATION, _l("Jury recommendations")),
            SelectChoice(PB_RESULT, _l("PB results")),
        ],
        default="",
    )
    state = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice("awaiting", _l("Awaiting a response")),
            SelectChoice("overdue", _l("Overdue")),
            *outcome_choices(),
        ],
        default="",
    )
    q = StringField(_l("Words in the title"), validators=[Optional(), Length(max=100)])
