"""The record's use cases: the contract other domains call, books, changes, responses, delivery."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pbapp import audit
from pbapp.audit import AuditEvent
from pbapp.core.ledger import Figures
from pbapp.db import get_engine
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.ledger import services
from pbapp.ledger.models import ACCEPTED, DONE, FINAL, JURY_RECOMMENDATION, PB_RESULT, PROPOSED, REJECTED, RecordItem
from pbapp.ledger.seed import demo_lines, seed_demo_ledger
from pbapp.timeutil import uk_today
from tests import factories as base
from tests.ledger import factories


@pytest.fixture
def council(db):
    return base.council(db)


def _receive(db, council, **overrides):
    values = dict(
        council_id=council.id,
        source=JURY_RECOMMENDATION,
        source_ref="jury-7:rec-2",
        title="More street cleansing",
        summary="In town centres",
        public_url="/juries/7",
    )
    values.update(overrides)
    return services.receive_item(db, **values)


def test_receive_item_is_idempotent_and_audited_and_leaves_the_commit_to_the_caller(db, council):
    first = _receive(db, council, amount_pence=25_000_000, decided_at=datetime(2026, 1, 24, 12, tzinfo=timezone.utc))
    again = _receive(db, council, title="A different title")
    assert again.id == first.id and again.title == "More street cleansing"
    assert first.response_due == date(2026, 3, 24)
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "record.item_received")).all()
    assert len(events) == 1 and '"source_ref": "jury-7:rec-2"' in events[0].payload
    db.rollback()  # nothing was committed by receive_item
    assert db.exec(select(RecordItem)).all() == []


def test_receive_item_is_unique_in_the_database(db, council):
    _receive(db, council)
    db.commit()
    db.add(
        RecordItem(
            council_id=council.id,
            source=JURY_RECOMMENDATION,
            source_ref="jury-7:rec-2",
            title="x",
            response_due=date(2026, 1, 1),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_receive_item_survives_losing_a_race(app, db, council, monkeypatch):
    winner = _receive(db, council)
    db.commit()
    # The other writer's row exists, but this session looked before it was there.
    monkeypatch.setattr(services, "item_by_source", _first_call_misses(services.item_by_source))
    with Session(get_engine(app), expire_on_commit=False) as other:
        found = _receive(other, council)
        assert found.id == winner.id
        other.commit()  # the savepoint kept the transaction usable


def _first_call_misses(real):
    calls = []

    def lookup(session, source, source_ref):
        calls.append(1)
        return None if len(calls) == 1 else real(session, source, source_ref)

    return lookup


@pytest.mark.parametrize(
    "overrides, field", [({"source": "officer"}, "source"), ({"budget_line_id": 999_999}, "budget_line_id")]
)
def test_receive_item_refuses_a_bad_source_or_line(db, council, overrides, field):
    with pytest.raises(Invalid) as error:
        _receive(db, council, **overrides)
    assert error.value.field == field


def test_receive_item_refuses_another_councils_line(db, council):
    other = base.council(db)
    line = factories.lines(db, factories.book(db, other))[0]
    with pytest.raises(Invalid):
        _receive(db, council, budget_line_id=line.id)
    mine = factories.lines(db, factories.book(db, council))[0]
    assert _receive(db, council, budget_line_id=mine.id).budget_line_id == mine.id


def test_budget_lines_come_from_the_newest_final_version_else_the_newest(db, council):
    assert services.budget_lines(db, council.id) == []
    draft = factories.book(db, council)
    assert {line.book_id for line in services.budget_lines(db, council.id)} == {draft.id}
    final = factories.version(db, draft, stage=FINAL)
    factories.version(db, final, stage=PROPOSED)  # newer, but not final
    lines = services.budget_lines(db, council.id)
    assert {line.book_id for line in lines} == {final.id}
    assert [line.division for line in lines] == ["Home care", "Library service", "Trade waste"]
    assert lines[2].net_pence == -500_000 and lines[0].council_id == council.id


def test_a_book_that_does_not_reconcile_is_refused(db, council):
    broken = [Figures("Public health", "A", 100, 10, 80, "X")]
    with pytest.raises(Invalid, match="is not gross"):
        services.add_book(db, council, broken, financial_year="2026-27", stage="draft", title="", actor_id=None)
    with pytest.raises(Invalid, match="Choose draft"):
        services.add_book(db, council, [], financial_year="2026-27", stage="nope", title="", actor_id=None)


def test_import_book_rejects_a_bad_file_with_line_numbers_and_saves_nothing(db, council):
    text = "ra_line,division,directorate,gross,income\nPublic health,A,X,10,0\nPublic health,B,X,1.001,0\n"
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_book(
            db,
            council.slug,
            csv_text=text,
            thousands=False,
            financial_year="2026-27",
            stage="draft",
            title="",
            actor_id=None,
        )
    assert [(e.line, e.column) for e in rejected.value.errors] == [(3, "gross")]
    db.rollback()
    assert services.books_of(db, council.id) == []


def test_versions_count_up_per_year(db, council):
    first = factories.book(db, council)
    second = factories.book(db, council)
    other_year = factories.book(db, council, financial_year="2027-28")
    assert (first.version, second.version, other_year.version) == (1, 2, 1)


def test_changes_record_from_to_source_and_reason_and_reconcile(db, council):
    draft = factories.book(db, council)
    book = factories.version(db, draft)
    line = factories.lines(db, book)[1]
    item = factories.item(db, council, source=JURY_RECOMMENDATION)
    change = services.change_line(
        db,
        council.slug,
        book.id,
        line.id,
        gross_pence=2_500_000,
        income_pence=200_000,
        source=JURY_RECOMMENDATION,
        item_id=item.id,
        reason="More opening hours",
        actor_id=None,
    )
    assert (change.from_net_pence, change.to_net_pence) == (1_800_000, 2_300_000)
    services.change_line(
        db,
        council.slug,
        book.id,
        line.id,
        gross_pence=2_400_000,
        income_pence=200_000,
        source="officer",
        item_id=item.id,
        reason="Trim",
        actor_id=None,
    )
    view = services.book_detail(db, council.slug, book.id)
    assert view.changes_reconcile and view.totals.net - view.base_totals.net == 400_000
    assert [row.change.item_id for row in view.changes] == [item.id, None]  # officer changes cite no item
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "ledger.line_changed")).all()) == 2
    diff = services.version_diff(db, council.slug, book.id)
    assert diff.other.id == draft.id and diff.reconciles
    assert [d.kind for d in diff.diffs] == ["unchanged", "changed", "unchanged"]


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"source": "rumour"}, "Choose where the change came from"),
        ({"reason": "  "}, "Enter the reason"),
        ({"source": PB_RESULT, "item_id": None}, "Choose the recommendation or result"),
        ({"gross_pence": -1}, "gross spending cannot be negative"),
    ],
)
def test_a_change_needs_a_source_a_reason_and_sound_figures(db, council, kwargs, error):
    book = factories.book(db, council)
    line = factories.lines(db, book)[0]
    values = dict(gross_pence=1, income_pence=0, source="officer", item_id=None, reason="Why", actor_id=None)
    values.update(kwargs)
    with pytest.raises(Invalid, match=error):
        services.change_line(db, council.slug, book.id, line.id, **values)


def test_a_change_must_cite_an_item_of_the_right_kind_in_this_council(db, council):
    book = factories.book(db, council)
    line = factories.lines(db, book)[0]
    pb_item = factories.item(db, council, source=PB_RESULT)
    with pytest.raises(Invalid, match="is not a jury recommendation"):
        services.change_line(
            db,
            council.slug,
            book.id,
            line.id,
            gross_pence=1,
            income_pence=0,
            source=JURY_RECOMMENDATION,
            item_id=pb_item.id,
            reason="x",
            actor_id=None,
        )
    foreign = factories.item(db, base.council(db))
    with pytest.raises(NotFound):
        services.change_line(
            db,
            council.slug,
            book.id,
            line.id,
            gross_pence=1,
            income_pence=0,
            source=PB_RESULT,
            item_id=foreign.id,
            reason="x",
            actor_id=None,
        )
    other_book = factories.book(db, council)
    with pytest.raises(NotFound):
        services.change_line(
            db,
            council.slug,
            other_book.id,
            line.id,
            gross_pence=1,
            income_pence=0,
            source="officer",
            item_id=None,
            reason="x",
            actor_id=None,
        )
    with pytest.raises(NotFound):
        services.line_in_book(db, council.slug, other_book.id, line.id)


def test_a_final_version_is_locked(db, council):
    book = factories.book(db, council, stage=FINAL)
    line = factories.lines(db, book)[0]
    with pytest.raises(Conflict):
        services.change_line(
            db,
            council.slug,
            book.id,
            line.id,
            gross_pence=1,
            income_pence=0,
            source="officer",
            item_id=None,
            reason="x",
            actor_id=None,
        )
    with pytest.raises(Conflict):
        services.set_stage(db, council.slug, book.id, stage="draft", actor_id=None)
    with pytest.raises(Invalid):
        services.set_stage(db, council.slug, book.id, stage="bogus", actor_id=None)
    with pytest.raises(Invalid):
        services.new_version(db, council.slug, book.id, stage="bogus", actor_id=None)


def test_diff_against_a_chosen_version_or_none(db, council):
    first = factories.book(db, council)
    assert services.version_diff(db, council.slug, first.id).other is None
    second = factories.book(db, council, lines=factories.LINES[:2])
    diff = services.version_diff(db, council.slug, second.id)
    assert diff.other.id == first.id and [d.kind for d in diff.diffs][-1] == "removed"
    assert services.version_diff(db, council.slug, first.id, second.id).other.id == second.id


def test_responses_overdue_and_progress(db, council):
    late = factories.item(db, council, decided_days_ago=70)
    fresh = factories.item(db, council, decided_days_ago=1)
    view = services.register(db, council.slug)
    assert {v.item.id: v.status for v in view.items} == {late.id: "overdue", fresh.id: "awaiting"}
    response = services.record_response(
        db,
        council.slug,
        late.id,
        outcome=ACCEPTED,
        reasons=" Agreed. ",
        decided_by="cabinet",
        decided_on=date.today(),
        actor_id=None,
    )
    assert response.reasons == "Agreed."
    services.record_response(
        db,
        council.slug,
        late.id,
        outcome=REJECTED,
        reasons="On reflection, no.",
        decided_by="full_council",
        decided_on=date.today(),
        actor_id=None,
    )
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "record.response_recorded")).all()
    assert [e.payload.count('"previous": "accepted"') for e in events] == [0, 1]
    assert services.register(db, council.slug, state="overdue").items == []
    assert [v.item.id for v in services.register(db, council.slug, state=REJECTED).items] == [late.id]
    assert services.scrutiny(db, council.slug).rejected[0].item.id == late.id


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"decided_by": "mayor"}, "decided_by"),
        ({"reasons": " "}, "reasons"),
        # Worked out when the test runs, not when it is collected: a run may cross midnight.
        ({"decided_on": lambda: uk_today() + timedelta(days=1)}, "decided_on"),
    ],
)
def test_a_response_needs_an_outcome_a_decider_reasons_and_a_past_date(db, council, kwargs, field):
    item = factories.item(db, council)
    values = dict(outcome=ACCEPTED, reasons="Yes", decided_by="cabinet", decided_on=uk_today(), actor_id=None)
    values.update({name: value() if callable(value) else value for name, value in kwargs.items()})
    with pytest.raises(Invalid) as error:
        services.record_response(db, council.slug, item.id, **values)
    assert error.value.field == field


def test_milestones_show_progress_and_late_delivery(db, council):
    item = factories.item(db, council)
    with pytest.raises(Conflict):
        services.add_milestone(
            db, council.slug, item.id, title="Early", due_on=None, status="not_started", actor_id=None
        )
    factories.response(db, item)
    with pytest.raises(Invalid):
        services.add_milestone(db, council.slug, item.id, title=" ", due_on=None, status="not_started", actor_id=None)
    with pytest.raises(Invalid):
        services.add_milestone(db, council.slug, item.id, title="x", due_on=None, status="paused", actor_id=None)
    done = services.add_milestone(db, council.slug, item.id, title="Order", due_on=None, status=DONE, actor_id=None)
    assert done.completed_on == date.today()
    late = factories.milestone(db, item, title="Install", due_on=date.today() - timedelta(days=1))
    assert services.item_detail(db, council.slug, item.id).progress == 50
    assert [m.title for _, m in services.scrutiny(db, council.slug).late_milestones] == ["Install"]
    services.update_milestone(
        db,
        council.slug,
        item.id,
        late.id,
        status=DONE,
        completed_on=None,
        evidence_url=" https://example.org ",
        evidence_note="Photo",
        actor_id=None,
    )
    assert late.evidence_url == "https://example.org" and late.completed_on == date.today()
    assert services.item_detail(db, council.slug, item.id).progress == 100
    with pytest.raises(Invalid):
        services.update_milestone(
            db,
            council.slug,
            item.id,
            late.id,
            status=DONE,
            completed_on=None,
            evidence_url="ftp://x",
            evidence_note="",
            actor_id=None,
        )
    with pytest.raises(Invalid):
        services.update_milestone(
            db,
            council.slug,
            item.id,
            late.id,
            status=DONE,
            completed_on=date.today() + timedelta(days=2),
            evidence_url="",
            evidence_note="",
            actor_id=None,
        )
    with pytest.raises(NotFound):
        services.milestone_of(db, council.slug, item.id, 999_999)


def test_the_demo_seed_reconciles_to_the_ra_return(db, council):
    lines = demo_lines()
    assert len({line.ra_line for line in lines}) == 13
    assert sum(line.net for line in lines) == 400_281_000 * 100
    assert all(line.gross - line.income == line.net for line in lines)
    assert any(line.net < 0 for line in lines)
    report: list[str] = []
    seed_demo_ledger(db, council, report)
    db.commit()
    seed_demo_ledger(db, council, report)  # idempotent
    assert len(report) == 1 and len(services.books_of(db, council.id)) == 2
    view = services.register(db, council.slug)
    assert view.counts["overdue"] == 1 and view.counts["rejected"] == 2 and view.counts["accepted"] == 4
    assert services.glance(db, council.slug).changes_reconcile
    assert audit.verify(db) is None


def test_open_now_lists_the_budget_and_the_register(app, db, council):
    with app.test_request_context():
        assert services.open_now(db, council) == []
        factories.item(db, council, decided_days_ago=90)
        items = services.open_now(db, council)
        assert [i.title for i in items] == ["What residents asked for and what the council decided"]
        assert items[0].status == "1 overdue"
        factories.book(db, council)
        assert services.open_now(db, council)[0].status == "Draft"
