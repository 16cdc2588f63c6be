"""Route arguments of a jury's deliberation for the permission matrix and CSRF walk.

The demo facilitator facilitates the jury (the factories make it so) and the demo resident is made a
confirmed juror of it, so juror-only routes pass for "resident" (JurorPolicy). These providers win for
the deliberation blueprint's own routes (see tests/permissions_matrix.py), jury_id included.
"""

from sqlmodel import select

from pbapp.deliberation.models import (
    POLL_OPEN,
    REC_DRAFT,
    Evidence,
    EvidenceRequest,
    Question,
    Recommendation,
    Round,
    StrawPoll,
    Witness,
)
from pbapp.juries.models import Jury
from tests.deliberation import factories as deliberation
from tests.juries import route_args as juries_args


def _deliberating_jury(app, db, council):
    jury_id = juries_args._jury(app, db, council)
    deliberation.demo_juror(db, jury_id)
    return jury_id


def _first(db, model, jury_id, *conditions):
    return db.exec(select(model).where(model.jury_id == jury_id, *conditions).order_by(model.id)).first()


def _round(app, db, council):
    jury_id = _deliberating_jury(app, db, council)
    return (_first(db, Round, jury_id) or deliberation.round_(db, db.get(Jury, jury_id))).id


def _evidence(app, db, council):
    jury_id = _deliberating_jury(app, db, council)
    return (_first(db, Evidence, jury_id) or deliberation.evidence(db, db.get(Jury, jury_id))).id


def _question(app, db, council):
    jury_id = _deliberating_jury(app, db, council)
    juror = deliberation.demo_juror(db, jury_id)
    return (_first(db, Question, jury_id) or deliberation.question(db, db.get(Jury, jury_id), juror)).id


def _evidence_request(app, db, council):
    jury_id = _deliberating_jury(app, db, council)
    juror = deliberation.demo_juror(db, jury_id)
    found = _first(db, EvidenceRequest, jury_id)
    return (found or deliberation.evidence_request(db, db.get(Jury, jury_id), juror)).id


def _open_poll(app, db, council):
    jury_id = _deliberating_jury(app, db, council)
    found = _first(db, StrawPoll, jury_id, StrawPoll.status == POLL_OPEN)
    return (found or deliberation.approval_poll(db, db.get(Jury, jury_id), db.get(Round, _round(app, db, council)))).id


def _draft_recommendation(app, db, council):
    jury_id = _deliberating_jury(app, db, council)
    found = _first(db, Recommendation, jury_id, Recommendation.status == REC_DRAFT)
    return (found or deliberation.recommendation(db, db.get(Jury, jury_id))).id


def _witness(app, db, council):
    jury_id = _deliberating_jury(app, db, council)
    return (_first(db, Witness, jury_id) or deliberation.witness(db, db.get(Jury, jury_id))).id


ARGS = {
    "jury_id": _deliberating_jury,
    "round_id": _round,
    "evidence_id": _evidence,
    "question_id": _question,
    "evidence_request_id": _evidence_request,
    "poll_id": _open_poll,
    "recommendation_id": _draft_recommendation,
    "witness_id": _witness,
}
