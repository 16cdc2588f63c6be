"""Reading councils and what each has open now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from pbapp.councils.models import NEIGHBOURHOOD, WARD, Area, Council
from pbapp.errors import NotFound

_OPEN_NOW_KEY = "pbapp.open_now"


@dataclass(frozen=True)
class OpenItem:
    """Something a resident can take part in or read now, shown on the council's home page."""

    section: str  # "votes", "juries" or "record"
    title: str
    url: str
    summary: str = ""
    status: str = ""


OpenNowProvider = Callable[[Session, Council], list[OpenItem]]


def register_open_now(app, provider: OpenNowProvider) -> None:
    """Let a domain list its open items on the home page without councils importing it."""
    app.extensions.setdefault(_OPEN_NOW_KEY, []).append(provider)


def open_now(session: Session, council: Council) -> dict[str, list[OpenItem]]:
    sections: dict[str, list[OpenItem]] = {"votes": [], "juries": [], "record": []}
    for provider in current_app.extensions.get(_OPEN_NOW_KEY, []):
        for item in provider(session, council):
            sections.setdefault(item.section, []).append(item)
    return sections


def list_councils(session: Session) -> list[Council]:
    return list(session.exec(select(Council).order_by(Council.name)).all())


def get_council(session: Session, slug: str) -> Council:
    """Return the council with this slug or raise NotFound."""
    council = session.exec(select(Council).where(Council.slug == slug)).first()
    if council is None:
        raise NotFound(_("There is no council at this address."))
    return council


def areas_of(session: Session, council: Council) -> tuple[list[Area], list[Area]]:
    """Return (neighbourhoods, wards) of a council, each by name."""
    areas = session.exec(select(Area).where(Area.council_id == council.id).order_by(Area.name)).all()
    return ([a for a in areas if a.kind == NEIGHBOURHOOD], [a for a in areas if a.kind == WARD])


def _prefixes(text: str) -> list[str]:
    return [p.replace(" ", "").upper() for p in text.split(",") if p.strip()]


def postcode_matches(postcode: str, prefixes: str) -> bool:
    """Whether a full postcode lies in one of the listed districts ("BB1") or sectors ("BB1 7")."""
    compact = "".join(postcode.split()).upper()
    if len(compact) < 5:
        return False
    return bool({compact[:-3], compact[:-2]} & set(_prefixes(prefixes)))


def area_for_postcode(session: Session, council: Council, postcode: str) -> Area | None:
    """Return the first ward (by name) whose districts or sectors include the postcode."""
    return next((ward for ward in areas_of(session, council)[1]
                 if postcode_matches(postcode, ward.postcode_prefixes)), None)


def in_council_area(council: Council, postcode: str) -> bool:
    """Whether a postcode lies in the council's districts or sectors."""
    return postcode_matches(postcode, council.postcode_prefixes)
