"""Published results cost what they show: stored count, stored log and .pb (ETag, ranges), one-entry receipt checks."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlmodel import select

from pbapp.pb import counting, published, services
from pbapp.pb.published_models import PublishedChunk, PublishedFile
from tests.pb.test_exports import _counted_ballot as _published_by_officer


def _counted_ballot(app, db, demo, login_as, client):
    """A small ballot counted and published by an officer through the site, as the tests' session now sees it."""
    ballot = _published_by_officer(app, db, demo, login_as, client)
    db.commit()  # end the read, so this session sees what the requests wrote (SQLite snapshots)
    db.expire_all()
    return ballot


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 100 bytes, so even a small log spans many and ranges cross their edges."""
    monkeypatch.setattr(published, "CHUNK_BYTES", 100)


def _old_log_json(db, ballot) -> bytes:
    """log.json as the view encoded it per request before the file was stored."""
    return json.dumps(services.log_document(db, ballot), ensure_ascii=False).encode()


def test_downloads_are_the_bytes_the_log_gave_before(app, db, demo, client, login_as, small_chunks):
    ballot = _counted_ballot(app, db, demo, login_as, client)
    names = db.exec(select(PublishedFile.name).where(PublishedFile.ballot_id == ballot.id)).all()
    assert sorted(names) == ["election.pb", "log.json"]  # written by the publication's job, before any download
    base = f"/pb/{demo.slug}/ballots/{ballot.id}"
    log = client.get(base + "/log.json")
    assert log.status_code == 200 and log.mimetype == "application/json"
    assert log.get_data() == _old_log_json(db, ballot)
    assert log.headers["Content-Disposition"] == f"attachment; filename={demo.slug}-ballot-{ballot.id}-log.json"
    with app.test_request_context():
        old_pb = services.export(db, demo, ballot.id, "pb")[0]
    pb = client.get(base + "/election.pb")
    assert pb.status_code == 200 and pb.content_type == "text/plain; charset=utf-8"
    assert pb.get_data(as_text=True) == old_pb
    stored = db.exec(select(PublishedFile).where(PublishedFile.ballot_id == ballot.id)).all()
    assert sorted(f.name for f in stored) == ["election.pb", "log.json"]
    log_file = next(f for f in stored if f.name == "log.json")
    parts = db.exec(select(PublishedChunk.part).where(PublishedChunk.file_id == log_file.id)).all()
    assert len(parts) == -(-log_file.size // 100) > 3


def test_results_exports_and_log_page_match_the_whole_log(app, db, demo, client, login_as):
    ballot = _counted_ballot(app, db, demo, login_as, client)
    base = f"/pb/{demo.slug}/ballots/{ballot.id}"
    document = services.log_document(db, ballot)
    data = client.get(base + "/results.json").get_json()
    for key in ("ballot", "options", "result"):
        assert data[key] == document[key]
    assert (
        (data["log_head"], data["log_entries"]) == (document["head"], len(document["entries"])) == (document["head"], 3)
    )
    with app.test_request_context():
        rows = services.results_view(db, demo, ballot.id).rows
    assert client.get(base + "/results.csv").get_data(as_text=True) == services.results_csv(rows)
    page = client.get(base + "/log").get_data(as_text=True)
    assert f"--head {document['head']} --count 3" in page


def test_etag_answers_304_and_ranges_206_across_chunks(app, db, demo, client, login_as, small_chunks):
    ballot = _counted_ballot(app, db, demo, login_as, client)
    url = f"/pb/{demo.slug}/ballots/{ballot.id}/log.json"
    whole = client.get(url)
    body = whole.get_data()
    assert whole.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert whole.headers["Accept-Ranges"] == "bytes" and int(whole.headers["Content-Length"]) == len(body)
    again = client.get(url, headers={"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    part = client.get(url, headers={"Range": "bytes=95-304"})
    assert part.status_code == 206 and part.get_data() == body[95:305]
    assert part.headers["Content-Range"] == f"bytes 95-304/{len(body)}"
    tail = client.get(url, headers={"Range": "bytes=-7"})
    assert tail.status_code == 206 and tail.get_data() == body[-7:]
    assert client.get(url, headers={"Range": f"bytes={len(body) + 5}-"}).status_code == 416


def test_receipt_check_finds_one_entry(app, db, demo, client, login_as):
    ballot = _counted_ballot(app, db, demo, login_as, client)
    entries = services.log_document(db, ballot)["entries"]
    url = f"/pb/{demo.slug}/ballots/{ballot.id}/log"
    found = client.post(url, data={"receipt": entries[1]["receipt"].upper()}).get_data(as_text=True)
    assert 'id="receipt-found"' in found and "Entry 2" in found
    missing = client.post(url, data={"receipt": "0" * 32}).get_data(as_text=True)
    assert 'id="receipt-found"' not in missing and "There is no ballot with this receipt" in missing


def test_published_pages_never_read_the_whole_log(app, db, demo, client, login_as, monkeypatch):
    ballot = _counted_ballot(app, db, demo, login_as, client)
    receipt = services.log_document(db, ballot)["entries"][0]["receipt"]
    real = services.log_document

    def header_only(session, the_ballot, **kwargs):
        assert kwargs.get("entries") is False, "a published page read the whole ballot log"
        return real(session, the_ballot, **kwargs)

    def no_recount(*_args, **_kwargs):
        raise AssertionError("a published page re-read the ballots")

    monkeypatch.setattr(services, "log_document", header_only)
    monkeypatch.setattr(counting, "final_ballots", no_recount)
    base = f"/pb/{demo.slug}/ballots/{ballot.id}"
    for path in ("/results", "/results.csv", "/results.json", "/log", "/log.json", "/election.pb"):
        assert client.get(base + path).status_code == 200, path
    assert 'id="receipt-found"' in client.post(base + "/log", data={"receipt": receipt}).get_data(as_text=True)


def test_results_published_before_the_files_were_kept_get_them_on_first_download(app, db, demo, client, login_as):
    ballot = _counted_ballot(app, db, demo, login_as, client)
    ids = db.exec(select(PublishedFile.id).where(PublishedFile.ballot_id == ballot.id)).all()
    db.execute(PublishedChunk.__table__.delete().where(PublishedChunk.file_id.in_(ids)))
    db.execute(PublishedFile.__table__.delete().where(PublishedFile.id.in_(ids)))
    db.commit()
    base = f"/pb/{demo.slug}/ballots/{ballot.id}"
    assert client.get(base + "/log.json").get_data() == _old_log_json(db, ballot)
    assert client.get(base + "/election.pb").status_code == 200
    db.commit()
    assert len(db.exec(select(PublishedFile).where(PublishedFile.ballot_id == ballot.id)).all()) == 2


def test_nothing_is_served_before_publication(app, db, demo, client, login_as):
    from tests.pb import factories

    the_ballot = factories.ballot(app, db, demo)
    for path in ("/log.json", "/election.pb"):
        assert client.get(f"/pb/{demo.slug}/ballots/{the_ballot.id}{path}").status_code == 404
    assert db.exec(select(PublishedFile)).first() is None


def test_backup_and_restore_keep_the_published_files(app, db, demo, client, login_as, tmp_path):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from pbapp.cli import main
    from pbapp.db import get_engine

    ballot = _counted_ballot(app, db, demo, login_as, client)
    url = f"/pb/{demo.slug}/ballots/{ballot.id}/log.json"
    kept = {f.name: (f.id, f.sha256, f.size) for f in db.exec(select(PublishedFile)).all()}
    assert set(kept) == {"log.json", "election.pb"}
    runner, info = CliRunner(), ScriptInfo(create_app=lambda: app)
    assert runner.invoke(main, ["backup", str(tmp_path / "pbapp.backup")], obj=info).exit_code == 0
    db.execute(PublishedChunk.__table__.delete())
    db.execute(PublishedFile.__table__.delete())
    db.commit()
    db.close()
    get_engine(app).dispose()
    result = runner.invoke(main, ["restore", "--yes", str(tmp_path / "pbapp.backup")], obj=info)
    assert result.exit_code == 0, result.output
    assert {f.name: (f.id, f.sha256, f.size) for f in db.exec(select(PublishedFile)).all()} == kept
    db.commit()
    body = client.get(url).get_data()
    assert hashlib.sha256(body).hexdigest() == kept["log.json"][1]
