"""Every email the app sends goes out in Welsh then English where the council chooses (issue #21), and as
before where it does not."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import select

from pbapp import mail
from pbapp.accounts import residence
from pbapp.accounts import services as accounts
from pbapp.homes import services as homes
from pbapp.juries import services as juries
from pbapp.pb import services as pb
from tests.juries import factories as jury_factories
from tests.pb import factories

NEW_PERSON = "new.person@example.org"


def _invitation(app, db, demo):
    accounts.invite(db, demo, email=NEW_PERSON, role="officer", invited_by=factories.officer(db))
    return NEW_PERSON, "You are invited to %(council)s", {"council": demo.name}


def _reset(app, db, demo):
    accounts.request_password_reset(db, "officer@demo.example")  # an officer of the council
    return "officer@demo.example", "Reset your password", {}


def _confirmation(app, db, demo):
    person = factories.resident(db, demo, confirmed=False)  # no role: lives in the council's area
    residence.send_confirmation(db, person)
    db.commit()
    return person.email, "Confirm your email address", {}


def _registration_repeated(app, db, demo):
    accounts.register(db, name="Someone", email="resident@demo.example", password="a long enough password 1")
    return "resident@demo.example", "Someone tried to create an account with your email address", {}


def _first_admin(app, db, demo):
    accounts.create_admin(db, demo, email=NEW_PERSON, name="New Admin")
    return NEW_PERSON, "You are an administrator of %(council)s", {"council": demo.name}


def _juror_invitation(app, db, demo):
    jury = jury_factories.seated_jury(app, db, demo)
    juries.send_invitations(db, demo, jury, None)
    first = db.exec(select(mail.OutboxMessage).order_by(mail.OutboxMessage.id)).first()
    return first.to, "You have been chosen for the citizens’ jury", {}


def _conversation_notice(app, db, demo):
    process = factories.process(app, db, demo, proposals=1, reviewed=False)
    proposal = factories.proposal(db, process)
    officer = factories.officer(db)
    pb.save_review(db, demo, proposal.id, officer, feasible=True, reviewed_cost_pence=None, reason="")
    pb.publish_review(db, demo, proposal.id, officer)
    return officer.email, "Review published: %(title)s", {"title": proposal.title}


def _contact(app, db, demo):
    homes.send_contact(db, demo, name="A Resident", email="someone@example.org", message="The park gate is broken.")
    return "admin@demo.example", "Message from %(name)s through the local democracy service", {"name": "A Resident"}


KINDS = [
    _invitation,
    _reset,
    _confirmation,
    _registration_repeated,
    _first_admin,
    _juror_invitation,
    _conversation_notice,
    _contact,
]


@pytest.mark.parametrize("bilingual", [True, False], ids=["bilingual", "english"])
@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__.strip("_") for k in KINDS])
def test_each_email_follows_the_councils_choice(app, db, demo, kind, bilingual):
    demo.bilingual = bilingual
    db.add(demo)
    db.commit()
    with app.test_request_context():
        to, subject, values = kind(app, db, demo)
        english = _(subject, **values)
        with force_locale("cy"):
            welsh = _(subject, **values)
    assert welsh != english  # the catalogue has it in Welsh
    (message, *_others) = db.exec(
        select(mail.OutboxMessage).where(mail.OutboxMessage.to == to).order_by(mail.OutboxMessage.id)
    ).all()
    db.commit()
    if bilingual:
        assert message.subject == f"{welsh} / {english}"
        welsh_part, english_part = message.body.split("-" * 20)
        assert english_part.strip() and welsh_part.strip() and welsh_part != english_part
        links = [word for word in message.body.split() if word.startswith("http")]
        assert all(links.count(link) == 2 for link in links)  # the same link in both languages
    else:
        assert message.subject == english and "-" * 20 not in message.body


def test_account_emails_stay_english_for_people_of_other_councils(app, db, demo):
    demo.bilingual = True
    db.add(demo)
    db.commit()
    person = factories.resident(db, demo, confirmed=False, postcode="SW1A 1AA")  # not in the council's area
    with app.test_request_context():
        residence.send_confirmation(db, person)
    db.commit()
    message = db.exec(select(mail.OutboxMessage).where(mail.OutboxMessage.to == person.email)).one()
    assert message.subject == "Confirm your email address"
