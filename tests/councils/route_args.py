"""Route arguments of councils for the permission matrix and the CSRF walk."""

from pbapp.councils.models import PendingImport


def _pending_import(app, db, council):
    pending = PendingImport(council_id=council.id, kind="wards", filename="wards.csv",
                            content="WD24CD,WD24NM,LAD24CD\n")
    db.add(pending)
    db.commit()
    return pending.id


def _neighbourhood(app, db, council):
    from sqlmodel import select

    from pbapp.councils.models import NEIGHBOURHOOD, Area

    return db.exec(select(Area.id).where(Area.council_id == council.id, Area.kind == NEIGHBOURHOOD)).first()


ARGS = {"kind": lambda app, db, council: "wards", "import_id": _pending_import, "area_id": _neighbourhood}

