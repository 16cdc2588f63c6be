"""Uploads waiting for confirmation are held on the server: the page carries an id, never the files."""

from __future__ import annotations

import base64
import io
import time
from datetime import timedelta

from sqlmodel import func, select

from pbapp import jobs, pending
from pbapp.sortition.models import Person
from tests import factories as base
from tests.conftest import login
from tests.sortition import data, factories
from tests.sortition.test_views import _hidden, _selected


def _upload(client, council, pool, people: str, features: str = data.FEATURES):
    return client.post(
        f"/sortition/{council.slug}/pools/{pool.id}/upload",
        data={
            "file_format": "pbapp",
            "features": (io.BytesIO(features.encode()), "features.csv"),
            "people": (io.BytesIO(people.encode()), "people.csv"),
        },
        content_type="multipart/form-data",
    )


def _confirm(client, council, pool, html: str):
    form = dict(_hidden(html), step="import", **_selected(html))
    return client.post(f"/sortition/{council.slug}/pools/{pool.id}/upload", data=form)


def _people_in(db, pool) -> int:
    db.commit()
    return db.exec(select(func.count()).select_from(Person).where(Person.pool_id == pool.id)).one()


def test_the_confirmation_page_carries_an_id_not_the_files(client, login_as, db, demo):
    login_as("officer")
    pool = factories.pool(db, demo, people=0)
    people = data.people(12)
    html = _upload(client, demo, pool, people).get_data(as_text=True)
    hidden = _hidden(html)
    assert set(hidden) >= {"upload"} and "features_data" not in hidden and "people_data" not in hidden
    assert base64.b64encode(people.encode()).decode()[:40] not in html
    assert "v12@example.org" not in "".join(hidden.values())
    assert _confirm(client, demo, pool, html).status_code == 303
    assert _people_in(db, pool) == 12
    db.expire_all()
    assert db.exec(select(pending.PendingUpload)).all() == []  # let go of once imported


def test_near_the_upload_limit_the_import_is_not_refused(make_app, db, demo):
    """Both files together at 80% of the limit: carried back base64 in the page they were 413."""
    people = data.people(40)
    limit = int(len((data.FEATURES + people).encode()) / 0.8)
    app = make_app(MAX_CONTENT_LENGTH=limit)
    client = app.test_client()
    login(client, "officer@demo.example")
    pool = factories.pool(db, demo, people=0)
    html = _upload(client, demo, pool, people).get_data(as_text=True)
    response = _confirm(client, demo, pool, html)
    assert response.status_code == 303
    assert _people_in(db, pool) == 40


def test_another_officer_cannot_confirm_someone_elses_upload(client, login_as, db, demo):
    login_as("officer")
    pool = factories.pool(db, demo, people=0)
    html = _upload(client, demo, pool, data.people(12)).get_data(as_text=True)
    client.post("/accounts/logout")
    other = base.user(db, council=demo, role="officer")
    login(client, other.email, base.PASSWORD)
    response = _confirm(client, demo, pool, html)
    assert response.status_code == 422 and "no longer held" in response.get_data(as_text=True)
    assert _people_in(db, pool) == 0


def test_an_expired_upload_is_refused(client, login_as, db, demo):
    login_as("officer")
    pool = factories.pool(db, demo, people=0)
    html = _upload(client, demo, pool, data.people(12)).get_data(as_text=True)
    held = db.exec(select(pending.PendingUpload)).one()
    held.expires_at = held.created_at - timedelta(minutes=1)
    db.add(held)
    db.commit()
    response = _confirm(client, demo, pool, html)
    assert response.status_code == 422 and "Upload them again" in response.get_data(as_text=True)


def test_a_pool_of_ten_thousand_is_imported_by_a_job_with_progress(make_app, db, demo):
    app = make_app(JOBS_INLINE=False)
    client = app.test_client()
    login(client, "officer@demo.example")
    pool = factories.pool(db, demo, people=0)
    # Features only, so the request stays under the test client's 500 kB spooling threshold.
    people = "id,sex,age\n" + "".join(
        f"P{i:05d},{'Female' if i % 2 else 'Male'},{'18-39' if i % 3 else '40+'}\n" for i in range(1, 10_001)
    )
    html = _upload(client, demo, pool, people).get_data(as_text=True)
    response = _confirm(client, demo, pool, html)
    assert response.status_code == 303 and "/imports/" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Adding the volunteers" in page
    for _ in range(600):
        db.commit()
        job = db.exec(select(jobs.Job).where(jobs.Job.kind == "sortition.import")).one()
        db.refresh(job)
        if job.finished:
            break
        time.sleep(0.1)
    assert job.status == jobs.DONE, job.error
    assert _people_in(db, pool) == 10_000
    assert "10000 volunteers were added" in client.get(response.location).get_data(as_text=True).replace(",", "")


def test_a_finished_import_polled_by_its_page_goes_to_the_pool(client, login_as, db, demo):
    pool = factories.pool(db, demo, people=0)
    job = jobs.Job(
        kind="sortition.import",
        council_id=demo.id,
        status=jobs.DONE,
        progress=100,
        result='{"count": 300, "pool_id": %d}' % pool.id,
    )
    db.add(job)
    db.commit()
    login_as("officer")
    url = f"/sortition/{demo.slug}/pools/{pool.id}/imports/{job.id}"
    polled = client.get(url, headers={"HX-Request": "true"})
    assert polled.headers["HX-Redirect"] == f"/sortition/{demo.slug}/pools/{pool.id}"
    # htmx queues a second poll behind the first; on a slow server it too finds the job done.
    assert client.get(url, headers={"HX-Request": "true"}).headers["HX-Redirect"] == polled.headers["HX-Redirect"]
    pool_page = client.get(polled.headers["HX-Redirect"]).get_data(as_text=True)
    assert pool_page.count("300 volunteers were added to the pool.") == 1
    assert "300 volunteers were added" in client.get(url).get_data(as_text=True)  # the page itself, without htmx
