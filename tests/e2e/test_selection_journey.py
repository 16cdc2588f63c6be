"""An officer uploads a pool, fixes an infeasible quota, runs LEXIMIN, draws in public, reads the report
and replaces a juror who declined, in a real browser."""

from __future__ import annotations

import csv
import io
import re

import pytest

from pbapp.datafiles import seed_file
from pbapp.sortition.seed import demo_volunteers
from tests.e2e.helpers import fill_date, on_the_pool_after_import, says

pytestmark = pytest.mark.e2e
SLOW = 90_000  # LEXIMIN on 300 volunteers takes seconds on a busy machine


def _files() -> tuple[bytes, bytes]:
    """Demo-like volunteers with only one in 'Black / Mixed / Other', whose quota asks for two."""
    quotas = seed_file("uk/quotas_jury_30.csv").read_text(encoding="utf-8")
    quotas = quotas.replace("ethnicity,Black / Mixed / Other,0,2", "ethnicity,Black / Mixed / Other,2,2")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "sex", "age", "ethnicity", "area", "name", "email", "postcode"])
    seen_other = False
    for v in demo_volunteers(300, seed=11):
        ethnicity = v.features["ethnicity"]
        if ethnicity == "Black / Mixed / Other":
            ethnicity = "White" if seen_other else ethnicity
            seen_other = True
        writer.writerow(
            [
                v.public_id,
                v.features["sex"],
                v.features["age"],
                ethnicity,
                v.features["area"],
                v.name,
                v.email,
                v.postcode,
            ]
        )
    return quotas.encode(), out.getvalue().encode()


def _wait_for_draw(page):
    page.get_by_label("The published number").wait_for(timeout=SLOW)


def test_officer_goes_from_upload_to_published_report_and_a_replacement(page, sign_in, demo):
    sign_in("officer")
    page.goto(f"/juries/{demo.slug}/new")
    page.get_by_label("The question the jury will answer").fill("Which services matter most to you?")
    page.get_by_label("Number of jurors").fill("30")
    fill_date(page, "First day", "2027-04-03")
    fill_date(page, "Last day", "2027-05-01")
    page.get_by_label("Facilitator").select_option(label="Megan Lloyd")
    page.get_by_role("button", name="Create the jury").click()
    page.get_by_role("heading", name="Which services matter most to you?").wait_for()
    jury_url = page.url

    page.get_by_role("link", name="The pool of volunteers, quotas and selection").click()
    page.get_by_role("link", name="Upload volunteers from a CSV or Excel file").click()
    features, people = _files()
    page.get_by_label("Features and quotas").set_input_files(
        {"name": "features.csv", "mimeType": "text/csv", "buffer": features}
    )
    page.get_by_label("Volunteers (people.csv").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": people}
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check the columns").wait_for()
    assert page.locator("#preview tbody tr").count() == 5
    assert page.get_by_label("Email address").input_value() == "email"
    page.get_by_role("button", name="Check and import").click()
    on_the_pool_after_import(page, 300)

    page.get_by_role("link", name="Change the quotas").click()
    page.get_by_role("button", name="Check the quotas").click()
    feasibility = page.locator("#feasibility")
    assert "No panel can meet these quotas" in feasibility.inner_text()
    assert "Black / Mixed / Other" in feasibility.inner_text()
    page.get_by_label("ethnicity Black / Mixed / Other: at least").fill("1")
    page.get_by_label("ethnicity Black / Mixed / Other: at least").blur()  # htmx checks on change
    page.get_by_text("A panel can meet every quota from this pool.").wait_for(timeout=SLOW)
    page.get_by_role("button", name="Save quotas").click()
    page.get_by_text("The quotas have been saved.").wait_for()

    page.get_by_role("button", name="Start the selection").click()
    page.locator("progress#run-progress-bar").wait_for()
    assert "Selecting" in page.locator("#run-progress").inner_text()
    _wait_for_draw(page)
    commitment = page.locator("#commitment").inner_text()
    run_url = page.url
    page.get_by_role("link", name="The public report (share this before the draw)").click()
    says(page, "Not drawn yet")
    assert commitment in page.content()
    page.goto(run_url)
    page.get_by_label("The published number").fill("1000")
    page.get_by_role("button", name="Draw the panel").click()
    assert "from 0 to 999" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("The published number").fill("271")
    page.get_by_role("button", name="Draw the panel").click()
    page.get_by_text("The panel has been drawn with the number 271.").wait_for()
    assert page.locator("#panel tbody tr").count() == 30
    assert page.locator("#quota-report tbody tr").count() == 13
    assert page.locator(".app-selection-chart rect").count() == 300
    assert "--draw 271" in page.locator("#recreate-command").inner_text()

    page.get_by_role("link", name="The public selection report").click()
    page.get_by_role("heading", name="How the jury was selected").wait_for()
    report = page.content()
    assert "271" in report and commitment in report and "demo.example" not in report and "V0001" not in report

    page.goto(jury_url)
    page.get_by_role("button", name=re.compile("Add the people from run")).click()
    page.get_by_text("30 people were added to the jury.").wait_for()
    page.locator("#jurors tbody tr").first.get_by_role("link", name=re.compile("^Declined")).click()
    page.get_by_role("button", name="Record that they declined").click()
    page.get_by_text("The juror’s status has been changed.").wait_for()
    page.get_by_role("button", name="Start a replacement draw").click()
    _wait_for_draw(page)
    page.get_by_label("The published number").fill("5")
    page.get_by_role("button", name="Draw the panel").click()
    page.get_by_text("The panel has been drawn with the number 5.").wait_for()
    page.goto(jury_url)
    page.get_by_role("button", name=re.compile("Add the people from run")).click()
    page.get_by_text("1 person was added to the jury.").wait_for()
    statuses = page.locator("#jurors tbody tr .govuk-tag").all_inner_texts()
    assert statuses.count("Replaced") == 1 and statuses.count("Invited") == 30
