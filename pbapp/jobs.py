"""Long work (a selection run, a large tally) as a job whose progress a page can poll.

In-process threads by default; RQ workers on Redis when REDIS_URL is set. A job function is
named by its dotted path and receives the job id, a session and its keyword arguments, so the
same function runs in either place.
"""

from __future__ import annotations

import importlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Callable

from flask import Flask, current_app
from sqlmodel import Field, Session, SQLModel

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
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
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
            session.commit()


_executor: ThreadPoolExecutor | None = None


def _resolve(path: str) -> Callable[..., Any]:
    module_name, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def run_job(app: Flask, job_id: int, function_path: str, kwargs: dict[str, Any]) -> None:
    """Run one job to the end, recording its result or its failure."""
    from pbapp.db import standalone_session

    progress = Progress(app, job_id)
    with app.app_context():
        with standalone_session(app) as session:
            job = session.get(Job, job_id)
            job.status = RUNNING
            session.commit()
        try:
            with standalone_session(app) as session:
                result = _resolve(function_path)(session=session, progress=progress, **kwargs)
        except JobFailed as exc:
            _finish(app, job_id, FAILED, error=str(exc))
        except Exception:  # noqa: BLE001 - a job must never die silently
            log.exception("job %s (%s) failed", job_id, function_path)
            _finish(app, job_id, FAILED, error="The job stopped because of an unexpected error.")
        else:
            _finish(app, job_id, DONE, result=result or {})


def _finish(app: Flask, job_id: int, status: str, *, result: Any = None, error: str = "") -> None:
    from pbapp.db import standalone_session

    with standalone_session(app) as session:
        job = session.get(Job, job_id)
        job.status = status
        job.error = error[:2000]
        if status == DONE:
            job.progress = 100
        job.result = json.dumps(result or {}, default=str)
        job.finished_at = utcnow()
        session.commit()


def rq_entry(job_id: int, function_path: str, kwargs: dict[str, Any]) -> None:
    """Run a job on an RQ worker: build an app there, then run as in-process."""
    from pbapp import create_app

    run_job(create_app(), job_id, function_path, kwargs)


def N_(message: str) -> str:
    """Mark a job message for translation; it is translated when shown, as jobs have no visitor."""
    return message


def enqueue(session: Session, kind: str, function_path: str, *, council_id: int | None = None,
            **kwargs: Any) -> Job:
    """Record a job and start it; the caller's session is committed so the worker can see it."""
    job = Job(kind=kind, council_id=council_id, message=N_("Waiting to start"))
    session.add(job)
    session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_INLINE"):
        run_job(app, job.id, function_path, kwargs)
    elif app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        queue = Queue("pbapp", connection=Redis.from_url(app.config["REDIS_URL"]))
        queue.enqueue(rq_entry, job.id, function_path, kwargs, job_timeout=3600)
    else:
        global _executor
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pbapp-job")
        _executor.submit(run_job, app, job.id, function_path, kwargs)
    session.refresh(job)
    return job
