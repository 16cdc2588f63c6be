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


def _comment(app, db, council):
    from pbapp.pb.models import ProposalComment

    proposal = factories.proposal(db, factories.process(app, db, council, proposals=1, reviewed=False))
    author = factories.resident(db, council)
    comment = ProposalComment(proposal_id=proposal.id, council_id=council.id, author_id=author.id, body="A comment")
    db.add(comment)
    db.commit()
    return comment.id


ARGS = {
    "comment_id": _comment,
    "decision": lambda app, db, council: "hide",
    "process_id": _process,
    "proposal_id": _proposal,
    "ballot_id": _ballot,
    "batch_id": _batch,
    "line_ref": lambda app, db, council: "l1",
}
