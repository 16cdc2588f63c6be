"""CSRF: every state-changing route refuses a request without a valid token."""

from __future__ import annotations

import re

import pytest

from tests.permissions_matrix import url_for_rule, state_changing_rules


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_every_post_route_rejects_a_missing_token(app, client, demo, login_as):
    login_as("admin")
    checked = 0
    for rule in state_changing_rules(app):
        url = url_for_rule(app, rule, demo)
        response = client.post(url, data={})
        assert response.status_code == 400, f"{rule.endpoint} accepted a POST without a CSRF token"
        assert "expired" in response.get_data(as_text=True)
        checked += 1
    assert checked >= 4


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_form_with_its_token_goes_through(client, demo):
    page = client.get("/accounts/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/accounts/login",
        data={"csrf_token": token, "email": "officer@demo.example", "password": "correct horse battery"},
    )
    assert response.status_code == 303


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_forged_token_is_refused(client, demo):
    response = client.post(
        "/accounts/login",
        data={"csrf_token": "forged", "email": "officer@demo.example", "password": "correct horse battery"},
    )
    assert response.status_code == 400
