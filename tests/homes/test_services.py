"""What each role's home gathers, and the next action it offers for each state."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pbapp.accounts.models import User
from pbapp.errors import NotAllowed
from pbapp.homes import services
from pbapp.juries.models import Jury
from pbapp.deliberation.models import Question, Round
from pbapp.pb import services as pb
from tests.conftest import ROLE_EMAILS
from tests.deliberation import factories as deliberation
from tests.pb import factories as pb_factories


def _user(db, role: str) -> User:
    return db.exec(select(User).where(User.email == ROLE_EMAILS[role])).one()


def _ballot_row(home, title: str):
    return next(child for row in home.processes for child in row.children if child.title == title)


def test_each_ballot_state_has_its_next_action(app, db, demo):
    draft = pb_factories.ballot(app, db, demo, open_now=False, title="Draft ballot")
    pb_factories.ballot(app, db, demo, title="Open ballot")
    closed = pb_factories.ballot(app, db, demo, title="Closed ballot")
    with app.test_request_context():
        pb.close_ballot(db, demo, closed.id, pb_factories.officer(db))
        home = services.officer_home(db, demo)
    assert _ballot_row(home, "Draft ballot").action.label == "Check the settings and open voting"
    assert _ballot_row(home, "Draft ballot").action.url.endswith(f"/manage/ballots/{draft.id}")
    assert _ballot_row(home, "Open ballot").action.label == "Enter paper ballots, or close voting"
    counted = _ballot_row(home, "Closed ballot")
    assert counted.status == "Closed" and counted.action.label == "Record the decision and publish the results"


def test_a_process_taking_ideas_points_to_the_review_queue(app, db, demo):
    taking = pb_factories.process(app, db, demo, proposals=2, reviewed=False)
    with app.test_request_context():
        home = services.officer_home(db, demo)
    row = next(r for r in home.processes if r.title == taking.title)
    assert row.status == "Proposals open" and row.action.label == "Review 2 proposals"
    assert home.review_count >= 2 and len(home.review) <= 5


def test_the_facilitator_sees_open_polls_and_unanswered_questions_of_their_jury(app, db, demo):
    jury = db.exec(select(Jury).where(Jury.facilitator_id == _user(db, "facilitator").id)).first()
    the_round = db.exec(select(Round).where(Round.jury_id == jury.id)).first()
    poll = deliberation.approval_poll(db, jury, the_round)
    juror = deliberation.demo_juror(db, jury.id)
    question = deliberation.question(db, jury, juror, text="Who maintains the parks?")
    with app.test_request_context():
        desks = services.facilitator_home(db, _user(db, "facilitator"))
        officer_desks = services.facilitator_home(db, _user(db, "officer"))
    desk = next(d for d in desks if d.jury.id == jury.id)
    assert any(row.url.endswith(f"/polls/{poll.id}/room") for row in desk.polls)
    assert any(
        row.title == "Who maintains the parks?" and row.action.url.endswith(f"/questions/{question.id}/answer")
        for row in desk.questions
    )
    assert officer_desks == []  # the officer facilitates no jury
    answered = db.get(Question, question.id)
    answered.answer, answered.answered_by = "The parks team.", "Officer"
    from pbapp.timeutil import utcnow

    answered.answered_at = utcnow()
    db.commit()
    with app.test_request_context():
        desk = next(d for d in services.facilitator_home(db, _user(db, "facilitator")) if d.jury.id == jury.id)
    assert all(row.title != "Who maintains the parks?" for row in desk.questions)


def test_a_juror_sees_the_poll_to_vote_in_and_others_are_refused(app, db, demo):
    jury = db.exec(select(Jury).order_by(Jury.id)).first()
    the_round = db.exec(select(Round).where(Round.jury_id == jury.id)).first()
    poll = deliberation.approval_poll(db, jury, the_round)
    with app.test_request_context():
        desks = services.juror_home(db, _user(db, "resident"))
        with pytest.raises(NotAllowed):
            services.juror_home(db, _user(db, "officer"))
    row = next(r for d in desks for r in d.polls if r.url.endswith(f"/portal/polls/{poll.id}"))
    assert row.status == "Not voted yet" and row.action.label == "Vote"
    desk = next(d for d in desks if d.jury.id == jury.id)
    if desk.next_session is not None:  # the sessions still to come, soonest first
        dates = [desk.next_session.held_on] + [m.held_on for m in desk.later]
        assert dates == sorted(dates)


def test_homes_of_a_person_put_the_most_responsible_role_first(app, db, demo):
    with app.test_request_context():
        assert [h.key for h in services.homes_of(db, _user(db, "admin"))] == ["admin", "officer", "resident"]
        assert [h.key for h in services.homes_of(db, _user(db, "officer"))] == ["officer", "resident"]
        assert [h.key for h in services.homes_of(db, _user(db, "resident"))] == ["juror", "resident"]


def test_the_admin_home_is_refused_to_people_who_administer_nothing(app, db, demo):
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            services.admin_home(db, _user(db, "officer"))
        home = services.admin_home(db, _user(db, "admin"))
    assert home.councils[0].action.label == "People and roles"
