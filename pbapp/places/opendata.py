"""The open-data schema of a place's public money: the exports and the documentation page both read it.

Add columns at the end only; never rename or remove one.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pbapp.core.opendata import DATE, FORMATS, INTEGER, TEXT, Column

__all__ = ["DATASETS", "FORMATS", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"
SPENDING = (
    Column("outcome_area", TEXT, _l("Name of the outcome area.")),
    Column("body", TEXT, _l("Name of the public body.")),
    Column(
        "body_kind",
        TEXT,
        _l(
            "council, integrated_care_board, police_and_crime_commissioner, fire_authority, "
            "schools, combined_authority, jobcentre_plus or housing_association."
        ),
    ),
    Column("financial_year", TEXT, _l("Financial year, like 2026-27: the newest year of the place.")),
    Column(
        "amount_pence",
        INTEGER,
        _l(
            "What the body spends on the outcome area, in pence: each mapped line "
            "times its share, rounded half up to the penny."
        ),
    ),
    Column("devolved_pence", INTEGER, _l("The part of amount_pence that neighbourhoods decide, in pence.")),
    Column(
        "previous_year_pence",
        INTEGER,
        _l("The same for the year before; empty when the body has no figures for that year."),
    ),
    Column("change_pence", INTEGER, _l("amount_pence minus previous_year_pence; empty when that is empty.")),
)
BODY_LINES = (
    Column("body", TEXT, _l("Name of the public body.")),
    Column("financial_year", TEXT, _l("Financial year, like 2026-27.")),
    Column("basis", TEXT, _l("budget (planned) or spend (outturn).")),
    Column("service_line", TEXT, _l("The body's service line, as its published document names it.")),
    Column("amount_pence", INTEGER, _l("Amount of the line in pence.")),
    Column("devolved_pence", INTEGER, _l("Part of the line that neighbourhoods decide, in pence.")),
    Column("source_title", TEXT, _l("The published document the figures come from.")),
    Column("source_url", TEXT, _l("Web address of that document.")),
    Column("source_date", DATE, _l("Date of that document.")),
)
SHARES = (
    Column("outcome_area", TEXT, _l("Name of the outcome area.")),
    Column("body", TEXT, _l("Name of the public body.")),
    Column("service_line", TEXT, _l("The body's service line.")),
    Column(
        "basis_points",
        INTEGER,
        _l(
            "Share of the line that serves the outcome area, in hundredths of a "
            "per cent (10000 is all of it). A line's shares add up to at most 10000."
        ),
    ),
)
DATASETS = {"spending": SPENDING, "body_lines": BODY_LINES, "shares": SHARES}
