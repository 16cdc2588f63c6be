"""Running the app for real: proxies, the health check, request ids and structured logs.

Logs never carry personal data: a request is named by its route pattern (never its path, which
can hold a reset token), and the client by a keyed hash of its address, so lines of one client
can be told apart without the address itself being kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import uuid

from flask import Blueprint, Flask, current_app, g, has_request_context, jsonify, request
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from pbapp.security import public, requires

bp = Blueprint("ops", __name__)
log = logging.getLogger("pbapp.request")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def check_database() -> bool:
    from pbapp.db import get_engine

    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - the health check reports, it never raises
        logging.getLogger(__name__).warning("health check: the database did not answer")
        return False


def check_redis() -> bool | None:
    """True when Redis answers, False when it does not, None when the app runs without Redis."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping())
    except (RedisError, OSError):
        logging.getLogger(__name__).warning("health check: Redis did not answer")
        return False


@bp.route("/healthz")
@requires(public("health check"))
def healthz():
    """Say whether the database and Redis answer: 200 when all is well, 503 when not."""
    database, redis = check_database(), check_redis()
    healthy = database and redis is not False
    checks = {
        "database": "ok" if database else "failing",
        "redis": "not used" if redis is None else ("ok" if redis else "failing"),
    }
    response = jsonify(status="ok" if healthy else "failing", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request it was logged in, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request id when there is one."""

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "route", "method", "status", "ms", "client"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "error"
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """Text lines by default; one JSON object per line with LOG_FORMAT=json."""
    root = logging.getLogger()
    if app.config.get("LOG_FORMAT") == "json":
        handler = next((h for h in root.handlers if getattr(h, "pbapp_json", False)), None)
        if handler is None:
            handler = logging.StreamHandler()
            handler.pbapp_json = True  # type: ignore[attr-defined]
            handler.setFormatter(JsonFormatter())
            handler.addFilter(RequestIdFilter())
            for old in list(root.handlers):
                if type(old) is logging.StreamHandler:  # plain text lines would double every entry
                    root.removeHandler(old)
            root.addHandler(handler)
        root.setLevel(logging.INFO)
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _start_request() -> None:
    offered = request.headers.get("X-Request-ID", "")
    # A request id from a trusted proxy joins its logs to ours; anything else gets a fresh one.
    trusted = current_app.config.get("PROXIES", 0) > 0 and _REQUEST_ID.match(offered)
    g.request_id = offered if trusted else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def client_tag(address: str | None) -> str:
    """A keyed, shortened hash of the client address: tells clients apart without naming them."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()[:12]


def _finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if current_app.config.get("LOG_FORMAT") == "json":
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        log.info(
            "request",
            extra={
                "route": request.url_rule.rule if request.url_rule else "(no route)",
                "method": request.method,
                "status": response.status_code,
                "ms": round(elapsed, 1),
                "client": client_tag(request.remote_addr),
            },
        )
    return response


def init_app(app: Flask) -> None:
    """Trust the configured number of proxies, give every request an id, log it, serve /healthz."""
    proxies = app.config.get("PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)  # type: ignore[method-assign]
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.register_blueprint(bp)
