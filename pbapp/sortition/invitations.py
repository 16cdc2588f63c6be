"""The address lottery's output kept for the officer: the mail-merge CSV and the invitation letters (issue #21).

The draw deletes the uploaded list, and its codes are shown only in its output; so the draw writes
its mail-merge CSV to a file in the letters folder (pbapp.pb.letter_jobs.letters_dir, readable by
the app alone), and a job lays out the letters from it into a PDF beside it (every page laid out,
too slow for a request: pbapp.sortition.invitation_letters). Both files hold the households'
addresses and codes, personal data: the officer downloads them and deletes them, audited, and no
new draw for the jury starts while they are kept.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session

from pbapp import audit, jobs
from pbapp.bilingual_mail import WELSH_FIRST
from pbapp.councils.models import Council
from pbapp.errors import Conflict, NotFound
from pbapp.jobs import N_
from pbapp.juries.models import Jury
from pbapp.pb.letter_jobs import letters_dir, write_atomically
from pbapp.sortition.invitation_letters import Household, Invitation, address_lines, write_invitations


def csv_path(jury_id: int) -> Path:
    return letters_dir() / f"invitations-jury-{jury_id}.csv"


def pdf_path(jury_id: int) -> Path:
    return letters_dir() / f"invitations-jury-{jury_id}.pdf"


def _kind(jury_id: int) -> str:
    return f"jury.invitations:{jury_id}"


def held(jury_id: int) -> bool:
    """Whether a draw's output is kept for this jury (until the officer deletes it)."""
    return csv_path(jury_id).exists() or pdf_path(jury_id).exists()


def keep_and_start(
    session: Session, council: Council, jury: Jury, text: str, *, address_columns: list[str], url: str, language: str
) -> jobs.Job:
    """Keep a draw's mail-merge CSV and start making its letters (called once the codes are issued)."""
    write_atomically(csv_path(jury.id), lambda handle: handle.write(text.encode("utf-8")))
    return jobs.enqueue(
        session,
        _kind(jury.id),
        make_letters,
        council_id=council.id,
        jury_id=jury.id,
        address_columns=address_columns,
        url=url,
        language=language,
    )


def letters_job(session: Session, council: Council, jury: Jury) -> jobs.Job | None:
    """The latest job making this jury's invitation letters (checked alive)."""
    return jobs.check_alive(session, jobs.latest(session, _kind(jury.id), council.id))


def ready(jury: Jury, job: jobs.Job | None) -> bool:
    return job is not None and job.status == jobs.DONE and pdf_path(jury.id).exists()


def make_letters(session: Session, progress, *, jury_id: int, address_columns: list[str], url: str, language: str):
    """The job: one letter per row of the kept CSV, in its (draw) order, reporting progress every fifty."""
    jury = session.get(Jury, jury_id)
    council = session.get(Council, jury.council_id)
    languages = WELSH_FIRST if council.bilingual else (language,)
    about = Invitation(
        {code: council.display_name(code) for code in languages},
        jury.remit,
        jury.remit_cy,
        jury.starts_on,
        jury.ends_on,
        jury.honorarium_pence,
        url,
    )
    # End the read before reporting progress: on SQLite this session holds the write lock, and progress is
    # written by a session of its own.
    session.commit()
    progress(0, N_("Making the letters"))
    source = csv_path(jury_id)
    if not source.exists():
        raise jobs.JobFailed(N_("The draw’s addresses were deleted before the letters were made."))
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    households = [Household(address_lines(row, address_columns), row["registration_code"]) for row in rows]
    with force_locale(language):
        write_atomically(
            pdf_path(jury_id),
            lambda handle: write_invitations(
                handle,
                about,
                households,
                languages=languages,
                progress=lambda done: progress(100 * done / len(households), N_("Making the letters")),
            ),
        )
    return {"letters": len(households)}


def make_again(session: Session, council: Council, jury: Jury, *, actor_id: int) -> jobs.Job:
    """Make the letters again from the kept CSV, with the same choices, after their job failed."""
    job = letters_job(session, council, jury)
    if job is None or job.status != jobs.FAILED or not csv_path(jury.id).exists():
        raise Conflict(_("Only letters whose making failed, from a draw still kept, can be made again."))
    audit.record(session, "jury.invitations_started", "jury", jury.id, council_id=council.id, actor_id=actor_id)
    return jobs.retry(session, job)


def download(session: Session, council: Council, jury: Jury, kind: str, *, actor_id: int) -> Path:
    """The kept CSV ("csv") or letters ("pdf"), for download; every download is audited."""
    path = csv_path(jury.id) if kind == "csv" else pdf_path(jury.id)
    if not path.exists() or (kind == "pdf" and not ready(jury, letters_job(session, council, jury))):
        raise NotFound(_("These files have been deleted, or the letters are not ready yet."))
    audit.record(
        session, "jury.invitations_downloaded", "jury", jury.id, council_id=council.id, actor_id=actor_id, file=kind
    )
    session.commit()
    return path


def delete(session: Session, council: Council, jury: Jury, *, actor_id: int) -> None:
    """Delete the draw's kept CSV and letters (once printed and posted); the codes stay valid."""
    job = letters_job(session, council, jury)
    if job is not None and not job.finished:
        raise Conflict(_("The letters are still being made. Delete them once they are ready."))
    csv_path(jury.id).unlink(missing_ok=True)
    pdf_path(jury.id).unlink(missing_ok=True)
    audit.record(session, "jury.invitations_deleted", "jury", jury.id, council_id=council.id, actor_id=actor_id)
    session.commit()
