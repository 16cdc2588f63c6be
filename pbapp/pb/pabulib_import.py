"""Import a Pabulib `.pb` file as a closed ballot of a process: a preview first, then votes stored like any others.

A past vote to publish, or a vote run elsewhere (on paper, on another platform), becomes a ballot
of the process with its options and one counted vote per voter of the file, closed, so the
officer counts it with any rule its kind allows and publishes it like a ballot run here. The
file waits in the one store of held uploads (`pbapp.pending`) between the preview and the
confirmation; the page carries only the held upload's id.

Secrecy: the file's voter ids are not kept. Each imported vote gets a random row id, a random
receipt and a voter key that is a keyed hash of a random nonce (so one vote per voter still holds
by the database's unique key, and nothing links a row to a line of the file), and the rows are
written in a shuffled order.

Kinds: approval and choose-1 votes become an approval ballot (a knapsack ballot when META sets
`max_sum_cost`), cumulative and scoring votes a cumulative ballot, ordinal votes a ranked one.
Costs and the budget are taken as pounds-and-pence of the file's currency (its unit in hundredths);
the file's META is kept with the ballot (its `min_project_score_threshold` counts under the
greedy rules, the rest is written back by the export).
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session

from pbapp import audit, jobs, pending
from pbapp.accounts.models import User
import numpy as np

from pbapp.core.ballots import pabulib, tally
from pbapp.core.ballots.election import Election, Profile, Project, format_number
from pbapp.core.errors import CoreError, NotUtf8, utf8_text
from pbapp.core.money import to_pence, to_pounds
from pbapp.councils.models import Council
from pbapp.errors import Invalid, NotFound
from pbapp.jobs import N_
from pbapp.pb import counting
from pbapp.pb.models import (
    APPROVAL,
    CODES,
    CUMULATIVE,
    KNAPSACK,
    RANKED,
    Ballot,
    BallotOption,
    Process,
    Vote,
    random_id,
)
from pbapp.pb.services import _keyed_hash, current_key_version, get_process
from pbapp.timeutil import utcnow

HELD_KIND = "pb.pabulib"
IMPORTED = "imported"  # the channel of an imported vote (8 characters: the column's width)
# Measured (docs/pb-open-data.md): storing votes takes about 0.55 ms a voter on PostgreSQL on a
# busy 2-core machine (Łódź 2022, 90,494 voters: 49 s), so a file of more than this many voters
# (about a second's work) is imported as a job with progress, not in the request.
VOTES_IN_REQUEST = 2_000
_BATCH = 5_000
_KINDS = {
    "approval": APPROVAL,
    "choose-1": APPROVAL,
    "cumulative": CUMULATIVE,
    "scoring": CUMULATIVE,
    "ordinal": RANKED,
}


@dataclass
class Preview:
    """What an imported file would become: the ballot's settings, its options, its voters and its outcome."""

    filename: str
    settings: dict[str, Any]
    options: list[dict[str, Any]]
    voters: int
    vote_type: str
    currency: str
    file_rule: str
    selected: list[str]
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def spent_pence(self) -> int:
        costs = {o["ref"]: o["cost_pence"] for o in self.options}
        return sum(costs[ref] for ref in self.selected)


def read_file(data: bytes, filename: str) -> Election:
    """Parse an uploaded `.pb` file, or raise Invalid naming the file and line of its first fault."""
    try:
        text = utf8_text(data)
    except NotUtf8 as exc:
        raise Invalid(
            _(
                "%(file)s, line %(line)d: the file is not UTF-8 text. Save it as UTF-8 and upload it again.",
                file=filename,
                line=exc.line,
            ),
            field="file",
        ) from None
    try:
        election = pabulib.parse(text, source=filename)
    except pabulib.PabulibError as exc:
        raise Invalid(
            _("%(file)s, line %(line)d: %(problem)s", file=filename, line=exc.line or 1, problem=exc.message),
            field="file",
        ) from None
    _check_fits(election, filename)
    return election


def _check_fits(election: Election, filename: str) -> None:
    """Refuse what a ballot here cannot hold: long project ids, a vote type it has no kind for, fractional points."""
    if election.vote_type not in _KINDS:
        raise Invalid(
            _("%(file)s: votes of type %(type)s cannot be imported.", file=filename, type=election.vote_type),
            field="file",
        )
    if not election.projects:
        raise Invalid(_("%(file)s: the file lists no projects.", file=filename), field="file")
    for project in election.projects:
        if len(project.id) > 20:
            raise Invalid(
                _("%(file)s: project id %(id)s is longer than 20 characters.", file=filename, id=project.id[:40]),
                field="file",
            )
    if _KINDS[election.vote_type] == CUMULATIVE:
        profile = Profile.of(election)
        if (profile.scores != profile.scores.round()).any():
            raise Invalid(
                _(
                    "%(file)s: some points are not whole numbers; a points ballot here gives whole points.",
                    file=filename,
                ),
                field="file",
            )


def _int_meta(meta: dict[str, str], key: str) -> int | None:
    text = meta.get(key, "").strip()
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    """A Pabulib date (dd.mm.yyyy, as the files write it, or yyyy-mm-dd), or None."""
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def settings_for(election: Election, rule: str, title: str) -> dict[str, Any]:
    """The ballot settings a file maps to (see the module docstring for the kinds)."""
    meta, kind = election.meta, _KINDS[election.vote_type]
    if kind == APPROVAL and meta.get("max_sum_cost", "").strip():
        kind = KNAPSACK
    profile = Profile.of(election)
    lengths = profile.indptr[1:] - profile.indptr[:-1]
    longest = int(lengths.max()) if len(lengths) else 1
    settings: dict[str, Any] = {
        "title": title[:200],
        "kind": kind,
        "rule": rule,
        "utility": "cost",
        "budget_pence": to_pence(election.budget),
        "min_choices": _int_meta(meta, "min_length") or 0,
        "max_choices": _int_meta(meta, "max_length"),
        "total_points": 0,
        "max_per_project": None,
        "min_spend_percent": 0,
        "partial_funding": False,
    }
    if election.vote_type == "choose-1":
        settings["max_choices"] = 1
    if kind == CUMULATIVE:
        sums = [float(profile.scores[a:b].sum()) for a, b in zip(profile.indptr[:-1], profile.indptr[1:])]
        settings["total_points"] = _int_meta(meta, "max_sum_points") or max([1, *map(int, sums)])
        settings["max_per_project"] = _int_meta(meta, "max_points")
    if kind == RANKED:
        settings["max_choices"] = settings["max_choices"] or longest
    return settings


def options_for(election: Election) -> list[dict[str, Any]]:
    """The ballot's options: one per project, its ref the project's id, in the file's order."""
    return [
        {
            "ref": p.id,
            "title": (p.fields.get("name") or p.id)[:200],
            "cost_pence": to_pence(p.cost),
            "min_pence": 0,
            "max_pence": 0,
            "description": p.fields.get("description", ""),
        }
        for p in election.projects
    ]


def choices_of(kind: str, vote) -> Any:
    """A file's vote as a ballot here stores it: refs in order, or points by ref."""
    if kind == CUMULATIVE:
        return {pid: int(points) for pid, points in zip(vote.projects, vote.points or ()) if points}
    return list(vote.projects)


def default_rule(election: Election) -> str:
    """The file's own rule when it is one the app counts by, else greedy (what most cities use)."""
    rule = election.meta.get("rule", "").strip()
    return rule if rule in counting.PROJECT_RULES else "greedy"


def preview(election: Election, filename: str, *, rule: str, title: str, seed: int = 0) -> Preview:
    """What the file would become, with the outcome the app's count gives by `rule`."""
    if rule not in counting.PROJECT_RULES:
        raise Invalid(_("Choose a counting rule that suits this kind of ballot"), field="rule")
    settings = {**settings_for(election, rule, title), "seed": seed}
    options = options_for(election)
    threshold = election.meta.get("min_project_score_threshold", "").strip()
    if threshold:
        settings["min_project_score_threshold"] = threshold
    try:
        selected = _outcome(election, settings, options)
    except CoreError as exc:
        raise Invalid(str(exc), field="file") from None
    return Preview(
        filename=filename,
        settings=settings,
        options=options,
        voters=len(election.votes),
        vote_type=election.vote_type,
        currency=election.meta.get("currency", ""),
        file_rule=election.meta.get("rule", ""),
        selected=selected,
        warnings=list(election.warnings),
        meta=dict(election.meta),
    )


def _outcome(election: Election, settings: dict[str, Any], options: list[dict[str, Any]]) -> list[str]:
    """The projects a count of the imported ballot funds.

    The file's own election counts the same as the ballot it becomes (same projects, costs, ballots
    and threshold), in a fraction of the time of building the ballot's votes, except ordinal votes
    with their own points: a ranked ballot here scores by position, so those are counted as stored.
    """
    if election.vote_type == "ordinal" and "points" in election.vote_columns:
        ballots = [choices_of(settings["kind"], vote) for vote in election.votes]
        return counting.count(settings, options, ballots)["selected"]
    stored = Election(
        meta={**election.meta, "budget": format_number(to_pounds(settings["budget_pence"]))},
        projects=tuple(Project(o["ref"], to_pounds(o["cost_pence"])) for o in options),
        votes=election.votes,
        vote_columns=election.vote_columns,
    )
    stored._profile = None
    profile = Profile.of(election)
    same = Profile.from_arrays(
        stored, np.diff(profile.indptr), profile.indices, profile.scores, profile.weights, profile.n_voters
    )
    return list(
        tally(stored, settings["rule"], utility=settings["utility"], seed=settings["seed"], profile=same).selected
    )


def default_title(election: Election, filename: str) -> str:
    meta = election.meta
    return (
        meta.get("description")
        or " ".join(x for x in (meta.get("unit", ""), meta.get("instance", "")) if x)
        or filename.rsplit(".", 1)[0]
    ).strip()[:200]


def hold(session: Session, council: Council, process_id: int, actor: User, *, data: bytes, filename: str) -> str:
    """Check an uploaded file and hold it for its preview; nothing else is saved. Return the held upload's id."""
    get_process(session, council, process_id)
    filename = (filename or "election.pb")[:200]
    read_file(data, filename)
    token = pending.hold(
        session,
        HELD_KIND,
        council.id,
        actor.id,
        {"file": data},
        {"filename": filename, "process_id": process_id, "seed": random.SystemRandom().randrange(10**9)},
    )
    session.commit()
    return token


@dataclass
class Held:
    """A held `.pb` file, read again for its preview or its import."""

    token: str
    filename: str
    process: Process
    election: Election
    row: pending.PendingUpload
    seed: int = 0  # the lot that breaks the last ties: drawn at upload, so the preview shows the count to come


def held(session: Session, council: Council, process_id: int, token: str, *, user_id: int) -> Held:
    """The file this person uploaded to this process, read, or NotFound."""
    process = get_process(session, council, process_id)
    row = pending.find(session, token, HELD_KIND, council.id, user_id)
    files, meta = row.unpack() if row else ({}, {})
    if row is None or meta.get("process_id") != process.id:
        raise NotFound(_("This file is no longer held (uploads wait a short while). Upload it again."))
    return Held(token, meta["filename"], process, read_file(files["file"], meta["filename"]), row, meta["seed"])


def discard(session: Session, council: Council, process_id: int, token: str, *, user_id: int) -> None:
    """Let go of a held file without importing it."""
    found = held(session, council, process_id, token, user_id=user_id)
    session.delete(found.row)
    session.commit()


def confirm(
    session: Session, council: Council, process_id: int, token: str, actor: User, *, rule: str, title: str
) -> Ballot | jobs.Job:
    """Import a held file: a closed ballot with its options and votes (a job when the file is large)."""
    found = held(session, council, process_id, token, user_id=actor.id)
    if rule not in counting.PROJECT_RULES:
        raise Invalid(_("Choose a counting rule that suits this kind of ballot"), field="rule")
    if len(found.election.votes) > VOTES_IN_REQUEST:
        return jobs.enqueue(
            session,
            _job_kind(process_id),
            import_job,
            council_id=council.id,
            pending_id=found.row.id,
            rule=rule,
            title=title,
            actor_id=actor.id,
        )
    ballot = _import(session, council, found, actor.id, rule=rule, title=title)
    session.commit()
    return ballot


def _job_kind(process_id: int) -> str:
    return f"pb.import:{process_id}"


def import_job(session: Session, progress, pending_id: int, rule: str, title: str, actor_id: int) -> dict:
    """Job: import a held file into its process, then let go of it."""
    row = session.get(pending.PendingUpload, pending_id)
    if row is None:
        raise jobs.JobFailed(N_("The uploaded file is no longer held. Upload it again."))
    files, meta = row.unpack()
    council = session.get(Council, row.council_id)
    process = session.get(Process, meta["process_id"])
    session.commit()  # end the read: progress is written in its own transaction
    progress(5, N_("Reading the file"))
    try:
        election = read_file(files["file"], meta["filename"])
    except Invalid as error:
        raise jobs.JobFailed(error.message[:1900]) from None
    found = Held("", meta["filename"], process, election, row, meta["seed"])
    # SQLite lets one writer in at a time: progress written beside the import would wait on it.
    during = progress if session.get_bind().dialect.name != "sqlite" else None
    ballot = _import(session, council, found, actor_id, rule=rule, title=title, progress=during)
    session.commit()
    return {"ballot_id": ballot.id, "voters": len(election.votes)}


def import_of(session: Session, council: Council, process_id: int, job_id: int) -> jobs.Job:
    """This process's import job, for its progress page."""
    get_process(session, council, process_id)
    job = session.get(jobs.Job, job_id)
    if job is None or job.council_id != council.id or job.kind != _job_kind(process_id):
        raise NotFound(_("There is no such import."))
    return jobs.check_alive(session, job)


def _import(
    session: Session, council: Council, found: Held, actor_id: int, *, rule: str, title: str, progress=None
) -> Ballot:
    """Write the ballot, its options and its votes in the caller's transaction; delete the held file."""
    election = found.election
    settings = settings_for(election, rule, title or default_title(election, found.filename))
    now = utcnow()
    meta = election.meta
    opens, closes = _date(meta.get("date_begin", "")), _date(meta.get("date_end", ""))
    ballot = Ballot(
        process_id=found.process.id,
        council_id=council.id,
        seed=found.seed,
        key_version=current_key_version(),
        eligibility=CODES,
        frozen_at=now,
        opens_at=opens or now,
        closes_at=closes if closes and (not opens or closes > opens) else None,
        closed_at=now,
        pabulib_meta=json.dumps(dict(meta), ensure_ascii=False),
        **{
            k: settings[k]
            for k in (
                "title",
                "kind",
                "rule",
                "utility",
                "budget_pence",
                "min_choices",
                "max_choices",
                "total_points",
                "max_per_project",
            )
        },
    )
    session.add(ballot)
    session.flush()
    session.add_all(
        BallotOption(
            ballot_id=ballot.id,
            ref=o["ref"],
            title=o["title"],
            description=o["description"],
            cost_pence=o["cost_pence"],
            position=n,
        )
        for n, o in enumerate(options_for(election))
    )
    kind = ballot.kind
    payloads = [json.dumps(choices_of(kind, vote), sort_keys=True) for vote in election.votes]
    random.SystemRandom().shuffle(payloads)  # no row keeps the file's order
    table = Vote.__table__
    for start in range(0, len(payloads), _BATCH):
        session.execute(
            table.insert(),
            [
                {
                    "id": random_id(),
                    "ballot_id": ballot.id,
                    "choices": payload,
                    "channel": IMPORTED,
                    "area_id": None,
                    "voter_key": _keyed_hash(ballot.key_version, "pb-import", ballot.id, secrets.token_hex(16)),
                    "receipt": secrets.token_hex(32),
                    "changes": 0,
                }
                for payload in payloads[start : start + _BATCH]
            ],
        )
        if progress is not None:
            progress(10 + int(80 * (start + _BATCH) / max(len(payloads), 1)), N_("Storing the votes"))
    session.delete(found.row)
    audit.record(
        session,
        "pb.ballot_imported",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor_id,
        source="pabulib",
        filename=found.filename,
        kind=kind,
        rule=rule,
        voters=len(payloads),
        options=[o["ref"] for o in options_for(election)],
    )
    return ballot
