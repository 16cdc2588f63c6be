"""Long work (a selection run, a large tally, mail, a large import) as a job whose progress a page can poll.

In-process threads by default; RQ workers on Redis when REDIS_URL is set, on a queue named by
PBAPP_QUEUE_PREFIX so deployments sharing one Redis never take each other's jobs. A job is a
module-level function of pbapp, passed itself to `enqueue`; it receives a session, a progress
callback and its keyword arguments, so the same function runs in either place. The Job row keeps
its `module:name` (derived from the function, never written by hand) so a worker, or a retry after
a restart, can find it again.

A running job beats (heartbeat_at) every few seconds. A job whose worker died stops beating and
is marked failed, with the reason, the next time anyone looks at it (its page polls every
second) or when a worker sweeps; its page then offers to run it again.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import event, update
from sqlmodel import Field, Session, SQLModel, select

from pbapp.timeutil import utcnow

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class Job(SQLModel, table=True):
    """A unit of background work and how far it has got."""

    __tablename__ = "job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=80, nullable=False)
    council_id: int | None = Field(default=None, foreign_key="council.id", index=True)
    status: str = Field(default=QUEUED, max_length=16, nullable=False)
    progress: int = Field(default=0, nullable=False)
    message: str = Field(default="", max_length=300, nullable=False)
    result: str = Field(default="{}", nullable=False)
    error: str = Field(default="", max_length=2000, nullable=False)
    function: str = Field(default="", max_length=200, nullable=False)
    arguments: str = Field(default="{}", nullable=False)
    attempt: int = Field(default=1, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    heartbeat_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    def result_data(self) -> dict[str, Any]:
        return json.loads(self.result or "{}")


class JobFailed(Exception):
    """Raise inside a job to fail it with a message meant for the user."""


class Progress:
    """Writes a job's progress in its own short transactions so pollers see it at once."""

    def __init__(self, app: Flask, job_id: int):
        self.app = app
        self.job_id = job_id

    def __call__(self, percent: float, message: str = "") -> None:
        from pbapp.db import standalone_session

        with standalone_session(self.app) as session:
            job = session.get(Job, self.job_id)
            job.progress = max(0, min(100, int(percent)))
            if message:
                job.message = message[:300]
            job.heartbeat_at = utcnow()
            session.commit()


HEARTBEAT_SECONDS = 5.0


class _Heartbeat(threading.Thread):
    """Mark a running job alive every few seconds, however long its work goes between progress calls."""

    def __init__(self, app: Flask, job_id: int):
        super().__init__(name=f"pbapp-job-{job_id}-heartbeat", daemon=True)
        self.app, self.job_id, self.stopped = app, job_id, threading.Event()

    def run(self) -> None:
        from pbapp.db import standalone_session

        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                with standalone_session(self.app) as session:
                    session.execute(
                        update(Job).where(Job.id == self.job_id, Job.status == RUNNING).values(heartbeat_at=utcnow())
                    )
                    session.commit()
            except Exception:  # noqa: BLE001 - a missed beat is survivable; the next one may land
                log.warning("job %s: heartbeat not recorded", self.job_id)


_executor: ThreadPoolExecutor | None = None


# The packages whose module-level functions may run as jobs. A name read back from a Job row is
# checked against it too, so a row cannot make a worker import and call anything else.
JOB_PACKAGES: tuple[str, ...] = ("pbapp",)


def job_name(function: Callable[..., Any]) -> str:
    """The `module:name` a Job row keeps for `function`, which must be a module-level function of pbapp.

    A lambda, a nested function or a method cannot be found again by a worker in another
    process, so it is refused here, when it is enqueued, not when a worker tries to run it.
    """
    module = getattr(function, "__module__", None) or ""
    name = getattr(function, "__qualname__", "")
    if not (
        inspect.isfunction(function)
        and module.partition(".")[0] in JOB_PACKAGES
        and name.isidentifier()
        and getattr(sys.modules.get(module), name, None) is function
    ):
        raise TypeError(f"A job must be a module-level function of pbapp, not {function!r}.")
    return f"{module}:{name}"


def job_function(name: str) -> Callable[..., Any]:
    """The function a Job row's `module:name` stands for (importing its module, as a fresh worker must)."""
    module, _, attribute = name.partition(":")
    if module.partition(".")[0] not in JOB_PACKAGES or not attribute.isidentifier():
        raise LookupError(f"{name!r} does not name a job function.")
    function = getattr(importlib.import_module(module), attribute, None)
    if function is None or job_name(function) != name:
        raise LookupError(f"{name!r} does not name a job function.")
    return function


def run_job(app: Flask, job_id: int, function_name: str, kwargs: dict[str, Any]) -> None:
    """Run one job to the end, recording its result or its failure.

    The function is the one the job's row names, not `function_name`: a job waiting in Redis
    across an upgrade carries the name it was queued with, and migrations rename rows, not Redis.
    """
    from pbapp.db import standalone_session

    progress = Progress(app, job_id)
    with app.app_context():
        with standalone_session(app) as session:
            # Only a queued job starts: a job already started, finished or given up never runs twice.
            started = session.execute(
                update(Job).where(Job.id == job_id, Job.status == QUEUED).values(status=RUNNING, heartbeat_at=utcnow())
            ).rowcount
            function_name = session.exec(select(Job.function).where(Job.id == job_id)).first() or function_name
            session.commit()
        if not started:
            log.warning("job %s was not queued any more; not run again", job_id)
            return
        heartbeat = _Heartbeat(app, job_id)
        heartbeat.start()
        try:
            with standalone_session(app) as session:
                result = job_function(function_name)(session=session, progress=progress, **kwargs)
        except JobFailed as exc:
            _finish(app, job_id, FAILED, error=str(exc))
        except Exception:  # noqa: BLE001 - a job must never die silently
            log.exception("job %s (%s) failed", job_id, function_name)
            _finish(app, job_id, FAILED, error="The job stopped because of an unexpected error.")
        else:
            _finish(app, job_id, DONE, result=result or {})
        finally:
            heartbeat.stopped.set()


def _finish(app: Flask, job_id: int, status: str, *, result: Any = None, error: str = "") -> None:
    from pbapp.db import standalone_session

    with standalone_session(app) as session:
        job = session.get(Job, job_id)
        if job.status != RUNNING:
            return  # already given up as dead; its retry owns the outcome now
        job.status = status
        job.error = error[:2000]
        if status == DONE:
            job.progress = 100
        job.result = json.dumps(result or {}, default=str)
        job.finished_at = utcnow()
        session.commit()


_worker_app: Flask | None = None


def rq_entry(job_id: int, function_name: str, kwargs: dict[str, Any]) -> None:
    """Run a job on an RQ worker: build the app once per worker process, then run as in-process."""
    global _worker_app
    if _worker_app is None:
        from pbapp import create_app

        _worker_app = create_app()
    run_job(_worker_app, job_id, function_name, kwargs)


def queue_name(config) -> str:
    """The RQ queue of this deployment: its prefix, so deployments sharing a Redis stay apart."""
    return f"{config['QUEUE_PREFIX']}-jobs"


def rq_job_id(config, job_id: int) -> str:
    return f"{config['QUEUE_PREFIX']}-job-{job_id}"


def _queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(queue_name(app.config), connection=Redis.from_url(app.config["REDIS_URL"]))


def N_(message: str) -> str:
    """Mark a job message for translation; it is translated when shown, as jobs have no visitor."""
    return message


def enqueue(
    session: Session, kind: str, function: Callable[..., Any], *, council_id: int | None = None, **kwargs: Any
) -> Job:
    """Record a job that runs `function` and start it; the caller's session is committed so the worker can see it."""
    name = job_name(function)
    job = Job(
        kind=kind,
        council_id=council_id,
        message=N_("Waiting to start"),
        function=name,
        arguments=json.dumps(kwargs, sort_keys=True),
    )
    session.add(job)
    session.commit()
    _dispatch(current_app._get_current_object(), job.id, name, kwargs)  # type: ignore[attr-defined]
    session.refresh(job)
    return job


def _dispatch(app: Flask, job_id: int, function_name: str, kwargs: dict[str, Any]) -> None:
    if app.config.get("JOBS_INLINE"):
        run_job(app, job_id, function_name, kwargs)
    elif app.config.get("REDIS_URL"):
        _queue(app).enqueue(
            rq_entry,
            job_id,
            function_name,
            kwargs,
            job_timeout=3600,
            job_id=rq_job_id(app.config, job_id),
            failure_ttl=86400,
        )
    else:
        global _executor
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pbapp-job")
        _executor.submit(run_job, app, job_id, function_name, kwargs)


def enqueue_after_commit(
    session: Session, kind: str, function: Callable[..., Any], *, council_id: int | None = None, **kwargs: Any
) -> None:
    """Start a job running `function` once the caller's transaction has committed (so the job sees what it wrote).

    Asked several times before one commit, it starts the job once.
    """
    key = ("pbapp.after_commit", kind, job_name(function), council_id, json.dumps(kwargs, sort_keys=True))
    if key in session.info:
        return
    session.info[key] = True
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def start(_session) -> None:
        session.info.pop(key, None)
        from pbapp.db import standalone_session

        with app.app_context(), standalone_session(app) as own:
            enqueue(own, kind, function, council_id=council_id, **kwargs)

    event.listen(session, "after_commit", start, once=True)


DIED = N_(
    "The worker running this job stopped without finishing it. Nothing it was doing was kept. You can run it again."
)
LOST = N_("This job was lost before it started: no worker has it. You can run it again.")
NO_WORKER = N_("No worker is running to start this job. Start one (see the README), then run it again.")


def latest(session: Session, kind: str, council_id: int) -> Job | None:
    """The newest job of `kind` for a council (pass it to check_alive before showing it)."""
    return session.exec(
        select(Job).where(Job.kind == kind, Job.council_id == council_id).order_by(Job.id.desc()).limit(1)
    ).first()


def check_alive(session: Session, job: Job | None) -> Job | None:
    """Mark a job failed, with the reason, if its worker died or it was lost; return it refreshed."""
    if job is None or job.finished:
        return job
    config = current_app.config
    stale = timedelta(seconds=config["JOB_STALE_SECONDS"])
    now = utcnow()
    reason = ""
    if job.status == RUNNING and _aware(job.heartbeat_at or job.created_at) < now - stale:
        reason = DIED
    elif job.status == QUEUED and _aware(job.created_at) < now - stale and config.get("REDIS_URL"):
        reason = _queued_problem(current_app._get_current_object(), job)  # type: ignore[attr-defined]
    if reason:
        changed = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == job.status)
            .values(status=FAILED, error=reason, finished_at=now)
        ).rowcount
        session.commit()
        if changed:
            log.warning("job %s (%s) given up: %s", job.id, job.kind, reason)
        session.refresh(job)
    return job


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _queued_problem(app: Flask, job: Job) -> str:
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RqJob
    from rq.worker import Worker

    queue = _queue(app)
    try:
        try:
            status = RqJob.fetch(rq_job_id(app.config, job.id), connection=queue.connection).get_status()
        except NoSuchJobError:
            return LOST
        if status in ("failed", "stopped", "canceled"):
            return LOST
        if not Worker.all(queue=queue):
            return NO_WORKER
    except RedisError:
        return ""  # Redis is away: say nothing rather than guess; /healthz reports it
    return ""


def sweep(session: Session) -> int:
    """Check every unfinished job (run by workers every so often); return how many were given up."""
    from pbapp import mail
    from pbapp.pb import shuffle

    jobs = session.exec(select(Job).where(Job.status.in_((QUEUED, RUNNING)))).all()
    given_up = sum(1 for job in jobs if check_alive(session, job).status == FAILED)
    mail.recover_stuck(session)  # after the dead jobs are known: their messages become failed, to send again
    shuffle.move_open_ballots(session)  # votes cast since the last sweep leave the order they came in
    return given_up


def retry(session: Session, job: Job, prepare: Callable[[Job], None] | None = None) -> Job:
    """Run a failed job again, as a new attempt with the same work.

    `prepare` is called with the new job before it is started (to point a record at it).
    """
    if job.status != FAILED or not job.function:
        raise JobFailed("Only a failed job can be run again.")
    again = Job(
        kind=job.kind,
        council_id=job.council_id,
        message=N_("Waiting to start"),
        function=job.function,
        arguments=job.arguments,
        attempt=job.attempt + 1,
    )
    session.add(again)
    session.commit()
    if prepare is not None:
        prepare(again)
    _dispatch(
        current_app._get_current_object(),
        again.id,
        again.function,  # type: ignore[attr-defined]
        json.loads(again.arguments),
    )
    session.refresh(again)
    return again


SWEEP_SECONDS = 15.0


def _sweep_forever(app: Flask, stopped: threading.Event) -> None:
    from pbapp.db import standalone_session

    every = min(SWEEP_SECONDS, max(1.0, app.config["JOB_STALE_SECONDS"] / 3))
    while not stopped.wait(every):
        try:
            with app.app_context(), standalone_session(app) as session:
                sweep(session)
        except Exception:  # noqa: BLE001 - the sweeper must outlive a passing database error
            log.exception("job sweep failed")


def work(app: Flask, burst: bool = False) -> None:
    """Run an RQ worker on this deployment's queue, sweeping dead jobs every few seconds meanwhile.

    Jobs run in this process (RQ's SimpleWorker), not in a forked child per job: the app and its
    connection pool are built once, and no database connection is ever shared across a fork.
    A worker that dies mid-job stops the job's heartbeat, and the job is given up as failed.
    """
    from rq import SimpleWorker

    global _worker_app
    _worker_app = app
    queue = _queue(app)
    stopped = threading.Event()
    sweeper = threading.Thread(target=_sweep_forever, args=(app, stopped), name="pbapp-job-sweeper", daemon=True)
    sweeper.start()
    try:
        SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=False)
    finally:
        stopped.set()
