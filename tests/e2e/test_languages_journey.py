"""A resident reads the service in a community language the council added (Urdu, right to left): the header
link switches to it, the page mirrors with no sideways scroll on a 320 px phone, and a link switches back."""

from __future__ import annotations

import pytest

from tests.test_languages import URDU, with_urdu

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides(tmp_path):
    return with_urdu(tmp_path)


# The heading text's left and right edges, and the right edge of the column it sits in.
HEADING = """() => { const h = document.querySelector('h1'); const r = document.createRange(); r.selectNodeContents(h);
  const b = r.getBoundingClientRect(); return [b.left, b.right, h.getBoundingClientRect().right]; }"""


def test_a_resident_switches_to_urdu_on_a_phone_and_back(page, demo):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/pb/{demo.slug}/")
    page.get_by_role("button", name="Menu").click()
    page.locator('a[hreflang="ur"]').click()
    page.wait_for_url(f"**/pb/{demo.slug}/")
    html = page.locator("html")
    assert html.get_attribute("lang") == "ur" and html.get_attribute("dir") == "rtl"
    assert page.get_by_text(URDU["Participatory budgeting"]).first.is_visible()
    # Mirrored: the heading's text starts at the right edge of its column.
    left, right, column = page.evaluate(HEADING)
    assert column - right < 2 and left > 30
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button").filter(has_text="Menu").click()
    page.locator('a[hreflang="en"]').click()
    page.wait_for_url(f"**/pb/{demo.slug}/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    left, right, column = page.evaluate(HEADING)
    assert left < 20
