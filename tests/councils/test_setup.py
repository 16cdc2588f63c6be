"""Setting a council up through its admin pages: names and logo, wards and postcodes, roles."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from pbapp.accounts.models import ADMIN, OFFICER, Membership
from pbapp.councils import services
from pbapp.councils.models import WARD, Area, Council, Postcode
from pbapp.pending import PendingUpload
from tests import factories
from tests.conftest import login

WARDS_CSV = (
    "WD24CD,WD24NM,WD24NMW,LAD24CD,LAD24NM\n"
    "E05099001,Northgate,,E06000099,North Borough\n"
    "E05099002,Southfield,,E06000099,North Borough\n"
    "E05011086,Audley,,E06000008,Blackburn with Darwen\n"
)
POSTCODES_CSV = (
    "pcds,doterm,osward,lad\n"
    "NB1 1AA,,E05099001,E06000099\n"
    "NB1 2AB,,E05099002,E06000099\n"
    "NB1 9ZZ,202301,E05099002,E06000099\n"
    "BB1 1AA,,E05011086,E06000008\n"
)


@pytest.fixture
def council(db):
    return factories.council(
        db, slug="north-borough", name="North Borough Council", gss_code="E06000099", postcode_prefixes=""
    )


@pytest.fixture
def admin_client(client, db, council):
    admin = factories.user(db, council=council, role=ADMIN)
    login(client, admin.email)
    return client


def _upload(client, kind, text, name="file.csv"):
    return client.post(
        f"/councils/north-borough/setup/import/{kind}",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def _import(client, kind, text):
    response = _upload(client, kind, text)
    assert response.status_code == 303, response.get_data(as_text=True)
    preview = client.get(response.location)
    assert preview.status_code == 200
    confirmed = client.post(response.location, data={"action": "import"})
    return preview, confirmed


def test_wards_import_previews_then_adds_only_this_councils_wards(admin_client, db, council):
    preview, confirmed = _import(admin_client, "wards", WARDS_CSV)
    page = preview.get_data(as_text=True)
    assert "Northgate" in page and "Audley" not in page
    assert confirmed.status_code == 303
    db.commit()
    names = sorted(a.name for a in db.exec(select(Area).where(Area.council_id == council.id)))
    assert names == ["Northgate", "Southfield"]
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(PendingUpload)).all() == []


def test_nothing_is_saved_before_the_preview_is_confirmed(admin_client, db, council):
    response = _upload(admin_client, "wards", WARDS_CSV)
    admin_client.get(response.location)
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(Area).where(Area.council_id == council.id)).all() == []
    # Held in the one store of uploads, like the pool files; the page carries only its random id.
    held = db.exec(select(PendingUpload)).one()
    assert held.kind == "council.wards" and held.council_id == council.id
    token = response.location.rsplit("/", 1)[1]
    assert token != str(held.id) and len(token) >= 20  # a random token, not the row's number
    admin_client.post(response.location, data={"action": "discard"})
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(PendingUpload)).all() == []
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(Area).where(Area.council_id == council.id)).all() == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("code,name\nE05099001,Northgate\n", "The first line must name the columns WD24CD, WD24NM, LAD24CD."),
        (
            "WD24CD,WD24NM,LAD24CD\nE05099001,Northgate,E06000099\nX1,Southfield,E06000099\n",
            "Line 3: “X1” is not a GSS code like E05011086.",
        ),
        (
            "WD24CD,WD24NM,LAD24CD\nE05099001,Northgate,E06000099\nE05099001,Southfield,E06000099\n",
            "Line 3: Ward E05099001 is already on line 2.",
        ),
        (
            "WD24CD,WD24NM,LAD24CD\nE05099001,Northgate,E06000099\nE05099002,,E06000099\n",
            "Line 3: Give the ward a name of at most 120 characters.",
        ),
        ("WD24CD,WD24NM,LAD24CD\nE05011086,Audley,E06000008\n", "No line of the file is for E06000099."),
    ],
)
def test_a_faulty_wards_file_shows_line_numbered_problems_and_saves_nothing(admin_client, db, council, text, message):
    response = _upload(admin_client, "wards", text)
    preview = admin_client.get(response.location).get_data(as_text=True)
    assert message in preview.replace("&#34;", '"').replace("&#39;", "'")
    assert 'value="import"' not in preview
    assert admin_client.post(response.location, data={"action": "import"}).status_code == 422
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(Area).where(Area.council_id == council.id)).all() == []


def test_postcodes_import_decides_where_residents_live(admin_client, db, council):
    _import(admin_client, "wards", WARDS_CSV)
    preview, confirmed = _import(admin_client, "postcodes", POSTCODES_CSV)
    assert "NB12AB" in preview.get_data(as_text=True)
    assert confirmed.status_code == 303
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert sorted(p.postcode for p in db.exec(select(Postcode))) == ["NB11AA", "NB12AB"]  # live, this council
    db.commit()
    council = db.get(Council, council.id)
    northgate = db.exec(select(Area).where(Area.name == "Northgate")).one()
    assert services.area_for_postcode(db, council, "nb1 1aa").id == northgate.id
    assert services.in_council_area(council, "NB1 2AB")
    assert not services.in_council_area(council, "NB1 9ZZ")  # terminated
    assert not services.in_council_area(council, "BB1 1AA")
    assert services.postcode_in_area(db, council, northgate, "NB1 1AA")
    assert not services.postcode_in_area(db, council, northgate, "NB1 2AB")


def test_a_postcode_in_an_unknown_ward_is_refused_with_its_line(admin_client, db, council):
    _import(admin_client, "wards", WARDS_CSV)
    response = _upload(
        admin_client,
        "postcodes",
        "pcds,osward,lad\nNB1 1AA,E05099001,E06000099\nNB1 3CD,E05099777,E06000099\nNOT A CODE,E05099001,E06000099\n",
    )
    preview = admin_client.get(response.location).get_data(as_text=True)
    assert "Line 3: Ward E05099777 is not one of this council’s wards." in preview
    assert "Line 4: “NOT A CODE” is not a postcode." in preview
    assert admin_client.post(response.location, data={"action": "import"}).status_code == 422
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(Postcode)).all() == []


def test_postcodes_need_wards_and_the_council_needs_its_gss_code(admin_client, db, council):
    response = _upload(admin_client, "postcodes", POSTCODES_CSV)
    assert response.status_code == 422
    assert "Import the wards before the postcodes." in response.get_data(as_text=True)
    council.gss_code = ""
    db.add(council)
    db.commit()
    response = _upload(admin_client, "wards", WARDS_CSV)
    assert response.status_code == 422 and "GSS code" in response.get_data(as_text=True)


def test_without_imported_postcodes_the_ward_prefixes_still_decide(db, council):
    ward = factories.ward(db, council, postcode_prefixes="NB1 1")
    council.postcode_prefixes = "NB1"
    db.add(council)
    db.commit()
    assert services.area_for_postcode(db, council, "NB1 1AA").id == ward.id
    assert services.in_council_area(council, "NB1 1AA")


def _png(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def _save_details(client, **fields):
    data = {"name": "North Borough Council", "name_cy": "Cyngor y Gogledd", "gss_code": "E06000099"}
    data.update(fields)
    return client.post("/councils/north-borough/setup", data=data, content_type="multipart/form-data")


def test_names_and_a_png_logo_show_in_the_header(admin_client, db, council):
    response = _save_details(admin_client, logo=(io.BytesIO(_png()), "logo.png"))
    assert response.status_code == 303
    home = admin_client.get("/councils/north-borough/").get_data(as_text=True)
    assert 'class="app-council-logo"' in home and "/councils/north-borough/logo.png?v=1" in home
    logo = admin_client.get("/councils/north-borough/logo.png?v=1")
    assert logo.mimetype == "image/png"
    assert Image.open(io.BytesIO(logo.data)).size == (40, 20)
    admin_client.get("/language/cy")
    assert "Cyngor y Gogledd" in admin_client.get("/councils/north-borough/").get_data(as_text=True)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "data, message",
    [
        (SVG, "SVG logos are not accepted"),
        (b"<svg onload='alert(1)'/>", "SVG logos are not accepted"),
        (b"GIF89a not really", "The logo must be a PNG image."),
        (_png((1200, 10)), "at most 1000 pixels"),
        (b"\x89PNG" + b"0" * (201 * 1024), "at most 200 KB"),
    ],
)
def test_a_logo_that_is_not_a_small_png_is_refused_and_nothing_changes(admin_client, db, council, data, message):
    response = _save_details(admin_client, name="Renamed", logo=(io.BytesIO(data), "logo.png"))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.expire_all()
    again = db.get(Council, council.id)
    assert again.logo is None and again.name == "North Borough Council"


def test_an_admin_removes_a_role_but_never_the_last_admin(admin_client, db, council):
    officer = factories.user(db, council=council, role=OFFICER)
    db.commit()
    officer_role = db.exec(select(Membership).where(Membership.user_id == officer.id)).one()
    admin_role = db.exec(select(Membership).where(Membership.role == ADMIN)).one()
    assert admin_client.post(f"/accounts/councils/north-borough/members/{officer_role.id}/remove").status_code == 303
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(Membership).where(Membership.id == officer_role.id)).first() is None
    response = admin_client.post(
        f"/accounts/councils/north-borough/members/{admin_role.id}/remove", follow_redirects=True
    )
    assert "A council needs at least one admin." in response.get_data(as_text=True)
    db.expire_all()
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.get(Membership, admin_role.id) is not None


def test_an_admin_of_another_council_cannot_touch_this_one(client, db, council):
    other = factories.council(db)
    outsider = factories.user(db, council=other, role=ADMIN)
    admin = factories.user(db, council=council, role=ADMIN)
    with client.application.test_request_context():
        token = services.hold_import(
            db, council, kind="wards", filename="w.csv", data=WARDS_CSV.encode(), actor_id=admin.id
        )
    login(client, outsider.email)
    assert client.get("/councils/north-borough/setup").status_code == 403
    assert (
        client.post(f"/councils/north-borough/setup/import/wards/{token}", data={"action": "import"}).status_code == 403
    )
    assert client.get(f"/councils/{other.slug}/setup/import/wards/{token}").status_code == 404
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(Area).where(Area.kind == WARD)).all() == []


def test_an_admin_groups_wards_into_a_neighbourhood_and_moves_one_out(admin_client, db, council):
    north, south, east = (
        factories.ward(db, council, name=n, adults=a)
        for n, a in (("Northgate", 1000), ("Southfield", 2000), ("Eastham", 500))
    )
    response = admin_client.post(
        "/councils/north-borough/setup/neighbourhoods/new", data={"name": "Riverside", "wards": [north.id, south.id]}
    )
    assert response.status_code == 303
    db.commit()
    riverside = db.exec(select(Area).where(Area.name == "Riverside")).one()
    assert riverside.adults == 3000
    assert "Riverside" in admin_client.get("/councils/north-borough/setup").get_data(as_text=True)
    page = admin_client.get(f"/councils/north-borough/setup/neighbourhoods/{riverside.id}").get_data(as_text=True)
    assert f'value="{north.id}" checked' in page and f'value="{east.id}" checked' not in page
    admin_client.post(
        f"/councils/north-borough/setup/neighbourhoods/{riverside.id}",
        data={"name": "Riverside", "wards": [south.id, east.id]},
    )
    db.commit()
    db.expire_all()
    assert {w.name for w in db.exec(select(Area).where(Area.neighbourhood_id == riverside.id))} == {
        "Southfield",
        "Eastham",
    }
    assert db.get(Area, riverside.id).adults == 2500


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "wards": []}, "Enter the neighbourhood’s name"),
        ({"name": "Riverside", "wards": []}, "Choose at least one of the council’s wards"),
        ({"name": "Northgate", "wards": ["WARD"]}, "This council already has an area called Northgate."),
    ],
)
def test_a_neighbourhood_needs_a_free_name_and_wards(admin_client, db, council, data, message):
    ward = factories.ward(db, council, name="Northgate")
    data = {**data, "wards": [ward.id if w == "WARD" else w for w in data["wards"]]}
    response = admin_client.post("/councils/north-borough/setup/neighbourhoods/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.commit()
    assert db.exec(select(Area).where(Area.kind == "neighbourhood")).all() == []


def test_a_held_import_is_only_its_uploaders_and_expires(client, db, council, app):
    uploader = factories.user(db, council=council, role=ADMIN)
    colleague = factories.user(db, council=council, role=ADMIN)
    login(client, uploader.email)
    location = _upload(client, "wards", WARDS_CSV).location
    login(client, colleague.email)
    assert client.post(location, data={"action": "import"}).status_code == 404
    login(client, uploader.email)
    held = db.exec(select(PendingUpload)).one()
    held.expires_at = held.created_at  # as if PENDING_UPLOAD_MINUTES had passed
    db.commit()
    response = client.post(location, data={"action": "import"})
    assert response.status_code == 404
    assert "Upload the file again" in response.get_data(as_text=True)
    db.commit()  # end the read: SQLite shows this session a snapshot
    assert db.exec(select(Area).where(Area.council_id == council.id)).all() == []


def test_an_admin_turns_bilingual_letters_and_emails_on_and_off(admin_client, db, council):
    """Issue #21: the setting is off for a new council, on once ticked, off again once unticked."""
    from pbapp.councils.models import Council

    def bilingual() -> bool:
        found = db.get(Council, council.id)
        db.refresh(found)
        db.commit()
        return found.bilingual

    page = admin_client.get("/councils/north-borough/setup").get_data(as_text=True)
    assert "Send letters and emails in English and Welsh" in page and not bilingual()
    assert _save_details(admin_client, bilingual="y").status_code == 303 and bilingual()
    import re

    box = re.search(
        r'<input[^>]*name="bilingual"[^>]*>', admin_client.get("/councils/north-borough/setup").get_data(as_text=True)
    )
    assert box and "checked" in box.group(0)
    assert _save_details(admin_client).status_code == 303 and not bilingual()
