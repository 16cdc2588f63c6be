"""Conversation on proposals: comments with moderation, supports with a threshold, follows and their emails."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pbapp import mail
from pbapp.errors import Conflict, NotAllowed
from pbapp.pb import conversation, services
from pbapp.pb.models import HELD, HIDDEN, PUBLISHED, ProposalComment, ProposalSupport
from tests.conftest import login
from tests.pb import factories


@pytest.fixture
def idea(app, db, demo):
    """A process gathering ideas, with one unreviewed proposal."""
    process = factories.process(app, db, demo, proposals=1, reviewed=False)
    return process, factories.proposal(db, process)


def _resident(db, demo, **kw):
    return factories.resident(db, demo, **kw)


def test_a_resident_comments_and_the_words_are_kept_when_refused(client, db, demo, idea):
    _process, proposal = idea
    person = _resident(db, demo)
    login(client, person.email)
    url = f"/pb/{demo.slug}/proposals/{proposal.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="comment-form"' in page and "Support this proposal" in page
    too_long = "x" * 2001
    refused = client.post(url + "/comments", data={"body": too_long})
    assert refused.status_code == 422 and too_long in refused.get_data(as_text=True)
    assert "must be 2,000 characters or fewer" in refused.get_data(as_text=True)
    assert client.post(url + "/comments", data={"body": "Good idea: the play area needs it."}).status_code == 303
    shown = client.get(url).get_data(as_text=True)
    assert "Good idea: the play area needs it." in shown and "A resident" in shown
    assert person.name not in shown  # names are not published beside comments


def test_an_unconfirmed_account_cannot_comment_or_support(app, db, demo, idea):
    _process, proposal = idea
    person = _resident(db, demo, confirmed=False, verified=False)
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            conversation.add_comment(db, demo, proposal.id, person, "Hello")
        with pytest.raises(NotAllowed):
            conversation.support(db, demo, proposal.id, person)


def test_three_reports_hold_a_comment_until_an_officer_decides(app, db, demo, idea):
    _process, proposal = idea
    author, *reporters = [_resident(db, demo) for _n in range(4)]
    with app.test_request_context():
        comment = conversation.add_comment(db, demo, proposal.id, author, "Something abusive")
        with pytest.raises(Conflict):
            conversation.report_comment(db, demo, comment.id, author)
        conversation.report_comment(db, demo, comment.id, reporters[0])
        with pytest.raises(Conflict):  # one report per account
            conversation.report_comment(db, demo, comment.id, reporters[0])
        conversation.report_comment(db, demo, comment.id, reporters[1])
        assert db.get(ProposalComment, comment.id).status == PUBLISHED
        conversation.report_comment(db, demo, comment.id, reporters[2])
        assert db.get(ProposalComment, comment.id).status == HELD
        assert [c.id for c, _p in conversation.moderation_queue(db, demo)][:1] == [comment.id]
        officer = factories.officer(db)
        hidden = conversation.moderate_comment(db, demo, comment.id, officer, publish=False, reason="Abusive")
    assert hidden.status == HIDDEN and hidden.moderation_reason == "Abusive" and hidden.reports == 3


def test_officers_moderate_by_links_from_the_review_queue(client, db, demo, idea, login_as):
    _process, proposal = idea
    author, reporter = _resident(db, demo), _resident(db, demo)
    with client.application.test_request_context():
        comment = conversation.add_comment(db, demo, proposal.id, author, "Call me on 07700 900123")
        conversation.report_comment(db, demo, comment.id, reporter)
    login_as("officer")
    queue = client.get(f"/pb/{demo.slug}/review").get_data(as_text=True)
    assert f"/pb/{demo.slug}/comments" in queue
    page = client.get(f"/pb/{demo.slug}/comments").get_data(as_text=True)
    assert "Call me on 07700 900123" in page and "Reported 1 time" in page
    refused = client.post(f"/pb/{demo.slug}/comments/{comment.id}/hide", data={"reason": ""}, follow_redirects=True)
    assert "Give the reason for hiding this comment" in refused.get_data(as_text=True)
    client.post(f"/pb/{demo.slug}/comments/{comment.id}/hide", data={"reason": "Personal details"})
    public = client.get(f"/pb/{demo.slug}/proposals/{proposal.id}").get_data(as_text=True)
    assert "07700 900123" not in public and "hidden by the council: Personal details" in public


def test_supports_are_one_per_account_and_a_threshold_sends_a_proposal_to_review(app, db, demo, idea):
    process, proposal = idea
    process.support_threshold = 2
    db.add(process)
    db.commit()
    first, second = _resident(db, demo), _resident(db, demo)
    with app.test_request_context():
        assert proposal.id not in [p.id for p, _pr in services.review_queue(db, demo)]
        assert conversation.support(db, demo, proposal.id, first) == 1
        with pytest.raises(Conflict):
            conversation.support(db, demo, proposal.id, first)
        assert proposal.id not in [p.id for p, _pr in services.review_queue(db, demo)]
        assert conversation.support(db, demo, proposal.id, second) == 2
        assert proposal.id in [p.id for p, _pr in services.review_queue(db, demo)]
    rows = db.exec(select(ProposalSupport).where(ProposalSupport.proposal_id == proposal.id)).all()
    db.commit()
    assert len(rows) == 2


def test_the_database_refuses_a_second_support_from_one_account(db, demo, idea):
    from sqlalchemy.exc import IntegrityError

    _process, proposal = idea
    person = _resident(db, demo)
    db.add(ProposalSupport(proposal_id=proposal.id, user_id=person.id))
    db.commit()
    db.add(ProposalSupport(proposal_id=proposal.id, user_id=person.id))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_supports_close_when_the_process_stops_gathering_ideas(app, db, demo, idea):
    process, proposal = idea
    person = _resident(db, demo)
    with app.test_request_context():
        services.set_phase(db, demo, process.id, "review", factories.officer(db))
        with pytest.raises(Conflict):
            conversation.support(db, demo, proposal.id, person)


def _mail_to(db, address):
    found = db.exec(select(mail.OutboxMessage).where(mail.OutboxMessage.to == address)).all()
    db.commit()
    return found


def test_proposer_supporters_and_followers_get_an_email_when_the_review_is_published(app, db, demo, idea):
    _process, proposal = idea
    supporter, follower, quitter = _resident(db, demo), _resident(db, demo), _resident(db, demo)
    follower.language = "cy"
    db.add(follower)
    db.commit()
    officer = factories.officer(db)
    with app.test_request_context():
        conversation.support(db, demo, proposal.id, supporter)
        conversation.set_following(db, demo, proposal.id, follower, follow=True)
        conversation.set_following(db, demo, proposal.id, quitter, follow=True)
        conversation.set_following(db, demo, proposal.id, quitter, follow=False)
        services.save_review(db, demo, proposal.id, officer, feasible=True, reviewed_cost_pence=None, reason="")
        services.publish_review(db, demo, proposal.id, officer)
    [to_supporter] = _mail_to(db, supporter.email)
    assert proposal.title in to_supporter.subject and f"/pb/{demo.slug}/proposals/{proposal.id}" in to_supporter.body
    assert "feasible" in to_supporter.body
    [to_follower] = _mail_to(db, follower.email)
    assert to_follower.subject.startswith("Adolygiad wedi’i gyhoeddi")  # in the follower's language
    assert _mail_to(db, quitter.email) == []
    assert len(_mail_to(db, factories.officer(db).email)) == 1  # the officer put it forward in the factory


def test_the_conversation_and_who_took_part_read_in_welsh(client, db, demo, idea):
    _process, proposal = idea
    client.get("/language/cy")
    page = client.get(f"/pb/{demo.slug}/proposals/{proposal.id}").get_data(as_text=True)
    assert "Cefnogi a dilyn" in page and "Sylwadau" in page and "Mewngofnodwch i gefnogi" in page
