"""The officers' desk of participatory budgeting: processes, the review queue, ballots, letter codes, paper
ballots, counting and publishing. Residents' pages are in views.py."""

from __future__ import annotations


from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.bilingual import welsh_values
from pbapp.downloads import attachment
from pbapp.templating import in_language
from pbapp.confirm import ActionForm, check_action, confirm_page
from pbapp.councils.services import areas_of, get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, Invalid, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.pb import bp, forms, permissions, services
from pbapp.pb import participation as services_participation
from pbapp.security import requires
from pbapp.pb.views import _results_url


@bp.route("/<council>/manage", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def manage(council: str):
    db = get_session()
    the_council = get_council(db, council)
    form = forms.ProcessForm()
    neighbourhoods, wards = areas_of(db, the_council)
    form.area_id.choices = forms.area_choices(neighbourhoods + wards, _("The whole council"))
    if form.validate_on_submit():
        dates = {
            k: getattr(form, k).data
            for k in ("proposals_from", "review_from", "voting_from", "results_from", "delivery_from")
        }
        try:
            item = services.create_process(
                db,
                the_council,
                current_user,
                title=form.title.data,
                description=form.description.data or "",
                pot_pence=form.pot.data,
                area_id=forms.optional_id(form.area_id.data),
                dates=dates,
                welsh=welsh_values(form),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            return redirect_after_post(url_for("pb.manage_process", council=council, process_id=item.id))
    return render(
        "pb/manage.html",
        council=the_council,
        processes=services.list_processes(db, the_council),
        form=form,
        status=form_status(form),
        title=_("Run participatory budgeting"),
    )


def _ballot_form(obj=None) -> forms.BallotForm:
    if obj is None or request.method == "POST":
        return forms.BallotForm()
    form = forms.BallotForm(obj=obj)
    form.budget.data = obj.budget_pence
    return form


def _ballot_values(form) -> dict:
    return {
        "title": form.title.data,
        "title_cy": (form.title_cy.data or "").strip(),
        "kind": form.kind.data,
        "rule": form.rule.data,
        "utility": form.utility.data,
        "budget_pence": form.budget.data,
        "min_choices": form.min_choices.data or 0,
        "max_choices": form.max_choices.data,
        "total_points": form.total_points.data or 0,
        "max_per_project": form.max_per_project.data,
        "min_spend_percent": form.min_spend_percent.data or 0,
        "partial_funding": bool(form.partial_funding.data),
        "eligibility": form.eligibility.data,
        "opens_at": form.opens_at.data,
        "closes_at": form.closes_at.data,
    }


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
    return render(
        "pb/manage_process.html",
        council=the_council,
        view=services.manage_view(db, the_council, process_id),
        form=form,
        phase_form=forms.PhaseForm(),
        status=form_status(form),
        title=_("Manage process"),
        threshold_form=forms.SupportThresholdForm(
            formdata=None,
            data={"support_threshold": services.get_process(db, the_council, process_id).support_threshold},
        ),
    )


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
    return render(
        "pb/review_queue.html",
        council=the_council,
        queue=services.review_queue(db, the_council),
        areas=services.areas_by_id(db, the_council),
        title=_("Proposals to review"),
    )


@bp.route("/<council>/review/<int:proposal_id>", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def review(council: str, proposal_id: int):
    db = get_session()
    the_council = get_council(db, council)
    item = services.get_proposal(db, the_council, proposal_id, officer=True)
    form = forms.ReviewForm(
        data={
            "feasible": {True: "yes", False: "no"}.get(item.review_feasible),
            "reviewed_cost": item.reviewed_cost_pence,
            "reason": item.review_reason,
            "title_cy": item.title_cy,
            "description_cy": item.description_cy,
        }
    )
    if form.validate_on_submit():
        try:
            services.save_review(
                db,
                the_council,
                proposal_id,
                current_user,
                feasible=form.feasible.data == "yes",
                reviewed_cost_pence=form.reviewed_cost.data,
                reason=form.reason.data or "",
                welsh=welsh_values(form),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Review saved as a draft. Publish it when you are ready."), "success")
            return redirect_after_post(url_for("pb.review", council=council, proposal_id=proposal_id))
    return render(
        "pb/review.html",
        council=the_council,
        proposal=item,
        form=form,
        publish_form=ActionForm(),
        hide_form=forms.HideForm(),
        process=services.get_process(db, the_council, item.process_id),
        status=form_status(form),
        title=_("Review a proposal"),
    )


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
    return render(
        "pb/manage_ballot.html",
        council=the_council,
        ballot=the_ballot,
        state=services.ballot_state(the_ballot),
        options=services.options_of(db, the_ballot),
        batches=services.batches_of(db, the_ballot),
        preview=preview,
        decision=decision,
        action=ActionForm(),
        paper=services.paper_entries(db, the_ballot),
        flags=services.crowd_flags(db, the_council, the_ballot),
        took_part=services_participation.who_took_part(db, the_council, the_ballot) if preview else None,
        title=in_language(the_ballot, "title"),
    )


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
    return render(
        "pb/ballot_settings.html",
        council=the_council,
        ballot=the_ballot,
        form=form,
        status=form_status(form),
        title=_("Ballot settings"),
    )


def _ballot_action(council: str, ballot_id: int, action, message: str, target: str = "pb.manage_ballot"):
    db = get_session()
    check_action()
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
        lambda: services.open_ballot(db, the_council, ballot_id, current_user),
        caption=the_ballot.title,
        heading=_("Open voting?"),
        what=_(
            "People can vote from the opening time in the settings, or straight away if none is set. The "
            "ballot’s rules are then frozen: its kind, counting rule, budget, limits and who can vote."
        ),
        warning=_("You cannot change the rules once voting opens."),
        button=_("Open voting"),
        back=back,
        done=_("Voting is open. The ballot’s rules are now frozen."),
        after=back,
    )


@bp.route("/<council>/manage/ballots/<int:ballot_id>/close", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def close_ballot(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    return confirm_page(
        lambda: services.close_ballot(db, the_council, ballot_id, current_user),
        caption=the_ballot.title,
        heading=_("Close voting and count the votes?"),
        what=_(
            "Nobody will be able to vote or change their vote after this, even if the closing time you set has "
            "not come. The count starts straight away; the results stay private until you publish them."
        ),
        warning=_("You cannot open voting again."),
        button=_("Close voting and count"),
        back=url_for("pb.manage_ballot", council=council, ballot_id=ballot_id),
        done=_("Voting has closed. Counting has started."),
        after=url_for("pb.count_progress", council=council, ballot_id=ballot_id),
    )


@bp.route("/<council>/manage/ballots/<int:ballot_id>/count", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def count_progress(council: str, ballot_id: int):
    if request.method == "POST":
        return _ballot_action(
            council, ballot_id, services.start_count, _("Counting has started again."), "pb.count_progress"
        )
    db = get_session()
    the_council = get_council(db, council)
    the_ballot, job = services.job_of(db, the_council, ballot_id)
    return render(
        "pb/count.html",
        "pb/_count_progress.html",
        council=the_council,
        ballot=the_ballot,
        job=job,
        action=ActionForm(),
        title=_("Counting"),
    )


@bp.route("/<council>/manage/ballots/<int:ballot_id>/publish", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def publish(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    the_ballot = services.get_ballot(db, the_council, ballot_id)
    return confirm_page(
        lambda: services.publish_results(db, the_council, ballot_id, current_user, url_of=_results_url),
        caption=the_ballot.title,
        heading=_("Publish the results and the ballot log?"),
        what=_(
            "The count, the council’s decision and every ballot in the log (without names) become public, so "
            "anyone can check the count. Record the council’s decision first."
        ),
        warning=_("You cannot take the results back once they are published."),
        button=_("Publish results and the ballot log"),
        back=url_for("pb.manage_ballot", council=council, ballot_id=ballot_id),
        done=_("The results and the ballot log are published."),
        after=url_for("pb.results", council=council, ballot_id=ballot_id),
    )


@bp.route("/<council>/manage/ballots/<int:ballot_id>/decision", methods=["POST"])
@requires(permissions.RUN_PB)
def decision(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    form = forms.DecisionForm()
    form.selected.choices = [
        forms.SelectChoice(o.ref, o.title)
        for o in services.options_of(db, services.get_ballot(db, the_council, ballot_id))
    ]
    form.validate_on_submit()
    services.record_decision(
        db, the_council, ballot_id, current_user, selected=form.selected.data or [], reason=form.reason.data or ""
    )
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
            batch = services.generate_codes(
                db,
                the_council,
                ballot_id,
                current_user,
                size=form.size.data,
                area_id=forms.optional_id(form.area_id.data),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("%(n)d codes are ready to print.", n=batch.size), "success")
            return redirect_after_post(url_for("pb.codes", council=council, ballot_id=ballot_id))
    return render(
        "pb/codes.html",
        council=the_council,
        ballot=the_ballot,
        form=form,
        batches=services.batches_of(db, the_ballot),
        areas=services.areas_by_id(db, the_council),
        status=form_status(form),
        title=_("Voting codes for letters"),
    )


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes/<int:batch_id>.csv")
@requires(permissions.RUN_PB)
def codes_csv(council: str, ballot_id: int, batch_id: int):
    db = get_session()
    the_council = get_council(db, council)
    batch, the_codes = services.batch_codes(db, the_council, ballot_id, batch_id, current_user)
    area = services.areas_by_id(db, the_council).get(batch.area_id)
    body = services.codes_csv(
        services.get_ballot(db, the_council, ballot_id), batch, the_codes, area.name if area else the_council.name
    )
    return attachment(body, "text/csv", f"voting-codes-batch-{batch_id}.csv")


@bp.route("/<council>/manage/ballots/<int:ballot_id>/codes/<int:batch_id>/print")
@requires(permissions.RUN_PB)
def codes_print(council: str, ballot_id: int, batch_id: int):
    db = get_session()
    the_council = get_council(db, council)
    batch, the_codes = services.batch_codes(db, the_council, ballot_id, batch_id, current_user)
    return render(
        "pb/codes_print.html",
        council=the_council,
        ballot=services.get_ballot(db, the_council, ballot_id),
        batch=batch,
        codes=the_codes,
        area=services.areas_by_id(db, the_council).get(batch.area_id),
        title=_("Letters with voting codes"),
    )


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
            entry = services.key_paper_ballot(
                db,
                the_council,
                ballot_id,
                current_user,
                paper_ref=form.paper_ref.data,
                channel=form.channel.data,
                area_id=forms.optional_id(form.area_id.data),
                choices=choices,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(
                _("Ballot paper %(ref)s: %(status)s.", ref=entry.paper_ref, status=_(entry.status.replace("_", " "))),
                "success",
            )
            return redirect_after_post(url_for("pb.paper", council=council, ballot_id=ballot_id))
    return render(
        "pb/paper.html",
        council=the_council,
        ballot=the_ballot,
        options=options,
        form=form,
        chosen=choices,
        entries=services.paper_entries(db, the_ballot),
        status=form_status(form),
        title=_("Key paper ballots"),
    )
