"""Read the public record through each domain's services and shape it as the API's schemas.

Nothing here queries a table the domains do not already publish: every function starts from the
service behind the matching public page, so the API shows exactly what those pages show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from math import ceil
from typing import Any, Callable, Sequence

from flask import url_for
from sqlmodel import Session

from pbapp.api import schemas as s
from pbapp.core import ledger as rules
from pbapp.councils import services as councils
from pbapp.councils.models import Council
from pbapp.deliberation import services as deliberation
from pbapp.juries import services as juries
from pbapp.juries.models import CONFIRMED, INVITED, RESERVE
from pbapp.ledger import services as ledger
from pbapp.pb import services as pb


class BadRequest(Exception):
    """A query parameter the API cannot use; the view answers 400 with this message."""

    def __init__(self, message: str, parameter: str):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def page_numbers(args, *, messages: dict[str, str]) -> tuple[int, int]:
    """Read page and per_page from the query string; refuse anything but whole numbers in range."""
    values = {}
    for name, default, upper in (("page", 1, None), ("per_page", s.DEFAULT_PER_PAGE, s.MAX_PER_PAGE)):
        raw = args.get(name, str(default)).strip()
        if not raw.isdigit() or int(raw) < 1 or (upper is not None and int(raw) > upper):
            raise BadRequest(messages[name], name)
        values[name] = int(raw)
    return values["page"], values["per_page"]


def paginate(items: Sequence | LogEntries, page: int, per_page: int, *, message: str) -> Page:
    """One page of a list; a page past the end is a bad request (except page 1 of an empty list)."""
    total = len(items)
    result = Page(list(items[(page - 1) * per_page : page * per_page]), total, page, per_page)
    if page > result.pages:
        raise BadRequest(message, "page")
    return result


def page_links(page: Page, url_of: Callable[[int], str]) -> s.PageLinks:
    return s.PageLinks(
        self=url_of(page.page),
        first=url_of(1),
        last=url_of(page.pages),
        prev=url_of(page.page - 1) if page.page > 1 else None,
        next=url_of(page.page + 1) if page.page < page.pages else None,
    )


def page_meta(page: Page) -> s.PageMeta:
    return s.PageMeta(total=page.total, page=page.page, per_page=page.per_page, pages=page.pages)


def _api(endpoint: str, **values: Any) -> str:
    return url_for("api." + endpoint, _external=True, **values)


def _web(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def council_of(session: Session, slug: str) -> Council:
    return councils.get_council(session, slug)


def council_schema(council: Council) -> s.Council:
    return s.Council(
        slug=council.slug,
        name=council.name,
        name_cy=council.name_cy,
        gss_code=council.gss_code,
        url=_api("council", council=council.slug),
        web_url=_web("councils.home", council=council.slug),
    )


def list_councils(session: Session) -> list[s.Council]:
    return [council_schema(c) for c in councils.list_councils(session)]


def areas(session: Session, council: Council) -> list[s.Area]:
    wards, neighbourhoods = councils.areas_of(session, council)
    return [
        s.Area(id=a.id, kind=a.kind, name=a.name, code=a.code, neighbourhood_id=a.neighbourhood_id, adults=a.adults)
        for a in [*neighbourhoods, *wards]
    ]


def _process(council: Council, process) -> s.Process:
    return s.Process(
        id=process.id,
        title=process.title,
        description=process.description,
        title_cy=process.title_cy,
        description_cy=process.description_cy,
        area_id=process.area_id,
        pot_pence=process.pot_pence,
        phase=process.phase,
        proposals_from=process.proposals_from,
        review_from=process.review_from,
        voting_from=process.voting_from,
        results_from=process.results_from,
        delivery_from=process.delivery_from,
        url=_api("process", council=council.slug, process_id=process.id),
        web_url=_web("pb.process", council=council.slug, process_id=process.id),
    )


def processes(session: Session, council: Council) -> list[s.Process]:
    return [_process(council, p) for p in pb.list_processes(session, council)]


def process(session: Session, council: Council, process_id: int) -> s.Process:
    return _process(council, pb.get_process(session, council, process_id))


def proposals(session: Session, council: Council, process_id: int) -> list[s.Proposal]:
    found = pb.public_proposals(session, pb.get_process(session, council, process_id))
    return [
        s.Proposal(
            id=p.id,
            process_id=p.process_id,
            area_id=p.area_id,
            title=p.title,
            description=p.description,
            title_cy=p.title_cy,
            description_cy=p.description_cy,
            status=p.status,
            estimated_cost_pence=p.estimated_cost_pence,
            cost_pence=p.cost_pence,
            review=(
                s.Review(
                    feasible=bool(p.review_feasible),
                    reviewed_cost_pence=p.reviewed_cost_pence,
                    reason=p.review_reason,
                    published_at=p.review_published_at,
                )
                if p.review_published_at is not None
                else None
            ),
            web_url=_web("pb.proposal", council=council.slug, proposal_id=p.id),
        )
        for p in found
    ]


def _ballot(session: Session, council: Council, ballot) -> s.Ballot:
    published = ballot.results_published_at is not None
    values = dict(council=council.slug, ballot_id=ballot.id)
    return s.Ballot(
        id=ballot.id,
        process_id=ballot.process_id,
        title=ballot.title,
        title_cy=ballot.title_cy,
        kind=ballot.kind,
        state=pb.ballot_state(ballot),
        budget_pence=ballot.budget_pence,
        min_choices=ballot.min_choices,
        max_choices=ballot.max_choices,
        total_points=ballot.total_points,
        max_per_project=ballot.max_per_project,
        min_spend_percent=ballot.min_spend_percent,
        rule=ballot.rule,
        utility=ballot.utility,
        partial_funding=ballot.partial_funding,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
        results_published_at=ballot.results_published_at,
        options=[
            s.BallotOption(
                ref=o.ref,
                title=o.title,
                description=o.description,
                title_cy=o.title_cy,
                description_cy=o.description_cy,
                cost_pence=o.cost_pence,
                min_pence=o.min_pence,
                max_pence=o.max_pence,
                proposal_id=o.proposal_id,
            )
            for o in pb.options_of(session, ballot)
        ],
        url=_api("ballot", **values),
        web_url=_web("pb.ballot", **values),
        results_url=_api("results", **values) if published else None,
        log_url=_api("log", **values) if published else None,
    )


def ballots(session: Session, council: Council, process_id: int) -> list[s.Ballot]:
    return [_ballot(session, council, b) for b in pb.ballots_of(session, pb.get_process(session, council, process_id))]


def ballot(session: Session, council: Council, ballot_id: int) -> s.Ballot:
    return _ballot(session, council, pb.get_ballot(session, council, ballot_id))


def results(session: Session, council: Council, ballot_id: int) -> s.BallotResult:
    view = pb.results_view(session, council, ballot_id)
    return s.BallotResult(
        ballot_id=view.ballot.id,
        rule=view.result.rule,
        voters=view.result.voters,
        channels=view.turnout["channels"],
        adults=view.turnout["adults"],
        computed_selected=view.computed.get("selected", []),
        official_selected=view.official,
        official_reason=view.result.official_reason,
        log_head=view.result.log_head,
        log_entries=view.log_entries,
        results_published_at=view.ballot.results_published_at,
        rows=[
            s.ResultRow(
                ref=r["option"].ref,
                title=r["option"].title,
                title_cy=r["option"].title_cy,
                cost_pence=r["option"].cost_pence,
                support=r["support"],
                approvals=r["approvals"],
                funded_by_count=r["funded"],
                order=r["order"],
                official=r["official"],
                allocation_pence=r["amount"],
                explanation=r["reason"],
            )
            for r in view.rows
        ],
        web_url=_web("pb.results", council=council.slug, ballot_id=ballot_id),
    )


class LogEntries:
    """A published ballot log as a sequence that reads only the slice a page asks for."""

    def __init__(self, session: Session, council: Council, ballot_id: int):
        self._read = lambda offset, limit: pb.published_log_entries(
            session, council, ballot_id, offset=offset, limit=limit
        )
        self._total, _ = self._read(0, 0)

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, window: slice) -> list[s.LogEntry]:
        _, rows = self._read(window.start, window.stop - window.start)
        return [
            s.LogEntry(
                seq=e.seq,
                voter=e.voter_token,
                channel=e.channel,
                choices=json.loads(e.choices),
                previous_hash=e.previous_hash,
                hash=e.hash,
                receipt=e.receipt or e.hash,
            )
            for e in rows
        ]


def _jury(council: Council, jury, counts: dict[str, int], run) -> s.Jury:
    return s.Jury(
        id=jury.id,
        remit=jury.remit,
        remit_cy=jury.remit_cy,
        panel_size=jury.panel_size,
        starts_on=jury.starts_on,
        ends_on=jury.ends_on,
        seats=s.Seats(
            confirmed=counts.get(CONFIRMED, 0), invited=counts.get(INVITED, 0), reserve=counts.get(RESERVE, 0)
        ),
        selection_algorithm=run.algorithm if run else None,
        url=_api("jury", council=council.slug, jury_id=jury.id),
        web_url=_web("juries.about", council=council.slug, jury_id=jury.id),
    )


def list_juries(session: Session, council: Council) -> list[s.Jury]:
    return [jury(session, council, j.id) for j in juries.public_juries(session, council)]


def jury(session: Session, council: Council, jury_id: int) -> s.Jury:
    found, run, counts = juries.public_jury(session, council, jury_id)
    return _jury(council, found, counts, run)


def _response(response) -> s.CouncilResponse | None:
    if response is None:
        return None
    return s.CouncilResponse(
        outcome=response.outcome,
        reasons=response.reasons,
        reasons_cy=response.reasons_cy,
        decided_by=response.decided_by,
        decided_on=response.decided_on,
    )


def recommendations(session: Session, council: Council, jury_id: int) -> list[s.Recommendation]:
    view = deliberation.public_page(session, council, jury_id)
    found = []
    for row in view.decided:
        item = ledger.item_detail(session, council.slug, row.rec.record_item_id) if row.rec.record_item_id else None
        found.append(
            s.Recommendation(
                number=row.rec.number,
                status=row.rec.status,
                title=row.latest.title,
                text=row.latest.text,
                title_cy=row.latest.title_cy,
                text_cy=row.latest.text_cy,
                threshold_percent=row.rec.threshold_percent,
                support=row.rec.support_count,
                oppose=row.rec.oppose_count,
                abstain=row.rec.abstain_count,
                decided_at=row.rec.decided_at,
                lines=[s.RecommendationLine(budget_line=name, change_pence=pence) for name, pence in row.lines],
                register_item_id=row.rec.record_item_id,
                response=_response(item.response) if item else None,
            )
        )
    return found


def _totals(totals: rules.Totals) -> s.Totals:
    return s.Totals(gross_pence=totals.gross, income_pence=totals.income, net_pence=totals.net)


def _book(council: Council, book, totals: rules.Totals) -> s.BudgetBook:
    values = dict(council=council.slug, book_id=book.id)
    return s.BudgetBook(
        id=book.id,
        financial_year=book.financial_year,
        version=book.version,
        stage=book.stage,
        title=book.title,
        title_cy=book.title_cy,
        based_on_id=book.based_on_id,
        created_at=book.created_at,
        totals=_totals(totals),
        url=_api("budget_book", **values),
        lines_url=_api("budget_lines", **values),
        web_url=_web("ledger.book", **values),
    )


def budget_books(session: Session, council: Council) -> list[s.BudgetBook]:
    return [
        _book(council, book, rules.totals(ledger.figures(line) for line in ledger.lines_of(session, book.id)))
        for book in ledger.books_of(session, council.id)
    ]


def budget_book(session: Session, council: Council, book_id: int) -> s.BudgetBook:
    view = ledger.book_detail(session, council.slug, book_id)
    return _book(council, view.book, view.totals)


def budget_lines(session: Session, council: Council, book_id: int) -> list[s.BudgetLine]:
    view = ledger.book_detail(session, council.slug, book_id)
    return [
        s.BudgetLine(
            id=line.id,
            book_id=line.book_id,
            position=line.position,
            ra_line=line.ra_line,
            ra_code=line.ra_code,
            division=line.division,
            directorate=line.directorate,
            name=line.name,
            name_cy=line.name_cy,
            gross_pence=line.gross_pence,
            income_pence=line.income_pence,
            net_pence=line.net_pence,
        )
        for line in view.lines
    ]


def _item(council: Council, view) -> s.RegisterItem:
    item = view.item
    values = dict(council=council.slug, item_id=item.id)
    return s.RegisterItem(
        id=item.id,
        source=item.source,
        source_ref=item.source_ref,
        title=item.title,
        summary=item.summary,
        title_cy=item.title_cy,
        summary_cy=item.summary_cy,
        public_url=view.source_link,
        amount_pence=item.amount_pence,
        budget_line_id=item.budget_line_id,
        lines=[s.ItemLine(budget_line_id=line.id if line else None, change_pence=pence) for line, pence in view.lines],
        received_at=item.received_at,
        response_due=item.response_due,
        status=view.status,
        progress_percent=view.progress,
        response=_response(view.response),
        milestones=[
            s.Milestone(
                id=m.id,
                title=m.title,
                title_cy=m.title_cy,
                status=m.status,
                due_on=m.due_on,
                completed_on=m.completed_on,
                evidence_url=m.evidence_url,
                evidence_note=m.evidence_note,
            )
            for m in view.milestones
        ],
        url=_api("register_item", **values),
        web_url=_web("ledger.item", **values),
    )


def register_items(session: Session, council: Council) -> list[s.RegisterItem]:
    return [_item(council, view) for view in ledger.register(session, council.slug).items]


def register_item(session: Session, council: Council, item_id: int) -> s.RegisterItem:
    return _item(council, ledger.item_detail(session, council.slug, item_id))
