"""The government's Revenue Account service lines in the reader's language (the names are fixed, so the
catalogue translates them, as it does the interface)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

RA_LINE_LABELS = {
    "Education services": _l("Education services"),
    "Highways and transport services": _l("Highways and transport services"),
    "Children's social care": _l("Children's social care"),
    "Adult social care": _l("Adult social care"),
    "Public health": _l("Public health"),
    "Housing services (general fund only)": _l("Housing services (general fund only)"),
    "Cultural and related services": _l("Cultural and related services"),
    "Environmental and regulatory services": _l("Environmental and regulatory services"),
    "Planning and development services": _l("Planning and development services"),
    "Police services": _l("Police services"),
    "Fire and rescue services": _l("Fire and rescue services"),
    "Central services": _l("Central services"),
    "Other services": _l("Other services"),
    "Other divisions": _l("Other divisions"),
}


def ra_line_label(name: str) -> str:
    """The service line's name in the reader's language; a name that is not a government line stays as it is."""
    label = RA_LINE_LABELS.get(name)
    return str(label) if label is not None else name
