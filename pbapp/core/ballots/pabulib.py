"""Read and write Pabulib `.pb` files.

Reference: the Pabulib format (Faliszewski et al., "Participatory Budgeting: Data, Tools, and
Analysis", IJCAI 2023; pabulib.org/format): three `;`-separated sections META (key;value),
PROJECTS (project_id;cost;...) and VOTES (voter_id;vote;...), `vote` and `points` being
comma-separated lists. Every field is kept as text next to its parsed value, so writing what was
read gives back the same file (same quoting, line ending and final newline). Malformed input
raises `PabulibError` naming the line.

Pabulib's conventions, as the files are published:
- a voter who lists the same project twice has it counted once, in its first place (with the
  points given there); the election's `warnings` name those voters. The file is never refused
  for it (18 Warsaw 2026 district files are published so);
- META `min_project_score_threshold` applies under every greedy rule, and a cost of 999999999
  marks a withdrawn project (see `greedy`); the tie-break order is chosen at counting (`ties`);
- META keys the format defines (`min_length`, `max_length`, `min_sum_cost`, `max_sum_cost`,
  `min_sum_points`, `max_sum_points`, `date_begin`, `date_end`, `language`, ...) and every extra
  PROJECTS and VOTES column (`votes`, `score`, `selected`, `age`, ...) are kept as read and
  written back.

Reading is one pass at C speed for a well-formed file: the VOTES section is split by the
`csv` module, identical ballots are counted as text (`collections.Counter`), and only the
distinct ballots are parsed and compressed into the `Profile` (numpy). The `Vote` objects are
built only if asked for (exporting, or code that walks the votes). Anything unusual sends the
file through the line-by-line reader, which names the line of the first fault.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from pathlib import Path

import numpy as np

from pbapp.core.ballots.election import (
    APPROVAL_TYPES,
    POINT_TYPES,
    VOTE_TYPES,
    Election,
    Profile,
    Project,
    Vote,
    format_number,
    parse_number,
)
from pbapp.core.errors import InputError, NotUtf8, utf8_text

SECTIONS = ("meta", "projects", "votes")


class PabulibError(InputError):
    """A Pabulib file is malformed; the message names the line."""


def read(path: str | Path) -> Election:
    """Read a `.pb` file (UTF-8, a byte-order mark dropped); other encodings raise `PabulibError`."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = utf8_text(raw)
    except NotUtf8 as exc:
        raise PabulibError(
            f"The file is not UTF-8 text (byte 0x{exc.byte:02x}); save it as UTF-8.", line=exc.line, source=path.name
        ) from None
    return parse(text, source=path.name)


def parse(text: str, *, source: str | None = None) -> Election:
    """Parse the text of a `.pb` file (one fast pass; the careful reader names any fault's line)."""
    try:
        return _parse_fast(text, source)
    except _Careful:
        return parse_lines(text, source=source)


def parse_lines(text: str, *, source: str | None = None) -> Election:
    """Parse the text of a `.pb` file line by line, building every `Vote`."""

    def fail(message: str, line: int | None) -> PabulibError:
        return PabulibError(message, line=line, source=source)

    first_end = text.find("\n")
    newline = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    section = None
    header: list[str] | None = None
    seen: dict[str, int] = {}
    meta: dict[str, str] = {}
    raw_meta: dict[str, tuple[str, ...]] = {}
    projects: dict[str, Project] = {}
    votes: list[Vote] = []
    voter_ids: set[str] = set()
    repeated: list[str] = []
    project_columns: tuple[str, ...] = ()
    vote_columns: tuple[str, ...] = ()
    for row in reader:
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        name = row[0].strip().lower()
        if name in SECTIONS and len(row) == 1:
            if name in seen:
                raise fail(f"The {name.upper()} section appears twice (first on line {seen[name]}).", line)
            expected = SECTIONS[len(seen)]
            if name != expected:
                raise fail(f"Expected the {expected.upper()} section here, found {name.upper()}.", line)
            seen[name] = line
            section, header = name, None
            continue
        if section is None:
            raise fail("The file must start with a META section.", line)
        if header is None:
            header = [h.strip() for h in row]
            if section == "meta":
                raw_meta[""] = tuple(row)
            elif section == "projects":
                project_columns = tuple(header)
                _require(header, ("project_id", "cost"), fail, line)
                vote_type = meta.get("vote_type", "approval")
                if vote_type not in VOTE_TYPES:
                    raise fail(f"META vote_type {vote_type!r} is not one of {', '.join(VOTE_TYPES)}.", seen["meta"])
                if "budget" not in meta:
                    raise fail("META has no budget.", seen["meta"])
                try:
                    parse_number(meta["budget"])
                except ValueError:
                    raise fail(f"META budget {meta['budget']!r} is not a number.", seen["meta"]) from None
            else:
                vote_columns = tuple(header)
                _require(header, ("voter_id", "vote"), fail, line)
            continue
        if len(row) != len(header):
            raise fail(f"Expected {len(header)} columns ({';'.join(header)}), found {len(row)}.", line)
        fields = dict(zip(header, row))
        if section == "meta" and len(row) < 2:
            raise fail("A META line needs a key and a value (key;value).", line)
        if section == "meta":
            meta[row[0].strip()] = row[1].strip()
            raw_meta[row[0].strip()] = tuple(row)
        elif section == "projects":
            pid = fields["project_id"].strip()
            if not pid:
                raise fail("A project has no project_id.", line)
            if pid in projects:
                raise fail(f"Project {pid} is listed twice.", line)
            try:
                cost = parse_number(fields["cost"])
            except ValueError:
                raise fail(f"Project {pid} has cost {fields['cost']!r}, which is not a number.", line) from None
            if cost < 0:
                raise fail(f"Project {pid} has a negative cost.", line)
            projects[pid] = Project(pid, cost, fields)
        else:
            votes.append(_vote(fields, projects, meta, fail, line, voter_ids, repeated))
    for name in SECTIONS:
        if name not in seen:
            raise fail(f"The file ends without a {name.upper()} section.", max(reader.line_num, 1))
    if header is None:
        raise fail("The VOTES section has no header line.", seen["votes"])
    return Election(
        meta=meta,
        projects=tuple(projects.values()),
        votes=tuple(votes),
        project_columns=project_columns,
        vote_columns=vote_columns,
        newline=newline,
        final_newline=text.endswith("\n"),
        raw_meta=raw_meta,
        warnings=_repeated_warning(repeated),
    )


def _repeated_warning(voters: Sequence[str]) -> list[str]:
    if not voters:
        return []
    named = ", ".join(voters[:20]) + (f" and {len(voters) - 20} more" if len(voters) > 20 else "")
    return [
        f"{len(voters)} voter{'s' if len(voters) != 1 else ''} listed a project twice; each project "
        f"was counted once, in its first place (voter {named})."
    ]


def _require(header, columns, fail, line) -> None:
    for column in columns:
        if column not in header:
            raise fail(f"The header has no {column} column.", line)


def _vote(fields, projects, meta, fail, line, voter_ids, repeated) -> Vote:
    voter_id = fields["voter_id"].strip()
    if voter_id in voter_ids:
        raise fail(f"Voter {voter_id} appears twice.", line)
    voter_ids.add(voter_id)
    try:
        ids, points, twice = _ballot(fields["vote"], fields.get("points", ""), projects, meta.get("vote_type"))
    except _BadBallot as exc:
        raise fail(f"Voter {voter_id} {exc}", line) from None
    if twice:
        repeated.append(voter_id)
    return Vote(voter_id, ids, points, fields)


class _BadBallot(Exception):
    """A ballot's text is wrong; the message goes after the voter's id."""


def _ballot(text: str, points_text: str, projects, vote_type: str | None):
    """Return (project ids, points or None, whether a project was listed twice) for one ballot."""
    ids = tuple(text.split(",")) if text else ()
    if " " in text or "" in ids:
        ids = tuple(x.strip() for x in text.split(",") if x.strip())
    chosen = set(ids)
    if not chosen <= projects.keys():
        pid = next(pid for pid in ids if pid not in projects)
        raise _BadBallot(f"voted for project {pid}, which is not in PROJECTS.")
    points = None
    text = points_text.strip()
    if text or (vote_type in POINT_TYPES and ids):
        parts = [x for x in text.split(",") if x.strip()]
        if len(parts) != len(ids):
            raise _BadBallot(f"has {len(ids)} projects but {len(parts)} points.")
        try:
            points = tuple(parse_number(x) for x in parts)
        except ValueError:
            raise _BadBallot(f"has points {text!r} that are not numbers.") from None
        if any(x < 0 for x in points):
            raise _BadBallot("gives negative points.")
    twice = len(chosen) != len(ids)
    if twice:
        # Pabulib's convention: counted once, in its first place (with the points given there).
        first = {}
        for n, pid in enumerate(ids):
            first.setdefault(pid, n)
        keep = sorted(first.values())
        ids = tuple(ids[n] for n in keep)
        points = tuple(points[n] for n in keep) if points is not None else None
    return ids, points, twice


class _Careful(Exception):
    """The fast reader met something unusual: read the file line by line instead."""


_VOTES_LINE = re.compile(r"^[ \t]*votes[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def _parse_fast(text: str, source: str | None) -> Election:
    """Read META and PROJECTS line by line, and VOTES in one pass at C speed (see the module)."""
    found = _VOTES_LINE.search(text)
    if not found or text.count("\r") != text.count("\r\n"):
        raise _Careful  # no VOTES line, or old Mac line ends: the csv module's rules apply
    # The VOTES header is the first non-blank line after the section line.
    at = found.end()
    while True:
        end = text.find("\n", at + 1)
        if end < 0:
            raise _Careful
        if text[at + 1 : end].strip():
            break
        at = end
    if '"' in text[found.start() : end]:
        raise _Careful
    try:
        head = parse_lines(text[: end + 1], source=source)
    except PabulibError:
        raise _Careful from None  # the whole file read line by line names the fault
    if head.votes:
        raise _Careful
    body = text[end + 1 :]
    if "\r" in body:
        body = body.replace("\r\n", "\n")
    if '"' in body:
        raise _Careful  # quoted fields: the csv module's rules apply
    lines = body.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    columns = head.vote_columns
    width = len(columns)
    n = len(lines)
    # Every line must have exactly width - 1 separators (a blank line has none: careful reader).
    if n and set(map(str.count, lines, repeat(";", n))) != {width - 1}:
        raise _Careful
    flat = ";".join(lines).split(";") if n else []
    voters = flat[columns.index("voter_id") :: width]
    if len(set(map(str.strip, voters))) != n:
        raise _Careful
    vote_col = flat[columns.index("vote") :: width]
    points_col = flat[columns.index("points") :: width] if "points" in columns else None
    if points_col is None:
        counted = Counter(vote_col)
        keys = list(counted)
        pkeys = None
    else:
        # Counted as one string per ballot ("vote;points": no field holds a ";"), which hashes
        # faster than pairs, then split back.
        counted = Counter(map(";".join, zip(vote_col, points_col)))
        pairs = ";".join(counted).split(";")
        keys, pkeys = pairs[0::2], pairs[1::2]
    weights = np.fromiter(counted.values(), dtype=np.int64, count=len(counted))
    election = head
    election.final_newline = text.endswith("\n")
    arrays = _ballots_at_c_speed(head, keys, pkeys)
    if arrays is None:
        # Spaces, empty items or a project listed twice: parse each distinct ballot in Python.
        election.warnings, arrays = _ballots_one_by_one(head, counted, keys, pkeys, voters, vote_col, points_col)
    lengths, indices, scores = arrays
    election._profile = Profile.from_arrays(election, lengths, indices, scores, weights, n)
    election.votes = _LazyVotes(text, source, n)
    return election


def _ballots_at_c_speed(head: Election, keys: list[str], pkeys: list[str] | None):
    """Return (lengths, project indices, scores) of the distinct ballots, or None if unusual."""
    vote_type = head.vote_type
    if (pkeys is None and vote_type in POINT_TYPES) or (pkeys is not None and vote_type in APPROVAL_TYPES):
        return None  # points ballots without points, or points beside approval ballots
    joined = ",".join(keys)
    if " " in joined or ",," in joined or joined[:1] == "," or joined[-1:] == ",":
        return None
    lengths = np.fromiter(map(str.count, keys, repeat(",", len(keys))), dtype=np.int64, count=len(keys)) + 1
    lengths[np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)) == 0] = 0
    index = {p.id: j for j, p in enumerate(head.projects)}
    nonempty = [k for k in keys if k]
    tokens = ",".join(nonempty).split(",") if nonempty else []
    found = list(map(index.get, tokens))
    if None in found:
        return None
    indices = np.array(found, dtype=np.int64)
    total = len(indices)
    rows = np.repeat(np.arange(len(keys)), lengths)
    if total:
        key = np.sort(rows * (len(index) + 1) + indices)
        if (key[1:] == key[:-1]).any():
            return None  # a project listed twice on a ballot
    if pkeys is None:
        if vote_type == "ordinal":
            starts = np.cumsum(lengths) - lengths
            scores = (np.repeat(lengths, lengths) - (np.arange(total) - np.repeat(starts, lengths))).astype(np.float64)
        else:
            scores = np.ones(total)
        return lengths, indices, scores
    pjoined = ",".join(filter(None, pkeys))
    if " " in pjoined or ",," in pjoined or pjoined[:1] == "," or pjoined[-1:] == ",":
        return None
    # As many points as projects on every ballot (an empty ballot with empty points; a ballot
    # whose points are left empty is an ordinal one scored by position: the careful path).
    plengths = np.fromiter(map(str.count, pkeys, repeat(",", len(pkeys))), dtype=np.int64, count=len(pkeys)) + 1
    plengths[np.fromiter(map(len, pkeys), dtype=np.int64, count=len(pkeys)) == 0] = 0
    if not (plengths == lengths).all():
        return None
    ptokens = pjoined.split(",") if pjoined else []
    if len(ptokens) != total:
        return None
    values = {}
    for token in set(ptokens):
        try:
            value = parse_number(token)
        except ValueError:
            return None
        if value < 0:
            return None
        values[token] = float(value)
    scores = np.fromiter(map(values.__getitem__, ptokens), dtype=np.float64, count=total)
    return lengths, indices, scores


def _ballots_one_by_one(head, counted, keys, pkeys, voters, vote_col, points_col):
    """Parse each distinct ballot as the careful reader does; return (warnings, arrays)."""
    projects = {p.id: p for p in head.projects}
    parsed, points, twice = [], [], set()
    try:
        for key, text_vote, pkey in zip(counted, keys, pkeys if pkeys is not None else [""] * len(keys)):
            ids, pts, again = _ballot(text_vote, pkey, projects, head.vote_type)
            parsed.append(ids)
            points.append(pts)
            if again:
                twice.add(key)
    except _BadBallot:
        raise _Careful from None
    repeated = []
    if twice:
        key_col = map(";".join, zip(vote_col, points_col)) if points_col is not None else vote_col
        repeated = [v.strip() for v, key in zip(voters, key_col) if key in twice]
    index = {p.id: j for j, p in enumerate(head.projects)}
    lengths = np.fromiter(map(len, parsed), dtype=np.int64, count=len(parsed))
    indices = np.fromiter((index[x] for ids in parsed for x in ids), dtype=np.int64, count=int(lengths.sum()))
    if head.vote_type in APPROVAL_TYPES:
        scores = np.ones(len(indices))
    else:
        scores = np.fromiter(
            (
                float(x)
                for ids, pts in zip(parsed, points)
                for x in (
                    pts
                    if pts is not None
                    else (range(len(ids), 0, -1) if head.vote_type == "ordinal" else head.scores(Vote("", ids)))
                )
            ),
            dtype=np.float64,
            count=len(indices),
        )
    return _repeated_warning(repeated), (lengths, indices, scores)


class _LazyVotes(Sequence):
    """The votes of a file read by the fast reader, built line by line on first use."""

    def __init__(self, text: str, source: str | None, n: int):
        self._text, self._source, self._n, self._votes = text, source, n, None

    def _all(self) -> tuple[Vote, ...]:
        if self._votes is None:
            self._votes = parse_lines(self._text, source=self._source).votes
            self._text = None
        return self._votes

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, item):
        return self._all()[item]

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other) -> bool:
        return tuple(self._all()) == tuple(other)

    def __hash__(self):
        return hash(self._all())

    def __repr__(self) -> str:
        return f"<{self._n} votes>"


def dumps(election: Election, *, verbatim: bool = True) -> str:
    """Return the text of a `.pb` file for an election.

    `verbatim` writes every field as it was read (the same bytes back for a file read here);
    otherwise project ids, costs, ballots and points are written from their parsed values (a
    project listed twice on a ballot appears once), every other column as read.
    """
    if not verbatim:
        return dumps(_canonical(election))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator=election.newline)
    writer.writerow(["META"])
    raw = election.raw_meta
    writer.writerow(raw.get("", ("key", "value")))
    for key, value in election.meta.items():
        # Keep the file's own spelling (spaces around a value) unless the value changed.
        row = raw.get(key)
        writer.writerow(row if row and row[1].strip() == value else (key, value))
    writer.writerow(["PROJECTS"])
    writer.writerow(election.project_columns)
    for p in election.projects:
        writer.writerow([p.fields.get(c, "") for c in election.project_columns])
    writer.writerow(["VOTES"])
    writer.writerow(election.vote_columns)
    for v in election.votes:
        writer.writerow([v.fields.get(c, "") for c in election.vote_columns])
    text = out.getvalue()
    if not election.final_newline:
        text = text[: -len(election.newline)]
    return text


def write(election: Election, path: str | Path) -> None:
    """Write an election to a `.pb` file."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(dumps(election))


def _canonical(election: Election) -> Election:
    """Return a copy whose fields hold the parsed values (for `dumps(verbatim=False)`)."""
    projects = tuple(
        Project(p.id, p.cost, {**p.fields, "project_id": p.id, "cost": format_number(p.cost)})
        for p in election.projects
    )
    votes = []
    for v in election.votes:
        fields = {**v.fields, "voter_id": v.voter_id, "vote": ",".join(v.projects)}
        if "points" in election.vote_columns:
            fields["points"] = ",".join(format_number(x) for x in v.points) if v.points is not None else ""
        votes.append(Vote(v.voter_id, v.projects, v.points, fields))
    return Election(
        meta=dict(election.meta),
        projects=projects,
        votes=tuple(votes),
        project_columns=election.project_columns,
        vote_columns=election.vote_columns,
        newline=election.newline,
        final_newline=election.final_newline,
        raw_meta=election.raw_meta,
    )
