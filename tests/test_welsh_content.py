"""Officer-entered content in Welsh: a Welsh reader of the demo's public pages sees the Welsh version
wherever one exists, and the demo has Welsh versions of its public content."""

from __future__ import annotations

import pytest
from flask import url_for
from markupsafe import escape
from sqlmodel import select

from pbapp.deliberation.models import Evidence, PollOption, Recommendation, RecommendationVersion, StrawPoll
from pbapp.juries.models import Jury, JurySession
from pbapp.ledger.models import BudgetBook, BudgetLine, Milestone, RecordItem, Response
from pbapp.pb.models import Ballot, BallotOption, Process, Proposal

# Every model's public text that has a Welsh version: (model, English field, Welsh field).
WELSH_FIELDS = [
    (Process, "title", "title_cy"),
    (Process, "description", "description_cy"),
    (Proposal, "title", "title_cy"),
    (Proposal, "description", "description_cy"),
    (Ballot, "title", "title_cy"),
    (BallotOption, "title", "title_cy"),
    (BallotOption, "description", "description_cy"),
    (Jury, "remit", "remit_cy"),
    (JurySession, "title", "title_cy"),
    (Evidence, "title", "title_cy"),
    (Evidence, "summary", "summary_cy"),
    (StrawPoll, "question", "question_cy"),
    (PollOption, "label", "label_cy"),
    (RecommendationVersion, "title", "title_cy"),
    (RecommendationVersion, "text", "text_cy"),
    (BudgetBook, "title", "title_cy"),
    (BudgetLine, "name", "name_cy"),
    (RecordItem, "title", "title_cy"),
    (RecordItem, "summary", "summary_cy"),
    (Response, "reasons", "reasons_cy"),
    (Milestone, "title", "title_cy"),
]


def _pairs(db) -> list[tuple[str, str]]:
    """(English, Welsh) of every filled Welsh version in the database, longest first."""
    found = set()
    for model, english, welsh in WELSH_FIELDS:
        for row in db.exec(select(model)).all():
            en, cy = getattr(row, english) or "", getattr(row, welsh) or ""
            if cy.strip() and en.strip() and en != cy:
                found.add((en, cy))
    return sorted(found, key=lambda pair: -len(pair[0]))


def _public_pages(app, db, demo) -> list[str]:
    slug = demo.slug
    processes = db.exec(select(Process).where(Process.council_id == demo.id)).all()
    ballots = db.exec(select(Ballot).where(Ballot.council_id == demo.id)).all()
    proposals = db.exec(
        select(Proposal).where(Proposal.council_id == demo.id, Proposal.review_published_at.is_not(None))
    ).all()
    juries = db.exec(select(Jury).where(Jury.council_id == demo.id)).all()
    decided = {r.jury_id for r in db.exec(select(Recommendation).where(Recommendation.decided_at.is_not(None))).all()}
    evidence = db.exec(select(Evidence).where(Evidence.published_at.is_not(None))).all()
    books = db.exec(select(BudgetBook).where(BudgetBook.council_id == demo.id)).all()
    items = db.exec(select(RecordItem).where(RecordItem.council_id == demo.id)).all()
    with app.test_request_context():
        urls = [
            url_for("pb.index", council=slug),
            url_for("ledger.glance", council=slug),
            url_for("ledger.books", council=slug),
            url_for("ledger.register", council=slug),
        ]
        urls += [url_for("pb.process", council=slug, process_id=p.id) for p in processes]
        urls += [url_for("pb.proposal", council=slug, proposal_id=p.id) for p in proposals]
        urls += [url_for("pb.ballot", council=slug, ballot_id=b.id) for b in ballots]
        urls += [url_for("pb.results", council=slug, ballot_id=b.id) for b in ballots if b.results_published_at]
        urls += [url_for("juries.about", council=slug, jury_id=j.id) for j in juries]
        urls += [url_for("deliberation.public_jury", council=slug, jury_id=j) for j in decided]
        urls += [url_for("deliberation.evidence", council=slug, jury_id=e.jury_id, evidence_id=e.id) for e in evidence]
        urls += [url_for("ledger.book", council=slug, book_id=b.id) for b in books]
        urls += [url_for("ledger.item", council=slug, item_id=i.id) for i in items]
    return urls


def test_the_demo_has_welsh_versions_of_its_public_content(db, demo):
    for model, english, welsh in WELSH_FIELDS:
        rows = [r for r in db.exec(select(model)).all() if (getattr(r, english) or "").strip()]
        if model is BudgetLine:
            rows = [r for r in rows if r.council_id == demo.id]
        missing = [getattr(r, english) for r in rows if not (getattr(r, welsh) or "").strip()]
        assert rows, model.__name__
        assert not missing, (model.__name__, english, missing[:5])


def test_a_welsh_reader_sees_the_welsh_version_wherever_there_is_one(app, client, db, demo):
    pairs = _pairs(db)
    assert len(pairs) > 100
    pages = _public_pages(app, db, demo)
    shown, english_left, welsh_missing = 0, [], []
    for url in pages:
        client.get("/language/en")
        english_page = client.get(url)
        assert english_page.status_code == 200, url
        english_html = english_page.get_data(as_text=True)
        client.get("/language/cy")
        welsh_page = client.get(url)
        assert welsh_page.status_code == 200, url
        welsh_html = welsh_page.get_data(as_text=True)
        assert '<html lang="cy"' in welsh_html
        for en, cy in pairs:  # longest first; each text found is blanked so shorter ones inside it are not counted
            if str(escape(en)) not in english_html:
                continue
            english_html = english_html.replace(str(escape(en)), "\x00")
            shown += 1
            if str(escape(en)) in welsh_html and not any(en in other_cy for _en, other_cy in pairs):
                english_left.append((url, en))
            if str(escape(cy))[:200] not in welsh_html:
                welsh_missing.append((url, cy))
    assert not english_left, "\n".join(sorted({u for u, _e in english_left}) + sorted({e for _u, e in english_left}))
    assert not welsh_missing
    assert shown > 50


@pytest.mark.parametrize("field", ["title", "description"])
def test_english_shows_when_the_welsh_version_is_empty(app, client, db, demo, field):
    proposal = db.exec(
        select(Proposal).where(Proposal.council_id == demo.id, Proposal.review_published_at.is_not(None))
    ).first()
    setattr(proposal, f"{field}_cy", "")
    db.add(proposal)
    db.commit()
    client.get("/language/cy")
    with app.test_request_context():
        url = url_for("pb.proposal", council=demo.slug, proposal_id=proposal.id)
    html = client.get(url).get_data(as_text=True)
    assert str(escape(getattr(proposal, field))) in html


def test_an_officer_enters_welsh_beside_the_english_and_welsh_readers_see_it(client, db, demo, login_as):
    from datetime import date

    from tests.factories import typed_date

    item = db.exec(select(RecordItem).where(RecordItem.source_ref.like("%school-routes"))).one()
    db.commit()
    login_as("officer")
    form = client.get(f"/ledger/{demo.slug}/register/{item.id}/response").get_data(as_text=True)
    assert 'name="reasons_cy"' in form and 'lang="cy"' in form
    sent = client.post(
        f"/ledger/{demo.slug}/register/{item.id}/response",
        data={
            "outcome": "accepted",
            "reasons": "One crossing this year.",
            "reasons_cy": "Un groesfan eleni.",
            "decided_by": "cabinet",
            **typed_date("decided_on", date(2026, 11, 2)),
        },
    )
    assert sent.status_code == 303
    added = client.post(
        f"/ledger/{demo.slug}/register/{item.id}/milestones",
        data={
            "title": "Tell residents",
            "title_cy": "Dweud wrth drigolion",
            **typed_date("due_on", "2026-12-01"),
            "status": "not_started",
        },
    )
    assert added.status_code == 303
    client.post("/accounts/logout")
    client.get("/language/cy")
    welsh = client.get(f"/ledger/{demo.slug}/register/{item.id}").get_data(as_text=True)
    assert "Un groesfan eleni." in welsh and "One crossing this year." not in welsh
    assert "Dweud wrth drigolion" in welsh and "Tell residents" not in welsh
    client.get("/language/en")
    english = client.get(f"/ledger/{demo.slug}/register/{item.id}").get_data(as_text=True)
    assert "One crossing this year." in english and "Un groesfan eleni." not in english


def test_a_new_jury_takes_its_remit_in_welsh(db, demo):
    from datetime import timedelta

    from pbapp.juries import services as juries
    from pbapp.timeutil import utcnow

    today = utcnow().date()
    jury = juries.create_jury(
        db,
        demo,
        remit="Should the borough plant more trees?",
        panel_size=12,
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=60),
        facilitator_id=None,
        remit_cy="  A ddylai'r fwrdeistref blannu   mwy o goed? ",
    )
    assert jury.remit_cy == "A ddylai'r fwrdeistref blannu mwy o goed?"


def test_the_api_carries_the_welsh_versions(client, db, demo):
    processes = client.get(f"/api/v1/councils/{demo.slug}/processes").get_json()["data"]
    assert processes and all(p["title_cy"] for p in processes)
    assert {p["title_cy"] for p in processes} == {
        p.title_cy for p in db.exec(select(Process).where(Process.council_id == demo.id)).all()
    }
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "title_cy" in spec["components"]["schemas"]["Process"]["properties"]


def test_the_open_data_column_types_are_in_welsh(client, demo):
    client.get("/language/cy")
    html = client.get(f"/ledger/{demo.slug}/open-data").get_data(as_text=True)
    assert "rhif cyfan" in html and "testun" in html
    assert "whole number" not in html


def test_english_shown_to_a_welsh_reader_is_marked_as_english_and_stays_escaped(app, client, db, demo):
    proposal = db.exec(
        select(Proposal).where(Proposal.council_id == demo.id, Proposal.review_published_at.is_not(None))
    ).first()
    proposal.title, proposal.title_cy = "Benches <b>& bins</b>", ""
    db.add(proposal)
    db.commit()
    with app.test_request_context():
        url = url_for("pb.proposal", council=demo.slug, proposal_id=proposal.id)
    client.get("/language/cy")
    welsh = client.get(url).get_data(as_text=True)
    assert '<span lang="en">Benches &lt;b&gt;&amp; bins&lt;/b&gt;</span>' in welsh
    assert "<b>& bins</b>" not in welsh
    assert f'<span lang="en">{escape(proposal.description)}' not in welsh  # its Welsh description is shown
    client.get("/language/en")
    english = client.get(url).get_data(as_text=True)
    assert "Benches &lt;b&gt;&amp; bins&lt;/b&gt;" in english and '<span lang="en">' not in english
