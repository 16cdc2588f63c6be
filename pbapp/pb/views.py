"""Pages of participatory budgeting: processes, proposals, the ballot, results, and the officers' desk."""

from __future__ import annotations

import json
import secrets

from flask import Response, current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.templating import in_language
from pbapp.confirm import confirm_page
from pbapp.councils.services import areas_of, get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, Invalid, NotAllowed, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.pb import bp, forms, permissions, services
from pbapp.pb import participation as services_participation
from pbapp.pb.models import HIDDEN
from pbapp.security import limiter, requires
from pbapp.timeutil import utcnow
from pbapp.links import external_url



def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


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
    return render("pb/index.html", council=the_council, processes=services.list_processes(db, the_council),
                  areas=services.areas_by_id(db, the_council), title=_("Participatory budgeting"))


@bp.route("/<council>/processes/<int:process_id>")
@requires(permissions.ANYONE)
def process(council: str, process_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_process = services.get_process(db, the_council, process_id)
    ballots = [(b, services.ballot_state(b)) for b in services.ballots_of(db, the_process)]
    return render("pb/process.html", council=the_council, process=the_process, ballots=ballots,
                  proposals=services.public_proposals(db, the_process), areas=services.areas_by_id(db, the_council),
                  allows=services.PHASE_ALLOWS[the_process.phase], title=in_language(the_process, "title"))


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
    return render("pb/proposal.html", council=the_council, proposal=the_proposal, process=the_process,
                  areas=services.areas_by_id(db, the_council), title=in_language(the_proposal, "title"),
                  comments=conversation.comments_of(db, the_proposal),
                  standing=conversation.standing(db, the_proposal, the_process, current_user),
                  comment_form=comment_form or forms.CommentForm(), action=forms.ActionForm(), status=status)


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
    response = Response(stored.data, mimetype=stored.content_type)
    # Pictures show inline on our pages; a PDF is always a download, since a PDF viewer inside our
    # origin could run script. Served as stored (sniffed and re-encoded), never as the browser guesses.
    disposition = "inline" if item.has_image else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{item.file_name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=300" if item.status != HIDDEN else "private, no-store"
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
                db, the_council, process_id, current_user, title=form.title.data, description=form.description.data,
                estimated_cost_pence=form.estimated_cost.data, area_id=forms.optional_id(form.area_id.data),
                group_name=form.group_name.data or "", upload=_upload(form.attachment.data),
                image_alt=form.image_alt.data or "")
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Thank you. Your proposal has been sent to the council for review."), "success")
            return redirect_after_post(url_for("pb.proposal", council=council, proposal_id=item.id))
    return render("pb/propose.html", council=the_council, process=the_process, form=form, status=_status(form),
                  title=_("Put forward an idea"))


@bp.route("/<council>/ballots/<int:ballot_id>")
@requires(permissions.ANYONE)
def ballot(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    view = _ballot_view(db, the_council, ballot_id)
    return render("pb/ballot.html", council=the_council, view=view, chosen=view.current,
                  code_form=forms.CodeEntryForm(), error=None, title=in_language(view.ballot, "title"))


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
            codes[str(ballot_id)] = {"key": voter.key, "area_id": voter.area_id, "code_id": voter.code_id,
                                     "seen": utcnow().timestamp()}
            session["pb_codes"] = codes
            return redirect_after_post(url_for("pb.ballot", council=council, ballot_id=ballot_id))
    view = _ballot_view(db, the_council, ballot_id)
    return render("pb/ballot.html", council=the_council, view=view, chosen=None, code_form=form, error=None,
                  status=422, title=in_language(view.ballot, "title"))


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
    the_meter = services.meter(view.ballot, view.options, choices) if error is None else {**view.meter, "problem": error.message}
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
        return render("pb/ballot.html", council=the_council, view=view, chosen=choices, error=None,
                      code_form=forms.CodeEntryForm(), title=in_language(view.ballot, "title"))
    if error is None:
        try:
            services.check_choices(view.ballot, view.options, choices)
        except Invalid as problem:
            error = problem
    if error is not None:
        view.meter = services.meter(view.ballot, view.options, choices) if choices is not None else view.meter
        return render("pb/ballot.html", council=the_council, view=view, chosen=choices, error=error,
                      code_form=forms.CodeEntryForm(), status=422, title=in_language(view.ballot, "title"))
    return render("pb/check.html", council=the_council, view=view, chosen=choices, form=forms.ActionForm(),
                  meter=services.meter(view.ballot, view.options, choices), title=_("Check your answers"))


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
        session["pb_receipts"] = {**session.get("pb_receipts", {}),
                                  str(ballot_id): {"receipt": receipt, "seen": utcnow().timestamp()}}
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
    return render("pb/receipt.html", council=the_council, view=view, receipt=the_receipt, by_code=by_code,
                  finish_form=forms.ActionForm(), about_you=_session_entry("pb_about_you", ballot_id) is not None,
                  title=_("Your vote has been recorded") if the_receipt else _("No vote yet"))


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
            services_participation.record_answers(db, ballot, {name: form[name].data or "" for name in
                                                               services_participation.QUESTIONS_BY_KEY})
        except Invalid as error:
            show_on_form(form, error)
        else:
            session["pb_about_you"] = {k: v for k, v in session.get("pb_about_you", {}).items() if k != str(ballot_id)}
            session["pb_answered"] = [*session.get("pb_answered", []), ballot_id]
            flash(_("Thank you. Your answers have been added to the anonymous totals."), "success")
            return redirect_after_post(url_for("pb.receipt", council=council, ballot_id=ballot_id))
    return render("pb/about_you.html", council=the_council, ballot=ballot, form=form, offered=offered,
                  questions=services_participation.QUESTIONS, title=_("About you (optional)"),
                  status=_status(form))


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
    return render("pb/results.html", council=the_council, view=view, officer=False, title=_("Results"),
                  took_part=services_participation.who_took_part(db, the_council, view.ballot))


def _export(council: str, ballot_id: int, fmt: str) -> Response:
    db = get_session()
    body, mimetype, filename = services.export(db, get_council(db, council), ballot_id, fmt)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


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
    return _export(council, ballot_id, "pb")


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
    return render("pb/log.html", council=the_council, ballot=the_ballot, entries=entries, head=head, form=form,
                  searched=searched, found=found, status=_status(form), title=_("Ballot log"))


@bp.route("/<council>/ballots/<int:ballot_id>/log.json")
@requires(permissions.ANYONE)
def log_json(council: str, ballot_id: int):
    db = get_session()
    document = services.published_log(db, get_council(db, council), ballot_id)
    return Response(json.dumps(document, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{council}-ballot-{ballot_id}-log.json"'})


@bp.route("/<council>/manage", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def manage(council: str):
    db = get_session()
    the_council = get_council(db, council)
    form = forms.ProcessForm()
    neighbourhoods, wards = areas_of(db, the_council)
    form.area_id.choices = forms.area_choices(neighbourhoods + wards, _("The whole council"))
    if form.validate_on_submit():
        dates = {k: getattr(form, k).data for k in ("proposals_from", "review_from", "voting_from", "results_from", "delivery_from")}
        try:
            item = services.create_process(db, the_council, current_user, title=form.title.data,
                                           description=form.description.data or "", pot_pence=form.pot.data,
                                           area_id=forms.optional_id(form.area_id.data), dates=dates)
        except DomainError as error:
            show_on_form(form, error)
        else:
            return redirect_after_post(url_for("pb.manage_process", council=council, process_id=item.id))
    return render("pb/manage.html", council=the_council, processes=services.list_processes(db, the_council),
                  form=form, status=_status(form), title=_("Run participatory budgeting"))


def _ballot_form(obj=None) -> forms.BallotForm:
    if obj is None or request.method == "POST":
        return forms.BallotForm()
    form = forms.BallotForm(obj=obj)
    form.budget.data = obj.budget_pence
    return form


def _ballot_values(form) -> dict:
    return {"title": form.title.data, "kind": form.kind.data, "rule": form.rule.data, "utility": form.utility.data,
            "budget_pence": form.budget.data, "min_choices": form.min_choices.data or 0,
            "max_choices": form.max_choices.data, "total_points": form.total_points.data or 0,
            "max_per_project": form.max_per_project.data, "min_spend_percent": form.min_spend_percent.data or 0,
            "partial_funding": bool(form.partial_funding.data), "eligibility": form.eligibility.data,
            "opens_at": form.opens_at.data, "closes_at": form.closes_at.data}


@bp.route("/<council>/manage/processes/<int:process_id>", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def manage_process(council: str, process_id: int):
    db = get_session()
    the_council = get_council(db, council)
    form = _ballot_form()
    if form.validate_on_submit():
        try:
            item = services.create_ballot(db, the_council, process_id, current_user, **_ballot_values(form))
        except DomainError as error:
            show_on_form(form, error)
        else:
            return redirect_after_post(url_for("pb.manage_ballot", council=council, ballot_id=item.id))
    return render("pb/manage_process.html", council=the_council, view=services.manage_view(db, the_council, process_id),
                  form=form, phase_form=forms.PhaseForm(), status=_status(form), title=_("Manage process"),
                  threshold_form=forms.SupportThresholdForm(formdata=None, data={
                      "support_threshold": services.get_process(db, the_council, process_id).support_threshold}))


@bp.route("/<council>/manage/processes/<int:process_id>/phase", methods=["POST"])
@requires(permissions.RUN_PB)
def set_phase(council: str, process_id: int):
    db = get_session()
    form = forms.PhaseForm()
    if not form.validate_on_submit():
        raise Invalid(_("Choose a phase"), field="phase")
    services.set_phase(db, get_council(db, council), process_id, form.phase.data, current_user)
    flash(_("The phase has been changed."), "success")
    return redirect_after_post(url_for("pb.manage_process", council=council, process_id=process_id))


@bp.route("/<council>/review")
@requires(permissions.RUN_PB)
def review_queue(council: str):
    db = get_session()
    the_council = get_council(db, council)
    return render("pb/review_queue.html", council=the_council, queue=services.review_queue(db, the_council),
                  areas=services.areas_by_id(db, the_council), title=_("Proposals to review"))


@bp.route("/<council>/review/<int:proposal_id>", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def review(council: str, proposal_id: int):
    db = get_session()
    the_council = get_council(db, council)
    item = services.get_proposal(db, the_council, proposal_id, officer=True)
    form = forms.ReviewForm(data={"feasible": {True: "yes", False: "no"}.get(item.review_feasible),
                                  "reviewed_cost": item.reviewed_cost_pence, "reason": item.review_reason})
    if form.validate_on_submit():
        try:
            services.save_review(db, the_council, proposal_id, current_user, feasible=form.feasible.data == "yes",
                                 reviewed_cost_pence=form.reviewed_cost.data, reason=form.reason.data or "")
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Review saved as a draft. Publish it when you are ready."), "success")
            return redirect_after_post(url_for("pb.review", council=council, proposal_id=proposal_id))
    return render("pb/review.html", council=the_council, proposal=item, form=form, publish_form=forms.ActionForm(),
                  hide_form=forms.HideForm(),
                  process=services.get_process(db, the_council, item.process_id), status=_status(form),
                  title=_("Review a proposal"))


@bp.route("/<council>/review/<int:proposal_id>/publish", methods=["POST"])
@requires(permissions.RUN_PB)
def publish_review(council: str, proposal_id: int):
    db = get_session()
    services.publish_review(db, get_council(db, council), proposal_id, current_user)
    flash(_("The review and its reasons are now public."), "success")
    return redirect_after_post(url_for("pb.review_queue", council=council))


@bp.route("/<council>/review/<int:proposal_id>/hide", methods=["POST"])
@requires(permissions.RUN_PB)
def hide_proposal(council: str, proposal_id: int):
    db = get_session()
    form = forms.HideForm()
    if not form.validate_on_submit():
        raise Invalid(_("Give the reason for hiding this proposal"), field="reason")
    services.hide_proposal(db, get_council(db, council), proposal_id, current_user, reason=form.reason.data)
    flash(_("The proposal is hidden from the public pages."), "success")
    return redirect_after_post(url_for("pb.review_queue", council=council))


@bp.route("/<council>/manage/ballots/<int:ballot_id>")
@requires(permissions.RUN_PB)
def manage_ballot(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    result = services.result_of(db, the_ballot)
    preview = services.results_view(db, the_council, ballot_id, officer=True) if result and result.computed_at else None
    decision = forms.DecisionForm(data={"selected": preview.official if preview else []})
    decision.selected.choices = [forms.SelectChoice(o.ref, o.title) for o in services.options_of(db, the_ballot)]
    return render("pb/manage_ballot.html", council=the_council, ballot=the_ballot, state=services.ballot_state(the_ballot),
                  options=services.options_of(db, the_ballot), batches=services.batches_of(db, the_ballot),
                  preview=preview, decision=decision, action=forms.ActionForm(),
                  paper=services.paper_entries(db, the_ballot), flags=services.crowd_flags(db, the_council, the_ballot),
                  took_part=services_participation.who_took_part(db, the_council, the_ballot) if preview else None,
                  title=in_language(the_ballot, "title"))


@bp.route("/<council>/manage/ballots/<int:ballot_id>/settings", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def ballot_settings(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    form = _ballot_form(the_ballot)
    if form.validate_on_submit():
        try:
            services.update_ballot(db, the_council, ballot_id, current_user, **_ballot_values(form))
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The ballot’s settings have been saved."), "success")
            return redirect_after_post(url_for("pb.manage_ballot", council=council, ballot_id=ballot_id))
    return render("pb/ballot_settings.html", council=the_council, ballot=the_ballot, form=form,
                  status=_status(form),
                  title=_("Ballot settings"))


def _ballot_action(council: str, ballot_id: int, action, message: str, target: str = "pb.manage_ballot"):
    db = get_session()
    form = forms.ActionForm()
    if not form.validate_on_submit():
        raise Invalid(_("The form has expired. Go back and try again."))
    action(db, get_council(db, council), ballot_id, current_user)
    flash(message, "success")
    return redirect_after_post(url_for(target, council=council, ballot_id=ballot_id))


@bp.route("/<council>/manage/ballots/<int:ballot_id>/open", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def open_ballot(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    back = url_for("pb.manage_ballot", council=council, ballot_id=ballot_id)
    return confirm_page(
        lambda: services.open_ballot(db, the_council, ballot_id, current_user), caption=the_ballot.title,
        heading=_("Open voting?"),
        what=_("People can vote from the opening time in the settings, or straight away if none is set. The "
               "ballot’s rules are then frozen: its kind, counting rule, budget, limits and who can vote."),
        warning=_("You cannot change the rules once voting opens."), button=_("Open voting"), back=back,
        done=_("Voting is open. The ballot’s rules are now frozen."), after=back)


@bp.route("/<council>/manage/ballots/<int:ballot_id>/close", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def close_ballot(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    return confirm_page(
        lambda: services.close_ballot(db, the_council, ballot_id, current_user), caption=the_ballot.title,
        heading=_("Close voting and count the votes?"),
        what=_("Nobody will be able to vote or change their vote after this, even if the closing time you set has "
               "not come. The count starts straight away; the results stay private until you publish them."),
        warning=_("You cannot open voting again."), button=_("Close voting and count"),
        back=url_for("pb.manage_ballot", council=council, ballot_id=ballot_id),
        done=_("Voting has closed. Counting has started."),
        after=url_for("pb.count_progress", council=council, ballot_id=ballot_id))


@bp.route("/<council>/manage/ballots/<int:ballot_id>/count", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def count_progress(council: str, ballot_id: int):
    if request.method == "POST":
        return _ballot_action(council, ballot_id, services.start_count, _("Counting has started again."),
                              "pb.count_progress")
    db = get_session()
    the_council = get_council(db, council)
    the_ballot, job = services.job_of(db, the_council, ballot_id)
    return render("pb/count.html", "pb/_count_progress.html", council=the_council, ballot=the_ballot, job=job,
                  action=forms.ActionForm(), title=_("Counting"))


@bp.route("/<council>/manage/ballots/<int:ballot_id>/publish", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def publish(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    return confirm_page(
        lambda: services.publish_results(db, the_council, ballot_id, current_user, url_of=_results_url),
        caption=the_ballot.title, heading=_("Publish the results and the ballot log?"),
        what=_("The count, the council’s decision and every ballot in the log (without names) become public, so "
               "anyone can check the count. Record the council’s decision first."),
        warning=_("You cannot take the results back once they are published."),
        button=_("Publish results and the ballot log"),
        back=url_for("pb.manage_ballot", council=council, ballot_id=ballot_id),
        done=_("The results and the ballot log are published."),
        after=url_for("pb.results", council=council, ballot_id=ballot_id))


@bp.route("/<council>/manage/ballots/<int:ballot_id>/decision", methods=["POST"])
@requires(permissions.RUN_PB)
def decision(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    form = forms.DecisionForm()
    form.selected.choices = [forms.SelectChoice(o.ref, o.title)
                             for o in services.options_of(db, services.get_ballot(db, the_council, ballot_id))]
    form.validate_on_submit()
    services.record_decision(db, the_council, ballot_id, current_user, selected=form.selected.data or [],
                             reason=form.reason.data or "")
    flash(_("The council’s decision has been recorded."), "success")
    return redirect_after_post(url_for("pb.manage_ballot", council=council, ballot_id=ballot_id))


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def codes(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    form = forms.CodeBatchForm()
    neighbourhoods, wards = areas_of(db, the_council)
    form.area_id.choices = forms.area_choices(neighbourhoods + wards, _("The whole council"))
    if request.method == "GET" and form.area_id.data is None:
        # Letters for a neighbourhood's vote go to that neighbourhood unless the officer says otherwise.
        area_id = services.get_process(db, the_council, the_ballot.process_id).area_id
        form.area_id.data = str(area_id) if area_id else None
    if form.validate_on_submit():
        try:
            batch = services.generate_codes(db, the_council, ballot_id, current_user, size=form.size.data,
                                            area_id=forms.optional_id(form.area_id.data))
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("%(n)d codes are ready to print.", n=batch.size), "success")
            return redirect_after_post(url_for("pb.codes", council=council, ballot_id=ballot_id))
    return render("pb/codes.html", council=the_council, ballot=the_ballot, form=form,
                  batches=services.batches_of(db, the_ballot), areas=services.areas_by_id(db, the_council),
                  status=_status(form), title=_("Voting codes for letters"))


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes/<int:batch_id>.csv")
@requires(permissions.RUN_PB)
def codes_csv(council: str, ballot_id: int, batch_id: int):
    db = get_session()
    the_council = get_council(db, council)
    batch, the_codes = services.batch_codes(db, the_council, ballot_id, batch_id, current_user)
    area = services.areas_by_id(db, the_council).get(batch.area_id)
    body = services.codes_csv(services.get_ballot(db, the_council, ballot_id), batch, the_codes,
                              area.name if area else the_council.name)
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="voting-codes-batch-{batch_id}.csv"'})


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes/<int:batch_id>.pdf")
@requires(permissions.RUN_PB)
def codes_pdf(council: str, ballot_id: int, batch_id: int):
    db = get_session()
    body = services.codes_letters_pdf(db, get_council(db, council), ballot_id, batch_id, current_user,
                                      url=external_url("pb.ballot", council=council, ballot_id=ballot_id))
    # The codes are secrets: never kept by a browser or proxy cache.
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="voting-letters-batch-{batch_id}.pdf"',
        "Cache-Control": "no-store"})


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes/<int:batch_id>/print")
@requires(permissions.RUN_PB)
def codes_print(council: str, ballot_id: int, batch_id: int):
    db = get_session()
    the_council = get_council(db, council)
    batch, the_codes = services.batch_codes(db, the_council, ballot_id, batch_id, current_user)
    return render("pb/codes_print.html", council=the_council, ballot=services.get_ballot(db, the_council, ballot_id),
                  batch=batch, codes=the_codes, area=services.areas_by_id(db, the_council).get(batch.area_id),
                  title=_("Letters with voting codes"))


@bp.route("/<council>/manage/ballots/<int:ballot_id>/paper", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def paper(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    options = services.options_of(db, the_ballot)
    form = forms.PaperForm()
    form.area_id.choices = forms.area_choices(areas_of(db, the_council)[1], _("Not recorded"))
    choices = None
    if form.validate_on_submit():
        try:
            choices = services.parse_choices(the_ballot, options, request.form)
            entry = services.key_paper_ballot(db, the_council, ballot_id, current_user, paper_ref=form.paper_ref.data,
                                              channel=form.channel.data, area_id=forms.optional_id(form.area_id.data),
                                              choices=choices)
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Ballot paper %(ref)s: %(status)s.", ref=entry.paper_ref, status=_(entry.status.replace("_", " "))),
                  "success")
            return redirect_after_post(url_for("pb.paper", council=council, ballot_id=ballot_id))
    return render("pb/paper.html", council=the_council, ballot=the_ballot, options=options, form=form, chosen=choices,
                  entries=services.paper_entries(db, the_ballot), status=_status(form), title=_("Key paper ballots"))


from pbapp.pb import conversation_views  # noqa: E402,F401  (its routes attach to the same blueprint)
from pbapp.pb import simulator_views  # noqa: E402,F401  the budget simulator's officer routes
