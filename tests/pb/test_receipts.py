"""Receipts and the published log: true wording, a POST check, and a head and count that catch a cut log."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlmodel import select

from pbapp.audit import AuditEvent
from pbapp.core.chain import link_hash
from pbapp.pb import counting, services
from pbapp.pb.commands import verify_log_command
from pbapp.pb.models import BallotLogEntry
from tests.pb import factories


@pytest.fixture
def published(app, db, demo):
    """A counted and published ballot of four ballots (one voter changed their vote): three in the log."""
    ballot = factories.ballot(app, db, demo)
    r = factories.refs(db, ballot)
    with app.test_request_context():
        for key, choices in (("a", [r[0]]), ("b", [r[1], r[2]]), ("a", [r[0], r[3]]), ("c", [r[4]])):
            services.cast_vote(db, demo, ballot.id, services.Voter(key=key * 64, via="code"), choices)
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "u")
        document = services.published_log(db, demo, ballot.id)
    db.commit()
    return ballot, document


def _rechain(entries: list[dict]) -> list[dict]:
    """What a forger does: renumber and recompute every hash so the chain verifies on its own."""
    previous, out = "0" * 64, []
    for seq, entry in enumerate(entries, start=1):
        content = {
            "seq": seq,
            "voter": entry["voter"],
            "channel": entry["channel"],
            "choices": entry["choices"],
            "receipt": entry["receipt"],
        }
        digest = link_hash(previous, content)
        out.append({**content, "previous_hash": previous, "hash": digest})
        previous = digest
    return out


def _forged(document: dict, entries: list[dict]) -> dict:
    forged = {**document, "entries": _rechain(entries)}
    forged["head"] = forged["entries"][-1]["hash"]
    forged["result"] = counting.count(
        document["ballot"], document["options"], counting.final_ballots(forged["entries"])
    )
    return forged


def _verify(tmp_path, document: dict, *args: str):
    path = tmp_path / "log.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return CliRunner().invoke(verify_log_command, [str(path), *args])


def test_head_and_count_are_published_on_the_results_page_in_exports_and_in_the_audit_chain(
    app, db, demo, client, published
):
    ballot, document = published
    head, count = document["head"], len(document["entries"])
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results").get_data(as_text=True)
    assert head in page and f"--head {head} --count {count}" in page
    exported = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results.json").get_json()
    assert exported["log_head"] == head and exported["log_entries"] == count
    event = db.exec(
        select(AuditEvent).where(AuditEvent.action == "pb.results_published", AuditEvent.subject_id == str(ballot.id))
    ).one()
    db.commit()
    assert json.loads(event.payload)["log_head"] == head and json.loads(event.payload)["log_entries"] == count


@pytest.mark.parametrize("forgery", ["truncated", "ghosts appended"])
def test_verify_log_with_the_published_head_and_count_catches_a_recomputed_chain(tmp_path, published, forgery):
    _ballot, document = published
    head, count = document["head"], len(document["entries"])
    if forgery == "truncated":
        forged = _forged(document, document["entries"][:-1])
    else:
        ghost = {**document["entries"][1], "voter": "f" * 32, "receipt": "f" * 63 + "e"}
        forged = _forged(document, document["entries"] + [ghost, {**ghost, "voter": "e" * 32, "receipt": "f" * 64}])
    assert counting.verify_log(forged) == []  # on its own the forgery verifies: that is the fault
    result = _verify(tmp_path, forged, "--head", head, "--count", str(count))
    assert result.exit_code == 1
    assert "not the published log" in result.stderr and "were published with the results" in result.stderr
    assert _verify(tmp_path, document, "--head", head, "--count", str(count)).exit_code == 0


def test_verify_log_warns_when_run_without_the_published_head(tmp_path, published):
    _ballot, document = published
    result = _verify(tmp_path, document)
    assert result.exit_code == 0 and "--head and --count" in result.stderr


def test_the_receipt_says_it_shows_the_choices_to_whoever_holds_it(app, db, demo):
    ballot = factories.ballot(app, db, demo)
    [code] = factories.codes(app, db, demo, ballot, size=1)
    client = app.test_client()
    base = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(base + "/code", data={"code": code})
    sent = client.post(base + "/submit", data={"choice": factories.refs(db, ballot)[:1]})
    page = client.get(sent.location).get_data(as_text=True)
    assert "does not show how you voted" not in page
    assert "Anyone who has your receipt can find your ballot in the published log and see how you voted" in page


def test_the_receipt_check_is_a_post_that_keeps_the_receipt_out_of_the_url(app, client, demo, published):
    ballot, document = published
    url = f"/pb/{demo.slug}/ballots/{ballot.id}/log"
    page = client.get(url).get_data(as_text=True)
    assert 'method="post"' in page and 'method="get"' not in page
    receipt = document["entries"][0]["receipt"]
    assert "Your ballot is in the log" not in client.get(url, query_string={"receipt": receipt}).get_data(as_text=True)
    assert "Your ballot is in the log" not in client.post(url, data={"receipt": document["head"]}).get_data(
        as_text=True
    )
    found = client.post(url, data={"receipt": receipt})
    assert found.status_code == 200 and "Your ballot is in the log" in found.get_data(as_text=True)
    assert found.headers["Cache-Control"] == "no-store"
    empty = client.post(url, data={"receipt": ""})
    assert empty.status_code == 422 and "Enter your receipt" in empty.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["knapsack", "cumulative"])
def test_the_sealed_log_holds_each_voters_last_ballot_in_receipt_order(app, db, demo, kind):
    settings = {"kind": kind, "rule": "greedy", "total_points": 10} if kind == "cumulative" else {}
    ballot = factories.ballot(app, db, demo, **settings)
    r = factories.refs(db, ballot)
    last = {}
    with app.test_request_context():
        for n in range(12):
            choices = {r[n % 5]: 3, r[(n + 1) % 5]: 7} if kind == "cumulative" else [r[n % 5]]
            key = f"{n % 7:064d}"
            last[key] = (
                services.cast_vote(db, demo, ballot.id, services.Voter(key=key, via="code"), choices),
                json.dumps(choices, sort_keys=True),
            )
        assert not db.exec(
            select(BallotLogEntry).where(  # nothing is logged while voting is open
                BallotLogEntry.ballot_id == ballot.id
            )
        ).all()
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
    entries = db.exec(
        select(BallotLogEntry).where(BallotLogEntry.ballot_id == ballot.id).order_by(BallotLogEntry.seq)
    ).all()
    db.commit()
    assert [e.seq for e in entries] == list(range(1, 8))
    assert [(e.receipt, e.choices) for e in entries] == sorted(last.values())
    for entry in entries:
        assert entry.hash == link_hash(entry.previous_hash, entry.content()), entry.seq


@pytest.mark.parametrize("forgery", ["reordered", "a voter twice"])
def test_verify_log_refuses_a_sealed_log_out_of_receipt_order_or_with_a_voter_twice(published, forgery):
    _ballot, document = published
    entries = document["entries"]
    if forgery == "reordered":  # e.g. put back in the order ballots came
        forged = _forged(document, entries[::-1])
        expected = "not in the order of their receipts"
    else:
        forged = _forged(document, entries + [{**entries[0], "receipt": "f" * 64}])
        expected = "more than one entry"
    assert counting.verify_log(document) == []
    assert any(expected in problem for problem in counting.verify_log(forged)), counting.verify_log(forged)


def test_an_account_that_voted_with_its_letter_sees_its_new_receipt_after_changing_the_vote(app, db, demo, client):
    """Fault: the receipt page showed the first vote's receipt, kept in the session by the letter, after a change."""
    import re

    from pbapp.pb.models import Vote
    from tests.conftest import login

    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    db.commit()
    login(client, "resident@demo.example")
    page = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(f"{page}/code", data={"code": code})
    client.post(f"{page}/submit", data={"choice": [refs[0]]})
    first = re.search(r'id="receipt">([0-9a-f]+)<', client.get(f"{page}/receipt").get_data(as_text=True)).group(1)
    client.post(f"{page}/submit", data={"choice": [refs[1]]})  # the account keeps the letter's vote: no code
    second = client.get(f"{page}/receipt").get_data(as_text=True)
    # The sealed log is written at the count; until then the counted ballot's receipt is the vote's own.
    [current] = db.exec(select(Vote.receipt).where(Vote.ballot_id == ballot.id)).all()
    db.commit()
    assert current != first and current in second and first not in second


def test_the_receipt_says_the_vote_is_recorded_not_counted_before_any_count(app, db, demo, client):
    """Fault: "Your vote has been counted" was shown as soon as a vote was sent, long before the count."""
    ballot = factories.ballot(app, db, demo)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    refs = factories.refs(db, ballot)
    db.commit()
    page = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(f"{page}/code", data={"code": code})
    client.post(f"{page}/submit", data={"choice": [refs[0]]})
    receipt = client.get(f"{page}/receipt").get_data(as_text=True)
    assert "Your vote has been recorded" in receipt and "counted" not in receipt.split("<main")[1].split("</h1>")[0]


def test_an_account_that_voted_with_its_letter_is_not_told_to_enter_the_code_again(app, db, demo, client):
    """Fault: the receipt told a signed-in voter to enter the letter's code again to change the vote, though the
    account keeps it."""
    from tests.conftest import login

    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(app, db, demo, ballot, size=1)[0]
    db.commit()
    login(client, "resident@demo.example")
    page = f"/pb/{demo.slug}/ballots/{ballot.id}"
    client.post(f"{page}/code", data={"code": code})
    client.post(f"{page}/submit", data={"choice": [refs[0]]})
    receipt = client.get(f"{page}/receipt").get_data(as_text=True)
    assert "entering the code from your letter again" not in receipt
    assert "You can change your vote until voting closes; you will get a new receipt." in receipt
