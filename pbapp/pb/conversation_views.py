"""Pages of the conversation on proposals: comments, reports, supports and follows, and the moderation queue."""

from __future__ import annotations

from flask import flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.confirm import ActionForm
from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.pb import bp, conversation, forms, permissions, services
from pbapp.security import limiter, requires

# Comments are rate-limited per client on top of moderation, so one person cannot flood a proposal.
COMMENT_LIMIT = "5 per minute;30 per day"


def _to_proposal(council: str, proposal_id: int, anchor: str = "conversation"):
    return redirect_after_post(url_for("pb.proposal", council=council, proposal_id=proposal_id, _anchor=anchor))


def _act(council: str, proposal_id: int, action, done: str, anchor: str = "conversation"):
    """Run a one-button action on a proposal, say what happened, and go back to the proposal."""
    db = get_session()
    try:
        action(db, get_council(db, council))
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(done, "success")
    return _to_proposal(council, proposal_id, anchor)


@bp.route("/<council>/proposals/<int:proposal_id>/comments", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
@limiter.limit(COMMENT_LIMIT)
def comment(council: str, proposal_id: int):
    db = get_session()
    the_council = get_council(db, council)
    form = forms.CommentForm()
    if form.validate_on_submit():
        try:
            conversation.add_comment(db, the_council, proposal_id, current_user, form.body.data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Your comment is published."), "success")
            return _to_proposal(council, proposal_id, "comments")
    # The proposal page again, with the error and the words typed kept in the box.
    from pbapp.pb.views import proposal_page

    return proposal_page(db, the_council, proposal_id, comment_form=form, status=422)


@bp.route("/<council>/comments/<int:comment_id>/report", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
@limiter.limit(COMMENT_LIMIT)
def report_comment(council: str, comment_id: int):
    db = get_session()
    the_council = get_council(db, council)
    ActionForm().validate_on_submit()
    try:
        found = conversation.report_comment(db, the_council, comment_id, current_user)
    except DomainError as error:
        flash(error.message, "error")
        from pbapp.pb.models import ProposalComment

        item = db.get(ProposalComment, comment_id)
        if item is None or item.council_id != the_council.id:
            raise
        return _to_proposal(council, item.proposal_id, "comments")
    flash(_("Thank you. The council will look at this comment."), "success")
    return _to_proposal(council, found.proposal_id, "comments")


@bp.route("/<council>/proposals/<int:proposal_id>/support", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
def support(council: str, proposal_id: int):
    ActionForm().validate_on_submit()
    return _act(
        council,
        proposal_id,
        lambda db, c: conversation.support(db, c, proposal_id, current_user),
        _("You support this proposal. You will get an email when the council publishes its review."),
    )


@bp.route("/<council>/proposals/<int:proposal_id>/unsupport", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
def withdraw_support(council: str, proposal_id: int):
    ActionForm().validate_on_submit()
    return _act(
        council,
        proposal_id,
        lambda db, c: conversation.withdraw_support(db, c, proposal_id, current_user),
        _("You no longer support this proposal."),
    )


@bp.route("/<council>/proposals/<int:proposal_id>/follow", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
def follow(council: str, proposal_id: int):
    ActionForm().validate_on_submit()
    return _act(
        council,
        proposal_id,
        lambda db, c: conversation.set_following(db, c, proposal_id, current_user, follow=True),
        _("You follow this proposal: we will email you when its review or result is published."),
    )


@bp.route("/<council>/proposals/<int:proposal_id>/unfollow", methods=["POST"])
@requires(permissions.ACCOUNT_HOLDER)
def unfollow(council: str, proposal_id: int):
    ActionForm().validate_on_submit()
    return _act(
        council,
        proposal_id,
        lambda db, c: conversation.set_following(db, c, proposal_id, current_user, follow=False),
        _("You no longer follow this proposal."),
    )


@bp.route("/<council>/comments")
@requires(permissions.RUN_PB)
def moderation(council: str):
    db = get_session()
    the_council = get_council(db, council)
    return render(
        "pb/moderation.html",
        council=the_council,
        queue=conversation.moderation_queue(db, the_council),
        form=forms.ModerateForm(),
        title=_("Comments to moderate"),
    )


@bp.route("/<council>/comments/<int:comment_id>/<any(publish, hide):decision>", methods=["POST"])
@requires(permissions.RUN_PB)
def moderate(council: str, comment_id: int, decision: str):
    db = get_session()
    the_council = get_council(db, council)
    form = forms.ModerateForm()
    if form.validate_on_submit():
        try:
            conversation.moderate_comment(
                db, the_council, comment_id, current_user, publish=decision == "publish", reason=form.reason.data or ""
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _("The comment is published again.") if decision == "publish" else _("The comment is hidden."),
                "success",
            )
    return redirect_after_post(url_for("pb.moderation", council=council))


@bp.route("/<council>/manage/processes/<int:process_id>/supports", methods=["POST"])
@requires(permissions.RUN_PB)
def support_threshold(council: str, process_id: int):
    db = get_session()
    the_council = get_council(db, council)
    form = forms.SupportThresholdForm()
    if form.validate_on_submit():
        process = services.get_process(db, the_council, process_id)
        process.support_threshold = form.support_threshold.data
        from pbapp import audit

        audit.record(
            db,
            "pb.support_threshold_set",
            "pb_process",
            process.id,
            council_id=the_council.id,
            actor_id=current_user.id,
            support_threshold=process.support_threshold,
        )
        db.commit()
        flash(
            _("Saved. Proposals now go to review once they have %(n)d supports.", n=process.support_threshold)
            if process.support_threshold
            else _("Saved. Every proposal goes to review."),
            "success",
        )
    else:
        for message in form.support_threshold.errors:
            flash(message, "error")
    return redirect_after_post(url_for("pb.manage_process", council=council, process_id=process_id, _anchor="supports"))
