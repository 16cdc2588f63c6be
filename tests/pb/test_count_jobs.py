"""A count whose worker died says so on its page, with the reason, and can be started again there."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from pbapp import jobs
from pbapp.timeutil import utcnow
from tests.pb import factories


def test_a_count_whose_worker_died_is_failed_and_counted_again(app, client, login_as, db, demo):
    ballot = factories.ballot(app, db, demo)
    login_as("officer")
    assert client.post(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/close").status_code == 303
    job = db.exec(select(jobs.Job).where(jobs.Job.kind == f"pb.count:{ballot.id}")).one()
    job.status, job.progress, job.heartbeat_at = jobs.RUNNING, 10, utcnow() - timedelta(minutes=2)
    db.add(job)
    db.commit()
    count_page = f"/pb/{demo.slug}/manage/ballots/{ballot.id}/count"
    page = client.get(count_page).get_data(as_text=True)
    assert "The count stopped" in page and "worker running this job stopped" in page and "Count again" in page
    assert client.post(count_page).status_code == 303
    db.expire_all()
    latest = db.exec(
        select(jobs.Job).where(jobs.Job.kind == f"pb.count:{ballot.id}").order_by(jobs.Job.id.desc())
    ).first()
    assert latest.id != job.id and latest.status == jobs.DONE
