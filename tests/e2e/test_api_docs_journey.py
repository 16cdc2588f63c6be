"""A developer finds the API from the open-data page and reads its documentation on a phone and a desktop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


from tests.e2e.helpers import wcag_violations

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("PBAPP_SCREENSHOTS")


def test_the_api_docs_are_reached_from_open_data_and_fit_every_width(page):  # noqa: F811
    page.goto("/ledger/blackburn-with-darwen/")
    page.get_by_role("link", name="Open data").first.click()
    page.get_by_role("link", name="The public data API serves this data").click()
    page.wait_for_url("**/api/v1/docs")
    assert page.get_by_role("heading", name="Public data API", level=1).is_visible()
    assert page.get_by_role("link", name="Open Government Licence v3.0").is_visible()
    assert page.locator("#schema-BallotResult").is_visible()
    violations = wcag_violations(page)
    assert violations == [], violations
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"api-docs-{width}.png"), full_page=False)
            for part in ("op-results", "schema-BallotResult"):
                page.locator("#" + part).screenshot(path=str(Path(SHOTS) / f"api-docs-{part}-{width}.png"))
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{width}px: {wide}"
    page.goto("/api/v1/openapi.json")
    assert '"openapi": "3.1.0"' in page.content() or '"openapi":"3.1.0"' in page.content()
