"""Route arguments of accounts for the permission matrix and the CSRF walk."""

from sqlmodel import select

from pbapp.accounts import residence
from pbapp.accounts.models import RESIDENT, Membership
from tests.pb import factories


def _membership(app, db, council):
    """The demo resident's role: the one an admin may remove in the matrix's last turn."""
    return db.exec(
        select(Membership.id).where(Membership.council_id == council.id, Membership.role == RESIDENT)
    ).first()


def _register_import(app, db, council):
    with app.test_request_context():
        return residence.preview_register(
            db,
            council,
            factories.officer(db),
            source="electoral_register",
            filename="register.csv",
            data=b"name,date_of_birth,postcode\nAnn Able,1970-01-02,BB3 1AA\n",
        ).id


ARGS = {"membership_id": _membership, "import_id": _register_import}
