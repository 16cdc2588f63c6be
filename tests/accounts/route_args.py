"""Route arguments of accounts for the permission matrix and the CSRF walk."""

from sqlmodel import select

from pbapp.accounts.models import RESIDENT, Membership


def _membership(app, db, council):
    """The demo resident's role: the one an admin may remove in the matrix's last turn."""
    return db.exec(select(Membership.id).where(Membership.council_id == council.id,
                                               Membership.role == RESIDENT)).first()


ARGS = {"membership_id": _membership}
