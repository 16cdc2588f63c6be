"""An officer imports a Pabulib file as a ballot in a browser: from home to the process, a faulty
file refused by its line, the preview, the import, the count and the published results."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pbapp.pb.models import Ballot, Process, Vote
from tests.core.ballots.conftest import FIXTURES
from tests.e2e.test_council_setup_journey import _fits

pytestmark = pytest.mark.e2e

BAD = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;60\nVOTES\nvoter_id;vote\na;1,3\n"


def test_an_officer_imports_counts_and_publishes_a_pabulib_file(page, sign_in, demo, db, tmp_path):
    process = db.exec(select(Process).where(Process.council_id == demo.id).order_by(Process.id)).first()
    db.commit()
    bad = tmp_path / "bad.pb"
    bad.write_text(BAD, encoding="utf-8")

    sign_in("officer")
    page.get_by_role("link", name="Start a process or manage all processes").click()
    page.get_by_role("link", name=process.title, exact=True).first.click()
    page.get_by_role("link", name="Import a Pabulib file as a ballot").click()
    page.get_by_label("Pabulib file (.pb)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("bad.pb, line 10").first.wait_for()
    assert page.title().startswith("Error:")
    _fits(page, "pabulib-refused")

    page.get_by_label("Pabulib file (.pb)").set_input_files(str(FIXTURES / "Netherlands_Assen_2024.pb"))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Check the file before importing").wait_for()
    page.get_by_text("Projects in the file").first.wait_for()
    _fits(page, "pabulib-preview")
    page.get_by_label("Title of the ballot").fill("Assen 2024, imported")
    page.get_by_label("Counting rule").select_option("greedy")
    page.get_by_role("button", name="Import the ballot").click()
    page.get_by_text("The ballot was imported, closed.").wait_for()
    db.commit()
    ballot = db.exec(select(Ballot).where(Ballot.title == "Assen 2024, imported")).one()
    assert len(db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).all()) == 84
    db.commit()

    page.get_by_role("button", name="Count again").click()
    page.get_by_role("link", name="See the count and publish it").click()
    page.get_by_role("link", name="Publish results and the ballot log").first.click()
    page.get_by_role("button", name="Publish results and the ballot log").click()
    page.get_by_text("The results and the ballot log are published.").wait_for()
    exported = page.request.get(f"/pb/{demo.slug}/ballots/{ballot.id}/election.pb")
    assert exported.ok and "vote_type;approval" in exported.text() and "selected" in exported.text()
