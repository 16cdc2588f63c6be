"""The factory, configuration, headers, htmx helper, error pages and the audit chain."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlmodel import select

from pbapp import audit
from pbapp.config import Config, normalise_database_url
from pbapp.core.chain import GENESIS
from pbapp.htmx import redirect_after_post, render


def test_factory_builds_separate_apps_from_config(make_app):
    first, second = make_app(), make_app()
    assert isinstance(first, Flask) and first is not second
    assert first.config["TESTING"] is True
    assert first.extensions["pbapp.engine"] is not second.extensions["pbapp.engine"]


def test_default_config_uses_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = Config()
    assert config.DATABASE_URL.startswith("sqlite:///") and config.DATABASE_URL.endswith("pbapp.sqlite")
    assert config.SESSION_COOKIE_SECURE is False


def test_production_config_secures_cookies(monkeypatch):
    monkeypatch.setenv("PBAPP_ENV", "production")
    config = Config()
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE
    assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_runs_with_wal_and_foreign_keys(app, db):
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert db.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_every_page_sends_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers


def test_production_adds_hsts(make_app):
    response = make_app(PRODUCTION=True).test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_have_no_inline_script(client, demo):
    for url in ("/", "/accounts/login", f"/councils/{demo.slug}/"):
        html = client.get(url).get_data(as_text=True)
        for chunk in html.split("<script")[1:]:
            assert chunk.lstrip().startswith("src=") or " src=" in chunk.split(">")[0], url


def test_htmx_render_returns_fragment_only_for_htmx(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        assert (
            render("errors/error.html", "accounts/_role.html", role="admin").get_data(as_text=True).strip()
            == "Administrator"
        )
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        response = render("errors/error.html", "accounts/_role.html", role="admin", code=404, message=None)
        assert "<!DOCTYPE html>" in response.get_data(as_text=True)
        assert response.headers["Vary"] == "HX-Request"


def test_redirect_after_post_uses_303_or_hx_redirect(app):
    with app.test_request_context("/", method="POST"):
        response = redirect_after_post("/next")
        assert response.status_code == 303 and response.location == "/next"
    with app.test_request_context("/", method="POST", headers={"HX-Request": "true"}):
        response = redirect_after_post("/next")
        assert response.status_code == 204 and response.headers["HX-Redirect"] == "/next"


def test_every_response_varies_on_hx_request(client):
    assert "HX-Request" in client.get("/").headers["Vary"]


def test_unknown_page_is_a_plain_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_council_is_404(client):
    response = client.get("/councils/nowhere/")
    assert response.status_code == 404
    assert "There is no council at this address." in response.get_data(as_text=True)


def test_audit_log_chains_and_detects_tampering(app, db):
    first = audit.record(db, "thing.done", "thing", 1, note="a")
    second = audit.record(db, "thing.done", "thing", 2, note="b")
    db.commit()
    assert first.previous_hash == GENESIS and second.previous_hash == first.hash
    assert audit.verify(db) is None
    db.connection().exec_driver_sql('UPDATE audit_event SET payload = \'{"note": "forged"}\' WHERE id = %d' % second.id)
    db.expire_all()
    broken = audit.verify(db)
    assert broken is not None and broken.index == 1


def test_audit_entries_cannot_be_edited_or_deleted_through_the_orm(app, db):
    entry = audit.record(db, "thing.done", "thing", 1)
    db.commit()
    entry.action = "changed"
    with pytest.raises(audit.AuditLogIsAppendOnly):
        db.commit()
    db.rollback()
    with pytest.raises(audit.AuditLogIsAppendOnly):
        db.delete(db.get(audit.AuditEvent, entry.id))
        db.flush()


def test_audit_payload_is_stored_as_sorted_json(app, db):
    entry = audit.record(db, "x", "y", z=1, a=2)
    assert json.loads(entry.payload) == {"a": 2, "z": 1}
    assert list(db.exec(select(audit.AuditEvent)).all()) == [entry]


def test_development_keeps_one_secret_key_per_checkout(tmp_path):
    from pbapp.config import development_secret_key

    first = development_secret_key(tmp_path / "instance")
    assert len(first) == 64 and development_secret_key(tmp_path / "instance") == first


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from pbapp import create_app

    monkeypatch.setenv("PBAPP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="Set SECRET_KEY"):
        create_app(Config())


def test_production_refuses_to_start_without_a_voter_key(monkeypatch):
    from pbapp import create_app

    monkeypatch.setenv("PBAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a production secret")
    monkeypatch.setenv("PBAPP_BASE_URL", "https://pb.example")
    monkeypatch.setenv("RATELIMIT_ENABLED", "0")
    monkeypatch.delenv("VOTER_KEY", raising=False)
    with pytest.raises(RuntimeError, match="Set VOTER_KEY"):
        create_app(Config())


def test_retired_voter_keys_are_read_by_version():
    from pbapp.config import parse_retired_keys

    assert parse_retired_keys("1=abc, 2=def") == {1: "abc", 2: "def"} and parse_retired_keys("") == {}
    with pytest.raises(ValueError, match="VERSION=KEY"):
        parse_retired_keys("one=abc")
