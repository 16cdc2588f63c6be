"""A place's pages as residents and officers use them: from the council's home page to an outcome area, and back."""

from __future__ import annotations

import io
import json
import re
from datetime import date

from sqlmodel import select

from pbapp.places.models import BodyBudget, LineShare, OutcomeArea, PublicBody
from tests.factories import typed_date
from tests.places import factories

SLUG = "blackburn-with-darwen"
CSV = 'service_line,amount,devolved\nYouth offending,"1,000",250\nCustody,500,\nTotal,1500,\n'


def _text(response) -> str:
    return response.get_data(as_text=True)


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def _follow(client, html: str, pattern: str) -> str:
    found = next(link for link in _links(html) if re.search(pattern, link))
    response = client.get(found)
    assert response.status_code == 200, found
    return _text(response)


def test_a_resident_finds_youth_unemployment_spending_from_the_council_home_page(client, demo):
    home = _text(client.get(f"/councils/{SLUG}/"))
    index = _follow(client, home, r"^/places/[^/]+/$")
    place = _follow(client, index, r"^/places/[^/]+/\d+/$")
    assert "Together they spend £798,831,000 here" in place
    area = _follow(client, re.sub(r"(?s).*Spending by outcome</h2>", "", place, count=1), r"/areas/\d+$")
    assert "Youth unemployment" in area or "Community safety" in area
    assert "Lancashire Police and Crime Commissioner" in area
    assert re.search(r"\+£[\d,]+ \(\+\d+\.\d%\)", area), "year-on-year change is shown"
    assert "Decided by neighbourhoods" in area
    assert "/shares" not in area and "Map lines" not in area  # officers' links only for officers


def test_outcome_area_figures_match_the_seed_shares(app, db, demo, client):
    place = factories.demo_place(db, demo)
    youth = db.exec(
        select(OutcomeArea).where(OutcomeArea.place_id == place.id, OutcomeArea.name == "Youth unemployment")
    ).one()
    html = _text(client.get(f"/places/{SLUG}/{place.id}/areas/{youth.id}"))
    # 30% of £6,329k planning + 2% of £163,126k education + 3% of £70,749k children's social care
    council = 6_329_000_00 * 3 // 10 + 163_126_000_00 * 2 // 100 + 70_749_000_00 * 3 // 100
    assert f'data-amount="{council}"' in html


def test_print_view_and_open_data_in_welsh(client, db, demo):
    place = factories.demo_place(db, demo)
    client.get("/language/cy?next=/")
    for path in ("", "print", "open-data"):
        response = client.get(f"/places/{SLUG}/{place.id}/{path}")
        assert response.status_code == 200 and 'lang="cy"' in _text(response)
    assert "Gwariant yn ôl canlyniad" in _text(client.get(f"/places/{SLUG}/{place.id}/"))
    data = json.loads(_text(client.get(f"/places/{SLUG}/{place.id}/data/spending.json")))
    assert {r["outcome_area"] for r in data["rows"]} == {"Youth unemployment", "Community safety"}
    csv_text = _text(client.get(f"/places/{SLUG}/{place.id}/data/body_lines.csv"))
    assert csv_text.startswith("body,financial_year,basis,service_line,amount_pence")


def test_an_officer_adds_a_body_imports_its_budget_after_a_preview_and_maps_its_lines(client, db, demo, login_as):
    login_as("officer")
    place = factories.demo_place(db, demo)
    page = _text(client.get(f"/places/{SLUG}/{place.id}/"))
    assert f"/places/{SLUG}/{place.id}/bodies" in page
    response = client.post(f"/places/{SLUG}/{place.id}/bodies", data={"body-name": "", "body-kind": "jobcentre_plus"})
    assert response.status_code == 422 and "Enter the name of the body" in _text(response)
    response = client.post(
        f"/places/{SLUG}/{place.id}/bodies",
        data={"body-name": "Blackburn Jobcentre Plus", "body-kind": "jobcentre_plus", "body-website": ""},
    )
    assert response.status_code == 303
    body_page = client.get(response.location)
    import_url = next(link for link in _links(_text(body_page)) if link.endswith("/import"))
    fields = {
        "financial_year": "2026-27",
        "basis": "spend",
        "source_title": "DWP spend by district",
        "source_url": "",
        **typed_date("source_date", "2026-05-01"),
    }
    bad = client.post(
        import_url,
        data={**fields, "csv_file": (io.BytesIO(CSV.replace("1500", "1400").encode()), "j.csv")},
        content_type="multipart/form-data",
    )
    assert (
        bad.status_code == 422
        and "Line 4 (amount): the stated total £1,400 is not the sum of the lines £1,500" in _text(bad)
    )
    preview = client.post(
        import_url, data={**fields, "csv_file": (io.BytesIO(CSV.encode()), "j.csv")}, content_type="multipart/form-data"
    )
    assert preview.status_code == 200 and "Matches the stated total" in _text(preview)
    body = db.exec(select(PublicBody).where(PublicBody.name == "Blackburn Jobcentre Plus")).one()
    db.commit()
    assert db.exec(select(BodyBudget).where(BodyBudget.body_id == body.id)).all() == []
    db.commit()  # end the read, so the next one sees what the request saved (SQLite reads from a snapshot)
    carried = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', _text(preview)).group(1).replace("&#34;", '"')
    hidden_date = re.search(r'name="source_date" value="([^"]*)"', _text(preview)).group(1)
    assert hidden_date == "2026-05-01"
    kept = {k: v for k, v in fields.items() if not k.startswith("source_date")}
    saved = client.post(import_url, data={**kept, "source_date": hidden_date, "csv_text": carried, "save": "1"})
    assert saved.status_code == 303
    budget = db.exec(select(BodyBudget).where(BodyBudget.body_id == body.id)).one()
    assert (budget.total_pence, budget.devolved_pence, budget.basis) == (150_000, 25_000, "spend")
    assert budget.source_date == date(2026, 5, 1)  # typed in three boxes, carried through the preview
    shares_url = next(link for link in _links(_text(client.get(saved.location))) if link.endswith("/shares"))
    form = _text(client.get(shares_url))
    assert "Share of “Youth offending” (%)" in form
    refused = client.post(shares_url, data={"shares-0": "120", "shares-1": ""})
    assert refused.status_code == 422 and "Enter a percentage from 0 to 100" in _text(refused)
    done = client.post(shares_url, data={"shares-0": "40", "shares-1": ""})
    assert done.status_code == 303
    db.commit()
    assert [s.basis_points for s in db.exec(select(LineShare).where(LineShare.body_id == body.id)).all()] == [4000]
    assert "£400" in _text(client.get(done.location))


def test_an_officer_adds_a_place_and_an_outcome_area(client, db, demo, login_as):
    login_as("officer")
    index = _text(client.get(f"/places/{SLUG}/"))
    assert "Add a place" in index
    response = client.post(f"/places/{SLUG}/", data={"name": "Lancashire", "kind": "combined_authority_area"})
    assert response.status_code == 303
    again = client.post(f"/places/{SLUG}/", data={"name": "Lancashire", "kind": "combined_authority_area"})
    assert again.status_code == 422 and "already a place with this name" in _text(again)
    place_url = response.location
    area = client.post(place_url.rstrip("/") + "/areas", data={"area-name": "Health and social care"})
    assert area.status_code == 303
    assert "No body’s lines have been mapped" in _text(client.get(area.location))
