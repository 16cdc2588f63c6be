"""Jobs the scale-out test hands to its RQ workers: each notes in Redis that it ran, and where."""

from __future__ import annotations

import os
import time

from flask import current_app
from redis import Redis


def note_run(session, progress, *, key: str, seconds: float = 0.1) -> dict:
    redis = Redis.from_url(current_app.config["REDIS_URL"])
    redis.incr(f"{key}:runs")
    redis.hincrby(f"{key}:by-job", str(progress.job_id), 1)
    redis.sadd(f"{key}:pids", os.getpid())
    redis.set(f"{key}:last-pid", os.getpid())
    time.sleep(seconds)
    return {"pid": os.getpid()}
