"""Welsh is available on every page, chosen by a link or by the browser's language."""

from __future__ import annotations


def test_language_link_switches_to_welsh_and_back(client, demo):
    response = client.get("/language/cy?next=/")
    assert response.status_code == 303 and response.location == "/"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="cy"' in html and "Dewiswch eich cyngor" in html and "Neidio i’r prif gynnwys" in html
    assert "Cyngor Bwrdeistref Blackburn gyda Darwen" in html
    client.get("/language/en?next=/")
    assert "Choose your council" in client.get("/").get_data(as_text=True)


def test_browser_language_is_honoured(client):
    html = client.get("/accounts/login", headers={"Accept-Language": "cy,en;q=0.5"}).get_data(as_text=True)
    assert "Mewngofnodi" in html


def test_language_switch_refuses_offsite_redirects(client):
    assert client.get("/language/cy?next=https://evil.example/").location == "/"
    assert client.get("/language/xx").status_code == 404


def test_form_errors_are_welsh_too(client):
    client.get("/language/cy")
    html = client.post("/accounts/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Mae problem" in html and "Rhowch eich cyfeiriad e-bost" in html and "Rhowch eich cyfrinair" in html
