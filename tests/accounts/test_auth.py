"""Every sign-in flow through the real pages: register, sign in and out, reset, invitations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from pbapp.accounts.models import Invitation, Membership, PasswordReset, User
from pbapp.mail import OutboxMessage
from tests import factories
from tests.conftest import DEMO_PASSWORD, login


def _last_link(db, path_part: str) -> str:
    message = db.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    db.commit()
    match = re.search(r"https?://[^/\s]+(/accounts/%s/\S+)" % path_part, message.body)
    assert match, message.body
    return match.group(1)


def test_register_emails_a_link_that_confirms_the_address_and_signs_in(client, db):
    response = client.post(
        "/accounts/register",
        data={
            "name": "Rosa Parks",
            "email": "Rosa@Example.org",
            "postcode": "bb1 7dy",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    user = factories.user_by_email(db, "rosa@example.org")
    assert user.postcode == "BB1 7DY" and user.password_hash.startswith("$argon2")
    assert user.email_confirmed_at is None
    assert client.get("/accounts/me").status_code == 302  # not signed in until the link is used
    link = _last_link(db, "confirm")
    assert client.get(link).status_code == 200  # opening the link (as a mail scanner does) confirms nothing
    assert factories.user_by_email(db, "rosa@example.org").email_confirmed_at is None
    assert client.post(link).status_code == 303
    db.expire_all()
    assert factories.user_by_email(db, "rosa@example.org").email_confirmed_at is not None
    assert client.get("/accounts/me").status_code == 200
    assert client.post(link).status_code == 404  # the link works once


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("postcode", "123", "Enter a real postcode"),
        ("password", "short", "at least 12 characters"),
        ("confirm", "something else entirely", "The passwords do not match"),
        ("name", "", "Enter your full name"),
    ],
)
def test_register_rejects_bad_input_beside_the_field(client, db, field, value, message):
    data = {
        "name": "Rosa",
        "email": "rosa@example.org",
        "postcode": "BB1 7DY",
        "password": "a long enough password",
        "confirm": "a long enough password",
    }
    data[field] = value
    response = client.post("/accounts/register", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and "govuk-error-summary" in html and f'href="#{field}"' in html
    assert db.exec(select(User)).first() is None


def test_register_does_not_reveal_that_an_email_has_an_account(client, db):
    factories.user(db, email="taken@example.org", name="Owner", password_hash="unchanged")
    replies = []
    for email in ("TAKEN@example.org", "new@example.org"):
        response = client.post(
            "/accounts/register",
            data={
                "name": "X",
                "email": email,
                "password": "a long enough password",
                "confirm": "a long enough password",
            },
        )
        main = re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)  # no signed, timed tokens
        replies.append((response.status_code, main.replace(email, "EMAIL")))
    assert replies[0] == replies[1] and replies[0][0] == 200
    owner = factories.user_by_email(db, "taken@example.org")
    assert owner.name == "Owner" and owner.password_hash == "unchanged"
    sent = {m.to: m.subject for m in db.exec(select(OutboxMessage)).all()}
    db.commit()
    assert sent == {
        "taken@example.org": "Someone tried to create an account with your email address",
        "new@example.org": "Confirm your email address",
    }


def test_login_and_logout(client, demo):
    response = login(client, "officer@demo.example")
    assert response.location == "/home/"
    assert "Tom Hargreaves" in client.get("/accounts/me").get_data(as_text=True)
    assert client.post("/accounts/logout").status_code == 303
    assert client.get("/accounts/me").status_code == 302


def test_login_follows_only_local_next(client, demo):
    data = {"email": "officer@demo.example", "password": DEMO_PASSWORD}
    assert client.post("/accounts/login?next=/accounts/me", data=data).location == "/accounts/me"
    client.post("/accounts/logout")
    assert client.post("/accounts/login?next=//evil.example/", data=data).location == "/home/"


@pytest.mark.parametrize(
    "email, password",
    [
        ("officer@demo.example", "wrong password!"),
        ("nobody@demo.example", DEMO_PASSWORD),
    ],
)
def test_login_failure_says_the_same_thing_either_way(client, demo, email, password):
    response = client.post("/accounts/login", data={"email": email, "password": password})
    assert response.status_code == 422
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_an_unknown_email_costs_a_check_of_a_hash_as_hard_as_the_accounts(app, client, demo, db, monkeypatch):
    from pbapp import security

    checked = []
    verify = security.check_password
    monkeypatch.setattr(security, "check_password", lambda h, p: checked.append(h) or verify(h, p))
    response = client.post("/accounts/login", data={"email": "nobody@demo.example", "password": DEMO_PASSWORD})
    assert response.status_code == 422
    officer = db.exec(select(User).where(User.email == "officer@demo.example")).one()
    # The same argon2 parameters as an account's hash ("$argon2id$v=19$m=...,t=...,p=...$salt$hash").
    assert [h.split("$")[3] for h in checked] == [officer.password_hash.split("$")[3]]


def test_login_clears_a_planted_session(client, demo):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "resident@demo.example")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_password_reset_link_works_once(client, db, demo):
    client.post("/accounts/reset", data={"email": "resident@demo.example"})
    link = _last_link(db, "reset")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 303
    client.post("/accounts/logout")
    login(client, "resident@demo.example", "a brand new password")
    again = client.get(link)
    assert again.status_code == 404 and "already been used" in again.get_data(as_text=True)


def test_password_reset_ends_other_sessions(app, client, db, demo):
    other = app.test_client()
    login(other, "resident@demo.example")
    client.post("/accounts/reset", data={"email": "resident@demo.example"})
    client.post(_last_link(db, "reset"), data={"password": "a brand new password", "confirm": "a brand new password"})
    assert other.get("/accounts/me").status_code == 302


def test_password_reset_link_expires(client, db, demo):
    client.post("/accounts/reset", data={"email": "resident@demo.example"})
    link = _last_link(db, "reset")
    reset = db.exec(select(PasswordReset)).one()
    reset.expires_at = reset.expires_at - timedelta(hours=2)
    db.add(reset)
    db.commit()
    assert client.get(link).status_code == 404


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post("/accounts/reset", data={"email": "ghost@example.org"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert db.exec(select(OutboxMessage)).first() is None


def test_admin_invites_a_new_officer_who_joins(app, client, db, demo, login_as):
    login_as("admin")
    response = client.post(
        f"/accounts/councils/{demo.slug}/members", data={"email": "new.officer@example.org", "role": "officer"}
    )
    assert response.status_code == 303
    link = _last_link(db, "invitations")
    newcomer = app.test_client()
    assert "Create account and join" in newcomer.get(link).get_data(as_text=True)
    response = newcomer.post(
        link, data={"name": "New Officer", "password": "a long enough password", "confirm": "a long enough password"}
    )
    assert response.status_code == 303
    user = factories.user_by_email(db, "new.officer@example.org")
    roles = db.exec(select(Membership.role).where(Membership.user_id == user.id)).all()
    assert roles == ["officer"]
    assert newcomer.get(link).status_code == 404


def test_existing_account_must_sign_in_to_accept(app, client, db, demo, login_as):
    login_as("admin")
    client.post(
        f"/accounts/councils/{demo.slug}/members", data={"email": "resident@demo.example", "role": "facilitator"}
    )
    link = _last_link(db, "invitations")
    stranger = app.test_client()
    assert "Sign in as resident@demo.example" in stranger.get(link).get_data(
        as_text=True
    ) or "You already have an account" in stranger.get(link).get_data(as_text=True)
    resident = app.test_client()
    login(resident, "resident@demo.example")
    assert resident.post(link).status_code == 303
    user = factories.user_by_email(db, "resident@demo.example")
    assert set(db.exec(select(Membership.role).where(Membership.user_id == user.id)).all()) == {
        "resident",
        "facilitator",
    }


def test_invitations_expire(app, client, db, demo, login_as):
    login_as("admin")
    client.post(f"/accounts/councils/{demo.slug}/members", data={"email": "late@example.org", "role": "resident"})
    link = _last_link(db, "invitations")
    invitation = db.exec(select(Invitation)).one()
    invitation.expires_at = invitation.expires_at - timedelta(days=30)
    db.add(invitation)
    db.commit()
    response = app.test_client().get(link)
    assert response.status_code == 404 and "expired" in response.get_data(as_text=True)


def test_invite_rejects_a_bad_email(client, demo, login_as):
    login_as("admin")
    response = client.post(f"/accounts/councils/{demo.slug}/members", data={"email": "nope", "role": "officer"})
    assert response.status_code == 422
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)


def test_admin_reads_the_outbox(client, db, demo, login_as):
    client.post("/accounts/reset", data={"email": "resident@demo.example"})
    login_as("admin")
    client.post(f"/accounts/councils/{demo.slug}/members", data={"email": "new@example.org", "role": "officer"})
    html = client.get("/accounts/outbox").get_data(as_text=True)
    assert "You are invited to" in html and "No mail server is set up" in html
    # A resident's password reset is no council's mail, and live links are never shown.
    assert "Reset your password" not in html and "/accounts/invitations/" not in html


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}])
def test_login_is_rate_limited(client, demo):
    statuses = [
        client.post("/accounts/login", data={"email": "x@example.org", "password": "nope nope nope"}).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, demo):
    login(client, "resident@demo.example")
    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    assert copied.get("/accounts/me").status_code == 200
    client.post("/accounts/logout")
    assert copied.get("/accounts/me").status_code == 302


def test_account_pages_are_not_stored_by_the_browser(client, demo):
    assert "no-store" not in client.get("/accounts/login").headers.get("Cache-Control", "")
    login(client, "admin@demo.example")
    for url in ("/accounts/me", f"/accounts/councils/{demo.slug}/members", "/accounts/outbox"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url
