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

Reading a well-formed file makes no Python object per voter: the VOTES section stays bytes, its
separators are found by numpy, equal ballots are grouped by a hash of their bytes (then checked
byte for byte) and only the distinct ballots are split into project indices and scores, straight
into the `Profile`. Ballots with spaces, empty items or a project listed twice are read from the
text of each distinct ballot instead. The `Vote` objects are built only if asked for (exporting,
or code that walks the votes). Anything unusual sends the file through the line-by-line reader,
which names the line of the first fault.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
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
        return _parse_fast(raw.removeprefix(codecs.BOM_UTF8), path.name)
    except _Careful:
        pass
    try:
        text = utf8_text(raw)
    except NotUtf8 as exc:
        raise PabulibError(
            f"The file is not UTF-8 text (byte 0x{exc.byte:02x}); save it as UTF-8.", line=exc.line, source=path.name
        ) from None
    return parse_lines(text, source=path.name)


def parse(text: str, *, source: str | None = None) -> Election:
    """Parse the text of a `.pb` file (one fast pass; the careful reader names any fault's line)."""
    try:
        return _parse_fast(text.encode("utf-8"), source)
    except (_Careful, UnicodeEncodeError):
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


_VOTES_LINE = re.compile(rb"^[ \t]*votes[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_SEMICOLON, _COMMA, _NEWLINE = ord(";"), ord(","), ord("\n")
# Each field of a column is packed into a row as wide as the column's longest: columns wider than
# _WIDEST bytes, or taking more than _PACKED_MOST bytes packed, go to the text reader.
_WIDEST, _PACKED_MOST = 1024, 1 << 24
_ODD = np.uint64(0x9E3779B97F4A7C15)


def _parse_fast(raw: bytes, source: str | None) -> Election:
    """Read META and PROJECTS line by line, and VOTES as bytes in a few numpy passes (see the module)."""
    found = _VOTES_LINE.search(raw)
    if not found or (b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n")):
        raise _Careful  # no VOTES line, or old Mac line ends: the csv module's rules apply
    # The VOTES header is the first non-blank line after the section line.
    at = found.end()
    while True:
        end = raw.find(b"\n", at + 1)
        if end < 0:
            raise _Careful
        if raw[at + 1 : end].strip():
            break
        at = end
    if b'"' in raw[found.start() : end]:
        raise _Careful
    try:
        head = parse_lines(raw[: end + 1].decode("utf-8"), source=source)
    except (PabulibError, UnicodeDecodeError):
        raise _Careful from None  # the whole file read line by line names the fault
    if head.votes or len(set(head.vote_columns)) != len(head.vote_columns):
        raise _Careful
    body = raw[end + 1 :]
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise _Careful from None
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n")
    if b'"' in body:
        raise _Careful  # quoted fields: the csv module's rules apply
    if body and not body.endswith(b"\n"):
        body += b"\n"
    election = head
    election.final_newline = raw.endswith(b"\n")
    arrays = _ballots_from_bytes(head, body)
    if arrays is None:
        # Spaces, empty items, a project listed twice, very long fields: the text of each distinct ballot.
        election.warnings, arrays = _ballots_from_text(head, body.decode("utf-8"))
    lengths, indices, scores, weights = arrays
    n = int(weights.sum())  # every line is a voter
    election._profile = Profile.from_arrays(election, lengths, indices, scores, weights, n)
    election.votes = _LazyVotes(raw, source, n)
    return election


def _ballots_from_bytes(head: Election, body: bytes):
    """Return (lengths, project indices, scores, weights) of the distinct ballots, or None if unusual.

    Every line must hold as many fields as the header (else `_Careful`); the voter ids must be
    distinct (else `_Careful`). Equal ballots are found by hashing their bytes, then checked byte
    for byte against the first of their kind, so a hash collision only sends the file elsewhere.
    """
    columns = head.vote_columns
    width = len(columns)
    if not body:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), empty
    buf = np.frombuffer(body + bytes(_WIDEST), dtype=np.uint8)
    stops = np.flatnonzero((buf == _SEMICOLON) | (buf == _NEWLINE))
    ends = buf[stops] == _NEWLINE
    n = int(np.count_nonzero(ends))
    # Exactly width - 1 separators on every line: each line's last stop is its newline.
    if len(stops) != n * width or not ends[width - 1 :: width].all():
        raise _Careful
    stops = stops.reshape(n, width)

    def column(name):
        """Where each line's field of this column starts, and its length."""
        j = columns.index(name)
        if j:
            starts = stops[:, j - 1] + 1
        else:
            starts = np.empty(n, dtype=np.int64)
            starts[0] = 0
            starts[1:] = stops[:-1, -1] + 1
        return starts, stops[:, j] - starts

    voter_at, voter_length = column("voter_id")
    edges = np.concatenate((buf[voter_at], buf[voter_at + voter_length - 1]))
    if ((edges <= ord(" ")) | (edges >= 0x80)).any():
        return None  # a space or other white space around a voter id, which the careful reader strips
    voters = _packed(buf, voter_at, voter_length)
    if voters is None:
        return None
    voter_keys = np.sort(_row_hash(voters, voter_length))
    if (voter_keys[1:] == voter_keys[:-1]).any():
        raise _Careful  # a voter listed twice (or, once in a lifetime, two ids of equal hash)
    vote_type = head.vote_type
    has_points = "points" in columns
    if (not has_points and vote_type in POINT_TYPES) or (has_points and vote_type in APPROVAL_TYPES):
        return None  # points beside approval ballots, or points ballots without points
    vote_at, vote_length = column("vote")
    ballots = _packed(buf, vote_at, vote_length)
    if ballots is None:
        return None
    key = _row_hash(ballots, vote_length)
    if has_points:
        points_at, points_length = column("points")
        points = _packed(buf, points_at, points_length)
        if points is None:
            return None
        key = _mix(key ^ _row_hash(points, points_length))
    first, group, weights = _groups(key)
    rep = first[group]
    if not ((vote_length[rep] == vote_length).all() and (ballots[rep] == ballots).all()):
        return None
    if has_points and not ((points_length[rep] == points_length).all() and (points[rep] == points).all()):
        return None
    items = _items(buf, vote_at[first], vote_length[first])
    if items is None:
        return None
    compact, item_at, item_length, lengths = items
    indices = _project_indices(head, compact, item_at, item_length)
    if indices is None:
        return None
    total = len(indices)
    rows = np.repeat(np.arange(len(lengths)), lengths)
    if total:
        pairs = np.sort(rows * (len(head.projects) + 1) + indices)
        if (pairs[1:] == pairs[:-1]).any():
            return None  # a project listed twice on a ballot
    if has_points:
        scores = _points(buf, points_at[first], points_length[first], lengths)
        if scores is None:
            return None
    elif vote_type == "ordinal":
        begins = np.cumsum(lengths) - lengths
        scores = (np.repeat(lengths, lengths) - (np.arange(total) - np.repeat(begins, lengths))).astype(np.float64)
    else:
        scores = np.ones(total)
    return lengths, indices, scores, weights


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _packed(buf: np.ndarray, at: np.ndarray, length: np.ndarray, width: int = 0) -> np.ndarray | None:
    """Return each field's bytes as a row of 64-bit words, zero after its end (None if one is too long).

    `buf` ends with `_WIDEST` zero bytes, so a row never reads past it. Two fields are equal
    exactly when their rows and lengths are.
    """
    width = max(width, -(-int(length.max(initial=1)) // 8) * 8)
    if width > _WIDEST or width * len(at) > _PACKED_MOST:
        return None
    rows = np.lib.stride_tricks.sliding_window_view(buf, width)[at].view(np.uint64)
    # Row L of the masks keeps the first L bytes of a row.
    masks = (np.arange(width) < np.arange(width + 1)[:, None]).astype(np.uint8) * np.uint8(255)
    rows &= masks.view(np.uint64)[length]
    return rows


def _groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal keys: (each group's first index, in order of first appearance; each key's group; sizes)."""
    order = np.argsort(key)
    sorted_key = key[order]
    new = np.empty(len(key), dtype=bool)
    new[:1] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    first = np.minimum.reduceat(order, starts)
    by_first = np.argsort(first)
    rank = np.empty_like(by_first)
    rank[by_first] = np.arange(len(by_first))
    group = np.empty(len(key), dtype=np.int64)
    group[order] = rank[np.cumsum(new) - 1]
    return first[by_first], group, np.diff(starts, append=len(key))[by_first]


def _row_hash(rows: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Hash each row of words with its length (equal fields, equal hashes; the converse is checked)."""
    key = length.astype(np.uint64)
    for words in rows.T:
        key = _mix(key * _ODD + words)
    return key


def _items(buf: np.ndarray, at: np.ndarray, length: np.ndarray):
    """Split ballots at their commas: (compact bytes, item starts and lengths in them, items per ballot).

    None if an item is empty (",,", a comma at either end) or holds a space; an empty ballot has none.
    """
    spans = length + 1
    ends = np.cumsum(spans)
    compact = np.zeros(int(ends[-1]) + _WIDEST, dtype=np.uint8)
    compact[: ends[-1]] = buf[np.repeat(at - (ends - spans), spans) + np.arange(ends[-1])]
    compact[ends - 1] = _SEMICOLON  # each ballot followed by one separator
    if (compact == ord(" ")).any():
        return None
    stops = np.flatnonzero((compact == _COMMA) | (compact == _SEMICOLON))
    item_at = np.empty_like(stops)
    item_at[0] = 0
    item_at[1:] = stops[:-1] + 1
    item_length = stops - item_at
    last = compact[stops] == _SEMICOLON
    counts = np.diff(np.flatnonzero(last), prepend=-1)
    empty = item_length == 0
    if empty.any():
        # Only an empty ballot may have an empty item (its only one).
        if not ((counts == 1) & (length == 0))[np.cumsum(last) - last][empty].all():
            return None
        item_at, item_length = item_at[~empty], item_length[~empty]
        counts = counts - (length == 0)
    return compact, item_at, item_length, counts


def _project_indices(head: Election, compact: np.ndarray, item_at: np.ndarray, item_length: np.ndarray):
    """Return each item's project index, or None if one is not a project id."""
    ids = [p.id.encode("utf-8") for p in head.projects]
    if not ids:
        return None if len(item_at) else np.zeros(0, dtype=np.int64)
    id_length = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    id_at = np.cumsum(id_length) - id_length
    id_buf = np.frombuffer(b"".join(ids) + bytes(_WIDEST), dtype=np.uint8)
    width = -(-int(max(id_length.max(initial=1), item_length.max(initial=1))) // 8) * 8
    known = _packed(id_buf, id_at, id_length, width)
    items = _packed(compact, item_at, item_length, width)
    if known is None or items is None:
        return None
    # A table of 2**bits slots, addressed by a hash's top bits, with one project per slot.
    known_keys = _row_hash(known, id_length)
    for bits in range(len(ids).bit_length() + 2, 21):
        slots = known_keys >> np.uint64(64 - bits)
        taken = np.sort(slots)
        if (taken[1:] != taken[:-1]).all():
            break
    else:
        return None  # two project ids of one hash (a collision, or ids too many for the table)
    table = np.zeros(1 << bits, dtype=np.int64)
    table[slots] = np.arange(len(ids))
    found = table[_row_hash(items, item_length) >> np.uint64(64 - bits)]
    if not ((id_length[found] == item_length).all() and (known[found] == items).all()):
        return None  # an item that is no project's id (the careful reader names it)
    return found


def _points(buf: np.ndarray, at: np.ndarray, length: np.ndarray, counts: np.ndarray):
    """Return the points of the distinct ballots as floats, or None if unusual (the text reader decides)."""
    items = _items(buf, at, length)
    if items is None:
        return None
    compact, item_at, item_length, point_counts = items
    if not (point_counts == counts).all():
        return None
    rows = _packed(compact, item_at, item_length)
    if rows is None:
        return None
    first, group, _ = _groups(_row_hash(rows, item_length))
    if not ((item_length[first][group] == item_length).all() and (rows[first][group] == rows).all()):
        return None
    values = []
    for start, size in zip(item_at[first].tolist(), item_length[first].tolist()):
        try:
            value = parse_number(compact[start : start + size].tobytes().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
        if value < 0:
            return None
        values.append(float(value))
    return np.array(values, dtype=np.float64)[group]


def _ballots_from_text(head: Election, body: str):
    """Read the distinct ballots' text as the careful reader does; return (warnings, arrays)."""
    lines = body.split("\n")
    lines.pop()  # the body ends with a newline
    columns = head.vote_columns
    width = len(columns)
    n = len(lines)
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
    warnings, (lengths, indices, scores) = _ballots_one_by_one(head, counted, keys, pkeys, voters, vote_col, points_col)
    return warnings, (lengths, indices, scores, weights)


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

    def __init__(self, raw: bytes, source: str | None, n: int):
        self._raw, self._source, self._n, self._votes = raw, source, n, None

    def _all(self) -> tuple[Vote, ...]:
        if self._votes is None:
            self._votes = parse_lines(self._raw.decode("utf-8"), source=self._source).votes
            self._raw = None
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
