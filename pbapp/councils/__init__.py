"""Councils: the council, its wards and neighbourhoods, and its public home page."""

from flask import Blueprint, Flask

bp = Blueprint("councils", __name__)


def register(app: Flask) -> None:
    """Wire councils into the app: the council's pages."""
    from pbapp.councils import views  # noqa: F401  (routes attach to bp)

    app.register_blueprint(bp)
