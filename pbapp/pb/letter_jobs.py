"""Letters for a batch of voting codes, made by a job into a file and downloaded when ready (issue #20).

A council's batch may be 50,000 letters: made inside a request it outlived the web server's
timeout. The job writes the batch's letters, in the batch's order, to one file a batch in the
letters folder (LETTERS_DIR, else the instance folder's letters/), readable by the app alone.
The file holds the codes, which are secrets: it is made again rather than kept twice, and the
officer deletes it once the letters are printed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session

from pbapp import audit, jobs
from pbapp.accounts.models import User
from pbapp.bilingual_mail import WELSH_FIRST
from pbapp.councils.models import Area, Council
from pbapp.errors import Conflict, NotFound
from pbapp.jobs import N_
from pbapp.pb import letters, services
from pbapp.pb.models import Ballot, CodeBatch


def letters_dir() -> Path:
    configured = current_app.config.get("LETTERS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "letters"


def write_atomically(path: Path, write) -> None:
    """Write beside the final file and rename, readable by the app alone: a download never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.stem}-", suffix=".part", delete=False)
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def letters_path(batch_id: int) -> Path:
    return letters_dir() / f"voting-letters-batch-{batch_id}.pdf"


def _kind(batch_id: int) -> str:
    return f"pb.letters:{batch_id}"


def letters_job(
    session: Session, council: Council, ballot_id: int, batch_id: int
) -> tuple[Ballot, CodeBatch, jobs.Job | None]:
    """The ballot, the batch and the latest job making its letters (checked alive)."""
    ballot = services.get_ballot(session, council, ballot_id)
    batch = session.get(CodeBatch, batch_id)
    if batch is None or batch.ballot_id != ballot.id:
        raise NotFound(_("There is no such batch of codes."))
    return ballot, batch, jobs.check_alive(session, jobs.latest(session, _kind(batch.id), council.id))


def ready(batch: CodeBatch, job: jobs.Job | None) -> bool:
    """Whether the batch's letters can be downloaded: made by the latest job and not deleted since."""
    return job is not None and job.status == jobs.DONE and letters_path(batch.id).exists()


def start_letters(
    session: Session, council: Council, ballot_id: int, batch_id: int, actor: User, *, url: str, language: str
) -> jobs.Job:
    """Start making the batch's letters, in `language` (or Welsh and English where the council chooses)."""
    _ballot, batch, job = letters_job(session, council, ballot_id, batch_id)
    if job is not None and not job.finished:
        raise Conflict(_("These letters are already being made."))
    audit.record(session, "pb.letters_started", "pb_code_batch", batch.id, council_id=council.id, actor_id=actor.id)
    return jobs.enqueue(
        session,
        _kind(batch.id),
        make_letters,
        council_id=council.id,
        batch_id=batch.id,
        url=url,
        language=language,
    )


def make_letters(session: Session, progress, *, batch_id: int, url: str, language: str) -> dict:
    """The job: write every letter of the batch to its file, reporting progress every thousand letters."""
    batch = session.get(CodeBatch, batch_id)
    ballot = session.get(Ballot, batch.ballot_id)
    council = session.get(Council, ballot.council_id)
    area = session.get(Area, batch.area_id) if batch.area_id else None
    codes = services.derive_codes(batch)
    languages = WELSH_FIRST if council.bilingual else None
    names = dict.fromkeys(council.display_name(code) for code in (languages or (language,)))
    about = letters.LetterBatch(
        " / ".join(names),
        area.name if area else "",
        ballot.title,
        url,
        ballot.closes_at,
        batch.id,
        ballot.title_cy or "",
    )
    # End the read before reporting progress: on SQLite this session holds the write lock, and progress is
    # written by a session of its own.
    session.commit()
    progress(0, N_("Making the letters"))
    with force_locale(language):
        write_atomically(
            letters_path(batch.id),
            lambda handle: letters.write_letters(
                handle,
                about,
                codes,
                languages=languages,
                progress=lambda done: progress(100 * done / len(codes), N_("Making the letters")),
            ),
        )
    return {"letters": len(codes)}


def letters_file(session: Session, council: Council, ballot_id: int, batch_id: int, actor: User) -> Path:
    """The file of the batch's letters, for download; every download is audited."""
    _ballot, batch, job = letters_job(session, council, ballot_id, batch_id)
    if not ready(batch, job):
        raise NotFound(_("These letters are not ready. Make them first."))
    audit.record(session, "pb.codes_downloaded", "pb_code_batch", batch.id, council_id=council.id, actor_id=actor.id)
    session.commit()
    return letters_path(batch.id)


def delete_letters(session: Session, council: Council, ballot_id: int, batch_id: int, actor: User) -> None:
    """Delete the file of the batch's letters (once printed); the codes stay valid and can be made again."""
    _ballot, batch, _job = letters_job(session, council, ballot_id, batch_id)
    letters_path(batch.id).unlink(missing_ok=True)
    audit.record(session, "pb.letters_deleted", "pb_code_batch", batch.id, council_id=council.id, actor_id=actor.id)
    session.commit()
