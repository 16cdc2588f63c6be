"""The README's steps 7 and 8 for a council that is not the demo: its first jury and its first vote.

North Borough starts empty, is created and given its admin as the README's step 4 says, imports
its own wards and postcodes (tests/fixtures/north_borough) through the set-up pages, then an
officer follows step 7 (a jury, its pool from a file and from a letter code whose postcode is
checked against the imported directory, the selection, the public draw, the panel seated and
invited) and step 8 (a process, proposals reviewed, a ballot of letter codes opened, votes, the
count and the published results), all through the pages, as the README names them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from flask.cli import ScriptInfo
from sqlmodel import select

from pbapp.accounts.models import FACILITATOR, OFFICER, User
from pbapp.cli import main
from pbapp.councils.models import Council
from pbapp.juries.models import Juror
from pbapp.mail import OutboxMessage
from tests import factories
from tests.conftest import login
from tests.factories import typed_date
from tests.sortition import data

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "north_borough"
SLUG = "north-borough"
POSTCODES = ["NB1 1AA", "NB1 1AB", "NB1 2AA", "NB1 2AB", "NB1 3AA"]


def _ok(response, status=303):
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response


def _set_up_north_borough(app, db, client, monkeypatch):
    """Steps 4 and 6: the README's commands, then the admin imports the council's own files."""
    monkeypatch.setenv("PBAPP_BASE_URL", "https://pb.north-borough.gov.uk")
    runner = app.test_cli_runner()
    for args in (
        ["council", "create", "--name", "North Borough Council", "--slug", SLUG, "--gss-code", "E06000099"],
        ["admin", "create", "--council", SLUG, "--email", "it.lead@north-borough.gov.uk", "--name", "Sam"],
    ):
        result = runner.invoke(main, args, obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, result.output
    db.commit()
    admin = db.exec(select(User).where(User.email == "it.lead@north-borough.gov.uk")).one()
    admin.password_hash = db.exec(select(User.password_hash).where(User.id == factories.user(db).id)).one()
    db.commit()
    login(client, admin.email)
    for kind in ("wards", "postcodes"):
        upload = _ok(
            client.post(
                f"/councils/{SLUG}/setup/import/{kind}",
                content_type="multipart/form-data",
                data={"file": ((FIXTURES / f"{kind}.csv").open("rb"), f"{kind}.csv")},
            )
        )
        _ok(client.post(upload.location, data={"action": "import"}))
    client.post("/accounts/logout")
    return db.exec(select(Council).where(Council.slug == SLUG)).one()


def _people(count: int) -> str:
    rows = [data.person(i).replace("BB1 7DY", POSTCODES[i % len(POSTCODES)]) for i in range(1, count + 1)]
    return data.HEADER + "".join(rows)


def _hidden(html: str) -> dict:
    return dict(
        re.findall(r'<input[^>]*name="([\w-]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', html)
        + re.findall(r'<input[^>]*type="hidden"[^>]*name="([\w-]+)"[^>]*value="([^"]*)"', html)
    )


def _selected(html: str) -> dict:
    found = {}
    for name, body in re.findall(r'<select[^>]*name="(map-[^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def test_north_borough_runs_its_first_jury_and_its_first_vote(app, db, client, monkeypatch):
    council = _set_up_north_borough(app, db, client, monkeypatch)
    officer = factories.user(db, council=council, role=OFFICER)
    facilitator = factories.user(db, council=council, role=FACILITATOR, name="Megan Lloyd")
    login(client, officer.email)

    # Step 7: Juries -> Create a jury.
    assert "Create a jury" in _ok(client.get(f"/juries/{SLUG}/"), 200).get_data(as_text=True)
    created = _ok(
        client.post(
            f"/juries/{SLUG}/new",
            data={
                "remit": "How should North Borough spend its parks budget?",
                "panel_size": "4",
                **typed_date("starts_on", "2027-03-01"),
                **typed_date("ends_on", "2027-03-29"),
                "facilitator_id": str(facilitator.id),
                "budget_book_id": "",
                "honorarium": "40",
            },
        )
    )
    jury_page = _ok(client.get(created.location), 200).get_data(as_text=True)
    pool_url = re.search(r'href="(/sortition/north-borough/pools/\d+)"', jury_page).group(1)

    # The jury's pool: Upload volunteers from a CSV file (previewed, then imported by a job).
    preview = _ok(
        client.post(
            f"{pool_url}/upload",
            content_type="multipart/form-data",
            data={
                "file_format": "pbapp",
                "features": (io.BytesIO(data.FEATURES.encode()), "features.csv"),
                "people": (io.BytesIO(_people(11).encode()), "people.csv"),
            },
        ),
        200,
    ).get_data(as_text=True)
    imported = _ok(client.post(f"{pool_url}/upload", data=dict(_hidden(preview), step="import", **_selected(preview))))
    assert "11 volunteers were added" in client.get(imported.location).get_data(as_text=True)

    # ... or Make invitation codes for letters: a resident registers, their postcode checked
    # against the imported directory (a postcode outside North Borough is refused).
    codes = _ok(client.post(f"{pool_url}/codes", data={"count": "1"}), 200).get_data(as_text=True)
    code = codes.splitlines()[1].split(",")[0]
    resident = app.test_client()
    page = _ok(resident.post(f"/sortition/{SLUG}/register", data={"code": code}), 200).get_data(as_text=True)
    features = dict(re.findall(r'name="(feature_\d+)"[^>]*value="([^"]+)"', page))
    form = {
        "code": code,
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "address": "1 Castle Street",
        "consent": "y",
        **features,
    }
    outside = resident.post(f"/sortition/{SLUG}/register", data=dict(form, postcode="BB1 7DY"))
    assert outside.status_code == 422
    inside = _ok(resident.post(f"/sortition/{SLUG}/register", data=dict(form, postcode="NB1 2AA")), 200)
    assert "You are in the pool" in inside.get_data(as_text=True)

    # Set the quotas (from the features file), Start the selection, publish, Draw the panel.
    quotas = _ok(client.get(f"{pool_url}/quotas"), 200).get_data(as_text=True)
    assert "18-39" in quotas and "Female" in quotas
    run = _ok(client.post(f"{pool_url}/runs", data={"algorithm": "leximin"}))
    run_page = _ok(client.get(run.location), 200).get_data(as_text=True)
    assert "Waiting for the public draw" in run_page
    run_id = int(run.location.rstrip("/").rsplit("/", 1)[1])
    assert "How the jury was selected" in client.get(f"/sortition/{SLUG}/runs/{run_id}/report").get_data(as_text=True)
    _ok(client.post(f"/sortition/{SLUG}/runs/{run_id}/draw", data={"number": "42"}))

    # Seat the jurors and send their invitations from the jury's page.
    jury_url = created.location
    jury_id = int(jury_url.rstrip("/").rsplit("/", 1)[1])
    _ok(client.post(f"{jury_url}/seat", data={"run_id": str(run_id)}))
    _ok(client.post(f"{jury_url}/invitations"))
    db.commit()
    jurors = db.exec(select(Juror).where(Juror.jury_id == jury_id)).all()
    assert len(jurors) == 4
    invitations = db.exec(select(OutboxMessage).where(OutboxMessage.council_id == council.id)).all()
    assert len([m for m in invitations if "/juries/respond/" in (m.body or "")]) == 4

    # Step 8: Run participatory budgeting -> Start a new process -> proposals -> Set up a ballot -> open.
    assert _ok(client.get(f"/pb/{SLUG}/manage"), 200)
    process = _ok(client.post(f"/pb/{SLUG}/manage", data={"title": "Parks budget", "pot": "50,000", "area_id": ""}))
    process_id = int(process.location.rsplit("/", 1)[1])
    for title, cost in (("New benches", "20000"), ("Play area", "25000"), ("Tree planting", "15000")):
        _ok(
            client.post(
                f"/pb/{SLUG}/processes/{process_id}/propose",
                data={"title": title, "description": "For the parks", "estimated_cost": cost},
            )
        )
    queue = client.get(f"/pb/{SLUG}/review").get_data(as_text=True)
    for pid in re.findall(r'/review/(\d+)"', queue):
        _ok(client.post(f"/pb/{SLUG}/review/{pid}", data={"feasible": "yes", "reason": ""}))
        _ok(client.post(f"/pb/{SLUG}/review/{pid}/publish"))
    ballot = _ok(
        client.post(
            f"/pb/{SLUG}/manage/processes/{process_id}",
            data={
                "title": "Vote on the parks budget",
                "kind": "knapsack",
                "rule": "greedy",
                "utility": "cost",
                "eligibility": "codes",
            },
        )
    )
    ballot_id = int(ballot.location.rsplit("/", 1)[1])
    _ok(client.post(f"/pb/{SLUG}/manage/ballots/{ballot_id}/open"))
    _ok(client.post(f"/pb/{SLUG}/manage/ballots/{ballot_id}/codes", data={"size": "3"}))
    batch = re.search(
        rf"/pb/{SLUG}/manage/ballots/{ballot_id}/codes/(\d+)\.csv",
        client.get(f"/pb/{SLUG}/manage/ballots/{ballot_id}/codes").get_data(as_text=True),
    ).group(1)
    letters = list(
        csv.DictReader(
            io.StringIO(client.get(f"/pb/{SLUG}/manage/ballots/{ballot_id}/codes/{batch}.csv").get_data(as_text=True))
        )
    )
    code_column = next(name for name in letters[0] if "code" in name.lower())

    # Residents vote at /pb/north-borough/ with their letters.
    assert "Parks budget" in app.test_client().get(f"/pb/{SLUG}/").get_data(as_text=True)
    for n, letter in enumerate(letters):
        voter = app.test_client()
        _ok(voter.post(f"/pb/{SLUG}/ballots/{ballot_id}/code", data={"code": letter[code_column]}))
        refs = re.findall(
            r'name="choice"[^>]*value="([^"]+)"', voter.get(f"/pb/{SLUG}/ballots/{ballot_id}").get_data(as_text=True)
        )
        _ok(voter.post(f"/pb/{SLUG}/ballots/{ballot_id}/submit", data={"choice": refs[: 1 + n % 2]}))

    # Results, the ballot log and exports are published from the ballot's page.
    _ok(client.post(f"/pb/{SLUG}/manage/ballots/{ballot_id}/close"))
    _ok(client.post(f"/pb/{SLUG}/manage/ballots/{ballot_id}/publish"))
    results = _ok(app.test_client().get(f"/pb/{SLUG}/ballots/{ballot_id}/results"), 200).get_data(as_text=True)
    assert "New benches" in results
    log = app.test_client().get(f"/pb/{SLUG}/ballots/{ballot_id}/log.json").get_json()
    assert len(log["entries"]) == 3
