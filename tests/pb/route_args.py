"""Route arguments of pb for the permission matrix and the CSRF walk."""

from tests.pb import factories


def _process(app, db, council):
    return factories.process(app, db, council, proposals=2).id


def _proposal(app, db, council):
    return factories.proposal(db, factories.process(app, db, council, proposals=1, reviewed=False)).id


def _ballot(app, db, council):
    return factories.ballot(app, db, council).id


def _batch(app, db, council):
    from pbapp.pb import services

    ballot = factories.ballot(app, db, council)
    factories.codes(app, db, council, ballot, size=1)
    return services.batches_of(db, ballot)[0].id


ARGS = {"process_id": _process, "proposal_id": _proposal, "ballot_id": _ballot, "batch_id": _batch,
        "line_ref": lambda app, db, council: "l1"}
