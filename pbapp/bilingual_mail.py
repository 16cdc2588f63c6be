"""Emails in Welsh and English, where the council chooses (Welsh Language Standards).

A council under the Standards sends every email in both languages in one message: the subject
"Welsh / English" and the Welsh text first, so that the Welsh is read first and treated no less
favourably (Welsh Language Standards (No. 1) Regulations 2015, standards 1 to 7). Other councils
write as before, in the language the caller has chosen (the reader's own, or the request's).
"""

from __future__ import annotations

from typing import Callable

from flask_babel import force_locale
from sqlmodel import Session, select

from pbapp.councils.models import Council

WELSH_FIRST = ("cy", "en")
DIVIDER = "\n\n" + "-" * 20 + "\n\n"

Message = Callable[[], tuple[str, str]]


def compose(council: Council | None, write: Message) -> tuple[str, str]:
    """Return (subject, body): `write()` once as now, or in Welsh then English for a bilingual council.

    `write` builds the subject and body with gettext, so each call speaks the language in force.
    """
    if council is None or not council.bilingual:
        return write()
    versions = []
    for language in WELSH_FIRST:
        with force_locale(language):
            versions.append(write())
    subjects = list(dict.fromkeys(subject for subject, _body in versions))
    return " / ".join(subjects), DIVIDER.join(body for _subject, body in versions)


def council_of_account(session: Session, user) -> Council | None:
    """The bilingual council an account belongs to, if any: one it works for, else the one its postcode is in.

    Account emails (confirmation, password reset) come from the service, not from one council;
    they follow the choice of the council the person deals with.
    """
    from pbapp.accounts.models import Membership
    from pbapp.councils.services import in_council_area

    bilingual = session.exec(select(Council).where(Council.bilingual.is_(True)).order_by(Council.id)).all()
    if not bilingual:
        return None
    member_of = set(session.exec(select(Membership.council_id).where(Membership.user_id == user.id)).all())
    return next((c for c in bilingual if c.id in member_of), None) or next(
        (c for c in bilingual if user.postcode and in_council_area(c, user.postcode)), None
    )
