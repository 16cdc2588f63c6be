"""Every page a resident, juror or officer reaches passes axe-core's WCAG 2.2 A and AA checks.

The pages are found by crawling the demo council from its home page, as each role, in English and
in Welsh, so a new page is checked as soon as something links to it. axe-core runs in the real
browser (it needs layout for contrast and target sizes); its script ships in the
axe-playwright-python wheel, so nothing is downloaded.
"""

from __future__ import annotations

from urllib.parse import urldefrag, urlparse

import pytest

from tests.e2e.helpers import wcag_violations

pytestmark = [pytest.mark.e2e, pytest.mark.rendering]

SLUG = "blackburn-with-darwen"
# Links that change state on GET do not exist; these only end the session or leave the site.
# Signing out and switching language would change what the rest of the crawl checks.
SKIP_PREFIXES = ("/accounts/logout", "/static/", "/councils/language/", "/language/")
SKIP_SUFFIXES = (".csv", ".json", ".pb", ".zip", ".pdf", ".txt", ".xml", ".ics")


def _crawl(page, start: str, limit: int) -> list[str]:
    """Visit pages breadth-first from `start`; return each checked URL path."""
    seen, queue, checked, failures = {start}, [start], [], []
    while queue and len(checked) < limit:
        path = queue.pop(0)
        response = page.goto(path)
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        checked.append(path)
        for violation in wcag_violations(page):
            targets = "; ".join(",".join(node["target"]) for node in violation["nodes"][:3])
            failures.append(f"{path}: {violation['id']} ({violation['impact']}) {violation['help']} -> {targets}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            link = urldefrag(href)[0]
            parsed = urlparse(link)
            if parsed.scheme or parsed.netloc or not link.startswith("/"):
                continue
            if link.startswith(SKIP_PREFIXES) or parsed.path.endswith(SKIP_SUFFIXES) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    assert failures == [], "\n".join(failures)
    return checked


@pytest.mark.parametrize(("role", "limit"), [(None, 35), ("resident", 20), ("officer", 40)])
def test_pages_pass_wcag_22_aa(page, sign_in, role, limit):
    if role:
        sign_in(role)
    checked = _crawl(page, f"/councils/{SLUG}/", limit=limit)
    assert len(checked) >= 15, checked


def test_welsh_pages_pass_wcag_22_aa(page, sign_in):
    sign_in("facilitator")
    page.goto(f"/councils/{SLUG}/")
    page.get_by_role("link", name="Cymraeg").first.click()
    checked = _crawl(page, f"/councils/{SLUG}/", limit=20)
    assert page.locator("html").get_attribute("lang") == "cy"
    assert len(checked) >= 10, checked


def test_the_check_finds_a_fault_on_a_page_opened_after_it_first_ran(page):
    """axe-core reaches every page a check opens (loaded once per page object), and reports what it finds."""
    page.goto(f"/councils/{SLUG}/")
    assert wcag_violations(page) == []
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/nothing.png\">')")
    assert "image-alt" in [violation["id"] for violation in wcag_violations(page)]
