"""Route arguments of sortition for the permission matrix and the CSRF walk."""

from sqlmodel import select

from pbapp.sortition.models import COMPLETE, Person, SelectionRun
from tests.sortition import factories


def _pool(app, db, council):
    return factories.existing_pool(db, council).id


def _run(app, db, council):
    found = db.exec(
        select(SelectionRun).where(SelectionRun.council_id == council.id, SelectionRun.status == COMPLETE)
    ).first()
    return (found or factories.drawn_run(app, db, council, factories.existing_pool(db, council))).id


def _person(app, db, council):
    the_pool = factories.existing_pool(db, council)
    return db.exec(select(Person.id).where(Person.pool_id == the_pool.id).order_by(Person.id)).first()


def _import_job(app, db, council):
    import json

    from pbapp import jobs

    job = jobs.Job(
        kind="sortition.import",
        council_id=council.id,
        status=jobs.DONE,
        progress=100,
        result=json.dumps({"count": 0, "pool_id": _pool(app, db, council)}),
    )
    db.add(job)
    db.commit()
    return job.id


ARGS = {
    "pool_id": _pool,
    "run_id": _run,
    "person_id": _person,
    "job_id": _import_job,
    "template": lambda app, db, council: "people",
    "part": lambda app, db, council: "selected",
}
