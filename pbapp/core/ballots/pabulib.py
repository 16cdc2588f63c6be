"""Read and write Pabulib `.pb` files.

Reference: the Pabulib format (Faliszewski et al., "Participatory Budgeting: Data, Tools, and
Analysis", IJCAI 2023; pabulib.org/format): three `;`-separated sections META (key;value),
PROJECTS (project_id;cost;...) and VOTES (voter_id;vote;...), `vote` and `points` being
comma-separated lists. Every field is kept as text next to its parsed value, so writing what was
read gives back the same file (same quoting, line ending and final newline). Malformed input
raises `PabulibError` naming the line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pbapp.core.ballots.election import POINT_TYPES, VOTE_TYPES, Election, Project, Vote, parse_number
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
        raise PabulibError(f"The file is not UTF-8 text (byte 0x{exc.byte:02x}); save it as UTF-8.",
                           line=exc.line, source=path.name) from None
    return parse(text, source=path.name)


def parse(text: str, *, source: str | None = None) -> Election:
    """Parse the text of a `.pb` file."""

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
            votes.append(_vote(fields, projects, meta, fail, line, voter_ids))
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
    )


def _require(header, columns, fail, line) -> None:
    for column in columns:
        if column not in header:
            raise fail(f"The header has no {column} column.", line)


def _vote(fields, projects, meta, fail, line, voter_ids) -> Vote:
    voter_id = fields["voter_id"].strip()
    if voter_id in voter_ids:
        raise fail(f"Voter {voter_id} appears twice.", line)
    voter_ids.add(voter_id)
    text = fields["vote"]
    ids = tuple(text.split(",")) if text else ()
    if " " in text or "" in ids:
        ids = tuple(x.strip() for x in text.split(",") if x.strip())
    chosen = set(ids)
    if not chosen <= projects.keys():
        pid = next(pid for pid in ids if pid not in projects)
        raise fail(f"Voter {voter_id} voted for project {pid}, which is not in PROJECTS.", line)
    if len(chosen) != len(ids):
        raise fail(f"Voter {voter_id} lists a project twice.", line)
    points = None
    text = fields.get("points", "").strip()
    if text or (meta.get("vote_type") in POINT_TYPES and ids):
        parts = [x for x in text.split(",") if x.strip()]
        if len(parts) != len(ids):
            raise fail(f"Voter {voter_id} has {len(ids)} projects but {len(parts)} points.", line)
        try:
            points = tuple(parse_number(x) for x in parts)
        except ValueError:
            raise fail(f"Voter {voter_id} has points {text!r} that are not numbers.", line) from None
        if any(x < 0 for x in points):
            raise fail(f"Voter {voter_id} gives negative points.", line)
    return Vote(voter_id, ids, points, fields)


def dumps(election: Election) -> str:
    """Return the text of a `.pb` file for an election."""
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
