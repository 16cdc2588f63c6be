"""Participatory budgeting: processes, proposals, ballots, votes and results."""


def _open_now(session, council):
    """Open ballots and processes taking ideas, for the council's home page."""
    from flask import url_for
    from flask_babel import format_date, gettext as _

    from pbapp.councils.services import OpenItem
    from pbapp.pb import services

    items = []
    for kind, item, eligibility in services.open_now(session, council):
        if kind == "ballot":
            warning = _("Open vote: no eligibility check") if eligibility == "open" else _("Voting open")
            items.append(
                OpenItem(
                    "votes",
                    item.title,
                    url_for("pb.ballot", council=council.slug, ballot_id=item.id),
                    _("Closes %(when)s", when=format_date(item.closes_at, "d MMMM yyyy")) if item.closes_at else "",
                    warning,
                )
            )
        else:
            items.append(
                OpenItem(
                    "votes",
                    item.title,
                    url_for("pb.process", council=council.slug, process_id=item.id),
                    _("Ideas wanted"),
                    _("Proposals open"),
                )
            )
    return items


def _label(field: str, value: str | None) -> str:
    """Say a ballot's stored kind, rule or paper channel in words, in the reader's language."""
    from flask_babel import gettext as _

    from pbapp.pb.forms import BallotForm, PaperForm, choice_label
    from pbapp.pb.models import RESIDENTS_OR_CODES

    if field == "eligibility" and value == RESIDENTS_OR_CODES:  # withdrawn; kept by ballots opened with it
        return _("Residents by account or by letter code (the withdrawn mixed mode)")
    return choice_label(PaperForm if field == "channel" else BallotForm, field, value)


def register(app) -> None:
    """Wire PB into the app: its pages, its open votes on the council's home page, the `pb_label` template global."""
    from pbapp.councils.services import register_open_now
    from pbapp.pb import views  # its routes, and those of the modules it imports, attach to the blueprint

    app.register_blueprint(views.bp)
    register_open_now(app, _open_now)
    app.add_template_global(_label, "pb_label")


def __getattr__(name: str):
    # The blueprint is made on first use, so the counting commands start without Flask.
    if name == "bp":
        from flask import Blueprint

        global bp
        bp = Blueprint("pb", __name__, url_prefix="/pb")
        return bp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
