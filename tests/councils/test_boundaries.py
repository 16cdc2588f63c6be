"""Ward boundaries: an admin imports the ONS GeoJSON, and the budgeting pages draw their wards from it.

Every file here is synthetic: the fictional North Borough (E06000099) and its wards Northgate and
Southfield, outlined in tests/fixtures/boundaries (see its README).
"""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import pytest
from sqlmodel import select

from pbapp.accounts.models import ADMIN
from pbapp.councils.models import WARD, Area, WardBoundary
from pbapp.pb import services as pb_services
from pbapp.pb.models import Proposal
from pbapp.pending import PendingUpload
from tests import factories
from tests.conftest import login
from tests.pb import factories as pb_factories

FIXTURE = Path(__file__).parent.parent / "fixtures" / "boundaries" / "north_borough_wards.geojson"
GOOD = json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def council(db):
    made = factories.council(
        db, slug="north-borough", name="North Borough Council", gss_code="E06000099", postcode_prefixes=""
    )
    factories.ward(db, made, name="Northgate", code="E05099001", adults=4000)
    factories.ward(db, made, name="Southfield", code="E05099002", adults=5000)
    return made


@pytest.fixture
def admin_client(client, db, council):
    login(client, factories.user(db, council=council, role=ADMIN).email)
    return client


def _upload(client, text: str, name: str = "wards.geojson"):
    return client.post(
        "/councils/north-borough/setup/import/boundaries",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def _import(client, text: str):
    response = _upload(client, text)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    preview = client.get(response.location)
    assert preview.status_code == 200
    return preview.get_data(as_text=True), client.post(response.location, data={"action": "import"})


def _outlines(db, council) -> dict[str, WardBoundary]:
    rows = db.exec(
        select(WardBoundary, Area)
        .join(Area, Area.id == WardBoundary.area_id)
        .where(WardBoundary.council_id == council.id)
    ).all()
    db.commit()
    return {area.name: outline for outline, area in rows}


def test_the_setup_page_links_to_the_boundaries_import(admin_client):
    page = admin_client.get("/councils/north-borough/setup").get_data(as_text=True)
    assert "/councils/north-borough/setup/import/boundaries" in page
    form = admin_client.get("/councils/north-borough/setup/import/boundaries").get_data(as_text=True)
    assert "GeoJSON file" in form and "WD23CD" in form


def test_a_good_file_is_previewed_as_a_map_then_kept_as_simplified_svg_paths(admin_client, db, council):
    response = _upload(admin_client, FIXTURE.read_text(encoding="utf-8"))
    preview = admin_client.get(response.location).get_data(as_text=True)
    assert 'role="img"' in preview and 'id="preview-map"' in preview
    assert "Northgate" in preview and "Southfield" in preview and "Elsewhere Green" not in preview
    assert _outlines(db, council) == {}  # nothing saved before the confirmation
    confirmed = admin_client.post(response.location, data={"action": "import"})
    assert confirmed.status_code == 303
    flash = admin_client.get(confirmed.location).get_data(as_text=True)
    found = re.search(r"Boundaries imported for 2 wards, simplified from (\d+) points to (\d+)", flash)
    assert found and int(found[2]) < int(found[1])
    outlines = _outlines(db, council)
    assert set(outlines) == {"Northgate", "Southfield"}
    assert {(o.width, o.height) for o in outlines.values()} == {(1000, 833)}
    assert outlines["Northgate"].path.count("M") == 2  # the ward and its hole
    assert outlines["Southfield"].path.count("M") == 2  # two parts of a MultiPolygon
    assert all(re.fullmatch(r"(M[0-9. L]+Z)+", o.path) for o in outlines.values())
    assert db.exec(select(PendingUpload)).all() == []
    db.commit()


def _feature(n: int) -> dict:
    return copy.deepcopy(GOOD["features"][n])


def _collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _with(n: int, **changes) -> dict:
    feature = _feature(n)
    for key, value in changes.items():
        if key == "geometry":
            feature["geometry"] = value
        else:
            feature["properties"][key] = value
    return feature


def _open_ring() -> dict:
    feature = _feature(0)
    feature["geometry"]["coordinates"][0] = feature["geometry"]["coordinates"][0][:-1]
    return feature


BAD = [
    ("", "Line 1: The file is empty."),
    ('{"type": "FeatureCollection",\n "features": [,]}', "Line 2: This is not JSON: Expecting value (column 15)."),
    ('{"type": "Feature"}', "Line 1: The file must be a GeoJSON FeatureCollection"),
    (
        _collection(_feature(0), {"type": "Feature", "properties": {"name": "x"}, "geometry": None}),
        "Feature 2: It has no ward code property like WD23CD.",
    ),
    (
        _collection(_feature(0), _with(1, geometry={"type": "Point", "coordinates": [-30, 50]})),
        "Feature 2: Ward E05099002: Its geometry is a Point; a ward must be a Polygon or a MultiPolygon.",
    ),
    (
        _collection(_open_ring(), _feature(1)),
        "Feature 1: Ward E05099001: Its geometry has a ring that does not end where it starts.",
    ),
    (
        _collection(_feature(0), _feature(1), _with(0, WD23NM="Northgate again")),
        "Feature 3: Ward E05099001 is already feature 1.",
    ),
    (
        _collection(
            _feature(0),
            _with(1, geometry={"type": "Polygon", "coordinates": [[[-30, 50], ["a", 50], [-30, 51], [-30, 50]]]}),
        ),
        "Feature 2: Ward E05099002: Its geometry has a position that is not a pair of numbers.",
    ),
    (
        _collection(_feature(0), _feature(2)),
        "Line 1: The file has no boundary for these wards of the council: Southfield (E05099002).",
    ),
    (_collection(_feature(2)), "Line 1: No feature of the file is one of this council’s wards."),
]


@pytest.mark.parametrize("text, message", BAD, ids=[m.split(":")[0] + " " + m.split(":")[-1][:30] for _t, m in BAD])
def test_a_faulty_file_names_the_feature_or_line_and_saves_nothing(admin_client, db, council, text, message):
    response = _upload(admin_client, text)
    assert response.status_code == 303
    preview = admin_client.get(response.location).get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
    assert message in preview
    assert 'value="import"' not in preview and 'id="preview-map"' not in preview
    assert admin_client.post(response.location, data={"action": "import"}).status_code == 422
    assert _outlines(db, council) == {}


def test_a_file_that_is_not_utf8_is_refused_at_once(admin_client, db, council):
    response = admin_client.post(
        "/councils/north-borough/setup/import/boundaries",
        data={"file": (io.BytesIO('{"name": "Caf\xe9"}'.encode("cp1252")), "w.geojson")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The file must be a GeoJSON file saved as UTF-8." in response.get_data(as_text=True)


def test_boundaries_need_the_wards_first(client, db):
    bare = factories.council(db, slug="bare-borough", name="Bare Borough", gss_code="E06000097", postcode_prefixes="")
    login(client, factories.user(db, council=bare, role=ADMIN).email)
    response = client.post(
        "/councils/bare-borough/setup/import/boundaries",
        data={"file": (io.BytesIO(FIXTURE.read_bytes()), "w.geojson")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Import the wards before their boundaries." in response.get_data(as_text=True)


def test_a_second_import_replaces_the_outlines(admin_client, db, council):
    _import(admin_client, FIXTURE.read_text(encoding="utf-8"))
    first = {name: o.path for name, o in _outlines(db, council).items()}
    moved = copy.deepcopy(GOOD)
    for feature in moved["features"]:
        if feature["properties"]["WD23CD"] == "E05099001":
            feature["geometry"] = {
                "type": "Polygon",
                "coordinates": [[[-30, 50.06], [-29.8, 50.06], [-29.9, 50.2], [-30, 50.06]]],
            }
    _import(admin_client, json.dumps(moved))
    second = _outlines(db, council)
    assert len(second) == 2 and second["Northgate"].path != first["Northgate"]
    assert second["Northgate"].path.count("L") == 2  # a triangle


def _wards(db, council) -> dict[str, Area]:
    found = {a.name: a for a in db.exec(select(Area).where(Area.council_id == council.id, Area.kind == WARD))}
    db.commit()
    return found


def _process_with_ward_proposals(app, db, council):
    """A process of North Borough with three proposals for Northgate, one for Southfield, one for the whole area."""
    process = pb_factories.process(app, db, council, proposals=5)
    wards = _wards(db, council)
    places = [wards["Northgate"].id] * 3 + [wards["Southfield"].id, None]
    proposals = db.exec(select(Proposal).where(Proposal.process_id == process.id).order_by(Proposal.id)).all()
    for proposal, area_id in zip(proposals, places):
        proposal.area_id = area_id
    db.commit()
    return process, wards


def test_the_process_page_maps_proposals_per_ward_and_each_ward_lists_its_own(admin_client, db, demo, council):
    process, wards = _process_with_ward_proposals(admin_client.application, db, council)
    url = f"/pb/north-borough/processes/{process.id}"
    assert 'class="app-ward-map"' not in admin_client.get(url).get_data(as_text=True)  # no boundaries yet: no map
    _import(admin_client, FIXTURE.read_text(encoding="utf-8"))
    page = admin_client.get(url).get_data(as_text=True)
    assert 'id="proposals-by-ward-map"' in page and 'role="group"' in page  # a map of links
    table = page[page.index('id="proposals-by-ward-table"') :]
    table = table[: table.index("</table>")]
    assert re.search(r"Northgate</a></th>\s*<td[^>]*>3</td>", table)
    assert re.search(r"Southfield</a></th>\s*<td[^>]*>1</td>", table)
    assert re.search(r"A neighbourhood or the whole area</th>\s*<td[^>]*>1</td>", table)
    northgate = f"{url}?ward={wards['Northgate'].id}#proposals"
    assert f'href="{northgate}" class="app-ward-map__link" aria-label="Northgate: 3 proposals"' in page
    # Three of five steps: the darkest shade is Northgate's, a lighter one Southfield's.
    assert re.search(r'aria-label="Northgate: 3 proposals">\s*<path d="[^"]+" fill="#08519c"', page)
    assert re.search(r'aria-label="Southfield: 1 proposal">\s*<path d="[^"]+" fill="#bdd7e7"', page)
    filtered = admin_client.get(northgate.split("#")[0]).get_data(as_text=True)
    listed = filtered[filtered.index('id="proposals"') :]
    assert "Proposals for Northgate" in listed
    assert listed.count("/pb/north-borough/proposals/") == 3


def test_the_results_page_shades_turnout_and_maps_funded_projects(admin_client, db, demo, council):
    app = admin_client.application
    process, wards = _process_with_ward_proposals(app, db, council)
    ballot = pb_factories.ballot(app, db, council, process_=process)
    refs = pb_factories.refs(db, ballot)
    officer = pb_factories.officer(db)
    with app.test_request_context():
        for n in range(40):  # 1% of Northgate's 4,000 adults, 0.2% of Southfield's 5,000
            area = wards["Northgate"].id if n < 30 else wards["Southfield"].id if n < 40 else None
            pb_services.cast_vote(
                db,
                council,
                ballot.id,
                pb_services.Voter(key=f"{n:064d}", via="code", area_id=area),
                [refs[0], refs[3]] if n < 30 else [refs[3]],
            )
        pb_services.close_ballot(db, council, ballot.id, officer)
        pb_services.publish_results(db, council, ballot.id, officer, url_of=lambda b: "https://example.org/r")
    url = f"/pb/north-borough/ballots/{ballot.id}/results"
    assert 'class="app-ward-map"' not in admin_client.get(url).get_data(as_text=True)  # the tables stand alone
    _import(admin_client, FIXTURE.read_text(encoding="utf-8"))
    page = admin_client.get(url).get_data(as_text=True)
    assert 'id="turnout-by-ward"' in page  # the table beside the map
    assert 'id="turnout-map"' in page and "<title>Northgate: 0.8% turnout</title>" in page
    assert "<title>Southfield: 0.2% turnout</title>" in page
    assert re.search(r'<path d="[^"]+" fill="#08519c"[^>]*><title>Northgate: 0.8% turnout', page)
    assert "0.6% to 0.8%" in page  # the legend's top step
    assert 'id="funded-by-ward-map"' in page and 'id="funded-by-ward-table"' in page
