"""Route arguments of accounts for the permission matrix and the CSRF walk."""

from pbapp.accounts import residence
from tests.pb import factories


def _register_import(app, db, council):
    with app.test_request_context():
        return residence.preview_register(db, council, factories.officer(db), source="electoral_register",
                                          filename="register.csv",
                                          data=b"name,date_of_birth,postcode\nAnn Able,1970-01-02,BB3 1AA\n").id


ARGS = {"import_id": _register_import}
