"""The demo jury: a drawn LEXIMIN panel of 30 from a skewed pool, all confirmed, and two reserves."""

from __future__ import annotations

from sqlmodel import select

from pbapp.juries.models import CONFIRMED, INVITED, RESERVE, Juror, Jury
from pbapp.juries.seed import demo_remit
from pbapp.seed import seed_demo
from pbapp.sortition.models import COMPLETE, Person, PersonContact, SelectionRun


def test_the_demo_jury_is_seeded_once(app, db, demo):
    jury = db.exec(select(Jury).where(Jury.remit == demo_remit())).one()
    run = db.get(SelectionRun, jury.selection_run_id)
    assert run.status == COMPLETE and run.algorithm == "leximin" and run.draw_number is not None
    assert all(r["min"] <= r["selected"] <= r["max"] for r in run.report_data()["quota_report"])
    statuses = [j.status for j in db.exec(select(Juror).where(Juror.jury_id == jury.id)).all()]
    assert statuses.count(CONFIRMED) == 30 and statuses.count(INVITED) == 0 and statuses.count(RESERVE) == 2
    people = db.exec(select(Person).where(Person.pool_id == jury.pool_id)).all()
    ages = [p.feature_values()["age"] for p in people]
    assert len(people) >= 300 and ages.count("75+") > ages.count("18-24")  # older than the census
    emails = db.exec(select(PersonContact.email).where(PersonContact.person_id.in_([p.id for p in people]))).all()
    assert all(e.endswith("@demo.example") for e in emails)
    seed_demo(app)
    db.commit()
    assert len(db.exec(select(Jury).where(Jury.remit == demo_remit())).all()) == 1


def test_the_demo_jury_pages(client, login_as, db, demo):
    jury = db.exec(select(Jury).where(Jury.remit == demo_remit())).one()
    db.commit()
    assert demo_remit() in client.get(f"/juries/{demo.slug}/{jury.id}/about").get_data(as_text=True)
    report = client.get(f"/sortition/{demo.slug}/runs/{jury.selection_run_id}/report")
    assert report.status_code == 200 and "demo.example" not in report.get_data(as_text=True)
    login_as("facilitator")
    page = client.get(f"/juries/{demo.slug}/{jury.id}").get_data(as_text=True)
    assert "Confirmed" in page and "Reserve" in page
