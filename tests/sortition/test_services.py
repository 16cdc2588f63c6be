"""Sortition use cases: uploads refuse bad files whole, quotas, codes, registration, runs, erasure."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import func, select

from pbapp import audit
from pbapp.errors import Conflict, Invalid
from pbapp.sortition import services
from pbapp.sortition.models import (
    AWAITING_DRAW,
    COMPLETE,
    FAILED,
    Feature,
    InvitationCode,
    Person,
    PersonContact,
    Pool,
    SelectionRun,
)
from tests import factories as base
from tests.sortition import data, factories


@pytest.fixture(autouse=True)
def request_ctx(app):
    """Services speak through gettext, which reads the visitor's language from a request."""
    with app.test_request_context():
        yield


def _count(db, model, *where):
    db.commit()
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def _import(db, council, pool, people: str, features: str = data.FEATURES, fmt="pbapp", mapping=None):
    found = services.upload_preview(features.encode(), people.encode(), fmt, ("features.csv", "people.csv"))
    return services.import_upload(
        db,
        council,
        pool,
        features=features.encode(),
        people=people.encode(),
        fmt=fmt,
        mapping=mapping or found.mapping,
        sources=("features.csv", "people.csv"),
        actor_id=None,
    )


def test_a_clean_upload_keeps_contacts_apart_from_features(db, council, empty_pool):
    assert _import(db, council, empty_pool, data.people(12)) == 12
    person = db.exec(select(Person).where(Person.public_id == "P001")).one()
    assert person.feature_values() == {"age": "18-39", "sex": "Female"}
    assert "Volunteer" not in person.features and person.household.startswith("H") and person.household != "H1"
    contact = db.exec(select(PersonContact).where(PersonContact.person_id == person.id)).one()
    assert (contact.name, contact.email, contact.postcode) == ("Volunteer 1", "v1@example.org", "BB1 7DY")
    assert [f.name for f in db.exec(select(Feature).where(Feature.pool_id == empty_pool.id)).all()] == ["sex", "age"]
    event = db.exec(select(audit.AuditEvent).where(audit.AuditEvent.action == "pool.uploaded")).one()
    assert "Volunteer" not in event.payload and "example.org" not in event.payload


BAD_FILES = [
    ("missing column", data.people(12).replace("age,household", "agegroup,household", 1), "people.csv, line 1", "age"),
    ("unknown value", data.people(12).replace("P004,Male,18-39", "P004,Male,39-99"), "people.csv, line 5", "39-99"),
    ("duplicate id", data.people(12).replace("P006,", "P002,"), "people.csv, line 7", "duplicate id"),
    ("too many fields", data.people(12).replace("P003,", "P003,x,", 1), "people.csv, line 4", "fields"),
    (
        "not UTF-8",
        data.HEADER
        + data.person(1)
        + data.person(2).replace("Volunteer 2", "Zo\xeb").encode("latin-1").decode("latin-1"),
        "people.csv, line 3",
        "UTF-8",
    ),
]


@pytest.mark.parametrize("case,people,where,what", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_people_file_names_its_line_and_saves_nothing(db, council, empty_pool, case, people, where, what):
    raw = people.encode("latin-1") if case == "not UTF-8" else people.encode()
    with pytest.raises(Invalid) as caught:
        found = services.upload_preview(data.FEATURES.encode(), raw, "pbapp", ("features.csv", "people.csv"))
        services.import_upload(
            db,
            council,
            empty_pool,
            features=data.FEATURES.encode(),
            people=raw,
            fmt="pbapp",
            mapping=found.mapping,
            sources=("features.csv", "people.csv"),
            actor_id=None,
        )
    assert where in caught.value.message and what in caught.value.message
    assert _count(db, Person) == 0 and _count(db, PersonContact) == 0
    assert _count(db, audit.AuditEvent, audit.AuditEvent.action == "pool.uploaded") == 0


def test_a_bad_features_file_names_its_line(db, council, empty_pool):
    features = data.FEATURES.replace("age,40+,1,3", "age,40+,three,3")
    with pytest.raises(Invalid, match=r"features.csv, line 5: max must be a whole number|features.csv, line 5: min"):
        _import(db, council, empty_pool, data.people(12), features=features)
    assert _count(db, Person) == 0


def test_a_byte_order_mark_is_accepted(db, council, empty_pool):
    people = ("\ufeff" + data.people(12)).encode("utf-8")
    found = services.upload_preview(data.FEATURES.encode(), people, "pbapp", ("f.csv", "p.csv"))
    assert found.columns[0] == "id" and found.count == 12
    assert (
        services.import_upload(
            db,
            council,
            empty_pool,
            features=data.FEATURES.encode(),
            people=people,
            fmt="pbapp",
            mapping=found.mapping,
            sources=("f.csv", "p.csv"),
            actor_id=None,
        )
        == 12
    )


def test_sortition_foundation_files_with_a_column_mapping(db, council, empty_pool):
    found = services.upload_preview(
        data.CATEGORIES.encode(),
        data.RESPONDENTS.encode(),
        "sortition_foundation",
        ("categories.csv", "respondents.csv"),
    )
    assert found.mapping["id"] == "nationbuilder_id" and found.mapping["feature:Gender"] == "Gender"
    mapping = dict(found.mapping, name="first_name")
    count = services.import_upload(
        db,
        council,
        empty_pool,
        features=data.CATEGORIES.encode(),
        people=data.RESPONDENTS.encode(),
        fmt="sortition_foundation",
        mapping=mapping,
        sources=("categories.csv", "respondents.csv"),
        actor_id=None,
    )
    assert count == 10
    person = db.exec(select(Person).where(Person.public_id == "1")).one()
    assert person.feature_values() == {"Gender": "Female"}
    assert db.exec(select(PersonContact.name).where(PersonContact.person_id == person.id)).one() == "Name1"


def test_the_mapping_must_name_every_feature(db, council, empty_pool):
    found = services.upload_preview(data.FEATURES.encode(), data.people(12).encode(), "pbapp", ("f.csv", "p.csv"))
    with pytest.raises(Invalid, match="age"):
        _import(db, council, empty_pool, data.people(12), mapping=dict(found.mapping, **{"feature:age": ""}))
    with pytest.raises(Invalid, match="chosen twice"):
        _import(db, council, empty_pool, data.people(12), mapping=dict(found.mapping, **{"feature:age": "sex"}))


def test_fewer_volunteers_than_seats_is_refused(db, council, empty_pool):
    with pytest.raises(Invalid, match="panel needs 4"):
        _import(db, council, empty_pool, data.people(3))


def test_an_id_already_in_the_pool_is_refused(db, council, empty_pool):
    _import(db, council, empty_pool, data.people(12))
    with pytest.raises(Invalid, match="line 2: the id “P001” is already in this pool"):
        _import(db, council, empty_pool, data.people(12))
    assert _count(db, Person) == 12


def test_feasibility_names_the_quota_and_the_smallest_fix(db, council):
    pool = factories.pool(db, council, people=12)
    values = {v.value: v for _f, vs in services.features_of(db, pool) for v in vs}
    report = services.check_quotas(
        db,
        pool,
        {values["Female"].id: (4, 4), values["Male"].id: (0, 0), values["18-39"].id: (4, 4), values["40+"].id: (0, 0)},
        False,
    )
    assert not report.feasible
    assert any("Female" in p or "18-39" in p for p in report.problems)
    assert sum(abs(r.new_min - r.min) + abs(r.new_max - r.max) for r in report.relaxation) == 2
    assert services.check_quotas(db, pool, {}, False).feasible


def test_one_per_household_is_part_of_the_check(db, council):
    pool = factories.pool(db, council, people=4)  # households H0, H0, H1, H1: two homes for four seats
    assert services.check_quotas(db, pool, {}, False).feasible
    report = services.check_quotas(db, pool, {}, True)
    assert not report.feasible


def test_quotas_that_cannot_add_up_are_not_saved(db, council):
    pool = factories.pool(db, council)
    values = {v.value: v for _f, vs in services.features_of(db, pool) for v in vs}
    with pytest.raises(Invalid, match="sex"):
        services.save_quotas(db, council, pool, {values["Female"].id: (4, 4)}, False, None)
    with pytest.raises(Invalid, match="minimum"):
        services.save_quotas(db, council, pool, {values["Female"].id: (3, 1)}, False, None)
    services.save_quotas(db, council, pool, {values["Female"].id: (1, 3), values["Male"].id: (1, 3)}, True, None)
    db.commit()
    assert db.get(Pool, pool.id).one_per_household


def test_census_targets_are_scaled_to_the_panel(db, demo):
    pool = factories.pool(
        db,
        demo,
        quotas=(("age", "18-24", 0, 30), ("age", "75+", 0, 30), ("sex", "Female", 0, 30), ("sex", "Male", 0, 30)),
        panel_size=30,
        people=40,
    )
    targets = services.census_targets(db, demo, pool)
    by_value = {v.value: targets[v.id] for _f, vs in services.features_of(db, pool) for v in vs}
    assert by_value["18-24"] == (3, 4)  # 11.7% of 30 = 3.5
    assert by_value["75+"] == (2, 3)  # 8.3% of 30 = 2.5
    assert services.census_targets(db, base.council(db), pool) == {}


def test_census_figures_are_read_without_the_demo_seed():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pbapp.sortition.census import census_shares\n"
        "assert census_shares()['age']\n"
        "print(sorted(m for m in sys.modules if m.startswith('pbapp') and m.rpartition('.')[2] == 'seed'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"  # run-time code, not the demo (accounts, password hashing)


def test_codes_register_once_and_only_in_the_area(db, council):
    pool = factories.pool(db, council, people=0)
    [code] = services.generate_codes(db, council, pool, 1, None)
    assert _count(db, InvitationCode, InvitationCode.code_hash == code) == 0  # only the hash is stored
    answers = {"sex": "Female", "age": "40+"}
    contact = {"name": "Ada", "email": "ada@example.org", "address": "1 Mill Lane", "postcode": "ZZ9 9ZZ"}
    with pytest.raises(Invalid, match="not in"):
        services.register_volunteer(db, council, code=code, answers=answers, contact=contact)
    with pytest.raises(Invalid, match="age"):
        services.register_volunteer(
            db, council, code=code, answers={"sex": "Female"}, contact=dict(contact, postcode="BB2 6AT")
        )
    person = services.register_volunteer(
        db, council, code=code.lower().replace("-", " "), answers=answers, contact=dict(contact, postcode="BB2 6AT")
    )
    assert person.feature_values() == answers
    with pytest.raises(Invalid, match="already been used"):
        services.register_volunteer(db, council, code=code, answers=answers, contact=dict(contact, postcode="BB2 6AT"))
    other = base.council(db, postcode_prefixes="BB1,BB2")
    [code2] = services.generate_codes(db, council, pool, 1, None)
    with pytest.raises(Invalid):
        services.register_volunteer(db, other, code=code2, answers=answers, contact=dict(contact, postcode="BB2 6AT"))


def test_a_run_commits_to_a_lottery_then_the_draw_picks_the_panel(app, db, council):
    pool = factories.pool(db, council, people=12)
    run = factories.drawn_run(app, db, council, pool, draw=False)
    assert run.status == AWAITING_DRAW and len(run.commitment) == 64 and run.lottery_size == 1000
    panels = json.loads(run.lottery)["panels"]
    with app.test_request_context():
        from pbapp.db import get_session

        session = get_session()
        fresh = session.get(SelectionRun, run.id)
        with pytest.raises(Invalid):
            services.draw(session, council, fresh, 1000, None)
        drawn = services.draw(session, council, fresh, 7, None)
        assert drawn.status == COMPLETE and drawn.panel_ids() == sorted(panels[7])
        with pytest.raises(Conflict):
            services.draw(session, council, fresh, 8, None)
        session.close()
    db.commit()
    db.refresh(run)
    report = run.report_data()
    assert all(r["min"] <= r["selected"] <= r["max"] for r in report["quota_report"])


def test_the_draw_is_what_pbapp_select_gives(app, db, council):
    from pbapp.core.sortition import select as core_select

    pool = factories.pool(db, council, people=12)
    run = factories.drawn_run(app, db, council, pool, number=5)
    core = services.pool_from_snapshot(json.loads(run.pool_input))
    assert sorted(core_select(core, "leximin", seed=run.seed, draw=5).panel) == run.panel_ids()
    assert f"--seed {run.seed} --draw 5" in services.recreate_command(run)


def test_the_input_archive_has_no_contact_details(app, db, council):
    import io
    import zipfile

    pool = factories.pool(db, council, people=12)
    run = factories.drawn_run(app, db, council, pool)
    archive = zipfile.ZipFile(io.BytesIO(services.input_archive(run)))
    text = "".join(archive.read(n).decode() for n in archive.namelist())
    assert "P001" in text and "Volunteer" not in text and "example.org" not in text


def test_infeasible_quotas_fail_the_run_with_the_reason(app, db, council):
    pool = factories.pool(
        db,
        council,
        people=12,
        quotas=(("sex", "Female", 4, 4), ("sex", "Male", 0, 0), ("age", "18-39", 0, 4), ("age", "40+", 0, 4)),
    )
    db.exec(select(Person)).all()
    for person in db.exec(select(Person).where(Person.pool_id == pool.id)).all():
        if person.feature_values()["sex"] == "Female" and person.public_id > "P004":
            person.features = json.dumps({"sex": "Male", "age": person.feature_values()["age"]})
            db.add(person)
    db.commit()
    run = factories.drawn_run(app, db, council, pool, draw=False)
    assert run.status == FAILED and "Female" in run.error


def test_erasure_removes_contacts_but_keeps_features_and_runs(app, db, council):
    pool = factories.pool(db, council, people=12)
    run = factories.drawn_run(app, db, council, pool)
    assert services.erase_personal_data(db, council, db.get(Pool, pool.id), None) == 12
    assert _count(db, PersonContact) == 0 and _count(db, Person, Person.pool_id == pool.id) == 12
    assert db.get(SelectionRun, run.id).panel_ids() and db.get(Pool, pool.id).household_salt == ""
    assert audit.verify(db) is None


def test_retention_reminders(db, council):
    soon = factories.pool(db, council, people=0)
    soon.retention_until = date(2027, 3, 1)
    later = factories.pool(db, council, people=0)
    later.retention_until = date(2028, 1, 1)
    db.add_all([soon, later])
    db.commit()
    due = services.pools_due_for_erasure(db, date(2027, 2, 10))
    assert [p.id for p, _c in due] == [soon.id]
    assert services.retention_is_due(soon, date(2027, 2, 10)) and not services.retention_is_due(
        later, date(2027, 2, 10)
    )


def test_the_legacy_method_uses_the_published_number_as_its_seed(app, db, council):
    import random

    from pbapp.core.sortition import legacy_panel

    pool = factories.pool(db, council, people=12)
    with app.test_request_context():
        from pbapp.db import get_session

        session = get_session()
        run = services.start_run(session, council, session.get(Pool, pool.id), algorithm="legacy")
        run = session.get(SelectionRun, run.id)
        session.refresh(run)
        assert run.status == AWAITING_DRAW and run.lottery_size == services.LEGACY_DRAW_LIMIT
        drawn = services.draw(session, council, run, 31337, None)
        core = services.pool_from_snapshot(json.loads(drawn.pool_input))
        assert drawn.panel_ids() == sorted(legacy_panel(core, random.Random(31337)))
        assert "--algorithm legacy --seed 31337" in services.recreate_command(drawn)
        session.close()


def test_retention_reminders_command(app, db, council):
    from pbapp.cli import main

    soon = factories.pool(db, council, people=0, name="Budget jury volunteers")
    soon.retention_until = date(2027, 3, 1)
    db.add(soon)
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["retention-reminders", "--today", "2027-02-10"])
    assert result.exit_code == 0 and "due:" in result.output and "Budget jury volunteers" in result.output
    result = runner.invoke(main, ["retention-reminders", "--today", "2027-03-10"])
    assert result.exit_code == 1 and "overdue:" in result.output
    result = runner.invoke(main, ["retention-reminders", "--today", "2026-01-01"])
    assert result.exit_code == 0 and "No pool is due" in result.output


def test_people_at_one_address_share_a_household_without_a_household_column(db, council, empty_pool):
    people = data.people(12).replace(",H2,", ",,").replace(",H1,", ",,").replace("2 Mill Lane", "1 Mill Lane")
    people = people.replace("id,sex,age,household,", "id,sex,age,home,")
    _import(db, council, empty_pool, people)
    first, second, third = (
        db.exec(select(Person).where(Person.public_id == i)).one() for i in ("P001", "P002", "P003")
    )
    assert first.household == second.household != third.household


def test_with_imported_postcodes_registration_takes_the_directory_not_the_prefixes(db, council):
    from pbapp.councils.models import Postcode

    ward = base.ward(db, council, name="Northgate", code="E05099001", postcode_prefixes="BB2 6")
    db.add(Postcode(council_id=council.id, postcode="BB17DY", ward_id=ward.id))
    db.commit()
    pool = factories.pool(db, council, people=0)
    code, code2 = services.generate_codes(db, council, pool, 2, None)
    answers = {"sex": "Female", "age": "40+"}
    contact = {"name": "Ada", "email": "ada@example.org", "address": "1 Mill Lane"}
    with pytest.raises(Invalid, match="not in"):  # inside the council's prefixes, not in its directory
        services.register_volunteer(db, council, code=code, answers=answers, contact=dict(contact, postcode="BB2 6AT"))
    person = services.register_volunteer(
        db, council, code=code, answers=answers, contact=dict(contact, postcode="bb1 7dy")
    )
    assert person.feature_values() == answers


def test_the_check_on_quotas_that_cannot_add_up_gives_the_smallest_relaxation(db, council):
    pool = factories.pool(db, council, people=12)
    values = {v.value: v for _f, vs in services.features_of(db, pool) for v in vs}
    over = pool.panel_size  # each sex's minimum alone fills the panel: the minimums add up to twice it
    report = services.check_quotas(
        db, pool, {values["Female"].id: (over, over), values["Male"].id: (over, over)}, False
    )
    assert not report.feasible
    assert sum(r.min - r.new_min for r in report.relaxation) == over
    assert all(r.feature == "sex" and r.new_max == r.max for r in report.relaxation)
    assert any("lowering it to" in p for p in report.problems)
