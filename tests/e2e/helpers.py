"""What browser tests do the way a person does, shared by the journeys."""

from __future__ import annotations

import weakref


def fill_date(page, question: str, day: str, at: str | None = None) -> None:
    """Type a date (ISO, "2027-03-13") into the GOV.UK date input asked as `question`, as a person would."""
    year, month, day_of_month = day.split("-")
    group = page.get_by_role("group", name=question, exact=True)
    group.get_by_label("Day").fill(str(int(day_of_month)))
    group.get_by_label("Month").fill(str(int(month)))
    group.get_by_label("Year").fill(year)
    if at is not None:
        group.get_by_label("Time (UK)").fill(at)


def says(page, text: str, timeout: float = 20_000) -> None:
    """Wait until the page's text holds `text`.

    A click that submits a form returns before the next page has loaded, so reading
    `page.content()` straight after it races the navigation (and may read an empty document).
    """
    from playwright.sync_api import expect

    expect(page.locator("body")).to_contain_text(text, timeout=timeout)


def on_the_pool_after_import(page, count: int) -> None:
    """Wait for an import of `count` volunteers to finish and be on the pool's page.

    While the import runs, its page polls and then moves to the pool with a notice; if it had
    finished before its page first loaded, that page shows a confirmation with a link back.
    """
    page.get_by_text(f"{count} volunteers were added to the pool.").wait_for()
    if "/imports/" in page.url:
        page.get_by_role("link", name="Back to the pool").click()
        page.get_by_role("link", name="Change the quotas").wait_for()


# axe-core's rule tags for WCAG 2.2 A and AA.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
_pages_with_axe: "weakref.WeakSet" = weakref.WeakSet()


def wcag_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations on the page as it is now.

    axe-core (572 kB, shipped in the axe-playwright-python wheel) is given to the browser once per
    page object, to load into every document it opens, rather than sent again with each check.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    # A check straight after a click may find the next page's document before its styles apply
    # (unstyled links failed target-size): check the page as it is once loaded.
    page.wait_for_load_state("load")
    if page not in _pages_with_axe:
        page.add_init_script(AXE_SCRIPT)  # documents opened from now on
        page.evaluate(AXE_SCRIPT)  # the one open now
        _pages_with_axe.add(page)
    return page.evaluate("options => axe.run(document, options)", _AXE_OPTIONS)["violations"]
