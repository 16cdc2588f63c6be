"""Factories for sortition: small pools with quotas and volunteers, and drawn selection runs."""

from __future__ import annotations

import itertools
import json

from sqlmodel import Session, select

from pbapp.sortition import services
from pbapp.sortition.models import Feature, FeatureValue, Person, PersonContact, Pool, SelectionRun

_counter = itertools.count(1)
SMALL_QUOTAS = (("sex", "Female", 1, 3), ("sex", "Male", 1, 3), ("age", "18-39", 1, 3), ("age", "40+", 1, 3))


def pool(
    db: Session,
    council,
    *,
    people: int = 12,
    panel_size: int = 4,
    contacts: bool = True,
    quotas=SMALL_QUOTAS,
    name: str | None = None,
) -> Pool:
    """A pool with quotas and `people` volunteers alternating sex and age."""
    item = Pool(
        council_id=council.id, name=name or f"Pool {next(_counter)}", panel_size=panel_size, household_salt="salt"
    )
    db.add(item)
    db.flush()
    features: dict[str, Feature] = {}
    values: dict[str, list[str]] = {}
    for position, (feature, value, lo, hi) in enumerate(quotas):
        if feature not in features:
            features[feature] = Feature(pool_id=item.id, name=feature, position=len(features))
            db.add(features[feature])
            db.flush()
        db.add(FeatureValue(feature_id=features[feature].id, value=value, position=position, min=lo, max=hi))
        values.setdefault(feature, []).append(value)
    for i in range(people):
        chosen = {f: options[(i // (1 + n)) % len(options)] for n, (f, options) in enumerate(values.items())}
        person = Person(
            pool_id=item.id,
            public_id=f"P{i + 1:03d}",
            features=json.dumps(chosen, sort_keys=True),
            household=f"H{i // 2}",
        )
        db.add(person)
        db.flush()
        if contacts:
            db.add(
                PersonContact(
                    person_id=person.id,
                    name=f"Volunteer {i + 1}",
                    email=f"v{i + 1}@example.org",
                    phone="01254 000000",
                    address=f"{i + 1} Test Street",
                    postcode="BB1 7DY",
                )
            )
    db.commit()
    return item


def drawn_run(app, db: Session, council, the_pool: Pool, *, number: int = 0, draw: bool = True) -> SelectionRun:
    """Run LEXIMIN on the pool (inline job) and, unless told not to, draw `number`."""
    with app.test_request_context():
        from pbapp.db import get_session

        session = get_session()
        fresh_pool = session.get(Pool, the_pool.id)
        fresh_council = session.get(type(council), council.id)
        run = services.start_run(session, fresh_council, fresh_pool)
        run = session.get(SelectionRun, run.id)
        session.refresh(run)
        if draw:
            run = services.draw(session, fresh_council, run, number, None)
        session.close()
    db.commit()
    return db.get(SelectionRun, run.id)


def existing_pool(db: Session, council) -> Pool:
    found = db.exec(select(Pool).where(Pool.council_id == council.id).order_by(Pool.id)).first()
    return found or pool(db, council)
