"""The budget-setting record: budget books, lines, changes, council responses and delivery."""

from flask import Blueprint

from pbapp.councils.services import register_open_now

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


def _open_now(session, council):
    from pbapp.ledger.services import open_now

    return open_now(session, council)


bp.record_once(lambda state: register_open_now(state.app, _open_now))


@bp.app_template_filter("ra_line")
def _ra_line(name: str) -> str:
    from pbapp.ledger.labels import ra_line_label

    return ra_line_label(name)
