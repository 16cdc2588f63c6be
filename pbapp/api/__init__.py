"""The read-only public data API under /api/v1, with robots.txt and the sitemap."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")
site = Blueprint("site", __name__)


def register(app: Flask) -> None:
    """Wire the API and the crawler files into the app."""
    from pbapp.api import problems, sitemap, views  # noqa: F401  (routes attach to the blueprints)

    app.register_blueprint(bp)
    app.register_blueprint(site)
    app.after_request(problems.add_cors)
