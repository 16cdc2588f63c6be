"""Jury use cases: creating a jury, seating, replies, replacements keeping quotas, attendance, payments."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from sqlmodel import select

from pbapp.audit import AuditEvent
from pbapp.core.csv_writer import cell as neutralise_cell
from pbapp.errors import Conflict, Invalid, NotAllowed, NotFound
from pbapp.juries import services
from pbapp.juries.models import CONFIRMED, INVITED, REPLACED, RESERVE, Juror, Jury
from pbapp.mail import OutboxMessage
from pbapp.sortition import services as sortition
from pbapp.sortition.models import Person, PersonContact, Pool, SelectionRun
from tests import factories as base
from tests.juries import factories
from tests.sortition import factories as sortition_factories


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


def _fresh(db, model, ident):
    db.commit()
    obj = db.get(model, ident)
    db.refresh(obj)
    return obj


def test_create_jury_makes_its_pool_and_checks_the_facilitator(db, demo):
    facilitator = factories.facilitator_id(db, demo)
    jury = services.create_jury(
        db,
        demo,
        remit="  How should   we spend £1m? ",
        panel_size=30,
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 2, 1),
        facilitator_id=facilitator,
        budget_book_id=7,
        honorarium_pence=4000,
    )
    assert jury.remit == "How should we spend £1m?" and jury.budget_book_id == 7
    pool = db.get(Pool, jury.pool_id)
    assert pool.panel_size == 30 and pool.retention_until > jury.ends_on
    officer = base.user_by_email(db, "officer@demo.example")
    with pytest.raises(Invalid, match="facilitator"):
        services.create_jury(
            db,
            demo,
            remit="Q?",
            panel_size=30,
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 2, 1),
            facilitator_id=officer.id,
        )
    with pytest.raises(Invalid, match="last day"):
        services.create_jury(
            db,
            demo,
            remit="Q?",
            panel_size=30,
            starts_on=date(2027, 1, 2),
            ends_on=date(2027, 1, 1),
            facilitator_id=facilitator,
        )


def test_a_facilitator_reaches_only_their_own_jury(db, demo):
    mine = factories.jury(db, demo)
    other_facilitator = base.user(db, council=demo, role="facilitator")
    theirs = factories.jury(db, demo, facilitator=other_facilitator.id)
    me = base.user_by_email(db, "facilitator@demo.example")
    assert services.jury_for(db, demo, mine.id, me).id == mine.id
    with pytest.raises(NotAllowed):
        services.jury_for(db, demo, theirs.id, me)
    assert mine.id in [j.id for j in services.juries_for(db, demo, me)]
    assert theirs.id not in [j.id for j in services.juries_for(db, demo, me)]
    with pytest.raises(NotFound):
        services.get_jury(db, base.council(db), mine.id)


def test_seating_a_drawn_run_invites_the_panel_once(app, db, demo):
    jury = factories.seated_jury(app, db, demo)
    jurors = factories.jurors(db, jury)
    assert len(jurors) == 4 and {j.status for j in jurors} == {INVITED}
    with pytest.raises(Conflict):
        services.seat_run(db, demo, _fresh(db, Jury, jury.id), jury.selection_run_id, None)


def test_invitations_are_emailed_with_a_reply_link(app, db, demo):
    jury = factories.seated_jury(app, db, demo)
    assert services.send_invitations(db, demo, jury, None) == 4
    assert services.send_invitations(db, demo, jury, None) == 0
    message = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    token = re.search(r"/juries/respond/(\S+)", message.body).group(1)
    juror = services.respond(db, token, accept=True)
    assert juror.status == CONFIRMED
    with pytest.raises(Conflict):
        services.respond(db, token, accept=False)


def test_status_changes_follow_the_rules(app, db, demo):
    jury = factories.seated_jury(app, db, demo)
    first, second, *_ = factories.jurors(db, jury)
    assert services.change_juror(db, demo, jury, first.id, "confirm", None).status == CONFIRMED
    with pytest.raises(Conflict):
        services.change_juror(db, demo, jury, first.id, "confirm", None)
    assert services.change_juror(db, demo, jury, first.id, "withdraw", None).status == "withdrawn"
    with pytest.raises(Conflict):
        services.change_juror(db, demo, jury, second.id, "withdraw", None)
    with pytest.raises(Invalid):
        services.change_juror(db, demo, jury, second.id, "explode", None)


def _replacement_run(app, db, demo) -> tuple[Jury, list[Juror], SelectionRun]:
    """A seated jury of four from 16 volunteers: three confirmed, one declined, and the run to replace them."""
    pool = sortition_factories.pool(db, demo, people=16)
    jury = factories.seated_jury(app, db, demo, the_pool=pool)
    jurors = factories.jurors(db, jury)
    for juror in jurors[:3]:
        services.change_juror(db, demo, jury, juror.id, "confirm", None)
    services.change_juror(db, demo, jury, jurors[3].id, "decline", None)
    run = services.start_replacement(db, demo, _fresh(db, Jury, jury.id), "replacement", None)
    return jury, jurors, _fresh(db, SelectionRun, run.id)


def test_a_replacement_keeps_the_quotas_given_those_confirmed(app, db, demo):
    jury, jurors, run = _replacement_run(app, db, demo)
    snapshot = json.loads(run.pool_input)
    confirmed_ids = {db.get(Person, j.person_id).public_id for j in jurors[:3]}
    assert set(snapshot["include"]) == confirmed_ids
    sortition.draw(db, demo, run, 3, None)
    run = _fresh(db, SelectionRun, run.id)
    assert confirmed_ids <= set(run.panel_ids())
    assert all(r["min"] <= r["selected"] <= r["max"] for r in run.report_data()["quota_report"])
    assert services.seat_run(db, demo, _fresh(db, Jury, jury.id), run.id, None) == 1
    statuses = sorted(j.status for j in factories.jurors(db, jury))
    assert statuses == sorted([CONFIRMED] * 3 + [REPLACED, INVITED])
    seated = len(db.exec(select(AuditEvent).where(AuditEvent.action == "jury.seated")).all())
    with pytest.raises(Conflict, match="already on the jury"):
        services.seat_run(db, demo, _fresh(db, Jury, jury.id), run.id, None)
    db.rollback()
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "jury.seated")).all()) == seated


def test_a_replacement_draw_is_re_created_by_the_command_it_prints(app, db, demo, tmp_path):
    import shlex
    import zipfile

    from click.testing import CliRunner

    from pbapp.sortition.cli import replace_command

    _jury, _jurors, run = _replacement_run(app, db, demo)
    sortition.draw(db, demo, run, 3, None)
    run = _fresh(db, SelectionRun, run.id)
    view = sortition.run_view(run)
    snapshot = json.loads(run.pool_input)
    seats = run.panel_size - len(snapshot["include"])
    candidates = len(snapshot["people"]) - len(snapshot["include"]) - len(snapshot["exclude"])
    assert view.chart["fair"] == pytest.approx(seats / candidates)  # not the whole panel over the whole pool
    command = shlex.split(view.command)
    assert command[:2] == ["pbapp", "replace"]
    zipfile.ZipFile(io.BytesIO(sortition.input_archive(run))).extractall(tmp_path)
    result = CliRunner().invoke(replace_command, [str(tmp_path / command[2]), *command[3:], "--json"])
    assert result.exit_code == 0, result.output
    drawn = json.loads(result.output)
    assert set(drawn["replacements"]) == set(run.panel_ids()) - set(snapshot["include"])


def test_reserves_are_drawn_for_unconfirmed_seats_and_can_be_promoted(app, db, demo):
    pool = sortition_factories.pool(db, demo, people=16)
    jury = factories.seated_jury(app, db, demo, the_pool=pool)
    jurors = factories.jurors(db, jury)
    for juror in jurors[:2]:
        services.change_juror(db, demo, jury, juror.id, "confirm", None)
    run = services.start_replacement(db, demo, _fresh(db, Jury, jury.id), "reserve", None)
    sortition.draw(db, demo, _fresh(db, SelectionRun, run.id), 0, None)
    added = services.seat_run(db, demo, _fresh(db, Jury, jury.id), run.id, None)
    reserves = [j for j in factories.jurors(db, jury) if j.status == RESERVE]
    assert added == len(reserves) == 2 and sorted(j.reserve_rank for j in reserves) == [1, 2]
    with pytest.raises(Conflict, match="Every seat"):
        services.change_juror(db, demo, jury, reserves[0].id, "promote", None)
    services.change_juror(db, demo, jury, jurors[2].id, "decline", None)
    assert services.change_juror(db, demo, jury, reserves[0].id, "promote", None).status == INVITED
    assert _fresh(db, Juror, jurors[2].id).status == REPLACED


def test_attendance_honoraria_and_expenses_make_the_payments_file(app, db, demo):
    jury = factories.seated_jury(app, db, demo)
    jurors = factories.jurors(db, jury)
    for juror in jurors:
        services.change_juror(db, demo, jury, juror.id, "confirm", None)
    day = services.add_session(db, demo, jury, title="Day one", held_on=date(2027, 1, 9), actor_id=None)
    services.record_attendance(db, demo, jury, day, {jurors[0].id, jurors[1].id}, None)
    services.add_expense(db, demo, jury, juror_id=jurors[0].id, kind="travel", amount_pence=1250, actor_id=None)
    with pytest.raises(Invalid):
        services.add_expense(db, demo, jury, juror_id=jurors[0].id, kind="travel", amount_pence=0)
    contact = db.exec(select(PersonContact).where(PersonContact.person_id == jurors[0].person_id)).one()
    contact.name = '=HYPERLINK("http://evil")'
    db.add(contact)
    db.commit()
    rows = list(csv.DictReader(io.StringIO(services.payments_csv(db, demo, jury, None))))
    first = next(r for r in rows if r["honorarium_gbp"] == "50.00" and r["expenses_gbp"] == "12.50")
    assert first["total_gbp"] == "62.50" and first["name"].startswith("'=")
    assert sum(1 for r in rows if r["sessions_attended"] == "0") == 2


@pytest.mark.parametrize(
    "value,safe",
    [("=1+2", "'=1+2"), ("+44 1254", "'+44 1254"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("Ada", "Ada"), ("", "")],
)
def test_payment_cells_that_would_run_as_formulas_get_an_apostrophe(value, safe):
    assert neutralise_cell(value) == safe
