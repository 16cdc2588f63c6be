"""Sortition: pools, features and quotas, selection runs and replacements."""


def __getattr__(name: str):
    # The blueprint is made on first use, so the selection commands start without Flask.
    if name == "bp":
        from flask import Blueprint

        global bp
        bp = Blueprint("sortition", __name__, url_prefix="/sortition")
        return bp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(app) -> None:
    """Wire sortition into the app: its pages."""
    from pbapp.sortition import views

    app.register_blueprint(views.bp)
