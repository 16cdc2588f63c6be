"""Jury pages: create, the panel for officers and its own facilitator, actions, replies, payments, public page."""

from __future__ import annotations

import re
import threading

from sqlmodel import func, select

from pbapp import audit
from pbapp.juries.models import CONFIRMED, Juror
from pbapp.juries.seed import demo_remit
from pbapp.mail import OutboxMessage
from tests import factories as base
from tests.conftest import login
from tests.juries import factories
from tests.factories import typed_date


def test_an_officer_creates_a_jury(client, login_as, db, demo):
    login_as("officer")
    page = client.get(f"/juries/{demo.slug}/new").get_data(as_text=True)
    assert "Megan Lloyd" in page
    bad = client.post(f"/juries/{demo.slug}/new", data={"remit": "", "panel_size": "2"})
    assert bad.status_code == 422 and "Enter the question" in bad.get_data(as_text=True)
    facilitator = factories.facilitator_id(db, demo)
    response = client.post(
        f"/juries/{demo.slug}/new",
        data={
            "remit": "How should we spend the parks budget?",
            "panel_size": "24",
            **typed_date("starts_on", "2027-03-01"),
            **typed_date("ends_on", "2027-03-29"),
            "facilitator_id": str(facilitator),
            "budget_book_id": "",
            "honorarium": "£1,234.50",
        },
    )
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "How should we spend the parks budget?" in page and "£1,234.50" in page


def test_the_facilitator_sees_their_jury_but_not_another(app, client, db, demo):
    mine = factories.seated_jury(app, db, demo)
    other = base.user(db, council=demo, role="facilitator")
    theirs = factories.jury(db, demo, facilitator=other.id)
    login(client, "facilitator@demo.example")
    page = client.get(f"/juries/{demo.slug}/{mine.id}")
    assert page.status_code == 200 and "Volunteer" in page.get_data(as_text=True)
    assert "Send invitations" not in page.get_data(as_text=True)
    assert client.get(f"/juries/{demo.slug}/{theirs.id}").status_code == 403
    meeting = factories.meeting(db, mine)
    assert client.get(f"/juries/{demo.slug}/{mine.id}/sessions/{meeting.id}").status_code == 200
    other_meeting = factories.meeting(db, theirs)
    assert client.get(f"/juries/{demo.slug}/{theirs.id}/sessions/{other_meeting.id}").status_code == 403
    assert client.get(f"/juries/{demo.slug}/{mine.id}/payments.csv").status_code == 403


def test_invite_reply_confirm_attend_and_pay(app, client, login_as, db, demo):
    jury = factories.seated_jury(app, db, demo)
    login_as("officer")
    assert client.post(f"/juries/{demo.slug}/{jury.id}/invitations").status_code == 303
    db.commit()
    body = db.exec(select(OutboxMessage.body)).first()
    token = re.search(r"/juries/respond/(\S+)", body).group(1)
    anonymous = app.test_client()
    assert "Yes, I can take part" in anonymous.get(f"/juries/respond/{token}").get_data(as_text=True)
    answered = anonymous.post(f"/juries/respond/{token}", data={"answer": "yes"})
    assert answered.status_code == 303 and answered.headers["Location"].endswith(f"/juries/respond/{token}")
    assert "you are on the jury" in anonymous.get(f"/juries/respond/{token}").get_data(as_text=True)
    assert anonymous.post(f"/juries/respond/{token}", data={"answer": "no"}).status_code == 409
    jurors = factories.jurors(db, jury)
    pending = [j for j in jurors if j.status != CONFIRMED]
    for juror in pending:
        assert (
            client.post(f"/juries/{demo.slug}/{jury.id}/jurors/{juror.id}", data={"action": "confirm"}).status_code
            == 303
        )
    client.post(
        f"/juries/{demo.slug}/{jury.id}/sessions", data={"title": "Day one", **typed_date("held_on", "2027-01-09")}
    )
    page = client.get(f"/juries/{demo.slug}/{jury.id}").get_data(as_text=True)
    session_url = re.search(r'href="(/juries/[^"]+/sessions/\d+)"', page).group(1)
    client.post(session_url, data={"present": [str(j.id) for j in jurors[:3]]})
    client.post(
        f"/juries/{demo.slug}/{jury.id}/expenses",
        data={"juror_id": str(jurors[0].id), "kind": "travel", "amount": "7.20"},
    )
    csv_text = client.get(f"/juries/{demo.slug}/{jury.id}/payments.csv").get_data(as_text=True)
    assert "57.20" in csv_text and csv_text.count("50.00") >= 3


def test_the_public_page_shows_the_remit_and_how_it_was_chosen(app, client, db, demo):
    jury = factories.seated_jury(app, db, demo)
    page = client.get(f"/juries/{demo.slug}/{jury.id}/about").get_data(as_text=True)
    assert jury.remit in page and "How the jury was selected" in page and "Volunteer" not in page
    home = client.get(f"/councils/{demo.slug}/").get_data(as_text=True)
    assert demo_remit() in home


def test_parallel_confirmations_have_one_effect(app, db, demo, make_app):
    jury = factories.seated_jury(app, db, demo)
    juror = factories.jurors(db, jury)[0]
    clients = []
    for _ in range(6):
        client = app.test_client()
        login(client, "officer@demo.example")
        clients.append(client)
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def confirm(client):
        barrier.wait()
        response = client.post(f"/juries/{demo.slug}/{jury.id}/jurors/{juror.id}", data={"action": "confirm"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [303] + [409] * 5
    db.commit()
    assert (
        db.exec(
            select(func.count()).select_from(audit.AuditEvent).where(audit.AuditEvent.action == "juror.confirm")
        ).one()
        == 1
    )
    assert db.exec(select(Juror.status).where(Juror.id == juror.id)).one() == CONFIRMED
    assert audit.verify(db) is None


def test_a_replacement_with_no_empty_seat_is_refused_politely(app, client, login_as, db, demo):
    jury = factories.seated_jury(app, db, demo)
    login_as("officer")
    response = client.post(f"/juries/{demo.slug}/{jury.id}/replacements", data={"purpose": "replacement"})
    assert response.status_code == 303
    assert "Nobody has declined" in client.get(response.location).get_data(as_text=True)
