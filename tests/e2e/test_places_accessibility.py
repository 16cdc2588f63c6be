"""The places pages an officer sees (with every form on them) pass axe-core's WCAG 2.2 A and AA checks."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import wcag_violations

pytestmark = [pytest.mark.e2e, pytest.mark.rendering]

SLUG = "blackburn-with-darwen"


def test_places_pages_pass_wcag_22_aa(page, sign_in):

    sign_in("officer")
    page.goto(f"/places/{SLUG}/")
    page.get_by_role("link", name="Blackburn with Darwen", exact=True).click()
    place = page.url
    links = [place]
    for name in (
        "Youth unemployment",
        "Public accounts committee",
        "Open data",
        "Print view",
        "NHS Lancashire and South Cumbria Integrated Care Board",
    ):
        page.goto(place)
        page.get_by_role("link", name=name, exact=True).first.click()
        links.append(page.url)
    page.goto(links[1])
    page.get_by_role("link", name="Map lines of NHS Lancashire and South Cumbria Integrated Care Board").click()
    links.append(page.url)
    page.goto(links[-2])
    page.get_by_role("link", name="Import a budget").click()
    links.append(page.url)
    page.goto(links[2])
    page.get_by_role("link", name="Are home fire safety visits reaching older people in Darwen?").click()
    links.append(page.url)
    page.get_by_role("link", name="Publish the committee’s decision").click()
    links.append(page.url)
    page.goto(links[2])
    page.get_by_role("link", name="Youth unemployment: is the money joined up?").click()
    links.append(page.url)  # the inquiry, with the officer's forms
    page.get_by_role("link", name="Change the response of Blackburn with Darwen Borough Council").click()
    links.append(page.url)
    page.goto(links[2])
    page.get_by_role("link", name="Open an inquiry on the committee’s own initiative").click()
    links.append(page.url)
    page.goto(place)
    page.get_by_role("link", name="Scrutiny", exact=True).click()
    links.append(page.url)
    failures = []
    for url in links:
        page.goto(url)
        failures += [f"{url}: {v['id']} {v['help']} -> {v['nodes'][0]['target']}" for v in wcag_violations(page)]
    assert failures == []
