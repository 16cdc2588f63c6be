"""pbapp: citizens' juries, participatory budgeting and the budget-setting record."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from pbapp.config import Config

__version__ = "0.1.0"


def select_locale() -> str:
    """Use the visitor's chosen language, else what their browser asks for."""
    from flask import current_app, has_request_context, request, session

    if not has_request_context():  # CLI commands and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    languages = current_app.config["LANGUAGES"]
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(config: Config | None = None) -> Flask:
    """Build the app: the one place extensions, blueprints, CLI and jobs are wired."""
    # Flask and the configuration (which reads the languages through Babel) are imported here, not
    # at the top, so commands that need no app start without them.
    from flask import Flask
    from flask_babel import Babel

    from pbapp.config import (
        PACKAGE_ROOT,
        Config,
        check_production,
        check_settings,
        development_secret_key,
        instance_path,
    )

    app = Flask(
        __name__,
        template_folder=str(PACKAGE_ROOT / "templates"),
        static_folder=str(PACKAGE_ROOT / "static"),
        instance_path=str(instance_path()),
    )
    app.config.from_object(config or Config())
    check_settings(app.config)
    if app.config.get("PRODUCTION"):
        check_production(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))
    if not app.config.get("VOTER_KEY"):
        if app.config.get("PRODUCTION"):
            raise RuntimeError(
                "Set VOTER_KEY: production needs a fixed voter key (it keys voter ids and letter "
                "codes, and must never change while a ballot is open)."
            )
        app.config["VOTER_KEY"] = development_secret_key(Path(app.instance_path), "voter_key")

    from pbapp import (
        accounts,
        api,
        councils,
        db,
        deliberation,
        errors,
        homes,
        htmx,
        juries,
        ledger,
        mail,
        ops,
        pb,
        places,
        security,
        sortition,
        static_files,
    )
    from pbapp.languages import check_languages
    from pbapp.templating import init_templating

    ops.configure_logging(app)
    db.init_app(app)
    security.init_app(app)
    mail.init_app(app)
    ops.init_app(app)
    Babel(app, locale_selector=select_locale, default_translation_directories=str(PACKAGE_ROOT / "translations"))
    check_languages(tuple(app.config["LANGUAGES"]), app.extensions["babel"].translation_directories)
    init_templating(app)
    static_files.init_app(app)
    app.after_request(htmx.add_vary)

    # Each domain adds its pages and whatever else it shows elsewhere (the council's home page, templates).
    accounts.register(app)
    councils.register(app)
    sortition.register(app)
    juries.register(app)
    deliberation.register(app)
    pb.register(app)
    ledger.register(app)
    places.register(app)
    homes.register(app)
    security.exempt_policy(app.view_functions["static"], security.public("static files"))
    api.register(app)

    errors.init_app(app)
    return app
