"""Deliberation: a jury's rounds, witnesses, evidence, questions, straw polls and recommendations.

It builds on the juries domain (the jury, its jurors and sessions: pbapp/juries). Its pages keep the
juries' URLs (/juries/<council>/<jury_id>/...) under a blueprint of their own, `deliberation`.

- models.py: the tables (rounds, evidence, polls, recommendations and their votes)
- counting.py: how a recommendation vote is counted and whether it is adopted (pure; its test is
  tests/deliberation/test_counting.py)
- services.py: one function per use case (straw polls are tallied by `poll_result` with the core's
  ballot rules; `close_recommendation_vote` stores a recommendation's count)
- permissions.py: who may run a deliberation, take part in it or read it
- forms.py, views.py (thin), seed.py (the demo), templates in pbapp/templates/deliberation/
- tests in tests/deliberation/
"""

from flask import Blueprint, Flask, url_for
from flask_babel import gettext as _

bp = Blueprint("deliberation", __name__, url_prefix="/juries")


def _open_deliberations(session, council):
    """Point the council's home page at each jury's evidence, answers and recommendations."""
    from pbapp.councils.services import OpenItem
    from pbapp.deliberation.services import open_deliberations

    return [
        OpenItem(
            "juries",
            _("What the jury heard and recommended: %(remit)s", remit=jury.remit),
            url_for("deliberation.public_jury", council=council.slug, jury_id=jury.id),
            summary=_("Evidence, answers to jurors' questions, straw polls and recommendations"),
        )
        for jury in open_deliberations(session, council)
    ]


def register(app: Flask) -> None:
    """Wire deliberation into the app: its pages, and each jury's evidence on the council's home page."""
    from pbapp.councils.services import register_open_now
    from pbapp.deliberation import views  # noqa: F401  (routes attach to bp)

    app.register_blueprint(bp)
    register_open_now(app, _open_deliberations)
