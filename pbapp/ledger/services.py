"""Use cases of the budget-setting record: books, changes, the response register and delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pbapp import audit
from pbapp.core import ledger as rules
from pbapp.core import money
from pbapp.core.opendata import Export
from pbapp.core.opendata import export as export_dataset
from pbapp.core.table_reader import TableError, read_table
from pbapp.councils.models import Council
from pbapp.councils.services import OpenItem, get_council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.ledger import opendata
from pbapp.ledger.labels import ra_line_label
from pbapp.ledger.models import (
    ACCEPTED,
    CHANGE_SOURCES,
    DECIDERS,
    DEFERRED,
    DELAYED,
    DONE,
    DRAFT,
    FINAL,
    ITEM_SOURCES,
    JURY_RECOMMENDATION,
    MILESTONE_STATUSES,
    OFFICER_SOURCE,
    OUTCOMES,
    PARTLY_ACCEPTED,
    PB_RESULT,
    PROPOSED,
    REJECTED,
    STAGES,
    BudgetBook,
    BudgetLine,
    LineChange,
    Milestone,
    RecordItem,
    RecordItemLine,
    Response,
)
from pbapp.messages import table_refusal
from pbapp.timeutil import in_uk, utcnow


def current_book(session: Session, council_id: int) -> BudgetBook | None:
    """The council's current book: the newest final version, else the newest version of any stage."""
    newest = (BudgetBook.financial_year.desc(), BudgetBook.version.desc())
    query = select(BudgetBook).where(BudgetBook.council_id == council_id)
    return (
        session.exec(query.where(BudgetBook.stage == FINAL).order_by(*newest)).first()
        or session.exec(query.order_by(*newest)).first()
    )


def lines_of(session: Session, book_id: int) -> list[BudgetLine]:
    """Lines of one book in display order."""
    return list(
        session.exec(
            select(BudgetLine).where(BudgetLine.book_id == book_id).order_by(BudgetLine.position, BudgetLine.id)
        ).all()
    )


def budget_lines(session: Session, council_id: int) -> list[BudgetLine]:
    """Lines of the council's current budget book (the newest final version, else the newest version), ordered for display."""
    book = current_book(session, council_id)
    return lines_of(session, book.id) if book is not None else []


def receive_item(
    session: Session,
    *,
    council_id: int,
    source: str,
    source_ref: str,
    title: str,
    summary: str,
    public_url: str,
    amount_pence: int | None = None,
    budget_line_id: int | None = None,
    decided_at: datetime | None = None,
    lines: list[tuple[int, int]] | None = None,
    received_at: datetime | None = None,
    title_cy: str = "",
    summary_cy: str = "",
) -> RecordItem:
    """Record something the council must respond to: source is "jury_recommendation" or "pb_result".

    `lines` are (budget line id, change in pence) for an item that changes several lines.
    `received_at` is now unless the item is being recorded after the fact (the demo's history).
    `title_cy`/`summary_cy` are the Welsh versions, when the source has them.
    Idempotent on (source, source_ref) (a DB unique constraint); writes an audit event; does NOT
    commit (the calling service commits once).
    """
    if source not in ITEM_SOURCES:
        raise Invalid(_("The source must be a jury recommendation or a PB result."), field="source")
    existing = item_by_source(session, source, source_ref)
    if existing is not None:
        return existing
    for line_id in ([budget_line_id] if budget_line_id is not None else []) + [i for i, _pence in lines or []]:
        line = session.get(BudgetLine, line_id)
        if line is None or line.council_id != council_id:
            raise Invalid(_("That budget line is not in this council's budget."), field="budget_line_id")
    received = received_at or utcnow()
    item = RecordItem(
        council_id=council_id,
        source=source,
        source_ref=source_ref,
        title=title,
        summary=summary,
        title_cy=title_cy,
        summary_cy=summary_cy,
        public_url=public_url,
        amount_pence=amount_pence,
        budget_line_id=budget_line_id,
        decided_at=decided_at,
        received_at=received,
        response_due=rules.response_deadline((decided_at or received).date()),
    )
    try:
        # A savepoint, so losing a race to another writer leaves the caller's transaction usable.
        with session.begin_nested():
            session.add(item)
            session.flush()
            session.add_all(
                [
                    RecordItemLine(item_id=item.id, budget_line_id=line_id, change_pence=pence)
                    for line_id, pence in lines or []
                ]
            )
            session.flush()
    except IntegrityError:
        existing = item_by_source(session, source, source_ref)
        if existing is None:  # pragma: no cover - the constraint that failed was not ours
            raise
        return existing
    audit.record(
        session,
        "record.item_received",
        "record_item",
        item.id,
        council_id=council_id,
        source=source,
        source_ref=source_ref,
        amount_pence=amount_pence,
        budget_line_id=budget_line_id,
        lines=[[i, pence] for i, pence in lines or []],
        response_due=item.response_due.isoformat(),
    )
    return item


def attach_source(session: Session, item: RecordItem, *, source_ref: str, public_url: str) -> RecordItem:
    """Point an item recorded ahead of its source (the demo's history) at that source (the caller commits)."""
    item.source_ref, item.public_url = source_ref, public_url
    session.add(item)
    audit.record(
        session,
        "record.item_source_attached",
        "record_item",
        item.id,
        council_id=item.council_id,
        source_ref=source_ref,
    )
    return item


def item_by_source(session: Session, source: str, source_ref: str) -> RecordItem | None:
    """The item recorded from this source, if any."""
    return session.exec(
        select(RecordItem).where(RecordItem.source == source, RecordItem.source_ref == source_ref)
    ).first()


# The rest of the record's use cases; `council` arguments are council slugs from the URL.


def _council(session: Session, slug: str) -> Council:
    return get_council(session, slug)


def _today() -> date:
    return in_uk(utcnow()).date()  # the council's day, not UTC's (they differ after 11pm in summer)


def figures(line: BudgetLine) -> rules.Figures:
    """The pure view of a line that core rules work on."""
    return rules.Figures(
        ra_line=line.ra_line,
        division=line.division,
        gross=line.gross_pence,
        income=line.income_pence,
        net=line.net_pence,
        directorate=line.directorate,
        ra_code=line.ra_code,
        name=line.name,
    )


def _in_council(found, council: Council, message: Callable[[], str]):
    # An id from another council's record is treated as not there at all.
    if found is None or found.council_id != council.id:
        raise NotFound(message())
    return found


def _book(session: Session, council: Council, book_id: int) -> BudgetBook:
    return _in_council(session.get(BudgetBook, book_id), council, lambda: _("There is no budget book at this address."))


def _item(session: Session, council: Council, item_id: int) -> RecordItem:
    return _in_council(
        session.get(RecordItem, item_id), council, lambda: _("There is no recommendation or result at this address.")
    )


@dataclass
class ServiceLine:
    """One Revenue Account service line of a book with its divisions and totals."""

    ra_line: str
    lines: list[BudgetLine]
    totals: rules.Totals


@dataclass
class BookView:
    council: Council
    book: BudgetBook | None
    lines: list[BudgetLine] = field(default_factory=list)
    totals: rules.Totals = field(default_factory=rules.Totals)
    service_lines: list[ServiceLine] = field(default_factory=list)
    changes: list[ChangeRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    changes_reconcile: bool = True
    base_totals: rules.Totals | None = None
    books: list[BudgetBook] = field(default_factory=list)
    items: list[RecordItem] = field(default_factory=list)

    @property
    def directorates(self) -> list[tuple[str, rules.Totals]]:
        """Totals per council directorate, largest net first: the council's own view of the same book."""
        grouped: dict[str, list[rules.Figures]] = {}
        for line in self.lines:
            grouped.setdefault(line.directorate, []).append(figures(line))
        return sorted(
            ((name, rules.totals(members)) for name, members in grouped.items()),
            key=lambda pair: (-pair[1].net, pair[0]),
        )

    @property
    def chart(self) -> dict:
        """Geometry of the net-spending bar chart by service line, in SVG units."""
        label_width, bar_width, row_height = 330, 400, 28
        axis, laid = rules.bars([s.totals.net for s in self.service_lines], bar_width)
        rows = [
            {
                "label": ra_line_label(s.ra_line),
                "value": s.totals.net,
                "short": money.format_compact(s.totals.net),
                "bar": bar,
                "y": index * row_height + 4,
            }
            for index, (s, bar) in enumerate(zip(self.service_lines, laid))
        ]
        return {
            "label_width": label_width,
            "bar_width": bar_width,
            "axis": axis,
            "rows": rows,
            "width": label_width + bar_width + 100,
            "height": len(rows) * row_height + 8,
        }


def _service_lines(lines: list[BudgetLine]) -> list[ServiceLine]:
    grouped: dict[str, list[BudgetLine]] = {}
    for line in lines:
        grouped.setdefault(line.ra_line, []).append(line)
    return [ServiceLine(ra, members, rules.totals(figures(m) for m in members)) for ra, members in grouped.items()]


def books_of(session: Session, council_id: int) -> list[BudgetBook]:
    return list(
        session.exec(
            select(BudgetBook)
            .where(BudgetBook.council_id == council_id)
            .order_by(BudgetBook.financial_year.desc(), BudgetBook.version.desc())
        ).all()
    )


@dataclass(frozen=True)
class ChangeRow:
    """A recorded change with the line and version it changed."""

    change: LineChange
    line: BudgetLine
    book: BudgetBook

    @property
    def net_change(self) -> int:
        return self.change.to_net_pence - self.change.from_net_pence


def _changes(session: Session, *conditions) -> list[ChangeRow]:
    query = (
        select(LineChange, BudgetLine, BudgetBook)
        .join(BudgetLine, BudgetLine.id == LineChange.line_id)
        .join(BudgetBook, BudgetBook.id == LineChange.book_id)
        .where(*conditions)
        .order_by(LineChange.created_at, LineChange.id)
    )
    return [ChangeRow(change, line, book) for change, line, book in session.exec(query).all()]


def _book_view(session: Session, council: Council, book: BudgetBook | None) -> BookView:
    view = BookView(council=council, book=book, books=books_of(session, council.id))
    if book is None:
        return view
    view.lines = lines_of(session, book.id)
    pure = [figures(line) for line in view.lines]
    view.totals = rules.totals(pure)
    view.service_lines = _service_lines(view.lines)
    view.problems = rules.book_problems(pure)
    view.changes = _changes(session, LineChange.book_id == book.id)
    if book.based_on_id is not None:
        view.base_totals = rules.totals(figures(line) for line in lines_of(session, book.based_on_id))
        view.changes_reconcile = rules.changes_reconcile(
            view.base_totals.net, view.totals.net, (row.net_change for row in view.changes)
        )
    return view


def glance(session: Session, council: str) -> BookView:
    """The council's current budget at a glance: totals and net spending by service line."""
    the_council = _council(session, council)
    return _book_view(session, the_council, current_book(session, the_council.id))


def book_detail(session: Session, council: str, book_id: int) -> BookView:
    """One version of the book, line by line, with the changes made in it and its record items."""
    the_council = _council(session, council)
    view = _book_view(session, the_council, _book(session, the_council, book_id))
    view.items = list(
        session.exec(select(RecordItem).where(RecordItem.council_id == the_council.id).order_by(RecordItem.title)).all()
    )
    return view


@dataclass
class DiffView:
    council: Council
    book: BudgetBook
    other: BudgetBook | None
    diffs: list[rules.LineDiff]
    before: rules.Totals
    after: rules.Totals
    reconciles: bool
    choices: list[BudgetBook]


def version_diff(session: Session, council: str, book_id: int, against_id: int | None = None) -> DiffView:
    """Compare a version line by line with another (by default the one it was based on, else the previous)."""
    the_council = _council(session, council)
    book = _book(session, the_council, book_id)
    choices = [b for b in books_of(session, the_council.id) if b.id != book.id]
    if against_id is not None:
        other = _book(session, the_council, against_id)
    elif book.based_on_id is not None:
        other = _book(session, the_council, book.based_on_id)
    else:
        other = next((b for b in choices if b.financial_year == book.financial_year and b.version < book.version), None)
    before = [figures(line) for line in lines_of(session, other.id)] if other else []
    after = [figures(line) for line in lines_of(session, book.id)]
    diffs = rules.diff_versions(before, after)
    return DiffView(
        the_council,
        book,
        other,
        diffs,
        rules.totals(before),
        rules.totals(after),
        rules.diff_reconciles(before, after, diffs),
        choices,
    )


class ImportRejected(Invalid):
    """The uploaded budget has problems; nothing was saved. `errors` lists them by line number."""

    def __init__(self, message: str, errors: list[rules.RowError]):
        super().__init__(message, field="csv_file")
        self.errors = errors


def refuse_unless_clean(parsed) -> None:
    """An uploaded budget is saved whole or not at all: any problem on any line refuses the file."""
    if not parsed.clean:
        raise ImportRejected(_("The file has problems, so nothing was saved."), parsed.errors)


def csv_text(content: str | bytes, *, limit: int, source: str = "budget.csv") -> str:
    """Return an uploaded budget file as comma-separated text, at most `limit` characters.

    Bytes go through pbapp.core.table_reader: CSV with a comma, semicolon or tab, UTF-8 with or
    without a byte-order mark, or an .xlsx workbook. A file in another encoding (a spreadsheet's
    "CSV" is often Windows-1252) is refused with the line of the first character that is not UTF-8,
    rather than read with its £ signs and accents silently replaced.
    """
    if isinstance(content, bytes):
        if len(content) > limit:
            raise ImportRejected(_("Choose a CSV file of up to 2 MB."), [])
        try:
            content = read_table(content, source).text
        except TableError as exc:
            raise ImportRejected(table_refusal(exc), []) from None
    if len(content) > limit or not content.strip():
        raise ImportRejected(_("Choose a CSV file of up to 2 MB."), [])
    return content


def preview_import(session: Session, council: str, *, csv_text: str, thousands: bool) -> rules.ParsedBook:
    """Read an uploaded budget without saving anything, for the officer to check first."""
    _council(session, council)
    return rules.parse_budget_csv(csv_text, thousands=thousands)


def _next_version(session: Session, council_id: int, financial_year: str) -> int:
    latest = session.exec(
        select(BudgetBook.version)
        .where(BudgetBook.council_id == council_id, BudgetBook.financial_year == financial_year)
        .order_by(BudgetBook.version.desc())
    ).first()
    return (latest or 0) + 1


def import_book(
    session: Session,
    council: str,
    *,
    csv_text: str,
    thousands: bool,
    financial_year: str,
    stage: str,
    title: str,
    actor_id: int | None,
    title_cy: str = "",
) -> BudgetBook:
    """Save an uploaded budget as the next version for its year, only if every line is clean."""
    the_council = _council(session, council)
    parsed = rules.parse_budget_csv(csv_text, thousands=thousands)
    refuse_unless_clean(parsed)
    book = add_book(
        session, the_council, parsed.lines, financial_year=financial_year, stage=stage, title=title, actor_id=actor_id
    )
    book.title_cy = (title_cy or "").strip()
    session.commit()
    return book


def add_book(
    session: Session,
    council: Council,
    lines: list[rules.Figures],
    *,
    financial_year: str,
    stage: str,
    title: str,
    actor_id: int | None,
) -> BudgetBook:
    """Add reconciled lines as the next version of a year's book (the caller commits)."""
    if stage not in STAGES:
        raise Invalid(_("Choose draft, proposed or final."), field="stage")
    problems = rules.book_problems(lines)
    if problems:
        raise Invalid(problems[0])
    book = BudgetBook(
        council_id=council.id,
        financial_year=financial_year,
        version=_next_version(session, council.id, financial_year),
        stage=stage,
        title=title or financial_year,
        created_by_id=actor_id,
    )
    session.add(book)
    session.flush()
    _add_lines(session, book, lines)
    totals = rules.totals(lines)
    audit.record(
        session,
        "ledger.book_imported",
        "budget_book",
        book.id,
        council_id=council.id,
        actor_id=actor_id,
        financial_year=financial_year,
        version=book.version,
        stage=stage,
        lines=len(lines),
        gross_pence=totals.gross,
        income_pence=totals.income,
        net_pence=totals.net,
    )
    return book


def _add_lines(session: Session, book: BudgetBook, lines: list[rules.Figures]) -> None:
    # One executemany insert: a book of thousands of lines saves in well under a second.
    if lines:
        session.execute(
            insert(BudgetLine),
            [
                {
                    "book_id": book.id,
                    "council_id": book.council_id,
                    "position": position,
                    "ra_line": line.ra_line,
                    "ra_code": line.ra_code,
                    "division": line.division,
                    "directorate": line.directorate,
                    "name": line.name or line.division,
                    "name_cy": line.name_cy,
                    "gross_pence": line.gross,
                    "income_pence": line.income,
                    "net_pence": line.net,
                }
                for position, line in enumerate(lines)
            ],
        )


def new_version(session: Session, council: str, book_id: int, *, stage: str, actor_id: int | None) -> BudgetBook:
    """Start the next version of a year's book from this one; later changes are recorded against it."""
    the_council = _council(session, council)
    book = add_version(session, _book(session, the_council, book_id), stage=stage, actor_id=actor_id)
    session.commit()
    return book


def add_version(session: Session, base: BudgetBook, *, stage: str, actor_id: int | None) -> BudgetBook:
    """Copy a version's lines into the next version of its year (the caller commits)."""
    if stage not in STAGES:
        raise Invalid(_("Choose draft, proposed or final."), field="stage")
    book = BudgetBook(
        council_id=base.council_id,
        financial_year=base.financial_year,
        version=_next_version(session, base.council_id, base.financial_year),
        stage=stage,
        title=base.title,
        title_cy=base.title_cy,
        based_on_id=base.id,
        created_by_id=actor_id,
    )
    session.add(book)
    session.flush()
    base_lines = lines_of(session, base.id)
    _add_lines(session, book, [figures(line) for line in base_lines])
    welsh = {(line.ra_line, line.division): line.name_cy for line in base_lines if line.name_cy}
    for line in lines_of(session, book.id) if welsh else ():
        line.name_cy = welsh.get((line.ra_line, line.division), "")
        session.add(line)
    audit.record(
        session,
        "ledger.version_created",
        "budget_book",
        book.id,
        council_id=base.council_id,
        actor_id=actor_id,
        based_on=base.id,
        version=book.version,
        stage=stage,
    )
    return book


def set_stage(session: Session, council: str, book_id: int, *, stage: str, actor_id: int | None) -> BudgetBook:
    """Move a version to draft, proposed or final; a final version is locked against changes."""
    book = apply_stage(session, _book(session, _council(session, council), book_id), stage=stage, actor_id=actor_id)
    session.commit()
    return book


def apply_stage(session: Session, book: BudgetBook, *, stage: str, actor_id: int | None) -> BudgetBook:
    """Move a version to another stage unless it is final (the caller commits)."""
    if stage not in STAGES:
        raise Invalid(_("Choose draft, proposed or final."), field="stage")
    if book.stage == FINAL:
        raise Conflict(_("This version is final. Start a new version to change it."))
    previous, book.stage = book.stage, stage
    audit.record(
        session,
        "ledger.stage_changed",
        "budget_book",
        book.id,
        council_id=book.council_id,
        actor_id=actor_id,
        previous=previous,
        stage=stage,
    )
    return book


def line_in_book(session: Session, council: str, book_id: int, line_id: int) -> tuple[BookView, BudgetLine]:
    """A line of a version, for the change form, with the book and the items a change can cite."""
    view = book_detail(session, council, book_id)
    line = next((line for line in view.lines if line.id == line_id), None)
    if line is None:
        raise NotFound(_("There is no budget line at this address."))
    return view, line


def change_line(
    session: Session,
    council: str,
    book_id: int,
    line_id: int,
    *,
    gross_pence: int,
    income_pence: int,
    source: str,
    item_id: int | None,
    reason: str,
    actor_id: int | None,
) -> LineChange:
    """Change a line's gross and income (net follows), recording from → to, the source and the reason."""
    the_council = _council(session, council)
    book = _book(session, the_council, book_id)
    line = session.get(BudgetLine, line_id)
    if line is None or line.book_id != book.id:
        raise NotFound(_("There is no budget line at this address."))
    change = apply_change(
        session,
        the_council,
        book,
        line,
        gross_pence=gross_pence,
        income_pence=income_pence,
        source=source,
        item_id=item_id,
        reason=reason,
        actor_id=actor_id,
    )
    session.commit()
    return change


def apply_change(
    session: Session,
    the_council: Council,
    book: BudgetBook,
    line: BudgetLine,
    *,
    gross_pence: int,
    income_pence: int,
    source: str,
    item_id: int | None,
    reason: str,
    actor_id: int | None,
) -> LineChange:
    """Change a line of an unlocked version and record from → to, source and reason (the caller commits)."""
    if book.stage == FINAL:
        raise Conflict(_("This version is final. Start a new version to change it."))
    if source not in CHANGE_SOURCES:
        raise Invalid(_("Choose where the change came from."), field="source")
    if not reason.strip():
        raise Invalid(_("Enter the reason for the change."), field="reason")
    if source == OFFICER_SOURCE:
        item_id = None
    else:
        if item_id is None:
            raise Invalid(_("Choose the recommendation or result the change comes from."), field="item_id")
        item = _item(session, the_council, item_id)
        if item.source != source:
            raise Invalid(_("That item is not a %(source)s.", source=SOURCE_LABELS[source]()), field="item_id")
    after = rules.Figures(line.ra_line, line.division, gross_pence, income_pence, gross_pence - income_pence)
    problems = rules.line_problems(after)
    if problems:
        raise Invalid(problems[0], field="gross")
    change = LineChange(
        council_id=the_council.id,
        book_id=book.id,
        line_id=line.id,
        source=source,
        item_id=item_id,
        reason=reason.strip(),
        actor_id=actor_id,
        from_gross_pence=line.gross_pence,
        to_gross_pence=after.gross,
        from_income_pence=line.income_pence,
        to_income_pence=after.income,
        from_net_pence=line.net_pence,
        to_net_pence=after.net,
        created_at=utcnow(),
    )
    line.gross_pence, line.income_pence, line.net_pence = after.gross, after.income, after.net
    session.add(change)
    session.flush()
    audit.record(
        session,
        "ledger.line_changed",
        "budget_line",
        line.id,
        council_id=the_council.id,
        actor_id=actor_id,
        change_id=change.id,
        book_id=book.id,
        source=source,
        item_id=item_id,
        from_net_pence=change.from_net_pence,
        to_net_pence=change.to_net_pence,
        from_gross_pence=change.from_gross_pence,
        to_gross_pence=change.to_gross_pence,
        reason=change.reason,
    )
    return change


AWAITING, OVERDUE, RESPONDED = "awaiting", "overdue", "responded"
SOURCE_LABELS = {
    JURY_RECOMMENDATION: lambda: _("jury recommendation"),
    PB_RESULT: lambda: _("PB result"),
    OFFICER_SOURCE: lambda: _("officer"),
}


@dataclass
class ItemView:
    """A record item with the council's response, its delivery milestones and where it stands."""

    item: RecordItem
    response: Response | None
    milestones: list[Milestone]
    line: BudgetLine | None
    status: str
    progress: int
    changes: list[ChangeRow] = field(default_factory=list)
    lines: list[tuple[BudgetLine | None, int]] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.status == OVERDUE

    @property
    def moved_pence(self) -> int:
        """Money taken from some budget lines and given to others (0 when nothing moves between lines)."""
        added = sum(pence for _line, pence in self.lines if pence > 0)
        taken = -sum(pence for _line, pence in self.lines if pence < 0)
        return min(added, taken)

    @property
    def source_link(self) -> str:
        """The item's page in the tool it came from, if it is a web address that is safe to link to."""
        url = self.item.public_url
        safe = url.startswith(("/", "https://", "http://")) and not url.startswith("//")
        return url if safe else ""


def _item_views(session: Session, items: list[RecordItem]) -> list[ItemView]:
    ids = [item.id for item in items]
    if not ids:
        return []
    responses = {r.item_id: r for r in session.exec(select(Response).where(Response.item_id.in_(ids))).all()}
    milestones: dict[int, list[Milestone]] = {}
    for milestone in session.exec(
        select(Milestone).where(Milestone.item_id.in_(ids)).order_by(Milestone.due_on, Milestone.id)
    ).all():
        milestones.setdefault(milestone.item_id, []).append(milestone)
    item_lines: dict[int, list[RecordItemLine]] = {}
    for row in session.exec(
        select(RecordItemLine).where(RecordItemLine.item_id.in_(ids)).order_by(RecordItemLine.id)
    ).all():
        item_lines.setdefault(row.item_id, []).append(row)
    line_ids = {item.budget_line_id for item in items if item.budget_line_id is not None}
    line_ids |= {row.budget_line_id for rows in item_lines.values() for row in rows if row.budget_line_id}
    lines = (
        {line.id: line for line in session.exec(select(BudgetLine).where(BudgetLine.id.in_(line_ids))).all()}
        if line_ids
        else {}
    )
    today = _today()
    views = []
    for item in items:
        response = responses.get(item.id)
        steps = milestones.get(item.id, [])
        if response is not None:
            status = RESPONDED
        else:
            status = OVERDUE if rules.is_overdue(item.response_due, False, today) else AWAITING
        views.append(
            ItemView(
                item,
                response,
                steps,
                lines.get(item.budget_line_id),
                status,
                rules.progress_percent([m.status for m in steps], DONE),
                lines=[(lines.get(row.budget_line_id), row.change_pence) for row in item_lines.get(item.id, [])],
            )
        )
    return views


def items_by_id(session: Session, council_id: int, item_ids: list[int]) -> dict[int, ItemView]:
    """Record items of one council with their responses, by id, for the pages they came from to link back."""
    ids = [i for i in item_ids if i is not None]
    if not ids:
        return {}
    items = session.exec(select(RecordItem).where(RecordItem.council_id == council_id, RecordItem.id.in_(ids))).all()
    return {view.item.id: view for view in _item_views(session, list(items))}


def items_from(session: Session, council_id: int, source: str, source_refs: list[str]) -> list[ItemView]:
    """Record items that one jury or ballot sent to the register (by source and reference), with responses."""
    if not source_refs:
        return []
    items = session.exec(
        select(RecordItem)
        .where(RecordItem.council_id == council_id, RecordItem.source == source, RecordItem.source_ref.in_(source_refs))
        .order_by(RecordItem.id)
    ).all()
    return _item_views(session, list(items))


@dataclass
class RegisterView:
    council: Council
    items: list[ItemView]
    counts: dict[str, int]
    filters: dict[str, str]


def register(session: Session, council: str, *, source: str = "", state: str = "", query: str = "") -> RegisterView:
    """Every recommendation and result with the council's response and progress, filtered."""
    the_council = _council(session, council)
    items = list(
        session.exec(
            select(RecordItem)
            .where(RecordItem.council_id == the_council.id)
            .order_by(RecordItem.received_at.desc(), RecordItem.id.desc())
        ).all()
    )
    # Overdue first, then those awaiting a response, then the answered: what needs attention leads.
    views = sorted(_item_views(session, items), key=lambda v: (OVERDUE, AWAITING, RESPONDED).index(v.status))
    counts = {key: 0 for key in (AWAITING, OVERDUE, *OUTCOMES)}
    for view in views:
        counts[view.response.outcome if view.response else view.status] += 1
    words = query.strip().casefold()
    chosen = [
        v
        for v in views
        if (not source or v.item.source == source)
        and (not state or state in (v.status, v.response.outcome if v.response else ""))
        and (not words or words in (v.item.title + " " + v.item.summary).casefold())
    ]
    return RegisterView(the_council, chosen, counts, {"source": source, "state": state, "q": query})


def item_detail(session: Session, council: str, item_id: int) -> ItemView:
    """One item: the decision, its reasons, who decided, the deadline, delivery and budget changes."""
    the_council = _council(session, council)
    view = _item_views(session, [_item(session, the_council, item_id)])[0]
    view.changes = _changes(session, LineChange.item_id == item_id)
    return view


def record_response(
    session: Session,
    council: str,
    item_id: int,
    *,
    outcome: str,
    reasons: str,
    decided_by: str,
    decided_on: date,
    actor_id: int | None,
    reasons_cy: str = "",
) -> Response:
    """Record (or correct) what the council decided about an item and why (in Welsh too, if given)."""
    the_council = _council(session, council)
    response = apply_response(
        session,
        _item(session, the_council, item_id),
        outcome=outcome,
        reasons=reasons,
        decided_by=decided_by,
        decided_on=decided_on,
        actor_id=actor_id,
        reasons_cy=reasons_cy,
    )
    session.commit()
    return response


def apply_response(
    session: Session,
    item: RecordItem,
    *,
    outcome: str,
    reasons: str,
    decided_by: str,
    decided_on: date,
    actor_id: int | None,
    reasons_cy: str = "",
) -> Response:
    """Record or correct the council's response to an item (the caller commits)."""
    if outcome not in OUTCOMES:
        raise Invalid(_("Choose what the council decided."), field="outcome")
    if decided_by not in DECIDERS:
        raise Invalid(_("Choose who made the decision."), field="decided_by")
    if not reasons.strip():
        raise Invalid(_("Enter the reasons for the decision."), field="reasons")
    if decided_on > _today():
        raise Invalid(_("The date of the decision must be today or in the past."), field="decided_on")
    # Lock the item so parallel submissions (a double click, two officers) apply one after another:
    # each then sees the response the previous one stored instead of inserting a second one.
    session.exec(select(RecordItem.id).where(RecordItem.id == item.id).with_for_update()).one()
    response = session.exec(
        select(Response).where(Response.item_id == item.id).execution_options(populate_existing=True)
    ).first()
    if response is not None and (
        response.outcome,
        response.reasons,
        response.reasons_cy,
        response.decided_by,
        response.decided_on,
    ) == (outcome, reasons.strip(), reasons_cy.strip(), decided_by, decided_on):
        return response
    previous = response.outcome if response else None
    if response is None:
        response = Response(
            item_id=item.id,
            council_id=item.council_id,
            outcome=outcome,
            reasons="",
            decided_by=decided_by,
            decided_on=decided_on,
        )
        session.add(response)
    response.outcome, response.reasons, response.decided_by = outcome, reasons.strip(), decided_by
    response.reasons_cy = reasons_cy.strip()
    response.decided_on, response.recorded_by_id, response.recorded_at = decided_on, actor_id, utcnow()
    session.flush()
    audit.record(
        session,
        "record.response_recorded",
        "record_item",
        item.id,
        council_id=item.council_id,
        actor_id=actor_id,
        outcome=outcome,
        previous=previous,
        decided_by=decided_by,
        decided_on=decided_on.isoformat(),
        reasons=response.reasons,
        reasons_cy=response.reasons_cy,
    )
    return response


def _check_milestone(status: str, evidence_url: str) -> None:
    if status not in MILESTONE_STATUSES:
        raise Invalid(_("Choose a status."), field="status")
    if evidence_url and not evidence_url.startswith(("https://", "http://")):
        raise Invalid(_("Enter a web address starting with https://"), field="evidence_url")


def add_milestone(
    session: Session,
    council: str,
    item_id: int,
    *,
    title: str,
    due_on: date | None,
    status: str,
    actor_id: int | None,
    title_cy: str = "",
) -> Milestone:
    """Add a delivery step to an item the council accepted (in full or in part)."""
    the_council = _council(session, council)
    milestone = apply_milestone(
        session,
        _item(session, the_council, item_id),
        title=title,
        due_on=due_on,
        status=status,
        actor_id=actor_id,
        title_cy=title_cy,
    )
    session.commit()
    return milestone


def apply_milestone(
    session: Session,
    item: RecordItem,
    *,
    title: str,
    due_on: date | None,
    status: str,
    actor_id: int | None,
    title_cy: str = "",
) -> Milestone:
    """Add a delivery step to an accepted item (the caller commits)."""
    response = session.exec(select(Response).where(Response.item_id == item.id)).first()
    if response is None or response.outcome not in (ACCEPTED, PARTLY_ACCEPTED):
        raise Conflict(_("Delivery milestones are for items the council has accepted."))
    if not title.strip():
        raise Invalid(_("Enter what will be done."), field="title")
    _check_milestone(status, "")
    milestone = Milestone(
        item_id=item.id,
        council_id=item.council_id,
        title=title.strip(),
        title_cy=(title_cy or "").strip()[:200],
        status=status,
        due_on=due_on,
        completed_on=_today() if status == DONE else None,
    )
    session.add(milestone)
    session.flush()
    audit.record(
        session,
        "record.milestone_added",
        "milestone",
        milestone.id,
        council_id=item.council_id,
        actor_id=actor_id,
        item_id=item.id,
        title=milestone.title,
        status=status,
        due_on=due_on.isoformat() if due_on else None,
    )
    return milestone


def milestone_of(session: Session, council: str, item_id: int, milestone_id: int) -> tuple[ItemView, Milestone]:
    """A milestone of an item, for its update form."""
    view = item_detail(session, council, item_id)
    milestone = next((m for m in view.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise NotFound(_("There is no milestone at this address."))
    return view, milestone


def update_milestone(
    session: Session,
    council: str,
    item_id: int,
    milestone_id: int,
    *,
    status: str,
    completed_on: date | None,
    evidence_url: str,
    evidence_note: str,
    actor_id: int | None,
) -> Milestone:
    """Update a milestone's status, completion date and evidence."""
    _, milestone = milestone_of(session, council, item_id, milestone_id)
    apply_milestone_update(
        session,
        milestone,
        status=status,
        completed_on=completed_on,
        evidence_url=evidence_url,
        evidence_note=evidence_note,
        actor_id=actor_id,
    )
    session.commit()
    return milestone


def apply_milestone_update(
    session: Session,
    milestone: Milestone,
    *,
    status: str,
    completed_on: date | None,
    evidence_url: str,
    evidence_note: str,
    actor_id: int | None,
) -> Milestone:
    """Change a milestone's status, completion date and evidence (the caller commits)."""
    _check_milestone(status, evidence_url.strip())
    if completed_on is not None and completed_on > _today():
        raise Invalid(_("The completion date must be today or in the past."), field="completed_on")
    previous = milestone.status
    milestone.status, milestone.evidence_url = status, evidence_url.strip()
    milestone.evidence_note = evidence_note.strip()
    milestone.completed_on = completed_on or (_today() if status == DONE else None)
    milestone.updated_at = utcnow()
    audit.record(
        session,
        "record.milestone_updated",
        "milestone",
        milestone.id,
        council_id=milestone.council_id,
        actor_id=actor_id,
        item_id=milestone.item_id,
        previous=previous,
        status=status,
        completed_on=milestone.completed_on.isoformat() if milestone.completed_on else None,
        evidence_url=milestone.evidence_url,
    )
    return milestone


@dataclass
class ScrutinyView:
    council: Council
    overdue: list[ItemView]
    rejected: list[ItemView]
    partly: list[ItemView]
    deferred: list[ItemView]
    late_milestones: list[tuple[ItemView, Milestone]]
    total: int


def scrutiny(session: Session, council: str) -> ScrutinyView:
    """What a scrutiny committee asks first: what is overdue, what was turned down and why, what is late."""
    view = register(session, council)
    today = _today()
    late = [
        (item, m)
        for item in view.items
        for m in item.milestones
        if m.status == DELAYED or (m.status != DONE and m.due_on is not None and m.due_on < today)
    ]

    def outcome(kind: str) -> list[ItemView]:
        return [v for v in view.items if v.response and v.response.outcome == kind]

    return ScrutinyView(
        view.council,
        [v for v in view.items if v.overdue],
        outcome(REJECTED),
        outcome(PARTLY_ACCEPTED),
        outcome(DEFERRED),
        late,
        len(view.items),
    )


def open_now(session: Session, council: Council) -> list[OpenItem]:
    """What the council home page lists under "The budget record"."""
    book = current_book(session, council.id)
    if book is None and session.exec(select(RecordItem.id).where(RecordItem.council_id == council.id)).first() is None:
        return []
    items = []
    if book is not None:
        net = rules.totals(figures(line) for line in lines_of(session, book.id)).net
        items.append(
            OpenItem(
                "record",
                _("Budget %(year)s at a glance", year=book.financial_year),
                url_for("ledger.glance", council=council.slug),
                _("Net spending %(amount)s", amount=money.format_compact(net)),
                STAGE_LABELS[book.stage](),
            )
        )
    views = _item_views(
        session, list(session.exec(select(RecordItem).where(RecordItem.council_id == council.id)).all())
    )
    waiting = sum(1 for v in views if v.status != RESPONDED)
    overdue = sum(1 for v in views if v.overdue)
    items.append(
        OpenItem(
            "record",
            _("What residents asked for and what the council decided"),
            url_for("ledger.register", council=council.slug),
            _(
                "%(count)d recommendations and results, %(waiting)d awaiting a response",
                count=len(views),
                waiting=waiting,
            ),
            _("%(count)d overdue", count=overdue) if overdue else "",
        )
    )
    return items


STAGE_LABELS = {DRAFT: lambda: _("Draft"), PROPOSED: lambda: _("Proposed"), FINAL: lambda: _("Final")}


def _book_rows(book: BudgetBook, lines: list[BudgetLine]) -> list[dict]:
    return [
        {
            "financial_year": book.financial_year,
            "version": book.version,
            "stage": book.stage,
            "line_id": line.id,
            "ra_line": line.ra_line,
            "ra_code": line.ra_code,
            "division": line.division,
            "directorate": line.directorate,
            "name": line.name,
            "gross_pence": line.gross_pence,
            "income_pence": line.income_pence,
            "net_pence": line.net_pence,
        }
        for line in lines
    ]


def _change_rows(session: Session, council_id: int, book_id: int | None) -> list[dict]:
    conditions = [LineChange.council_id == council_id]
    if book_id is not None:
        conditions.append(LineChange.book_id == book_id)
    return [
        {
            "change_id": r.change.id,
            "financial_year": r.book.financial_year,
            "version": r.book.version,
            "line_id": r.line.id,
            "ra_line": r.line.ra_line,
            "division": r.line.division,
            "source": r.change.source,
            "item_id": r.change.item_id,
            "reason": r.change.reason,
            "from_gross_pence": r.change.from_gross_pence,
            "to_gross_pence": r.change.to_gross_pence,
            "from_income_pence": r.change.from_income_pence,
            "to_income_pence": r.change.to_income_pence,
            "from_net_pence": r.change.from_net_pence,
            "to_net_pence": r.change.to_net_pence,
            "net_change_pence": r.net_change,
            "changed_at": r.change.created_at.isoformat(),
        }
        for r in _changes(session, *conditions)
    ]


def _response_rows(views: list[ItemView]) -> list[dict]:
    rows = []
    for v in views:
        r = v.response
        rows.append(
            {
                "item_id": v.item.id,
                "source": v.item.source,
                "source_ref": v.item.source_ref,
                "title": v.item.title,
                "amount_pence": v.item.amount_pence,
                "ra_line": v.line.ra_line if v.line else "",
                "division": v.line.division if v.line else "",
                "received_on": v.item.received_at.date().isoformat(),
                "response_due": v.item.response_due.isoformat(),
                "status": v.status,
                "outcome": r.outcome if r else "",
                "reasons": r.reasons if r else "",
                "decided_by": r.decided_by if r else "",
                "decided_on": r.decided_on.isoformat() if r else "",
                "milestones": len(v.milestones),
                "milestones_done": sum(1 for m in v.milestones if m.status == DONE),
                "progress_percent": v.progress,
            }
        )
    return rows


def _item_line_rows(views: list[ItemView]) -> list[dict]:
    """One row per budget line an item names: its several lines, or the one line with the item's amount."""
    rows = []
    for v in views:
        lines = v.lines or ([(v.line, v.item.amount_pence or 0)] if v.line else [])
        rows += [
            {
                "item_id": v.item.id,
                "line_id": line.id if line else None,
                "ra_line": line.ra_line if line else "",
                "division": line.division if line else "",
                "amount_pence": pence,
            }
            for line, pence in lines
        ]
    return rows


def export(session: Session, council: str, dataset: str, fmt: str, book_id: int | None = None) -> Export:
    """The book (current version unless one is asked for), the changes, the responses or their lines."""
    the_council = _council(session, council)
    if dataset not in opendata.DATASETS or fmt not in opendata.FORMATS:
        raise NotFound(_("There is no such download."))
    meta: dict = {"council": the_council.slug, "council_name": the_council.name}
    book = _book(session, the_council, book_id) if book_id is not None else current_book(session, the_council.id)
    if dataset == "book":
        if book is None:
            raise NotFound(_("This council has not published a budget book yet."))
        lines = lines_of(session, book.id)
        rows = _book_rows(book, lines)
        total = rules.totals(figures(line) for line in lines)
        meta.update(
            financial_year=book.financial_year,
            version=book.version,
            stage=book.stage,
            totals={"gross_pence": total.gross, "income_pence": total.income, "net_pence": total.net},
        )
    elif dataset == "changes":
        rows = _change_rows(session, the_council.id, book_id)
    elif dataset == "responses":
        rows = _response_rows(register(session, council).items)
    else:
        rows = _item_line_rows(register(session, council).items)
    name = f"{the_council.slug}-{dataset}" + (f"-{book.financial_year}-v{book.version}" if dataset == "book" else "")
    columns = opendata.DATASETS[dataset]
    return export_dataset(fmt, name, columns, rows, schema_version=opendata.SCHEMA_VERSION, dataset=dataset, meta=meta)
