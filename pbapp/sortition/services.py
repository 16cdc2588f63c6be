"""Use cases of sortition: pools, quotas, registration, selection runs, personal data.

Each use case takes the session first, calls pbapp.core.sortition for the rules, records what
changed in the audit log (never personal data), commits once and raises DomainError.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from pbapp import audit, erasures, jobs, pending
from pbapp.jobs import N_
from pbapp.core.csv_writer import LF, write_csv, write_xlsx
from pbapp.core.errors import CoreError, InputError
from pbapp.core.tokens import compact_code, grouped, random_code
from pbapp.core.sortition import (
    FeasibilityReport,
    InfeasibleError,
    Person as CorePerson,
    Pool as CorePool,
    Quota as CoreQuota,
    check_feasibility,
    selected_remaining_tables,
    gini,
    input_hash,
    legacy_distribution,
    legacy_panel,
    leximin,
    quota_report,
    replace,
    round_lottery,
    to_json,
)
from pbapp.councils.models import Council
from pbapp.councils.services import area_for_postcode, in_council_area
from pbapp.errors import Conflict, DomainError, Invalid, NotFound
from pbapp.mail import OutboxMessage
from pbapp.sortition import census, uploads
from pbapp.sortition.models import (
    AWAITING_DRAW,
    COMPLETE,
    FAILED,
    LEGACY,
    LEXIMIN,
    QUEUED,
    REGISTRATION,
    RUNNING,
    SELECTION,
    UPLOAD,
    Feature,
    FeatureValue,
    InvitationCode,
    Person,
    PersonContact,
    Pool,
    SelectionRun,
)
from pbapp.timeutil import utcnow

LOTTERY_PANELS = 1000
LEGACY_RUNS = 200
LEGACY_DRAW_LIMIT = 1_000_000
RETENTION_WARNING_DAYS = 30
CODE_GROUPS = (5, 5)
ALGORITHMS = (LEXIMIN, LEGACY)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def get_pool(session: Session, council: Council, pool_id: int) -> Pool:
    """Return the council's pool or raise NotFound (another council's id is not found either)."""
    pool = session.get(Pool, pool_id)
    if pool is None or pool.council_id != council.id:
        raise NotFound(_("There is no such pool of volunteers."))
    return pool


def new_pool(
    session: Session,
    council: Council,
    *,
    name: str,
    panel_size: int,
    retention_until: date | None,
    actor_id: int | None,
) -> Pool:
    """Add a pool in the caller's transaction (a jury creates its pool this way)."""
    pool = Pool(
        council_id=council.id,
        name=name,
        panel_size=panel_size,
        retention_until=retention_until,
        household_salt=secrets.token_hex(16),
    )
    session.add(pool)
    session.flush()
    audit.record(session, "pool.created", "pool", pool.id, council_id=council.id, actor_id=actor_id)
    return pool


def features_of(session: Session, pool: Pool) -> list[tuple[Feature, list[FeatureValue]]]:
    """Return the pool's features in order, each with its values and quotas."""
    features = session.exec(
        select(Feature).where(Feature.pool_id == pool.id).order_by(Feature.position, Feature.id)
    ).all()
    values = session.exec(
        select(FeatureValue)
        .join(Feature, Feature.id == FeatureValue.feature_id)
        .where(Feature.pool_id == pool.id)
        .order_by(FeatureValue.position, FeatureValue.id)
    ).all()
    return [(f, [v for v in values if v.feature_id == f.id]) for f in features]


def people_count(session: Session, pool: Pool) -> int:
    return session.exec(select(func.count()).select_from(Person).where(Person.pool_id == pool.id)).one()


@dataclass
class PoolOverview:
    pool: Pool
    people: int
    with_contact: int
    by_source: dict[str, int]
    features: list[tuple[Feature, list[FeatureValue]]]
    counts: dict[tuple[str, str], int]
    runs: list[SelectionRun]
    codes_issued: int
    codes_used: int
    retention_due: bool
    drawn: SelectionRun | None  # the panel's draw: once made, the pool is not selected from again


def pool_overview(session: Session, pool: Pool, today: date | None = None) -> PoolOverview:
    """Gather what the pool page shows: who is in the pool, quotas, runs, retention."""
    people = session.exec(select(Person).where(Person.pool_id == pool.id)).all()
    counts: dict[tuple[str, str], int] = {}
    by_source: dict[str, int] = {}
    for person in people:
        by_source[person.source] = by_source.get(person.source, 0) + 1
        for name, value in person.feature_values().items():
            counts[(name, value)] = counts.get((name, value), 0) + 1
    with_contact = session.exec(
        select(func.count())
        .select_from(PersonContact)
        .join(Person, Person.id == PersonContact.person_id)
        .where(Person.pool_id == pool.id)
    ).one()
    runs = session.exec(
        select(SelectionRun).where(SelectionRun.pool_id == pool.id).order_by(SelectionRun.id.desc())
    ).all()
    codes = session.exec(select(InvitationCode.used_at).where(InvitationCode.pool_id == pool.id)).all()
    return PoolOverview(
        pool,
        len(people),
        with_contact,
        by_source,
        features_of(session, pool),
        counts,
        list(runs),
        len(codes),
        sum(1 for c in codes if c is not None),
        retention_is_due(pool, today or date.today()),
        _drawn_panel(runs),
    )


def _drawn_panel(runs) -> SelectionRun | None:
    return next((r for r in runs if r.purpose == SELECTION and r.status == COMPLETE), None)


def retention_is_due(pool: Pool, today: date) -> bool:
    return (
        pool.erased_at is None
        and pool.retention_until is not None
        and pool.retention_until <= today + timedelta(days=RETENTION_WARNING_DAYS)
    )


def _quota_rows(session: Session, pool: Pool) -> list[CoreQuota]:
    return [
        CoreQuota(f.name, v.value, v.min, v.max, min_flex=v.min_flex, max_flex=v.max_flex)
        for f, values in features_of(session, pool)
        for v in values
    ]


def core_pool(
    session: Session, pool: Pool, *, quotas: list[CoreQuota] | None = None, households: bool | None = None
) -> CorePool:
    """Build the core's Pool from the database (households count only when the pool asks)."""
    households = pool.one_per_household if households is None else households
    quotas = quotas if quotas is not None else _quota_rows(session, pool)
    names = tuple(dict.fromkeys(q.feature for q in quotas))
    people = session.exec(select(Person).where(Person.pool_id == pool.id).order_by(Person.id)).all()
    core_people = []
    for person in people:
        values = person.feature_values()
        household = person.household if households and person.household else None
        core_people.append(CorePerson(person.public_id, tuple(values.get(n, "") for n in names), household))
    try:
        return CorePool(
            pool.panel_size,
            names,
            tuple(quotas),
            tuple(core_people),
            name=pool.name,
            sources=("quotas", "pool", "panel size"),
        )
    except InputError as exc:
        raise Invalid(str(exc)) from None


def upload_template(session: Session, pool: Pool, part: str, fmt: str) -> tuple[bytes, str, str]:
    """Return (content, mimetype, filename) of a template for the upload: the pool's features or its people."""
    if part not in uploads.TEMPLATES or fmt not in uploads.TEMPLATE_FORMATS:
        raise NotFound(_("There is no such template."))
    quotas = [(f.name, v.value, v.min, v.max) for f, values in features_of(session, pool) for v in values]
    header, rows = uploads.template_table(part, quotas)
    name = f"{part}-template-pool-{pool.id}.{fmt}"
    if fmt == "xlsx":
        return (
            write_xlsx(header, rows, title=part),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name,
        )
    return write_csv(header, rows).encode("utf-8"), "text/csv; charset=utf-8", name


def upload_preview(features: bytes, people: bytes, fmt: str, sources: tuple[str, str]) -> uploads.UploadPreview:
    """Read both files and suggest a column mapping; nothing is saved."""
    return uploads.preview(features, people, fmt, sources=sources)


POOL_UPLOAD = "sortition.pool"
_PROGRESS_EVERY = 500  # rows between progress reports of a large import


def hold_upload(
    session: Session,
    council: Council,
    pool: Pool,
    user_id: int,
    *,
    features: bytes,
    people: bytes,
    fmt: str,
    sources: tuple[str, str],
) -> tuple[uploads.UploadPreview, str]:
    """Preview both files and hold them on the server for the confirmation; return the preview and its id."""
    found = upload_preview(features, people, fmt, sources)
    token = pending.hold(
        session,
        POOL_UPLOAD,
        council.id,
        user_id,
        {"features": features, "people": people},
        {"fmt": fmt, "sources": list(sources), "pool_id": pool.id},
    )
    session.commit()
    return found, token


def held_upload(
    session: Session, council: Council, pool: Pool, user_id: int, token: str
) -> tuple[pending.PendingUpload, uploads.UploadPreview, dict]:
    """The files this person uploaded to this pool for confirmation, previewed again, and their details."""
    held = pending.find(session, token, POOL_UPLOAD, council.id, user_id)
    files, meta = held.unpack() if held else ({}, {})
    if held is None or meta.get("pool_id") != pool.id:
        raise NotFound(
            _(
                "These files are no longer held (uploads wait %(minutes)d minutes). Upload them again.",
                minutes=pending_minutes(),
            )
        )
    return held, upload_preview(files["features"], files["people"], meta["fmt"], tuple(meta["sources"])), meta


def pending_minutes() -> int:
    from flask import current_app

    return current_app.config["PENDING_UPLOAD_MINUTES"]


def start_import(
    session: Session, council: Council, held: pending.PendingUpload, mapping: dict[str, str], actor_id: int | None
) -> jobs.Job:
    """Import held files as a job with progress (a pool of 10,000 takes longer than a web request may)."""
    return jobs.enqueue(
        session,
        "sortition.import",
        import_job,
        council_id=council.id,
        pending_id=held.id,
        mapping=mapping,
        actor_id=actor_id,
    )


def import_job(
    session: Session, progress, pending_id: int, mapping: dict[str, str], actor_id: int | None
) -> dict[str, Any]:
    """Job: import held files into their pool, then let go of them."""
    held = session.get(pending.PendingUpload, pending_id)
    if held is None:
        raise jobs.JobFailed(N_("The uploaded files are no longer held. Upload them again."))
    files, meta = held.unpack()
    pool, council = session.get(Pool, meta["pool_id"]), session.get(Council, held.council_id)
    session.commit()  # end the read: progress is written in its own transaction
    progress(5, N_("Reading the files"))
    # SQLite lets one writer in at a time: progress written beside the import would wait on it.
    during = progress if session.get_bind().dialect.name != "sqlite" else None
    try:
        count = import_upload(
            session,
            council,
            pool,
            features=files["features"],
            people=files["people"],
            fmt=meta["fmt"],
            mapping=mapping,
            sources=tuple(meta["sources"]),
            actor_id=actor_id,
            progress=during,
        )
    except DomainError as error:
        # Every fault of the file at once, one a line, within what a job keeps of its error.
        faults = "\n".join(str(f) for f in getattr(error, "faults", [error.message]))
        raise jobs.JobFailed(faults[:1900]) from None
    session.delete(session.get(pending.PendingUpload, pending_id))
    session.commit()
    return {"count": count, "pool_id": pool.id}


def import_of(session: Session, council: Council, pool: Pool, job_id: int) -> jobs.Job:
    """A pool import's job, checked to belong to this council and pool, given up if its worker died."""
    job = session.get(jobs.Job, job_id)
    if job is None or job.kind != "sortition.import" or job.council_id != council.id:
        raise NotFound(_("There is no such import."))
    if job.status == jobs.DONE and job.result_data().get("pool_id") != pool.id:
        raise NotFound(_("There is no such import."))
    return jobs.check_alive(session, job)


def import_upload(
    session: Session,
    council: Council,
    pool: Pool,
    *,
    features: bytes,
    people: bytes,
    fmt: str,
    mapping: dict[str, str],
    sources: tuple[str, str],
    actor_id: int | None,
    progress=None,
) -> int:
    """Replace the pool's quotas with the features file and add its people, or save nothing."""
    if pool.erased_at is not None:
        raise Conflict(_("This pool’s personal data has been erased; start a new pool."))
    parsed = uploads.parse(
        features, people, fmt, mapping, panel_size=pool.panel_size, salt=pool.household_salt, sources=sources
    )
    existing = {p.public_id: p for p in session.exec(select(Person).where(Person.pool_id == pool.id)).all()}
    for core_person, person in zip(parsed.pool.people, parsed.people, strict=True):
        if person.public_id in existing:
            raise Invalid(
                _(
                    "%(file)s, line %(line)s: the id “%(id)s” is already in this pool",
                    file=sources[1],
                    line=core_person.line,
                    id=person.public_id,
                )
            )
    quotas = list(parsed.pool.quotas)
    _check_existing_people_fit(existing.values(), quotas)
    _replace_quotas(session, pool, quotas)
    rows = [
        Person(
            pool_id=pool.id,
            public_id=person.public_id,
            features=json.dumps(person.features, sort_keys=True),
            household=person.household,
            source=UPLOAD,
        )
        for person in parsed.people
    ]
    for start in range(0, len(rows), _PROGRESS_EVERY):
        # One flush per batch: ids come back together instead of one round trip per volunteer.
        batch = rows[start : start + _PROGRESS_EVERY]
        session.add_all(batch)
        session.flush()
        session.add_all(
            [
                PersonContact(person_id=row.id, **person.contact)
                for row, person in zip(batch, parsed.people[start : start + _PROGRESS_EVERY], strict=True)
                if any(person.contact.values())
            ]
        )
        if progress is not None:
            progress(10 + 85 * (start + len(batch)) / len(rows), N_("Adding the volunteers"))
    audit.record(
        session,
        "pool.uploaded",
        "pool",
        pool.id,
        council_id=council.id,
        actor_id=actor_id,
        people=len(parsed.people),
        features=list(parsed.pool.features),
        file_format=fmt,
    )
    session.commit()
    return len(parsed.people)


def _check_existing_people_fit(people, quotas: list[CoreQuota]) -> None:
    allowed: dict[str, set[str]] = {}
    for q in quotas:
        allowed.setdefault(q.feature, set()).add(q.value)
    for person in people:
        values = person.feature_values()
        for name, options in allowed.items():
            if values.get(name) not in options:
                raise Invalid(
                    _(
                        "Volunteer %(id)s, already in the pool, has no value for “%(feature)s” among the new "
                        "quotas; upload a features file that lists it.",
                        id=person.public_id,
                        feature=name,
                    )
                )


def _replace_quotas(session: Session, pool: Pool, quotas: list[CoreQuota]) -> None:
    old = session.exec(select(Feature.id).where(Feature.pool_id == pool.id)).all()
    if old:
        session.execute(delete(FeatureValue).where(FeatureValue.feature_id.in_(old)))
        session.execute(delete(Feature).where(Feature.id.in_(old)))
    features: dict[str, Feature] = {}
    for position, q in enumerate(quotas):
        if q.feature not in features:
            features[q.feature] = Feature(pool_id=pool.id, name=q.feature, position=len(features))
            session.add(features[q.feature])
            session.flush()
        session.add(
            FeatureValue(
                feature_id=features[q.feature].id,
                value=q.value,
                position=position,
                min=q.min,
                max=q.max,
                min_flex=q.min_flex,
                max_flex=q.max_flex,
            )
        )
    session.flush()


@dataclass(frozen=True)
class CensusRow:
    """One quota value, the census figure it was matched to (or None) and the target that gives."""

    feature: str
    value: str
    value_id: int
    figure: census.Figure | None
    automatic: bool
    target: tuple[int, int] | None


@dataclass(frozen=True)
class CensusFill:
    """What "Fill from the census" matched, what it filled, and what it left for the officer."""

    rows: list[CensusRow]
    figures: list[census.Figure]

    @property
    def bounds(self) -> dict[int, tuple[int, int]]:
        return {r.value_id: r.target for r in self.rows if r.target is not None}

    @property
    def unfilled(self) -> list[CensusRow]:
        return [r for r in self.rows if r.target is None]


def census_fill(session: Session, council: Council, pool: Pool, chosen: dict[int, str] | None = None) -> CensusFill:
    """Match each quota value to a census figure and scale it to the panel size.

    Without `chosen`, values are matched by name (census.match). With it ({value id: figure key},
    "" for none), the officer's choice stands for every value it names.
    """
    figures = census.figures_for(council.gss_code)
    by_key = {f.key: f for f in figures}
    rows = []
    for feature, values in features_of(session, pool):
        for value in values:
            automatic = census.match(figures, feature.name, value.value)
            if chosen is not None and value.id in chosen:
                figure = by_key.get(chosen[value.id])
            else:
                figure = automatic
            target = census.target_range(figure.share, pool.panel_size) if figure else None
            rows.append(
                CensusRow(
                    feature.name, value.value, value.id, figure, figure is not None and figure == automatic, target
                )
            )
    return CensusFill(rows, figures)


def census_targets(session: Session, council: Council, pool: Pool) -> dict[int, tuple[int, int]]:
    """Return {value id: (min, max)} from census shares scaled to the panel size, where matched by name."""
    return census_fill(session, council, pool).bounds


def proposed_quotas(session: Session, pool: Pool, bounds: dict[int, tuple[int, int]]) -> list[CoreQuota]:
    """Apply submitted (min, max) per value id to the pool's quotas, refusing impossible numbers."""
    quotas = []
    for feature, values in features_of(session, pool):
        for value in values:
            lo, hi = bounds.get(value.id, (value.min, value.max))
            if lo < 0 or hi < lo:
                raise Invalid(
                    _(
                        "%(feature)s “%(value)s”: the minimum must be 0 or more and no more than the maximum",
                        feature=feature.name,
                        value=value.value,
                    ),
                    field=f"min_{value.id}",
                )
            # Flexible bounds stay outside the quota the officer sets (the Sortition Foundation's rule).
            lo_flex = None if value.min_flex is None else min(value.min_flex, lo)
            hi_flex = None if value.max_flex is None else max(value.max_flex, hi)
            quotas.append(CoreQuota(feature.name, value.value, lo, hi, min_flex=lo_flex, max_flex=hi_flex))
    if not quotas:
        raise Invalid(_("This pool has no features yet. Upload a pool first."))
    return quotas


def check_quotas(
    session: Session, pool: Pool, bounds: dict[int, tuple[int, int]], one_per_household: bool
) -> FeasibilityReport:
    """Say whether a panel can meet these quotas from the pool, and if not the smallest change."""
    quotas = proposed_quotas(session, pool, bounds)
    return check_feasibility(core_pool(session, pool, quotas=quotas, households=one_per_household))


def save_quotas(
    session: Session,
    council: Council,
    pool: Pool,
    bounds: dict[int, tuple[int, int]],
    one_per_household: bool,
    actor_id: int | None,
) -> None:
    """Store new quota targets and the household rule."""
    quotas = proposed_quotas(session, pool, bounds)
    names = {q.feature for q in quotas}
    for name in names:
        lo = sum(q.min for q in quotas if q.feature == name)
        hi = sum(q.max for q in quotas if q.feature == name)
        if lo > pool.panel_size or hi < pool.panel_size:
            raise Invalid(
                _(
                    "The quotas for “%(feature)s” must allow a panel of %(size)d: their minimums add up "
                    "to %(lo)d and their maximums to %(hi)d.",
                    feature=name,
                    size=pool.panel_size,
                    lo=lo,
                    hi=hi,
                )
            )
    for _feature, values in features_of(session, pool):
        for value in values:
            value.min, value.max = bounds.get(value.id, (value.min, value.max))
            if value.min_flex is not None:
                value.min_flex = min(value.min_flex, value.min)
            if value.max_flex is not None:
                value.max_flex = max(value.max_flex, value.max)
            session.add(value)
    pool.one_per_household = one_per_household
    session.add(pool)
    audit.record(
        session,
        "pool.quotas_set",
        "pool",
        pool.id,
        council_id=council.id,
        actor_id=actor_id,
        quotas=[[q.feature, q.value, q.min, q.max] for q in quotas],
        one_per_household=one_per_household,
    )
    session.commit()


def set_retention(session: Session, council: Council, pool: Pool, until: date, actor_id: int | None) -> None:
    pool.retention_until = until
    session.add(pool)
    audit.record(
        session,
        "pool.retention_set",
        "pool",
        pool.id,
        council_id=council.id,
        actor_id=actor_id,
        until=until.isoformat(),
    )
    session.commit()


def new_code() -> str:
    return random_code(CODE_GROUPS)


def normalise_code(code: str) -> str:
    return grouped(compact_code(code), CODE_GROUPS)


def generate_codes(session: Session, council: Council, pool: Pool, count: int, actor_id: int | None) -> list[str]:
    """Create one-time registration codes for invitation letters; only their hashes are kept."""
    if not 1 <= count <= 5000:
        raise Invalid(_("Enter a number of codes from 1 to 5000"), field="count")
    codes = [new_code() for _ in range(count)]
    session.add_all([InvitationCode(pool_id=pool.id, code_hash=_hash(c)) for c in codes])
    audit.record(session, "pool.codes_issued", "pool", pool.id, council_id=council.id, actor_id=actor_id, count=count)
    session.commit()
    return codes


def codes_csv(codes: list[str]) -> str:
    return write_csv(["invitation_code"], ([c] for c in codes))


def open_code(session: Session, council: Council, code: str) -> tuple[InvitationCode, Pool]:
    """Return an unused code and its pool, or raise Invalid with one message for every bad code."""
    row = session.exec(select(InvitationCode).where(InvitationCode.code_hash == _hash(normalise_code(code)))).first()
    pool = session.get(Pool, row.pool_id) if row is not None else None
    if row is None or row.used_at is not None or pool is None or pool.council_id != council.id or pool.erased_at:
        raise Invalid(
            _("This invitation code is not recognised or has already been used. Check the letter and try again."),
            field="code",
        )
    return row, pool


def register_volunteer(
    session: Session, council: Council, *, code: str, answers: dict[str, str], contact: dict[str, str]
) -> Person:
    """Add a resident to the pool with a one-time code: in-area postcode, known answers, used once."""
    row, pool = open_code(session, council, code)
    postcode = contact.get("postcode", "")
    if not in_council_area(council, postcode):
        raise Invalid(
            _(
                "This postcode is not in %(council)s’s area. Only residents of the area can take part.",
                council=council.name,
            ),
            field="postcode",
        )
    features = {}
    for feature, values in features_of(session, pool):
        options = {v.value for v in values}
        chosen = answers.get(feature.name, "")
        if feature.name.casefold() == "ward" and not chosen:
            ward = area_for_postcode(session, council, postcode)
            chosen = ward.name if ward else ""
        if chosen not in options:
            raise Invalid(_("Choose an answer for “%(feature)s”", feature=feature.name), field=f"feature_{feature.id}")
        features[feature.name] = chosen
    claimed = session.execute(
        update(InvitationCode)
        .where(InvitationCode.id == row.id, InvitationCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise Invalid(_("This invitation code has already been used."), field="code")
    key = " ".join((contact.get("address", "") + " " + postcode).split()).casefold()
    person = Person(
        pool_id=pool.id,
        public_id="R" + secrets.token_hex(5).upper(),
        source=REGISTRATION,
        features=json.dumps(features, sort_keys=True),
        household=uploads.household_id(pool.household_salt, key),
    )
    session.add(person)
    session.flush()
    session.add(PersonContact(person_id=person.id, **{k: contact.get(k, "") for k in uploads.CONTACT_FIELDS}))
    session.execute(update(InvitationCode).where(InvitationCode.id == row.id).values(person_id=person.id))
    audit.record(session, "pool.registered", "pool", pool.id, council_id=council.id, person=person.public_id)
    session.commit()
    return person


def registration_features(session: Session, council: Council, code: str) -> tuple[Pool, list]:
    """Return the pool a code belongs to and the questions its quotas need."""
    _row, pool = open_code(session, council, code)
    return pool, features_of(session, pool)


def _snapshot(session: Session, pool: Pool, include: list[str], exclude: list[str]) -> dict[str, Any]:
    core = core_pool(session, pool)
    return {
        "name": pool.name,
        "panel_size": core.panel_size,
        "features": list(core.features),
        "quotas": [[q.feature, q.value, q.min, q.max, q.min_flex, q.max_flex] for q in core.quotas],
        "people": [[p.id, list(p.values), p.household or ""] for p in core.people],
        "include": sorted(include),
        "exclude": sorted(exclude),
    }


def pool_from_snapshot(data: dict[str, Any]) -> CorePool:
    # Runs recorded before flexible quotas hold four numbers per quota.
    quotas = tuple(
        CoreQuota(f, v, lo, hi, min_flex=(rest or [None])[0], max_flex=(rest[1:] or [None])[0])
        for f, v, lo, hi, *rest in data["quotas"]
    )
    people = tuple(CorePerson(i, tuple(values), household or None) for i, values, household in data["people"])
    return CorePool(data["panel_size"], tuple(data["features"]), quotas, people, name=data.get("name", ""))


def start_run(
    session: Session,
    council: Council,
    pool: Pool,
    *,
    algorithm: str = LEXIMIN,
    purpose: str = SELECTION,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    parent_id: int | None = None,
    actor_id: int | None = None,
) -> SelectionRun:
    """Record a selection run and start its background job (distribution, then the committed lottery)."""
    if algorithm not in ALGORITHMS:
        raise Invalid(_("Choose LEXIMIN or the legacy method"), field="algorithm")
    if purpose != SELECTION and algorithm != LEXIMIN:
        raise Invalid(_("Replacements use LEXIMIN"), field="algorithm")
    if pool.erased_at is not None:
        raise Conflict(_("This pool’s personal data has been erased; it cannot be selected from again."))
    if purpose == SELECTION and _drawn_panel(session.exec(select(SelectionRun).where(SelectionRun.pool_id == pool.id))):
        # A second draw would let anyone pick the panel they prefer; drop-outs are replaced instead.
        raise Conflict(
            _(
                "The panel has already been drawn from this pool. Draw replacements for members who "
                "drop out from the jury’s page."
            )
        )
    snapshot = _snapshot(session, pool, include or [], exclude or [])
    core = pool_from_snapshot(snapshot)
    run = SelectionRun(
        pool_id=pool.id,
        council_id=council.id,
        purpose=purpose,
        parent_id=parent_id,
        algorithm=algorithm,
        panel_size=pool.panel_size,
        seed=secrets.randbelow(2**31),
        input_hash=input_hash(core, snapshot["include"], snapshot["exclude"]),
        pool_input=json.dumps(snapshot, sort_keys=True),
        created_by_id=actor_id,
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        "selection.started",
        "selection_run",
        run.id,
        council_id=council.id,
        actor_id=actor_id,
        algorithm=algorithm,
        purpose=purpose,
        input_hash=run.input_hash,
        seed=run.seed,
    )
    session.commit()
    job = jobs.enqueue(session, "selection", run_selection_job, council_id=council.id, run_id=run.id)
    run.job_id = job.id
    session.add(run)
    session.commit()
    return run


def _set_run(session: Session, run_id: int, **values: Any) -> None:
    session.execute(update(SelectionRun).where(SelectionRun.id == run_id).values(**values))
    session.commit()


def commitment_of(run_facts: dict[str, Any]) -> str:
    """Return the SHA-256 of the committed lottery (published before the draw)."""
    return hashlib.sha256(to_json(run_facts).encode("utf-8")).hexdigest()


def run_selection_job(session: Session, progress, run_id: int) -> dict[str, Any]:
    """Background job: compute the distribution and commit to the lottery the public draw picks from."""
    run = session.get(SelectionRun, run_id)
    _set_run(session, run_id, status=RUNNING)
    data = json.loads(run.pool_input)
    pool = pool_from_snapshot(data)
    progress(5, N_("Checking the quotas against the pool"))
    try:
        if run.purpose != SELECTION:
            progress(15, N_("Finding the fairest way to fill the empty seats (LEXIMIN)"))
            confirmed, dropped = data["include"], data["exclude"]
            result = replace(pool, confirmed, dropped, seed=run.seed)
            dist, lottery = result.selection.distribution, result.selection.lottery
        elif run.algorithm == LEXIMIN:
            progress(15, N_("Finding the fairest distribution over panels (LEXIMIN)"))
            dist = leximin(pool, seed=run.seed)
            progress(80, N_("Rounding it to a lottery of panels for the public draw"))
            lottery = round_lottery(dist, LOTTERY_PANELS)
        else:
            progress(15, N_("Estimating selection probabilities of the legacy method"))
            dist = legacy_distribution(pool, seed=run.seed, runs=LEGACY_RUNS)
            lottery = None
    except InfeasibleError as exc:
        problems = "; ".join(exc.report.problems) if getattr(exc, "report", None) else str(exc)
        message = N_("The quotas cannot be met from this pool:") + " " + problems
        _set_run(session, run_id, status=FAILED, error=message[:2000])
        raise jobs.JobFailed(message) from None
    except CoreError as exc:
        _set_run(session, run_id, status=FAILED, error=str(exc)[:2000])
        raise jobs.JobFailed(str(exc)) from None
    progress(90, N_("Publishing the commitment"))
    probabilities = {i: round(p, 6) for i, p in zip(pool.ids, dist.probabilities, strict=True)}
    panels = [list(p) for p in lottery.panels] if lottery else []
    facts = {
        "input_hash": run.input_hash,
        "algorithm": dist.algorithm,
        "version": dist.version,
        "seed": run.seed,
        "panels": panels,
    }
    report = {
        "min_probability": round(dist.min_probability, 6),
        "gini": round(gini(dist.probabilities), 6),
        "lottery_max_change": round(lottery.max_change, 6) if lottery else None,
        "pool_size": pool.size,
    }
    _set_run(
        session,
        run_id,
        status=AWAITING_DRAW,
        version=dist.version,
        commitment=commitment_of(facts),
        lottery=json.dumps({"panels": panels}),
        lottery_size=len(panels) if lottery else LEGACY_DRAW_LIMIT,
        probabilities=json.dumps(probabilities, sort_keys=True),
        report=json.dumps(report, sort_keys=True),
        committed_at=utcnow(),
    )
    return {"run_id": run_id, "commitment": commitment_of(facts)}


def get_run(session: Session, council: Council, run_id: int) -> SelectionRun:
    run = session.get(SelectionRun, run_id)
    if run is None or run.council_id != council.id:
        raise NotFound(_("There is no such selection run."))
    return run


def run_job(session: Session, run: SelectionRun) -> jobs.Job | None:
    """The run's job, given up (and the run with it) if its worker died; the run is refreshed."""
    job = jobs.check_alive(session, session.get(jobs.Job, run.job_id) if run.job_id else None)
    if job is not None and job.status == jobs.FAILED and run.status in (QUEUED, RUNNING):
        _set_run(session, run.id, status=FAILED, error=job.error[:2000])
        session.refresh(run)
    return job


def retry_run(session: Session, council: Council, run: SelectionRun, actor_id: int | None) -> SelectionRun:
    """Run a failed selection again from its stored input, as a new attempt of its job."""
    job = run_job(session, run)
    if run.status != FAILED or job is None or job.status != jobs.FAILED:
        raise Conflict(_("Only a selection that stopped can be run again."))
    audit.record(
        session, "selection.retried", "selection_run", run.id, council_id=council.id, actor_id=actor_id, job_id=job.id
    )
    session.commit()
    jobs.retry(session, job, prepare=lambda again: _set_run(session, run.id, status=QUEUED, error="", job_id=again.id))
    session.refresh(run)
    return run


def draw(session: Session, council: Council, run: SelectionRun, number: int, actor_id: int | None) -> SelectionRun:
    """Apply the published number: it picks the panel from the committed lottery (or seeds legacy)."""
    if run.status != AWAITING_DRAW:
        raise Conflict(_("This selection is not waiting for a draw."))
    if not 0 <= number < run.lottery_size:
        raise Invalid(_("Enter a whole number from 0 to %(top)d", top=run.lottery_size - 1), field="number")
    data = json.loads(run.pool_input)
    pool = pool_from_snapshot(data)
    if run.algorithm == LEXIMIN:
        panel = sorted(json.loads(run.lottery)["panels"][number])
    else:
        panel = sorted(legacy_panel(pool, random.Random(number)))
    report = run.report_data()
    report["quota_report"] = quota_report(pool, panel)
    report["draw"] = number
    claimed = session.execute(
        update(SelectionRun)
        .where(SelectionRun.id == run.id, SelectionRun.status == AWAITING_DRAW)
        .values(
            status=COMPLETE,
            draw_number=number,
            panel=json.dumps(panel),
            report=json.dumps(report, sort_keys=True),
            drawn_at=utcnow(),
        )
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise Conflict(_("This selection has already been drawn."))
    audit.record(
        session,
        "selection.drawn",
        "selection_run",
        run.id,
        council_id=council.id,
        actor_id=actor_id,
        draw=number,
        commitment=run.commitment,
        input_hash=run.input_hash,
        panel_size=len(panel),
    )
    session.commit()
    session.refresh(run)
    return run


@dataclass
class RunView:
    run: SelectionRun
    quota_rows: list[dict[str, Any]]
    chart: dict[str, Any]
    histogram: list[dict[str, Any]]
    panel: list[tuple[str, dict[str, str]]]
    command: str
    pool_size: int


def _chart(probabilities: list[float], panel_size: int, pool_size: int) -> dict[str, Any]:
    """Bars of every volunteer's selection probability, sorted, sized for an inline SVG."""
    width, height = 600, 200
    values = sorted(probabilities)
    top = max(values + [panel_size / max(pool_size, 1), 1e-9])
    bar = width / max(len(values), 1)
    bars = [
        {
            "x": round(i * bar, 2),
            "w": round(max(bar - (0.5 if bar > 2 else 0), 0.3), 2),
            "h": round(v / top * height, 2),
            "y": round(height - v / top * height, 2),
            "p": v,
        }
        for i, v in enumerate(values)
    ]
    fair = panel_size / max(pool_size, 1)
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "top": top,
        "fair_y": round(height - fair / top * height, 2),
        "fair": fair,
    }


def _histogram(probabilities: list[float]) -> list[dict[str, Any]]:
    """Count volunteers per band of selection probability (the public report shows no ids)."""
    if not probabilities:
        return []
    top = max(probabilities)
    step = max(top / 10, 1e-6)
    bands = [{"low": i * step, "high": (i + 1) * step, "count": 0} for i in range(10)]
    for p in probabilities:
        bands[min(int(p / step), 9)]["count"] += 1
    most = max(b["count"] for b in bands) or 1
    for i, b in enumerate(bands):
        b["h"] = round(b["count"] / most * 150, 2)
        b["y"] = round(150 - b["h"], 2)
        b["x"] = i * 60
    return bands


def recreate_command(run: SelectionRun) -> str:
    """Return the command that re-creates this draw from the downloaded input."""
    folder = f"pool-run-{run.id}"
    if run.purpose != SELECTION:
        return (
            f"pbapp replace {folder} --seed {run.seed} --draw {run.draw_number if run.draw_number is not None else 'N'}"
        )
    if run.algorithm == LEGACY:
        seed = run.draw_number if run.draw_number is not None else "N"
        return f"pbapp select {folder} --algorithm legacy --seed {seed}"
    drawn = run.draw_number if run.draw_number is not None else "N"
    return f"pbapp select {folder} --algorithm leximin --seed {run.seed} --draw {drawn}"


def run_view(run: SelectionRun) -> RunView:
    """Everything the result pages show, from the run's stored record (pseudonymous ids only)."""
    data = json.loads(run.pool_input)
    probabilities = run.probability_of()
    values = list(probabilities.values())
    report = run.report_data()
    features = data["features"]
    by_id = {i: dict(zip(features, vals, strict=True)) for i, vals, _h in data["people"]}
    panel = [(i, by_id.get(i, {})) for i in run.panel_ids()]
    # A replacement draw fills only the empty seats, from the volunteers neither kept nor left out.
    seats = run.panel_size - len(data["include"])
    candidates = len(values) - len(data["include"]) - len(data["exclude"])
    return RunView(
        run,
        report.get("quota_report", []),
        _chart(values, seats, candidates),
        _histogram(values),
        panel,
        recreate_command(run),
        len(data["people"]),
    )


def public_run(session: Session, council: Council, run_id: int) -> RunView:
    """The public report: only once the lottery is committed, never with ids or personal data."""
    run = get_run(session, council, run_id)
    if run.status not in (AWAITING_DRAW, COMPLETE):
        raise NotFound(_("This selection has not been published yet."))
    return run_view(run)


def _flex_cells(quota: list, panel_size: int) -> list[int]:
    """min_flex and max_flex of a stored quota; one without them may move anywhere (0 up to the panel)."""
    lo_flex, hi_flex = (list(quota[4:6]) + [None, None])[:2]
    return [0 if lo_flex is None else lo_flex, max(panel_size, quota[3]) if hi_flex is None else hi_flex]


def input_archive(run: SelectionRun) -> bytes:
    """Return a zip of the run's pseudonymous input in the shared format, for `pbapp select`."""
    data = json.loads(run.pool_input)
    folder = f"pool-run-{run.id}"
    flex = any(q[4:6] != [None, None] for q in data["quotas"] if len(q) > 4)
    features = write_csv(
        ["feature", "value", "min", "max", *(["min_flex", "max_flex"] if flex else [])],
        ([*q[:4], *(_flex_cells(q, data["panel_size"]) if flex else [])] for q in data["quotas"]),
        lineterminator=LF,
        interchange=True,
    )
    has_households = any(h for _i, _v, h in data["people"])
    people = write_csv(
        ["id", *data["features"], *(["household"] if has_households else [])],
        ([ident, *values, *([household] if has_households else [])] for ident, values, household in data["people"]),
        lineterminator=LF,
        interchange=True,
    )
    instance = {
        "panel_size": data["panel_size"],
        "include": data["include"],
        "exclude": data["exclude"],
        "source": {"run": run.id, "input_hash": run.input_hash, "commitment": run.commitment},
        "notes": "Pseudonymous input of a pbapp selection run.",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/features.csv", features)
        archive.writestr(f"{folder}/people.csv", people)
        archive.writestr(f"{folder}/instance.json", json.dumps(instance, indent=1, sort_keys=True))
    return buffer.getvalue()


def person_in_council(session: Session, council: Council, person_id: int) -> tuple[Person, Pool]:
    person = session.get(Person, person_id)
    pool = session.get(Pool, person.pool_id) if person else None
    if person is None or pool is None or pool.council_id != council.id:
        raise NotFound(_("There is no such volunteer."))
    return person, pool


def person_by_public_id(session: Session, pool: Pool, public_id: str) -> Person | None:
    return session.exec(select(Person).where(Person.pool_id == pool.id, Person.public_id == public_id)).first()


def export_person(session: Session, council: Council, person_id: int, actor_id: int | None) -> dict[str, Any]:
    """Return everything held about one volunteer (a subject access request), and log that it was taken."""
    person, pool = person_in_council(session, council, person_id)
    contact = session.exec(select(PersonContact).where(PersonContact.person_id == person.id)).first()
    runs = session.exec(
        select(SelectionRun).where(SelectionRun.pool_id == pool.id, SelectionRun.status == COMPLETE)
    ).all()
    data = {
        "council": council.name,
        "pool": pool.name,
        "id": person.public_id,
        "source": person.source,
        "added": person.created_at.isoformat(),
        "features": person.feature_values(),
        "contact": ({k: getattr(contact, k) for k in uploads.CONTACT_FIELDS} if contact else None),
        "selection_runs": [
            {
                "run": r.id,
                "selected": person.public_id in r.panel_ids(),
                "probability": r.probability_of().get(person.public_id),
            }
            for r in runs
        ],
        "retention_until": pool.retention_until.isoformat() if pool.retention_until else None,
    }
    audit.record(session, "person.exported", "person", person.id, council_id=council.id, actor_id=actor_id)
    session.commit()
    return data


def erase_personal_data(session: Session, council: Council, pool: Pool, actor_id: int | None) -> int:
    """Delete every contact detail of a pool's volunteers; features and the audit record stay, anonymous.

    The erasure is also written to the erasure log, so a restore from an older backup erases again.
    """
    erased = _erase_contacts(session, pool)
    audit.record(session, "pool.erased", "pool", pool.id, council_id=council.id, actor_id=actor_id, contacts=erased)
    session.commit()
    erasures.record(POOL_CONTACTS_ERASED, pool_id=pool.id, council_id=council.id)
    return erased


POOL_CONTACTS_ERASED = "pool_contacts"


def _erase_contacts(session: Session, pool: Pool) -> int:
    person_ids = session.exec(select(Person.id).where(Person.pool_id == pool.id)).all()
    contacts = (
        session.exec(select(PersonContact).where(PersonContact.person_id.in_(person_ids))).all() if person_ids else []
    )
    emails = [c.email for c in contacts if c.email]
    if emails:
        # Invitations in the outbox name the person; they go with the contact details.
        session.execute(delete(OutboxMessage).where(OutboxMessage.to.in_(emails)))
    if person_ids:
        session.execute(delete(PersonContact).where(PersonContact.person_id.in_(person_ids)))
    pool.household_salt = ""
    pool.erased_at = pool.erased_at or utcnow()
    session.add(pool)
    return len(contacts)


def erase_pool_again(session: Session, pool_id: int, council_id: int) -> int:
    """Re-apply a logged erasure after a restore (the pool may be gone too); return contacts erased."""
    pool = session.get(Pool, pool_id)
    if pool is None or pool.council_id != council_id:
        return 0
    return _erase_contacts(session, pool)


ERASURE_HANDLERS = {POOL_CONTACTS_ERASED: erase_pool_again}


EXPORT_PARTS = ("selected", "remaining")


def selected_remaining_csv(
    session: Session, council: Council, run: SelectionRun, part: str, actor_id: int | None
) -> tuple[bytes, str]:
    """The drawn panel ("selected") or everyone else ("remaining") in the Sortition Foundation's layout.

    Columns: id, the contact details (empty once erased) and the features as the run saw them.
    With one person per household, housemates of a selected person are left out of "remaining",
    as the Foundation's tool does. Contains personal data, so each download is audited.
    """
    if part not in EXPORT_PARTS:
        raise NotFound(_("There is no such file."))
    if run.status != COMPLETE or not run.panel_ids():
        raise Conflict(_("The panel has not been drawn yet."))
    core = pool_from_snapshot(json.loads(run.pool_input))
    people = session.exec(select(Person).where(Person.pool_id == run.pool_id)).all()
    contacts = contacts_for(session, [p.id for p in people])
    kept = {p.public_id: [getattr(contacts.get(p.id), f, "") or "" for f in uploads.CONTACT_FIELDS] for p in people}
    tables = selected_remaining_tables(core, run.panel_ids(), keep_columns=uploads.CONTACT_FIELDS, kept=kept)
    table = tables.selected if part == "selected" else tables.remaining
    audit.record(
        session,
        "selection.exported",
        "selection_run",
        run.id,
        council_id=council.id,
        actor_id=actor_id,
        part=part,
        rows=len(table) - 1,
        housemates_left_out=tables.housemates_removed,
    )
    session.commit()
    return write_csv(table[0], table[1:]).encode("utf-8"), f"selection-run-{run.id}-{part}.csv"


def contacts_for(session: Session, person_ids: list[int]) -> dict[int, PersonContact]:
    """Return contact details by person id (for the jury's own pages and exports)."""
    if not person_ids:
        return {}
    rows = session.exec(select(PersonContact).where(PersonContact.person_id.in_(person_ids))).all()
    return {c.person_id: c for c in rows}


def pools_due_for_erasure(session: Session, today: date) -> list[tuple[Pool, Council]]:
    """Return pools whose retention date is within RETENTION_WARNING_DAYS (or past) and not yet erased."""
    limit = today + timedelta(days=RETENTION_WARNING_DAYS)
    rows = session.exec(
        select(Pool, Council)
        .join(Council, Council.id == Pool.council_id)
        .where(Pool.erased_at.is_(None), Pool.retention_until.is_not(None), Pool.retention_until <= limit)
        .order_by(Pool.retention_until)
    ).all()
    return [(p, c) for p, c in rows]
