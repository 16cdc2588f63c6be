"""Migrations build exactly the schema of the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

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
        services.cast_vote(
            db, demo, ballot.id, services.enter_code(db, demo, ballot.id, used), [factories.refs(db, ballot)[0]]
        )
    db.close()
    engine = get_engine(app)
    migrations.downgrade(app, "0005_pb_ballot_log_head")
    with engine.connect() as connection:
        assert sorted(
            r[0] is not None
            for r in connection.execute(text(f"SELECT used_at FROM pb_voting_code WHERE ballot_id = {ballot.id}"))
        ) == [False, True]
    migrations.upgrade(app)
    with engine.connect() as connection:
        assert sorted(
            r[0] for r in connection.execute(text(f"SELECT used FROM pb_voting_code WHERE ballot_id = {ballot.id}"))
        ) == [False, True]
    columns = {c["name"] for c in inspect(engine).get_columns("pb_vote")} | {
        c["name"] for c in inspect(engine).get_columns("pb_voting_code")
    }
    assert not columns & {"created_at", "updated_at", "used_at"}


def test_the_sealed_log_migration_takes_open_ballots_out_of_voting_order(app, db, demo):
    from sqlalchemy import text

    from pbapp.pb import services
    from tests.pb import factories

    ballot = factories.ballot(app, db, demo)
    refs = factories.refs(db, ballot)
    with app.test_request_context():
        for n in range(6):
            services.cast_vote(db, demo, ballot.id, services.Voter(key=f"{n:064d}", via="code"), [refs[n % 3]])
    db.close()
    engine = get_engine(app)
    migrations.downgrade(app, "0011_pb_welsh")
    with engine.begin() as connection:  # as the old code left an open ballot: small counted-up ids, a log as cast
        ids = sorted(r[0] for r in connection.execute(text(f"SELECT id FROM pb_vote WHERE ballot_id = {ballot.id}")))
        assert len(ids) == 6 and all(n < 2**31 for n in ids), ids
        connection.execute(
            text(
                "INSERT INTO pb_ballot_log (ballot_id, seq, voter_token, channel, choices, previous_hash, "
                f"hash) VALUES ({ballot.id}, 1, 't', 'online', '[]', '{'0' * 64}', '{'a' * 64}')"
            )
        )
    migrations.upgrade(app)
    with engine.connect() as connection:
        after = [r[0] for r in connection.execute(text(f"SELECT id FROM pb_vote WHERE ballot_id = {ballot.id}"))]
        # Random 63-bit ids: one below 2**31 by chance is a one in four billion event.
        assert len(after) == 6 and all(n > 2**31 for n in after), after
        assert connection.execute(text(f"SELECT log_format FROM pb_ballot WHERE id = {ballot.id}")).scalar() == 2
        assert (
            connection.execute(text(f"SELECT count(*) FROM pb_ballot_log WHERE ballot_id = {ballot.id}")).scalar() == 0
        )


def test_the_simulator_welsh_migration_gives_lines_already_set_up_the_welsh_opening_gave_them(app, db, demo):
    """Before it, opening a simulator gave its options the budget line's Welsh name and the service's
    Welsh from the catalogue; the migration puts that Welsh on the lines, where the officer can see it."""
    from sqlalchemy import text

    db.close()
    engine = get_engine(app)
    migrations.downgrade(app, "0014_pb_pabulib")
    assert "title_cy" not in {c["name"] for c in inspect(engine).get_columns("pb_simulator_line")}
    migrations.upgrade(app)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT title, title_cy, service_cy, consequences_cy FROM pb_simulator_line")
        ).all()
    assert (
        rows and ("Library service", "Gwasanaeth llyfrgell", "Gwasanaethau diwylliannol a chysylltiedig", "{}") in rows
    )
    assert all(title_cy and service_cy for _title, title_cy, service_cy, _said in rows)


def test_the_job_names_migration_keeps_old_jobs_runnable_again(app, db):
    from pbapp import jobs, mail

    engine = get_engine(app)
    migrations.downgrade(app, "0007_ops_pending_uploads")
    old = jobs.Job(kind="mail", status=jobs.FAILED, function="pbapp.mail.deliver_job")  # as enqueued before
    unnamed = jobs.Job(kind="odd", status=jobs.DONE, function="")
    db.add_all([old, unnamed])
    db.commit()
    ids = (old.id, unnamed.id)
    db.close()
    migrations.upgrade(app)
    with engine.connect() as connection:
        names = dict(connection.execute(text("SELECT id, function FROM job")).all())
    assert (names[ids[0]], names[ids[1]]) == ("pbapp.mail:deliver_job", "")
    assert jobs.job_function(names[ids[0]]) is mail.deliver_job
    migrations.downgrade(app, "0007_ops_pending_uploads")
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT function FROM job WHERE id = {ids[0]}")).scalar() == (
            "pbapp.mail.deliver_job"
        )
    migrations.upgrade(app)
