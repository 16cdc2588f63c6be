"""The open-data schema of the record (book, changes, responses, their lines); pbapp.core.opendata writes it.

The column lists here are the published schema: the exports and the documentation page both read
them, so they cannot drift apart. Add columns at the end only; never rename or remove one.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pbapp.core.opendata import DATE, DATETIME, FORMATS, INTEGER, TEXT, Column

__all__ = ["DATASETS", "FORMATS", "SCHEMA_VERSION", "Column"]

SCHEMA_VERSION = "1"

BOOK = (
    Column("financial_year", TEXT, _l("Financial year, like 2026-27.")),
    Column("version", INTEGER, _l("Version number of the book within the year, from 1.")),
    Column("stage", TEXT, _l("draft, proposed or final.")),
    Column("line_id", INTEGER, _l("Identifier of the line in this version.")),
    Column("ra_line", TEXT, _l("Revenue Account service line, as the government's RA return names it.")),
    Column("ra_code", TEXT, _l("Code of the RA service line in the RA return, like edutot.")),
    Column("division", TEXT, _l("Division of the service line.")),
    Column("directorate", TEXT, _l("The council directorate responsible.")),
    Column("name", TEXT, _l("Name of the line.")),
    Column("gross_pence", INTEGER, _l("Gross spending in pence.")),
    Column("income_pence", INTEGER, _l("Income (fees, charges, specific grants) in pence.")),
    Column("net_pence", INTEGER, _l("Net spending in pence: gross_pence minus income_pence; may be negative.")),
)
CHANGES = (
    Column("change_id", INTEGER, _l("Identifier of the change.")),
    Column("financial_year", TEXT, _l("Financial year of the version changed.")),
    Column("version", INTEGER, _l("Version changed.")),
    Column("line_id", INTEGER, _l("Line changed (line_id in the book export of that version).")),
    Column("ra_line", TEXT, _l("Revenue Account service line of the line.")),
    Column("division", TEXT, _l("Division of the line.")),
    Column("source", TEXT, _l("jury_recommendation, pb_result or officer.")),
    Column(
        "item_id",
        INTEGER,
        _l(
            "The recommendation or result behind the change (item_id in the responses export); empty for officer changes."
        ),
    ),
    Column("reason", TEXT, _l("Why the line changed.")),
    Column("from_gross_pence", INTEGER, _l("Gross before the change, in pence.")),
    Column("to_gross_pence", INTEGER, _l("Gross after the change, in pence.")),
    Column("from_income_pence", INTEGER, _l("Income before the change, in pence.")),
    Column("to_income_pence", INTEGER, _l("Income after the change, in pence.")),
    Column("from_net_pence", INTEGER, _l("Net before the change, in pence.")),
    Column("to_net_pence", INTEGER, _l("Net after the change, in pence.")),
    Column("net_change_pence", INTEGER, _l("to_net_pence minus from_net_pence.")),
    Column("changed_at", DATETIME, _l("When the change was recorded (UTC, ISO 8601).")),
)
RESPONSES = (
    Column("item_id", INTEGER, _l("Identifier of the recommendation or result.")),
    Column("source", TEXT, _l("jury_recommendation or pb_result.")),
    Column("source_ref", TEXT, _l("Reference of the item in the tool that produced it.")),
    Column("title", TEXT, _l("What was recommended or voted for.")),
    Column("amount_pence", INTEGER, _l("Amount asked for or allocated, in pence; empty if none.")),
    Column("ra_line", TEXT, _l("Revenue Account service line the item concerns; empty if none.")),
    Column("division", TEXT, _l("Division the item concerns; empty if none.")),
    Column("received_on", DATE, _l("When the council received the item.")),
    Column("response_due", DATE, _l("When the council's response is due.")),
    Column("status", TEXT, _l("responded, awaiting or overdue.")),
    Column("outcome", TEXT, _l("accepted, partly_accepted, rejected or deferred; empty until responded.")),
    Column("reasons", TEXT, _l("The council's reasons for its decision.")),
    Column("decided_by", TEXT, _l("cabinet, full_council, executive_member or officer_delegated.")),
    Column("decided_on", DATE, _l("Date of the decision.")),
    Column("milestones", INTEGER, _l("Number of delivery milestones.")),
    Column("milestones_done", INTEGER, _l("Number of milestones done.")),
    Column("progress_percent", INTEGER, _l("Share of milestones done, 0 to 100.")),
)
ITEM_LINES = (
    Column("item_id", INTEGER, _l("The recommendation or result (item_id in the responses export).")),
    Column(
        "line_id", INTEGER, _l("Budget line it concerns (line_id in the book export); empty if that line was deleted.")
    ),
    Column("ra_line", TEXT, _l("Revenue Account service line of the line.")),
    Column("division", TEXT, _l("Division of the line.")),
    Column(
        "amount_pence",
        INTEGER,
        _l(
            "Change asked for on this line, in pence; negative for a saving. An item's rows add up to its amount_pence in the responses export."
        ),
    ),
)
DATASETS = {"book": BOOK, "changes": CHANGES, "responses": RESPONSES, "item_lines": ITEM_LINES}
