"""Every date on every form is typed in the GOV.UK date input, in UK time, through the page's own form.

Also: a fault inside a failed transaction still shows the app's own error page.
"""

from __future__ import annotations

import importlib
import inspect
import re
from datetime import date, datetime, timezone
from pathlib import Path

from flask_wtf import FlaskForm
from sqlmodel import select

from pbapp.config import PACKAGE_ROOT, PROJECT_ROOT
from pbapp.formfields import UKDateField
from pbapp.pb.models import Ballot, Process
from tests.conftest import ROLE_EMAILS, login
from tests.factories import typed_date
from tests.pb import factories as pb_factories
from tests.sortition import factories as sortition_factories

UTC = timezone.utc

# Each date field of each form, and the test that types it through its page. A new date field must join.
COVERED = {
    ("BallotForm", "opens_at"): "test_an_officer_schedules_a_vote_in_uk_time_across_the_clock_change",
    ("BallotForm", "closes_at"): "test_an_officer_schedules_a_vote_in_uk_time_across_the_clock_change",
    ("ProcessForm", "proposals_from"): "test_the_phases_of_a_process_are_typed_as_dates",
    ("ProcessForm", "review_from"): "test_the_phases_of_a_process_are_typed_as_dates",
    ("ProcessForm", "voting_from"): "test_the_phases_of_a_process_are_typed_as_dates",
    ("ProcessForm", "results_from"): "test_the_phases_of_a_process_are_typed_as_dates",
    ("ProcessForm", "delivery_from"): "test_the_phases_of_a_process_are_typed_as_dates",
    ("RetentionForm", "retention_until"): "test_the_retention_date_is_typed_as_a_date",
    ("JuryForm", "starts_on"): "tests/juries/test_views.py::test_an_officer_creates_a_jury",
    ("JuryForm", "ends_on"): "tests/juries/test_views.py::test_an_officer_creates_a_jury",
    ("SessionForm", "held_on"): "tests/juries/test_views.py::test_invite_reply_confirm_attend_and_pay",
    ("RoundForm", "held_on"): "tests/deliberation/test_views.py (rounds)",
    ("ResponseForm", "decided_on"): "tests/ledger/test_views.py::test_officer_records_a_response_and_it_is_public",
    ("MilestoneForm", "due_on"): "tests/ledger/test_views.py::test_milestones_are_added_and_updated_with_evidence",
    (
        "MilestoneUpdateForm",
        "completed_on",
    ): "tests/ledger/test_views.py::test_milestones_are_added_and_updated_with_evidence",
    (
        "BudgetImportForm",
        "source_date",
    ): "tests/places/test_views.py::test_an_officer_adds_a_body_imports_its_budget_after_a_preview_and_maps_its_lines",
    ("MemberForm", "term_start"): "tests/places/test_committee.py::test_an_officer_runs_the_committee_from_its_page",
    ("MemberForm", "term_end"): "tests/places/test_committee.py::test_an_officer_runs_the_committee_from_its_page",
    ("MeetingForm", "held_on"): "tests/places/test_committee.py::test_an_officer_runs_the_committee_from_its_page",
    ("DecisionForm", "decided_on"): "tests/places/test_committee.py::test_an_officer_runs_the_committee_from_its_page",
    (
        "InquiryForm",
        "evidence_closes",
    ): "tests/places/test_inquiries.py::test_an_officer_runs_an_inquiry_from_an_accepted_petition_by_links",
    (
        "EvidenceSessionForm",
        "held_on",
    ): "tests/places/test_inquiries.py::test_an_officer_runs_an_inquiry_from_an_accepted_petition_by_links",
    (
        "RecommendationForm",
        "response_due",
    ): "tests/places/test_inquiries.py::test_an_officer_runs_an_inquiry_from_an_accepted_petition_by_links",
    (
        "BodyResponseForm",
        "responded_on",
    ): "tests/places/test_inquiries.py::test_an_officer_runs_an_inquiry_from_an_accepted_petition_by_links",
    (
        "BodyResponseForm",
        "action_by",
    ): "tests/places/test_inquiries.py::test_an_officer_runs_an_inquiry_from_an_accepted_petition_by_links",
    (
        "DrawForm",
        "term_start",
    ): "tests/places/test_inquiries.py::test_resident_members_are_drawn_by_lot_from_verified_volunteers",
    (
        "DrawForm",
        "term_end",
    ): "tests/places/test_inquiries.py::test_resident_members_are_drawn_by_lot_from_verified_volunteers",
}


def _date_fields() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(PACKAGE_ROOT.glob("*/forms.py")):  # every domain's forms, a new domain's too
        module = importlib.import_module(f"pbapp.{path.parent.name}.forms")
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__:
                for attr, value in vars(cls).items():
                    if getattr(value, "field_class", None) and issubclass(value.field_class, UKDateField):
                        found.add((cls_name, attr))
    return found


def test_every_date_field_is_a_uk_date_input_typed_by_a_test():
    assert _date_fields() == set(COVERED)
    code = "\n".join(p.read_text() for p in (PROJECT_ROOT / "pbapp").rglob("*.py"))
    assert not re.search(r"\b(DateField|DateTimeField|DateTimeLocalField)\(", code.replace("UKDate", "uk"))
    pages = "\n".join(p.read_text() for p in Path(PROJECT_ROOT / "templates").rglob("*.html"))
    assert 'type="date' not in pages and "input_type='date'" not in pages and "(UTC)" not in pages


def _errors(response) -> list[str]:
    return re.findall(r'govuk-error-message">.*?</p>', response.get_data(as_text=True), re.S)


def test_an_officer_schedules_a_vote_in_uk_time_across_the_clock_change(app, db, demo, client, login_as):
    process = pb_factories.process(app, db, demo)
    login_as("officer")
    settings = {"title": "Vote", "kind": "knapsack", "rule": "greedy", "utility": "cost", "eligibility": "codes"}
    page = client.get(f"/pb/{demo.slug}/manage/processes/{process.id}").get_data(as_text=True)
    assert 'id="opens_at-day"' in page and 'name="closes_at-time"' in page and "(UTC)" not in page
    response = client.post(
        f"/pb/{demo.slug}/manage/processes/{process.id}",
        data={
            **settings,
            **typed_date("opens_at", "2027-03-27", "9am"),
            **typed_date("closes_at", "2027-03-29", "17:00"),
        },
    )
    assert response.status_code == 303, _errors(response)
    ballot_id = int(response.location.rsplit("/", 1)[1])
    ballot = db.get(Ballot, ballot_id)
    db.commit()
    # Saturday before the clocks go forward is GMT; the Monday after is BST (UTC+1).
    assert ballot.opens_at.replace(tzinfo=UTC) == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert ballot.closes_at.replace(tzinfo=UTC) == datetime(2027, 3, 29, 16, 0, tzinfo=UTC)

    manage = client.get(f"/pb/{demo.slug}/manage/ballots/{ballot_id}").get_data(as_text=True)
    assert "Saturday 27 March 2027, 09:00" in manage and "Monday 29 March 2027, 17:00" in manage  # UK time
    settings_url = f"/pb/{demo.slug}/manage/ballots/{ballot_id}/settings"
    shown = client.get(settings_url).get_data(as_text=True)
    assert 'name="opens_at-time" type="text" value="09:00"' in shown
    assert 'name="closes_at-time" type="text" value="17:00"' in shown and 'name="closes_at-day"' in shown

    skipped = client.post(
        settings_url,
        data={
            **settings,
            **typed_date("opens_at", "2027-03-28", "01:30"),
            **typed_date("closes_at", "2027-04-01", "17:00"),
        },
    )
    text = skipped.get_data(as_text=True)
    assert skipped.status_code == 422 and "the clocks go forward" in text
    assert 'href="#opens_at-day"' in text and 'id="opens_at-day"' in text  # the summary's link has a target
    assert 'value="01:30"' in text  # what was typed comes back to be corrected

    autumn = client.post(
        settings_url,
        data={
            **settings,
            **typed_date("opens_at", "2027-10-30", "18:00"),
            **typed_date("closes_at", "2027-10-31", "1:30am"),
        },
    )
    assert autumn.status_code == 303, _errors(autumn)
    db.refresh(ballot)
    db.commit()
    assert ballot.opens_at.replace(tzinfo=UTC) == datetime(2027, 10, 30, 17, 0, tzinfo=UTC)
    assert ballot.closes_at.replace(tzinfo=UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # first 1:30, BST

    backwards = client.post(
        settings_url,
        data={
            **settings,
            **typed_date("opens_at", "2027-11-02", "09:00"),
            **typed_date("closes_at", "2027-11-01", "09:00"),
        },
    )
    assert backwards.status_code == 422 and "Voting must close after it opens" in backwards.get_data(as_text=True)


def test_the_phases_of_a_process_are_typed_as_dates(app, db, demo, client, login_as):
    login_as("officer")
    phases = {
        "proposals_from": "2027-01-04",
        "review_from": "2027-02-01",
        "voting_from": "2027-03-01",
        "results_from": "2027-04-05",
        "delivery_from": "2027-06-01",
    }
    typed = {k: v for name, day in phases.items() for k, v in typed_date(name, day).items()}
    bad = client.post(
        f"/pb/{demo.slug}/manage",
        data={
            "title": "Dated",
            "pot": "1000",
            "area_id": "",
            **typed,
            "voting_from-day": "31",
            "voting_from-month": "2",
        },
    )
    assert bad.status_code == 422 and "Voting opens must be a real date" in bad.get_data(as_text=True)
    assert 'href="#voting_from-day"' in bad.get_data(as_text=True)
    response = client.post(f"/pb/{demo.slug}/manage", data={"title": "Dated", "pot": "1000", "area_id": "", **typed})
    assert response.status_code == 303, _errors(response)
    process = db.get(Process, int(response.location.rsplit("/", 1)[1]))
    db.commit()
    assert {name: getattr(process, name) for name in phases} == {k: date.fromisoformat(v) for k, v in phases.items()}


def test_the_retention_date_is_typed_as_a_date(app, db, demo, client, login_as):
    pool = sortition_factories.pool(db, demo)
    login_as("officer")
    page = client.get(f"/sortition/{demo.slug}/pools/{pool.id}").get_data(as_text=True)
    assert 'name="retention_until-year"' in page
    url = f"/sortition/{demo.slug}/pools/{pool.id}/retention"
    assert client.post(url, data=typed_date("retention_until", "2028-03-31")).status_code == 303
    db.refresh(pool)
    db.commit()
    assert pool.retention_until == date(2028, 3, 31)
    refused = client.post(
        url,
        data={"retention_until-day": "31", "retention_until-month": "4", "retention_until-year": "2028"},
        follow_redirects=True,
    )
    db.refresh(pool)
    db.commit()
    assert "Enter a real date" in refused.get_data(as_text=True) and pool.retention_until == date(2028, 3, 31)


def _broken_app(make_app):
    from pbapp.councils.models import Council
    from pbapp.db import get_session
    from pbapp.pb.permissions import ANYONE
    from pbapp.security import requires

    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @requires(ANYONE)
    def broken():
        session = get_session()
        session.add(Council(slug="x" * 10, name=None, postcode_prefixes=""))
        session.flush()  # NOT NULL: the transaction fails and the session must be rolled back
        return "unreachable"

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    return app


def test_a_fault_inside_a_failed_transaction_shows_the_apps_error_page(make_app, demo):
    app = _broken_app(make_app)
    client = app.test_client()
    login(client, ROLE_EMAILS["officer"])  # signed in: the menu reads the database while the page renders
    response = client.get("/broken-for-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<title>Error: Sorry, there is a problem with the service" in page
    assert "govuk-header" in page and demo.name in page  # the full page, menu and all
    assert db_is_usable(app)


def db_is_usable(app) -> bool:
    with app.test_client() as client:
        return client.get("/").status_code == 200


def test_if_the_error_page_itself_fails_a_plain_page_is_shown(make_app, demo):
    app = _broken_app(make_app)

    def menu_fails():
        raise RuntimeError("menu down")

    app.jinja_env.globals["my_councils"] = menu_fails
    response = app.test_client().get("/broken-for-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "<title>Error: Sorry, there is a problem with the service" in page
    assert "Go to the start page" in page


def _summary_links_have_targets(html: str) -> list[str]:
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets, summary
    return [t for t in targets if f'id="{t}"' not in html]


def test_error_summary_links_of_radio_questions_reach_their_first_option(app, db, demo, client, login_as):
    from pbapp.ledger.models import RecordItem

    process = pb_factories.process(app, db, demo, proposals=1, reviewed=False)
    item = pb_factories.proposal(db, process)
    record = db.exec(select(RecordItem).where(RecordItem.source_ref.like("%school-routes"))).one()
    db.commit()
    login_as("officer")
    review = client.post(f"/pb/{demo.slug}/review/{item.id}", data={})
    assert review.status_code == 422 and 'href="#feasible-0"' in review.get_data(as_text=True)
    assert _summary_links_have_targets(review.get_data(as_text=True)) == []
    response = client.post(f"/ledger/{demo.slug}/register/{record.id}/response", data={})
    assert response.status_code == 422
    assert _summary_links_have_targets(response.get_data(as_text=True)) == []
