"""Route arguments of councils for the permission matrix and the CSRF walk (a held import's `token`
is the foundation's unknown one: its preview answers 404 to those allowed, 403 to others)."""


def _neighbourhood(app, db, council):
    from sqlmodel import select

    from pbapp.councils.models import NEIGHBOURHOOD, Area

    return db.exec(select(Area.id).where(Area.council_id == council.id, Area.kind == NEIGHBOURHOOD)).first()


ARGS = {"kind": lambda app, db, council: "wards", "area_id": _neighbourhood}
