"""Running for real: behind a proxy, links from the base URL, production checks, /healthz, logs, pools."""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlmodel import select

from pbapp import mail
from pbapp.config import Config, pool_sizes
from pbapp.db import get_engine


def _sign_in_fails(client, forwarded_for: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        "/accounts/login", data={"email": "nobody@example.org", "password": "wrong"}, headers=headers
    )
    return response.status_code


def test_behind_one_proxy_each_client_has_its_own_rate_limit(make_app):
    app = make_app(PROXIES=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    # Twelve people behind the council's proxy, each failing to sign in twice: none is locked out.
    statuses = [_sign_in_fails(client, f"203.0.113.{n}") for n in range(12) for _ in range(2)]
    assert 429 not in statuses
    # One person past the limit is still limited.
    assert [_sign_in_fails(client, "203.0.113.99") for _ in range(4)][-1] == 429


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_limit(make_app):
    app = make_app(PROXIES=0, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [_sign_in_fails(client, f"198.51.100.{n}") for n in range(5)]
    assert statuses[-1] == 429


def test_reset_link_ignores_the_host_header(client, db, demo):
    client.post(
        "/accounts/reset",
        data={"email": "officer@demo.example"},
        headers={"Host": "evil.example"},
        base_url="http://evil.example",
    )
    message = db.exec(select(mail.OutboxMessage)).one()
    body = message.body
    assert "evil.example" not in body
    assert "http://localhost/accounts/reset/" in body


def test_reset_link_uses_the_configured_base_url(make_app, db, demo):
    app = make_app(BASE_URL="https://pb.council.example/votes")
    app.test_client().post("/accounts/reset", data={"email": "officer@demo.example"})
    body = db.exec(select(mail.OutboxMessage)).one().body
    assert "https://pb.council.example/votes/accounts/reset/" in body


@pytest.mark.parametrize(
    "missing, says",
    [
        ("PBAPP_BASE_URL", "PBAPP_BASE_URL"),
        ("REDIS_URL", "REDIS_URL"),
        ("SECRET_KEY", "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_settings(monkeypatch, missing, says):
    from pbapp import create_app

    env = {
        "PBAPP_ENV": "production",
        "SECRET_KEY": "s" * 32,
        "PBAPP_BASE_URL": "https://pb.example",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "DATABASE_URL": "sqlite://",
    }
    env.pop(missing)
    for key in ("PBAPP_ENV", "SECRET_KEY", "PBAPP_BASE_URL", "REDIS_URL", "DATABASE_URL", "RATELIMIT_ENABLED"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(RuntimeError, match=says):
        create_app(Config())


def test_production_without_redis_starts_when_rate_limits_are_off(monkeypatch):
    from pbapp import create_app

    for key, value in {
        "PBAPP_ENV": "production",
        "SECRET_KEY": "s" * 32,
        "PBAPP_BASE_URL": "https://pb.example",
        "VOTER_KEY": "v" * 32,
        "DATABASE_URL": "sqlite://",
        "RATELIMIT_ENABLED": "0",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = create_app(Config())
    assert app.config["RATELIMIT_ENABLED"] is False
    get_engine(app).dispose()


def test_an_unknown_mail_tls_mode_is_refused(make_app):
    with pytest.raises(RuntimeError, match="MAIL_TLS"):
        make_app(MAIL_TLS="maybe")


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "not used"}}


def test_healthz_fails_when_redis_does_not_answer(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "failing"


@pytest.fixture
def json_log(make_app):
    app = make_app(LOG_FORMAT="json")
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "pbapp_json", False))
    stream = io.StringIO()
    handler.setStream(stream)
    yield app, stream
    logging.getLogger().removeHandler(handler)


def test_json_logs_carry_the_request_id_and_no_personal_data(json_log, db, demo):
    app, stream = json_log
    response = app.test_client().post("/accounts/reset", data={"email": "officer@demo.example"})
    token = db.exec(select(mail.OutboxMessage)).one().body.split("/accounts/reset/")[1].split()[0]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    request_line = next(line for line in lines if line["message"] == "request")
    assert request_line["request_id"] == response.headers["X-Request-ID"]
    assert request_line["route"] == "/accounts/reset" and request_line["status"] == response.status_code
    text = stream.getvalue()
    assert "officer@demo.example" not in text and token not in text and "127.0.0.1" not in text


def test_request_id_from_an_untrusted_client_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "chosen-by-the-client"})
    assert response.headers["X-Request-ID"] != "chosen-by-the-client"


def test_connection_pools_keep_to_the_budget():
    # 4 web workers and one job worker against PostgreSQL's default of 100 connections.
    pool, autocommit = pool_sizes(80, 5)
    assert 5 * (pool + autocommit) <= 80 and pool >= 2


def test_the_app_engine_opens_no_more_than_its_share(make_app, database_url):
    app = make_app(DB_CONNECTION_BUDGET=80, DB_PROCESSES=5)
    engine = get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("connection pools matter on PostgreSQL")
    autocommit = app.extensions["pbapp.engine.autocommit"].keep
    assert 5 * (engine.pool.size() + engine.pool._max_overflow + autocommit) <= 80
