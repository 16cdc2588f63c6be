"""Configuration read from the environment; nothing here touches the disk or the network."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent


def instance_path() -> Path:
    """Where local state lives (development key, SQLite file): PBAPP_INSTANCE_PATH, else ./instance.

    A checkout keeps its own instance/ folder; an installed package never writes inside
    site-packages, so it uses the directory it is started from unless told otherwise.
    """
    configured = os.environ.get("PBAPP_INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "instance"
    return Path.cwd() / "instance"


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
        # Keys voter ids and letter codes; never rotated with SECRET_KEY (see pbapp.voterkey).
        self.VOTER_KEY = env.get("VOTER_KEY") or None
        self.VOTER_KEY_VERSION = int(env.get("VOTER_KEY_VERSION", "1"))
        self.VOTER_KEYS_RETIRED = parse_retired_keys(env.get("VOTER_KEYS_RETIRED", ""))
        default_db = "sqlite:///" + str(instance_path() / "pbapp.sqlite")
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
        self.SETUP_LINK_HOURS = int(env.get("SETUP_LINK_HOURS", "72"))
        self.EMAIL_CONFIRM_DAYS = int(env.get("EMAIL_CONFIRM_DAYS", "7"))
        # Officers see a postcode or an address with more verified voters than these on a ballot.
        self.FLAG_VOTERS_PER_POSTCODE = int(env.get("FLAG_VOTERS_PER_POSTCODE", "20"))
        self.FLAG_VOTERS_PER_ADDRESS = int(env.get("FLAG_VOTERS_PER_ADDRESS", "4"))
        self.DEMO_PASSWORD = env.get("PBAPP_DEMO_PASSWORD") or None


def parse_retired_keys(text: str) -> dict[int, str]:
    """Read `VERSION=KEY,VERSION=KEY` into {version: key}: voter keys still needed by older ballots."""
    keys = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        version, _, key = item.partition("=")
        if not version.strip().isdigit() or not key.strip():
            raise ValueError("VOTER_KEYS_RETIRED must read VERSION=KEY,VERSION=KEY")
        keys[int(version)] = key.strip()
    return keys


def development_secret_key(instance_path: Path, name: str = "secret_key") -> str:
    """Keep one random key per checkout, so sessions, letter codes and voter keys survive restarts."""
    key_file = instance_path / name
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
        self.VOTER_KEY = "test-voter-key"
        self.VOTER_KEY_VERSION = 1
        self.VOTER_KEYS_RETIRED = {}
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
