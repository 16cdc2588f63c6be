"""Actions that must happen once, fired many times in parallel at a real multi-worker server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import func, select

from pbapp.accounts.models import User
from tests.trust.conftest import WebUser

PARALLEL = 24


def _fire(count: int, action):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(action, range(count)))


def test_the_same_registration_in_parallel_makes_one_account(gunicorn_server, db):
    users = [WebUser(gunicorn_server.url) for _ in range(PARALLEL)]
    tokens = [u.token("/accounts/register") for u in users]

    def register(i: int):
        return users[i].http.post(gunicorn_server.url + "/accounts/register", data={
            "csrf_token": tokens[i], "name": "Same Person", "email": "same.person@example.org",
            "password": "a long enough password", "confirm": "a long enough password"},
            allow_redirects=False, timeout=60)

    statuses = [r.status_code for r in _fire(PARALLEL, register)]
    assert statuses.count(303) == 1, statuses
    assert set(statuses) <= {303, 422}, statuses
    db.commit()
    assert db.exec(select(func.count()).select_from(User).where(User.email == "same.person@example.org")).one() == 1
