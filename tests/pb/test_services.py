"""Use cases of pb: phases, reviews, frozen ballots, eligibility, one vote per voter, counting and publishing."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.pb import counting, services
from pbapp.pb.services import normalise_code as normalise
from pbapp.pb.models import Result, Vote, VotingCode
from tests import factories as base
from tests.pb import factories


@pytest.fixture
def ctx(app, demo):
    with app.test_request_context():
        yield app


def _votes(db, ballot):
    n = db.exec(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id)).one()
    db.commit()
    return n


def test_a_review_is_a_draft_until_published_with_reasons(ctx, db, demo):
    process = factories.process(ctx, db, demo, proposals=1, reviewed=False)
    item = factories.proposal(db, process)
    officer = factories.officer(db)
    assert [p.id for p, _ in services.review_queue(db, demo)] == [item.id]
    services.save_review(db, demo, item.id, officer, feasible=False, reviewed_cost_pence=None, reason="")
    assert services.get_proposal(db, demo, item.id).status == "submitted"
    with pytest.raises(Invalid, match="Explain why"):
        services.publish_review(db, demo, item.id, officer)
    services.save_review(
        db,
        demo,
        item.id,
        officer,
        feasible=False,
        reviewed_cost_pence=None,
        reason="The land belongs to the canal trust.",
    )
    published = services.publish_review(db, demo, item.id, officer)
    assert published.status == "not_feasible" and published.review_published_at
    assert services.review_queue(db, demo) == []


def test_the_review_queue_spans_every_open_neighbourhood_budget(ctx, db, demo):
    one = factories.process(ctx, db, demo, area=factories.neighbourhood(db, demo), proposals=1, reviewed=False)
    two = factories.process(
        ctx, db, demo, area=factories.neighbourhood(db, demo, "Blackburn North and East"), proposals=2, reviewed=False
    )
    queue = services.review_queue(db, demo)
    assert {pr.id for _, pr in queue} == {one.id, two.id} and len(queue) == 3


def test_proposals_only_in_the_proposals_phase(ctx, db, demo):
    process = factories.process(ctx, db, demo, proposals=0)
    services.set_phase(db, demo, process.id, "review", factories.officer(db))
    with pytest.raises(Conflict, match="not taking proposals"):
        services.submit_proposal(
            db, demo, process.id, factories.officer(db), title="x", description="y", estimated_cost_pence=100
        )


def test_ballot_rules_freeze_when_voting_opens(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)
    with pytest.raises(Conflict, match="frozen"):
        services.update_ballot(
            db, demo, ballot.id, factories.officer(db), title="New", kind="knapsack", rule="greedy", eligibility="open"
        )
    assert services.get_ballot(db, demo, ballot.id).rule == "equalshares"


def test_a_ballot_needs_two_feasible_proposals(ctx, db, demo):
    process = factories.process(ctx, db, demo, proposals=1)
    with pytest.raises(Conflict, match="at least two"):
        factories.ballot(ctx, db, demo, process_=process)


def test_eligibility_is_checked_by_verified_postcode(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo, eligibility="residents")
    process = services.get_process(db, demo, ballot.process_id)
    resident = base.user_by_email(db, "resident@demo.example")  # BB3 1AA: Darwen East, verified by the seed
    assert services.eligibility(db, demo, ballot, process, resident, None).voter is not None
    # The account's own postcode is not evidence: the verified one is.
    outsider = factories.resident(db, demo, postcode="BB1 7DY")
    outsider.postcode = "BB3 1AA"
    refused = services.eligibility(db, demo, ballot, process, outsider, None)
    assert refused.voter is None and "not in Darwen and West Pennine" in refused.reason and not refused.can_use_code


def test_with_imported_postcodes_the_directory_decides_the_neighbourhood(ctx, db, demo):
    from pbapp.councils.models import Area, Postcode

    ballot = factories.ballot(ctx, db, demo, eligibility="residents")
    process = services.get_process(db, demo, ballot.process_id)
    inside = db.exec(select(Area).where(Area.neighbourhood_id == process.area_id).order_by(Area.name)).first()
    outside = db.exec(
        select(Area).where(Area.council_id == demo.id, Area.kind == "ward", Area.neighbourhood_id != process.area_id)
    ).first()
    # The directory puts BB3 1AA (Darwen East by the demo's prefixes) in a ward outside the neighbourhood.
    db.add_all(
        [
            Postcode(council_id=demo.id, postcode="BB31AA", ward_id=outside.id),
            Postcode(council_id=demo.id, postcode="BB17DY", ward_id=inside.id),
        ]
    )
    db.commit()
    resident = base.user_by_email(db, "resident@demo.example")  # BB3 1AA
    refused = services.eligibility(db, demo, ballot, process, resident, None)
    assert refused.voter is None and "not in" in refused.reason
    moved = factories.resident(db, demo, postcode="BB1 7DY")
    allowed = services.eligibility(db, demo, ballot, process, moved, None)
    assert allowed.voter is not None and allowed.voter.area_id == inside.id


def test_one_vote_per_voter_changeable_until_close(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)
    refs = factories.refs(db, ballot)
    code = factories.codes(ctx, db, demo, ballot, size=1)[0]
    voter = services.enter_code(db, demo, ballot.id, code.lower().replace("-", " "))
    first = services.cast_vote(db, demo, ballot.id, voter, [refs[0]])
    second = services.cast_vote(db, demo, ballot.id, voter, [refs[1], refs[2]])
    assert first != second and _votes(db, ballot) == 1
    vote = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one()
    assert json.loads(vote.choices) == [refs[1], refs[2]] and vote.changes == 1 and vote.receipt == second
    assert db.exec(select(VotingCode).where(VotingCode.ballot_id == ballot.id)).one().used
    assert len(vote.voter_key) == 64 and normalise(code) not in vote.voter_key
    db.commit()
    services.close_ballot(db, demo, ballot.id, factories.officer(db))
    with pytest.raises(Conflict, match="not open"):
        services.cast_vote(db, demo, ballot.id, voter, [refs[0]])


def test_a_wrong_code_is_refused(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)
    with pytest.raises(Invalid, match="exactly as it is printed"):
        services.enter_code(db, demo, ballot.id, "NOPE-NOPE-NOPE")


@pytest.mark.parametrize(
    "pick, message",
    [
        (lambda r: r[:4], "over the £100,000 budget"),
        (lambda r: ["p999"], "There is no choice “p999”"),
    ],
)
def test_invalid_ballots_are_refused_with_the_engine_message(ctx, db, demo, pick, message):
    ballot = factories.ballot(ctx, db, demo)
    voter = services.Voter(key="k" * 64, via="code")
    with pytest.raises(Invalid, match=message):
        services.cast_vote(db, demo, ballot.id, voter, pick(factories.refs(db, ballot)))
    assert _votes(db, ballot) == 0


def test_paper_ballots_need_two_matching_keyings_by_different_officers(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)
    refs = factories.refs(db, ballot)
    officer, admin = factories.officer(db), base.user_by_email(db, "admin@demo.example")
    services.key_paper_ballot(
        db, demo, ballot.id, officer, paper_ref="a1", channel="paper", area_id=None, choices=[refs[0]]
    )
    with pytest.raises(NotAllowed, match="different officer"):
        services.key_paper_ballot(
            db, demo, ballot.id, officer, paper_ref="A1", channel="paper", area_id=None, choices=[refs[0]]
        )
    entry = services.key_paper_ballot(
        db, demo, ballot.id, admin, paper_ref="A1", channel="paper", area_id=None, choices=[refs[1]]
    )
    assert entry.status == "mismatch" and _votes(db, ballot) == 0
    entry = services.key_paper_ballot(
        db, demo, ballot.id, admin, paper_ref="A1", channel="paper", area_id=None, choices=[refs[0]]
    )
    assert entry.status == "matched" and _votes(db, ballot) == 1
    assert db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one().channel == "paper"


def _vote_and_close(ctx, db, demo, ballot, ballots):
    for n, choices in enumerate(ballots):
        services.cast_vote(db, demo, ballot.id, services.Voter(key=f"{n:064d}", via="code"), choices)
    services.close_ballot(db, demo, ballot.id, factories.officer(db))


def test_close_counts_and_publish_sends_funded_projects_to_the_record(ctx, db, demo):
    from pbapp.ledger.models import RecordItem

    ballot = factories.ballot(ctx, db, demo, partial_funding=True)
    r = factories.refs(db, ballot)
    _vote_and_close(ctx, db, demo, ballot, [[r[0], r[1]], [r[0]], [r[2], r[3]], [r[4]]])
    with pytest.raises(NotFound):
        services.export(db, demo, ballot.id, "json")
    result = db.exec(select(Result).where(Result.ballot_id == ballot.id)).one()
    db.commit()
    computed = json.loads(result.computed)
    assert result.voters == 4 and computed["selected"] and computed["explanations"][r[0]]["reason"]
    with pytest.raises(Invalid, match="Explain why"):
        services.record_decision(db, demo, ballot.id, factories.officer(db), selected=[r[4]], reason="")
    services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "https://example.org/r")
    items = db.exec(select(RecordItem).where(RecordItem.source_ref.like(f"pb:{ballot.process_id}:%"))).all()
    assert sorted(i.source_ref for i in items) == sorted(
        f"pb:{ballot.process_id}:{ref}" for ref in computed["selected"]
    )
    assert services.get_process(db, demo, ballot.process_id).phase == "results"


def test_the_published_log_recounts_to_the_result_and_detects_tampering(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)
    r = factories.refs(db, ballot)
    _vote_and_close(ctx, db, demo, ballot, [[r[0]], [r[1], r[2]], [r[0], r[3]]])
    services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "u")
    document = services.published_log(db, demo, ballot.id)
    assert counting.verify_log(document) == []
    document["entries"][1]["choices"] = [r[4]]  # no voter chose this alone (the sealed log's order is random)
    assert "chain breaks at entry 2" in counting.verify_log(document)[0]


def test_publishing_refuses_a_stale_count_or_unmatched_paper(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)
    r = factories.refs(db, ballot)
    _vote_and_close(ctx, db, demo, ballot, [[r[0]], [r[1]]])
    services.key_paper_ballot(
        db, demo, ballot.id, factories.officer(db), paper_ref="9", channel="booth", area_id=None, choices=[r[2]]
    )
    with pytest.raises(Conflict, match="second keying"):
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "u")
    services.key_paper_ballot(
        db,
        demo,
        ballot.id,
        base.user_by_email(db, "admin@demo.example"),
        paper_ref="9",
        channel="booth",
        area_id=None,
        choices=[r[2]],
    )
    with pytest.raises(Conflict, match="Count again"):
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "u")
    services.start_count(db, demo, ballot.id, factories.officer(db))
    services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "u")
    assert services.results_view(db, demo, ballot.id).turnout["channels"] == {"online": 2, "booth": 1}


def test_a_ballot_counted_as_cast_before_the_upgrade_must_be_counted_again_before_publishing(ctx, db, demo):
    from pbapp.pb.models import LOG_SEALED_AT_COUNT, BallotLogEntry

    ballot = factories.ballot(ctx, db, demo)
    r = factories.refs(db, ballot)
    _vote_and_close(ctx, db, demo, ballot, [[r[0]], [r[1]], [r[2]]])
    # What migration 0012 leaves of a ballot counted, not published, with its log chained as cast:
    # the result of that count (and its head), the ballot moved to sealed logs, the log as cast gone.
    result = db.exec(select(Result).where(Result.ballot_id == ballot.id)).one()
    result.log_head = "ab" * 32
    ballot.log_format = LOG_SEALED_AT_COUNT
    db.add_all([result, ballot])
    db.execute(BallotLogEntry.__table__.delete().where(BallotLogEntry.ballot_id == ballot.id))
    db.commit()
    with pytest.raises(Conflict, match="counted before its log was sealed at the count. Count it again"):
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "u")
    services.start_count(db, demo, ballot.id, factories.officer(db))
    db.expire_all()  # the count ran in a session of its own; publishing comes in a request of its own
    services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "u")
    assert len(services.published_log(db, demo, ballot.id)["entries"]) == 3


def test_ballot_order_is_random_per_voter_but_stable(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo)
    options = services.options_of(db, ballot)
    orders = {tuple(o.ref for o in services.ordered_for(options, f"voter-{n}")) for n in range(20)}
    assert len(orders) > 5
    assert services.ordered_for(options, "same") == services.ordered_for(options, "same")


def test_allocation_ballot_across_budget_lines(ctx, db, demo):
    ballot = factories.ballot(ctx, db, demo, kind="allocation", rule="independent-markets", budget_pence=300_00)
    r = factories.refs(db, ballot)
    assert len(r) >= 2
    with pytest.raises(Invalid, match="must add up to £300"):
        services.cast_vote(db, demo, ballot.id, services.Voter("a" * 64, "code"), {r[0]: 100_00})
    _vote_and_close(ctx, db, demo, ballot, [{r[0]: 300_00}, {r[1]: 150_00, r[0]: 150_00}, {r[0]: 100_00, r[1]: 200_00}])
    computed = json.loads(db.exec(select(Result).where(Result.ballot_id == ballot.id)).one().computed)
    assert sum(computed["allocation"].values()) == 300_00


def test_the_demo_seed_has_a_counted_neighbourhood_budget_and_an_open_vote(app, make_app):
    import time

    from pbapp.councils.services import get_council
    from pbapp.db import standalone_session
    from pbapp.pb.models import Ballot, Process
    from pbapp.pb.seed import neighbourhood_title
    from pbapp.seed import seed_demo

    app = make_app(PB_DEMO_BALLOTS=3000)
    started = time.perf_counter()
    seed_demo(app)
    assert time.perf_counter() - started < 120
    with app.test_request_context(), standalone_session(app) as session:
        council = get_council(session, "blackburn-with-darwen")
        process = session.exec(select(Process).where(Process.title == neighbourhood_title())).one()
        ballot = session.exec(select(Ballot).where(Ballot.process_id == process.id)).one()
        view = services.results_view(session, council, ballot.id)
        assert view.result.voters == 3000 and view.turnout["channels"]["online"] > 2500
        assert view.computed["rule"] == "equalshares/add1" and len(view.official) >= 5
        assert counting.verify_log(services.published_log(session, council, ballot.id)) == []
        open_items = services.open_now(session, council)
        assert any(kind == "ballot" and item.title.startswith("Share 100 points") for kind, item, _ in open_items)
    seed_demo(app)  # idempotent
