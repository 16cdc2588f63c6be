"""The permission matrix's council: small, with one of each thing a route names.

The matrix requests every route as every role and needs each page to render for real (a missing
record would answer 404, which passes for "allowed"). The demo council has all of that and much
more (1,500 volunteers, 300 ballots, two juries' deliberation). This council has the demo's four
accounts (the same emails and password), the borough's wards, the demo's budget book and place,
and whatever the route providers (tests/permissions_matrix.py) make when each is called once: a
12-person pool drawn and seated as a jury, a round, a poll and a recommendation, a vote with a
few proposals and letter codes. It is seeded once per run and copied into each matrix test, as the
demo is into the tests that ask for it.
"""

from __future__ import annotations

from sqlmodel import Session

MATRIX_SLUG = "matrix-borough"


def seed_matrix_council(app) -> None:
    """Fill an empty database with the matrix's council (see the module's docstring)."""
    from pbapp import seed
    from pbapp.councils.models import Council
    from pbapp.db import get_engine, standalone_session
    from pbapp.ledger.seed import seed_demo_ledger
    from pbapp.places.seed import seed_demo_places
    from tests.factories import council_by_slug
    from tests.permissions_matrix import all_rules, url_for_rule

    report: list[str] = []
    with app.app_context(), standalone_session(app) as session:
        # The demo's borough (its wards, census code and postcodes), under another name.
        council = Council(
            slug=MATRIX_SLUG,
            name="Matrix Borough Council",
            name_cy="Cyngor Bwrdeistref Matrics",
            gss_code="E06000008",
            postcode_prefixes="BB1,BB2,BB3",
        )
        session.add(council)
        session.flush()
        seed._areas(session, council, report)
        seed._accounts(session, council, app.config["DEMO_PASSWORD"], False, report)
        seed_demo_ledger(session, council, report)
        seed_demo_places(session, council, report)
        session.commit()
    with Session(get_engine(app), expire_on_commit=False) as db:
        council = council_by_slug(db, MATRIX_SLUG)
    for rule in all_rules(app):
        url_for_rule(app, rule, council)
