"""The budget-setting record: budget books, lines, changes, council responses and delivery."""

from flask import Blueprint, Flask

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


def _open_now(session, council):
    from pbapp.ledger.services import open_now

    return open_now(session, council)


def _ra_line(name: str) -> str:
    from pbapp.ledger.labels import ra_line_label

    return ra_line_label(name)


def register(app: Flask) -> None:
    """Wire the record into the app: its pages, its open budget on the council's home page, the `ra_line` filter."""
    from pbapp.councils.services import register_open_now
    from pbapp.ledger import views  # noqa: F401  (routes attach to bp)

    app.register_blueprint(bp)
    register_open_now(app, _open_now)
    app.add_template_filter(_ra_line, "ra_line")
