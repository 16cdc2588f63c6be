"""Migrations build exactly the schema of the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from pbapp import migrations
from pbapp.db import get_engine, import_all_models


def test_migrated_schema_matches_the_models(app):
    assert migrations.schema_differences(app) == []


def test_migrations_go_down_and_up_again(app):
    migrations.downgrade(app, "base")
    assert set(inspect(get_engine(app)).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(app)
    tables = set(inspect(get_engine(app)).get_table_names())
    assert {t.name for t in import_all_models().metadata.sorted_tables} <= tables
    assert migrations.schema_differences(app) == []


def test_the_secrecy_migration_keeps_which_codes_were_used_and_drops_the_times(app, db, demo):
    from sqlalchemy import text

    from pbapp.pb import services
    from tests.pb import factories

    ballot = factories.ballot(app, db, demo)
    used, _unused = factories.codes(app, db, demo, ballot, size=2)
    with app.test_request_context():
        services.cast_vote(db, demo, ballot.id, services.enter_code(db, demo, ballot.id, used), [factories.refs(db, ballot)[0]])
    db.close()
    engine = get_engine(app)
    migrations.downgrade(app, "0005_pb_ballot_log_head")
    with engine.connect() as connection:
        assert sorted(r[0] is not None for r in connection.execute(text(f"SELECT used_at FROM pb_voting_code WHERE ballot_id = {ballot.id}"))) == [False, True]
    migrations.upgrade(app)
    with engine.connect() as connection:
        assert sorted(r[0] for r in connection.execute(text(f"SELECT used FROM pb_voting_code WHERE ballot_id = {ballot.id}"))) == [False, True]
    columns = {c["name"] for c in inspect(engine).get_columns("pb_vote")} | {
        c["name"] for c in inspect(engine).get_columns("pb_voting_code")}
    assert not columns & {"created_at", "updated_at", "used_at"}
