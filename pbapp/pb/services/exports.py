"""Open data: the published results as CSV, JSON and Pabulib."""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlmodel import Session

from pbapp.core.ballots import pabulib
from pbapp.core.csv_writer import write_csv
from pbapp.councils.models import Council
from pbapp.errors import NotFound
from pbapp.pb import published, simulator
from pbapp.pb.models import OPEN, SIMULATOR
from pbapp.pb.services.ballot_log import _published, log_document
from pbapp.pb.services.keys import _keyed_hash
from pbapp.pb.services.results import result_of, results_view


def export(session: Session, council: Council, ballot_id: int, fmt: str) -> tuple[str, str, str]:
    """Return (text, mimetype, filename) of a results export; none before results are published."""
    ballot = _published(session, council, ballot_id)
    # Only the Pabulib export (written once, at publication) needs the ballots; the rest read the stored count.
    document = log_document(session, ballot, entries=fmt == "pb")
    name = f"{council.slug}-ballot-{ballot.id}"
    if ballot.kind == SIMULATOR and fmt in ("json", "csv"):
        base = {
            "ballot": document["ballot"],
            "options": document["options"],
            "result": document["result"],
            "log_head": document["head"],
            "log_entries": published.log_extent(session, ballot)[0],
            "eligibility": ballot.eligibility,
            "voters_verified": ballot.eligibility != OPEN,
        }
        text, mimetype = simulator.export(session, ballot, fmt, base)
        return text, mimetype, f"{name}-results.{fmt}"
    if fmt == "json":
        view = results_view(session, council, ballot_id)
        data = {
            "ballot": document["ballot"],
            "options": document["options"],
            "result": document["result"],
            "official_selected": view.official,
            "official_reason": view.result.official_reason,
            "voters": view.result.voters,
            "log_head": view.result.log_head,
            "log_entries": view.log_entries,
            "eligibility": ballot.eligibility,
            "voters_verified": ballot.eligibility != OPEN,
            "counted_apart": view.turnout["apart"],
        }
        return json.dumps(data, indent=2, ensure_ascii=False), "application/json", f"{name}-results.json"
    if fmt == "csv":
        view = results_view(session, council, ballot_id)
        return results_csv(view.rows), "text/csv; charset=utf-8", f"{name}-results.csv"
    if fmt == "pb":
        if ballot.kind == SIMULATOR:
            raise NotFound(_("The budget simulator has no Pabulib export."))
        from pbapp.pb import pabulib_export

        election = pabulib_export.election_of(
            ballot,
            council,
            document,
            result_of(session, ballot),
            "en",
            voter_id=lambda token: _keyed_hash(ballot.key_version, "pb-export", ballot.id, token)[:20],
        )
        return pabulib.dumps(election), "text/plain", f"{name}.pb"
    raise NotFound(_("There is no such export."))


RESULTS_SCHEMA_VERSION = 2


RESULTS_COLUMNS = (
    "project_id",
    "title",
    "cost_pence",
    "support",
    "funded_by_count",
    "official_decision",
    "allocation_pence",
    "reason",
    "schema_version",
)


def results_csv(rows: list[dict]) -> str:
    """The published results as CSV (schema in docs/pb-open-data.md): whole numbers and English sentences."""
    return write_csv(
        RESULTS_COLUMNS,
        (
            (
                row["option"].ref,
                row["option"].title,
                row["option"].cost_pence,
                round(row["support"]),
                row["funded"],
                "funded" if row["official"] else "not funded",
                row["amount"],
                row["reason"].get("reason", "") if isinstance(row["reason"], dict) else row["reason"],
                RESULTS_SCHEMA_VERSION,
            )
            for row in rows
        ),
        numeric=("cost_pence", "support", "allocation_pence"),
    )
