"""Routes of the local public accounts committee: its page, the officers' forms, petitions and decisions."""

from __future__ import annotations

from flask import flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.confirm import ActionForm
from pbapp.db import get_session
from pbapp.errors import DomainError, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.places import bp, committee, forms, inquiries, permissions
from pbapp.places.views import _actor, _can_keep
from pbapp.security import requires


def _committee_page(
    council: str, place_id: int, *, settings=None, member=None, meeting=None, draw=None, status: int = 200
):
    db = get_session()
    view = committee.committee_detail(db, council, place_id)
    user_id = current_user.id if current_user.is_authenticated else None
    waiting, volunteered = inquiries.volunteer_status(db, council, place_id, user_id)
    may_volunteer = user_id is not None and not volunteered and committee.may_petition(db, council, place_id, user_id)
    return render(
        "places/committee.html",
        view=view,
        can_keep=_can_keep(council),
        inquiries=inquiries.scrutiny(db, council, place_id).inquiries,
        waiting=waiting,
        volunteered=volunteered,
        may_volunteer=may_volunteer,
        volunteer_form=ActionForm(),
        draw_form=draw or forms.DrawForm(prefix="draw"),
        settings_form=settings or forms.CommitteeForm(prefix="committee", obj=view.committee),
        member_form=member or forms.MemberForm(prefix="member"),
        meeting_form=meeting or forms.MeetingForm(prefix="meeting"),
        status=status,
        title=view.committee.name,
    )


@bp.route("/<council>/<int:place_id>/committee")
@requires(permissions.ANYONE)
def committee_page(council: str, place_id: int):
    return _committee_page(council, place_id)


def _keep(council: str, place_id: int, form, save, message: str, slot: str):
    if form.validate_on_submit():
        try:
            save(form)
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(message, "success")
            return redirect_after_post(url_for("places.committee_page", council=council, place_id=place_id))
    return _committee_page(council, place_id, status=422, **{slot: form})


@bp.route("/<council>/<int:place_id>/committee", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def update_committee(council: str, place_id: int):
    return _keep(
        council,
        place_id,
        forms.CommitteeForm(prefix="committee"),
        lambda f: committee.update_committee(
            get_session(),
            council,
            place_id,
            name=f.name.data,
            terms_of_reference=f.terms_of_reference.data or "",
            signature_threshold=f.signature_threshold.data,
            decision_days=f.decision_days.data,
            actor_id=_actor(),
        ),
        _("The committee has been updated."),
        "settings",
    )


@bp.route("/<council>/<int:place_id>/committee/members", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def add_member(council: str, place_id: int):
    return _keep(
        council,
        place_id,
        forms.MemberForm(prefix="member"),
        lambda f: committee.add_member(
            get_session(),
            council,
            place_id,
            name=f.name.data,
            kind=f.kind.data,
            role=f.role.data or "",
            term_start=f.term_start.data,
            term_end=f.term_end.data,
            actor_id=_actor(),
        ),
        _("The member has been added."),
        "member",
    )


@bp.route("/<council>/<int:place_id>/committee/meetings", methods=["POST"])
@requires(permissions.KEEP_PLACE)
def add_meeting(council: str, place_id: int):
    return _keep(
        council,
        place_id,
        forms.MeetingForm(prefix="meeting"),
        lambda f: committee.add_meeting(
            get_session(),
            council,
            place_id,
            held_on=f.held_on.data,
            location=f.location.data,
            agenda=f.agenda.data or "",
            actor_id=_actor(),
        ),
        _("The meeting has been added."),
        "meeting",
    )


@bp.route("/<council>/<int:place_id>/petitions/new", methods=["GET", "POST"])
@requires(permissions.SIGNED_IN)
def new_petition(council: str, place_id: int):
    db = get_session()
    view = committee.committee_detail(db, council, place_id)
    allowed = committee.may_petition(db, council, place_id, current_user.id)
    form = forms.PetitionForm()
    if allowed and form.validate_on_submit():
        try:
            petition = committee.open_petition(
                db,
                council,
                place_id,
                topic=form.topic.data,
                bodies_concerned=form.bodies_concerned.data or "",
                examine=form.examine.data,
                user_id=current_user.id,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Your petition is open, with your signature on it."), "success")
            return redirect_after_post(
                url_for("places.petition", council=council, place_id=place_id, petition_id=petition.id)
            )
    return render(
        "places/petition_new.html",
        view=view,
        form=form,
        allowed=allowed,
        status=form_status(form),
        title=_("Ask the committee for an inquiry"),
    )


@bp.route("/<council>/<int:place_id>/petitions/<int:petition_id>")
@requires(permissions.ANYONE)
def petition(council: str, place_id: int, petition_id: int):
    user_id = current_user.id if current_user.is_authenticated else None
    view = committee.petition_detail(get_session(), council, place_id, petition_id, user_id)
    return render(
        "places/petition.html",
        view=view,
        sign_form=ActionForm(),
        can_keep=_can_keep(council),
        inquiry=inquiries.inquiry_of_petition(get_session(), petition_id),
        title=view.petition.topic,
    )


@bp.route("/<council>/<int:place_id>/petitions/<int:petition_id>/sign", methods=["POST"])
@requires(permissions.SIGNED_IN)
def sign(council: str, place_id: int, petition_id: int):
    if ActionForm().validate_on_submit():
        try:
            committee.sign(get_session(), council, place_id, petition_id, user_id=current_user.id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("You have signed the petition."), "success")
    return redirect_after_post(url_for("places.petition", council=council, place_id=place_id, petition_id=petition_id))


@bp.route("/<council>/<int:place_id>/petitions/<int:petition_id>/decision", methods=["GET", "POST"])
@requires(permissions.KEEP_PLACE)
def decide(council: str, place_id: int, petition_id: int):
    db = get_session()
    view = committee.petition_detail(db, council, place_id, petition_id, _actor())
    form = forms.DecisionForm()
    if form.validate_on_submit():
        try:
            committee.decide(
                db,
                council,
                place_id,
                petition_id,
                decision=form.decision.data,
                reasons=form.reasons.data,
                decided_on=form.decided_on.data,
                actor_id=_actor(),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The committee’s decision has been published."), "success")
            return redirect_after_post(
                url_for("places.petition", council=council, place_id=place_id, petition_id=petition_id)
            )
    return render(
        "places/decide.html",
        view=view,
        form=form,
        status=form_status(form),
        title=_("Publish the committee’s decision"),
    )
