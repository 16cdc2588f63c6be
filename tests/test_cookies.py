"""The session cookie is Flask's own, byte for byte: cookies made either way read in the other."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from flask import Flask
from itsdangerous import BadSignature
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup

from pbapp.cookies import SessionCookies

SESSIONS = [
    {},
    {"csrf_token": "a" * 40, "pb_codes": {"12": {"key": "b" * 64, "area_id": None, "code_id": 7}},
     "pb_receipts": {"12": "c" * 64}, "pb_seed": "0f3a", "_fresh": True, "n": 1.5},
    {"_flashes": [("error", "Enter the code exactly as it is printed on your letter")]},
    {"said": 'He said " hi', "list": [1, "two", None, [3]]},
    {"markup": Markup("<b>x</b>"), "bytes": b"\x00\xff", "when": datetime(2026, 11, 22, 17, tzinfo=timezone.utc),
     "id": uuid.UUID(int=5)},
    {"looks_tagged": {" t": ["a", "b"]}, "nested": {" di": {"k": "v"}}},
    {"lang": "cy", "unicode": "Llŷr a’r ŵyn"},
]


@pytest.fixture
def signer_app():
    app = Flask(__name__)
    app.secret_key = "cookie-test-secret"
    return app


@pytest.mark.parametrize("data", SESSIONS)
def test_cookie_text_and_round_trip_match_flask(signer_app, data, monkeypatch):
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 1_800_000_000)  # one timestamp for both
    with signer_app.app_context():
        ours = SessionCookies().get_signing_serializer(signer_app)
        flasks = SecureCookieSessionInterface().get_signing_serializer(signer_app)
        cookie = ours.dumps(data)
        assert cookie == flasks.dumps(data)
        assert ours.loads(cookie) == flasks.loads(cookie) == data


def test_a_new_secret_key_is_used_at_once(signer_app):
    with signer_app.app_context():
        interface = SessionCookies()
        old = interface.get_signing_serializer(signer_app).dumps({"a": 1})
        signer_app.secret_key = "rotated-secret"
        signer_app.config["SECRET_KEY_FALLBACKS"] = ["cookie-test-secret"]
        serializer = interface.get_signing_serializer(signer_app)
        assert serializer.loads(old) == {"a": 1}  # the old key still reads
        signer_app.config["SECRET_KEY_FALLBACKS"] = []
        with pytest.raises(BadSignature):
            interface.get_signing_serializer(signer_app).loads(old)


def test_the_app_signs_sessions_flask_can_read(app, client):
    with client.session_transaction() as session:
        session["pb_codes"] = {"3": {"key": "k", "area_id": None, "code_id": 1}}
    client.get("/")
    value = client.get_cookie("session").value
    assert isinstance(app.session_interface, SessionCookies)
    with app.app_context():
        assert SecureCookieSessionInterface().get_signing_serializer(app).loads(value)["pb_codes"]["3"]["key"] == "k"
