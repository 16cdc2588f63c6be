"""Forms of the budget simulator's set-up: lines to put on it, their steps and consequences, the savings and tax."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from pbapp.bilingual import welsh_field
from pbapp.formfields import MultiCheckboxField, PoundsField


class LinesForm(FlaskForm):
    lines = MultiCheckboxField(_l("Budget lines residents can move"), choices=[], coerce=int)
    min_percent = IntegerField(
        _l("Largest cut, in per cent"),
        default=-10,
        validators=[
            InputRequired(_l("Enter the largest cut, like -10")),
            NumberRange(min=-100, max=0, message=_l("Enter a number from -100 to 0")),
        ],
        description=_l("A negative number: -10 lets residents cut a line by up to 10 per cent."),
    )
    max_percent = IntegerField(
        _l("Largest rise, in per cent"),
        default=10,
        validators=[
            InputRequired(_l("Enter the largest rise, like 10")),
            NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100")),
        ],
    )
    step_percent = IntegerField(
        _l("Step, in per cent"),
        default=5,
        validators=[
            InputRequired(_l("Enter the step, like 5")),
            NumberRange(min=1, max=100, message=_l("Enter a number from 1 to 100")),
        ],
        description=_l("Residents move each line in steps of this size."),
    )


class LineForm(FlaskForm):
    """A line's Welsh names, limits and steps; the boxes for what each step means are drawn per step."""

    service_cy = welsh_field(_l("Service in Welsh (optional)"), 120)
    title_cy = welsh_field(_l("Name of the line in Welsh (optional)"), 200)
    min_percent = LinesForm.min_percent
    max_percent = LinesForm.max_percent
    step_percent = LinesForm.step_percent


class SetupForm(FlaskForm):
    savings = PoundsField(
        _l("Savings the council must find, in pounds"),
        description=_l(
            "Residents balance the budget when their changes save at least this much "
            "(after any council-tax change). Leave empty for none."
        ),
    )
    tax_enabled = BooleanField(_l("Let residents change council tax"))
    band_d = PoundsField(_l("Band D council tax this year, in pounds"))
    tax_base = IntegerField(_l("Tax base, in Band D equivalent homes"), validators=[Optional(), NumberRange(min=1)])
    tax_min_percent = IntegerField(
        _l("Largest council-tax cut, in per cent"),
        default=-2,
        validators=[Optional(), NumberRange(min=-10, max=0, message=_l("Enter a number from -10 to 0"))],
    )
    tax_max_percent = IntegerField(
        _l("Largest council-tax rise, in per cent"),
        default=5,
        validators=[Optional(), NumberRange(min=0, max=10, message=_l("Enter a number from 0 to 10"))],
        description=_l("Residents move council tax in steps of 1 per cent of Band D."),
    )
