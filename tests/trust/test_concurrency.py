"""Actions that must happen once, fired many times in parallel at a real multi-worker server.

Each test releases PARALLEL requests at the same instant (a barrier) against four gunicorn workers
on the test database (SQLite by default, PostgreSQL with TEST_DATABASE_URL) and checks: exactly
one request made the change, the database holds exactly one effect, and nobody saw a server error
(the others get the action's plain refusal, or see that it is already done).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import func, select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.juries import services as jury_services
from pbapp.juries.models import CONFIRMED, DECLINED, INVITED, Juror, Jury
from pbapp.ledger.models import Response
from pbapp.mail import OutboxMessage
from pbapp.sortition.models import COMPLETE, Pool, SelectionRun
from tests.conftest import DEMO_PASSWORD, ROLE_EMAILS
from tests.juries import factories as jury_factories
from tests.ledger import factories as ledger_factories
from tests.sortition import factories as sortition_factories
from tests.trust import figures
from tests.trust.conftest import WebUser, fire

# One server for the module's tests (module_server): `make test` keeps them on one xdist worker.
pytestmark = pytest.mark.xdist_group("concurrency-server")

PARALLEL = 24


def _held(action: str, responses, *, made: int, effects: int) -> list[int]:
    """Check no server error, record the figures, and return the statuses."""
    statuses = [r.status_code for r in responses]
    errors = [r for r in responses if r.status_code >= 500 or "Sorry, there is a problem with the service" in r.text]
    figures.add("parallel_requests", len(responses), detail=action)
    figures.add("parallel_actions", 1, detail=action)
    figures.add("server_errors", len(errors), detail=action)
    figures.add("effects_expected", 1, detail=action)
    figures.add("effects_found", effects, detail=action)
    assert not errors, f"{action}: server errors {statuses}"
    assert made == 1, f"{action}: {made} requests reported success: {statuses}"
    assert effects == 1, f"{action}: {effects} effects in the database"
    return statuses


def _events(db, action: str, *subject_ids) -> int:
    db.commit()  # a fresh snapshot: what the server's workers committed
    found = db.exec(
        select(func.count())
        .select_from(audit.AuditEvent)
        .where(audit.AuditEvent.action == action, audit.AuditEvent.subject_id.in_([str(i) for i in subject_ids]))
    ).one()
    db.commit()
    return found


def _officer_tabs(server) -> list[WebUser]:
    return WebUser(server.url).sign_in(ROLE_EMAILS["officer"], DEMO_PASSWORD).tabs(PARALLEL)


def _post_all(users: list[WebUser], path: str, data_for, *, token_from: str) -> list:
    tokens = [user.token(token_from) for user in users]

    def send(n: int):
        return users[n].http.post(
            users[n].base_url + path, data={**data_for(n), "csrf_token": tokens[n]}, allow_redirects=False, timeout=120
        )

    return fire(len(users), send)


def test_the_same_registration_in_parallel_makes_one_account(module_server, db, demo):
    users = [WebUser(module_server.url) for _ in range(PARALLEL)]
    responses = _post_all(
        users,
        "/accounts/register",
        lambda n: {
            "name": "Same Person",
            "email": "same.person@example.org",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
        token_from="/accounts/register",
    )
    db.commit()
    accounts = db.exec(select(func.count()).select_from(User).where(User.email == "same.person@example.org")).one()
    confirmations = db.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.to == "same.person@example.org", OutboxMessage.subject == "Confirm your email address")
    ).one()
    db.commit()
    # Every request gets the same reply (registration does not reveal a taken address): one
    # confirmation link is sent, and the owner is told of the other attempts.
    statuses = _held("register an account", responses, made=confirmations, effects=accounts)
    assert set(statuses) == {200}, statuses


def test_an_officer_confirming_a_juror_in_parallel_confirms_once(app, module_server, db, demo):
    jury = jury_factories.seated_jury(app, db, demo)
    juror = jury_factories.jurors(db, jury)[0]
    jury_page = f"/juries/{demo.slug}/{jury.id}"
    responses = _post_all(
        _officer_tabs(module_server),
        f"{jury_page}/jurors/{juror.id}",
        lambda n: {"action": "confirm"},
        token_from=jury_page,
    )
    statuses = _held(
        "officer confirms a juror",
        responses,
        made=[r.status_code for r in responses].count(303),
        effects=_events(db, "juror.confirm", juror.id),
    )
    assert sorted(set(statuses)) == [303, 409], statuses
    assert all("already changed" in r.text for r in responses if r.status_code == 409)
    assert db.exec(select(Juror.status).where(Juror.id == juror.id)).one() == CONFIRMED
    db.commit()


def _invitation_token(app, db, demo, jury: Jury) -> str:
    with app.test_request_context():
        from pbapp.db import get_session

        session = get_session()
        jury_services.send_invitations(session, session.get(type(demo), demo.id), session.get(Jury, jury.id), None)
        session.close()
    message = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    db.commit()
    return re.search(r"/juries/respond/(\S+)", message.body).group(1)


def test_a_juror_answering_their_link_in_parallel_answers_once(app, module_server, db, demo):
    jury = jury_factories.seated_jury(app, db, demo)
    token = _invitation_token(app, db, demo, jury)
    link = f"/juries/respond/{token}"
    users = [WebUser(module_server.url) for _ in range(PARALLEL)]
    # Half say yes and half say no, as from a phone and a laptop at once: only the first answer counts.
    responses = _post_all(users, link, lambda n: {"answer": "yes" if n % 2 else "no"}, token_from=link)
    ids = [j.id for j in jury_factories.jurors(db, jury)]
    answers = _events(db, "juror.confirm", *ids) + _events(db, "juror.decline", *ids)
    statuses = _held(
        "juror answers the invitation link",
        responses,
        made=[r.status_code for r in responses].count(303),
        effects=answers,
    )
    assert sorted(set(statuses)) == [303, 409], statuses
    assert all("already replied" in r.text for r in responses if r.status_code == 409)
    statuses_now = db.exec(select(Juror.status).where(Juror.jury_id == jury.id)).all()
    db.commit()
    assert sorted(statuses_now).count(INVITED) == len(statuses_now) - 1
    assert {CONFIRMED, DECLINED} & set(statuses_now)


def test_drawing_a_panel_in_parallel_draws_once(app, module_server, db, demo):
    pool = sortition_factories.pool(db, demo)
    run = sortition_factories.drawn_run(app, db, demo, pool, draw=False)
    run_page = f"/sortition/{demo.slug}/runs/{run.id}"
    responses = _post_all(
        _officer_tabs(module_server),
        f"{run_page}/draw",
        lambda n: {"number": str(n % run.lottery_size)},
        token_from=run_page,
    )
    winners = [n for n, r in enumerate(responses) if r.status_code == 303]
    statuses = _held(
        "officer draws the panel", responses, made=len(winners), effects=_events(db, "selection.drawn", run.id)
    )
    assert sorted(set(statuses)) == [303, 422], statuses
    refused = [r.text for r in responses if r.status_code == 422]
    assert all("already been drawn" in t or "not waiting for a draw" in t for t in refused), [
        re.findall(r"error-message[^>]*>([^<]*<[^<]*<[^<]*)", t) or re.findall(r"<li>(.*?)</li>", t)[:3]
        for t in refused[:2]
    ]
    db.expire_all()
    drawn = db.get(SelectionRun, run.id)
    db.commit()
    assert drawn.status == COMPLETE and drawn.draw_number == winners[0] % run.lottery_size


def test_seating_a_drawn_panel_in_parallel_seats_it_once(app, module_server, db, demo):
    jury = jury_factories.jury(db, demo)
    run = sortition_factories.drawn_run(app, db, demo, db.get(Pool, jury.pool_id))
    jury_page = f"/juries/{demo.slug}/{jury.id}"
    responses = _post_all(
        _officer_tabs(module_server), f"{jury_page}/seat", lambda n: {"run_id": str(run.id)}, token_from=jury_page
    )
    jurors = jury_factories.jurors(db, jury)
    statuses = _held(
        "officer seats the drawn panel",
        responses,
        made=[r.status_code for r in responses].count(303),
        effects=_events(db, "jury.seated", jury.id),
    )
    assert sorted(set(statuses)) == [303, 409], statuses
    assert all("already been seated" in r.text for r in responses if r.status_code == 409)
    assert len(jurors) == jury.panel_size
    db.expire_all()
    assert db.get(Jury, jury.id).selection_run_id == run.id
    db.commit()


def test_recording_the_councils_response_in_parallel_records_it_once(app, module_server, db, demo):
    item = ledger_factories.item(db, demo)
    form = f"/ledger/{demo.slug}/register/{item.id}/response"
    responses = _post_all(
        _officer_tabs(module_server),
        form,
        lambda n: {
            "outcome": "accepted",
            "reasons": "The cabinet agreed to fund it in full.",
            "decided_by": "cabinet",
            "decided_on": date.today().isoformat(),
        },
        token_from=form,
    )
    db.commit()
    rows = db.exec(select(Response).where(Response.item_id == item.id)).all()
    db.commit()
    # Every submission lands on the item's page; the same decision submitted again changes nothing.
    statuses = _held(
        "officer records the council's response",
        responses,
        made=len(rows),
        effects=_events(db, "record.response_recorded", item.id),
    )
    assert set(statuses) == {303}, statuses
    assert rows[0].outcome == "accepted"
    assert audit.verify(db) is None
