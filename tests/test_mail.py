"""Mail through a real SMTP server (aiosmtpd, in the test): delivered by a job, retried, failed
where an officer sees it and sends it again; the outbox keeps to one's councils and withholds links."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlmodel import select

from pbapp import mail
from pbapp.accounts.models import ADMIN, OFFICER
from tests import factories
from tests.conftest import login

aiosmtpd = pytest.importorskip("aiosmtpd.controller")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An SMTP server on a local port that keeps what it receives."""

    def __init__(self, port: int):
        self.messages: list[tuple[list[str], str]] = []
        self.controller = aiosmtpd.Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def mail_settings(port: int, **more):
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_TLS": "none",
        "MAIL_TIMEOUT": 2,
        "MAIL_ATTEMPTS": 2,
        "MAIL_RETRY_SECONDS": 0,
        **more,
    }


def messages(db):
    db.commit()
    db.expire_all()  # the test's session keeps objects across commits; read them afresh
    return list(db.exec(select(mail.OutboxMessage).order_by(mail.OutboxMessage.id)).all())


def test_a_reset_is_delivered_through_a_plain_relay_and_its_body_dropped(make_app, db, demo):
    port = free_port()
    app = make_app(**mail_settings(port))
    with Inbox(port) as inbox:
        app.test_client().post("/accounts/reset", data={"email": "officer@demo.example"})
    assert len(inbox.messages) == 1
    recipients, content = inbox.messages[0]
    assert recipients == ["officer@demo.example"] and "http://localhost/accounts/reset/" in content
    (message,) = messages(db)
    assert message.status == mail.SENT and message.attempts == 1 and message.sent_at is not None
    assert message.body == ""  # delivered: the live link is no longer kept


def test_a_dead_relay_is_retried_then_failed_and_an_officer_sends_it_again(make_app, db):
    port = free_port()  # nothing listens here yet
    council = factories.council(db)
    officer = factories.user(db, council=council, role=OFFICER)
    app = make_app(**mail_settings(port))
    client = app.test_client()
    login(client, officer.email, factories.PASSWORD)
    with app.app_context():
        mail.send(db, "juror@example.org", "Chosen", "Reply here: http://localhost/x", council_id=council.id)
        db.commit()
    (message,) = messages(db)
    assert message.status == mail.FAILED and message.attempts == 2
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    page = client.get("/accounts/outbox").get_data(as_text=True)
    assert "Not sent: failed" in page and "Send again" in page
    with Inbox(port) as inbox:
        response = client.post("/accounts/outbox/retry", data={"message_id": message.id})
    assert response.status_code == 303
    assert [m[0] for m in inbox.messages] == [["juror@example.org"]]
    assert messages(db)[0].status == mail.SENT


class SilentRelay:
    """A relay that accepts connections and never says a word, so a client waits for its timeout."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(50)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stop = threading.Event()

    def _accept(self):
        self.listener.settimeout(0.2)
        while not self.stop.is_set():
            try:
                self.held.append(self.listener.accept()[0])
            except OSError:
                continue

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.listener.close()
        for connection in self.held:
            connection.close()


def invite_an_officer(app, demo, *, timed: list | None = None):
    """Sign in as the demo admin and invite an officer; `timed` gets the invitation's wall seconds."""
    client = app.test_client()
    login(client, "admin@demo.example")
    started = time.monotonic()
    response = client.post(
        f"/accounts/councils/{demo.slug}/members", data={"email": "new.officer@example.org", "role": "officer"}
    )
    if timed is not None:
        timed.append(time.monotonic() - started)
    return response


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_sending_invitations_never_waits_for_the_relay(make_app, db, demo):
    """A relay that accepts and never answers: the request returns at once, the mail is recorded."""
    # The relay's timeout is far above the limit put on the request, so a loaded machine's slowness
    # cannot pass for waiting on the relay, nor the other way round.
    with SilentRelay() as relay:
        app = make_app(**mail_settings(relay.port, MAIL_TIMEOUT=3, MAIL_ATTEMPTS=1), JOBS_INLINE=False)
        timed = []
        response = invite_an_officer(app, demo, timed=timed)
        assert response.status_code == 303
        assert timed[0] < 2.0
        (message,) = messages(db)
        assert message.status == mail.PENDING and message.council_id == demo.id
        wait_for(lambda: messages(db)[0].status == mail.FAILED, seconds=30)
        assert messages(db)[0].status == mail.FAILED and "timed out" in messages(db)[0].last_error


def test_a_silent_relay_never_holds_up_other_writers(make_app, db, demo):
    """While the mail job waits on the relay it holds no transaction: on SQLite that would be the
    write lock, and every vote would wait for the relay's timeout."""
    from pbapp.db import standalone_session

    with SilentRelay() as relay:
        app = make_app(**mail_settings(relay.port, MAIL_TIMEOUT=3, MAIL_ATTEMPTS=1), JOBS_INLINE=False)
        assert invite_an_officer(app, demo).status_code == 303
        wait_for(lambda: relay.held)
        assert relay.held, "the mail job never reached the relay"
        started = time.monotonic()
        with app.app_context(), standalone_session(app) as session:
            session.add(mail.OutboxMessage(to="x@example.org", subject="s", body="b", preview="b", status=mail.KEPT))
            session.commit()
        assert time.monotonic() - started < 2.0
        wait_for(lambda: messages(db)[0].status == mail.FAILED, seconds=30)


def test_the_outbox_shows_only_ones_own_councils_and_withholds_links(client, db):
    council_a, council_b = factories.council(db), factories.council(db)
    admin_a = factories.user(db, council=council_a, role=ADMIN)
    admin_b = factories.user(db, council=council_b, role=ADMIN)
    login(client, admin_a.email, factories.PASSWORD)
    client.post(f"/accounts/councils/{council_a.slug}/members", data={"email": "new@example.org", "role": "admin"})
    client.post("/accounts/reset", data={"email": admin_a.email})
    link = messages(db)[0].body.split("\n")[-1]
    assert "/accounts/invitations/" in link
    own = client.get("/accounts/outbox").get_data(as_text=True)
    assert "new@example.org" in own and mail.WITHHELD in own and link not in own
    assert "/accounts/reset/" not in own  # a reset belongs to no council's outbox
    client.post("/accounts/logout")
    login(client, admin_b.email, factories.PASSWORD)
    other = client.get("/accounts/outbox").get_data(as_text=True)
    assert "new@example.org" not in other and link not in other
    assert client.post("/accounts/outbox/retry", data={"message_id": messages(db)[0].id}).status_code == 303


def test_a_resident_cannot_read_the_outbox(client, db):
    council = factories.council(db)
    resident = factories.user(db, council=council, role="resident")
    login(client, resident.email, factories.PASSWORD)
    assert client.get("/accounts/outbox").status_code == 403


def test_two_deliveries_at_once_send_each_message_once(make_app, db):
    port = free_port()
    council = factories.council(db)
    app = make_app(**{**mail_settings(port), "MAIL_SERVER": None})  # recorded, not yet sent
    with app.app_context():
        for n in range(6):
            mail.send(db, f"juror{n}@example.org", "Chosen", "Reply", council_id=council.id)
        db.commit()
    for message in messages(db):
        message.status = mail.PENDING
        db.add(message)
    db.commit()
    sender = make_app(**mail_settings(port))
    results = []
    with Inbox(port) as inbox:
        threads = [threading.Thread(target=lambda: results.append(_deliver(sender))) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(rcpt[0] for rcpt, _content in inbox.messages) == sorted(f"juror{n}@example.org" for n in range(6))
    assert sum(r["sent"] for r in results) == 6
    assert {m.status for m in messages(db)} == {mail.SENT}


def _deliver(app):
    from pbapp.db import standalone_session

    with app.app_context(), standalone_session(app) as session:
        return mail.deliver_job(session, lambda *_args: None, council=messages_council(session))


def messages_council(session):
    return session.exec(select(mail.OutboxMessage.council_id)).first()


def test_a_message_left_sending_by_a_dead_worker_becomes_failed(app_context, db):
    from pbapp import jobs

    council = factories.council(db)
    message = mail.OutboxMessage(
        council_id=council.id, to="juror@example.org", subject="Chosen", body="Reply", status=mail.SENDING, attempts=0
    )
    db.add(message)
    db.commit()
    jobs.sweep(db)
    (found,) = messages(db)
    assert found.status == mail.FAILED and "stopped" in found.last_error
