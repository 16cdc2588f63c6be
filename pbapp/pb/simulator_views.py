"""Officer routes of the budget simulator: pick budget-book lines, set limits, steps, consequences and tax.

The resident's side is the ballot's own pages (pb.ballot, pb.check, pb.meter, pb.submit), which draw
a simulator ballot with the simulator_* templates.
"""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbapp.bilingual import welsh_values
from pbapp.confirm import ActionForm, check_action
from pbapp.councils.services import get_council
from pbapp.db import get_session
from pbapp.errors import DomainError, Invalid, show_on_form
from pbapp.htmx import redirect_after_post, render
from pbapp.pb import bp, permissions, simulator
from pbapp.pb.simulator_forms import LineForm, LinesForm, SetupForm
from pbapp.security import requires


def _money(pence: int) -> str:
    from pbapp.templating import money  # the template filter, so choices read as pages do

    return money(pence)


def _lines_form(view, form: LinesForm | None = None) -> LinesForm:
    form = form or LinesForm()
    form.lines.choices = [
        (line.id, f"{line.name} ({line.ra_line}) – {_money(line.net_pence)}")
        for line in view.book_lines
        if line.id not in view.chosen_ids and line.net_pence > 0
    ]
    return form


def _setup_form(view) -> SetupForm:
    if request.method == "POST":
        return SetupForm()
    setup = view.setup
    return SetupForm(
        data={
            "savings": setup.savings_pence or None,
            "tax_enabled": setup.tax_enabled,
            "band_d": setup.band_d_pence or None,
            "tax_base": setup.tax_base or None,
            "tax_min_percent": setup.tax_min_percent if setup.tax_enabled else -2,
            "tax_max_percent": setup.tax_max_percent if setup.tax_enabled else 5,
        }
    )


def _page(council: str, ballot_id: int, *, lines_form=None, setup_form=None, status: int = 200):
    db = get_session()
    the_council = get_council(db, council)
    view = simulator.setup_view(db, the_council, ballot_id)
    return render(
        "pb/simulator_setup.html",
        council=the_council,
        view=view,
        lines_form=_lines_form(view, lines_form),
        setup_form=setup_form or _setup_form(view),
        action=ActionForm(),
        status=status,
        title=_("Set up the budget simulator"),
    )


@bp.route("/<council>/manage/ballots/<int:ballot_id>/simulator")
@requires(permissions.RUN_PB)
def simulator_setup(council: str, ballot_id: int):
    return _page(council, ballot_id)


@bp.route("/<council>/manage/ballots/<int:ballot_id>/simulator/lines", methods=["POST"])
@requires(permissions.RUN_PB)
def simulator_add_lines(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    form = _lines_form(simulator.setup_view(db, the_council, ballot_id))
    if form.validate_on_submit():
        try:
            added = simulator.add_lines(
                db,
                the_council,
                ballot_id,
                current_user,
                line_ids=form.lines.data or [],
                min_percent=form.min_percent.data,
                max_percent=form.max_percent.data,
                step_percent=form.step_percent.data,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("%(n)d lines added. Write what each step would mean for the service.", n=len(added)), "success")
            return redirect_after_post(url_for("pb.simulator_setup", council=council, ballot_id=ballot_id))
    return _page(council, ballot_id, lines_form=form, status=422)


@bp.route("/<council>/manage/ballots/<int:ballot_id>/simulator/setup", methods=["POST"])
@requires(permissions.RUN_PB)
def simulator_save_setup(council: str, ballot_id: int):
    db = get_session()
    the_council = get_council(db, council)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            simulator.save_setup(
                db,
                the_council,
                ballot_id,
                current_user,
                savings_pence=form.savings.data or 0,
                tax_enabled=bool(form.tax_enabled.data),
                band_d_pence=form.band_d.data,
                tax_base=form.tax_base.data,
                tax_min_percent=form.tax_min_percent.data,
                tax_max_percent=form.tax_max_percent.data,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The savings and council-tax settings have been saved."), "success")
            return redirect_after_post(url_for("pb.simulator_setup", council=council, ballot_id=ballot_id))
    return _page(council, ballot_id, setup_form=form, status=422)


def _consequences(steps, name: str = "consequence") -> dict[int, str]:
    """What each step would mean, from the boxes `consequence-<percent>` (Welsh: `consequence-cy-<percent>`)."""
    return {p: request.form.get(f"{name}-{p}", "") for p in steps}


@bp.route("/<council>/manage/ballots/<int:ballot_id>/simulator/lines/<line_ref>", methods=["GET", "POST"])
@requires(permissions.RUN_PB)
def simulator_line(council: str, ballot_id: int, line_ref: str):
    db = get_session()
    the_council = get_council(db, council)
    ballot, line = simulator.get_line(db, the_council, ballot_id, line_ref)
    form = LineForm() if request.method == "POST" else LineForm(obj=line)
    error = None
    if form.validate_on_submit():
        try:
            simulator.update_line(
                db,
                the_council,
                ballot_id,
                line_ref,
                current_user,
                min_percent=form.min_percent.data,
                max_percent=form.max_percent.data,
                step_percent=form.step_percent.data,
                consequences=_consequences(range(-100, 101)),
                consequences_cy=_consequences(range(-100, 101), "consequence-cy"),
                welsh=welsh_values(form),
            )
        except Invalid as problem:
            if problem.field and problem.field.startswith("consequence-"):
                error = problem
            else:
                show_on_form(form, problem)
        except DomainError as problem:
            show_on_form(form, problem)
        else:
            flash(_("%(line)s has been saved.", line=line.title), "success")
            return redirect_after_post(url_for("pb.simulator_setup", council=council, ballot_id=ballot_id))
    status = 422 if request.method == "POST" else 200
    texts = (
        {
            f"{name}-{p}": text
            for name in ("consequence", "consequence-cy")
            for p, text in _consequences(range(-100, 101), name).items()
        }
        if request.method == "POST"
        else None
    )
    return render(
        "pb/simulator_line.html",
        council=the_council,
        ballot=ballot,
        line=line,
        form=form,
        error=error,
        steps=simulator.line_steps(line, form),
        texts=texts,
        status=status,
        title=line.title,
    )


@bp.route("/<council>/manage/ballots/<int:ballot_id>/simulator/lines/<line_ref>/remove", methods=["POST"])
@requires(permissions.RUN_PB)
def simulator_remove_line(council: str, ballot_id: int, line_ref: str):
    db = get_session()
    check_action()
    simulator.remove_line(db, get_council(db, council), ballot_id, line_ref, current_user)
    flash(_("The line has been taken off the simulator."), "success")
    return redirect_after_post(url_for("pb.simulator_setup", council=council, ballot_id=ballot_id))


def _board(ballot, options, chosen):
    return simulator.board(ballot, options, chosen)


def _results(view):
    return simulator.result_lines(get_session(), view.ballot, view.computed)


bp.add_app_template_global(_board, "pb_simulator_board")
bp.add_app_template_global(_results, "pb_simulator_results")
