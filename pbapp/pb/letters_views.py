"""An officer's letters for a batch of voting codes: make them (a job), watch it, download, delete."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.confirm import ActionForm, check_action
from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.downloads import kept_file
from pbapp.htmx import redirect_after_post, render
from pbapp.links import external_url
from pbapp.pb import bp, letter_jobs, permissions
from pbapp.security import requires


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes/<int:batch_id>/letters", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def letters(council: str, ballot_id: int, batch_id: int):
    db = get_session()
    the_council = get_council(db, council)
    here = url_for("pb.letters", council=council, ballot_id=ballot_id, batch_id=batch_id)
    if request.method == "POST":
        check_action()
        letter_jobs.start_letters(
            db,
            the_council,
            ballot_id,
            batch_id,
            current_user,
            language=str(get_locale()),
            url=external_url("pb.ballot", council=council, ballot_id=ballot_id),
        )
        flash(_("The letters are being made."), "success")
        return redirect_after_post(here)
    ballot, batch, job = letter_jobs.letters_job(db, the_council, ballot_id, batch_id)
    return render(
        "pb/letters.html",
        "pb/_letters_progress.html",
        council=the_council,
        ballot=ballot,
        batch=batch,
        job=job,
        ready=letter_jobs.ready(batch, job),
        action=ActionForm(),
        title=_("Letters for batch %(batch)d", batch=batch.id),
    )


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes/<int:batch_id>.pdf")
@requires(permissions.RUN_PB)
def codes_pdf(council: str, ballot_id: int, batch_id: int):
    db = get_session()
    path = letter_jobs.letters_file(db, get_council(db, council), ballot_id, batch_id, current_user)
    return kept_file(path, "application/pdf", f"voting-letters-batch-{batch_id}.pdf")


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes/<int:batch_id>/letters/delete", methods=["POST"])
@requires(permissions.RUN_PB)
def delete_letters(council: str, ballot_id: int, batch_id: int):
    check_action()
    db = get_session()
    letter_jobs.delete_letters(db, get_council(db, council), ballot_id, batch_id, current_user)
    flash(_("The letters file has been deleted. The codes still work; you can make the letters again."), "success")
    return redirect_after_post(url_for("pb.letters", council=council, ballot_id=ballot_id, batch_id=batch_id))
