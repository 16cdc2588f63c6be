"""Irreversible juror changes ask first; a refused straw poll keeps its ticks; emails give dates in words."""

from __future__ import annotations

from sqlmodel import select

from pbapp.mail import OutboxMessage
import re

from pbapp.juries.models import CONFIRMED, DECLINED, INVITED, WITHDRAWN, Jury, Juror
from pbapp.deliberation.models import POLL_OPEN, PollOption, StrawPoll
from tests.conftest import login
from tests.deliberation import factories as make
from tests.juries import factories


def _status(db, juror_id):
    db.rollback()  # end the read transaction: SQLite's WAL would keep showing its older snapshot
    db.expire_all()
    found = db.get(Juror, juror_id).status
    db.commit()
    return found


def test_withdrawing_a_confirmed_juror_asks_first(app, client, login_as, db, demo):
    jury = factories.seated_jury(app, db, demo)
    juror = factories.jurors(db, jury)[0]
    login_as("officer")
    base = f"/juries/{demo.slug}/{jury.id}/jurors/{juror.id}"
    assert client.post(base, data={"action": "confirm"}).status_code == 303
    page = client.get(f"/juries/{demo.slug}/{jury.id}").get_data(as_text=True)
    assert f'href="{base}/withdraw"' in page
    ask = client.get(base + "/withdraw").get_data(as_text=True)
    assert "Withdraw juror" in ask and "You cannot undo this." in ask and _status(db, juror.id) == CONFIRMED
    assert client.post(base + "/withdraw").status_code == 303 and _status(db, juror.id) == WITHDRAWN
    again = client.post(base + "/withdraw")
    assert again.status_code == 409 and "already changed" in again.get_data(as_text=True)


def test_recording_a_decline_asks_first(app, client, login_as, db, demo):
    jury = factories.seated_jury(app, db, demo)
    juror = factories.jurors(db, jury)[0]
    login_as("officer")
    base = f"/juries/{demo.slug}/{jury.id}/jurors/{juror.id}"
    assert f'href="{base}/decline"' in client.get(f"/juries/{demo.slug}/{jury.id}").get_data(as_text=True)
    assert "declined?" in client.get(base + "/decline").get_data(as_text=True) and _status(db, juror.id) == INVITED
    assert client.post(base + "/decline").status_code == 303 and _status(db, juror.id) == DECLINED


def test_the_invitation_gives_the_dates_in_words(app, client, login_as, db, demo):
    jury = factories.seated_jury(app, db, demo)
    login_as("officer")
    assert client.post(f"/juries/{demo.slug}/{jury.id}/invitations").status_code == 303
    db.commit()
    body = db.exec(select(OutboxMessage.body)).first()
    assert "from Saturday 9 January 2027 to Saturday 6 February 2027" in body and "2027-01-09" not in body


def test_a_refused_straw_poll_answer_keeps_its_ticks(client, login_as, db, demo):
    jury = db.exec(select(Jury).where(Jury.council_id == demo.id).order_by(Jury.id)).first()
    make.demo_juror(db, jury.id)
    the_round = make.round_(db, jury, title="Evening 9")
    db.commit()
    base = f"/juries/{demo.slug}/{jury.id}"
    login_as("facilitator")
    assert (
        client.post(
            f"{base}/rounds/{the_round.id}/polls/new",
            data={
                "question": "Which matter most?",
                "kind": "approval",
                "options": "Libraries\nParks\nRoads",
                "max_choices": "2",
            },
        ).status_code
        == 303
    )
    db.commit()
    poll = db.exec(select(StrawPoll).where(StrawPoll.round_id == the_round.id)).one()
    assert client.post(f"{base}/polls/{poll.id}/open").status_code == 303
    login(client, "resident@demo.example")
    db.commit()
    options = [str(o.id) for o in db.exec(select(PollOption).where(PollOption.poll_id == poll.id)).all()]
    refused = client.post(f"{base}/portal/polls/{poll.id}", data={"choices": options})
    ticked = re.findall(r'name="choices" type="checkbox" value="(\d+)" checked', refused.get_data(as_text=True))
    assert refused.status_code == 422 and sorted(ticked) == sorted(options)
    db.expire_all()
    assert db.get(StrawPoll, poll.id).status == POLL_OPEN
