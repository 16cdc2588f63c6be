"""Configuration read from the environment; nothing here touches the disk or the network."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the platform hands us."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings for a real deployment; every value can come from the environment."""

    TESTING = False
    PRODUCTION = False

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY") or None
        default_db = "sqlite:///" + str(PROJECT_ROOT / "instance" / "pbapp.sqlite")
        self.DATABASE_URL = normalise_database_url(env.get("DATABASE_URL", default_db))
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.PRODUCTION = env.get("PBAPP_ENV", "development") == "production"
        self.SESSION_COOKIE_SECURE = self.PRODUCTION
        self.REMEMBER_COOKIE_SECURE = self.PRODUCTION
        self.SESSION_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.PREFERRED_URL_SCHEME = "https" if self.PRODUCTION else "http"
        self.SERVER_NAME = env.get("SERVER_NAME") or None
        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(env.get("MAIL_PORT", "587"))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_FROM = env.get("MAIL_FROM", "pbapp@localhost")
        self.RATELIMIT_ENABLED = env.get("RATELIMIT_ENABLED", "1") != "0"
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.VOTE_RATE_LIMIT = env.get("VOTE_RATE_LIMIT", "30 per minute")
        self.JOBS_INLINE = False
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/London"  # pages show UK time; the database keeps UTC
        self.LANGUAGES = ("en", "cy")
        self.WTF_CSRF_TIME_LIMIT = None
        self.INVITATION_DAYS = int(env.get("INVITATION_DAYS", "14"))
        self.PASSWORD_RESET_MINUTES = int(env.get("PASSWORD_RESET_MINUTES", "60"))
        self.DEMO_PASSWORD = env.get("PBAPP_DEMO_PASSWORD") or None


def development_secret_key(instance_path: Path) -> str:
    """Keep one random key per checkout, so sessions, letter codes and voter keys survive restarts."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32), encoding="ascii")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="ascii").strip()


class TestConfig(Config):
    """Settings for the test suite: its own database, no rate limits unless a test asks."""

    TESTING = True
    __test__ = False  # not a pytest test class

    def __init__(self, database_url: str | None = None) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key"
        self.DATABASE_URL = normalise_database_url(
            database_url or os.environ.get("TEST_DATABASE_URL") or "sqlite://"
        )
        self.RATELIMIT_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.REDIS_URL = None
        self.MAIL_SERVER = None
        self.SERVER_NAME = None
        self.WTF_CSRF_ENABLED = False
        self.JOBS_INLINE = True
        self.FAST_PASSWORD_HASHING = True
        self.DEMO_PASSWORD = "correct horse battery"
