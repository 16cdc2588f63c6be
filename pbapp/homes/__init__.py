"""Homes: each role's workspace after sign-in, the service's front door and its footer pages.

Homes only read: each role's home is gathered by one service from the domains' tables and
services, and links to the pages where the work is done.
"""

from flask import Blueprint, Flask

bp = Blueprint("homes", __name__)


def register(app: Flask) -> None:
    """Wire homes into the app: each role's home and the footer pages."""
    from pbapp.homes import views  # noqa: F401  (routes attach to bp)

    app.register_blueprint(bp)
