"""pbapp: citizens' juries, participatory budgeting and the budget-setting record."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, render_template, request, session
from flask_babel import Babel

from pbapp.config import PROJECT_ROOT, Config, check_production, check_settings, development_secret_key
from pbapp.errors import DomainError

__version__ = "0.1.0"

DOMAINS = ("accounts", "councils", "sortition", "juries", "pb", "ledger")


def select_locale() -> str:
    """Use the visitor's chosen language, else what their browser asks for."""
    from flask import current_app

    chosen = session.get("lang")
    languages = current_app.config["LANGUAGES"]
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "en"


def create_app(config: Config | None = None) -> Flask:
    """Build the app: the one place extensions, blueprints, CLI and jobs are wired."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(config or Config())
    check_settings(app.config)
    if app.config.get("PRODUCTION"):
        check_production(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))

    from pbapp import db, htmx, mail, ops, security
    from pbapp.templating import init_templating

    ops.configure_logging(app)
    db.init_app(app)
    security.init_app(app)
    mail.init_app(app)
    ops.init_app(app)
    Babel(app, locale_selector=select_locale,
          default_translation_directories=str(PROJECT_ROOT / "translations"))
    init_templating(app)
    app.after_request(htmx.add_vary)

    for domain in DOMAINS:
        importlib.import_module(f"pbapp.{domain}.views")  # routes attach to the domain's bp
        app.register_blueprint(importlib.import_module(f"pbapp.{domain}").bp)
    security.exempt_policy(app.view_functions["static"], security.public("static files"))

    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, _error_page)
    app.register_error_handler(DomainError, _domain_error_page)
    return app


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    return render_template("errors/error.html", code=code, message=None), code


def _domain_error_page(error: DomainError):
    """A service refused and the view did not handle it: show its plain message."""
    return render_template("errors/error.html", code=error.status, message=error.message), error.status
