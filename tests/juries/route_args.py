"""Route arguments of juries (panel, attendance, payments) for the permission matrix and CSRF walk."""

from sqlmodel import select

from pbapp.juries.models import Juror, Jury, JurySession
from tests.juries import factories


def _jury(app, db, council):
    found = db.exec(select(Jury).where(Jury.council_id == council.id).order_by(Jury.id)).first()
    return (found or factories.seated_jury(app, db, council)).id


def _juror(app, db, council):
    jury_id = _jury(app, db, council)
    return db.exec(select(Juror.id).where(Juror.jury_id == jury_id).order_by(Juror.id)).first()


def _session(app, db, council):
    jury_id = _jury(app, db, council)
    found = db.exec(select(JurySession).where(JurySession.jury_id == jury_id)).first()
    return (found or factories.meeting(db, db.get(Jury, jury_id))).id


ARGS = {"jury_id": _jury, "juror_id": _juror, "session_id": _session}
