"""Accounts: people, roles per council, sign-in, password resets and invitations."""

from flask import Blueprint, Flask

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def register(app: Flask) -> None:
    """Wire accounts into the app: its sign-in, account and invitation pages."""
    from pbapp.accounts import views  # noqa: F401  (routes attach to bp)

    app.register_blueprint(bp)
