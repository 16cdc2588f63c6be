"""Routes of a jury's deliberation: the facilitator's pages, the juror portal and the public jury page."""

from __future__ import annotations

from flask import current_app, flash, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pbapp.bilingual import welsh_values
from pbapp.downloads import uploaded_file
from pbapp.templating import in_language
from pbapp.core.money import parse_pounds
from pbapp.confirm import ActionForm, confirm_page
from pbapp.councils.models import Council
from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, Invalid, form_status, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.deliberation import bp
from pbapp.deliberation import services
from pbapp.deliberation import permissions
from pbapp.deliberation.forms import (
    AnswerForm,
    AttendanceForm,
    ConsentForm,
    EvidenceEditForm,
    EvidenceForm,
    LinkAccountForm,
    NewRecommendationForm,
    PollForm,
    QuestionForm,
    RecommendationForm,
    ReplyForm,
    RequestForm,
    RoundForm,
    VoteForm,
    WitnessForm,
    with_line_rows,
)
from pbapp.deliberation.models import ALLOCATION_POLL
from pbapp.security import requires
from pbapp.links import external_url

BASE = "/<council>/<int:jury_id>"


def _choices(pairs, blank=None) -> list[SelectChoice]:
    first = [SelectChoice(0, blank)] if blank else []
    return first + [SelectChoice(value, label) for value, label in pairs]


def _council(slug: str) -> Council:
    """The council in the URL (NotFound if there is none): the deliberation services take the council itself."""
    return get_council(get_session(), slug)


def _dashboard_url(council: str, jury_id: int) -> str:
    return url_for("deliberation.deliberation", council=council, jury_id=jury_id)


def _portal_url(council: str, jury_id: int) -> str:
    return url_for("deliberation.portal", council=council, jury_id=jury_id)


@bp.route(BASE + "/deliberation")
@requires(permissions.RUN_JURY)
def deliberation(council: str, jury_id: int):
    view = services.dashboard(get_session(), _council(council), jury_id, current_user)
    return render("deliberation/rounds.html", view=view, title=_("Running the jury"))


@bp.route(BASE + "/rounds/new", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def new_round(council: str, jury_id: int):
    the_council = _council(council)
    db, form = get_session(), RoundForm()
    view = services.dashboard(db, the_council, jury_id, current_user)
    if form.validate_on_submit():
        try:
            item = services.create_round(
                db,
                the_council,
                jury_id,
                current_user,
                title=form.title.data,
                held_on=form.held_on.data,
                kind=form.kind.data,
                starts_at=form.starts_at.data,
                place=form.place.data,
                link=form.link.data,
                agenda=form.agenda.data,
                title_cy=form.title_cy.data or "",
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Round added."), "success")
            return redirect_after_post(
                url_for("deliberation.round_detail", council=council, jury_id=jury_id, round_id=item.id)
            )
    return render(
        "deliberation/rounds_new.html", view=view, form=form, status=form_status(form), title=_("Add a round")
    )


@bp.route(BASE + "/rounds/<int:round_id>")
@requires(permissions.RUN_JURY)
def round_detail(council: str, jury_id: int, round_id: int):
    view = services.round_detail(get_session(), _council(council), jury_id, round_id, current_user)
    return render(
        "deliberation/rounds_detail.html", view=view, form=ActionForm(), title=in_language(view.meeting, "title")
    )


@bp.route(BASE + "/rounds/<int:round_id>/attendance", methods=["POST"])
@requires(permissions.RUN_JURY)
def round_attendance(council: str, jury_id: int, round_id: int):
    form = AttendanceForm()
    if not form.validate_on_submit():
        return round_detail(council, jury_id, round_id)
    count = services.record_round_attendance(
        get_session(), _council(council), jury_id, round_id, current_user, set(form.present.data or [])
    )
    flash(_("Attendance saved: %(count)d present.", count=count), "success")
    return redirect_after_post(
        url_for("deliberation.round_detail", council=council, jury_id=jury_id, round_id=round_id)
    )


@bp.route(BASE + "/witnesses/new", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def new_witness(council: str, jury_id: int):
    the_council = _council(council)
    db, form = get_session(), WitnessForm()
    view = services.dashboard(db, the_council, jury_id, current_user)
    form.round_id.choices = _choices([(r.id, m.title) for r, m in view.rounds], _("No particular round"))
    if form.validate_on_submit():
        try:
            services.add_witness(
                db,
                the_council,
                jury_id,
                current_user,
                name=form.name.data,
                organisation=form.organisation.data,
                view=form.view.data,
                stance=form.stance.data,
                asked_by=form.asked_by.data,
                round_id=form.round_id.data,
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Witness added to the register."), "success")
            return redirect_after_post(_dashboard_url(council, jury_id) + "#witnesses")
    return render(
        "deliberation/evidence_witness.html", view=view, form=form, status=form_status(form), title=_("Add a witness")
    )


@bp.route(BASE + "/evidence/new", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def new_evidence(council: str, jury_id: int):
    the_council = _council(council)
    db, form = get_session(), EvidenceForm()
    view = services.dashboard(db, the_council, jury_id, current_user)
    form.round_id.choices = _choices([(r.id, m.title) for r, m in view.rounds], _("No particular round"))
    form.witness_id.choices = _choices([(w.id, w.name) for w in view.witnesses], _("No witness"))
    if form.validate_on_submit():
        upload = form.upload.data
        try:
            services.add_evidence(
                db,
                the_council,
                jury_id,
                current_user,
                kind=form.kind.data,
                title=form.title.data,
                summary=form.summary.data,
                body=form.body.data,
                url=form.url.data,
                round_id=form.round_id.data,
                witness_id=form.witness_id.data,
                upload=(upload.filename or "", upload.read()) if upload else None,
                publish=form.publish.data,
                welsh=welsh_values(form),
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Evidence added."), "success")
            return redirect_after_post(_dashboard_url(council, jury_id) + "#evidence")
    return render(
        "deliberation/evidence_new.html", view=view, form=form, status=form_status(form), title=_("Add evidence")
    )


@bp.route(BASE + "/evidence/<int:evidence_id>/publish", methods=["POST"])
@requires(permissions.RUN_JURY)
def publish_evidence(council: str, jury_id: int, evidence_id: int):
    if ActionForm().validate_on_submit():
        services.publish_evidence(get_session(), _council(council), jury_id, evidence_id, current_user)
        flash(_("Evidence published."), "success")
    return redirect_after_post(_dashboard_url(council, jury_id) + "#evidence")


@bp.route(BASE + "/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def edit_round(council: str, jury_id: int, round_id: int):
    the_council = _council(council)
    db = get_session()
    staffed = services.round_for_staff(db, the_council, jury_id, round_id, current_user)
    item, meeting = staffed.item, staffed.meeting
    form = RoundForm(
        data={
            "title": meeting.title,
            "title_cy": meeting.title_cy,
            "held_on": meeting.held_on,
            "kind": item.kind,
            "starts_at": item.starts_at,
            "place": item.place,
            "link": item.link,
            "agenda": item.agenda,
        }
        if request.method == "GET"
        else None
    )
    back = url_for("deliberation.round_detail", council=council, jury_id=jury_id, round_id=round_id)
    if form.validate_on_submit():
        try:
            services.update_round(
                db,
                the_council,
                jury_id,
                round_id,
                current_user,
                title=form.title.data,
                held_on=form.held_on.data,
                kind=form.kind.data,
                starts_at=form.starts_at.data,
                place=form.place.data,
                link=form.link.data,
                agenda=form.agenda.data,
                title_cy=form.title_cy.data or "",
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Round updated."), "success")
            return redirect_after_post(back)
    return render(
        "deliberation/rounds_new.html",
        view=staffed,
        form=form,
        status=form_status(form),
        heading=_("Change the round"),
        action=request.path,
        submit=_("Save the changes"),
        title=_("Change the round"),
    )


@bp.route(BASE + "/rounds/<int:round_id>/delete", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def delete_round(council: str, jury_id: int, round_id: int):
    the_council = _council(council)
    db = get_session()
    meeting = services.round_for_staff(db, the_council, jury_id, round_id, current_user).meeting
    return confirm_page(
        lambda: services.delete_round(db, the_council, jury_id, round_id, current_user),
        heading=_("Delete the round “%(title)s”?", title=in_language(meeting, "title")),
        what=_("Use this for a round added by mistake. Evidence and witnesses linked to it stay in the library."),
        warning=_("You cannot undo this."),
        button=_("Delete the round"),
        back=url_for("deliberation.round_detail", council=council, jury_id=jury_id, round_id=round_id),
        done=_("Round deleted."),
        after=_dashboard_url(council, jury_id) + "#rounds",
    )


@bp.route(BASE + "/witnesses/<int:witness_id>/edit", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def edit_witness(council: str, jury_id: int, witness_id: int):
    the_council = _council(council)
    db = get_session()
    witness = services.witness_for_staff(db, the_council, jury_id, witness_id, current_user).item
    view = services.dashboard(db, the_council, jury_id, current_user)
    form = WitnessForm(obj=witness if request.method == "GET" else None)
    form.round_id.choices = _choices([(r.id, m.title) for r, m in view.rounds], _("No particular round"))
    if request.method == "GET":
        form.round_id.data = witness.round_id or 0
    if form.validate_on_submit():
        try:
            services.update_witness(
                db,
                the_council,
                jury_id,
                witness_id,
                current_user,
                name=form.name.data,
                organisation=form.organisation.data,
                view=form.view.data,
                stance=form.stance.data,
                asked_by=form.asked_by.data,
                round_id=form.round_id.data,
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Witness updated."), "success")
            return redirect_after_post(_dashboard_url(council, jury_id) + "#witnesses")
    return render(
        "deliberation/evidence_witness.html",
        view=view,
        form=form,
        status=form_status(form),
        heading=_("Change the witness’s entry"),
        action=request.path,
        submit=_("Save the changes"),
        title=_("Change the witness’s entry"),
    )


@bp.route(BASE + "/witnesses/<int:witness_id>/delete", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def delete_witness(council: str, jury_id: int, witness_id: int):
    the_council = _council(council)
    db = get_session()
    witness = services.witness_for_staff(db, the_council, jury_id, witness_id, current_user).item
    return confirm_page(
        lambda: services.delete_witness(db, the_council, jury_id, witness_id, current_user),
        heading=_("Take %(name)s off the witness register?", name=witness.name),
        what=_(
            "Use this for a witness added by mistake or who did not come. A witness whose evidence "
            "or answers the jury has stays on the register."
        ),
        warning=_("You cannot undo this."),
        button=_("Take off the register"),
        back=_dashboard_url(council, jury_id) + "#witnesses",
        done=_("Witness taken off the register."),
        after=_dashboard_url(council, jury_id) + "#witnesses",
    )


@bp.route(BASE + "/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def edit_evidence(council: str, jury_id: int, evidence_id: int):
    the_council = _council(council)
    db = get_session()
    item = services.evidence_for_staff(db, the_council, jury_id, evidence_id, current_user).item
    view = services.dashboard(db, the_council, jury_id, current_user)
    form = EvidenceEditForm(obj=item if request.method == "GET" else None)
    form.round_id.choices = _choices([(r.id, m.title) for r, m in view.rounds], _("No particular round"))
    form.witness_id.choices = _choices([(w.id, w.name) for w in view.witnesses], _("No witness"))
    if request.method == "GET":
        form.round_id.data, form.witness_id.data = item.round_id or 0, item.witness_id or 0
    if form.validate_on_submit():
        upload = form.upload.data
        try:
            services.update_evidence(
                db,
                the_council,
                jury_id,
                evidence_id,
                current_user,
                title=form.title.data,
                summary=form.summary.data,
                body=form.body.data,
                url=form.url.data,
                round_id=form.round_id.data,
                witness_id=form.witness_id.data,
                upload=(upload.filename or "", upload.read()) if upload else None,
                welsh=welsh_values(form),
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Evidence updated."), "success")
            return redirect_after_post(_dashboard_url(council, jury_id) + "#evidence")
    return render(
        "deliberation/evidence_new.html",
        view=view,
        form=form,
        kind=item.kind,
        status=form_status(form),
        heading=_("Change the evidence"),
        action=request.path,
        submit=_("Save the changes"),
        title=_("Change the evidence"),
    )


@bp.route(BASE + "/evidence/<int:evidence_id>/withdraw", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def withdraw_evidence(council: str, jury_id: int, evidence_id: int):
    the_council = _council(council)
    db = get_session()
    item = services.evidence_for_staff(db, the_council, jury_id, evidence_id, current_user).item
    return confirm_page(
        lambda: services.withdraw_evidence(db, the_council, jury_id, evidence_id, current_user),
        heading=_("Withdraw “%(title)s” from publication?", title=in_language(item, "title")),
        what=_("Jurors and the public will no longer see it. It stays in the library, and you can publish it again."),
        warning=_("Say in the next round why it was withdrawn."),
        button=_("Withdraw the evidence"),
        back=_dashboard_url(council, jury_id) + "#evidence",
        done=_("Evidence withdrawn."),
        after=_dashboard_url(council, jury_id) + "#evidence",
    )


@bp.route(BASE + "/evidence/<int:evidence_id>/delete", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def delete_evidence(council: str, jury_id: int, evidence_id: int):
    the_council = _council(council)
    db = get_session()
    item = services.evidence_for_staff(db, the_council, jury_id, evidence_id, current_user).item
    return confirm_page(
        lambda: services.delete_evidence(db, the_council, jury_id, evidence_id, current_user),
        heading=_("Delete “%(title)s”?", title=in_language(item, "title")),
        what=_("Only evidence that is not published can be deleted."),
        warning=_("You cannot undo this."),
        button=_("Delete the evidence"),
        back=_dashboard_url(council, jury_id) + "#evidence",
        done=_("Evidence deleted."),
        after=_dashboard_url(council, jury_id) + "#evidence",
    )


@bp.route(BASE + "/evidence/<int:evidence_id>")
@requires(permissions.ANYONE)
def evidence(council: str, jury_id: int, evidence_id: int):
    view = services.evidence_detail(get_session(), _council(council), jury_id, evidence_id, current_user)
    return render("deliberation/evidence_detail.html", view=view, title=in_language(view.evidence, "title"))


@bp.route(BASE + "/evidence/<int:evidence_id>/file")
@requires(permissions.ANYONE)
def evidence_file(council: str, jury_id: int, evidence_id: int):
    item, data = services.evidence_file(get_session(), _council(council), jury_id, evidence_id, current_user)
    cache = "private, no-store" if item.published_at is None else "public, max-age=300"
    return uploaded_file(data, "application/pdf", item.file_name, cache_control=cache)


@bp.route(BASE + "/requests/<int:evidence_request_id>", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def reply_request(council: str, jury_id: int, evidence_request_id: int):
    the_council = _council(council)
    db, form = get_session(), ReplyForm()
    view = services.dashboard(db, the_council, jury_id, current_user)
    if form.validate_on_submit():
        try:
            services.reply_to_request(
                db,
                the_council,
                jury_id,
                evidence_request_id,
                current_user,
                status=form.status.data,
                reply=form.reply.data,
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Reply saved."), "success")
            return redirect_after_post(_dashboard_url(council, jury_id) + "#requests")
    item = next((r for r in view.requests if r.id == evidence_request_id), None)
    return render(
        "deliberation/evidence_reply.html",
        view=view,
        item=item,
        form=form,
        status=form_status(form) if item else 404,
        title=_("Reply to a request"),
    )


@bp.route(BASE + "/questions/<int:question_id>/answer", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def answer_question(council: str, jury_id: int, question_id: int):
    db = get_session()
    the_council, jury, question = services.question_for_answer(
        db, _council(council), jury_id, question_id, current_user
    )
    form = AnswerForm(obj=question if request.method == "GET" and question.answer else None)
    if form.validate_on_submit():
        try:
            services.answer_question(
                db,
                the_council,
                jury_id,
                question_id,
                current_user,
                answer=form.answer.data,
                answered_by=form.answered_by.data,
                publish=form.publish.data,
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Answer saved."), "success")
            return redirect_after_post(_dashboard_url(council, jury_id) + "#questions")
    return render(
        "deliberation/questions_answer.html",
        council=the_council,
        jury=jury,
        question=question,
        form=form,
        status=form_status(form),
        title=_("Answer a question"),
    )


@bp.route(BASE + "/rounds/<int:round_id>/polls/new", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def new_poll(council: str, jury_id: int, round_id: int):
    the_council = _council(council)
    db, form = get_session(), PollForm()
    view = services.round_detail(db, the_council, jury_id, round_id, current_user)
    form.line_ids.choices = _choices(services.budget_line_choices(db, the_council))
    if form.validate_on_submit():
        try:
            services.create_poll(
                db,
                the_council,
                jury_id,
                round_id,
                current_user,
                kind=form.kind.data,
                question=form.question.data,
                total_pence=form.total.data or 0,
                line_ids=form.line_ids.data,
                low_pence=form.low.data or 0,
                high_pence=form.high.data,
                option_labels=(form.options.data or "").splitlines(),
                max_choices=form.max_choices.data,
                question_cy=form.question_cy.data or "",
                option_labels_cy=(form.options_cy.data or "").splitlines(),
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Poll set up. Open it when the jury is ready."), "success")
            return redirect_after_post(
                url_for("deliberation.round_detail", council=council, jury_id=jury_id, round_id=round_id)
            )
    return render(
        "deliberation/polls_new.html", view=view, form=form, status=form_status(form), title=_("Set up a straw poll")
    )


def _poll_state(council: str, jury_id: int, poll_id: int, open_it: bool):
    if ActionForm().validate_on_submit():
        poll = services.set_poll_state(
            get_session(), _council(council), jury_id, poll_id, current_user, open_it=open_it
        )
        flash(_("Poll opened.") if open_it else _("Poll closed. The results are on the round page."), "success")
        return redirect_after_post(
            url_for("deliberation.round_detail", council=council, jury_id=jury_id, round_id=poll.round_id)
        )
    return redirect_after_post(_dashboard_url(council, jury_id))


@bp.route(BASE + "/polls/<int:poll_id>/open", methods=["POST"])
@requires(permissions.RUN_JURY)
def open_poll(council: str, jury_id: int, poll_id: int):
    return _poll_state(council, jury_id, poll_id, True)


@bp.route(BASE + "/polls/<int:poll_id>/close", methods=["POST"])
@requires(permissions.RUN_JURY)
def close_poll(council: str, jury_id: int, poll_id: int):
    return _poll_state(council, jury_id, poll_id, False)


@bp.route(BASE + "/polls/<int:poll_id>/room")
@requires(permissions.RUN_JURY)
def poll_room(council: str, jury_id: int, poll_id: int):
    view = services.poll_room(get_session(), _council(council), jury_id, poll_id, current_user)
    return render("deliberation/polls_room.html", view=view, title=_("Answers from the room"))


@bp.route(BASE + "/polls/<int:poll_id>/room/<int:juror_id>", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def room_ballot(council: str, jury_id: int, poll_id: int, juror_id: int):
    the_council = _council(council)
    db, form, error = get_session(), ActionForm(), None
    view, name, own = services.room_ballot_for_juror(db, the_council, jury_id, poll_id, juror_id, current_user)
    if form.validate_on_submit():
        try:
            services.enter_room_ballot(
                db, the_council, jury_id, poll_id, juror_id, current_user, _ballot_from_form(view)
            )
        except DomainError as problem:
            error = problem.message
        else:
            flash(_("Answer from the room saved for %(name)s.", name=name), "success")
            return redirect_after_post(
                url_for("deliberation.poll_room", council=council, jury_id=jury_id, poll_id=poll_id)
            )
    return render(
        "deliberation/polls_room_ballot.html",
        view=view,
        juror_name=name,
        juror_id=juror_id,
        own=own,
        form=form,
        error=error,
        submitted=request.form,
        status=422 if error else 200,
        title=_("Answer given in the room"),
    )


def _recommendation_form(db, council: str, form_class, shown: int):
    """The draft form with as many line rows as asked for ("Add another budget line" asks for one more)."""
    if request.method == "POST":
        shown = request.form.get("rows", type=int) or shown
        shown += "add_line" in request.form
    choices = _choices(services.budget_line_choices(db, _council(council)), _("No budget line"))
    form = with_line_rows(form_class, shown, choices)()
    form.rows.data = str(form.line_rows)
    return form, "add_line" not in request.form


@bp.route(BASE + "/recommendations/new", methods=["GET", "POST"])
@requires(permissions.JURY_MEMBER)
def new_recommendation(council: str, jury_id: int):
    the_council = _council(council)
    db = get_session()
    back = services.member_home(db, the_council, jury_id, current_user)
    form, saving = _recommendation_form(db, council, NewRecommendationForm, 3)
    if saving and form.validate_on_submit():
        try:
            rec = services.draft_recommendation(
                db,
                the_council,
                jury_id,
                current_user,
                title=form.title.data,
                text=form.text.data,
                lines=form.lines(),
                threshold_percent=form.threshold_percent.data,
                note=form.note.data,
                welsh=welsh_values(form),
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            return redirect_after_post(
                url_for("deliberation.recommendation", council=council, jury_id=jury_id, recommendation_id=rec.id)
            )
    return render(
        "deliberation/recommendations_new.html",
        form=form,
        back=back,
        council=council,
        jury_id=jury_id,
        status=form_status(form),
        title=_("Draft a recommendation"),
    )


@bp.route(BASE + "/recommendations/<int:recommendation_id>", methods=["GET", "POST"])
@requires(permissions.JURY_MEMBER)
def recommendation(council: str, jury_id: int, recommendation_id: int):
    the_council = _council(council)
    db = get_session()
    compare = (request.args.get("from", type=int), request.args.get("to", type=int))
    view = services.recommendation_detail(
        db, the_council, jury_id, recommendation_id, current_user, compare if all(compare) else None
    )
    form, saving = _recommendation_form(db, council, RecommendationForm, len(view.latest_lines) + 1)
    if saving and form.validate_on_submit():
        try:
            services.revise_recommendation(
                db,
                the_council,
                jury_id,
                recommendation_id,
                current_user,
                title=form.title.data,
                text=form.text.data,
                lines=form.lines(),
                note=form.note.data,
                welsh=welsh_values(form),
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("New version saved."), "success")
            return redirect_after_post(request.path)
    if request.method == "GET":
        rows = {f"line_{n}": line.budget_line_id for n, line in enumerate(view.latest_lines)}
        rows |= {f"change_{n}": line.change_pence for n, line in enumerate(view.latest_lines)}
        form.process(obj=view.latest, note="", rows=str(form.line_rows), **rows)
    return render(
        "deliberation/recommendations_detail.html",
        view=view,
        form=form,
        vote_form=VoteForm(),
        action_form=ActionForm(),
        status=form_status(form),
        title=in_language(view.latest, "title"),
    )


@bp.route(BASE + "/recommendations/<int:recommendation_id>/vote/open", methods=["POST"])
@requires(permissions.RUN_JURY)
def open_recommendation_vote(council: str, jury_id: int, recommendation_id: int):
    if ActionForm().validate_on_submit():
        services.open_recommendation_vote(get_session(), _council(council), jury_id, recommendation_id, current_user)
        flash(_("The vote is open."), "success")
    return redirect_after_post(
        url_for("deliberation.recommendation", council=council, jury_id=jury_id, recommendation_id=recommendation_id)
    )


@bp.route(BASE + "/recommendations/<int:recommendation_id>/vote/close", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def close_recommendation_vote(council: str, jury_id: int, recommendation_id: int):
    db = get_session()
    back = url_for("deliberation.recommendation", council=council, jury_id=jury_id, recommendation_id=recommendation_id)
    public_url = external_url("deliberation.public_jury", council=council, jury_id=jury_id)
    return confirm_page(
        lambda: services.close_recommendation_vote(
            db, _council(council), jury_id, recommendation_id, current_user, public_url=public_url
        ),
        heading=_("Close the vote and count it?"),
        what=_(
            "Jurors can no longer vote on this recommendation. The count is published on the jury’s page, and "
            "an adopted recommendation goes to the council’s budget-setting record for a response."
        ),
        warning=_("You cannot open the vote again."),
        button=_("Close the vote and count it"),
        back=back,
        done=_("The vote is closed and counted."),
        after=back,
    )


@bp.route(BASE + "/recommendations/<int:recommendation_id>/room-votes", methods=["POST"])
@requires(permissions.RUN_JURY)
def room_votes(council: str, jury_id: int, recommendation_id: int):
    if ActionForm().validate_on_submit():
        choices = {
            int(key.split("-", 1)[1]): value
            for key, value in request.form.items()
            if key.startswith("vote-") and key.split("-", 1)[1].isdigit()
        }
        entered, cleared = services.record_room_votes(
            get_session(), _council(council), jury_id, recommendation_id, current_user, choices
        )
        flash(_("%(count)d votes from the room entered.", count=entered), "success")
        if cleared:
            flash(
                ngettext(
                    "%(num)d vote entered from the room cleared.",
                    "%(num)d votes entered from the room cleared.",
                    cleared,
                ),
                "success",
            )
    return redirect_after_post(
        url_for("deliberation.recommendation", council=council, jury_id=jury_id, recommendation_id=recommendation_id)
    )


@bp.route(BASE + "/juror-accounts", methods=["GET", "POST"])
@requires(permissions.RUN_JURY)
def juror_accounts(council: str, jury_id: int):
    the_council = _council(council)
    db, form = get_session(), LinkAccountForm()
    view = services.juror_accounts(db, the_council, jury_id, current_user)
    form.juror_id.choices = _choices([(j.id, name) for j, name, _email in view.rows])
    if form.validate_on_submit():
        try:
            services.link_juror_account(
                db, the_council, jury_id, current_user, juror_id=form.juror_id.data, email=form.email.data
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("The juror can now use their jury page."), "success")
            return redirect_after_post(request.path)
    return render(
        "deliberation/portal_accounts.html", view=view, form=form, status=form_status(form), title=_("Jurors' accounts")
    )


@bp.route(BASE + "/portal")
@requires(permissions.JUROR)
def portal(council: str, jury_id: int):
    view = services.portal(get_session(), _council(council), jury_id, current_user)
    return render(
        "deliberation/portal.html",
        view=view,
        consent_form=ConsentForm(consent=view.account.name_consent),
        title=_("Your jury"),
    )


@bp.route(BASE + "/portal/questions/new", methods=["GET", "POST"])
@requires(permissions.JUROR)
def ask_question(council: str, jury_id: int):
    the_council = _council(council)
    db, form = get_session(), QuestionForm()
    view = services.portal(db, the_council, jury_id, current_user)
    form.witness_id.choices = _choices([(w.id, w.name) for w in view.witnesses], _("Choose a witness"))
    if form.validate_on_submit():
        try:
            services.ask_question(
                db,
                the_council,
                jury_id,
                current_user,
                text=form.text.data,
                addressed_to=form.addressed_to.data,
                witness_id=form.witness_id.data,
            )
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Your question has been sent. The answer will appear on your jury page."), "success")
            return redirect_after_post(_portal_url(council, jury_id) + "#questions")
    return render(
        "deliberation/questions_ask.html", view=view, form=form, status=form_status(form), title=_("Ask a question")
    )


@bp.route(BASE + "/portal/requests/new", methods=["GET", "POST"])
@requires(permissions.JUROR)
def ask_for_evidence(council: str, jury_id: int):
    the_council = _council(council)
    db, form = get_session(), RequestForm()
    view = services.portal(db, the_council, jury_id, current_user)
    if form.validate_on_submit():
        try:
            services.ask_for_evidence(db, the_council, jury_id, current_user, kind=form.kind.data, text=form.text.data)
        except Invalid as error:
            show_on_form(form, error)
        else:
            flash(_("Your request has been sent to the facilitator."), "success")
            return redirect_after_post(_portal_url(council, jury_id) + "#requests")
    return render(
        "deliberation/evidence_request.html",
        view=view,
        form=form,
        status=form_status(form),
        title=_("Ask for a witness or evidence"),
    )


def _ballot_from_form(view) -> dict[int, int] | list[int]:
    if view.poll.kind == ALLOCATION_POLL:
        amounts = {}
        for option in view.options:
            try:
                amounts[option.id] = parse_pounds(request.form.get(f"amount-{option.id}", "") or "0")
            except ValueError as error:
                raise Invalid(_("Enter amounts in pounds, like £25,000"), field="choices") from error
        return amounts
    if view.poll.kind == "ranking":
        ranked = sorted(
            (request.form.get(f"rank-{o.id}", type=int), o.id)
            for o in view.options
            if request.form.get(f"rank-{o.id}", type=int)
        )
        return [option_id for _rank, option_id in ranked]
    return request.form.getlist("choices", type=int)


@bp.route(BASE + "/portal/polls/<int:poll_id>", methods=["GET", "POST"])
@requires(permissions.JUROR)
def vote_poll(council: str, jury_id: int, poll_id: int):
    the_council = _council(council)
    db, form, error = get_session(), ActionForm(), None
    view = services.poll_for_juror(db, the_council, jury_id, poll_id, current_user)
    if form.validate_on_submit():
        try:
            services.cast_poll_ballot(db, the_council, jury_id, poll_id, current_user, _ballot_from_form(view))
        except DomainError as problem:
            error = problem.message
        else:
            flash(_("Your answer is saved. You can change it until the poll closes."), "success")
            return redirect_after_post(_portal_url(council, jury_id) + "#polls")
    return render(
        "deliberation/polls_vote.html",
        view=view,
        form=form,
        error=error,
        submitted=request.form,
        status=422 if error else 200,
        title=view.poll.question,
    )


@bp.route(BASE + "/portal/recommendations/<int:recommendation_id>/vote", methods=["POST"])
@requires(permissions.JUROR)
def vote_recommendation(council: str, jury_id: int, recommendation_id: int):
    the_council = _council(council)
    form = VoteForm()
    target = url_for(
        "deliberation.recommendation", council=council, jury_id=jury_id, recommendation_id=recommendation_id
    )
    services.require_juror_of(get_session(), the_council, jury_id, current_user)
    if form.validate_on_submit():
        services.vote_on_recommendation(
            get_session(), the_council, jury_id, recommendation_id, current_user, form.choice.data
        )
        flash(_("Your vote is recorded. You can change it until the vote closes."), "success")
    else:
        flash(_("Choose how you vote"), "error")
    return redirect_after_post(target)


@bp.route(BASE + "/portal/consent", methods=["POST"])
@requires(permissions.JUROR)
def name_consent(council: str, jury_id: int):
    the_council = _council(council)
    form = ConsentForm()
    services.require_juror_of(get_session(), the_council, jury_id, current_user)
    if form.validate_on_submit():
        services.set_name_consent(get_session(), the_council, jury_id, current_user, bool(form.consent.data))
        flash(_("Your choice is saved."), "success")
    return redirect_after_post(_portal_url(council, jury_id))


@bp.route(BASE + "/public")
@requires(permissions.ANYONE)
def public_jury(council: str, jury_id: int):
    view = services.public_page(get_session(), _council(council), jury_id)
    report = None
    if view.jury.selection_run_id and "sortition.report" in current_app.view_functions:
        report = url_for("sortition.report", council=council, run_id=view.jury.selection_run_id)
    return render(
        "deliberation/public.html", view=view, selection_report_url=report, title=in_language(view.jury, "remit")
    )
