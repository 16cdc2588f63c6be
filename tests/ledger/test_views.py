"""The record's pages, as residents and officers use them."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from pbapp.seed import demo_day
from pbapp.audit import AuditEvent
from pbapp.core.money import format_money
from pbapp.ledger import services
from pbapp.ledger.models import BudgetBook, LineChange, RecordItem, Response
from pbapp.timeutil import utcnow
from tests.ledger import factories
from tests.factories import typed_date

SLUG = "blackburn-with-darwen"
GOOD_CSV = (
    "ra_line,division,directorate,gross,income,net\n"
    'Public health,Sexual health,Adults and Health,"£1,000.50",200,800.50\n'
    "Environmental and regulatory services,Trade waste,Environment and Operations,100,250,(150)\n"
    'Total,,,"1,100.50",450,650.50\n'
)
BAD_CSV = (
    "ra_line,division,directorate,gross,income,net\n"
    "Public health,Sexual health,Adults and Health,1000,200,800\n"
    "Public health,Drugs,Adults and Health,12.345,0,12\n"
    "Parks,Parks,Environment,10,0,10\n"
)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _books(db, council) -> list[BudgetBook]:
    found = list(db.exec(select(BudgetBook).where(BudgetBook.council_id == council.id)).all())
    db.commit()
    return found


@pytest.mark.parametrize("path", ["/", "/books", "/register", "/scrutiny", "/open-data"])
def test_public_pages_load_for_anyone(client, demo, path):
    response = client.get(f"/ledger/{SLUG}{path}")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_the_glance_page_shows_the_final_budget_and_a_chart(client, demo):
    page = _text(client.get(f"/ledger/{SLUG}/"))
    assert "Budget 2026-27, version 2" in page and "Final" in page
    assert 'data-total="net">£401,521,000<' in page
    assert page.count("<rect") == 13 and "Adult social care" in page
    assert "style=" not in page
    by_directorate = page.split("By the council’s directorates</caption>")[1]
    assert by_directorate.index("Children, Education and Families") < by_directorate.index("Adults and Health")


def test_the_book_page_lists_lines_and_reconciled_changes(client, db, demo):
    book = services.current_book(db, demo.id)
    db.commit()
    page = _text(client.get(f"/ledger/{SLUG}/books/{book.id}"))
    assert "Street cleansing (not chargeable to highways)" in page and "Environment and Operations" in page
    assert "-£1,132,000" in page  # cemeteries earn more than they cost
    assert "Reconciles" in page and "Jury recommendation" in page


def test_differences_between_versions(client, db, demo):
    book = services.current_book(db, demo.id)
    db.commit()
    page = _text(client.get(f"/ledger/{SLUG}/books/{book.id}/differences"))
    assert "Line changes add up to the total change" in page
    assert "+£1,200,000" in page and "-£300,000" in page
    assert "36 lines are the same in both versions." in page


def test_an_id_from_another_council_is_not_found(client, db, demo):
    from tests import factories as base

    other = base.council(db)
    book = factories.book(db, other)
    the_item = factories.item(db, other)
    assert client.get(f"/ledger/{SLUG}/books/{book.id}").status_code == 404
    assert client.get(f"/ledger/{SLUG}/register/{the_item.id}").status_code == 404
    assert client.get(f"/ledger/{SLUG}/data/book.csv?book={book.id}").status_code == 404
    assert client.get("/ledger/no-such-council/").status_code == 404


def _items(db, council) -> list[RecordItem]:
    # Other domains' demo data may add items too, so tests count what is there.
    found = list(db.exec(select(RecordItem).where(RecordItem.council_id == council.id)).all())
    db.commit()
    return found


def test_register_filters_by_source_state_and_words(client, db, demo):
    everything = _text(client.get(f"/ledger/{SLUG}/register"))
    assert f"Showing {len(_items(db, demo))}." in everything
    rejected = _text(client.get(f"/ledger/{SLUG}/register?state=rejected"))
    assert "Keep the free town-centre bus link" in rejected and "A community food pantry" in rejected
    assert "Youth activities" not in rejected
    assert everything.index("Safer walking routes") < everything.index("Clean the town centres")  # overdue first
    jury = _text(client.get(f"/ledger/{SLUG}/register?source=jury_recommendation&q=librar"))
    assert "Open libraries on Saturdays" in jury and "Clean the town centres" not in jury
    assert "Youth activities" not in jury


def test_register_filters_return_a_fragment_to_htmx(htmx_client, demo):
    response = htmx_client.get(f"/ledger/{SLUG}/register?state=overdue")
    page = _text(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.startswith('<div id="register-items"') or 'id="register-items"' in page
    assert "Safer walking routes to school" in page and "Youth activities" not in page


def test_an_item_page_shows_decision_reasons_and_progress(client, db, demo):
    item = db.exec(select(RecordItem).where(RecordItem.title == "Youth activities in Darwen")).one()
    db.commit()
    page = _text(client.get(f"/ledger/{SLUG}/register/{item.id}"))
    # The demo's dates move with the day it was seeded (`demo_day`), which a run crossing midnight
    # has left behind: read the date the seed wrote.
    decided = db.exec(select(Response.decided_on).where(Response.item_id == item.id)).one()
    assert decided - demo_day(date(2026, 7, 15)) in (timedelta(0), timedelta(days=-1))
    assert "Accepted" in page and "Cabinet" in page and f"{decided.day} {decided:%B %Y}" in page
    assert 'value="66"' in page and "2 of 3 milestones done" in page


def test_scrutiny_lists_overdue_rejected_and_late_delivery(client, demo):
    page = _text(client.get(f"/ledger/{SLUG}/scrutiny"))
    overdue = page.split("Overdue: no response by the deadline (")[1].split("Rejected, and why")[0]
    assert "Safer walking routes to school in Darwen South" in overdue
    assert "the shop&#39;s owner withdrew the lease offer" in page or "the shop's owner withdrew" in page
    assert "Install the equipment" in page  # a delayed milestone


def test_the_home_page_lists_the_record(client, demo):
    page = _text(client.get(f"/councils/{SLUG}/"))
    assert "Budget 2026-27 at a glance" in page and re.search(r"\d+ overdue", page)


def test_book_export_reconciles_with_the_published_budget_to_the_penny(client, db, demo):
    book = services.current_book(db, demo.id)
    db.commit()
    rows = list(csv.DictReader(io.StringIO(_text(client.get(f"/ledger/{SLUG}/data/book.csv")))))
    data = json.loads(_text(client.get(f"/ledger/{SLUG}/data/book.json")))
    page = _text(client.get(f"/ledger/{SLUG}/books/{book.id}"))
    net = sum(int(r["net_pence"]) for r in rows)
    assert net == data["totals"]["net_pence"] == sum(r["net_pence"] for r in data["rows"])
    assert sum(int(r["gross_pence"]) - int(r["income_pence"]) for r in rows) == net
    assert re.search(r'data-total="net">(£[\d,.]+)<', page).group(1) == "£" + f"{net // 100:,}"
    assert any(r["net_pence"] == "-113200000" for r in rows)  # negative numbers stay numbers
    assert data["schema_version"] == "1" and data["version"] == book.version and data["stage"] == "final"


def test_changes_export_adds_up_to_the_difference_between_versions(client, db, demo):
    book = services.current_book(db, demo.id)
    base = db.get(BudgetBook, book.based_on_id)
    db.commit()
    changes = list(csv.DictReader(io.StringIO(_text(client.get(f"/ledger/{SLUG}/data/changes.csv")))))
    before = json.loads(_text(client.get(f"/ledger/{SLUG}/data/book.json?book={base.id}")))
    after = json.loads(_text(client.get(f"/ledger/{SLUG}/data/book.json")))
    assert len(changes) == 4
    assert sum(int(c["net_change_pence"]) for c in changes) == (
        after["totals"]["net_pence"] - before["totals"]["net_pence"]
    )


def test_responses_export_has_every_item_and_neutralises_formulas(client, db, demo):
    factories.item(db, demo, title='=HYPERLINK("http://evil.example")', summary="+1", source_ref="evil")
    response = client.get(f"/ledger/{SLUG}/data/responses.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_text(response))))
    assert len(rows) == len(_items(db, demo))
    evil = next(r for r in rows if r["source_ref"] == "evil")
    assert evil["title"].startswith("'=HYPERLINK")
    assert {"responded", "overdue", "awaiting"} <= {r["status"] for r in rows}
    data = json.loads(_text(client.get(f"/ledger/{SLUG}/data/responses.json")))
    assert next(r for r in data["rows"] if r["source_ref"] == "evil")["title"].startswith("=HYPERLINK")


@pytest.mark.parametrize("path", ["/data/nothing.csv", "/data/book.xml"])
def test_unknown_downloads_are_not_found(client, demo, path):
    assert client.get(f"/ledger/{SLUG}{path}").status_code == 404


def test_book_export_before_any_book_is_not_found(client, db):
    from tests import factories as base

    other = base.council(db)
    assert client.get(f"/ledger/{other.slug}/data/book.csv").status_code == 404
    assert "has not published a budget book" in _text(client.get(f"/ledger/{other.slug}/"))
    assert client.get(f"/ledger/{other.slug}/data/responses.json").status_code == 200


def test_open_data_page_documents_every_column(client, demo):
    page = _text(client.get(f"/ledger/{SLUG}/open-data"))
    for column in ("net_pence", "net_change_pence", "progress_percent", "decided_by"):
        assert f"<code>{column}</code>" in page


def test_officer_imports_a_book_after_a_preview(client, db, demo, login_as):
    login_as("officer")
    before = len(_books(db, demo))
    preview = client.post(
        f"/ledger/{SLUG}/import",
        data={
            "csv_file": (io.BytesIO(GOOD_CSV.encode()), "budget.csv"),
            "financial_year": "2027-28",
            "stage": "draft",
            "preview": "1",
        },
        content_type="multipart/form-data",
    )
    page = _text(preview)
    assert preview.status_code == 200 and "Check the budget before you save it" in page
    assert "Matches the stated total" in page and "-£150" in page
    assert len(_books(db, demo)) == before  # nothing saved by the preview
    carried = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', page)
    assert carried
    import html

    saved = client.post(
        f"/ledger/{SLUG}/import",
        data={"csv_text": html.unescape(carried.group(1)), "financial_year": "2027-28", "stage": "draft", "save": "1"},
    )
    assert saved.status_code == 303
    book = db.exec(select(BudgetBook).where(BudgetBook.financial_year == "2027-28")).one()
    lines = factories.lines(db, book)
    assert [(line.division, line.gross_pence, line.income_pence, line.net_pence) for line in lines] == [
        ("Sexual health", 100_050, 20_000, 80_050),
        ("Trade waste", 10_000, 25_000, -15_000),
    ]
    assert db.exec(
        select(AuditEvent).where(AuditEvent.action == "ledger.book_imported", AuditEvent.subject_id == str(book.id))
    ).one()


def test_a_bad_file_gets_line_numbered_errors_and_saves_nothing(client, db, demo, login_as):
    login_as("officer")
    before = len(_books(db, demo))
    for button in ("preview", "save"):
        response = client.post(
            f"/ledger/{SLUG}/import",
            data={
                "csv_file": (io.BytesIO(BAD_CSV.encode()), "budget.csv"),
                "financial_year": "2027-28",
                "stage": "draft",
                button: "1",
            },
            content_type="multipart/form-data",
        )
        page = _text(response)
        assert response.status_code == 422
        assert "Nothing has been saved" in page
        assert "Line 3 (gross)" in page and "Line 4 (ra_line)" in page
        assert "“Parks” is not a Revenue Account service line" in page
    assert len(_books(db, demo)) == before


def test_import_needs_a_file_and_a_year(client, demo, login_as):
    login_as("admin")
    response = client.post(f"/ledger/{SLUG}/import", data={"financial_year": "2027", "stage": "draft"})
    page = _text(response)
    assert response.status_code == 422
    assert "Enter the financial year like 2026-27" in page
    response = client.post(f"/ledger/{SLUG}/import", data={"financial_year": "2027-28", "stage": "draft"})
    assert response.status_code == 422 and "Choose a CSV file" in _text(response)


def test_officer_starts_a_version_changes_a_line_and_finalises(client, db, demo, login_as):
    login_as("officer")
    final = services.current_book(db, demo.id)
    db.commit()
    response = client.post(f"/ledger/{SLUG}/books/{final.id}/versions", data={"stage": "proposed"})
    assert response.status_code == 303
    new = db.exec(select(BudgetBook).where(BudgetBook.based_on_id == final.id)).one()
    db.commit()
    line = factories.lines(db, new)[0]
    form = _text(client.get(f"/ledger/{SLUG}/books/{new.id}/lines/{line.id}/change"))
    assert f'value="{format_money(line.gross_pence)}"' in form
    bad = client.post(
        f"/ledger/{SLUG}/books/{new.id}/lines/{line.id}/change",
        data={"gross": "lots", "income": "0", "source": "officer", "reason": "x"},
    )
    assert bad.status_code == 422 and "Enter an amount in pounds" in _text(bad)
    negative = client.post(
        f"/ledger/{SLUG}/books/{new.id}/lines/{line.id}/change",
        data={"gross": "1000", "income": "(500)", "source": "officer", "reason": "x"},
    )
    assert negative.status_code == 422 and '<a href="#income">Enter an amount of £0 or more' in _text(negative)
    assert 'value="(500)"' in _text(negative)
    no_item = client.post(
        f"/ledger/{SLUG}/books/{new.id}/lines/{line.id}/change",
        data={"gross": "1000", "income": "0", "source": "pb_result", "reason": "x"},
    )
    assert no_item.status_code == 422 and "Choose the recommendation or result" in _text(no_item)
    response = client.post(
        f"/ledger/{SLUG}/books/{new.id}/lines/{line.id}/change",
        data={
            "gross": "£203,907,000.00",
            "income": "(0)".replace("(0)", "40,781,000"),
            "source": "officer",
            "reason": "Teachers' pay award",
        },
    )
    assert response.status_code == 303
    change = db.exec(select(LineChange).where(LineChange.book_id == new.id)).one()
    db.commit()
    assert (change.from_net_pence, change.to_net_pence) == (line.net_pence, 16_312_600_000)
    assert client.post(f"/ledger/{SLUG}/books/{new.id}/stage", data={"stage": "final"}).status_code == 303
    locked = client.post(
        f"/ledger/{SLUG}/books/{new.id}/lines/{line.id}/change",
        data={"gross": "1", "income": "0", "source": "officer", "reason": "late"},
    )
    assert locked.status_code == 422 and "This version is final" in _text(locked)
    assert client.post(f"/ledger/{SLUG}/books/{new.id}/stage", data={"stage": "draft"}).status_code == 409
    assert services.current_book(db, demo.id).id == new.id


def test_stage_and_version_forms_need_a_stage(client, db, demo, login_as):
    login_as("admin")
    book = services.current_book(db, demo.id)
    db.commit()
    assert client.post(f"/ledger/{SLUG}/books/{book.id}/versions", data={"stage": "x"}).status_code == 422
    assert client.post(f"/ledger/{SLUG}/books/{book.id}/stage", data={"stage": "x"}).status_code == 422


def test_officer_records_a_response_and_it_is_public(client, db, demo, login_as):
    item = db.exec(select(RecordItem).where(RecordItem.source_ref.like("%school-routes"))).one()
    db.commit()
    login_as("officer")
    empty = client.post(f"/ledger/{SLUG}/register/{item.id}/response", data={})
    assert empty.status_code == 422 and "Choose what the council decided" in _text(empty)
    future = client.post(
        f"/ledger/{SLUG}/register/{item.id}/response",
        data={
            "outcome": "accepted",
            "reasons": "Good idea.",
            "decided_by": "cabinet",
            **typed_date("decided_on", utcnow().date() + timedelta(days=3)),
        },
    )
    assert future.status_code == 422 and "today or in the past" in _text(future)
    response = client.post(
        f"/ledger/{SLUG}/register/{item.id}/response",
        data={
            "outcome": "partly_accepted",
            "reasons": "One crossing this year, the rest next year.",
            "decided_by": "full_council",
            **typed_date("decided_on", "2026-11-02"),
        },
    )
    assert response.status_code == 303
    client.post("/accounts/logout")
    page = _text(client.get(f"/ledger/{SLUG}/register/{item.id}"))
    assert "One crossing this year" in page and "Full council" in page and "2 November 2026" in page
    assert "Overdue" not in page.split("<main")[1].split("Response due")[1][:200]
    assert "Safer walking routes" not in _text(client.get(f"/ledger/{SLUG}/register?state=overdue"))


def test_milestones_are_added_and_updated_with_evidence(client, db, demo, login_as):
    item = factories.demo_item_with_milestones(db, demo)
    login_as("officer")
    added = client.post(
        f"/ledger/{SLUG}/register/{item.id}/milestones",
        data={"title": "Tell residents", **typed_date("due_on", "2026-12-01"), "status": "not_started"},
    )
    assert added.status_code == 303
    view = services.item_detail(db, SLUG, item.id)
    db.commit()
    step = next(m for m in view.milestones if m.title == "Tell residents")
    bad = client.post(
        f"/ledger/{SLUG}/register/{item.id}/milestones/{step.id}",
        data={"status": "done", "evidence_url": "javascript:alert(1)"},
    )
    assert bad.status_code == 422
    done = client.post(
        f"/ledger/{SLUG}/register/{item.id}/milestones/{step.id}",
        data={
            "status": "done",
            **typed_date("completed_on", "2026-11-01"),
            "evidence_url": "https://example.org/news",
            "evidence_note": "Press release",
        },
    )
    assert done.status_code == 303
    page = _text(client.get(f"/ledger/{SLUG}/register/{item.id}"))
    assert "https://example.org/news" in page and "Completed on 1 November 2026" in page
    assert client.post(f"/ledger/{SLUG}/register/{item.id}/milestones", data={}).status_code == 422


def test_milestones_only_for_accepted_items(client, db, demo, login_as):
    rejected = db.exec(
        select(RecordItem).join(Response, Response.item_id == RecordItem.id).where(Response.outcome == "rejected")
    ).first()
    db.commit()
    login_as("admin")
    response = client.post(
        f"/ledger/{SLUG}/register/{rejected.id}/milestones", data={"title": "Something", "status": "not_started"}
    )
    assert response.status_code == 422 and "for items the council has accepted" in _text(response)


def test_residents_and_facilitators_see_no_officer_buttons(client, db, demo, login_as):
    login_as("resident")
    book = services.current_book(db, demo.id)
    db.commit()
    page = _text(client.get(f"/ledger/{SLUG}/books/{book.id}"))
    assert "Start a new version" not in page
    assert client.get(f"/ledger/{SLUG}/import").status_code == 403


def test_an_officer_of_another_council_cannot_keep_this_record(client, db, demo):
    from tests import factories as base
    from tests.conftest import login

    other = base.council(db)
    base.user(db, council=other, role="officer", email="other-officer@example.org")
    login(client, "other-officer@example.org")
    assert client.get(f"/ledger/{SLUG}/import").status_code == 403


@pytest.mark.parametrize("path", ["/", "/register", "/scrutiny", "/open-data"])
def test_public_pages_render_in_welsh(client, demo, path):
    client.get("/language/cy?next=/")
    response = client.get(f"/ledger/{SLUG}{path}")
    assert response.status_code == 200 and 'lang="cy"' in _text(response)


@pytest.mark.parametrize(
    "url, linked",
    [
        ("/pb/x/results", True),
        ("https://example.org/r", True),
        ("javascript:alert(1)", False),
        ("//evil.example", False),
    ],
)
def test_an_item_links_to_its_source_only_when_the_address_is_safe(client, db, demo, url, linked):
    the_item = factories.item(db, demo, public_url=url)
    page = _text(client.get(f"/ledger/{SLUG}/register/{the_item.id}"))
    assert ("Read the original" in page) == linked and "javascript:" not in page


def test_item_lines_export_names_every_line_of_a_recommendation_and_adds_up(client, db, demo):
    lines = services.lines_of(db, services.current_book(db, demo.id).id)
    item = services.receive_item(
        db,
        council_id=demo.id,
        source="jury_recommendation",
        source_ref="three-lines",
        title="Move money to prevention",
        summary="",
        public_url="",
        amount_pence=-50_000,
        lines=[(lines[0].id, 150_000), (lines[1].id, -300_000), (lines[2].id, 100_000)],
    )
    db.commit()
    rows = list(csv.DictReader(io.StringIO(_text(client.get(f"/ledger/{SLUG}/data/item_lines.csv")))))
    mine = [r for r in rows if r["item_id"] == str(item.id)]
    assert [(r["line_id"], r["ra_line"], r["amount_pence"]) for r in mine] == [
        (str(line.id), line.ra_line, str(pence)) for line, pence in zip(lines, (150_000, -300_000, 100_000))
    ]
    responses = json.loads(_text(client.get(f"/ledger/{SLUG}/data/responses.json")))["rows"]
    data = json.loads(_text(client.get(f"/ledger/{SLUG}/data/item_lines.json")))
    assert data["dataset"] == "item_lines"
    by_item: dict[int, int] = {}
    for row in data["rows"]:
        by_item[row["item_id"]] = by_item.get(row["item_id"], 0) + row["amount_pence"]
    amounts = {r["item_id"]: r["amount_pence"] for r in responses}
    assert len(by_item) > 1 and all(amounts[i] == total for i, total in by_item.items())


def test_the_published_schema_document_lists_every_column_in_order():
    from pathlib import Path

    from pbapp.ledger import opendata

    doc = (Path(__file__).resolve().parents[2] / "docs" / "open-data.md").read_text(encoding="utf-8")
    for name, columns in opendata.DATASETS.items():
        assert f"/data/{name}.csv" in doc
        table = doc.split(f"### `{name}`")[1].split("###")[0].split("## ")[0]
        assert re.findall(r"^\| `(\w+)` \|", table, flags=re.M) == [c.name for c in columns]


def _xlsx(text: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(text)):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "budget.csv",
            GOOD_CSV.replace(",", ";")
            .replace('"£1;000.50"', "£1000.50")
            .replace('"1;100.50"', "1100.50")
            .encode("utf-8-sig"),
        ),
        ("budget.xlsx", _xlsx(GOOD_CSV)),
    ],
)
def test_a_semicolon_file_or_an_excel_workbook_is_previewed_like_a_csv(client, db, demo, login_as, name, content):
    login_as("officer")
    preview = client.post(
        f"/ledger/{SLUG}/import",
        data={"csv_file": (io.BytesIO(content), name), "financial_year": "2027-28", "stage": "draft", "preview": "1"},
        content_type="multipart/form-data",
    )
    page = _text(preview)
    assert preview.status_code == 200 and "Matches the stated total" in page and "-£150" in page


def test_an_old_excel_file_is_refused_by_name_and_nothing_is_saved(client, db, demo, login_as):
    login_as("officer")
    response = client.post(
        f"/ledger/{SLUG}/import",
        data={
            "csv_file": (io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "budget.xls"),
            "financial_year": "2027-28",
            "stage": "draft",
            "preview": "1",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "budget.xls: this is an old Excel workbook (.xls)" in _text(response)
