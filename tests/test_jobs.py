"""Background jobs record progress, results and failures."""

from __future__ import annotations

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
    job = jobs.enqueue(db, "count", "tests.test_jobs.counting_job", upto=4)
    db.refresh(job)
    assert job.status == jobs.DONE and job.progress == 100
    assert job.result_data() == {"counted": 4} and job.message == "step 4"


def test_job_failure_keeps_the_users_message(app_context, db):
    job = jobs.enqueue(db, "fail", "tests.test_jobs.failing_job")
    db.refresh(job)
    assert job.status == jobs.FAILED and job.error == "The quotas cannot be met."


def test_unexpected_crash_is_reported_plainly(app_context, db):
    job = jobs.enqueue(db, "crash", "tests.test_jobs.crashing_job")
    db.refresh(job)
    assert job.status == jobs.FAILED and "unexpected error" in job.error


def test_threaded_job_finishes(app_context, db):
    app_context.config["JOBS_INLINE"] = False
    job = jobs.enqueue(db, "count", "tests.test_jobs.counting_job", upto=2)
    import time

    for _ in range(100):
        db.commit()  # a fresh snapshot each time round
        db.refresh(job)
        if job.finished:
            break
        time.sleep(0.05)
    assert job.status == jobs.DONE
