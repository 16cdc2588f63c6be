"""Who may do what in a jury's deliberation: the public reads, the facilitator and council staff run it, jurors take part.

Role policies guard routes; whether someone is the facilitator of THIS jury or a juror of THIS
jury is an object-level check made by `require_staff` / `require_juror` inside the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import Session, select

from pbapp.accounts.models import ADMIN, FACILITATOR, OFFICER, RESIDENT, Membership
from pbapp.errors import NotAllowed
from pbapp.security import Policy, council_role, public, signed_in

ANYONE = public("anyone")
RUN_JURY = council_role(FACILITATOR, OFFICER, ADMIN, name="the jury's facilitator, or a council officer or admin")
# Drafting recommendations: jurors of the jury and the people running it (checked per jury).
JURY_MEMBER = signed_in("a juror of this jury, its facilitator, or a council officer or admin")


@dataclass(frozen=True)
class JurorPolicy(Policy):
    """Signed-in people pass the route; the service then admits only jurors of that jury.

    A juror need not hold any council role, so the route cannot check one. In the permission
    matrix the demo resident is made a confirmed juror of the jury under test (see
    tests/deliberation/route_args.py), so "resident" passes and every other role is refused.
    """

    def allows_role(self, role: str) -> bool:
        return role == RESIDENT


JUROR = JurorPolicy("a juror of this jury", signed_in=True)


def is_staff(session: Session, jury, user) -> bool:
    """The jury's facilitator, or an officer or admin of its council."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if jury.facilitator_id == user.id:
        return True
    roles = session.exec(
        select(Membership.role).where(Membership.user_id == user.id, Membership.council_id == jury.council_id)
    ).all()
    return bool({OFFICER, ADMIN} & set(roles))


def require_staff(session: Session, jury, user) -> None:
    if not is_staff(session, jury, user):
        raise NotAllowed(_("Only this jury's facilitator or council officers can do this."))


def juror_of(session: Session, jury, user):
    """The confirmed juror of this jury whose portal account is `user`, or None."""
    from pbapp.juries.models import CONFIRMED, Juror
    from pbapp.deliberation.models import JurorAccount

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return session.exec(
        select(Juror)
        .join(JurorAccount, JurorAccount.juror_id == Juror.id)
        .where(Juror.jury_id == jury.id, Juror.status == CONFIRMED, JurorAccount.user_id == user.id)
    ).first()


def require_juror(session: Session, jury, user):
    juror = juror_of(session, jury, user)
    if juror is None:
        raise NotAllowed(_("Only members of this jury can do this."))
    return juror
