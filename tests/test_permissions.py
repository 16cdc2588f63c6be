"""The permission matrix: every route has an explicit policy, enforced for every role."""

from __future__ import annotations

import re

import pytest

from pbapp import create_app
from pbapp.config import TestConfig
from pbapp.security import ALL_ROLES, ANONYMOUS
from tests.conftest import ROLE_EMAILS, login
from tests.permissions_matrix import all_rules, url_for_rule


def _endpoints():
    app = create_app(TestConfig("sqlite://"))
    return sorted({rule.endpoint for rule in all_rules(app)})


def test_every_route_declares_a_policy(app):
    missing = [rule.endpoint for rule in all_rules(app) if not hasattr(app.view_functions[rule.endpoint], "permission")]
    assert missing == [], f"routes without @requires(...): {missing}"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def expected_html(response) -> bool:
    return response.status_code == 200 and response.mimetype == "text/html"


def assert_no_inline_code(html: str, where: str) -> None:
    """The CSP blocks inline scripts, styles and handlers, so a page that has any is broken."""
    for pattern, what in (
        (INLINE_SCRIPT, "inline <script>"),
        (INLINE_STYLE, "style= attribute"),
        (INLINE_HANDLER, "on...= handler"),
    ):
        match = pattern.search(html)
        assert match is None, f"{where}: {what} blocked by the CSP: {match.group(0)[:120]}"


def _denied(response) -> bool:
    if response.status_code == 403:
        return True
    return response.status_code == 302 and "/accounts/login" in response.location


# Each role's session cookie after its first sign-in in this process (see _client_as).
_SESSIONS: dict[str, str] = {}


def _client_as(app, role: str):
    """A test client signed in as `role`: through the real form the first time in this process, then with the
    session cookie that sign-in gave (four sign-ins an endpoint were a third of the matrix's time).

    The cookie holds for every later test: each gets the same copy of the matrix's council (the same user ids and
    session versions) and the same secret key, and a request that signs a role out only changes that test's copy.
    """
    client = app.test_client()
    if role == ANONYMOUS:
        return client
    name = app.config["SESSION_COOKIE_NAME"]
    if role in _SESSIONS:
        client.set_cookie(name, _SESSIONS[role])
    else:
        login(client, ROLE_EMAILS[role])
        _SESSIONS[role] = client.get_cookie(name).value
    return client


@pytest.mark.parametrize("endpoint", _endpoints())
def test_policy_is_enforced_for_every_role(app, matrix_council, endpoint):
    policy = app.view_functions[endpoint].permission
    for rule in (r for r in all_rules(app) if r.endpoint == endpoint):
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        # One URL for every role (its providers build what it names once, not once a role).
        url = url_for_rule(app, rule, matrix_council)
        for role in ALL_ROLES:
            client = _client_as(app, role)
            response = client.open(url, method=method, data={})
            if expected_html(response):
                assert_no_inline_code(response.get_data(as_text=True), f"{endpoint} as {role}")
            response.close()
            expected = policy.allows_role(role)
            assert response.status_code < 500, f"{endpoint} as {role}: {response.status_code}"
            assert _denied(response) != expected, (
                f"{endpoint} ({policy.name}) as {role}: got {response.status_code}, "
                f"expected {'allowed' if expected else 'denied'}"
            )


def test_council_roles_do_not_reach_other_councils(app, db, demo, client):
    from tests import factories

    other = factories.council(db)
    login(client, ROLE_EMAILS["admin"])
    assert client.get(f"/accounts/councils/{other.slug}/members").status_code == 403
    assert client.get(f"/accounts/councils/{demo.slug}/members").status_code == 200
