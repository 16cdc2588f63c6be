"""Pabulib both ways through the app: a `.pb` file imported as a ballot, counted, published and exported.

The import is previewed first (nothing saved), refuses a bad file with its line, keeps no voter id
of the file, and the export carries META, `votes`/`score`/`selected` and keyed voter ids. Every
shared Pabulib file goes import -> count -> publish -> export -> the core reader: same votes,
same outcome (the small ones in the normal run, the big ones marked slow).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import pytest
from sqlmodel import func, select

from pbapp.core.ballots import pabulib, tally
from pbapp.pb import pabulib_export, pabulib_import, services
from pbapp.pb.models import ALLOCATION, Ballot, BallotOption, Result, Vote
from tests.core.ballots.conftest import FIXTURES, shared_files
from tests.pb import factories

SHARED = shared_files()
FAST = [
    p
    for p in SHARED
    if p.stem
    in {
        "Netherlands_Assen_2024",
        "Switzerland_Zurich_D10",
        "Switzerland_Zurich_S5R",
        "Worldwide_Mechanical_Turk_Utilities_8",
        "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals",
    }
]
BAD = b"META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;60\n2;40\nVOTES\nvoter_id;vote\na;1,3\n"


def _votes(election) -> Counter:
    """The ballots as a multiset, without voter ids: (projects, points) with points by project."""
    if election.vote_type in ("cumulative", "scoring"):
        return Counter(tuple(sorted(zip(v.projects, v.points or ()))) for v in election.votes)
    if election.vote_type == "ordinal":
        return Counter(tuple(v.projects) for v in election.votes)
    return Counter(tuple(sorted(v.projects)) for v in election.votes)


def _import_count_publish(app, db, demo, path, rule=None):
    """Import a file through the services, count it and publish it; return (ballot, original election)."""
    original = pabulib.read(path)
    process = factories.process(app, db, demo, proposals=0)
    officer = factories.officer(db)
    with app.test_request_context():
        token = pabulib_import.hold(db, demo, process.id, officer, data=path.read_bytes(), filename=path.name)
        rule = rule or pabulib_import.default_rule(original)
        done = pabulib_import.confirm(db, demo, process.id, token, officer, rule=rule, title="Imported")
        if not isinstance(done, Ballot):
            db.commit()
            done = db.get(Ballot, done.result_data()["ballot_id"])
        services.start_count(db, demo, done.id, officer)
        services.publish_results(db, demo, done.id, officer, url_of=lambda b: f"/results/{b.id}")
    db.commit()
    return db.get(Ballot, done.id), original


def _export(app, db, demo, ballot):
    with app.test_request_context():
        text, mimetype, name = services.export(db, demo, ballot.id, "pb")
    assert name.endswith(".pb")
    return text


def round_trip(app, db, demo, path) -> None:
    ballot, original = _import_count_publish(app, db, demo, path)
    text = _export(app, db, demo, ballot)
    again = pabulib.parse(text, source="export.pb")
    assert _votes(again) == _votes(original)
    assert [(p.id, p.cost) for p in again.projects] == [(p.id, p.cost) for p in original.projects]
    result = db.exec(select(Result).where(Result.ballot_id == ballot.id)).one()
    computed = json.loads(result.computed)["selected"]
    # The same outcome: the app's count, the exported file counted by the core, and the original file.
    assert list(tally(again, ballot.rule, seed=ballot.seed).selected) == computed
    assert list(tally(original, ballot.rule, seed=ballot.seed).selected) == computed
    assert [p.id for p in again.projects if p.fields["selected"] == "1"] == sorted(
        computed, key=[p.id for p in again.projects].index
    )
    assert again.meta["num_votes"] == str(len(original.votes)) and again.meta["rule"] == ballot.rule
    try:
        from pabutools.election import parse_pabulib_from_string
    except ImportError:
        return
    instance, profile = parse_pabulib_from_string(text)
    assert len(instance) == len(original.projects) and profile.num_ballots() == len(original.votes)


@pytest.mark.parametrize("path", FAST, ids=lambda p: p.stem)
def test_small_shared_files_round_trip_through_the_app(app, db, demo, path):
    round_trip(app, db, demo, path)


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in SHARED if p not in FAST], ids=lambda p: p.stem)
def test_every_shared_file_round_trips_through_the_app(app, db, demo, path):
    round_trip(app, db, demo, path)


def test_the_fast_set_covers_every_vote_type():
    if not SHARED:
        pytest.skip("shared Pabulib data is absent")
    assert {pabulib.read(p).vote_type for p in FAST} == {"approval", "cumulative", "ordinal"}


def test_imported_votes_keep_no_voter_id_of_the_file(app, db, demo):
    path = FIXTURES / "Netherlands_Assen_2024.pb"
    ballot, original = _import_count_publish(app, db, demo, path)
    rows = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).all()
    assert len(rows) == len(original.votes) and {r.channel for r in rows} == {pabulib_import.IMPORTED}
    keys = {r.voter_key for r in rows} | {r.receipt for r in rows} | {str(r.id) for r in rows}
    assert not keys & {v.voter_id for v in original.votes}
    text = _export(app, db, demo, ballot)
    exported = [line.split(";")[0] for line in text.split("VOTES\n", 1)[1].splitlines()[1:]]
    assert not set(exported) & {v.voter_id for v in original.votes}
    assert exported == sorted(exported) and len(set(exported)) == len(exported)
    # Stable: the same ids on the next export.
    assert _export(app, db, demo, ballot) == text


def test_export_carries_meta_and_counts(app, db, demo):
    path = FIXTURES / "Netherlands_Assen_2024.pb"
    ballot, original = _import_count_publish(app, db, demo, path, rule="greedy")
    again = pabulib.parse(_export(app, db, demo, ballot))
    for key in ("date_begin", "date_end", "language", "description", "vote_type", "rule", "budget", "currency"):
        assert again.meta.get(key), key
    assert again.meta["rule"] == "greedy" and again.meta["description"] == "Imported"
    assert again.project_columns[:6] == ("project_id", "cost", "name", "votes", "score", "selected")
    approvals = Counter(pid for v in original.votes for pid in v.projects)
    assert {p.id: int(p.fields["votes"]) for p in again.projects} == {p.id: approvals[p.id] for p in original.projects}


def test_an_allocation_ballot_exports_as_cumulative_pence(app, db, demo, client, login_as):
    from pbapp.ledger import services as ledger

    process = factories.process(app, db, demo, proposals=0)
    officer = factories.officer(db)
    with app.test_request_context():
        lines = ledger.budget_lines(db, demo.id)
        if len(lines) < 2:
            pytest.skip("the demo council has no budget lines")
        ballot = services.create_ballot(
            db,
            demo,
            process.id,
            officer,
            title="Split",
            kind=ALLOCATION,
            rule="mean",
            eligibility="codes",
            budget_pence=10_000,
        )
        services.open_ballot(db, demo, ballot.id, officer)
        refs = [
            o.ref
            for o in db.exec(
                select(BallotOption).where(BallotOption.ballot_id == ballot.id).order_by(BallotOption.position)
            ).all()
        ]
        first = {refs[0]: 6_000, refs[1]: 4_000}
        services.cast_vote(db, demo, ballot.id, services.Voter("a" * 64, "code"), first)
        services.cast_vote(db, demo, ballot.id, services.Voter("b" * 64, "code"), {refs[0]: 10_000})
        services.close_ballot(db, demo, ballot.id, officer)
        services.publish_results(db, demo, ballot.id, officer, url_of=lambda b: "/r")
    again = pabulib.parse(_export(app, db, demo, db.get(Ballot, ballot.id)))
    assert again.vote_type == "cumulative" and again.meta["max_sum_points"] == "10000"
    assert sorted(sorted(zip(v.projects, v.points)) for v in again.votes) == sorted(
        [sorted(first.items()), [(refs[0], 10_000)]]
    )
    assert {p.id: p.fields["selected"] for p in again.projects}[refs[0]] == "1"


def _counts(db):
    db.commit()
    found = (
        db.exec(select(func.count()).select_from(Ballot)).one(),
        db.exec(select(func.count()).select_from(Vote)).one(),
    )
    db.commit()
    return found


def test_the_import_journey_previews_then_imports(app, db, demo, client, login_as):
    process = factories.process(app, db, demo, proposals=0)
    login_as("officer")
    manage = client.get(f"/pb/{demo.slug}/manage/processes/{process.id}").get_data(as_text=True)
    upload = f"/pb/{demo.slug}/manage/processes/{process.id}/import"
    assert upload in manage
    before = _counts(db)
    bad = client.post(upload, data={"file": (io.BytesIO(BAD), "bad.pb")}, content_type="multipart/form-data")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "bad.pb, line 11" in page and "not in PROJECTS" in page
    assert _counts(db) == before
    data = (FIXTURES / "Netherlands_Assen_2024.pb").read_bytes()
    held = client.post(upload, data={"file": (io.BytesIO(data), "assen.pb")}, content_type="multipart/form-data")
    assert held.status_code == 303
    preview = client.get(held.location)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "84" in text and "Funded" in text
    assert _counts(db) == before
    token = held.location.rsplit("/", 1)[1]
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)
    # Showing the outcome by another rule imports nothing.
    other = client.post(
        held.location, data={"csrf_token": csrf, "title": "Assen 2024", "rule": "phragmen", "action": "preview"}
    )
    assert other.status_code == 200 and "Projects in the file" in other.get_data(as_text=True)
    assert _counts(db) == before
    done = client.post(
        held.location, data={"csrf_token": csrf, "title": "Assen 2024", "rule": "greedy", "action": "import"}
    )
    assert done.status_code == 303 and "/manage/ballots/" in done.location
    assert _counts(db)[1] == before[1] + 84
    # The held file is gone once used.
    assert client.get(f"/pb/{demo.slug}/manage/processes/{process.id}/import/{token}").status_code == 404


def test_a_large_file_imports_as_a_job(app, db, demo, monkeypatch):
    monkeypatch.setattr(pabulib_import, "VOTES_IN_REQUEST", 10)
    ballot, original = _import_count_publish(app, db, demo, FIXTURES / "Netherlands_Assen_2024.pb")
    assert db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one() == 84
    assert pabulib_export.VOTE_TYPES[ballot.kind] == "approval"


THRESHOLD = (
    "META\nkey;value\nbudget;100\nvote_type;approval\nrule;greedy-threshold\nmin_project_score_threshold;2\n"
    "PROJECTS\nproject_id;cost;name\n1;10;Benches\n2;10;Lights\nVOTES\nvoter_id;vote\na;1,2\nb;1\n"
)


def test_the_files_score_threshold_counts_and_is_exported(app, db, demo, tmp_path):
    path = tmp_path / "threshold.pb"
    path.write_text(THRESHOLD, encoding="utf-8")
    ballot, _original = _import_count_publish(app, db, demo, path)
    result = db.exec(select(Result).where(Result.ballot_id == ballot.id)).one()
    # Lights has one vote, under the threshold of 2: not funded though the money is there.
    assert json.loads(result.computed)["selected"] == ["1"]
    again = pabulib.parse(_export(app, db, demo, ballot))
    assert again.meta["min_project_score_threshold"] == "2"
    assert {p.id: p.fields["selected"] for p in again.projects} == {"1": "1", "2": "0"}
    with app.test_request_context():
        log = services.published_log(db, demo, ballot.id)
    from pbapp.pb import counting

    assert counting.verify_log(log, head=result.log_head, count_=2) == []
