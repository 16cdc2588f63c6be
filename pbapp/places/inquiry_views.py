"""Routes of the committee's inquiries, the bodies' responses, the place's scrutiny view and resident members."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.confirm import ActionForm
from pbapp.db import get_session
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.places import bp, forms, inquiries, permissions
from pbapp.places.views import _actor, _can_keep, _labels
from pbapp.security import requires


def _inquiry_url(council: str, place_id: int, inquiry_id: int, anchor: str | None = None) -> str:
    return url_for("places.inquiry", council=council, place_id=place_id, inquiry_id=inquiry_id, _anchor=anchor)


def _choices(council: str, place_id: int) -> list[tuple[str, str]]:
    return inquiries.body_choices(get_session(), council, place_id)


def _inquiry_page(council: str, place_id: int, inquiry_id: int, *, status: int = 200, **given):
    keep = _can_keep(council)
    view = inquiries.inquiry_detail(get_session(), council, place_id, inquiry_id, moderator=keep)
    recommendation = given.get("recommendation_form") or forms.RecommendationForm(prefix="rec")
    recommendation.body_id.choices = [("", _("Choose a body"))] + _choices(council, place_id)
    session_form = given.get("session_form") or forms.EvidenceSessionForm(prefix="session")
    report_form = given.get("report_form") or forms.ReportForm(prefix="report", obj=view.inquiry)
    return render(
        "places/inquiry.html",
        view=view,
        can_keep=keep,
        labels=_labels(),
        moderation_form=forms.ModerationForm(prefix="moderate"),
        session_form=session_form,
        recommendation_form=recommendation,
        report_form=report_form,
        status=status,
        title=view.inquiry.title,
    )


@bp.route("/<council>/<int:place_id>/inquiries/<int:inquiry_id>")
@requires(permissions.ANYONE)
def inquiry(council: str, place_id: int, inquiry_id: int):
    return _inquiry_page(council, place_id, inquiry_id)


@bp.route("/<council>/<int:place_id>/inquiries/new", methods=["GET", "POST"])
@requires(permissions.KEEP_PLACE)
def new_inquiry(council: str, place_id: int):
    db = get_session()
    form = forms.InquiryForm()
    form.bodies.choices = [(int(v), label) for v, label in _choices(council, place_id)]
    form.area_id.choices = [("", _("None"))] + inquiries.area_choices(db, council, place_id)
    petition_id = request.args.get("petition", type=int) or form.chosen_petition()
    petition = inquiries.accepted_petition(db, council, place_id, petition_id)
    if petition is not None and not form.is_submitted():
        form.title.data, form.petition_id.data = petition.topic, str(petition.id)
        form.terms_of_reference.data = petition.examine
    if form.validate_on_submit():
        try:
            made = inquiries.open_inquiry(
                db,
                council,
                place_id,
                title=form.title.data,
                terms_of_reference=form.terms_of_reference.data,
                body_ids=form.bodies.data,
                area_id=form.chosen_area(),
                evidence_closes=form.evidence_closes.data,
                petition_id=petition.id if petition else None,
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The inquiry is open."), "success")
            return redirect_after_post(_inquiry_url(council, place_id, made.id))
    view = inquiries.scrutiny(db, council, place_id)
    return render(
        "places/inquiry_new.html",
        view=view,
        form=form,
        petition=petition,
        status=form_status(form),
        title=_("Open an inquiry"),
    )


@bp.route("/<council>/<int:place_id>/inquiries/<int:inquiry_id>/evidence", methods=["GET", "POST"])
@requires(permissions.SIGNED_IN)
def submit_evidence(council: str, place_id: int, inquiry_id: int):
    db = get_session()
    view = inquiries.inquiry_detail(db, council, place_id, inquiry_id)
    form = forms.EvidenceForm()
    if not form.is_submitted():
        form.author.data = current_user.name
    if view.evidence_open and form.validate_on_submit():
        try:
            inquiries.submit_evidence(
                db,
                council,
                place_id,
                inquiry_id,
                author=form.author.data,
                organisation=form.organisation.data or "",
                text=form.text.data,
                user_id=current_user.id,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Thank you. Your evidence will be published once it has been checked."), "success")
            return redirect_after_post(_inquiry_url(council, place_id, inquiry_id))
    return render("places/evidence_new.html", view=view, form=form, status=form_status(form), title=_("Give evidence"))


@bp.route("/<council>/<int:place_id>/inquiries/<int:inquiry_id>/evidence/<int:evidence_id>", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def moderate_evidence(council: str, place_id: int, inquiry_id: int, evidence_id: int):
    form = forms.ModerationForm(prefix="moderate")
    if form.validate_on_submit():
        try:
            inquiries.moderate_evidence(
                get_session(),
                council,
                place_id,
                inquiry_id,
                evidence_id,
                state=form.state.data,
                note=form.note.data or "",
                actor_id=_actor(),
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _("The evidence has been published.")
                if form.state.data == "published"
                else _("The evidence has been withheld."),
                "success",
            )
    else:
        flash(_("Choose whether to publish or withhold the evidence."), "error")
    return redirect_after_post(_inquiry_url(council, place_id, inquiry_id, "moderation"))


def _keep(council: str, place_id: int, inquiry_id: int, form, slot: str, save, message: str, anchor: str):
    if form.validate_on_submit():
        try:
            save(form)
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(message, "success")
            return redirect_after_post(_inquiry_url(council, place_id, inquiry_id, anchor))
    return _inquiry_page(council, place_id, inquiry_id, status=422, **{slot: form})


@bp.route("/<council>/<int:place_id>/inquiries/<int:inquiry_id>/sessions", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def add_inquiry_session(council: str, place_id: int, inquiry_id: int):
    return _keep(
        council,
        place_id,
        inquiry_id,
        forms.EvidenceSessionForm(prefix="session"),
        "session_form",
        lambda f: inquiries.add_session(
            get_session(),
            council,
            place_id,
            inquiry_id,
            held_on=f.held_on.data,
            location=f.location.data,
            witnesses=f.witnesses.data or "",
            minutes=f.minutes.data or "",
            actor_id=_actor(),
        ),
        _("The session has been added."),
        "sessions",
    )


@bp.route("/<council>/<int:place_id>/inquiries/<int:inquiry_id>/recommendations", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def add_recommendation(council: str, place_id: int, inquiry_id: int):
    form = forms.RecommendationForm(prefix="rec")
    form.body_id.choices = [("", _("Choose a body"))] + _choices(council, place_id)
    return _keep(
        council,
        place_id,
        inquiry_id,
        form,
        "recommendation_form",
        lambda f: inquiries.add_recommendation(
            get_session(),
            council,
            place_id,
            inquiry_id,
            body_id=int(f.body_id.data),
            text=f.text.data,
            response_due=f.response_due.data,
            actor_id=_actor(),
        ),
        _("The recommendation has been added."),
        "recommendations",
    )


@bp.route("/<council>/<int:place_id>/inquiries/<int:inquiry_id>/report", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def publish_report(council: str, place_id: int, inquiry_id: int):
    return _keep(
        council,
        place_id,
        inquiry_id,
        forms.ReportForm(prefix="report"),
        "report_form",
        lambda f: inquiries.publish_report(
            get_session(), council, place_id, inquiry_id, findings=f.findings.data, actor_id=_actor()
        ),
        _("The report has been published."),
        "report",
    )


@bp.route(
    "/<council>/<int:place_id>/inquiries/<int:inquiry_id>/recommendations/<int:recommendation_id>/response",
    methods=["GET", "POST"],
)
@requires(permissions.KEEP_PLACE)
def record_response(council: str, place_id: int, inquiry_id: int, recommendation_id: int):
    db = get_session()
    row = inquiries.recommendation_of(db, council, place_id, inquiry_id, recommendation_id)
    form = forms.BodyResponseForm(obj=row.response)
    if form.validate_on_submit():
        try:
            inquiries.record_response(
                db,
                council,
                place_id,
                inquiry_id,
                recommendation_id,
                outcome=form.outcome.data,
                reasons=form.reasons.data,
                responded_on=form.responded_on.data,
                action_by=form.action_by.data,
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The response of %(body)s has been recorded.", body=row.body.name), "success")
            return redirect_after_post(_inquiry_url(council, place_id, inquiry_id, "recommendations"))
    view = inquiries.inquiry_detail(db, council, place_id, inquiry_id)
    return render(
        "places/response.html",
        view=view,
        row=row,
        form=form,
        status=form_status(form),
        title=_("Record the response of %(body)s", body=row.body.name),
    )


@bp.route("/<council>/<int:place_id>/scrutiny")
@requires(permissions.ANYONE)
def scrutiny(council: str, place_id: int):
    view = inquiries.scrutiny(get_session(), council, place_id)
    return render("places/scrutiny.html", view=view, can_keep=_can_keep(council), title=_("Scrutiny across the place"))


@bp.route("/<council>/<int:place_id>/committee/volunteer", methods=["POST"])
@requires(permissions.SIGNED_IN)
def volunteer(council: str, place_id: int):
    if ActionForm().validate_on_submit():
        try:
            inquiries.volunteer(get_session(), council, place_id, user_id=current_user.id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Thank you. You may be drawn by lot to sit on the committee as a resident member."), "success")
    return redirect_after_post(
        url_for("places.committee_page", council=council, place_id=place_id, _anchor="residents")
    )


@bp.route("/<council>/<int:place_id>/committee/draw", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def draw_residents(council: str, place_id: int):
    from pbapp.places.committee_views import _committee_page

    form = forms.DrawForm(prefix="draw")
    if form.validate_on_submit():
        try:
            drawn = inquiries.draw_residents(
                get_session(),
                council,
                place_id,
                seats=form.seats.data,
                term_start=form.term_start.data,
                term_end=form.term_end.data,
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Drawn by lot: %(names)s.", names=", ".join(m.name for m in drawn)), "success")
            return redirect_after_post(
                url_for("places.committee_page", council=council, place_id=place_id, _anchor="residents")
            )
    return _committee_page(council, place_id, status=422, draw=form)
