"""Forms of a jury's deliberation: rounds, evidence, witnesses, questions, polls and recommendations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from pbapp.bilingual import welsh_field
from pbapp.formfields import MultiCheckboxField, PoundsField, UKDateField
from pbapp.deliberation.models import (
    ABSTAIN,
    AGAINST,
    ASKED_BY_COUNCIL,
    ASKED_BY_FACILITATOR,
    ASKED_BY_JURORS,
    ASKED_BY_STAKEHOLDER,
    ALLOCATION_POLL,
    APPROVAL_POLL,
    DECISION_ROUND,
    DELIBERATION_ROUND,
    EVIDENCE_REQUEST,
    EVIDENCE_ROUND,
    IN_FAVOUR,
    LINK_EVIDENCE,
    MARKDOWN_EVIDENCE,
    MIXED,
    NEUTRAL,
    OPPOSE,
    PDF_EVIDENCE,
    RANKING_POLL,
    REQUEST_AGREED,
    REQUEST_DECLINED,
    STATEMENT_EVIDENCE,
    SUPPORT,
    TO_OFFICER,
    TO_WITNESS,
    WITNESS_REQUEST,
)


class RoundForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Enter a title for the round")), Length(max=200)],
        description=_l("For example: Evening 2 – hearing from the services"),
    )
    title_cy = welsh_field(_l("Title in Welsh (optional)"), 200)
    held_on = UKDateField(
        _l("Date"),
        validators=[InputRequired(_l("Enter the date of the round"))],
        description=_l("For example, 14 1 2027"),
    )
    starts_at = StringField(
        _l("Start time (optional)"),
        validators=[Optional(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Enter a time like 18:30"))],
    )
    kind = RadioField(
        _l("Kind of round"),
        choices=[
            SelectChoice(EVIDENCE_ROUND, _l("Evidence: hearing from witnesses")),
            SelectChoice(DELIBERATION_ROUND, _l("Deliberation: discussing what was heard")),
            SelectChoice(DECISION_ROUND, _l("Decision: voting on recommendations")),
        ],
        validators=[InputRequired(_l("Choose the kind of round"))],
    )
    place = StringField(
        _l("Place"),
        validators=[Length(max=300)],
        description=_l("Where the jury meets. Leave blank if the round is online only."),
    )
    link = StringField(_l("Link to join online (optional)"), validators=[Length(max=500)])
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=5000)])


class AttendanceForm(FlaskForm):
    present = MultiCheckboxField(_l("Who came"), coerce=int, choices=[], validate_choice=False)


class WitnessForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the witness's name")), Length(max=200)])
    organisation = StringField(_l("Organisation (optional)"), validators=[Length(max=200)])
    view = TextAreaField(
        _l("The view they put"), validators=[DataRequired(_l("Describe the view the witness puts")), Length(max=500)]
    )
    stance = RadioField(
        _l("Where that view sits"),
        choices=[
            SelectChoice(IN_FAVOUR, _l("In favour of the change")),
            SelectChoice(AGAINST, _l("Against the change")),
            SelectChoice(MIXED, _l("Mixed")),
            SelectChoice(NEUTRAL, _l("Neutral or factual")),
        ],
        validators=[InputRequired(_l("Choose where the view sits"))],
    )
    asked_by = RadioField(
        _l("Who asked for this witness"),
        choices=[
            SelectChoice(ASKED_BY_FACILITATOR, _l("The facilitators")),
            SelectChoice(ASKED_BY_JURORS, _l("The jurors")),
            SelectChoice(ASKED_BY_COUNCIL, _l("The council")),
            SelectChoice(ASKED_BY_STAKEHOLDER, _l("A stakeholder group")),
        ],
        validators=[InputRequired(_l("Choose who asked for this witness"))],
    )
    round_id = SelectField(_l("Round (optional)"), coerce=int, choices=[], validate_choice=False)


class EvidenceForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title")), Length(max=200)])
    title_cy = welsh_field(_l("Title in Welsh (optional)"), 200)
    kind = RadioField(
        _l("Kind of evidence"),
        choices=[
            SelectChoice(PDF_EVIDENCE, _l("A PDF document")),
            SelectChoice(MARKDOWN_EVIDENCE, _l("A written briefing")),
            SelectChoice(STATEMENT_EVIDENCE, _l("A witness statement")),
            SelectChoice(LINK_EVIDENCE, _l("A link")),
        ],
        validators=[InputRequired(_l("Choose what kind of evidence this is"))],
    )
    summary = TextAreaField(_l("Summary in plain English"), validators=[Length(max=1000)])
    summary_cy = welsh_field(_l("Summary in Welsh (optional)"), 1000, long=True)
    upload = FileField(_l("PDF file"), description=_l("For a PDF document. Up to 10MB."))
    body = TextAreaField(
        _l("Text"),
        validators=[Length(max=100_000)],
        description=_l("For a briefing or statement. You can use markdown: **bold**, lists, links."),
    )
    body_cy = welsh_field(_l("Text in Welsh (optional)"), 100_000, long=True)
    url = StringField(_l("Web address"), validators=[Length(max=500)], description=_l("For a link."))
    round_id = SelectField(_l("Round (optional)"), coerce=int, choices=[], validate_choice=False)
    witness_id = SelectField(_l("Witness (optional)"), coerce=int, choices=[], validate_choice=False)
    publish = BooleanField(_l("Publish now to the jurors and the public page"))


class EvidenceEditForm(EvidenceForm):
    """Correcting evidence: its kind stays, publishing has its own buttons, a PDF is replaced only if chosen."""

    kind = None
    publish = None
    upload = FileField(_l("Replace the PDF (optional)"), description=_l("Leave empty to keep the current file."))


class RequestForm(FlaskForm):
    kind = RadioField(
        _l("What would you like"),
        choices=[
            SelectChoice(WITNESS_REQUEST, _l("To hear from a witness")),
            SelectChoice(EVIDENCE_REQUEST, _l("To see a piece of evidence")),
        ],
        validators=[InputRequired(_l("Choose a witness or a piece of evidence"))],
    )
    text = TextAreaField(
        _l("Who or what, and why"),
        validators=[DataRequired(_l("Say who or what you would like to hear about")), Length(max=1000)],
    )


class ReplyForm(FlaskForm):
    status = RadioField(
        _l("Your reply"),
        choices=[SelectChoice(REQUEST_AGREED, _l("Agree")), SelectChoice(REQUEST_DECLINED, _l("Decline"))],
        validators=[InputRequired(_l("Choose whether you agree or decline"))],
    )
    reply = TextAreaField(
        _l("What to tell the jury"), validators=[DataRequired(_l("Give the jury a reason")), Length(max=1000)]
    )


class QuestionForm(FlaskForm):
    addressed_to = RadioField(
        _l("Who is your question for"),
        choices=[SelectChoice(TO_OFFICER, _l("Council officers")), SelectChoice(TO_WITNESS, _l("A witness"))],
        validators=[InputRequired(_l("Choose who the question is for"))],
    )
    witness_id = SelectField(_l("Which witness"), coerce=int, choices=[], validate_choice=False)
    text = TextAreaField(_l("Your question"), validators=[DataRequired(_l("Enter your question")), Length(max=1000)])


class AnswerForm(FlaskForm):
    answered_by = StringField(
        _l("Who answered"),
        validators=[DataRequired(_l("Say who gave the answer")), Length(max=200)],
        description=_l("For example: Head of Highways, or the witness's name"),
    )
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(_l("Enter the answer"))])
    publish = BooleanField(_l("Publish the question and answer with the evidence"))


class PollForm(FlaskForm):
    question = StringField(
        _l("Question"), validators=[DataRequired(_l("Enter the question the jury answers")), Length(max=300)]
    )
    question_cy = welsh_field(_l("Question in Welsh (optional)"), 300)
    kind = RadioField(
        _l("Kind of poll"),
        choices=[
            SelectChoice(ALLOCATION_POLL, _l("Split a budget across budget lines")),
            SelectChoice(APPROVAL_POLL, _l("Approve any of some options")),
            SelectChoice(RANKING_POLL, _l("Rank options in order")),
        ],
        validators=[InputRequired(_l("Choose the kind of poll"))],
    )
    total = PoundsField(_l("Budget to split"), description=_l("For a budget split, e.g. £2,000,000"))
    line_ids = MultiCheckboxField(_l("Budget lines"), coerce=int, choices=[], validate_choice=False)
    low = PoundsField(_l("Least any line can get"))
    high = PoundsField(_l("Most any line can get"), description=_l("Leave blank to let one line take the whole budget"))
    options = TextAreaField(_l("Options"), description=_l("For approval or ranking: one option on each line"))
    options_cy = TextAreaField(
        _l("Options in Welsh (optional)"),
        description=_l(
            "One on each line, in the same order as the English. Welsh readers see these instead of the English."
        ),
    )
    max_choices = IntegerField(
        _l("Most options a juror may choose or rank (optional)"), validators=[Optional(), NumberRange(min=1, max=50)]
    )


MAX_LINE_ROWS = 20


class RecommendationForm(FlaskForm):
    """Title, wording and note; `with_line_rows` adds the rows of budget lines and their proposed changes."""

    title = StringField(_l("Short title"), validators=[DataRequired(_l("Enter a short title")), Length(max=200)])
    title_cy = welsh_field(_l("Short title in Welsh (optional)"), 200)
    text = TextAreaField(_l("Recommendation"), validators=[DataRequired(_l("Enter the recommendation"))])
    text_cy = welsh_field(_l("Recommendation in Welsh (optional)"), 20_000, long=True)
    note = StringField(_l("What you changed and why"), validators=[Length(max=300)])
    rows = HiddenField(default="3")
    line_rows = 0

    def row_fields(self) -> list[tuple[SelectField, PoundsField]]:
        return [(self[f"line_{n}"], self[f"change_{n}"]) for n in range(self.line_rows)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        seen: set[int] = set()
        for line, change in self.row_fields():
            blank = change.data is None and not change.errors
            if line.data and blank:
                change.errors = list(change.errors) + [
                    _l("Enter the proposed change for this line in pounds, like -£50,000 or £0")
                ]
            elif not line.data and not blank:
                line.errors = list(line.errors) + [_l("Choose the budget line for this change")]
            elif line.data and line.data in seen:
                line.errors = list(line.errors) + [_l("You have chosen this budget line already")]
            seen.add(line.data)
        return valid and not any(line.errors or change.errors for line, change in self.row_fields())

    def lines(self) -> list[tuple[int, int]]:
        """(budget line id, change in pence) for every row with a line, in the order written."""
        return [(line.data, change.data) for line, change in self.row_fields() if line.data]


def with_line_rows(form_class: type[RecommendationForm], rows: int, choices: list) -> type[RecommendationForm]:
    """The form with `rows` pairs of budget line and proposed change (no script needed to add a row)."""
    rows = max(1, min(rows, MAX_LINE_ROWS))
    fields = {"line_rows": rows}
    for n in range(rows):
        fields[f"line_{n}"] = SelectField(
            _l("Budget line %(n)d", n=n + 1), coerce=int, choices=choices, validate_choice=False, default=0
        )
        fields[f"change_{n}"] = PoundsField(
            _l("Proposed change to line %(n)d", n=n + 1),
            negative=True,
            description=_l("In pounds a year; a minus sign for a cut, e.g. -£50,000"),
        )
    return type(form_class.__name__, (form_class,), fields)


class NewRecommendationForm(RecommendationForm):
    threshold_percent = IntegerField(
        _l("Support needed to adopt it (%)"),
        default=80,
        validators=[
            InputRequired(_l("Enter the support needed, like 80")),
            NumberRange(min=50, max=100, message=_l("Enter a number from 50 to 100")),
        ],
        description=_l("Set now, before anyone votes. 80 means 8 in every 10 jurors voting must support it."),
    )


class VoteForm(FlaskForm):
    choice = RadioField(
        _l("Your vote"),
        choices=[
            SelectChoice(SUPPORT, _l("I support this")),
            SelectChoice(OPPOSE, _l("I oppose this")),
            SelectChoice(ABSTAIN, _l("I abstain")),
        ],
        validators=[InputRequired(_l("Choose how you vote"))],
    )


class LinkAccountForm(FlaskForm):
    juror_id = SelectField(_l("Juror"), coerce=int, choices=[], validate_choice=False)
    email = StringField(
        _l("Email address of their account"),
        validators=[DataRequired(_l("Enter the email address of the juror's account")), Length(max=320)],
    )


class ConsentForm(FlaskForm):
    consent = BooleanField(_l("Show my name on the public jury page"))
