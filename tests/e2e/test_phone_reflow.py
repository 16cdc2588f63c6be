"""Every page reflows on a 320 px phone (WCAG 2.2, 1.4.10) and chart text stays at least 12 px high.

Each role signs in and opens the pages its policy lets it see, filled in from the permission matrix's
route arguments: the public pages as a visitor, and for each signed-in role the pages only staff,
jurors or admins reach. A page may hold a wide table or chart only inside its own scrolling region.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from pbapp.security import ALL_ROLES, ANONYMOUS
from tests.permissions_matrix import all_rules, url_for_rule

pytestmark = [pytest.mark.e2e, pytest.mark.rendering]

PHONE = {"width": 320, "height": 640}
# Files and machine answers, not pages (the browser shows XML through a viewer the CSP blocks).
NOT_PAGES = (".csv", ".json", ".pdf", ".pb", ".xlsx", ".css", ".js", ".txt", ".xml", "/healthz")

# Measured in the page: how far it scrolls sideways, and the smallest rendered chart text in px.
MEASURE = """() => {
  const texts = [...document.querySelectorAll('svg text')].filter(t => t.textContent.trim());
  const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM() ? t.getScreenCTM().a : 1));
  return {width: document.documentElement.scrollWidth, smallest: sizes.length ? Math.min(...sizes) : null};
}"""


def _pages(app, demo, role: str) -> list[str]:
    """The HTML pages this role may open; for signed-in roles, those a visitor cannot."""
    urls = []
    for rule in all_rules(app):
        if (
            "GET" not in rule.methods
            or rule.rule.endswith(NOT_PAGES)
            or rule.endpoint == "static"
            or (rule.endpoint.startswith("api.") and rule.endpoint != "api.docs")
        ):
            continue
        policy = app.view_functions[rule.endpoint].permission
        if not policy.allows_role(role) or (role != ANONYMOUS and policy.allows_role(ANONYMOUS)):
            continue
        urls.append(url_for_rule(app, rule, demo))
    return sorted(set(urls))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_page_a_role_opens_fits_a_320px_phone(app, demo, page, sign_in, role):
    if role != ANONYMOUS:
        sign_in(role)
    page.set_viewport_size(PHONE)
    too_wide, small_text, seen = [], [], 0
    for url in _pages(app, demo, role):
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a file the route serves as a download, not a page
            assert "Download is starting" in str(error), error
            continue
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen += 1
        measured = page.evaluate(MEASURE)
        if measured["width"] > PHONE["width"]:
            too_wide.append(f"{url}: {measured['width']} px")
        if measured["smallest"] is not None and measured["smallest"] < 12:
            small_text.append(f"{url}: {measured['smallest']:.1f} px")
    assert seen >= 3, f"only {seen} pages opened as {role}"
    assert too_wide == [], f"pages that scroll sideways at 320 px as {role}: {too_wide}"
    assert small_text == [], f"chart text under 12 px as {role}: {small_text}"
