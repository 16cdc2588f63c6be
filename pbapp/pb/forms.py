"""Forms of participatory budgeting: processes, proposals, reviews, ballots, codes and decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from pbapp.bilingual import welsh_field
from pbapp.formfields import MultiCheckboxField, PoundsField, UKDateField, UKDateTimeField, label_of
from pbapp.pb.models import (
    ALLOCATION,
    APPROVAL,
    BOOTH,
    CODES,
    CUMULATIVE,
    KNAPSACK,
    OPEN,
    PAPER,
    RANKED,
    RESIDENTS,
    SIMULATOR,
)


def choice_label(form_class: type[FlaskForm], field: str, value: str | None) -> str:
    """Return the label a form offers for a stored value, so pages show words, not codes."""
    return label_of(getattr(form_class, field).kwargs.get("choices", []), value)


class ProcessForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Enter a title")), Length(max=200)],
        description=_l("For example, Darwen and West Pennine neighbourhood budget 2026"),
    )
    title_cy = welsh_field(_l("Title in Welsh (optional)"), 200)
    description = TextAreaField(_l("What it is for"), validators=[Optional(), Length(max=5000)])
    description_cy = welsh_field(_l("What it is for, in Welsh (optional)"), 5000, long=True)
    area_id = SelectField(
        _l("Area"),
        coerce=str,
        validators=[Optional()],
        description=_l("Leave as the whole council for a council-wide process."),
    )
    pot = PoundsField(_l("Pot in pounds"), required=_l("Enter the pot in pounds"))
    proposals_from = UKDateField(_l("Proposals open"), validators=[Optional()])
    review_from = UKDateField(_l("Officer review starts"), validators=[Optional()])
    voting_from = UKDateField(_l("Voting opens"), validators=[Optional()])
    results_from = UKDateField(_l("Results"), validators=[Optional()])
    delivery_from = UKDateField(_l("Delivery starts"), validators=[Optional()])


class PhaseForm(FlaskForm):
    phase = SelectField(
        _l("Phase"),
        choices=[
            SelectChoice("proposals", _l("Proposals")),
            SelectChoice("review", _l("Officer review")),
            SelectChoice("delivery", _l("Delivery")),
        ],
        validators=[DataRequired(_l("Choose a phase"))],
    )


class ProposalForm(FlaskForm):
    title = StringField(_l("Title of your idea"), validators=[DataRequired(_l("Enter a title")), Length(max=200)])
    description = TextAreaField(
        _l("Describe your idea"),
        validators=[DataRequired(_l("Describe your idea")), Length(max=5000)],
        description=_l("What would happen, where, and who would benefit."),
    )
    estimated_cost = PoundsField(_l("Estimated cost in pounds"), required=_l("Enter an estimated cost in pounds"))
    area_id = SelectField(_l("Ward"), coerce=str, validators=[Optional()])
    group_name = StringField(
        _l("Community group (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("If you are putting this forward for a group, give its name."),
    )
    attachment = FileField(
        _l("Picture or document (optional)"),
        description=_l(
            "A JPEG, PNG or WebP picture, or a PDF document, up to 5MB. "
            "Pictures are published without their location data."
        ),
    )
    image_alt = StringField(
        _l("Describe the picture (if you add one)"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "For people who cannot see it, for example: the empty play area on Bold Street, with broken swings."
        ),
    )


class ReviewForm(FlaskForm):
    feasible = RadioField(
        _l("Can this proposal go to the ballot?"),
        choices=[
            SelectChoice("yes", _l("Yes, it is feasible")),
            SelectChoice("no", _l("No, it cannot go to the ballot")),
        ],
        validators=[DataRequired(_l("Say whether the proposal can go to the ballot"))],
    )
    reviewed_cost = PoundsField(
        _l("Reviewed cost in pounds"), description=_l("Leave empty to keep the resident’s estimate.")
    )
    reason = TextAreaField(
        _l("Reasons"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Published with the decision. Required when the proposal cannot go to the ballot."),
    )
    title_cy = welsh_field(_l("Title of the proposal in Welsh (optional)"), 200)
    description_cy = welsh_field(_l("The proposal in Welsh (optional)"), 5000, long=True)


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Why hide this proposal?"),
        validators=[DataRequired(_l("Give the reason for hiding this proposal")), Length(max=2000)],
        description=_l(
            "For example: it names a private person, or it repeats another proposal. Recorded in the audit log."
        ),
    )


class BallotForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title")), Length(max=200)])
    title_cy = welsh_field(_l("Title in Welsh (optional)"), 200)
    kind = SelectField(
        _l("Kind of ballot"),
        choices=[
            SelectChoice(KNAPSACK, _l("Choose projects within the budget")),
            SelectChoice(APPROVAL, _l("Approve projects (with limits)")),
            SelectChoice(CUMULATIVE, _l("Share points between projects")),
            SelectChoice(RANKED, _l("Rank projects")),
            SelectChoice(ALLOCATION, _l("Split the budget across budget lines")),
            SelectChoice(SIMULATOR, _l("Budget simulator: residents balance the council’s budget")),
        ],
    )
    rule = SelectField(
        _l("Counting rule"),
        choices=[
            SelectChoice("equalshares/add1", _l("Method of Equal Shares, completed by raising the budget")),
            SelectChoice("equalshares", _l("Method of Equal Shares (no completion)")),
            SelectChoice("equalshares/greedy", _l("Method of Equal Shares, completed greedily")),
            SelectChoice("equalshares/add1-comparison", _l("Method of Equal Shares with the Wieliczka comparison")),
            SelectChoice("greedy", _l("Most votes first, skipping what does not fit")),
            SelectChoice("greedy-no-skip", _l("Most votes first, stopping at the first that does not fit")),
            SelectChoice("phragmen", _l("Sequential Phragmén")),
            SelectChoice("independent-markets", _l("Allocation: Independent Markets (proportional)")),
            SelectChoice("mean", _l("Allocation: average of the votes")),
            SelectChoice("summary", _l("Budget simulator: the spread, mean and median of residents’ choices")),
        ],
    )
    utility = SelectField(
        _l("Equal Shares counts a voter’s benefit by"),
        choices=[
            SelectChoice("cost", _l("the cost of the projects they back")),
            SelectChoice("cardinality", _l("the number of projects they back")),
        ],
    )
    budget = PoundsField(_l("Budget in pounds"), description=_l("Leave empty to use the process’s pot."))
    min_choices = IntegerField(
        _l("Fewest projects a voter must choose"), default=0, validators=[Optional(), NumberRange(min=0, max=100)]
    )
    max_choices = IntegerField(
        _l("Most projects a voter may choose"), validators=[Optional(), NumberRange(min=1, max=100)]
    )
    total_points = IntegerField(
        _l("Points each voter gives (points ballots)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=10_000)],
    )
    max_per_project = IntegerField(_l("Most points for one project"), validators=[Optional(), NumberRange(min=1)])
    min_spend_percent = IntegerField(
        _l("Least share of the budget a voter must spend, in per cent"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    partial_funding = BooleanField(_l("Offer what is left to the next project as partial funding"))
    eligibility = RadioField(
        _l("Who can vote"),
        choices=[
            SelectChoice(
                CODES,
                _l("People with a letter: the council posts one code to each home or person. One letter, one vote."),
            ),
            SelectChoice(
                RESIDENTS,
                _l(
                    "Verified residents: people with an account whose email is confirmed and who are on the council’s register or have entered a code posted to their address"
                ),
            ),
            SelectChoice(
                OPEN,
                _l(
                    "Open vote: anyone with an account, with no check on where they live. The result is shown as unverified."
                ),
            ),
        ],
        validators=[DataRequired(_l("Choose who can vote"))],
        description=_l("You cannot change this once voting opens."),
    )
    opens_at = UKDateTimeField(
        _l("Voting opens"),
        validators=[Optional()],
        description=_l(
            "UK time. Leave empty to open as soon as you press Open voting. For example, 14 9 2027 and 09:00."
        ),
    )
    closes_at = UKDateTimeField(
        _l("Voting closes"), validators=[Optional()], description=_l("UK time. For example, 12 10 2027 and 17:00.")
    )


class CodeBatchForm(FlaskForm):
    size = IntegerField(
        _l("Number of letters"),
        validators=[
            DataRequired(_l("Enter how many codes to make")),
            NumberRange(min=1, max=50_000, message=_l("Enter a number between 1 and 50,000")),
        ],
    )
    area_id = SelectField(_l("Area the letters go to"), coerce=str, validators=[Optional()])


class CodeEntryForm(FlaskForm):
    code = StringField(
        _l("Code from your letter"),
        validators=[DataRequired(_l("Enter the code from your letter"))],
        description=_l("12 letters and numbers, like ABCD-EFGH-JKLM."),
    )


class PaperForm(FlaskForm):
    paper_ref = StringField(
        _l("Number on the ballot paper"),
        validators=[DataRequired(_l("Enter the number printed on the ballot paper")), Length(max=40)],
    )
    channel = SelectField(
        _l("How it was cast"),
        choices=[SelectChoice(PAPER, _l("Paper ballot")), SelectChoice(BOOTH, _l("Polling booth"))],
    )
    area_id = SelectField(_l("Area"), coerce=str, validators=[Optional()])


class DecisionForm(FlaskForm):
    selected = MultiCheckboxField(_l("Projects the council will fund"), choices=[])
    reason = TextAreaField(_l("Reason for any difference from the count"), validators=[Optional(), Length(max=5000)])


class ReceiptForm(FlaskForm):
    receipt = StringField(_l("Your receipt"), validators=[DataRequired(_l("Enter your receipt"))])


def area_choices(areas, whole: str) -> list[SelectChoice]:
    """Choices for an area select: the whole council first, then areas by name."""
    return [SelectChoice("", whole)] + [SelectChoice(str(a.id), a.name) for a in areas]


def optional_id(value: str | None) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _about_you_field(question) -> RadioField:
    return RadioField(
        question.label,
        description=question.hint,
        validators=[Optional()],
        choices=[SelectChoice(value, label) for value, label in question.answers],
    )


class AboutYouForm(FlaskForm):
    """The optional census-style questions asked once after voting; every one may be left blank."""

    from pbapp.pb.participation import QUESTIONS_BY_KEY as _questions

    age = _about_you_field(_questions["age"])
    sex = _about_you_field(_questions["sex"])
    ethnicity = _about_you_field(_questions["ethnicity"])
    disability = _about_you_field(_questions["disability"])
    del _questions


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(_l("Write your comment")),
            Length(max=2000, message=_l("Your comment must be 2,000 characters or fewer")),
        ],
        description=_l(
            "Comments are public. Be kind, keep to the proposal, and do not include anyone’s personal details. 2,000 characters at most."
        ),
    )


class ModerateForm(FlaskForm):
    reason = StringField(
        _l("Reason for hiding"),
        validators=[Optional(), Length(max=300)],
        description=_l("Shown in place of the comment, for example “Personal details”."),
    )


class SupportThresholdForm(FlaskForm):
    support_threshold = IntegerField(
        _l("Supports needed before the council reviews a proposal"),
        validators=[Optional(), NumberRange(min=1, max=100000, message=_l("Enter a whole number from 1 to 100,000"))],
        description=_l("Leave empty to review every proposal."),
    )


class PabulibUploadForm(FlaskForm):
    """A Pabulib `.pb` file to import as a closed ballot of the process."""

    file = FileField(_l("Pabulib file (.pb)"), validators=[FileRequired(_l("Choose a Pabulib .pb file"))])


class PabulibImportForm(FlaskForm):
    """The title and counting rule of an imported ballot; the file itself stays on the server."""

    title = StringField(
        _l("Title of the ballot"), validators=[DataRequired(_l("Enter the ballot’s title")), Length(max=200)]
    )
    rule = SelectField(
        _l("Counting rule"),
        choices=[
            choice
            for choice in BallotForm.rule.kwargs["choices"]
            if choice.value not in ("independent-markets", "mean", "summary")
        ]
        + [SelectChoice("greedy-threshold", _l("Most votes first, above the file’s score threshold"))],
    )
