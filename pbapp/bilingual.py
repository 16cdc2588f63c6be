"""Welsh beside English in officer forms: one field kind, and one way to carry its values to a model.

Every officer-entered text a resident reads has a `<name>_cy` column (see pbapp.languages:
CONTENT_LANGUAGES); a form names its Welsh field the same, so the values pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

WELSH_HINT = _l("Welsh readers see this instead of the English, when it is given.")


def welsh_field(label, max_length: int, *, long: bool = False):
    """An optional Welsh version of a field ("Title in Welsh (optional)"), with the GOV.UK hint."""
    kind = TextAreaField if long else StringField
    return kind(label, description=WELSH_HINT, validators=[Optional(), Length(max=max_length)])


def welsh_values(form) -> dict[str, str]:
    """The Welsh fields a form carries, by name (`title_cy`: "..."), as typed."""
    return {field.name: field.data or "" for field in form if field.name.endswith("_cy")}


def set_welsh(item, values: Mapping[str, str] | None) -> None:
    """Store the Welsh versions on a model, trimmed; a name the model has no column for is refused."""
    for name, text in (values or {}).items():
        if not name.endswith("_cy") or not hasattr(item, name):
            raise ValueError(f"{type(item).__name__} has no Welsh column {name!r}")
        setattr(item, name, (text or "").strip())
