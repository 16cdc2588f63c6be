"""Build a real URL for every route so the permission matrix and CSRF walk can request it.

A route argument is filled by a provider: a function (app, db, council) -> value. Foundation
arguments are here; each domain adds its own in `tests/<domain>/route_args.py` as a dict named
ARGS (e.g. {"jury_id": make_jury_for_matrix}), so a new route joins the matrix by itself. Where two
domains provide the same argument, the route's own domain (its blueprint's name) wins.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

from flask import Flask
from sqlmodel import Session

from pbapp.db import get_engine

Provider = Callable[[Flask, Session, Any], Any]

FOUNDATION_ARGS: dict[str, Provider] = {
    "council": lambda app, db, council: council.slug,
    "token": lambda app, db, council: "no-such-token",
    "code": lambda app, db, council: "cy",
    "filename": lambda app, db, council: "app.css",
}


def providers(endpoint: str = "") -> dict[str, Provider]:
    found = dict(FOUNDATION_ARGS)
    by_domain = {
        path.parent.name: importlib.import_module(f"tests.{path.parent.name}.route_args").ARGS
        for path in sorted(Path(__file__).parent.glob("*/route_args.py"))
    }
    for args in by_domain.values():
        found.update(args)
    found.update(by_domain.get(endpoint.partition(".")[0], {}))
    return found


def url_for_rule(app: Flask, rule, council) -> str:
    """Fill every argument of `rule` with a real value and return the URL path."""
    args = {}
    with Session(get_engine(app), expire_on_commit=False) as db:
        available = providers(rule.endpoint)
        for name in rule.arguments:
            if name not in available:
                raise AssertionError(
                    f"no provider for route argument {name!r} of {rule.endpoint}: "
                    "add one in tests/<domain>/route_args.py"
                )
            args[name] = available[name](app, db, council)
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def all_rules(app: Flask):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def state_changing_rules(app: Flask):
    return [r for r in all_rules(app) if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]
