"""Deliberation use cases: rounds, evidence, questions, straw polls and recommendations, with who may act."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pbapp.audit import AuditEvent
from pbapp.accounts.models import FACILITATOR, OFFICER, RESIDENT
from pbapp.db import get_engine
from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.deliberation import services
from pbapp.juries import services as juries
from pbapp.juries.models import Attendance, JurySession
from pbapp.deliberation.models import (
    ALLOCATION_POLL,
    APPROVAL_POLL,
    DECISION_ROUND,
    OPPOSE,
    PDF_EVIDENCE,
    POLL_CLOSED,
    RANKING_POLL,
    REC_ADOPTED,
    REC_NOT_ADOPTED,
    SUPPORT,
    TO_OFFICER,
    Evidence,
    PollBallot,
    Recommendation,
    RecommendationLine,
    RecommendationVersion,
    RecommendationVote,
    Round,
    Witness,
)
from pbapp.ledger.models import RecordItem, RecordItemLine
from tests import factories
from tests.deliberation import factories as make

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def request_context(app):
    """Services speak plain English through Flask-Babel, which needs a request (as in the app)."""
    with app.test_request_context():
        yield app


@pytest.fixture
def world(request_context, db):
    """A council, its facilitator (of the jury), an officer, a resident juror, and a jury of five."""
    council = factories.council(db)
    facilitator = factories.user(db, council=council, role=FACILITATOR)
    other_facilitator = factories.user(db, council=council, role=FACILITATOR)
    officer = factories.user(db, council=council, role=OFFICER)
    resident = factories.user(db, council=council, role=RESIDENT)
    jury = make.jury(db, council, facilitator=facilitator)
    juror = make.juror_for(db, jury, resident)

    class World:
        pass

    w = World()
    w.__dict__.update(
        council=council,
        facilitator=facilitator,
        officer=officer,
        other_facilitator=other_facilitator,
        resident=resident,
        jury=jury,
        juror=juror,
    )
    return w


@pytest.fixture
def session(request_context):
    with Session(get_engine(request_context), expire_on_commit=False) as s:
        yield s


def _round(session, w, **fields):
    values = {"title": "Evening 1", "held_on": date(2027, 1, 9), "kind": DECISION_ROUND, "place": "Town Hall"}
    values.update(fields)
    return services.create_round(session, w.council, w.jury.id, w.facilitator, **values)


def test_a_round_is_a_jury_session_and_its_attendance_is_the_jurys(session, world, db):
    item = _round(session, world, agenda="Welcome")
    meeting = session.get(JurySession, item.session_id)
    assert meeting.jury_id == world.jury.id and meeting.title == "Evening 1"
    assert (
        services.record_round_attendance(
            session, world.council, world.jury.id, item.id, world.facilitator, {world.juror.id}
        )
        == 1
    )
    rows = session.exec(select(Attendance).where(Attendance.session_id == meeting.id)).all()
    assert len(rows) == 5 and sum(r.present for r in rows) == 1


def test_attendance_has_one_rule_and_one_writer_for_rounds_and_sessions(session, world):
    """A juror who came to a round and then withdrew is still owed an honorarium for it: the round page lists
    them (as the jury's session page does), a correction of the round keeps them, and a stray id is not counted."""
    item = _round(session, world)
    meeting = session.get(JurySession, item.session_id)
    services.record_round_attendance(
        session, world.council, world.jury.id, item.id, world.facilitator, {world.juror.id}
    )
    juries.change_juror(session, world.council, world.jury, world.juror.id, "withdraw", world.officer.id)
    view = services.round_detail(session, world.council, world.jury.id, item.id, world.facilitator)
    assert {(juror.id, here) for juror, _name, here in view.attendance if here} == {(world.juror.id, True)}
    assert len(view.attendance) == 5
    other = next(juror.id for juror, _name, _here in view.attendance if juror.id != world.juror.id)
    assert (
        services.record_round_attendance(
            session, world.council, world.jury.id, item.id, world.facilitator, {world.juror.id, other, 10**6}
        )
        == 2
    )
    assert juries.record_attendance(session, world.council, world.jury, meeting, {other, 10**6}, None) == 1
    attended = {row.row.juror.id: row.sessions_attended for row in juries.payments(session, world.jury)}
    assert attended[world.juror.id] == 0 and attended[other] == 1
    assert juries.record_attendance(session, world.council, world.jury, meeting, {world.juror.id, other}, None) == 2
    attended = {row.row.juror.id: row.sessions_attended for row in juries.payments(session, world.jury)}
    assert attended[world.juror.id] == 1 and attended[other] == 1


def test_a_round_needs_a_place_or_a_link(session, world):
    with pytest.raises(Invalid) as error:
        _round(session, world, place="", link="")
    assert error.value.field == "place"
    with pytest.raises(Invalid):
        _round(session, world, place="", link="javascript:alert(1)")


def test_only_this_jurys_facilitator_or_staff_run_it(session, world):
    with pytest.raises(NotAllowed):
        services.create_round(
            session,
            world.council,
            world.jury.id,
            world.other_facilitator,
            title="x",
            held_on=date(2027, 1, 9),
            kind=DECISION_ROUND,
            place="Hall",
        )
    with pytest.raises(NotAllowed):
        services.create_round(
            session,
            world.council,
            world.jury.id,
            world.resident,
            title="x",
            held_on=date(2027, 1, 9),
            kind=DECISION_ROUND,
            place="Hall",
        )
    assert services.create_round(
        session,
        world.council,
        world.jury.id,
        world.officer,
        title="x",
        held_on=date(2027, 1, 9),
        kind=DECISION_ROUND,
        place="Hall",
    ).id


def test_another_councils_jury_is_not_found(session, world, db):
    other = factories.council(db)
    with pytest.raises(NotFound):
        services.dashboard(session, other, world.jury.id, world.officer)


def test_a_pdf_must_be_a_pdf_and_unpublished_evidence_stays_private(session, world):
    with pytest.raises(Invalid) as error:
        services.add_evidence(
            session,
            world.council,
            world.jury.id,
            world.facilitator,
            kind=PDF_EVIDENCE,
            title="Plan",
            upload=("plan.pdf", b"<html><script>alert(1)</script>"),
        )
    assert error.value.field == "upload"
    item = services.add_evidence(
        session,
        world.council,
        world.jury.id,
        world.facilitator,
        kind=PDF_EVIDENCE,
        title="Plan",
        upload=("../../etc/My Plan.PDF", PDF),
    )
    assert item.file_name == "etc_My_Plan.pdf" and item.file_size == len(PDF)
    with pytest.raises(NotFound):
        services.evidence_file(session, world.council, world.jury.id, item.id, None)
    assert services.evidence_file(session, world.council, world.jury.id, item.id, world.facilitator)[1] == PDF
    services.publish_evidence(session, world.council, world.jury.id, item.id, world.facilitator)
    assert services.evidence_file(session, world.council, world.jury.id, item.id, None)[1] == PDF
    with pytest.raises(Conflict):
        services.publish_evidence(session, world.council, world.jury.id, item.id, world.facilitator)


def test_markdown_is_sanitised(request_context):
    html = services.render_markdown(
        "**ok** <script>alert(1)</script> [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> [site](https://example.org)"
    )
    assert "<strong>ok</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html
    assert 'href="https://example.org"' in html and "noopener" in html


def test_juror_questions_are_answered_and_published(session, world, db):
    question = services.ask_question(
        session, world.council, world.jury.id, world.resident, text="How much is left?", addressed_to=TO_OFFICER
    )
    with pytest.raises(NotAllowed):
        services.ask_question(session, world.council, world.jury.id, world.officer, text="?", addressed_to=TO_OFFICER)
    assert services.public_page(session, world.council, world.jury.id).answers == []
    services.answer_question(
        session,
        world.council,
        world.jury.id,
        question.id,
        world.facilitator,
        answer="About £2m.",
        answered_by="Head of Finance",
        publish=True,
    )
    answers = services.public_page(session, world.council, world.jury.id).answers
    assert [a.answer for a in answers] == ["About £2m."]


def test_a_juror_of_another_jury_cannot_act_here(session, world, db):
    other_jury = make.jury(db, world.council, facilitator=world.facilitator)
    with pytest.raises(NotAllowed):
        services.portal(session, world.council, other_jury.id, world.resident)
    assert services.portal(session, world.council, world.jury.id, world.resident).juror.id == world.juror.id


def test_requests_for_witnesses_get_a_reply(session, world):
    item = services.ask_for_evidence(
        session, world.council, world.jury.id, world.resident, kind="witness", text="The libraries manager"
    )
    services.reply_to_request(
        session, world.council, world.jury.id, item.id, world.facilitator, status="agreed", reply="Coming on day 3"
    )
    portal = services.portal(session, world.council, world.jury.id, world.resident)
    assert [(r.status, r.reply) for r in portal.my_requests] == [("agreed", "Coming on day 3")]


def _allocation_poll(session, world, the_round, lines, total=300_000_00):
    return services.create_poll(
        session,
        world.council,
        world.jury.id,
        the_round.id,
        world.facilitator,
        kind=ALLOCATION_POLL,
        question="Split £300,000",
        total_pence=total,
        line_ids=[line.id for line in lines],
        low_pence=0,
        high_pence=200_000_00,
    )


def test_allocation_polls_use_the_ballot_kind_rules_and_show_movement(session, world, db):
    lines = make.budget_lines(db, world.council)
    users = [world.resident, factories.user(db), factories.user(db)]
    for user in users[1:]:
        make.juror_for(db, world.jury, user)
    polls = []
    for n, wishes in enumerate(([100, 100, 100], [200, 50, 50])):
        the_round = _round(session, world, title=f"Evening {n + 1}", held_on=date(2027, 1, 9 + n))
        poll = _allocation_poll(session, world, the_round, lines)
        services.set_poll_state(session, world.council, world.jury.id, poll.id, world.facilitator, open_it=True)
        options = services.poll_for_juror(session, world.council, world.jury.id, poll.id, world.resident).options
        for user in users:
            services.cast_poll_ballot(
                session,
                world.council,
                world.jury.id,
                poll.id,
                user,
                {o.id: w * 100_000 for o, w in zip(options, wishes)},
            )
        polls.append((poll, options))
    poll, options = polls[0]
    with pytest.raises(Invalid) as error:
        services.cast_poll_ballot(
            session,
            world.council,
            world.jury.id,
            poll.id,
            world.resident,
            {options[0].id: 10_000_00, options[1].id: 0, options[2].id: 0},
        )
    assert "must add up to £300,000" in error.value.message
    for poll, _ in polls:
        services.set_poll_state(session, world.council, world.jury.id, poll.id, world.facilitator, open_it=False)
    with pytest.raises(Conflict):
        services.cast_poll_ballot(session, world.council, world.jury.id, poll.id, world.resident, {})
    view = services.public_page(session, world.council, world.jury.id)
    assert [r.ballots for r in view.results] == [3, 3]
    last = view.results[-1]
    assert [row.mean_pence for row in last.rows] == [200_000_00, 50_000_00, 50_000_00]
    assert sum(row.proportional_pence for row in last.rows) == 300_000_00
    assert view.chart is not None and len(view.chart.series) == 3
    assert [s.values for s in view.chart.series][0] == [100_000_00, 200_000_00]


def test_a_poll_needs_bounds_that_can_add_up(session, world, db):
    lines = make.budget_lines(db, world.council)
    the_round = _round(session, world)
    with pytest.raises(Invalid):
        services.create_poll(
            session,
            world.council,
            world.jury.id,
            the_round.id,
            world.facilitator,
            kind=ALLOCATION_POLL,
            question="Split",
            total_pence=300_000_00,
            line_ids=[line.id for line in lines],
            low_pence=0,
            high_pence=50_000_00,
        )


def test_approval_and_ranking_polls_are_counted(session, world):
    the_round = _round(session, world)
    for kind in (APPROVAL_POLL, RANKING_POLL):
        poll = services.create_poll(
            session,
            world.council,
            world.jury.id,
            the_round.id,
            world.facilitator,
            kind=kind,
            question="Which?",
            option_labels=["Parks", "Libraries", " ", "Roads"],
            max_choices=2,
        )
        services.set_poll_state(session, world.council, world.jury.id, poll.id, world.facilitator, open_it=True)
        options = services.poll_for_juror(session, world.council, world.jury.id, poll.id, world.resident).options
        assert [o.label for o in options] == ["Parks", "Libraries", "Roads"]
        with pytest.raises(Invalid):
            services.cast_poll_ballot(
                session, world.council, world.jury.id, poll.id, world.resident, [o.id for o in options]
            )
        services.cast_poll_ballot(
            session, world.council, world.jury.id, poll.id, world.resident, [options[1].id, options[0].id]
        )
        services.set_poll_state(session, world.council, world.jury.id, poll.id, world.facilitator, open_it=False)
        result = services.poll_result(session, poll)
        if kind == APPROVAL_POLL:
            assert [r.approvals for r in result.rows] == [1, 1, 0]
        else:
            assert [r.points for r in result.rows] == [1, 2, 0] and result.rows[1].first_choices == 1
    assert services.poll_result(session, poll).poll.status == POLL_CLOSED


def test_only_staff_open_and_close_polls(session, world):
    the_round = _round(session, world)
    poll = services.create_poll(
        session,
        world.council,
        world.jury.id,
        the_round.id,
        world.facilitator,
        kind=APPROVAL_POLL,
        question="Which?",
        option_labels=["A", "B"],
    )
    with pytest.raises(NotAllowed):
        services.set_poll_state(session, world.council, world.jury.id, poll.id, world.resident, open_it=True)


def test_recommendations_keep_versions_and_adopted_ones_reach_the_record(session, world, db):
    lines = make.budget_lines(db, world.council)
    rec = services.draft_recommendation(
        session,
        world.council,
        world.jury.id,
        world.resident,
        title="Libraries",
        text="Open libraries later on Thursdays.",
        lines=[(lines[0].id, 18_000_000)],
        threshold_percent=80,
    )
    services.revise_recommendation(
        session,
        world.council,
        world.jury.id,
        rec.id,
        world.facilitator,
        title="Libraries",
        text="Open every library later on Thursdays.",
        lines=[(lines[0].id, 20_000_000)],
        note="Every library, and costed",
    )
    view = services.recommendation_detail(session, world.council, world.jury.id, rec.id, world.resident)
    assert [v.version for v, _ in view.versions] == [1, 2]
    assert ("added", "every library") in [(s.op, s.text) for s in view.diff]
    assert ("removed", "libraries") in [(s.op, s.text) for s in view.diff]
    with pytest.raises(NotAllowed):
        services.open_recommendation_vote(session, world.council, world.jury.id, rec.id, world.resident)
    services.open_recommendation_vote(session, world.council, world.jury.id, rec.id, world.facilitator)
    with pytest.raises(Conflict):
        services.revise_recommendation(
            session, world.council, world.jury.id, rec.id, world.resident, title="x", text="y", lines=[], note="late"
        )
    services.vote_on_recommendation(session, world.council, world.jury.id, rec.id, world.resident, OPPOSE)
    services.vote_on_recommendation(session, world.council, world.jury.id, rec.id, world.resident, SUPPORT)
    done = services.close_recommendation_vote(
        session, world.council, world.jury.id, rec.id, world.facilitator, public_url="https://example.org/jury"
    )
    assert (done.status, done.support_count, done.oppose_count) == (REC_ADOPTED, 1, 0)
    item = session.get(RecordItem, done.record_item_id)
    assert item.source_ref == f"jury:{world.jury.id}:recommendation:{rec.id}"
    assert (item.amount_pence, item.budget_line_id) == (20_000_000, lines[0].id)
    page = services.public_page(session, world.council, world.jury.id)
    assert [r.rec.id for r in page.decided] == [rec.id]


def test_a_recommendation_below_its_threshold_is_not_adopted(session, world, db):
    rec = make.recommendation(db, world.jury)
    services.open_recommendation_vote(session, world.council, world.jury.id, rec.id, world.facilitator)
    services.vote_on_recommendation(session, world.council, world.jury.id, rec.id, world.resident, OPPOSE)
    done = services.close_recommendation_vote(
        session, world.council, world.jury.id, rec.id, world.officer, public_url="https://example.org/jury"
    )
    assert done.status == REC_NOT_ADOPTED and done.record_item_id is None
    assert session.exec(select(RecordItem)).all() == []


def test_threshold_must_be_sensible(session, world):
    with pytest.raises(Invalid) as error:
        services.draft_recommendation(
            session, world.council, world.jury.id, world.resident, title="x", text="y", lines=None, threshold_percent=30
        )
    assert error.value.field == "threshold_percent"


def test_juror_names_appear_only_with_consent(session, world):
    assert services.public_page(session, world.council, world.jury.id).named_jurors == []
    services.set_name_consent(session, world.council, world.jury.id, world.resident, True)
    assert services.public_page(session, world.council, world.jury.id).named_jurors == [world.resident.name]


def test_staff_link_a_juror_to_an_account(session, world, db):
    newcomer = factories.user(db, email="newcomer@example.org")
    free = [
        j
        for j, _name, email in services.juror_accounts(session, world.council, world.jury.id, world.facilitator).rows
        if not email
    ]
    services.link_juror_account(
        session, world.council, world.jury.id, world.facilitator, juror_id=free[0].id, email="Newcomer@example.org "
    )
    assert services.portal(session, world.council, world.jury.id, newcomer).juror.id == free[0].id
    with pytest.raises(Invalid):
        services.link_juror_account(
            session, world.council, world.jury.id, world.facilitator, juror_id=free[1].id, email="nobody@example.org"
        )


def test_rounds_are_listed_in_date_order(session, world):
    _round(session, world, title="Later", held_on=date(2027, 2, 1))
    _round(session, world, title="Sooner", held_on=date(2027, 1, 1))
    titles = [m.title for _r, m in services.rounds_of(session, world.jury)]
    assert titles == ["Sooner", "Later"]
    assert all(isinstance(r, Round) for r, _m in services.rounds_of(session, world.jury))


def test_votes_from_the_room_never_overwrite_a_jurors_own_vote(session, world, db):
    rec = make.recommendation(db, world.jury)
    services.open_recommendation_vote(session, world.council, world.jury.id, rec.id, world.facilitator)
    services.vote_on_recommendation(session, world.council, world.jury.id, rec.id, world.resident, OPPOSE)
    everyone = {juror.id: SUPPORT for juror, _name in services.confirmed_jurors(session, world.jury)}
    with pytest.raises(NotAllowed):
        services.record_room_votes(session, world.council, world.jury.id, rec.id, world.resident, everyone)
    assert services.record_room_votes(
        session, world.council, world.jury.id, rec.id, world.facilitator, {**everyone, 999_999: SUPPORT}
    ) == (4, 0)
    done = services.close_recommendation_vote(
        session, world.council, world.jury.id, rec.id, world.facilitator, public_url="https://example.org/jury"
    )
    assert (done.support_count, done.oppose_count, done.status) == (4, 1, REC_ADOPTED)


def test_a_recommendation_links_several_lines_each_with_its_own_change(session, world, db):
    libraries, parks, roads = make.budget_lines(db, world.council)
    rec = services.draft_recommendation(
        session,
        world.council,
        world.jury.id,
        world.resident,
        title="Libraries",
        text="Open libraries later.",
        threshold_percent=80,
        lines=[(libraries.id, 18_000_000), (roads.id, -18_000_000)],
    )
    services.revise_recommendation(
        session,
        world.council,
        world.jury.id,
        rec.id,
        world.facilitator,
        title="Libraries",
        text="Open libraries later.",
        note="Parks pay, not roads",
        lines=[(parks.id, -20_000_000), (libraries.id, 20_000_000)],
    )
    view = services.recommendation_detail(session, world.council, world.jury.id, rec.id, world.resident)
    assert [(line.budget_line_id, line.change_pence) for line in view.latest_lines] == [
        (parks.id, -20_000_000),
        (libraries.id, 20_000_000),
    ]
    assert [(d.name, d.op, d.before, d.after) for d in view.lines_diff] == [
        ("Parks", "added", None, -20_000_000),
        ("Libraries", "changed", 18_000_000, 20_000_000),
        ("Roads", "removed", -18_000_000, None),
    ]
    assert [view.total(v) for v, _author in view.versions] == [0, 0]
    first = services.recommendation_detail(session, world.council, world.jury.id, rec.id, world.resident, (1, 1))
    assert {d.op for d in first.lines_diff} == {"same"}


@pytest.mark.parametrize(
    "lines, message", [([(1, 100), (1, 200)], "only once"), ([(999_999, 100)], "council's budget")]
)
def test_recommendation_lines_must_be_the_councils_and_distinct(session, world, db, lines, message):
    real = make.budget_lines(db, world.council)
    lines = [(real[0].id if line_id == 1 else line_id, pence) for line_id, pence in lines]
    with pytest.raises(Invalid) as error:
        services.draft_recommendation(
            session,
            world.council,
            world.jury.id,
            world.resident,
            title="x",
            text="y",
            threshold_percent=80,
            lines=lines,
        )
    assert message in error.value.message and error.value.field == "lines"
    assert session.exec(select(Recommendation)).all() == []


def test_one_row_per_line_per_version_is_a_database_rule(session, world, db):
    line = make.budget_lines(db, world.council)[0]
    rec = make.recommendation(db, world.jury)
    version = session.exec(select(RecommendationVersion).where(RecommendationVersion.recommendation_id == rec.id)).one()
    session.add_all(
        [
            RecommendationLine(version_id=version.id, budget_line_id=line.id, change_pence=1),
            RecommendationLine(version_id=version.id, budget_line_id=line.id, change_pence=2),
        ]
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_an_adopted_recommendation_reaches_the_record_with_every_line(session, world, db):
    libraries, parks, _roads = make.budget_lines(db, world.council)
    rec = services.draft_recommendation(
        session,
        world.council,
        world.jury.id,
        world.resident,
        title="Libraries",
        text="Move money from parks to libraries.",
        threshold_percent=50,
        lines=[(libraries.id, 5_000_000), (parks.id, -3_000_000)],
    )
    services.open_recommendation_vote(session, world.council, world.jury.id, rec.id, world.facilitator)
    services.vote_on_recommendation(session, world.council, world.jury.id, rec.id, world.resident, SUPPORT)
    done = services.close_recommendation_vote(
        session, world.council, world.jury.id, rec.id, world.facilitator, public_url="https://example.org/jury"
    )
    item = session.get(RecordItem, done.record_item_id)
    assert (item.amount_pence, item.budget_line_id) == (2_000_000, None)
    rows = session.exec(
        select(RecordItemLine).where(RecordItemLine.item_id == item.id).order_by(RecordItemLine.id)
    ).all()
    assert [(r.budget_line_id, r.change_pence) for r in rows] == [(libraries.id, 5_000_000), (parks.id, -3_000_000)]
    page = services.public_page(session, world.council, world.jury.id)
    assert page.decided[0].lines == [("Libraries", 5_000_000), ("Parks", -3_000_000)]
    assert page.decided[0].total_pence == 2_000_000


def _open_approval_poll(session, world):
    the_round = _round(session, world)
    poll = services.create_poll(
        session,
        world.council,
        world.jury.id,
        the_round.id,
        world.facilitator,
        kind=APPROVAL_POLL,
        question="Which?",
        option_labels=["Parks", "Libraries"],
    )
    services.set_poll_state(session, world.council, world.jury.id, poll.id, world.facilitator, open_it=True)
    return poll, services.poll_for_juror(session, world.council, world.jury.id, poll.id, world.resident).options


def test_the_facilitator_enters_a_straw_poll_answer_given_in_the_room(session, world, db):
    poll, options = _open_approval_poll(session, world)
    offline = next(j for j, _name in services.confirmed_jurors(session, world.jury) if j.id != world.juror.id)
    with pytest.raises(NotAllowed):
        services.enter_room_ballot(
            session, world.council, world.jury.id, poll.id, offline.id, world.other_facilitator, [options[0].id]
        )
    with pytest.raises(Invalid):
        services.enter_room_ballot(session, world.council, world.jury.id, poll.id, offline.id, world.facilitator, [])
    services.enter_room_ballot(
        session, world.council, world.jury.id, poll.id, offline.id, world.facilitator, [options[0].id]
    )
    services.enter_room_ballot(
        session, world.council, world.jury.id, poll.id, offline.id, world.officer, [options[1].id]
    )
    ballots = session.exec(select(PollBallot).where(PollBallot.poll_id == poll.id)).all()
    assert [(b.juror_id, b.entered_by_id, b.choices) for b in ballots] == [
        (offline.id, world.officer.id, f'["{options[1].id}"]')
    ]
    services.cast_poll_ballot(session, world.council, world.jury.id, poll.id, world.resident, [options[0].id])
    with pytest.raises(Conflict):
        services.enter_room_ballot(
            session, world.council, world.jury.id, poll.id, world.juror.id, world.facilitator, [options[1].id]
        )
    room = services.poll_room(session, world.council, world.jury.id, poll.id, world.facilitator)
    by_juror = {v.juror.id: v for v in room.voters}
    assert by_juror[offline.id].entered_by == world.officer.name and by_juror[world.juror.id].own
    services.set_poll_state(session, world.council, world.jury.id, poll.id, world.facilitator, open_it=False)
    result = services.poll_result(session, poll)
    assert result.ballots == 2 and [r.approvals for r in result.rows] == [1, 1]
    with pytest.raises(Conflict):
        services.enter_room_ballot(
            session, world.council, world.jury.id, poll.id, offline.id, world.facilitator, [options[0].id]
        )
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "jury.poll_ballot_entered")).all()
    assert [(e.actor_id, json.loads(e.payload)["juror_id"]) for e in events] == [
        (world.facilitator.id, offline.id),
        (world.officer.id, offline.id),
    ]


def test_a_juror_of_another_jury_cannot_be_entered_from_the_room(session, world, db):
    poll, options = _open_approval_poll(session, world)
    elsewhere = make.jury(db, world.council, facilitator=world.facilitator)
    session.commit()
    stranger = services.confirmed_jurors(session, elsewhere)[0][0]
    with pytest.raises(NotFound):
        services.enter_room_ballot(
            session, world.council, world.jury.id, poll.id, stranger.id, world.facilitator, [options[0].id]
        )


def test_one_ballot_per_juror_per_poll_is_a_database_rule(session, world, db):
    poll, _options = _open_approval_poll(session, world)
    session.add_all(
        [
            PollBallot(poll_id=poll.id, juror_id=world.juror.id),
            PollBallot(poll_id=poll.id, juror_id=world.juror.id, entered_by_id=world.facilitator.id),
        ]
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_room_votes_are_marked_with_who_entered_them_and_can_be_corrected(session, world, db):
    rec = make.recommendation(db, world.jury)
    services.open_recommendation_vote(session, world.council, world.jury.id, rec.id, world.facilitator)
    offline = [j.id for j, _name in services.confirmed_jurors(session, world.jury) if j.id != world.juror.id]
    assert services.record_room_votes(
        session, world.council, world.jury.id, rec.id, world.facilitator, {offline[0]: OPPOSE, offline[1]: SUPPORT}
    ) == (2, 0)
    assert services.record_room_votes(
        session, world.council, world.jury.id, rec.id, world.officer, {offline[0]: SUPPORT, offline[1]: SUPPORT}
    ) == (1, 0)
    voters = {v.juror.id: v for v in services.room_voters(session, world.jury, rec)}
    assert (voters[offline[0]].choice, voters[offline[0]].entered_by) == (SUPPORT, world.officer.name)
    assert (voters[offline[1]].choice, voters[offline[1]].entered_by) == (SUPPORT, world.facilitator.name)
    with pytest.raises(IntegrityError):
        session.add(
            RecommendationVote(
                recommendation_id=rec.id, juror_id=offline[0], choice=OPPOSE, entered_by_id=world.facilitator.id
            )
        )
        session.commit()
    session.rollback()
    done = services.close_recommendation_vote(
        session, world.council, world.jury.id, rec.id, world.facilitator, public_url="https://example.org/jury"
    )
    assert (done.support_count, done.oppose_count) == (2, 0)
    assert services.public_page(session, world.council, world.jury.id).decided[0].room_votes == 2


def test_a_jurors_own_vote_replaces_one_entered_for_them(session, world, db):
    rec = make.recommendation(db, world.jury)
    services.open_recommendation_vote(session, world.council, world.jury.id, rec.id, world.facilitator)
    services.record_room_votes(
        session, world.council, world.jury.id, rec.id, world.facilitator, {world.juror.id: OPPOSE}
    )
    services.vote_on_recommendation(session, world.council, world.jury.id, rec.id, world.resident, SUPPORT)
    vote = session.exec(select(RecommendationVote).where(RecommendationVote.recommendation_id == rec.id)).one()
    assert (vote.choice, vote.entered_by_id) == (SUPPORT, None)
    assert services.record_room_votes(
        session, world.council, world.jury.id, rec.id, world.facilitator, {world.juror.id: OPPOSE}
    ) == (0, 0)
    assert services.record_room_votes(
        session, world.council, world.jury.id, rec.id, world.facilitator, {world.juror.id: ""}
    ) == (0, 0)  # nor cleared
    assert session.exec(select(RecommendationVote).where(RecommendationVote.recommendation_id == rec.id)).one()


def test_a_vote_entered_for_the_wrong_juror_can_be_cleared_and_is_audited(session, world, db):
    rec = make.recommendation(db, world.jury)
    services.open_recommendation_vote(session, world.council, world.jury.id, rec.id, world.facilitator)
    offline = [j.id for j, _name in services.confirmed_jurors(session, world.jury) if j.id != world.juror.id]
    services.record_room_votes(
        session, world.council, world.jury.id, rec.id, world.facilitator, {offline[0]: SUPPORT, offline[1]: OPPOSE}
    )
    assert services.record_room_votes(
        session,
        world.council,
        world.jury.id,
        rec.id,
        world.facilitator,
        {offline[0]: "", offline[1]: OPPOSE, offline[2]: ""},
    ) == (0, 1)
    voters = {v.juror.id: v for v in services.room_voters(session, world.jury, rec)}
    assert (voters[offline[0]].choice, voters[offline[0]].entered_by) == (None, None)
    assert voters[offline[1]].choice == OPPOSE
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "jury.room_votes_entered").order_by(AuditEvent.id.desc())
    ).first()
    assert json.loads(event.payload)["cleared_juror_ids"] == [offline[0]]
    done = services.close_recommendation_vote(
        session, world.council, world.jury.id, rec.id, world.facilitator, public_url="https://example.org/jury"
    )
    assert (done.support_count, done.oppose_count) == (0, 1)


def test_the_facilitator_corrects_rounds_witnesses_and_evidence_of_their_own_jury_only(session, world, db):
    item = _round(session, world)
    witness = services.add_witness(
        session,
        world.council,
        world.jury.id,
        world.facilitator,
        name="Sam",
        organisation="",
        view="Keep libraries",
        stance="in_favour",
        asked_by="jurors",
    )
    evidence = services.add_evidence(
        session,
        world.council,
        world.jury.id,
        world.facilitator,
        kind="link",
        title="Report",
        url="https://example.org/r",
        publish=True,
    )
    other_jury = make.jury(db, world.council, facilitator=world.other_facilitator)
    edits = [
        lambda who, jury_id: services.update_round(
            session,
            world.council,
            jury_id,
            item.id,
            who,
            title="Evening 1b",
            held_on=date(2027, 1, 10),
            kind="deliberation",
            place="Library",
        ),
        lambda who, jury_id: services.update_witness(
            session,
            world.council,
            jury_id,
            witness.id,
            who,
            name="Sam P",
            organisation="Friends",
            view="Keep them",
            stance="mixed",
            asked_by="council",
        ),
        lambda who, jury_id: services.update_evidence(
            session, world.council, jury_id, evidence.id, who, title="Report 2", url="https://example.org/r2"
        ),
    ]
    for edit in edits:
        with pytest.raises(NotAllowed):
            edit(world.other_facilitator, world.jury.id)
        with pytest.raises(NotFound):
            edit(world.other_facilitator, other_jury.id)
        with pytest.raises(NotAllowed):
            edit(world.resident, world.jury.id)
        edit(world.facilitator, world.jury.id)
    meeting = session.get(JurySession, item.session_id)
    assert (meeting.title, meeting.held_on, session.get(Round, item.id).kind) == (
        "Evening 1b",
        date(2027, 1, 10),
        "deliberation",
    )
    assert (session.get(Witness, witness.id).stance, session.get(Evidence, evidence.id).url) == (
        "mixed",
        "https://example.org/r2",
    )
    actions = {e.action for e in session.exec(select(AuditEvent)).all()}
    assert {"jury.round_updated", "jury.witness_updated", "jury.evidence_updated"} <= actions


@pytest.mark.parametrize(
    "change, field",
    [
        ({"place": "", "link": ""}, "place"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"kind": "party"}, "kind"),
        ({"title": " "}, "title"),
    ],
)
def test_a_round_edit_is_checked_like_a_new_round(session, world, change, field):
    item = _round(session, world)
    values = {"title": "Evening 1", "held_on": date(2027, 1, 9), "kind": DECISION_ROUND, "place": "Town Hall"}
    with pytest.raises(Invalid) as error:
        services.update_round(session, world.council, world.jury.id, item.id, world.facilitator, **(values | change))
    assert error.value.field == field
    session.rollback()
    assert session.get(JurySession, item.session_id).title == "Evening 1"


def test_a_pdf_is_replaced_only_by_a_pdf(session, world):
    item = services.add_evidence(
        session,
        world.council,
        world.jury.id,
        world.facilitator,
        kind=PDF_EVIDENCE,
        title="Plan",
        upload=("plan.pdf", PDF),
    )
    with pytest.raises(Invalid):
        services.update_evidence(
            session,
            world.council,
            world.jury.id,
            item.id,
            world.facilitator,
            title="Plan",
            upload=("plan.pdf", b"<html>"),
        )
    session.rollback()
    services.update_evidence(session, world.council, world.jury.id, item.id, world.facilitator, title="Plan v2")
    assert services.evidence_file(session, world.council, world.jury.id, item.id, world.facilitator)[1] == PDF
    services.update_evidence(
        session,
        world.council,
        world.jury.id,
        item.id,
        world.facilitator,
        title="Plan v2",
        upload=("new.pdf", PDF + b"2"),
    )
    stored, data = services.evidence_file(session, world.council, world.jury.id, item.id, world.facilitator)
    assert (stored.file_name, data) == ("new.pdf", PDF + b"2")


def test_removing_keeps_what_the_record_needs(session, world, db):
    item = _round(session, world)
    witness = services.add_witness(
        session,
        world.council,
        world.jury.id,
        world.facilitator,
        name="Sam",
        organisation="",
        view="Keep libraries",
        stance="in_favour",
        asked_by="jurors",
        round_id=item.id,
    )
    statement = services.add_evidence(
        session,
        world.council,
        world.jury.id,
        world.facilitator,
        kind="statement",
        title="Sam's statement",
        body="Text",
        witness_id=witness.id,
        round_id=item.id,
        publish=True,
    )
    with pytest.raises(Conflict):
        services.delete_witness(session, world.council, world.jury.id, witness.id, world.facilitator)
    with pytest.raises(Conflict):
        services.delete_evidence(session, world.council, world.jury.id, statement.id, world.facilitator)
    with pytest.raises(NotAllowed):
        services.withdraw_evidence(session, world.council, world.jury.id, statement.id, world.other_facilitator)
    services.withdraw_evidence(session, world.council, world.jury.id, statement.id, world.facilitator)
    assert services.public_page(session, world.council, world.jury.id).evidence == []
    with pytest.raises(Conflict):
        services.withdraw_evidence(session, world.council, world.jury.id, statement.id, world.facilitator)
    services.delete_evidence(session, world.council, world.jury.id, statement.id, world.facilitator)
    services.delete_witness(session, world.council, world.jury.id, witness.id, world.facilitator)
    services.record_round_attendance(session, world.council, world.jury.id, item.id, world.facilitator, set())
    with pytest.raises(Conflict):
        services.delete_round(session, world.council, world.jury.id, item.id, world.facilitator)
    spare = _round(session, world, title="Spare")
    services.add_evidence(
        session,
        world.council,
        world.jury.id,
        world.facilitator,
        kind="link",
        title="Kept",
        url="https://example.org",
        round_id=spare.id,
    )
    services.delete_round(session, world.council, world.jury.id, spare.id, world.facilitator)
    assert session.get(Round, spare.id) is None and session.get(JurySession, spare.session_id) is None
    assert session.exec(select(Evidence.round_id).where(Evidence.title == "Kept")).one() is None
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    for action in ("jury.evidence_withdrawn", "jury.evidence_deleted", "jury.witness_deleted", "jury.round_deleted"):
        assert action in actions
    with pytest.raises(Conflict):
        poll_round = _round(session, world, title="With a poll")
        services.create_poll(
            session,
            world.council,
            world.jury.id,
            poll_round.id,
            world.facilitator,
            kind=APPROVAL_POLL,
            question="Which?",
            option_labels=["A", "B"],
        )
        services.delete_round(session, world.council, world.jury.id, poll_round.id, world.facilitator)
