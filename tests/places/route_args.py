"""Route arguments of places for the permission matrix and the CSRF walk (the demo place)."""

from __future__ import annotations

from sqlmodel import select

from pbapp.places.models import OutcomeArea, PublicBody
from tests.places import factories


def _place_id(app, db, council):
    return factories.demo_place(db, council).id


def _body_id(app, db, council):
    place = factories.demo_place(db, council)
    return db.exec(select(PublicBody.id).where(PublicBody.place_id == place.id).order_by(PublicBody.id)).first()


def _area_id(app, db, council):
    place = factories.demo_place(db, council)
    return db.exec(select(OutcomeArea.id).where(OutcomeArea.place_id == place.id).order_by(OutcomeArea.id)).first()


ARGS = {
    "place_id": _place_id,
    "body_id": _body_id,
    "area_id": _area_id,
    "place_dataset": lambda app, db, council: "spending",
}


def _petition_id(app, db, council):
    from pbapp.places.models import Petition

    place = factories.demo_place(db, council)
    return db.exec(select(Petition.id).where(Petition.place_id == place.id).order_by(Petition.id)).first()


ARGS["petition_id"] = _petition_id


def _inquiry_id(app, db, council):
    from pbapp.places.models import Inquiry

    place = factories.demo_place(db, council)
    return db.exec(select(Inquiry.id).where(Inquiry.place_id == place.id).order_by(Inquiry.id)).first()


def _evidence_id(app, db, council):
    from pbapp.places.models import InquiryEvidence

    return db.exec(
        select(InquiryEvidence.id)
        .where(InquiryEvidence.inquiry_id == _inquiry_id(app, db, council))
        .order_by(InquiryEvidence.id)
    ).first()


def _recommendation_id(app, db, council):
    from pbapp.places.models import Recommendation

    return db.exec(
        select(Recommendation.id)
        .where(Recommendation.inquiry_id == _inquiry_id(app, db, council))
        .order_by(Recommendation.id)
    ).first()


ARGS.update({"inquiry_id": _inquiry_id, "evidence_id": _evidence_id, "recommendation_id": _recommendation_id})
