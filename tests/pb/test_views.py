"""pb pages through the test client: voting with a letter code, the meter, embargoed exports, officer flows."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from pbapp.db import get_engine
from pbapp.pb import services
from pbapp.pb.models import BallotLogEntry, Vote
from tests.conftest import login
from tests.pb import factories


def _enter_code(client, demo, ballot, code):
    return client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/code", data={"code": code})


def _count_votes(db, ballot):
    n = db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    return n


def test_vote_with_a_letter_code_check_answers_then_receipt(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}").get_data(as_text=True)
    assert "Code from your letter" in page
    assert _enter_code(client, demo, ballot, code).status_code == 303
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}").get_data(as_text=True)
    assert 'name="choice"' in page and "budget-meter" in page
    check = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/check", data={"choice": [refs[0], refs[1]]})
    assert check.status_code == 200 and "Check your answers" in check.get_data(as_text=True)
    sent = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/submit", data={"choice": [refs[0], refs[1]]})
    assert sent.status_code == 303
    receipt = client.get(sent.location).get_data(as_text=True)
    vote = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    assert vote.receipt in receipt and _count_votes(db, ballot) == 1


def test_a_submission_reads_the_ballot_once_per_worker_and_counts_in_one_statement(app, db, demo, client, monkeypatch):
    alone = []
    from pbapp.pb.services import voting

    execute_alone = voting.execute_alone
    monkeypatch.setattr(voting, "execute_alone", lambda *args: alone.append(args[0]) or execute_alone(*args))
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    _enter_code(client, demo, ballot, code)
    submit = f"/pb/{demo.slug}/ballots/{ballot.id}/submit"
    assert client.post(submit, data={"choice": [refs[0]]}).status_code == 303
    _enter_code(client, demo, ballot, code)  # the letter's session ended with the vote: changing it starts again
    statements = []
    listener = lambda _conn, _cursor, sql, *_args: statements.append(sql)  # noqa: E731
    event.listen(get_engine(app), "before_cursor_execute", listener)
    try:
        over_budget = client.post(submit, data={"choice": refs[:4]})
        changed = client.post(submit, data={"choice": [refs[1], refs[2]]})
    finally:
        event.remove(get_engine(app), "before_cursor_execute", listener)
    assert over_budget.status_code == 303 and over_budget.location.endswith(f"/ballots/{ballot.id}")
    assert changed.status_code == 303 and changed.location.endswith("/receipt")
    statements = [s for s in statements if "advisory" not in s]
    assert not any("pb_ballot_option" in s for s in statements)
    if db.get_bind().dialect.name == "postgresql":
        # The refused ballot touches no table; the counted one is a single statement in autocommit.
        assert statements == [] and alone == [services._PG_RECORD_BALLOT], statements
    else:
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert sum("FROM pb_ballot" in s for s in reads) == 1, reads  # the log's head, under the write lock
        assert len(statements) <= 6, statements
    vote = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    assert json.loads(vote.choices) == [refs[1], refs[2]] and vote.changes == 1


def test_over_budget_is_refused_without_javascript(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    _enter_code(client, demo, ballot, factories.codes(app, db, demo, ballot, size=1)[0])
    response = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/check", data={"choice": refs[:4]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "over the £100,000 budget" in html and "govuk-error-summary" in html
    assert all(f'value="{r}" aria-describedby="choice-{r}-hint" checked' in html for r in refs[:4])


def test_a_welsh_voter_is_told_in_welsh_what_to_fix(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    _enter_code(client, demo, ballot, factories.codes(app, db, demo, ballot, size=1)[0])
    client.get("/language/cy")
    response = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/check", data={"choice": refs[:4]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "£10,000 yn fwy na’r gyllideb o £100,000" in html
    assert "over the" not in html


def test_the_meter_fragment_for_htmx(app, db, demo, htmx_client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    response = htmx_client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/meter", data={"choice": refs[:4]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "£110,000 of £100,000" in html and "over the £100,000 budget" in html


def test_a_resident_outside_the_area_is_told_why(app, db, demo, client):
    far = factories.resident(db, demo, postcode="BB1 7DY")
    ballot = factories.ballot(app, db, demo, eligibility="residents")
    login(client, far.email)
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}").get_data(as_text=True)
    assert "not in Darwen and West Pennine" in page


def test_a_vote_after_closing_is_refused_even_by_a_worker_that_knows_the_ballot(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    _enter_code(client, demo, ballot, code)
    submit = f"/pb/{demo.slug}/ballots/{ballot.id}/submit"
    assert client.post(submit, data={"choice": [refs[0]]}).status_code == 303  # the worker now knows it is open
    _enter_code(client, demo, ballot, code)  # back to change the vote
    with app.test_request_context():
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
    late = client.post(submit, data={"choice": [refs[1]]})
    assert late.status_code == 409 and "not open for voting" in late.get_data(as_text=True)
    vote = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one()
    entries = db.exec(
        select(func.count()).select_from(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id)
    ).one()
    db.commit()
    assert json.loads(vote.choices) == [refs[0]] and vote.changes == 0 and entries == 1


def test_an_open_vote_shows_an_unmissable_warning(app, db, demo, client):
    ballot = factories.ballot(app, db, demo, eligibility="open")
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}").get_data(as_text=True)
    assert "This is an open vote" in page
    home = client.get(f"/councils/{demo.slug}/").get_data(as_text=True)
    assert "Open vote: no eligibility check" in home


def test_exports_obey_the_results_embargo(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    with app.test_request_context():
        for n, choice in enumerate([[refs[0]], [refs[1]], [refs[0], refs[2]]]):
            services.cast_vote(db, demo, ballot.id, services.Voter(f"{n:064d}", "code"), choice)
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
    base = f"/pb/{demo.slug}/ballots/{ballot.id}"
    for path in ("/results", "/results.csv", "/results.json", "/election.pb", "/log", "/log.json"):
        assert client.get(base + path).status_code == 404, path
    login_as("officer")
    assert client.post(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/publish").status_code == 303
    assert "Why each project" in client.get(base + "/results").get_data(as_text=True)
    assert client.get(base + "/election.pb").get_data(as_text=True).startswith("META")
    assert json.loads(client.get(base + "/results.json").data)["voters"] == 3
    assert "project_id,title" in client.get(base + "/results.csv").get_data(as_text=True)
    log = json.loads(client.get(base + "/log.json").data)
    receipt = log["entries"][0]["receipt"]
    assert "Your ballot is in the log" in client.post(base + "/log", data={"receipt": receipt}).get_data(as_text=True)


def test_officer_sets_up_reviews_and_opens_a_ballot(app, db, demo, client, login_as):
    login_as("officer")
    # A pot too large for any budget is refused at its box (20 digits once overflowed the database: a 500).
    huge = client.post(f"/pb/{demo.slug}/manage", data={"title": "Ward budget", "pot": "9" * 20, "area_id": ""})
    assert huge.status_code == 422 and "Enter an amount of £1,000,000,000,000 or less" in huge.get_data(as_text=True)
    response = client.post(f"/pb/{demo.slug}/manage", data={"title": "Ward budget", "pot": "50,000", "area_id": ""})
    assert response.status_code == 303
    process_id = int(response.location.rsplit("/", 1)[1])
    for n, cost in enumerate(("20000", "15000", "99999999")):
        assert client.post(
            f"/pb/{demo.slug}/processes/{process_id}/propose",
            data={"title": f"Idea {n}", "description": "Good", "estimated_cost": cost},
        ).status_code == (303 if n < 2 else 422)
    queue = client.get(f"/pb/{demo.slug}/review").get_data(as_text=True)
    ids = [int(x) for x in __import__("re").findall(r"/review/(\d+)\"", queue)]
    assert len(ids) == 2
    for pid in ids:
        assert client.post(f"/pb/{demo.slug}/review/{pid}", data={"feasible": "yes", "reason": ""}).status_code == 303
        assert client.post(f"/pb/{demo.slug}/review/{pid}/publish").status_code == 303
    response = client.post(
        f"/pb/{demo.slug}/manage/processes/{process_id}",
        data={"title": "Vote", "kind": "knapsack", "rule": "greedy", "utility": "cost", "eligibility": "codes"},
    )
    assert response.status_code == 303, __import__("re").findall(
        r'govuk-error-message">.*?</p>', response.get_data(as_text=True), __import__("re").S
    )
    ballot_id = int(response.location.rsplit("/", 1)[1])
    assert client.post(f"/pb/{demo.slug}/manage/ballots/{ballot_id}/open").status_code == 303
    refused = client.post(
        f"/pb/{demo.slug}/manage/ballots/{ballot_id}/settings",
        data={"title": "Changed", "kind": "knapsack", "rule": "equalshares", "utility": "cost", "eligibility": "open"},
    )
    assert refused.status_code == 422 and "frozen" in refused.get_data(as_text=True)
    assert client.post(f"/pb/{demo.slug}/manage/ballots/{ballot_id}/codes", data={"size": "5"}).status_code == 303
    from pbapp.pb.models import CodeBatch

    batch = db.exec(select(CodeBatch).where(CodeBatch.ballot_id == ballot_id)).one()
    assert (
        client.get(f"/pb/{demo.slug}/manage/ballots/{ballot_id}/codes/{batch.id}.csv")
        .get_data(as_text=True)
        .count("\n")
        == 6
    )


def test_other_councils_objects_are_not_found(app, db, demo, client, login_as):
    from tests import factories as base

    other = base.council(db)
    ballot = factories.ballot(app, db, demo)
    login_as("officer")
    assert client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}").status_code == 200
    base.user(db, email="o2@example.org", council=other, role="officer")
    client.post("/accounts/logout")
    login(client, "o2@example.org")
    assert client.get(f"/pb/{other.slug}/manage/ballots/{ballot.id}").status_code == 404


def test_many_parallel_votes_with_one_code_make_one_vote(app, db, demo, make_app):
    """Threads, each with its own client, race the same letter code: one vote row, no 500s."""
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    clients = []
    for _ in range(24):
        client = app.test_client()
        assert _enter_code(client, demo, ballot, code).status_code == 303
        clients.append(client)
    statuses, start = [], threading.Barrier(len(clients))

    def vote(client, n):
        start.wait()
        response = client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/submit", data={"choice": [refs[n % 5]]})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=vote, args=(c, n)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(set(statuses)) == [303] and len(statuses) == len(clients)
    assert _count_votes(db, ballot) == 1
    vote_row = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    assert vote_row.changes == len(clients) - 1  # every submission counted in turn, none lost


def test_a_verified_resident_votes_by_account_with_the_postcode_check(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo, eligibility="residents")
    refs = factories.refs(db, ballot)
    login_as("resident")
    assert 'name="choice"' in client.get(f"/pb/{demo.slug}/ballots/{ballot.id}").get_data(as_text=True)
    assert client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/submit", data={"choice": [refs[2]]}).status_code == 303
    assert client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/submit", data={"choice": [refs[3]]}).status_code == 303
    assert _count_votes(db, ballot) == 1


def test_an_ineligible_submission_goes_back_to_the_ballot(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    response = client.post(
        f"/pb/{demo.slug}/ballots/{ballot.id}/submit", data={"choice": factories.refs(db, ballot)[:1]}
    )
    assert response.status_code == 303 and _count_votes(db, ballot) == 0


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "VOTE_RATE_LIMIT": "3 per minute"}])
def test_vote_submission_is_rate_limited(app, db, demo, client):
    ballot = factories.ballot(app, db, demo)
    statuses = [client.post(f"/pb/{demo.slug}/ballots/{ballot.id}/submit", data={}).status_code for _ in range(4)]
    assert statuses[:3] == [303, 303, 303] and statuses[3] == 429


def test_officer_closes_counts_decides_with_a_reason_and_publishes(app, db, demo, client, login_as):
    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    with app.test_request_context():
        for n, choice in enumerate([[refs[0]], [refs[0], refs[1]], [refs[4]]]):
            services.cast_vote(db, demo, ballot.id, services.Voter(f"{n:064d}", "code"), choice)
    login_as("officer")
    base = f"/pb/{demo.slug}/manage/ballots/{ballot.id}"
    closed = client.post(base + "/close")
    assert closed.status_code == 303 and closed.location.endswith("/count")
    assert "The count is finished" in client.get(closed.location).get_data(as_text=True)
    assert "hx-get" not in client.get(closed.location, headers={"HX-Request": "true"}).get_data(as_text=True)
    refused = client.post(base + "/decision", data={"selected": [refs[4]], "reason": ""})
    assert refused.status_code == 422 and "Explain why" in refused.get_data(as_text=True)
    assert (
        client.post(
            base + "/decision", data={"selected": [refs[4]], "reason": "The other projects are funded by a grant."}
        ).status_code
        == 303
    )
    assert client.post(base + "/publish").status_code == 303
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results").get_data(as_text=True)
    assert "funded by a grant" in page and "<svg" in page


def test_an_officer_hides_a_proposal_with_a_reason(app, db, demo, client, login_as):
    process = factories.process(app, db, demo, proposals=1, reviewed=False)
    item = factories.proposal(db, process)
    login_as("officer")
    assert client.post(f"/pb/{demo.slug}/review/{item.id}/hide", data={"reason": ""}).status_code == 422
    assert (
        client.post(f"/pb/{demo.slug}/review/{item.id}/hide", data={"reason": "Names a private person"}).status_code
        == 303
    )
    client.post("/accounts/logout")
    assert client.get(f"/pb/{demo.slug}/proposals/{item.id}").status_code == 404
    assert "Project 1" not in client.get(f"/pb/{demo.slug}/processes/{process.id}").get_data(as_text=True)


def test_a_letter_vote_offers_a_visitor_an_account_first_so_the_vote_can_be_changed_without_the_letter(
    app, db, demo, client
):
    """Fault: a vote by letter gave visitors no way to sign in or sign up from the ballot, though only an account
    lets them change their vote later without the letter."""
    ballot = factories.ballot(app, db, demo)
    path = f"/pb/{demo.slug}/ballots/{ballot.id}"
    page = client.get(path).get_data(as_text=True)
    assert (
        f'href="/accounts/login?next={path.replace("/", "%2F")}"' in page
        or f'href="/accounts/login?next={path}"' in page
    )
    assert "change it later without the letter" in page
