"""Forms for setting up a council: its names and logo, and the reference files it imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from pbapp.councils.imports import GSS_CODE
from pbapp.formfields import MultiCheckboxField


class CouncilForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the council’s name")), Length(max=200)])
    name_cy = StringField(_l("Name in Welsh (optional)"), validators=[Optional(), Length(max=200)])
    gss_code = StringField(
        _l("GSS code"),
        validators=[Optional(), Regexp(GSS_CODE, message=_l("Enter the council’s GSS code like E06000008"))],
        description=_l("The ONS code of the local authority, like E06000008. Imports read the lines for this code."),
    )
    logo = FileField(
        _l("Logo (optional)"),
        description=_l("A PNG image, at most 200 KB and 1000 pixels wide. SVG files are not accepted."),
    )
    remove_logo = BooleanField(_l("Remove the current logo"))
    bilingual = BooleanField(
        _l("Send letters and emails in English and Welsh"),
        description=_l(
            "For councils under the Welsh Language Standards: voting letters and every email carry each text in "
            "Welsh, then in English, whatever language the reader chose."
        ),
    )


class NewCouncilForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the council’s name")), Length(max=200)])
    slug = StringField(
        _l("Address in the site"),
        validators=[DataRequired(_l("Enter the council’s address in the site, like north-borough")), Length(max=80)],
        description=_l(
            "Lower-case letters, digits and single hyphens: the council’s pages will be at "
            "/councils/north-borough/. It cannot be changed later."
        ),
    )
    name_cy = StringField(_l("Name in Welsh (optional)"), validators=[Optional(), Length(max=200)])
    gss_code = StringField(
        _l("GSS code (optional)"),
        validators=[Optional(), Regexp(GSS_CODE, message=_l("Enter the council’s GSS code like E06000008"))],
        description=_l("The ONS code of the local authority, like E06000008. Imports read the lines for this code."),
    )


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file"))])


class BoundaryImportForm(FlaskForm):
    file = FileField(_l("GeoJSON file"), validators=[FileRequired(_l("Choose a GeoJSON file"))])


class ConfirmForm(FlaskForm):
    """Confirm or discard a held import; the file itself stays on the server."""


class NeighbourhoodForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the neighbourhood’s name")), Length(max=120)])
    wards = MultiCheckboxField(_l("Wards in this neighbourhood"), coerce=int, choices=[])
