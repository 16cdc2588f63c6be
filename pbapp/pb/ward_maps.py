"""The participatory budgeting pages' ward maps: turnout by ward, proposals and funded projects per ward.

Each map sits beside a table with the same figures; a council without imported boundaries gets no
map (None) and the tables stand alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import Session, select

from pbapp.councils.boundaries import WardMap, ward_map
from pbapp.councils.models import WARD, Area, Council
from pbapp.pb.models import BallotOption, Process, Proposal
from pbapp.pb.participation import WardTurnout


@dataclass(frozen=True)
class WardCount:
    """One row of a "per ward" table: the ward (None for what is not for one ward), its count, its list's address."""

    ward: Area | None
    count: int
    href: str | None


def _percent_range(low: float, high: float) -> str:
    return _("%(low).1f%% to %(high).1f%%", low=low, high=high)


def turnout_map(session: Session, council: Council, wards: list[WardTurnout]) -> WardMap | None:
    """Turnout (ballots per 100 adults) shaded by ward, from the rows of the turnout table."""
    by_name = {a.name: a.id for a in session.exec(select(Area).where(Area.council_id == council.id, Area.kind == WARD))}
    figures = {by_name[w.name]: w.percent for w in wards if w.name in by_name}

    def label(name: str, figure: float | None) -> str:
        if figure is None:
            return _("%(ward)s: turnout not known", ward=name)
        return _("%(ward)s: %(percent).1f%% turnout", ward=name, percent=figure)

    return ward_map(session, council, figures, label=label, step_label=_percent_range)


def _count_range(low: float, high: float) -> str:
    return f"{high:,.0f}" if low == high else _("%(low).0f to %(high).0f", low=low, high=high)


def _counts_map(session: Session, council: Council, rows: list[WardCount], label) -> WardMap | None:
    figures = {r.ward.id: r.count for r in rows if r.ward is not None}
    return ward_map(
        session,
        council,
        figures,
        label=label,
        step_label=_count_range,
        whole=True,
        links={r.ward.id: r.href for r in rows if r.ward is not None and r.href},
    )


def _per_ward(session: Session, council: Council, process: Process, area_ids: list[int | None]) -> list[WardCount]:
    wards = list(session.exec(select(Area).where(Area.council_id == council.id, Area.kind == WARD).order_by(Area.name)))
    counts: dict[int | None, int] = {}
    for area_id in area_ids:
        counts[area_id] = counts.get(area_id, 0) + 1
    ward_ids = {w.id for w in wards}
    rows = [
        WardCount(
            w,
            counts.get(w.id, 0),
            url_for("pb.process", council=council.slug, process_id=process.id, ward=w.id) + "#proposals",
        )
        for w in wards
    ]
    elsewhere = sum(n for area_id, n in counts.items() if area_id not in ward_ids)
    if elsewhere:
        rows.append(WardCount(None, elsewhere, None))
    return rows


def proposals_per_ward(
    session: Session, council: Council, process: Process, proposals: list[Proposal]
) -> tuple[list[WardCount], WardMap | None]:
    """How many of the process's public proposals are for each ward, as a table and a map."""
    rows = _per_ward(session, council, process, [p.area_id for p in proposals])
    return rows, _counts_map(
        session,
        council,
        rows,
        lambda name, n: ngettext("%(ward)s: %(num)d proposal", "%(ward)s: %(num)d proposals", int(n or 0), ward=name),
    )


def funded_per_ward(
    session: Session, council: Council, process: Process, official: list[str], ballot_id: int
) -> tuple[list[WardCount], WardMap | None]:
    """How many of a ballot's funded projects (the council's decision) are in each ward."""
    options = session.exec(
        select(BallotOption, Proposal)
        .join(Proposal, Proposal.id == BallotOption.proposal_id)
        .where(BallotOption.ballot_id == ballot_id, BallotOption.ref.in_(official or [""]))
    ).all()
    rows = _per_ward(session, council, process, [proposal.area_id for _option, proposal in options])
    return rows, _counts_map(
        session,
        council,
        rows,
        lambda name, n: ngettext(
            "%(ward)s: %(num)d funded project", "%(ward)s: %(num)d funded projects", int(n or 0), ward=name
        ),
    )
