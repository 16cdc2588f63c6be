"""Use cases of a place's public money: places, bodies, budget imports, outcome areas and their shares, open data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pbapp import audit
from pbapp.core import places as rules
from pbapp.core.opendata import Export
from pbapp.core.opendata import export as export_dataset
from pbapp.councils.models import Council
from pbapp.councils.services import get_council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.ledger.services import ImportRejected, csv_text, refuse_unless_clean
from pbapp.places.models import (
    BASES,
    BODY_KINDS,
    PLACE_KINDS,
    BodyBudget,
    BodyBudgetLine,
    LineShare,
    OutcomeArea,
    Place,
    PublicBody,
)

__all__ = ["ImportRejected", "csv_text"]


def _in(found, parent_id: int | None, attribute: str, message: str):
    # An id that belongs to another council's place is treated as not there at all.
    if found is None or getattr(found, attribute) != parent_id:
        raise NotFound(message)
    return found


def _place(session: Session, council: str, place_id: int) -> Place:
    the_council = get_council(session, council)
    return _in(session.get(Place, place_id), the_council.id, "council_id", _("There is no place at this address."))


def _body(session: Session, place: Place, body_id: int) -> PublicBody:
    return _in(session.get(PublicBody, body_id), place.id, "place_id", _("There is no public body at this address."))


def _area(session: Session, place: Place, area_id: int) -> OutcomeArea:
    return _in(session.get(OutcomeArea, area_id), place.id, "place_id", _("There is no outcome area at this address."))


def places_of(session: Session, council: str) -> tuple[Council, list[Place]]:
    """The council and the places it keeps, by name."""
    the_council = get_council(session, council)
    return the_council, list(
        session.exec(select(Place).where(Place.council_id == the_council.id).order_by(Place.name)).all()
    )


def _unique(session: Session, row, message: str, field_name: str):
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(message, field=field_name) from None
    return row


def add_place(session: Session, council: str, *, name: str, kind: str, description: str, actor_id: int | None) -> Place:
    """Add a place (a council area, or a combined authority's area) to the council's record."""
    the_council = get_council(session, council)
    if kind not in PLACE_KINDS:
        raise Invalid(_("Choose what kind of place it is."), field="kind")
    place = _unique(
        session,
        Place(council_id=the_council.id, name=name.strip(), kind=kind, description=description.strip()),
        _("There is already a place with this name."),
        "name",
    )
    audit.record(
        session,
        "places.place_added",
        "place",
        place.id,
        council_id=the_council.id,
        actor_id=actor_id,
        name=place.name,
        kind=kind,
    )
    session.commit()
    return place


def add_body(
    session: Session, council: str, place_id: int, *, name: str, kind: str, website: str, actor_id: int | None
) -> PublicBody:
    """Add a public body that spends money in the place."""
    place = _place(session, council, place_id)
    if kind not in BODY_KINDS:
        raise Invalid(_("Choose what kind of body it is."), field="kind")
    body = _unique(
        session,
        PublicBody(place_id=place.id, name=name.strip(), kind=kind, website=website.strip()),
        _("This place already has a body with this name."),
        "name",
    )
    audit.record(
        session,
        "places.body_added",
        "place_body",
        body.id,
        council_id=place.council_id,
        actor_id=actor_id,
        place_id=place.id,
        name=body.name,
        kind=kind,
    )
    session.commit()
    return body


def add_area(
    session: Session, council: str, place_id: int, *, name: str, description: str, actor_id: int | None
) -> OutcomeArea:
    """Define an outcome area that the place's bodies spend towards."""
    place = _place(session, council, place_id)
    area = _unique(
        session,
        OutcomeArea(place_id=place.id, name=name.strip(), description=description.strip()),
        _("This place already has an outcome area with this name."),
        "name",
    )
    audit.record(
        session,
        "places.area_added",
        "place_outcome_area",
        area.id,
        council_id=place.council_id,
        actor_id=actor_id,
        place_id=place.id,
        name=area.name,
    )
    session.commit()
    return area


def preview_budget(
    session: Session, council: str, place_id: int, body_id: int, *, csv_text: str, thousands: bool
) -> rules.ParsedBodyBudget:
    """Read a body's budget file without saving anything, for the officer to check first."""
    _body(session, _place(session, council, place_id), body_id)
    return rules.parse_body_budget(csv_text, thousands=thousands)


def import_budget(
    session: Session,
    council: str,
    place_id: int,
    body_id: int,
    *,
    csv_text: str,
    thousands: bool,
    financial_year: str,
    basis: str,
    source_title: str,
    source_url: str,
    source_date: date,
    actor_id: int | None,
) -> BodyBudget:
    """Save a body's budget for a year (replacing that year's earlier import), only if every line is clean."""
    body = _body(session, _place(session, council, place_id), body_id)
    parsed = rules.parse_body_budget(csv_text, thousands=thousands)
    refuse_unless_clean(parsed)
    budget = save_budget(
        session,
        body,
        parsed.lines,
        financial_year=financial_year,
        basis=basis,
        source_title=source_title,
        source_url=source_url,
        source_date=source_date,
        actor_id=actor_id,
    )
    session.commit()
    return budget


def save_budget(
    session: Session,
    body: PublicBody,
    lines: list[rules.BodyLine],
    *,
    financial_year: str,
    basis: str,
    source_title: str,
    source_url: str,
    source_date: date,
    actor_id: int | None,
) -> BodyBudget:
    """Store a body's lines for a year, replacing any earlier import of that year (the caller commits)."""
    if basis not in BASES:
        raise Invalid(_("Choose whether these are budgeted or spent figures."), field="basis")
    old = session.exec(
        select(BodyBudget).where(BodyBudget.body_id == body.id, BodyBudget.financial_year == financial_year)
    ).first()
    if old is not None:
        session.execute(delete(BodyBudgetLine).where(BodyBudgetLine.budget_id == old.id))
        session.delete(old)
        session.flush()
    budget = BodyBudget(
        body_id=body.id,
        financial_year=financial_year,
        basis=basis,
        source_title=source_title,
        source_url=source_url,
        source_date=source_date,
        total_pence=sum(line.amount for line in lines),
        devolved_pence=sum(line.devolved for line in lines),
        imported_by_id=actor_id,
    )
    session.add(budget)
    session.flush()
    session.execute(
        insert(BodyBudgetLine),
        [
            {
                "budget_id": budget.id,
                "position": position,
                "service_line": line.service_line,
                "amount_pence": line.amount,
                "devolved_pence": line.devolved,
            }
            for position, line in enumerate(lines)
        ],
    )
    place = session.get(Place, body.place_id)
    audit.record(
        session,
        "places.budget_imported",
        "place_body_budget",
        budget.id,
        council_id=place.council_id,
        actor_id=actor_id,
        body_id=body.id,
        financial_year=financial_year,
        basis=basis,
        lines=len(lines),
        total_pence=budget.total_pence,
        replaced=old is not None,
    )
    return budget


def _budgets(session: Session, body_ids: list[int]) -> list[BodyBudget]:
    if not body_ids:
        return []
    return list(
        session.exec(
            select(BodyBudget).where(BodyBudget.body_id.in_(body_ids)).order_by(BodyBudget.financial_year.desc())
        ).all()
    )


def _lines(session: Session, budget_ids: list[int]) -> list[BodyBudgetLine]:
    if not budget_ids:
        return []
    return list(
        session.exec(
            select(BodyBudgetLine)
            .where(BodyBudgetLine.budget_id.in_(budget_ids))
            .order_by(BodyBudgetLine.budget_id, BodyBudgetLine.position)
        ).all()
    )


@dataclass
class BodyRow:
    """A body with its newest budget."""

    body: PublicBody
    latest: BodyBudget | None


@dataclass
class AreaBody:
    """What one body spends on an outcome area in the place's year and the year before."""

    body: PublicBody
    amount: int = 0
    devolved: int = 0
    before: int | None = None
    lines: list[tuple[str, int, int]] = field(default_factory=list)  # (service line, basis points, pence)

    @property
    def change(self) -> int | None:
        return None if self.before is None else self.amount - self.before

    @property
    def change_tenths(self) -> int | None:
        return None if self.before is None else rules.change_tenths(self.before, self.amount)


@dataclass
class AreaSummary:
    """An outcome area's money across every body of the place."""

    area: OutcomeArea
    bodies: list[AreaBody]
    year: str | None

    @property
    def amount(self) -> int:
        return sum(b.amount for b in self.bodies)

    @property
    def devolved(self) -> int:
        return sum(b.devolved for b in self.bodies)

    @property
    def before(self) -> int | None:
        known = [b.before for b in self.bodies if b.before is not None]
        return sum(known) if known else None

    @property
    def change_tenths(self) -> int | None:
        return None if self.before is None else rules.change_tenths(self.before, self.amount)

    @property
    def devolved_tenths(self) -> int | None:
        return rules.share_of(self.devolved, self.amount)


@dataclass
class PlaceView:
    council: Council
    place: Place
    bodies: list[BodyRow]
    areas: list[AreaSummary]
    year: str | None

    @property
    def total(self) -> int:
        return sum(r.latest.total_pence for r in self.bodies if r.latest and r.latest.financial_year == self.year)


def _summaries(
    session: Session, place: Place, bodies: list[PublicBody], areas: list[OutcomeArea]
) -> tuple[str | None, list[AreaSummary]]:
    budgets = _budgets(session, [b.id for b in bodies])
    year = max((b.financial_year for b in budgets), default=None)
    years = {year, rules.previous_year(year)} if year else set()
    by_key = {(b.body_id, b.financial_year): b for b in budgets if b.financial_year in years}
    amounts: dict[tuple[int, str, str], tuple[int, int]] = {}
    budget_of = {b.id: b for b in by_key.values()}
    for line in _lines(session, list(budget_of)):
        budget = budget_of[line.budget_id]
        amounts[(budget.body_id, budget.financial_year, line.service_line)] = (line.amount_pence, line.devolved_pence)
    shares = (
        list(
            session.exec(
                select(LineShare).where(LineShare.area_id.in_([a.id for a in areas])).order_by(LineShare.service_line)
            ).all()
        )
        if areas
        else []
    )
    summaries = []
    for area in areas:
        rows = []
        for body in bodies:
            row = AreaBody(body=body, before=0 if (body.id, rules.previous_year(year or "2000-01")) in by_key else None)
            for share in (s for s in shares if s.area_id == area.id and s.body_id == body.id):
                amount, devolved = amounts.get((body.id, year, share.service_line), (0, 0))
                part = rules.apportion(amount, share.basis_points)
                row.amount += part
                row.devolved += rules.apportion(devolved, share.basis_points)
                row.lines.append((share.service_line, share.basis_points, part))
                if row.before is not None:
                    earlier = amounts.get((body.id, rules.previous_year(year), share.service_line), (0, 0))[0]
                    row.before += rules.apportion(earlier, share.basis_points)
            if row.lines:
                rows.append(row)
        summaries.append(AreaSummary(area, rows, year))
    return year, summaries


def place_detail(session: Session, council: str, place_id: int) -> PlaceView:
    """A place's bodies with their newest budgets, and what they all spend on each outcome area."""
    place = _place(session, council, place_id)
    bodies = list(
        session.exec(select(PublicBody).where(PublicBody.place_id == place.id).order_by(PublicBody.name)).all()
    )
    areas = list(
        session.exec(select(OutcomeArea).where(OutcomeArea.place_id == place.id).order_by(OutcomeArea.name)).all()
    )
    budgets = _budgets(session, [b.id for b in bodies])
    latest = {}
    for budget in budgets:
        latest.setdefault(budget.body_id, budget)
    year, summaries = _summaries(session, place, bodies, areas)
    return PlaceView(
        get_council(session, council), place, [BodyRow(b, latest.get(b.id)) for b in bodies], summaries, year
    )


def area_detail(session: Session, council: str, place_id: int, area_id: int) -> tuple[PlaceView, AreaSummary]:
    """One outcome area: what each body spends there, the change on last year and the share neighbourhoods decide."""
    view = place_detail(session, council, place_id)
    area = _area(session, view.place, area_id)
    return view, next(s for s in view.areas if s.area.id == area.id)


@dataclass
class BodyView:
    council: Council
    place: Place
    body: PublicBody
    budgets: list[tuple[BodyBudget, list[BodyBudgetLine]]]
    areas: list[OutcomeArea]


def body_detail(session: Session, council: str, place_id: int, body_id: int) -> BodyView:
    """A body's budgets, newest year first, line by line with their sources."""
    place = _place(session, council, place_id)
    body = _body(session, place, body_id)
    budgets = _budgets(session, [body.id])
    lines = _lines(session, [b.id for b in budgets])
    areas = list(
        session.exec(select(OutcomeArea).where(OutcomeArea.place_id == place.id).order_by(OutcomeArea.name)).all()
    )
    return BodyView(
        get_council(session, council),
        place,
        body,
        [(b, [line for line in lines if line.budget_id == b.id]) for b in budgets],
        areas,
    )


@dataclass
class SharesView:
    place: Place
    area: OutcomeArea
    body: PublicBody
    service_lines: list[str]
    current: dict[str, int]
    elsewhere: dict[str, int]


def shares_for(session: Session, council: str, place_id: int, area_id: int, body_id: int) -> SharesView:
    """The body's service lines (of every year) with the share of each mapped to this area and to the others."""
    place = _place(session, council, place_id)
    area, body = _area(session, place, area_id), _body(session, place, body_id)
    names: list[str] = []
    for line in _lines(session, [b.id for b in _budgets(session, [body.id])]):
        if line.service_line not in names:
            names.append(line.service_line)
    current: dict[str, int] = {}
    elsewhere: dict[str, int] = {}
    for share in session.exec(select(LineShare).where(LineShare.body_id == body.id)).all():
        target = current if share.area_id == area.id else elsewhere
        target[share.service_line] = target.get(share.service_line, 0) + share.basis_points
    return SharesView(place, area, body, names, current, elsewhere)


def set_shares(
    session: Session,
    council: str,
    place_id: int,
    area_id: int,
    body_id: int,
    *,
    shares: dict[str, int],
    actor_id: int | None,
) -> int:
    """Map the body's lines to the area by share (0 removes a line); refuse any line over 100% across areas."""
    view = shares_for(session, council, place_id, area_id, body_id)
    unknown = [name for name in shares if name not in view.service_lines]
    if unknown:
        raise Invalid(_("“%(line)s” is not a service line of this body.", line=unknown[0]))
    totals = {name: [points, view.elsewhere.get(name, 0)] for name, points in shares.items()}
    over = rules.over_allocated(totals)
    if over:
        raise Invalid(
            _(
                "“%(line)s” would be mapped to more than 100%% across all outcome areas: "
                "%(elsewhere)s%% is already mapped to other areas, so at most %(left)s%% is left.",
                line=over[0],
                elsewhere=rules.format_percent(view.elsewhere.get(over[0], 0)),
                left=rules.format_percent(rules.WHOLE - view.elsewhere.get(over[0], 0)),
            )
        )
    session.execute(delete(LineShare).where(LineShare.area_id == view.area.id, LineShare.body_id == view.body.id))
    kept = {name: points for name, points in shares.items() if points > 0}
    session.add_all(
        [
            LineShare(area_id=view.area.id, body_id=view.body.id, service_line=name, basis_points=points)
            for name, points in kept.items()
        ]
    )
    audit.record(
        session,
        "places.shares_set",
        "place_outcome_area",
        view.area.id,
        council_id=view.place.council_id,
        actor_id=actor_id,
        body_id=view.body.id,
        shares={name: points for name, points in sorted(kept.items())},
    )
    session.commit()
    return len(kept)


def _spending_rows(view: PlaceView) -> list[dict]:
    return [
        {
            "outcome_area": s.area.name,
            "body": row.body.name,
            "body_kind": row.body.kind,
            "financial_year": s.year,
            "amount_pence": row.amount,
            "devolved_pence": row.devolved,
            "previous_year_pence": row.before,
            "change_pence": row.change,
        }
        for s in view.areas
        for row in s.bodies
    ]


def _line_rows(session: Session, view: PlaceView) -> list[dict]:
    bodies = {row.body.id: row.body for row in view.bodies}
    budgets = {b.id: b for b in _budgets(session, list(bodies))}
    return [
        {
            "body": bodies[budgets[line.budget_id].body_id].name,
            "financial_year": budgets[line.budget_id].financial_year,
            "basis": budgets[line.budget_id].basis,
            "service_line": line.service_line,
            "amount_pence": line.amount_pence,
            "devolved_pence": line.devolved_pence,
            "source_title": budgets[line.budget_id].source_title,
            "source_url": budgets[line.budget_id].source_url,
            "source_date": budgets[line.budget_id].source_date,
        }
        for line in _lines(session, list(budgets))
    ]


def _share_rows(view: PlaceView) -> list[dict]:
    return [
        {"outcome_area": s.area.name, "body": row.body.name, "service_line": name, "basis_points": points}
        for s in view.areas
        for row in s.bodies
        for name, points, _part in row.lines
    ]


def export(session: Session, council: str, place_id: int, dataset: str, fmt: str) -> Export:
    """One open dataset of the place (spending by outcome area, body lines, shares) as CSV or JSON."""
    from pbapp.places import opendata

    if dataset not in opendata.DATASETS or fmt not in opendata.FORMATS:
        raise NotFound(_("There is no such dataset."))
    view = place_detail(session, council, place_id)
    rows = {
        "spending": lambda: _spending_rows(view),
        "body_lines": lambda: _line_rows(session, view),
        "shares": lambda: _share_rows(view),
    }[dataset]()
    name = f"{view.council.slug}-place-{view.place.id}-{dataset}"
    meta = {"place": view.place.name, "financial_year": view.year}
    columns = opendata.DATASETS[dataset]
    return export_dataset(fmt, name, columns, rows, schema_version=opendata.SCHEMA_VERSION, dataset=dataset, meta=meta)
