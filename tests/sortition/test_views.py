"""Sortition pages: upload with preview and mapping, quotas with the live check, runs, draw, reports."""

from __future__ import annotations

import io
import json
import re

from sqlmodel import func, select

from pbapp.sortition.models import InvitationCode, Person, PersonContact, SelectionRun
from tests import factories as base
from tests.sortition import data, factories


def _pool(db, demo, **kwargs):
    return factories.pool(db, demo, **kwargs)


def _upload(client, demo, pool, people: str, features: str = data.FEATURES, fmt="pbapp"):
    return client.post(
        f"/sortition/{demo.slug}/pools/{pool.id}/upload",
        data={
            "file_format": fmt,
            "features": (io.BytesIO(features.encode()), "features.csv"),
            "people": (io.BytesIO(people.encode()), "people.csv"),
        },
        content_type="multipart/form-data",
    )


def _hidden(html: str) -> dict:
    return dict(
        re.findall(r'<input[^>]*name="(\w+)"[^>]*type="hidden"[^>]*value="([^"]*)"', html)
        + re.findall(r'<input[^>]*type="hidden"[^>]*name="(\w+)"[^>]*value="([^"]*)"', html)
    )


def _selected(html: str) -> dict:
    found = {}
    for name, body in re.findall(r'<select[^>]*name="(map-[^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def test_upload_previews_maps_then_imports(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo, people=0)
    page = _upload(client, demo, pool, data.people(12))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Check the columns" in html and "Volunteer 1" in html
    form = dict(_hidden(html), step="import", **_selected(html))
    assert form["map-feature:age"] == "age" and form["map-email"] == "email"
    response = client.post(f"/sortition/{demo.slug}/pools/{pool.id}/upload", data=form)
    assert response.status_code == 303
    db.commit()
    assert db.exec(select(func.count()).select_from(Person).where(Person.pool_id == pool.id)).one() == 12
    assert "12 volunteers were added" in client.get(response.location).get_data(as_text=True)


def test_a_bad_file_comes_back_with_its_line_and_nothing_is_saved(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo, people=0)
    html = _upload(client, demo, pool, data.people(12).replace("P005,Female,18-39", "P005,Female,teen")).get_data(
        as_text=True
    )
    form = dict(_hidden(html), step="import", **_selected(html))
    response = client.post(f"/sortition/{demo.slug}/pools/{pool.id}/upload", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "people.csv, line 6" in body and "teen" in body
    db.commit()
    assert db.exec(select(func.count()).select_from(Person).where(Person.pool_id == pool.id)).one() == 0


def test_a_file_that_is_not_utf8_is_refused_at_once(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo, people=0)
    response = client.post(
        f"/sortition/{demo.slug}/pools/{pool.id}/upload",
        data={
            "file_format": "pbapp",
            "features": (io.BytesIO(data.FEATURES.encode()), "features.csv"),
            "people": (
                io.BytesIO((data.HEADER + "P1,Female,40+,H,Zoë,z@x.org,,1 Lane,BB1 7DY\n").encode("cp1252")),
                "people.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "line 2" in response.get_data(as_text=True)


def test_the_quota_check_answers_htmx_with_a_fragment(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo)
    values = {v.value: v.id for v in _values(db, pool)}
    form = {f"min_{i}": "1" for i in values.values()} | {f"max_{i}": "3" for i in values.values()}
    form |= {
        f"min_{values['Female']}": "4",
        f"max_{values['Female']}": "4",
        f"min_{values['Male']}": "0",
        f"max_{values['Male']}": "0",
        f"min_{values['18-39']}": "4",
        f"max_{values['18-39']}": "4",
        f"min_{values['40+']}": "0",
        f"max_{values['40+']}": "0",
    }
    response = client.post(
        f"/sortition/{demo.slug}/pools/{pool.id}/quotas/check", data=form, headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "No panel can meet these quotas" in html and "The smallest change that would work" in html


def test_the_quota_check_works_without_javascript(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo)
    values = {v.value: v.id for v in _values(db, pool)}
    form = {"action": "check", f"min_{values['Female']}": "x"}
    response = client.post(f"/sortition/{demo.slug}/pools/{pool.id}/quotas", data=form)
    assert response.status_code == 422 and "whole number" in response.get_data(as_text=True)
    response = client.post(f"/sortition/{demo.slug}/pools/{pool.id}/quotas", data={"action": "check"})
    assert "A panel can meet every quota" in response.get_data(as_text=True)


def test_saving_quotas(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo)
    values = {v.value: v.id for v in _values(db, pool)}
    form = {"action": "save", "one_per_household": "y", f"min_{values['Female']}": "2", f"max_{values['Female']}": "2"}
    assert client.post(f"/sortition/{demo.slug}/pools/{pool.id}/quotas", data=form).status_code == 303
    db.commit()
    db.refresh(pool)
    assert pool.one_per_household


def _values(db, pool):
    from pbapp.sortition.services import features_of

    return [v for _f, vs in features_of(db, pool) for v in vs]


def test_codes_download_then_a_resident_registers(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo, people=0)
    response = client.post(f"/sortition/{demo.slug}/pools/{pool.id}/codes", data={"count": "2"})
    assert response.mimetype == "text/csv"
    code = response.get_data(as_text=True).splitlines()[1]
    client.post("/accounts/logout")
    page = client.post(f"/sortition/{demo.slug}/register", data={"code": "WRONG-CODE1"})
    assert page.status_code == 422 and "not recognised" in page.get_data(as_text=True)
    page = client.post(f"/sortition/{demo.slug}/register", data={"code": code}).get_data(as_text=True)
    assert "Put your name forward" in page and "I agree" in page
    fields = {name: value for name, value in re.findall(r'name="(feature_\d+)"[^>]*value="([^"]+)"', page)}
    form = {
        "code": code,
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "address": "1 Mill Lane",
        "postcode": "BB1 7DY",
        **fields,
    }
    refused = client.post(f"/sortition/{demo.slug}/register", data=form)
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    done = client.post(f"/sortition/{demo.slug}/register", data=dict(form, consent="y"))
    assert "You are in the pool" in done.get_data(as_text=True)
    db.commit()
    assert db.exec(select(PersonContact).where(PersonContact.name == "Ada Lovelace")).one()
    assert (
        db.exec(select(func.count()).select_from(InvitationCode).where(InvitationCode.used_at.is_not(None))).one() == 1
    )


def test_a_run_shows_progress_then_the_draw_then_the_result(client, login_as, app, db, demo):
    login_as("officer")
    pool = _pool(db, demo)
    response = client.post(f"/sortition/{demo.slug}/pools/{pool.id}/runs", data={"algorithm": "leximin"})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Waiting for the public draw" in page and 'id="commitment"' in page and "from 0 to 999" in page
    run_id = int(response.location.rstrip("/").split("/")[-1])
    assert client.post(f"/sortition/{demo.slug}/runs/{run_id}/draw", data={"number": "1000"}).status_code == 422
    drawn = client.post(f"/sortition/{demo.slug}/runs/{run_id}/draw", data={"number": "42"})
    assert drawn.status_code == 303
    page = client.get(drawn.location).get_data(as_text=True)
    assert 'id="panel"' in page and 'id="quota-report"' in page and "<svg" in page and "--draw 42" in page
    report = client.get(f"/sortition/{demo.slug}/runs/{run_id}/report").get_data(as_text=True)
    assert "How the jury was selected" in report and "Volunteer" not in report and "P001" not in report
    pool_page = client.get(f"/sortition/{demo.slug}/pools/{pool.id}").get_data(as_text=True)
    assert "Start the selection" not in pool_page and f"drawn in selection run {run_id}" in pool_page
    again = client.post(f"/sortition/{demo.slug}/pools/{pool.id}/runs", data={"algorithm": "leximin"})
    assert again.status_code == 409 and "already been drawn" in again.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(SelectionRun).where(SelectionRun.pool_id == pool.id)).one() == 1


def test_a_running_job_polls_and_offers_a_refresh_link(client, login_as, db, demo):
    from pbapp import jobs

    login_as("officer")
    pool = _pool(db, demo)
    job = jobs.Job(
        kind="selection",
        council_id=demo.id,
        status=jobs.RUNNING,
        progress=40,
        message="Finding the fairest distribution over panels (LEXIMIN)",
    )
    db.add(job)
    db.flush()
    run = SelectionRun(
        pool_id=pool.id,
        council_id=demo.id,
        panel_size=4,
        status="running",
        job_id=job.id,
        pool_input=json.dumps(
            {"features": [], "people": [], "quotas": [], "include": [], "exclude": [], "panel_size": 4}
        ),
    )
    db.add(run)
    db.commit()
    page = client.get(f"/sortition/{demo.slug}/runs/{run.id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and "<progress" in page and 'value="40"' in page and "Refresh" in page
    fragment = client.get(f"/sortition/{demo.slug}/runs/{run.id}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "HX-Refresh" not in fragment.headers


def test_personal_data_export_is_json_for_one_person(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo)
    person = db.exec(select(Person).where(Person.pool_id == pool.id, Person.public_id == "P002")).one()
    response = client.get(f"/sortition/{demo.slug}/people/{person.id}/export")
    payload = json.loads(response.get_data(as_text=True))
    assert response.mimetype == "application/json" and payload["contact"]["name"] == "Volunteer 2"
    assert payload["id"] == "P002" and "Volunteer 3" not in response.get_data(as_text=True)


def test_another_councils_pool_is_not_found(client, login_as, db, demo):
    login_as("officer")
    other = base.council(db)
    pool = factories.pool(db, other)
    assert client.get(f"/sortition/{demo.slug}/pools/{pool.id}").status_code == 404
    person = db.exec(select(Person).where(Person.pool_id == pool.id)).first()
    assert client.get(f"/sortition/{demo.slug}/people/{person.id}/export").status_code == 404


def test_the_pool_page_reminds_of_retention_and_erases(client, login_as, db, demo):
    from datetime import date, timedelta

    login_as("officer")
    pool = _pool(db, demo)
    pool.retention_until = date.today() + timedelta(days=10)
    db.add(pool)
    db.commit()
    page = client.get(f"/sortition/{demo.slug}/pools/{pool.id}").get_data(as_text=True)
    assert "may be kept only until" in page
    assert client.post(f"/sortition/{demo.slug}/pools/{pool.id}/erase", data={}).status_code == 303
    db.commit()
    assert db.exec(select(func.count()).select_from(PersonContact)).one() > 0
    client.post(f"/sortition/{demo.slug}/pools/{pool.id}/erase", data={"confirm": "y"})
    db.commit()
    ids = db.exec(select(Person.id).where(Person.pool_id == pool.id)).all()
    assert db.exec(select(func.count()).select_from(PersonContact).where(PersonContact.person_id.in_(ids))).one() == 0


def test_personal_data_export_asks_a_remembered_session_to_sign_in_again(client, login_as, db, demo):
    login_as("officer")
    pool = _pool(db, demo)
    person = db.exec(select(Person).where(Person.pool_id == pool.id)).first()
    with client.session_transaction() as session:
        session["_fresh"] = False
    response = client.get(f"/sortition/{demo.slug}/people/{person.id}/export")
    assert response.status_code == 302 and "/accounts/login" in response.location


def test_a_run_whose_worker_died_says_so_and_runs_again(client, login_as, db, demo):
    from datetime import timedelta

    from pbapp import jobs
    from pbapp.timeutil import utcnow

    login_as("officer")
    pool = _pool(db, demo)
    run = factories.drawn_run(client.application, db, demo, pool, draw=False)
    # The worker died part-way: the job stopped beating two minutes ago and the run was left running.
    job = db.get(jobs.Job, run.job_id)
    job.status, job.progress, job.heartbeat_at = jobs.RUNNING, 10, utcnow() - timedelta(minutes=2)
    run.status = "running"
    db.add_all([job, run])
    db.commit()
    page = client.get(f"/sortition/{demo.slug}/runs/{run.id}").get_data(as_text=True)
    assert "Selecting…" not in page and "worker running this job stopped" in page
    assert "Run the selection again" in page
    response = client.post(f"/sortition/{demo.slug}/runs/{run.id}/retry")
    assert response.status_code == 303
    db.expire_all()
    again = db.get(SelectionRun, run.id)
    assert again.status == "awaiting_draw" and again.job_id != job.id
    assert db.get(jobs.Job, again.job_id).attempt == 2
