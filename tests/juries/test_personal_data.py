"""Personal data: a canary volunteer goes through the whole journey; no log line and, after erasure,
no table holds their name, email, phone or address."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from sqlalchemy import text
from sqlmodel import select

from pbapp.db import get_engine, import_all_models
from pbapp.juries.models import Jury
from pbapp.mail import OutboxMessage
from pbapp.sortition.models import Person, SelectionRun
from tests.sortition import data

CANARY = {
    "name": "Zebedee Quillfeather",
    "email": "zebedee.quillfeather@canary.example",
    "phone": "07700 900461",
    "address": "61 Quillfeather Row",
}
RESIDENT_CANARY = {
    "name": "Philippa Wrenhaven",
    "email": "philippa.wrenhaven@canary.example",
    "phone": "07700 900462",
    "address": "7 Wrenhaven Close",
}


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


@pytest.fixture
def captured_logs(app):
    """Every log record at DEBUG, plus a gunicorn-style access line per request."""
    handler = _Collect()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s %(args)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    access = logging.getLogger("gunicorn.access")
    inner = app.wsgi_app

    def access_log(environ, start_response):
        def start(status, headers, *args):
            query = environ.get("QUERY_STRING")
            access.info(
                '%s - - "%s %s%s %s" %s',
                environ.get("REMOTE_ADDR", "-"),
                environ["REQUEST_METHOD"],
                environ.get("PATH_INFO", ""),
                "?" + query if query else "",
                environ.get("SERVER_PROTOCOL"),
                status.split()[0],
            )
            return start_response(status, headers, *args)

        return inner(environ, start)

    app.wsgi_app = access_log
    yield handler.lines
    app.wsgi_app = inner
    root.removeHandler(handler)
    root.setLevel(old_level)


def _canary_people() -> str:
    row = f"P099,Female,40+,H99,{CANARY['name']},{CANARY['email']},{CANARY['phone']},{CANARY['address']},BB1 7DY\n"
    return data.people(11) + row


def _post_upload(client, council, pool_id):
    response = client.post(
        f"/sortition/{council}/pools/{pool_id}/upload",
        data={
            "file_format": "pbapp",
            "features": (io.BytesIO(data.FEATURES.encode()), "features.csv"),
            "people": (io.BytesIO(_canary_people().encode()), "people.csv"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    form = dict(
        re.findall(r'<input[^>]*type="hidden"[^>]*name="(\w+)"[^>]*value="([^"]*)"', html)
        + re.findall(r'<input[^>]*name="(\w+)"[^>]*type="hidden"[^>]*value="([^"]*)"', html)
    )
    for name, body in re.findall(r'<select[^>]*name="(map-[^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        form[name] = chosen.group(1) if chosen else ""
    form["step"] = "import"
    assert client.post(f"/sortition/{council}/pools/{pool_id}/upload", data=form).status_code == 303


def _journey(app, client, db, demo):
    slug = demo.slug
    facilitator = db.exec(text("SELECT user_id FROM membership WHERE role = 'facilitator'")).first()[0]
    created = client.post(
        f"/juries/{slug}/new",
        data={
            "remit": "What should the council stop doing?",
            "panel_size": "4",
            "starts_on": "2027-01-09",
            "ends_on": "2027-02-06",
            "facilitator_id": str(facilitator),
            "honorarium": "50",
        },
    )
    jury_id = int(created.location.rstrip("/").split("/")[-1])
    db.commit()
    pool_id = db.get(Jury, jury_id).pool_id
    _post_upload(client, slug, pool_id)
    codes = client.post(f"/sortition/{slug}/pools/{pool_id}/codes", data={"count": "1"}).get_data(as_text=True)
    code = codes.splitlines()[1]
    resident = app.test_client()
    page = resident.post(f"/sortition/{slug}/register", data={"code": code}).get_data(as_text=True)
    answers = dict(re.findall(r'name="(feature_\d+)"[^>]*value="([^"]+)"', page))
    assert "You are in the pool" in resident.post(
        f"/sortition/{slug}/register",
        data={
            "code": code,
            "consent": "y",
            "postcode": "BB2 6AT",
            **answers,
            **{k: v for k, v in RESIDENT_CANARY.items()},
        },
    ).get_data(as_text=True)
    client.post(f"/sortition/{slug}/pools/{pool_id}/quotas/check", data={}, headers={"HX-Request": "true"})
    client.post(f"/sortition/{slug}/pools/{pool_id}/quotas", data={"action": "save"})
    run_url = client.post(f"/sortition/{slug}/pools/{pool_id}/runs", data={"algorithm": "leximin"}).location
    run_id = int(run_url.rstrip("/").split("/")[-1])
    db.commit()
    run = db.get(SelectionRun, run_id)
    panels = json.loads(run.lottery)["panels"]
    number = next(i for i, panel in enumerate(panels) if "P099" in panel)
    client.post(f"/sortition/{slug}/runs/{run_id}/draw", data={"number": str(number)})
    client.get(run_url)
    client.get(f"/sortition/{slug}/runs/{run_id}/report")
    client.get(f"/sortition/{slug}/runs/{run_id}/input.zip")
    client.post(f"/juries/{slug}/{jury_id}/seat", data={"run_id": str(run_id)})
    client.post(f"/juries/{slug}/{jury_id}/invitations")
    db.commit()
    message = db.exec(select(OutboxMessage).where(OutboxMessage.to == CANARY["email"])).one()
    token = re.search(r"/juries/respond/(\S+)", message.body).group(1)
    app.test_client().post(f"/juries/respond/{token}", data={"answer": "yes"})
    page = client.get(f"/juries/{slug}/{jury_id}").get_data(as_text=True)
    assert CANARY["name"] in page
    for juror_id in re.findall(rf"/juries/{slug}/{jury_id}/jurors/(\d+)", page):
        client.post(f"/juries/{slug}/{jury_id}/jurors/{juror_id}", data={"action": "confirm"})
    client.post(f"/juries/{slug}/{jury_id}/sessions", data={"title": "Day one", "held_on": "2027-01-09"})
    page = client.get(f"/juries/{slug}/{jury_id}").get_data(as_text=True)
    session_url = re.search(r'href="(/juries/[^"]+/sessions/\d+)"', page).group(1)
    juror_ids = re.findall(
        r'name="present" type="checkbox" value="(\d+)"', client.get(session_url).get_data(as_text=True)
    )
    client.post(session_url, data={"present": juror_ids})
    client.post(f"/juries/{slug}/{jury_id}/expenses", data={"juror_id": juror_ids[0], "kind": "travel", "amount": "3"})
    assert CANARY["name"] in client.get(f"/juries/{slug}/{jury_id}/payments.csv").get_data(as_text=True)
    person = db.exec(select(Person).where(Person.pool_id == pool_id, Person.public_id == "P099")).one()
    assert CANARY["email"] in client.get(f"/sortition/{slug}/people/{person.id}/export").get_data(as_text=True)
    client.get(f"/sortition/{slug}/pools/{pool_id}")
    client.post(f"/juries/{slug}/{jury_id}/jurors/999999", data={"action": "confirm"})  # an error path too
    client.post(f"/sortition/{slug}/pools/{pool_id}/erase", data={"confirm": "y"})
    return pool_id


def _secrets() -> list[str]:
    return [v for c in (CANARY, RESIDENT_CANARY) for v in c.values()] + ["Quillfeather", "Wrenhaven"]


def test_no_personal_data_in_any_log_and_none_left_after_erasure(app, client, login_as, db, demo, captured_logs):
    login_as("officer")
    _journey(app, client, db, demo)
    assert any("gunicorn.access" in line for line in captured_logs)
    leaks = [line for line in captured_logs if any(s.lower() in line.lower() for s in _secrets())]
    assert leaks == [], leaks[:3]

    db.commit()
    found = []
    with get_engine(app).connect() as connection:
        for table in import_all_models().metadata.sorted_tables:
            for row in connection.execute(table.select()):
                cells = " ".join(str(v) for v in row).lower()
                found += [(table.name, s) for s in _secrets() if s.lower() in cells]
    assert found == []
