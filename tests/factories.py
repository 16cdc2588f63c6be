"""Factories for the foundation's models; each domain keeps its own beside its tests."""

from __future__ import annotations

import itertools

from sqlmodel import Session, select

from pbapp.accounts.models import Membership, User
from pbapp.councils.models import WARD, Area, Council
from pbapp.security import hash_password

_counter = itertools.count(1)
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)


def council(db: Session, **fields) -> Council:
    n = next(_counter)
    values = {"slug": f"council-{n}", "name": f"Test Council {n}", "postcode_prefixes": "ZZ1"}
    values.update(fields)
    item = Council(**values)
    db.add(item)
    db.commit()
    return item


def council_by_slug(db: Session, slug: str) -> Council:
    found = db.exec(select(Council).where(Council.slug == slug)).one()
    db.commit()  # end the read so later reads see what requests write (SQLite snapshots)
    return found


def ward(db: Session, the_council: Council, **fields) -> Area:
    n = next(_counter)
    values = {
        "council_id": the_council.id,
        "kind": WARD,
        "name": f"Ward {n}",
        "adults": 1000,
        "postcode_prefixes": "ZZ1 1",
    }
    values.update(fields)
    item = Area(**values)
    db.add(item)
    db.commit()
    return item


def user(db: Session, *, council: Council | None = None, role: str | None = None, **fields) -> User:
    n = next(_counter)
    values = {"email": f"person{n}@example.org", "name": f"Person {n}", "password_hash": _PASSWORD_HASH}
    values.update(fields)
    item = User(**values)
    db.add(item)
    db.flush()
    if council is not None and role is not None:
        db.add(Membership(user_id=item.id, council_id=council.id, role=role))
    db.commit()
    return item


def user_by_email(db: Session, email: str) -> User:
    found = db.exec(select(User).where(User.email == email)).one()
    db.commit()
    return found


def typed_date(name: str, value, at: str | None = None) -> dict[str, str]:
    """What a person types into a GOV.UK date input named `name` (and its time box, given `at`)."""
    from datetime import date

    day = value if isinstance(value, date) else date.fromisoformat(value)
    typed = {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}
    if at is not None:
        typed[f"{name}-time"] = at
    return typed
