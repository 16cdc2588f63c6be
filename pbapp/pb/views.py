"""Residents' pages of participatory budgeting: processes, proposals, the ballot, receipts and results.

The officers' desk is in desk_views.py."""

from __future__ import annotations

import secrets

from flask import Response, current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.confirm import ActionForm
from pbapp.downloads import attachment, uploaded_file
from pbapp.templating import in_language
from pbapp.councils.services import areas_of, get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, Invalid, NotAllowed, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.pb import bp, forms, permissions, published, services
from pbapp.pb import participation as services_participation
from pbapp.pb import ward_maps
from pbapp.pb.models import HIDDEN
from pbapp.security import limiter, requires
from pbapp.timeutil import utcnow
from pbapp.links import external_url


def _vote_limit() -> str:
    return current_app.config["VOTE_RATE_LIMIT"]


# A letter-code session ends after the vote is sent, on "Finish", or after this long untouched,
# so the next person at a shared computer neither sees nor replaces the last voter's ballot.
CODE_SESSION_IDLE_SECONDS = 15 * 60


def _fresh(entry: dict | None) -> bool:
    return entry is not None and utcnow().timestamp() - entry.get("seen", 0) <= CODE_SESSION_IDLE_SECONDS


def _session_entry(name: str, ballot_id: int) -> dict | None:
    """This browser's entry for the ballot under `name`, forgotten once idle too long, else marked as seen now."""
    entries = session.get(name, {})
    entry = entries.get(str(ballot_id))
    if entry is None:
        return None
    kept = dict(entries)
    if _fresh(entry):
        kept[str(ballot_id)] = {**entry, "seen": utcnow().timestamp()}
    else:
        del kept[str(ballot_id)]
        entry = None
    session[name] = kept
    return entry


def _code_voter(ballot_id: int) -> dict | None:
    return _session_entry("pb_codes", ballot_id)


def _end_code_session(ballot_id: int) -> None:
    for name in ("pb_codes", "pb_receipts", "pb_about_you"):
        if str(ballot_id) in session.get(name, {}):
            session[name] = {k: v for k, v in session[name].items() if k != str(ballot_id)}


def _browser_seed() -> str:
    if "pb_seed" not in session:
        session["pb_seed"] = secrets.token_hex(8)
    return session["pb_seed"]


def _ballot_view(db, the_council, ballot_id: int):
    return services.ballot_view(db, the_council, ballot_id, current_user, _code_voter(ballot_id), _browser_seed())


def _voter(view) -> services.Voter | None:
    return view.eligibility.voter


def _results_url(ballot) -> str:
    council = get_council(get_session(), request.view_args["council"])
    return external_url("pb.results", council=council.slug, ballot_id=ballot.id)


@bp.route("/<council>/")
@requires(permissions.ANYONE)
def index(council: str):
    db = get_session()
    the_council = get_council(db, council)
    return render(
        "pb/index.html",
        council=the_council,
        processes=services.list_processes(db, the_council),
        areas=services.areas_by_id(db, the_council),
        title=_("Participatory budgeting"),
    )


@bp.route("/<council>/processes/<int:process_id>")
@requires(permissions.ANYONE)
def process(council: str, process_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_process = services.get_process(db, the_council, process_id)
    ballots = [(b, services.ballot_state(b)) for b in services.ballots_of(db, the_process)]
    proposals, areas = services.public_proposals(db, the_process), services.areas_by_id(db, the_council)
    per_ward, proposals_map = ward_maps.proposals_per_ward(db, the_council, the_process, proposals)
    ward = areas.get(request.args.get("ward", type=int))
    return render(
        "pb/process.html",
        council=the_council,
        process=the_process,
        ballots=ballots,
        proposals=[p for p in proposals if ward is None or p.area_id == ward.id],
        areas=areas,
        ward=ward,
        per_ward_rows=per_ward,
        proposals_map=proposals_map,
        allows=services.PHASE_ALLOWS[the_process.phase],
        title=in_language(the_process, "title"),
    )


@bp.route("/<council>/proposals/<int:proposal_id>")
@requires(permissions.ANYONE)
def proposal(council: str, proposal_id: int):
    db = get_session()
    return proposal_page(db, get_council(db, council), proposal_id)


def proposal_page(db, the_council, proposal_id: int, *, comment_form=None, status: int = 200):
    """The proposal with its conversation; a comment refused is shown here again with its words kept."""
    from pbapp.pb import conversation

    the_proposal = services.get_proposal(db, the_council, proposal_id)
    the_process = services.get_process(db, the_council, the_proposal.process_id)
    return render(
        "pb/proposal.html",
        council=the_council,
        proposal=the_proposal,
        process=the_process,
        areas=services.areas_by_id(db, the_council),
        title=in_language(the_proposal, "title"),
        comments=conversation.comments_of(db, the_proposal),
        standing=conversation.standing(db, the_proposal, the_process, current_user),
        comment_form=comment_form or forms.CommentForm(),
        action=ActionForm(),
        status=status,
    )


def _upload(storage) -> tuple[str, bytes] | None:
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.filename, storage.read()


@bp.route("/<council>/proposals/<int:proposal_id>/file")
@requires(permissions.ANYONE)
def proposal_file(council: str, proposal_id: int):
    db = get_session()
    officer = permissions.RUN_PB.allows(current_user, council)
    item, stored = services.proposal_file(db, get_council(db, council), proposal_id, officer=officer)
    # Pictures show inline on our pages; served as stored (sniffed and re-encoded), never as the browser guesses.
    cache = "private, max-age=300" if item.status != HIDDEN else "private, no-store"
    response = uploaded_file(
        stored.data, stored.content_type, item.file_name, inline=item.has_image, cache_control=cache
    )
    response.set_etag(stored.sha256)
    return response.make_conditional(request)


@bp.route("/<council>/processes/<int:process_id>/propose", methods=["GET", "POST"])
@requires(permissions.ACCOUNT_HOLDER)
def propose(council: str, process_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_process = services.get_process(db, the_council, process_id)
    form = forms.ProposalForm()
    form.area_id.choices = forms.area_choices(areas_of(db, the_council)[1], _("Across the whole area"))
    if form.validate_on_submit():
        try:
            item = services.submit_proposal(
                db,
                the_council,
                process_id,
                current_user,
                title=form.title.data,
                description=form.description.data,
                estimated_cost_pence=form.estimated_cost.data,
                area_id=forms.optional_id(form.area_id.data),
                group_name=form.group_name.data or "",
                upload=_upload(form.attachment.data),
                image_alt=form.image_alt.data or "",
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Thank you. Your proposal has been sent to the council for review."), "success")
            return redirect_after_post(url_for("pb.proposal", council=council, proposal_id=item.id))
    return render(
        "pb/propose.html",
        council=the_council,
        process=the_process,
        form=form,
        status=form_status(form),
        title=_("Put forward an idea"),
    )


@bp.route("/<council>/ballots/<int:ballot_id>")
@requires(permissions.ANYONE)
def ballot(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    view = _ballot_view(db, the_council, ballot_id)
    return render(
        "pb/ballot.html",
        council=the_council,
        view=view,
        chosen=view.current,
        code_form=forms.CodeEntryForm(),
        error=None,
        title=in_language(view.ballot, "title"),
    )


@bp.route("/<council>/ballots/<int:ballot_id>/code", methods=["POST"])
@requires(permissions.ANYONE)
@limiter.limit(_vote_limit)
def enter_code(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    form = forms.CodeEntryForm()
    if form.validate_on_submit():
        try:
            voter = services.enter_code(db, the_council, ballot_id, form.code.data, current_user)
        except DomainError as error:
            show_on_form(form, error)
        else:
            codes = dict(session.get("pb_codes", {}))
            codes[str(ballot_id)] = {
                "key": voter.key,
                "area_id": voter.area_id,
                "code_id": voter.code_id,
                "seen": utcnow().timestamp(),
            }
            session["pb_codes"] = codes
            return redirect_after_post(url_for("pb.ballot", council=council, ballot_id=ballot_id))
    view = _ballot_view(db, the_council, ballot_id)
    return render(
        "pb/ballot.html",
        council=the_council,
        view=view,
        chosen=None,
        code_form=form,
        error=None,
        status=422,
        title=in_language(view.ballot, "title"),
    )


def _choices_or_error(view):
    try:
        return services.parse_choices(view.ballot, view.options, request.form), None
    except Invalid as error:
        return None, error


@bp.route("/<council>/ballots/<int:ballot_id>/meter", methods=["POST"])
@requires(permissions.ANYONE)
def meter(council: str, ballot_id: int):
    db = get_session()
    view = _ballot_view(db, get_council(db, council), ballot_id)
    choices, error = _choices_or_error(view)
    the_meter = (
        services.meter(view.ballot, view.options, choices)
        if error is None
        else {**view.meter, "problem": error.message}
    )
    return render("pb/_meter.html", "pb/_meter.html", view=view, meter=the_meter)


@bp.route("/<council>/ballots/<int:ballot_id>/check", methods=["POST"])
@requires(permissions.ANYONE)
def check(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    view = _ballot_view(db, the_council, ballot_id)
    choices, error = _choices_or_error(view)
    if error is None and (request.form.get("change") or request.form.get("balance")):
        # "Change your choices" from check-your-answers: back to the ballot with what was just chosen.
        view.meter = services.meter(view.ballot, view.options, choices)
        return render(
            "pb/ballot.html",
            council=the_council,
            view=view,
            chosen=choices,
            error=None,
            code_form=forms.CodeEntryForm(),
            title=in_language(view.ballot, "title"),
        )
    if error is None:
        try:
            services.check_choices(view.ballot, view.options, choices)
        except Invalid as problem:
            error = problem
    if error is not None:
        view.meter = services.meter(view.ballot, view.options, choices) if choices is not None else view.meter
        return render(
            "pb/ballot.html",
            council=the_council,
            view=view,
            chosen=choices,
            error=error,
            code_form=forms.CodeEntryForm(),
            status=422,
            title=in_language(view.ballot, "title"),
        )
    return render(
        "pb/check.html",
        council=the_council,
        view=view,
        chosen=choices,
        form=ActionForm(),
        meter=services.meter(view.ballot, view.options, choices),
        title=_("Check your answers"),
    )


@bp.route("/<council>/ballots/<int:ballot_id>/submit", methods=["POST"])
@requires(permissions.ANYONE)
@limiter.limit(_vote_limit)
def submit(council: str, ballot_id: int):
    code_voter = _code_voter(ballot_id)
    try:
        receipt = services.submit_ballot(get_session(), council, ballot_id, current_user, code_voter, request.form)
    except (Invalid, NotAllowed) as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("pb.ballot", council=council, ballot_id=ballot_id))
    if code_voter:
        # The letter's session ends with the vote: only the receipt stays, until Finish or 15 idle minutes.
        _end_code_session(ballot_id)
        session["pb_receipts"] = {
            **session.get("pb_receipts", {}),
            str(ballot_id): {"receipt": receipt, "seen": utcnow().timestamp()},
        }
    else:
        # An account that first voted with its letter in this browser keeps that receipt in the session:
        # drop it, or the receipt page would show the replaced vote's receipt instead of this one.
        _end_code_session(ballot_id)
    _offer_about_you(ballot_id)
    # An account's receipt page reads the receipt from its counted ballot.
    return redirect_after_post(url_for("pb.receipt", council=council, ballot_id=ballot_id))


@bp.route("/<council>/ballots/<int:ballot_id>/receipt")
@requires(permissions.ANYONE)
def receipt(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    view = _ballot_view(db, the_council, ballot_id)
    sent = _session_entry("pb_receipts", ballot_id)
    the_receipt = sent["receipt"] if sent else view.receipt
    # An account that entered its letter keeps the vote: it changes it without the code, and signs out, not Finish.
    by_code = bool(sent) and not current_user.is_authenticated
    return render(
        "pb/receipt.html",
        council=the_council,
        view=view,
        receipt=the_receipt,
        by_code=by_code,
        finish_form=ActionForm(),
        about_you=_session_entry("pb_about_you", ballot_id) is not None,
        title=_("Your vote has been recorded") if the_receipt else _("No vote yet"),
    )


def _offer_about_you(ballot_id: int) -> None:
    """Offer the optional questions once per vote in this browser, and never again once answered here."""
    if ballot_id in session.get("pb_answered", []):
        return
    session["pb_about_you"] = {**session.get("pb_about_you", {}), str(ballot_id): {"seen": utcnow().timestamp()}}


@bp.route("/<council>/ballots/<int:ballot_id>/about-you", methods=["GET", "POST"])
@requires(permissions.ANYONE)
@limiter.limit(_vote_limit, methods=["POST"])
def about_you(council: str, ballot_id: int):
    """The optional, anonymous questions after voting. Answers become counts; nothing links them to the vote."""
    db = get_session()
    the_council = get_council(db, council)
    ballot = services.get_ballot(db, the_council, ballot_id)
    offered = _session_entry("pb_about_you", ballot_id) is not None
    form = forms.AboutYouForm()
    if offered and form.validate_on_submit():
        try:
            services_participation.record_answers(
                db, ballot, {name: form[name].data or "" for name in services_participation.QUESTIONS_BY_KEY}
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            session["pb_about_you"] = {k: v for k, v in session.get("pb_about_you", {}).items() if k != str(ballot_id)}
            session["pb_answered"] = [*session.get("pb_answered", []), ballot_id]
            flash(_("Thank you. Your answers have been added to the anonymous totals."), "success")
            return redirect_after_post(url_for("pb.receipt", council=council, ballot_id=ballot_id))
    return render(
        "pb/about_you.html",
        council=the_council,
        ballot=ballot,
        form=form,
        offered=offered,
        questions=services_participation.QUESTIONS,
        title=_("About you (optional)"),
        status=form_status(form),
    )


@bp.route("/<council>/ballots/<int:ballot_id>/finish", methods=["POST"])
@requires(permissions.ANYONE)
def finish(council: str, ballot_id: int):
    """End this browser's letter-code session for the ballot, so the next person starts afresh."""
    _end_code_session(ballot_id)
    session.pop("pb_seed", None)
    flash(_("You have finished. The next person can use this device to vote with their own letter."), "success")
    return redirect_after_post(url_for("pb.ballot", council=council, ballot_id=ballot_id))


@bp.route("/<council>/ballots/<int:ballot_id>/results")
@requires(permissions.ANYONE)
def results(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    view = services.results_view(db, the_council, ballot_id)
    took_part = services_participation.who_took_part(db, the_council, view.ballot)
    funded, funded_map = ward_maps.funded_per_ward(db, the_council, view.process, view.official, view.ballot.id)
    return render(
        "pb/results.html",
        council=the_council,
        view=view,
        officer=False,
        title=_("Results"),
        took_part=took_part,
        turnout_map=ward_maps.turnout_map(db, the_council, took_part.wards),
        funded_per_ward=funded,
        funded_map=funded_map,
    )


def _export(council: str, ballot_id: int, fmt: str) -> Response:
    db = get_session()
    body, mimetype, filename = services.export(db, get_council(db, council), ballot_id, fmt)
    return attachment(body, mimetype, filename)


@bp.route("/<council>/ballots/<int:ballot_id>/results.csv")
@requires(permissions.ANYONE)
def export_csv(council: str, ballot_id: int):
    return _export(council, ballot_id, "csv")


@bp.route("/<council>/ballots/<int:ballot_id>/results.json")
@requires(permissions.ANYONE)
def export_json(council: str, ballot_id: int):
    return _export(council, ballot_id, "json")


@bp.route("/<council>/ballots/<int:ballot_id>/election.pb")
@requires(permissions.ANYONE)
def export_pb(council: str, ballot_id: int):
    return _published_download(council, ballot_id, published.PB, f"{council}-ballot-{ballot_id}.pb")


def _published_download(council: str, ballot_id: int, name: str, download_name: str) -> Response:
    db = get_session()
    return published.send(published.published_file(db, get_council(db, council), ballot_id, name), download_name)


@bp.route("/<council>/ballots/<int:ballot_id>/log", methods=["GET", "POST"])
@requires(permissions.ANYONE)
def log(council: str, ballot_id: int):
    # The receipt is checked by POST: in a URL it would sit in access logs and browser history.
    db = get_session()
    the_council = get_council(db, council)
    the_ballot, entries, head = services.log_summary(db, the_council, ballot_id)
    form = forms.ReceiptForm()
    searched = form.validate_on_submit()
    if request.method == "GET" and current_user.is_authenticated:
        # An account's own receipt is filled in from its ballot, never carried in the address.
        form.receipt.data = services.account_receipt(db, the_ballot, current_user) or None
    found = services.find_receipt(db, the_council, ballot_id, form.receipt.data) if searched else None
    return render(
        "pb/log.html",
        council=the_council,
        ballot=the_ballot,
        entries=entries,
        head=head,
        form=form,
        searched=searched,
        found=found,
        status=form_status(form),
        title=_("Ballot log"),
    )


@bp.route("/<council>/ballots/<int:ballot_id>/log.json")
@requires(permissions.ANYONE)
def log_json(council: str, ballot_id: int):
    return _published_download(council, ballot_id, published.LOG, f"{council}-ballot-{ballot_id}-log.json")


from pbapp.pb import desk_views  # noqa: E402,F401  the officers' desk attaches to the same blueprint
from pbapp.pb import conversation_views  # noqa: E402,F401  (its routes attach to the same blueprint)
from pbapp.pb import simulator_views  # noqa: E402,F401  the budget simulator's officer routes
from pbapp.pb import letters_views  # noqa: E402,F401  letters for a batch of codes, made by a job
from pbapp.pb import pabulib_views  # noqa: E402,F401  importing a Pabulib file as a ballot
