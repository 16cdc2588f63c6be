"""Hostile input in every text field of every form: it is escaped wherever it is shown.

A crawler signs in as an admin, fills every text box of every form the app offers with markup
and script, submits, and then reads every page: the raw markup must never come back.
"""

from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import ROLE_EMAILS, login
from tests.permissions_matrix import all_rules, url_for_rule
from tests.trust import figures

PAYLOAD = '<script>alert("pbapp")</script><img src=x onerror=alert(1)>'
TEXT_TYPES = {"text", "search", "url", "tel", ""}


class FormParser(HTMLParser):
    """Collect POST forms with their fields' names, types and first option values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {
                "action": attrs.get("action") or "",
                "fields": {},
                "multipart": "multipart" in (attrs.get("enctype") or ""),
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "").lower()
            name = attrs["name"]
            if kind in TEXT_TYPES:
                self._form["fields"][name] = PAYLOAD
            elif kind == "email":
                self._form["fields"][name] = "hostile@example.org"
            elif kind == "number":
                self._form["fields"][name] = "1"
            elif kind == "date":
                self._form["fields"][name] = "2027-01-31"
            elif kind in ("hidden", "radio", "checkbox") and attrs.get("value") is not None:
                self._form["fields"].setdefault(name, attrs["value"])
            elif kind == "password":
                self._form["fields"][name] = "a long enough password"
        elif tag == "textarea" and attrs.get("name"):
            self._form["fields"][attrs["name"]] = PAYLOAD
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select and attrs.get("value"):
            self._form["fields"].setdefault(self._select, attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _get_pages(app, council):
    for rule in all_rules(app):
        if "GET" in rule.methods and rule.endpoint != "static" and "language" not in rule.endpoint:
            yield rule.endpoint, url_for_rule(app, rule, council)


def test_markup_in_every_text_field_is_never_rendered_raw(app, client, demo):
    login(client, ROLE_EMAILS["admin"])
    pages = list(_get_pages(app, demo))
    submitted = 0
    for endpoint, url in pages:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if form["multipart"] or form["action"].endswith("/logout"):
                continue
            target = form["action"] or url
            result = client.post(target, data=form["fields"])
            body = result.get_data(as_text=True)
            assert result.status_code < 500, f"{target} (form on {endpoint}) failed with {result.status_code}"
            assert PAYLOAD not in body, f"{target} echoed the markup unescaped"
            submitted += 1
            figures.add("hostile_forms", 1, detail=endpoint)
            figures.add("hostile_fields", sum(1 for v in form["fields"].values() if v == PAYLOAD))
    assert submitted >= 3
    print(f"hostile forms submitted: {submitted} on {len(pages)} pages")
    for viewer in (client, app.test_client()):
        for endpoint, url in pages:
            response = viewer.get(url)
            if not response.mimetype.startswith("text/"):
                continue
            body = response.get_data(as_text=True)
            assert "<script>alert(" not in body and "<img src=x onerror" not in body, f"{endpoint} shows raw markup"
            figures.add("pages_checked_for_raw_markup")
