"""All public money in a place: the public bodies spending in it, their budgets, and outcome areas across them."""

from flask import Blueprint, Flask

bp = Blueprint("places", __name__, url_prefix="/places")


def register(app: Flask) -> None:
    """Wire places into the app: its pages, with its committees' and inquiries'."""
    from pbapp.places import views  # noqa: F401  (its routes and those of the modules it imports attach to bp)

    app.register_blueprint(bp)
