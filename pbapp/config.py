"""Configuration read from the environment; nothing here touches the disk or the network."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from pbapp.languages import parse_languages

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
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


DEFAULT_CONNECTION_BUDGET = 80  # under PostgreSQL's default max_connections of 100, with room to spare
DEFAULT_PROCESSES = 5  # 4 gunicorn workers and 1 job worker


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
        # Links in emails and letters are built from this alone, never from a request's Host header.
        self.BASE_URL = (env.get("PBAPP_BASE_URL") or "").rstrip("/") or (
            None if self.PRODUCTION else "http://127.0.0.1:5000"
        )
        # Reverse proxies in front of the app whose X-Forwarded-* headers are believed.
        self.PROXIES = int(env.get("PBAPP_PROXIES", "0"))
        self.QUEUE_PREFIX = env.get("PBAPP_QUEUE_PREFIX", "pbapp")
        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(env.get("MAIL_PORT", "587"))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_FROM = env.get("MAIL_FROM", "pbapp@localhost")
        self.MAIL_TLS = env.get("MAIL_TLS", "starttls").lower()
        self.MAIL_TIMEOUT = int(env.get("MAIL_TIMEOUT", "10"))
        self.MAIL_ATTEMPTS = int(env.get("MAIL_ATTEMPTS", "5"))
        self.MAIL_RETRY_SECONDS = float(env.get("MAIL_RETRY_SECONDS", "30"))
        self.RATELIMIT_ENABLED = env.get("RATELIMIT_ENABLED", "1") != "0"
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_KEY_PREFIX = self.QUEUE_PREFIX
        self.LOG_FORMAT = env.get("LOG_FORMAT", "text").lower()
        # PostgreSQL connections this whole deployment may open, shared by every process (see README).
        self.DB_CONNECTION_BUDGET = int(env.get("DB_CONNECTION_BUDGET", str(DEFAULT_CONNECTION_BUDGET)))
        self.DB_PROCESSES = int(env.get("WEB_CONCURRENCY", "4")) * int(env.get("PBAPP_INSTANCES", "1")) + int(
            env.get("PBAPP_JOB_WORKERS", "1")
        )
        self.JOB_STALE_SECONDS = int(env.get("JOB_STALE_SECONDS", "45"))
        # Erasures of personal data, kept outside the database so a restore can re-apply them.
        self.ERASURE_LOG = env.get("ERASURE_LOG") or None
        # Letters a job made for a batch of voting codes; shared by the web instances and the workers.
        self.LETTERS_DIR = env.get("LETTERS_DIR") or None
        self.PENDING_UPLOAD_MINUTES = int(env.get("PENDING_UPLOAD_MINUTES", "60"))
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.VOTE_RATE_LIMIT = env.get("VOTE_RATE_LIMIT", "30 per minute")
        self.JOBS_INLINE = False
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/London"  # pages show UK time; the database keeps UTC
        # The interface's languages: English first, each other one with a compiled catalogue in
        # pbapp/translations or in a folder named by PBAPP_TRANSLATIONS (see docs/languages.md).
        self.LANGUAGES = parse_languages(env.get("PBAPP_LANGUAGES", "en,cy"))
        self.BABEL_TRANSLATION_DIRECTORIES = ";".join(
            [folder for folder in env.get("PBAPP_TRANSLATIONS", "").split(";") if folder.strip()]
            + [str(PACKAGE_ROOT / "translations")]
        )
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


MAIL_TLS_MODES = ("none", "starttls", "tls")


def check_production(config) -> None:
    """Refuse to start a production app whose settings would be unsafe, saying which to set."""
    problems = []
    if not config.get("SECRET_KEY"):
        problems.append("Set SECRET_KEY: production needs a fixed secret (it keys sessions and voter ids).")
    if not config.get("BASE_URL"):
        problems.append(
            "Set PBAPP_BASE_URL (for example https://pb.council.example): links in emails are "
            "built from it, never from the Host header a visitor sends."
        )
    if config.get("RATELIMIT_ENABLED") and not config.get("REDIS_URL"):
        problems.append(
            "Set REDIS_URL: production keeps rate limits in Redis so every worker and instance "
            "shares them (or set RATELIMIT_ENABLED=0 to turn rate limits off)."
        )
    if problems:
        raise RuntimeError(" ".join(problems))


def check_settings(config) -> None:
    """Refuse settings that cannot work, in any environment."""
    if config.get("MAIL_TLS") not in MAIL_TLS_MODES:
        raise RuntimeError(f"MAIL_TLS must be one of {', '.join(MAIL_TLS_MODES)}, not {config.get('MAIL_TLS')!r}.")
    base = config.get("BASE_URL")
    if base and not (base.startswith("https://") or base.startswith("http://")):
        raise RuntimeError(f"PBAPP_BASE_URL must start with https:// or http://, not {base!r}.")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", config.get("QUEUE_PREFIX") or ""):
        raise RuntimeError("PBAPP_QUEUE_PREFIX must be 1 to 40 letters, digits, dashes or underscores.")
    if config.get("PROXIES", 0) < 0:
        raise RuntimeError("PBAPP_PROXIES is the number of proxies in front of the app: 0 or more.")


def pool_sizes(budget: int, processes: int) -> tuple[int, int]:
    """Split a connection budget between processes: (ORM pool size, autocommit connections) each.

    Every process may open at most pool + autocommit connections and never more (no overflow),
    so processes x (pool + autocommit) stays within the budget.
    """
    share = max(2, budget // max(1, processes))
    autocommit = max(1, share // 4)
    return share - autocommit, autocommit


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
        self.DATABASE_URL = normalise_database_url(database_url or os.environ.get("TEST_DATABASE_URL") or "sqlite://")
        self.RATELIMIT_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.REDIS_URL = None
        self.MAIL_SERVER = None
        self.SERVER_NAME = None
        self.BASE_URL = "http://localhost"
        self.PROXIES = 0
        self.QUEUE_PREFIX = "pbapp-test"
        # The tests serve many threads from one process and run jobs inline beside the request
        # (two connections a request): a budget as for one big process, not a gunicorn worker's share.
        self.DB_CONNECTION_BUDGET = 200
        self.LOG_FORMAT = "text"
        self.WTF_CSRF_ENABLED = False
        self.JOBS_INLINE = True
        self.FAST_PASSWORD_HASHING = True
        self.DEMO_PASSWORD = "correct horse battery"
