"""Background jobs record progress, results and failures."""

from __future__ import annotations

from sqlmodel import select

from pbapp import jobs


def counting_job(session, progress, *, upto: int):
    for i in range(upto):
        progress(100 * (i + 1) / upto, f"step {i + 1}")
    return {"counted": upto}


def failing_job(session, progress):
    raise jobs.JobFailed("The quotas cannot be met.")


def crashing_job(session, progress):
    raise RuntimeError("boom")


def test_inline_job_runs_to_done_with_result(app_context, db):
    job = jobs.enqueue(db, "count", counting_job, upto=4)
    db.refresh(job)
    assert job.status == jobs.DONE and job.progress == 100
    assert job.result_data() == {"counted": 4} and job.message == "step 4"
    assert job.function == "tests.test_jobs:counting_job"  # what a worker or a retry finds it by


class _Jobs:
    def method(self, session, progress):
        return {}


def test_only_a_module_level_function_of_the_app_can_be_a_job(app_context, db):
    import os.path

    import pytest

    def nested(session, progress):
        return {}

    refused = (lambda session, progress: {}, nested, _Jobs().method, _Jobs.method, os.path.join, print, "x.y.z")
    for function in refused:
        with pytest.raises(TypeError, match="module-level function"):
            jobs.enqueue(db, "odd", function)
        with pytest.raises(TypeError, match="module-level function"):
            jobs.enqueue_after_commit(db, "odd", function)
    assert db.exec(select(jobs.Job)).all() == []


def test_a_stored_name_leads_back_to_its_function_and_nowhere_else(app_context, db):
    import pytest

    from pbapp import mail

    assert jobs.job_function(jobs.job_name(mail.deliver_job)) is mail.deliver_job
    assert jobs.job_name(mail.deliver_job) == "pbapp.mail:deliver_job"
    for name in ("os:system", "subprocess:run", "pbapp.mail.deliver_job", "pbapp.mail:N_", "pbapp.mail:nothing"):
        with pytest.raises(LookupError):
            jobs.job_function(name)
    job = jobs.Job(kind="odd", function="os:system", status=jobs.QUEUED)
    db.add(job)
    db.commit()
    jobs.run_job(app_context, job.id, job.function, {})  # a row naming anything else fails, running nothing
    db.refresh(job)
    assert job.status == jobs.FAILED and "unexpected error" in job.error


def test_a_job_queued_before_an_upgrade_runs_by_its_rows_renamed_name(app_context, db):
    """RQ hands the worker the name the job was queued with; the upgrade renamed the row, not Redis."""
    job = jobs.Job(kind="count", function=jobs.job_name(counting_job), status=jobs.QUEUED)
    db.add(job)
    db.commit()
    jobs.run_job(app_context, job.id, "tests.test_jobs.counting_job", {"upto": 2})  # the old dotted name
    db.refresh(job)
    assert job.status == jobs.DONE and job.result_data() == {"counted": 2}


def test_job_failure_keeps_the_users_message(app_context, db):
    job = jobs.enqueue(db, "fail", failing_job)
    db.refresh(job)
    assert job.status == jobs.FAILED and job.error == "The quotas cannot be met."


def test_unexpected_crash_is_reported_plainly(app_context, db):
    job = jobs.enqueue(db, "crash", crashing_job)
    db.refresh(job)
    assert job.status == jobs.FAILED and "unexpected error" in job.error


def test_threaded_job_finishes(app_context, db):
    app_context.config["JOBS_INLINE"] = False
    job = jobs.enqueue(db, "count", counting_job, upto=2)
    import time

    for _ in range(100):
        db.commit()  # a fresh snapshot each time round
        db.refresh(job)
        if job.finished:
            break
        time.sleep(0.05)
    assert job.status == jobs.DONE


def _stale(db, job_id: int, status: str, seconds: int = 120) -> None:
    from datetime import timedelta

    from pbapp.timeutil import utcnow

    job = db.get(jobs.Job, job_id)
    job.status = status
    job.progress, job.finished_at, job.result = (10, None, "{}")
    job.heartbeat_at = utcnow() - timedelta(seconds=seconds)
    job.created_at = utcnow() - timedelta(seconds=seconds)
    db.add(job)
    db.commit()


def test_a_job_whose_worker_died_is_failed_with_the_reason_and_runs_again(app_context, db):
    job = jobs.enqueue(db, "count", counting_job, upto=3)
    _stale(db, job.id, jobs.RUNNING)  # its worker stopped beating two minutes ago
    checked = jobs.check_alive(db, db.get(jobs.Job, job.id))
    assert checked.status == jobs.FAILED and "worker running this job stopped" in checked.error
    again = jobs.retry(db, checked)
    assert again.id != job.id and again.attempt == 2
    db.refresh(again)
    assert again.status == jobs.DONE and again.result_data() == {"counted": 3}


def test_a_beating_job_is_left_alone(app_context, db):
    job = jobs.enqueue(db, "count", counting_job, upto=1)
    _stale(db, job.id, jobs.RUNNING, seconds=5)
    assert jobs.check_alive(db, db.get(jobs.Job, job.id)).status == jobs.RUNNING


def test_a_job_given_up_never_runs_twice(app_context, db):
    job = jobs.enqueue(db, "count", counting_job, upto=1)
    _stale(db, job.id, jobs.FAILED)
    jobs.run_job(app_context, job.id, job.function, {"upto": 5})
    db.refresh(job)
    assert job.status == jobs.FAILED and job.result_data() == {}


def test_queue_names_carry_the_deployment_prefix(make_app):
    first, second = make_app(QUEUE_PREFIX="council-a"), make_app(QUEUE_PREFIX="council-b")
    assert jobs.queue_name(first.config) == "council-a-jobs"
    assert jobs.queue_name(first.config) != jobs.queue_name(second.config)
    assert jobs.rq_job_id(first.config, 7) != jobs.rq_job_id(second.config, 7)


def _redis_or_skip(url: str):
    redis = __import__("pytest").importorskip("redis")
    try:
        connection = redis.Redis.from_url(url, socket_connect_timeout=1)
        connection.ping()
    except redis.exceptions.RedisError:
        __import__("pytest").skip("Redis is not running")
    return connection


def test_two_deployments_on_one_redis_keep_their_own_jobs(make_app, db):
    import os

    from rq import Queue

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    connection = _redis_or_skip(url)
    first = make_app(QUEUE_PREFIX="test-deploy-a", REDIS_URL=url, JOBS_INLINE=False)
    second = make_app(QUEUE_PREFIX="test-deploy-b", REDIS_URL=url, JOBS_INLINE=False)
    for app in (first, second):
        Queue(jobs.queue_name(app.config), connection=connection).empty()
    with first.app_context():
        job = jobs.enqueue(db, "count", counting_job, upto=1)
    try:
        assert Queue(jobs.queue_name(first.config), connection=connection).job_ids == [
            jobs.rq_job_id(first.config, job.id)
        ]
        assert Queue(jobs.queue_name(second.config), connection=connection).job_ids == []
    finally:
        for app in (first, second):
            Queue(jobs.queue_name(app.config), connection=connection).empty()


def test_a_queued_job_no_worker_will_run_is_failed_with_the_reason(make_app, db):
    import os

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    _redis_or_skip(url)
    app = make_app(QUEUE_PREFIX="test-no-worker", REDIS_URL=url, JOBS_INLINE=False, JOB_STALE_SECONDS=0)
    with app.app_context():
        job = jobs.enqueue(db, "count", counting_job, upto=1)
        from rq import Queue

        checked = jobs.check_alive(db, db.get(jobs.Job, job.id))
        jobs._queue(app).empty()
    assert checked.status == jobs.FAILED and "No worker is running" in checked.error
    assert isinstance(Queue, type)
