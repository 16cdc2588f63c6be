"""Read an uploaded pool (features + people CSVs) through the core readers, with a column mapping.

The officer's mapping renames the people file's header row only, so every line number the core
readers report still points at the line of the file the officer uploaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _

from pbapp.core.csv_writer import LF, write_csv
from pbapp.core.errors import InputError
from pbapp.core.sortition import Pool, Quota, parse_pool, read_sortition_foundation
from pbapp.core.sortition.pool import FLEX_COLUMNS, read_features
from pbapp.core.table_reader import MAX_ERRORS, TableError, read_table
from pbapp.errors import Invalid, InvalidRows
from pbapp.messages import table_refusal

PBAPP_FORMAT, SF_FORMAT = "pbapp", "sortition_foundation"
FORMATS = (PBAPP_FORMAT, SF_FORMAT)
CONTACT_FIELDS = ("name", "email", "phone", "address", "postcode")
CONTACT_LIMITS = {"name": 200, "email": 320, "phone": 40, "address": 400, "postcode": 10}
ID_KEY, HOUSEHOLD_KEY = "id", "household"
_CONTACT_PREFIX = "__contact_"
_ID_GUESSES = ("id", "nationbuilder_id", "unique_id", "person_id")
_CONTACT_GUESSES = {
    "name": ("name", "full_name", "full name"),
    "email": ("email", "email_address", "e-mail"),
    "phone": ("phone", "mobile_number", "mobile", "telephone", "phone_number"),
    "address": ("address", "primary_address1", "address1", "address_line_1"),
    "postcode": ("postcode", "primary_zip", "post_code", "zip"),
}
PREVIEW_ROWS = 5


def feature_key(name: str) -> str:
    return "feature:" + name


@dataclass
class UploadPreview:
    """What the officer sees before importing: the columns, a few rows and a suggested mapping."""

    features: list[str]
    columns: list[str]
    rows: list[list[str]]
    count: int
    mapping: dict[str, str] = field(default_factory=dict)
    quotas: list[Quota] = field(default_factory=list)
    name_parts: tuple[str, str] | None = None  # first and last name columns, combined when no name column is chosen


@dataclass
class UploadedPerson:
    public_id: str
    features: dict[str, str]
    household: str
    contact: dict[str, str]


@dataclass
class ParsedUpload:
    pool: Pool
    people: list[UploadedPerson]


def _invalid(exc: InputError) -> Invalid:
    return Invalid(str(exc))


def read_upload(data: bytes, source: str) -> str:
    """Return an uploaded CSV or .xlsx file as comma-separated text (pbapp.core.table_reader)."""
    try:
        return read_table(data, source).text
    except TableError as exc:
        raise Invalid(table_refusal(exc)) from None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _features_text(features: bytes, fmt: str, source: str) -> str:
    """Return the quota file as text with the shared format's header (`feature,value,min,max`)."""
    text = read_upload(features, source)
    if fmt == SF_FORMAT:
        header_line, _sep, rest = text.partition("\n")
        cells = [c.strip() for c in next(csv.reader([header_line]), [])]
        folded = [_fold(c) for c in cells]
        if "category" in folded and "feature" not in folded:
            renamed = [
                "feature" if f == "category" else "value" if f == "name" else f if f in FLEX_COLUMNS else c
                for c, f in zip(cells, folded, strict=True)
            ]
        else:
            renamed = [
                f if f in ("feature", "value", "min", "max", *FLEX_COLUMNS) else c
                for c, f in zip(cells, folded, strict=True)
            ]
        text = _join_header(renamed, rest)
    return text


def _join_header(cells: list[str], rest: str) -> str:
    return write_csv(cells, [], lineterminator=LF, interchange=True) + rest


def _people_rows(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in row)]


def preview(features: bytes, people: bytes, fmt: str, *, sources: tuple[str, str]) -> UploadPreview:
    """Check both files can be read and suggest which column holds what."""
    if fmt not in FORMATS:
        raise Invalid(_("Choose the format of the files"), field="file_format")
    fsrc, psrc = sources
    try:
        ftext = _features_text(features, fmt, fsrc)
        faults = features_faults(ftext, fsrc)
        if faults:
            raise InvalidRows(_capped(faults))
        quotas = read_features(ftext, source=fsrc)
        text = read_upload(people, psrc)
        rows = _people_rows(text)
    except InputError as exc:
        raise _invalid(exc) from None
    except csv.Error as exc:
        raise Invalid(_("%(file)s is not a valid CSV file (%(error)s)", file=psrc, error=str(exc))) from None
    if not rows:
        raise Invalid(_("%(file)s, line 1: the file is empty", file=psrc))
    columns = [c.strip() for c in rows[0]]
    names = list(dict.fromkeys(q.feature for q in quotas))
    return UploadPreview(
        names,
        columns,
        rows[1 : 1 + PREVIEW_ROWS],
        len(rows) - 1,
        suggest_mapping(names, columns, fmt),
        quotas,
        name_columns(columns),
    )


def suggest_mapping(features: list[str], columns: list[str], fmt: str) -> dict[str, str]:
    """Match columns to features and contact fields by name, ignoring case and spacing."""
    by_fold = {_fold(c): c for c in columns}
    mapping: dict[str, str] = {}
    mapping[ID_KEY] = next((by_fold[g] for g in _ID_GUESSES if g in by_fold), columns[0] if columns else "")
    for name in features:
        exact = name if name in columns else by_fold.get(_fold(name), "")
        mapping[feature_key(name)] = exact
    mapping[HOUSEHOLD_KEY] = by_fold.get("household", "") if fmt == PBAPP_FORMAT else ""
    for key, guesses in _CONTACT_GUESSES.items():
        mapping[key] = next((by_fold[g] for g in guesses if g in by_fold), "")
    return mapping


def _renamed_header(columns: list[str], features: list[str], mapping: dict[str, str], source: str) -> list[str]:
    """Rename mapped columns to what the core readers expect; unmapped ones cannot collide.

    Every feature without a column is named at once.
    """
    targets: dict[str, str] = {}
    wanted = [(ID_KEY, ID_KEY), (HOUSEHOLD_KEY, HOUSEHOLD_KEY)]
    wanted += [(feature_key(f), f) for f in features]
    wanted += [(c, _CONTACT_PREFIX + c) for c in CONTACT_FIELDS]
    for key, target in wanted:
        column = mapping.get(key, "")
        if not column:
            continue
        if column not in columns:
            raise Invalid(_("There is no column called “%(column)s” in the people file", column=column), field=key)
        if column in targets:
            raise Invalid(
                _("The column “%(column)s” is chosen twice; choose a different column for each item", column=column),
                field=key,
            )
        targets[column] = target
    if ID_KEY not in targets.values():
        raise Invalid(
            _("%(file)s, line 1: choose the column that holds each volunteer’s id", file=source), field=ID_KEY
        )
    missing = [f for f in features if f not in targets.values()]
    if missing:
        raise InvalidRows(
            [
                _(
                    "%(file)s, line 1: missing column for “%(feature)s”; choose the column that holds it",
                    file=source,
                    feature=name,
                )
                for name in missing
            ],
            field=feature_key(missing[0]),
        )
    reserved = set(targets.values())
    return [targets.get(c, c if c not in reserved else f"__unused_{i}") for i, c in enumerate(columns)]


TEMPLATES = ("features", "people")
TEMPLATE_FORMATS = ("csv", "xlsx")


def template_table(part: str, quotas: list[tuple[str, str, int, int]]) -> tuple[list[str], list[list[object]]]:
    """Return the header and rows of a template file in the pbapp format, from the pool's quotas.

    The features template lists the pool's quotas (header only for a new pool); the people
    template has the columns the upload reads: id, one per feature, household and contact details.
    """
    if part == "features":
        return ["feature", "value", "min", "max"], [list(q) for q in quotas]
    features = list(dict.fromkeys(q[0] for q in quotas))
    return [ID_KEY, *features, HOUSEHOLD_KEY, *CONTACT_FIELDS], []


def household_id(salt: str, key: str) -> str:
    """Return a pseudonymous household id: addresses never leave the contact table."""
    return "H" + hashlib.sha256(f"{salt}\x1f{key}".encode()).hexdigest()[:16] if key else ""


def parse(
    features: bytes,
    people: bytes,
    fmt: str,
    mapping: dict[str, str],
    *,
    panel_size: int,
    salt: str,
    sources: tuple[str, str],
) -> ParsedUpload:
    """Read both files with the mapping; raise InvalidRows naming every fault (up to 50) with its line."""
    fsrc, psrc = sources
    head = preview(features, people, fmt, sources=sources)
    text = read_upload(people, psrc)
    header_line, _sep, rest = text.partition("\n")
    renamed = _renamed_header(head.columns, head.features, mapping, psrc)
    people_text = _join_header(renamed, rest)
    faults = people_faults(people_text, head.quotas, fmt, psrc)
    if head.count < panel_size:
        faults.insert(
            0,
            _(
                "The people file lists %(count)d volunteers but the panel needs %(size)d. "
                "Add more volunteers or make the panel smaller.",
                count=head.count,
                size=panel_size,
            ),
        )
    if faults:
        raise InvalidRows(_capped(faults))
    try:
        ftext = _features_text(features, fmt, fsrc)
        if fmt == PBAPP_FORMAT:
            pool = parse_pool(ftext, people_text, panel_size, sources=(fsrc, psrc))
        else:
            address = tuple(_CONTACT_PREFIX + c for c in ("address", "postcode") if mapping.get(c))
            pool = read_sortition_foundation(
                ftext, people_text, panel_size, id_column=ID_KEY, address_columns=address, sources=(fsrc, psrc)
            )
    except InputError as exc:
        raise _invalid(exc) from None
    contacts = _contacts(people_text, psrc)
    return ParsedUpload(
        pool,
        [
            UploadedPerson(
                p.id,
                dict(zip(pool.features, p.values, strict=True)),
                household_id(salt, p.household or _address_key(contacts.get(p.id, {}))),
                contacts.get(p.id, {}),
            )
            for p in pool.people
        ],
    )


def _capped(faults: list[str]) -> list[str]:
    if len(faults) <= MAX_ERRORS:
        return faults
    return faults[:MAX_ERRORS] + [
        _("%(count)d more problems are not shown. Fix these and upload the file again.", count=len(faults) - MAX_ERRORS)
    ]


def features_faults(text: str, source: str) -> list[str]:
    """Return every fault of the quota rows (feature,value,min,max), each with its line.

    Checked: an empty feature, a min or max that is not a whole number, bounds out of order and a
    value listed twice. A file without those columns is left to the core reader, which names them.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not {"feature", "value", "min", "max"} <= set(header):
        return []
    faults: list[str] = []
    flex = [c for c in FLEX_COLUMNS if c in header]
    if len(flex) == 1:
        missing = next(c for c in FLEX_COLUMNS if c not in flex)
        return [
            _(
                "%(file)s, line 1: the column %(column)s is missing; flexible quotas need both min_flex and max_flex",
                file=source,
                column=missing,
            )
        ]
    seen: dict[tuple[str, str], int] = {}
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            cells = dict(zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)), strict=False))
            faults.extend(_quota_faults(cells, reader.line_num, source, seen, flex=bool(flex)))
    except csv.Error as exc:
        faults.append(
            _(
                "%(file)s, line %(line)d: this line is not valid CSV (%(error)s)",
                file=source,
                line=reader.line_num,
                error=str(exc),
            )
        )
    return faults


def _quota_faults(
    cells: dict[str, str], line: int, source: str, seen: dict[tuple[str, str], int], *, flex: bool = False
) -> list[str]:
    feature, value = cells["feature"], cells["value"]
    if not feature:
        return [_("%(file)s, line %(line)d: the feature is empty", file=source, line=line)]
    found = []
    bounds = {}
    for column in ("min", "max", *(FLEX_COLUMNS if flex else ())):
        if cells[column].isdigit():
            bounds[column] = int(cells[column])
        else:
            found.append(
                _(
                    "%(file)s, line %(line)d: %(column)s must be a whole number, got “%(value)s”",
                    file=source,
                    line=line,
                    column=column,
                    value=cells[column],
                )
            )
    if "min" in bounds and "max" in bounds and bounds["max"] < bounds["min"]:
        found.append(
            _(
                "%(file)s, line %(line)d: %(feature)s “%(value)s”: the max (%(max)d) is below the min (%(min)d)",
                file=source,
                line=line,
                feature=feature,
                value=value,
                min=bounds["min"],
                max=bounds["max"],
            )
        )
    if "min" in bounds and "min_flex" in bounds and bounds["min_flex"] > bounds["min"]:
        found.append(
            _(
                "%(file)s, line %(line)d: %(feature)s “%(value)s”: min_flex (%(flex)d) must not be above the "
                "min (%(min)d)",
                file=source,
                line=line,
                feature=feature,
                value=value,
                flex=bounds["min_flex"],
                min=bounds["min"],
            )
        )
    if "max" in bounds and "max_flex" in bounds and bounds["max_flex"] < bounds["max"]:
        found.append(
            _(
                "%(file)s, line %(line)d: %(feature)s “%(value)s”: max_flex (%(flex)d) must not be below the "
                "max (%(max)d)",
                file=source,
                line=line,
                feature=feature,
                value=value,
                flex=bounds["max_flex"],
                max=bounds["max"],
            )
        )
    if (feature, value) in seen:
        found.append(
            _(
                "%(file)s, line %(line)d: %(feature)s “%(value)s” is listed twice, also on line %(first)d",
                file=source,
                line=line,
                feature=feature,
                value=value,
                first=seen[(feature, value)],
            )
        )
    else:
        seen[(feature, value)] = line
    return found


def people_faults(text: str, quotas: list[Quota], fmt: str, source: str) -> list[str]:
    """Return every fault of the (renamed) people file, each with its line, before any is imported.

    Checked: cells beyond the header, empty and repeated ids, values the features file does not
    list (matched ignoring case and spacing in the Sortition Foundation format, as its tool does),
    and contact details over their length limits. All are returned; the caller shows the first MAX_ERRORS.
    """
    allowed: dict[str, dict[str, str]] = {}
    for q in quotas:
        allowed.setdefault(q.feature, {})[_fold(q.value) if fmt == SF_FORMAT else q.value] = q.value
    reader = csv.reader(io.StringIO(text, newline=""))
    faults: list[str] = []
    seen: dict[str, int] = {}
    try:
        header = [h.strip() for h in next(reader, [])]
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            faults.extend(_row_faults(header, row, reader.line_num, allowed, fmt, source, seen))
    except csv.Error as exc:
        faults.append(
            _(
                "%(file)s, line %(line)d: this line is not valid CSV (%(error)s)",
                file=source,
                line=reader.line_num,
                error=str(exc),
            )
        )
    return faults


def _row_faults(
    header: list[str],
    row: list[str],
    line: int,
    allowed: dict[str, dict[str, str]],
    fmt: str,
    source: str,
    seen: dict[str, int],
) -> list[str]:
    if len(row) > len(header):
        return [
            _(
                "%(file)s, line %(line)d: %(count)d fields but the header has %(columns)d columns",
                file=source,
                line=line,
                count=len(row),
                columns=len(header),
            )
        ]
    cells = dict(zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)), strict=True))
    found = []
    ident = cells.get(ID_KEY, "")
    if not ident:
        found.append(_("%(file)s, line %(line)d: the volunteer id is empty", file=source, line=line))
    elif ident in seen:
        found.append(
            _(
                "%(file)s, line %(line)d: duplicate id “%(id)s”, also on line %(first)d",
                file=source,
                line=line,
                id=ident,
                first=seen[ident],
            )
        )
    else:
        seen[ident] = line
    for feature, values in allowed.items():
        value = cells.get(feature, "")
        if (_fold(value) if fmt == SF_FORMAT else value) not in values:
            found.append(
                _(
                    "%(file)s, line %(line)d: “%(value)s” is not a value of %(feature)s in the features "
                    "file (it lists %(values)s)",
                    file=source,
                    line=line,
                    value=value,
                    feature=feature,
                    values=", ".join(values.values()),
                )
            )
    for name, limit in CONTACT_LIMITS.items():
        if len(cells.get(_CONTACT_PREFIX + name, "")) > limit:
            found.append(
                _(
                    "%(file)s, line %(line)d: the %(field)s is longer than %(limit)d characters",
                    file=source,
                    line=line,
                    field=name,
                    limit=limit,
                )
            )
    return found


def _address_key(contact: dict[str, str]) -> str:
    """Without a household column, people at the same address and postcode share a household."""
    if not contact.get("address") or not contact.get("postcode"):
        return ""
    return _fold(contact["address"] + " " + "".join(contact["postcode"].split()))


FIRST_NAMES = ("first_name", "first name", "firstname", "forename", "given_name", "given name")
LAST_NAMES = ("last_name", "last name", "lastname", "surname", "family_name", "family name")


def name_columns(columns: list[str]) -> tuple[str, str] | None:
    """The first-name and last-name columns of a people file (as the Sortition Foundation's files have), if both."""
    by_fold = {_fold(c): c for c in columns}
    first = next((by_fold[g] for g in FIRST_NAMES if g in by_fold), None)
    last = next((by_fold[g] for g in LAST_NAMES if g in by_fold), None)
    return (first, last) if first and last else None


def _contacts(text: str, source: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    names = name_columns(list(reader.fieldnames or []))
    found: dict[str, dict[str, str]] = {}
    for row in reader:
        contact = {f: (row.get(_CONTACT_PREFIX + f) or "").strip() for f in CONTACT_FIELDS}
        if not contact["name"] and names:
            # No single name column is mapped: first and last names are combined, as the Foundation's files split them.
            contact["name"] = " ".join(part for part in ((row.get(c) or "").strip() for c in names) if part)
        for name, limit in CONTACT_LIMITS.items():
            if len(contact[name]) > limit:
                raise Invalid(
                    _(
                        "%(file)s, line %(line)d: the %(field)s is longer than %(limit)d characters",
                        file=source,
                        line=reader.line_num,
                        field=name,
                        limit=limit,
                    )
                )
        found[(row.get(ID_KEY) or "").strip()] = contact
    return found
