"""Councils: reading them and what each has open now; setting one up (names, logo, wards, postcodes)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Callable

from flask import current_app
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy.orm import object_session
from sqlmodel import Session, delete, func, select

from pbapp import audit, pending
from pbapp.core import postcodes
from pbapp.councils import boundaries, imports
from pbapp.councils.imports import GSS_CODE
from pbapp.councils.models import NEIGHBOURHOOD, WARD, Area, Council, Postcode
from pbapp.errors import Conflict, DomainError, Invalid, NotFound

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
    compact = postcodes.compact(postcode)
    if len(compact) < 5:
        return False
    return bool({compact[:-3], compact[:-2]} & set(_prefixes(prefixes)))


def has_postcode_directory(session: Session, council: Council) -> bool:
    """Whether the council has imported its postcodes (then they, not prefixes, decide eligibility)."""
    return session.exec(select(Postcode.id).where(Postcode.council_id == council.id).limit(1)).first() is not None


def area_for_postcode(session: Session, council: Council, postcode: str) -> Area | None:
    """Return the postcode's ward: from the imported directory, else the first ward whose prefixes match."""
    if has_postcode_directory(session, council):
        query = (
            select(Area)
            .join(Postcode, Postcode.ward_id == Area.id)
            .where(Postcode.council_id == council.id, Postcode.postcode == postcodes.compact(postcode))
        )
        return session.exec(query).first()
    return next(
        (ward for ward in areas_of(session, council)[1] if postcode_matches(postcode, ward.postcode_prefixes)), None
    )


def in_council_area(council: Council, postcode: str) -> bool:
    """Whether a postcode lies in the council's area: in its imported directory, else its prefixes."""
    session = object_session(council)
    if session is not None and has_postcode_directory(session, council):
        return area_for_postcode(session, council, postcode) is not None
    return postcode_matches(postcode, council.postcode_prefixes)


def postcode_in_area(session: Session, council: Council, area: Area, postcode: str) -> bool:
    """Whether a postcode lies in a ward or neighbourhood (its own ward, or a ward the neighbourhood holds)."""
    ward = area_for_postcode(session, council, postcode)
    if ward is not None and area.id in (ward.id, ward.neighbourhood_id):
        return True
    return not has_postcode_directory(session, council) and postcode_matches(postcode, area.postcode_prefixes)


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOGO_MAX_BYTES = 200 * 1024
LOGO_MAX_SIDE = 1000
WARDS, POSTCODES, BOUNDARIES = "wards", "postcodes", "boundaries"
IMPORT_KINDS = (WARDS, POSTCODES, BOUNDARIES)


def _council_fields(
    session: Session, *, name: str, name_cy: str, gss_code: str, council: Council | None = None
) -> tuple[str, str, str]:
    name, name_cy, gss_code = name.strip(), (name_cy or "").strip(), (gss_code or "").strip().upper()
    if not name or len(name) > 200:
        raise Invalid(_("Enter the council’s name, at most 200 characters"), field="name")
    if len(name_cy) > 200:
        raise Invalid(_("The Welsh name can be at most 200 characters"), field="name_cy")
    if gss_code and not GSS_CODE.match(gss_code):
        raise Invalid(_("Enter the council’s GSS code like E06000008, or leave it empty"), field="gss_code")
    if gss_code:
        taken = session.exec(select(Council).where(Council.gss_code == gss_code)).first()
        if taken is not None and (council is None or taken.id != council.id):
            raise Conflict(
                _("%(council)s already has the GSS code %(code)s.", council=taken.name, code=gss_code), field="gss_code"
            )
    return name, name_cy, gss_code


def create_council(
    session: Session,
    *,
    name: str,
    slug: str,
    name_cy: str = "",
    gss_code: str = "",
    actor_id: int | None = None,
    admin_id: int | None = None,
) -> Council:
    """Add a council with a unique address (slug); its wards and postcodes are imported later.

    With `admin_id`, that person becomes the new council's first admin, in the same transaction.
    """
    slug = slug.strip().lower()
    if not SLUG.match(slug) or len(slug) > 80:
        raise Invalid(
            _("The address must be lower-case letters, digits and single hyphens, like north-borough"), field="slug"
        )
    if session.exec(select(Council).where(Council.slug == slug)).first():
        raise Conflict(_("A council already uses the address %(slug)s.", slug=slug), field="slug")
    name, name_cy, gss_code = _council_fields(session, name=name, name_cy=name_cy, gss_code=gss_code)
    council = Council(slug=slug, name=name, name_cy=name_cy, gss_code=gss_code)
    session.add(council)
    session.flush()
    if admin_id is not None:
        from pbapp.accounts.models import ADMIN, Membership

        session.add(Membership(user_id=admin_id, council_id=council.id, role=ADMIN))
    audit.record(
        session,
        "council.created",
        "council",
        council.id,
        council_id=council.id,
        actor_id=actor_id,
        first_admin=admin_id,
    )
    session.commit()
    return council


def update_council(
    session: Session,
    council: Council,
    *,
    name: str,
    name_cy: str,
    gss_code: str,
    logo: bytes | None,
    remove_logo: bool,
    actor_id: int,
    bilingual: bool | None = None,
) -> Council:
    """Change the council's names, GSS code, logo (a PNG, re-encoded; SVG is refused) or bilingual mail."""
    fields = _council_fields(session, name=name, name_cy=name_cy, gss_code=gss_code, council=council)
    cleaned = clean_logo(logo) if logo else None
    council.name, council.name_cy, council.gss_code = fields
    if bilingual is not None:
        council.bilingual = bool(bilingual)
    if cleaned:
        council.logo = cleaned
        council.logo_version += 1
    elif remove_logo and council.logo is not None:
        council.logo = None
        council.logo_version += 1
    audit.record(
        session,
        "council.updated",
        "council",
        council.id,
        council_id=council.id,
        actor_id=actor_id,
        logo="changed" if logo else ("removed" if remove_logo else "kept"),
        bilingual=council.bilingual,
    )
    session.commit()
    return council


def clean_logo(data: bytes) -> bytes:
    """Return the logo re-encoded as a plain PNG, or raise Invalid (SVG, other formats, too big)."""
    if len(data) > LOGO_MAX_BYTES:
        raise Invalid(_("The logo must be at most %(kb)d KB.", kb=LOGO_MAX_BYTES // 1024), field="logo")
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or b"<svg" in head:
        # An SVG can carry scripts and external references that run on our origin: refused, not sanitised.
        raise Invalid(_("SVG logos are not accepted, because they can carry scripts. Upload a PNG."), field="logo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise Invalid(_("The logo must be a PNG image."), field="logo")
            if max(image.size) > LOGO_MAX_SIDE:
                raise Invalid(_("The logo can be at most %(px)d pixels wide and high.", px=LOGO_MAX_SIDE), field="logo")
            image.load()
            clean = image.convert("RGBA")
    except (OSError, SyntaxError, Image.DecompressionBombError):
        raise Invalid(_("The logo must be a PNG image."), field="logo") from None
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class HeldImport:
    """A reference file uploaded for its preview, held in the one store of uploads (pbapp.pending)."""

    kind: str
    token: str
    filename: str
    content: str
    row: pending.PendingUpload


def _held_kind(kind: str) -> str:
    return f"council.{kind}"


def hold_import(session: Session, council: Council, *, kind: str, filename: str, data: bytes, actor_id: int) -> str:
    """Keep an uploaded reference file on the server until its preview is confirmed; return its id."""
    if kind not in IMPORT_KINDS:
        raise NotFound(_("There is no such import."))
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            _("The file must be a CSV file saved as UTF-8.")
            if kind != BOUNDARIES
            else _("The file must be a GeoJSON file saved as UTF-8."),
            field="file",
        ) from None
    if kind == POSTCODES and not wards_by_code(session, council):
        raise Invalid(_("Import the wards before the postcodes."), field="file")
    if kind == BOUNDARIES and not wards_by_code(session, council):
        raise Invalid(_("Import the wards before their boundaries."), field="file")
    if not council.gss_code:
        raise Invalid(
            _("Set the council’s GSS code before importing, so the file’s lines for it can be found."), field="file"
        )
    token = pending.hold(session, _held_kind(kind), council.id, actor_id, {"file": data}, {"filename": filename[:200]})
    session.commit()
    return token


def held_import(session: Session, council: Council, kind: str, token: str, *, user_id: int) -> HeldImport:
    """The file this person uploaded to this council for this import, or NotFound."""
    held = pending.find(session, token, _held_kind(kind), council.id, user_id) if kind in IMPORT_KINDS else None
    if held is None:
        raise NotFound(_("This import has already been applied or discarded. Upload the file again."))
    files, meta = held.unpack()
    return HeldImport(
        kind=kind, token=token, filename=meta.get("filename", ""), content=files["file"].decode("utf-8-sig"), row=held
    )


def wards_by_code(session: Session, council: Council) -> dict[str, Area]:
    return {w.code: w for w in areas_of(session, council)[1] if w.code}


def read_import(session: Session, council: Council, held: HeldImport) -> imports.Reading:
    """Read a held file against the council: its rows and line-numbered problems."""
    if held.kind == WARDS:
        return imports.read_wards(held.content, council.gss_code)
    if held.kind == BOUNDARIES:
        return boundaries.read_boundaries(held.content, {c: w.name for c, w in wards_by_code(session, council).items()})
    return imports.read_postcodes(held.content, council.gss_code, set(wards_by_code(session, council)))


def apply_import(session: Session, council: Council, kind: str, token: str, *, actor_id: int) -> dict[str, int]:
    """Apply a held file if it has no problem: all of it or nothing. Return counts of what changed."""
    held = held_import(session, council, kind, token, user_id=actor_id)
    reading = read_import(session, council, held)
    if reading.problems:
        raise Invalid(_("The file has problems; nothing was imported."))
    try:
        apply = {WARDS: _apply_wards, POSTCODES: _apply_postcodes, BOUNDARIES: boundaries.save_boundaries}[kind]
        counts = apply(session, council, reading.rows)
    except DomainError:
        session.rollback()
        raise
    session.delete(held.row)
    audit.record(
        session, f"council.{kind}_imported", "council", council.id, council_id=council.id, actor_id=actor_id, **counts
    )
    session.commit()
    return counts


def _apply_wards(session: Session, council: Council, rows: list[imports.WardRow]) -> dict[str, int]:
    existing = {w.code: w for w in areas_of(session, council)[1]}
    by_name = {a.name.casefold(): a for a in session.exec(select(Area).where(Area.council_id == council.id))}
    added = renamed = 0
    for row in rows:
        ward = existing.get(row.code) or by_name.get(row.name.casefold())
        clash = by_name.get(row.name.casefold())
        if ward is None:
            session.add(Area(council_id=council.id, kind=WARD, name=row.name, code=row.code))
            added += 1
        elif clash is not None and clash.id != ward.id:
            raise Invalid(
                _("Ward %(code)s would take the name %(name)s, which another area has.", code=row.code, name=row.name)
            )
        elif ward.kind == WARD and (ward.name != row.name or ward.code != row.code):
            ward.name, ward.code = row.name, row.code
            renamed += 1
    session.flush()
    return {"added": added, "updated": renamed}


def _apply_postcodes(session: Session, council: Council, rows: list[imports.PostcodeRow]) -> dict[str, int]:
    wards = wards_by_code(session, council)
    before = session.exec(select(func.count()).select_from(Postcode).where(Postcode.council_id == council.id)).one()
    # The extract replaces the council's postcodes: a directory release retires and moves postcodes.
    session.exec(delete(Postcode).where(Postcode.council_id == council.id))
    session.add_all(
        Postcode(council_id=council.id, postcode=row.postcode, ward_id=wards[row.ward_code].id) for row in rows
    )
    session.flush()
    return {"postcodes": len(rows), "replaced": before}


def discard_import(session: Session, council: Council, kind: str, token: str, *, user_id: int) -> None:
    session.delete(held_import(session, council, kind, token, user_id=user_id).row)
    session.commit()


def postcode_counts(session: Session, council: Council) -> dict[int, int]:
    """How many imported postcodes each ward has."""
    query = select(Postcode.ward_id, func.count()).where(Postcode.council_id == council.id).group_by(Postcode.ward_id)
    return dict(session.exec(query).all())


def total_wards(neighbourhood: Area, wards: list[Area]) -> None:
    """A neighbourhood's adults and postcode prefixes are those of its wards."""
    neighbourhood.adults = sum(w.adults for w in wards)
    neighbourhood.postcode_prefixes = ",".join(sorted({p for w in wards for p in w.postcode_prefixes.split(",") if p}))


def get_neighbourhood(session: Session, council: Council, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None or area.council_id != council.id or area.kind != NEIGHBOURHOOD:
        raise NotFound(_("There is no such neighbourhood."))
    return area


def save_neighbourhood(
    session: Session, council: Council, *, name: str, ward_ids: list[int], actor_id: int, area_id: int | None = None
) -> Area:
    """Create or change a neighbourhood: its name and the wards it groups (a ward is in one at most)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid(_("Enter the neighbourhood’s name, at most 120 characters"), field="name")
    area = get_neighbourhood(session, council, area_id) if area_id is not None else None
    clash = session.exec(
        select(Area).where(Area.council_id == council.id, func.lower(Area.name) == name.lower())
    ).first()
    if clash is not None and (area is None or clash.id != area.id):
        raise Conflict(_("This council already has an area called %(name)s.", name=name), field="name")
    wards = {w.id: w for w in areas_of(session, council)[1]}
    chosen = [wards[i] for i in ward_ids if i in wards]
    if not chosen or len(chosen) != len(set(ward_ids)):
        raise Invalid(_("Choose at least one of the council’s wards"), field="wards")
    if area is None:
        area = Area(council_id=council.id, kind=NEIGHBOURHOOD, name=name)
        session.add(area)
        session.flush()
    area.name = name
    for ward in wards.values():
        if ward in chosen:
            ward.neighbourhood_id = area.id
        elif ward.neighbourhood_id == area.id:
            ward.neighbourhood_id = None
    total_wards(area, chosen)
    audit.record(
        session,
        "council.neighbourhood_saved",
        "area",
        area.id,
        council_id=council.id,
        actor_id=actor_id,
        wards=sorted(w.id for w in chosen),
    )
    session.commit()
    return area
