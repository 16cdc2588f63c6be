"""Every page a role may use is reached by clicking from its home, and no link it is shown fails."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from pbapp.accounts.models import User
from pbapp.juries.models import Jury
from pbapp.deliberation.models import Evidence, Round
from pbapp.pb import services as pb
from pbapp.security import ANONYMOUS
from tests.conftest import ROLE_EMAILS, login
from tests.homes.crawl import crawl
from tests.deliberation import factories as deliberation
from tests.ledger import factories as ledger_factories
from pbapp.accounts import residence
from tests.pb import factories as pb_factories

# GET pages no link can reach, with the reason. Anything else a role may open must be linked.
NOT_LINKABLE = {
    "accounts.reset_password": "opened from the emailed reset link (a one-time token)",
    "accounts.accept_invitation": "opened from the emailed invitation link (a one-time token)",
    "juries.respond": "opened from the juror's emailed invitation (a one-time token)",
    "accounts.confirm_email": "opened from the emailed confirmation link (a one-time token)",
    "councils.logo": "the council's logo, shown as an image in the header (not a link) once one is uploaded",
    "ops.healthz": "for the load balancer and monitoring, not people",
    "site.robots": "for search engines' crawlers, not people",
    "site.sitemap": "for search engines' crawlers (named in robots.txt), not people",
}
ANYONE_NEED_NOT = {
    "pb.count_progress": "the count's progress, shown after the officer presses Close voting or Count again (a form)",
    "councils.import_preview": "the preview of an uploaded wards, postcodes or boundaries file, shown after the admin "
    "sends it (a form)",
    "juries.address_draw": "the choices of an address draw, shown after the officer uploads the address list (a form)",
    "sortition.import_progress": "the progress of a pool import, shown after the officer presses Check and import (a form)",
    "pb.codes_pdf": "a batch's letters, linked on its letters page once the officer has pressed Make the letters (a form) "
    "and the job has made them (tests/e2e/test_letters_journey.py follows that link)",
    "juries.invitations_csv": "a draw's mail-merge file, linked on the jury's Invitation letters page once the officer "
    "has drawn addresses (a form); tests/e2e/test_address_lottery_journey.py follows that link",
    "juries.invitations_pdf": "a draw's invitation letters, linked on the jury's Invitation letters page once the "
    "officer has drawn addresses (a form) and the job has made them (tests/e2e/test_address_lottery_journey.py "
    "follows that link)",
    "pb.import_pabulib_preview": "the preview of an uploaded Pabulib file, shown after the officer sends it (a form)",
    "pb.import_pabulib_progress": "the progress of a large Pabulib import, shown after the officer presses Import (a form)",
    # Confirmation pages linked only in a state the crawl's council does not have (every juror has
    # answered; no recommendation vote or unopened ballot); tests/juries/test_confirmations.py and
    # tests/pb/test_check_answers.py reach each one by its link.
    "juries.decline_juror": "linked beside a juror who has not answered yet",
    "deliberation.close_recommendation_vote": "linked while a recommendation vote is open",
    "pb.open_ballot": "linked on a ballot that is not yet open",
    "pb.about_you": "the optional questions after voting, linked from the receipt straight after a vote "
    "(tests/pb/test_participation.py follows that link)",
}
SIGNED_IN_NEED_NOT = {
    "accounts.login": "signing in again: the link shows to people who are signed out",
    "accounts.register": "creating an account: the link shows to people who are signed out",
}
ANONYMOUS_NEED_NOT = {
    "pb.receipt": "a voter's own receipt, linked once they have voted with the code from their letter",
}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "#1d70b8").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def lifecycle(app, db, demo):
    """The demo council plus a thing in every state a page is about, so each page has a link to it.

    The demo shows one moment; a crawl must also meet an idea with a picture, a process taking ideas,
    an open ballot with a vote from each account, a closed ballot with printed letter codes, a draft
    piece of evidence, an open poll, and delivery milestones.
    """
    with app.test_request_context():
        officer = pb_factories.officer(db)
        resident = db.exec(select(User).where(User.email == ROLE_EMAILS["resident"])).one()
        taking = pb_factories.process(app, db, demo, proposals=0)
        idea = pb.submit_proposal(
            db,
            demo,
            taking.id,
            resident,
            title="A mural for the market hall",
            description="Local artists paint the wall",
            estimated_cost_pence=500_000,
            upload=("mural.png", _png()),
            image_alt="A sketch of the mural",
        )
        pb.save_review(db, demo, idea.id, officer, feasible=True, reviewed_cost_pence=None, reason="")
        pb.publish_review(db, demo, idea.id, officer)
        pb.submit_proposal(
            db,
            demo,
            taking.id,
            resident,
            title="Benches on the canal towpath",
            description="Six benches",
            estimated_cost_pence=300_000,
            upload=("benches.png", _png()),
            image_alt="Where the benches would go",
        )
        anyone = pb_factories.ballot(app, db, demo, eligibility="open", title="Choose projects for the towpath")
        first = pb_factories.refs(db, anyone)[0]
        for email in ROLE_EMAILS.values():
            user = db.exec(select(User).where(User.email == email)).one()
            voter = pb.eligibility(db, demo, anyone, None, user, None).voter
            pb.cast_vote(db, demo, anyone.id, voter, [first])
        closed = pb_factories.ballot(app, db, demo, title="Choose projects for the park")
        pb_factories.codes(app, db, demo, closed)
        pb.close_ballot(db, demo, closed.id, officer)
    jury = db.exec(select(Jury).where(Jury.council_id == demo.id).order_by(Jury.id)).first()
    if jury is None or db.exec(select(Round).where(Round.jury_id == jury.id)).first() is None:
        pytest.fail("the demo has no jury in deliberation to crawl")
    the_round = db.exec(select(Round).where(Round.jury_id == jury.id).order_by(Round.id)).first()
    deliberation.evidence(db, jury, published=False, title="Draft briefing on libraries")
    deliberation.approval_poll(db, jury, the_round)
    ledger_factories.demo_item_with_milestones(db, demo)
    newcomer = pb_factories.resident(db, demo, verified=False)  # not on the register: asks for a letter
    residence.request_letter(db, demo, newcomer, address="12 Market Street", postcode="BB3 1AA")
    assert db.exec(select(Evidence).where(Evidence.jury_id == jury.id, Evidence.published_at.is_(None))).first()
    return demo


def _allowed_get_endpoints(app, role: str) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and app.view_functions[rule.endpoint].permission.allows_role(role)
    }


@pytest.mark.parametrize("role", [ANONYMOUS, "resident", "facilitator", "officer", "admin"])
def test_every_allowed_page_is_reached_from_home_and_no_link_fails(app, lifecycle, role):
    client = app.test_client()
    if role == ANONYMOUS:
        start, excused = "/", {**NOT_LINKABLE, **ANYONE_NEED_NOT, **ANONYMOUS_NEED_NOT}
    else:
        start, excused = (
            login(client, ROLE_EMAILS[role]).location,
            {**NOT_LINKABLE, **ANYONE_NEED_NOT, **SIGNED_IN_NEED_NOT},
        )
        assert start.endswith("/home/"), f"sign-in lands on {start}, not the role's home"
    found = crawl(app, client, start, role)
    assert found.failures == [], "\n".join(found.failures)
    # The JSON API is for programs: its pages are described on its docs page (api.docs, crawled), not linked.
    machine = {e for e in _allowed_get_endpoints(app, role) if e.startswith("api.") and e != "api.docs"}
    missing = _allowed_get_endpoints(app, role) - found.reached - set(excused) - machine
    assert not missing, f"{role} cannot reach by links: {sorted(missing)} ({found.pages} pages visited)"


def test_the_crawl_notices_a_broken_link_and_a_page_it_cannot_reach(app, demo):
    """The crawl itself: a link that fails is reported, and so is an allowed page nothing links to."""
    client = app.test_client()
    login(client, ROLE_EMAILS["officer"])
    found = crawl(app, client, "/no-such-page", "officer")
    assert found.failures and "no page answers GET" in found.failures[0]
    found = crawl(app, client, "/accessibility", "officer")
    assert "homes.officer" in found.reached and "homes.resident" in found.reached
