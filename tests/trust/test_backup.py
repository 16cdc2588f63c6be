"""Backups: a round trip through `pbapp backup` and `pbapp restore` brings back exactly the data."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlmodel import select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.backup import BackupError, backup, restore
from pbapp.cli import main
from pbapp.db import get_engine
from pbapp.pb.counting import verify_log
from pbapp.pb.models import Ballot
from pbapp.pb.services import log_document
from tests import factories
from tests.trust import figures
from tests.trust.conftest import table_counts


def test_backup_and_restore_round_trip(app, db, demo, tmp_path):
    url = app.config["DATABASE_URL"]
    before = table_counts(db)
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    result = runner.invoke(main, ["backup", str(tmp_path / "pbapp.backup")], obj=info)
    assert result.exit_code == 0, result.output
    factories.user(db, email="after.backup@example.org")
    assert table_counts(db) != before
    db.close()
    get_engine(app).dispose()
    result = runner.invoke(main, ["restore", "--yes", str(tmp_path / "pbapp.backup")], obj=info)
    assert result.exit_code == 0, result.output
    assert table_counts(db) == before
    assert db.exec(select(User).where(User.email == "after.backup@example.org")).first() is None
    assert audit.verify(db) is None
    assert url == app.config["DATABASE_URL"]
    counted = _recount_every_published_result(db)
    assert counted >= 1
    figures.add("backup_round_trips")
    figures.add("backup_tables_compared", len(before))
    figures.add("backup_rows_compared", sum(before.values()))
    figures.add("ballots_recounted_after_restore", counted)


def _recount_every_published_result(db) -> int:
    """Re-tally every counted ballot from its restored log; each must give its stored result."""
    counted = 0
    for ballot in db.exec(select(Ballot)).all():
        document = log_document(db, ballot)
        if document["result"] is None:
            continue
        assert verify_log(document) == [], f"ballot {ballot.id} re-counts differently after restore"
        counted += 1
    db.commit()
    return counted


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(BackupError):
        restore(app.config["DATABASE_URL"], junk)


def test_restore_refuses_a_missing_file(app, tmp_path):
    with pytest.raises(BackupError, match="There is no backup file"):
        restore(app.config["DATABASE_URL"], tmp_path / "missing.backup")


def test_in_memory_databases_cannot_be_backed_up(tmp_path):
    with pytest.raises(BackupError, match="in-memory"):
        backup("sqlite://", tmp_path / "x")


def test_a_backup_is_readable_by_its_owner_only(app, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    target = tmp_path / "private.backup"
    target.write_bytes(b"")
    target.chmod(0o644)  # an old file left world-readable is tightened too
    backup(app.config["DATABASE_URL"], target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.stat().st_size > 0


def test_erased_people_stay_erased_after_restoring_an_older_backup(app, db, tmp_path):
    from pbapp.sortition.models import PersonContact, Pool
    from pbapp.sortition.services import erase_personal_data
    from tests.sortition import factories as sortition_factories

    council = factories.council(db)
    pool = sortition_factories.pool(db, council, people=6)
    assert len(db.exec(select(PersonContact)).all()) == 6
    db.commit()
    runner, info = CliRunner(), ScriptInfo(create_app=lambda: app)
    assert runner.invoke(main, ["backup", str(tmp_path / "before.backup")], obj=info).exit_code == 0
    with app.app_context():
        assert erase_personal_data(db, council, db.get(Pool, pool.id), None) == 6
    assert stat.S_IMODE(Path(app.config["ERASURE_LOG"]).stat().st_mode) == 0o600
    db.close()
    get_engine(app).dispose()
    result = runner.invoke(main, ["restore", "--yes", str(tmp_path / "before.backup")], obj=info)
    assert result.exit_code == 0, result.output
    assert "Re-applied 1 logged erasures (1 had data to erase again)" in result.output
    assert db.exec(select(PersonContact)).all() == []
    assert db.get(Pool, pool.id).erased_at is not None
