"""Each role's home, where sign-in lands, the account page, the footer pages and links both ways."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import select

from pbapp.accounts.models import User
from pbapp.juries.models import Jury
from pbapp.deliberation.models import REC_ADOPTED, Recommendation
from pbapp.ledger import services as ledger
from pbapp.ledger.models import RecordItem, RecordItemLine, Response
from pbapp.mail import OutboxMessage
from pbapp.pb.models import Ballot
from tests.conftest import DEMO_PASSWORD, ROLE_EMAILS, csrf_token, login

SLUG = "blackburn-with-darwen"


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1).strip()


@pytest.mark.parametrize(
    "role, home, heading",
    [
        ("admin", "/home/admin", "Administration"),
        ("officer", f"/home/{SLUG}/officer", "Council work"),
        ("facilitator", "/home/facilitator", "Your juries"),
        ("resident", "/home/jury", "Your jury"),  # the demo resident sits on the demo jury
    ],
)
def test_sign_in_lands_on_the_home_of_the_most_responsible_role(client, demo, role, home, heading):
    assert login(client, ROLE_EMAILS[role]).location == "/home/"
    response = client.get("/home/")
    assert response.status_code == 303 and response.location == home
    page = client.get(home).get_data(as_text=True)
    assert f">{heading}</h1>" in page
    assert 'aria-current="page"' in page  # the service navigation marks where you are
    assert "Blackburn with Darwen Borough Council" in page.split("</header>")[0]


def test_sign_in_goes_to_next_when_asked(client, demo):
    data = {"email": ROLE_EMAILS["officer"], "password": DEMO_PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post(f"/accounts/login?next=/pb/{SLUG}/", data=data).location == f"/pb/{SLUG}/"


def test_the_officer_home_gives_each_item_its_next_action(client, db, demo):
    login(client, ROLE_EMAILS["officer"])
    page = client.get(f"/home/{SLUG}/officer").get_data(as_text=True)
    overdue = [v for v in ledger.register(db, SLUG).items if v.overdue]
    assert overdue, "the demo has an overdue response"
    assert f"/ledger/{SLUG}/register/{overdue[0].item.id}/response" in page
    assert ">Record the council’s response<" in page
    assert f"/pb/{SLUG}/manage" in page and f"/pb/{SLUG}/review" in page and f"/juries/{SLUG}/new" in page
    assert f"/ledger/{SLUG}/import" in page and "Budget books" in page
    ballot = db.exec(select(Ballot).where(Ballot.results_published_at.is_not(None))).first()
    assert f"/pb/{SLUG}/manage/ballots/{ballot.id}" in page and "Results published" in page


def test_the_officer_home_is_only_for_staff_of_that_council(client, db, demo):
    from tests import factories

    other = factories.council(db)
    login(client, ROLE_EMAILS["officer"])
    assert client.get(f"/home/{other.slug}/officer").status_code == 403
    assert client.get("/home/admin").status_code == 403
    assert client.get("/home/facilitator").status_code == 403


def test_the_jury_home_is_only_for_jurors(client, demo):
    login(client, ROLE_EMAILS["facilitator"])
    response = client.get("/home/jury")
    assert response.status_code == 403
    assert _title(response).startswith("Error:")


def test_a_residents_home_lists_open_votes_and_the_receipt_of_their_vote(app, client, db, demo):
    from pbapp.pb import services as pb
    from tests.pb import factories as pb_factories

    ballot = pb_factories.ballot(app, db, demo, eligibility="open", title="Choose projects for the towpath")
    login(client, ROLE_EMAILS["resident"])
    page = client.get("/home/votes").get_data(as_text=True)
    assert "Choose projects for the towpath" in page and "You have not voted with this account yet" in page
    resident = db.exec(select(User).where(User.email == ROLE_EMAILS["resident"])).one()
    with app.test_request_context():
        voter = pb.eligibility(db, demo, ballot, None, resident, None).voter
        pb.cast_vote(db, demo, ballot.id, voter, [pb_factories.refs(db, ballot)[0]])
        receipt = pb.account_receipt(db, ballot, resident)
    page = client.get("/home/votes").get_data(as_text=True)
    assert receipt and receipt in page
    assert ">Change your vote<" in page
    assert f"/pb/{SLUG}/ballots/{ballot.id}/receipt" in page


def test_changing_your_details_and_language(client, db, demo):
    login(client, ROLE_EMAILS["resident"])
    token = csrf_token(client, "/accounts/me/details")
    bad = client.post(
        "/accounts/me/details",
        data={"name": "Imran H", "postcode": "not a postcode", "language": "cy", "csrf_token": token},
    )
    assert bad.status_code == 422 and _title(bad).startswith("Error:")
    db.expire_all()
    assert db.exec(select(User).where(User.email == ROLE_EMAILS["resident"])).one().name == "Imran Hussain"
    db.commit()  # end this session's read so it sees what the request saves
    good = client.post(
        "/accounts/me/details", data={"name": "Imran H", "postcode": "bb31aa", "language": "cy", "csrf_token": token}
    )
    assert good.status_code == 303 and good.location == "/accounts/me"
    user = db.exec(select(User).where(User.email == ROLE_EMAILS["resident"])).one()
    db.refresh(user)
    assert (user.name, user.postcode, user.language) == ("Imran H", "BB3 1AA", "cy")
    assert 'lang="cy"' in client.get("/accounts/me").get_data(as_text=True)
    # The preferred language follows the person to their next sign-in, on any browser.
    other = client.application.test_client()
    login(other, ROLE_EMAILS["resident"])
    assert 'lang="cy"' in other.get("/accounts/me").get_data(as_text=True)


def test_changing_your_password_needs_the_current_one(client, db, demo):
    login(client, ROLE_EMAILS["resident"])
    elsewhere = client.application.test_client()
    login(elsewhere, ROLE_EMAILS["resident"])
    token = csrf_token(client, "/accounts/me/password")
    new = "a brand new long password"
    wrong = client.post(
        "/accounts/me/password",
        data={"current": "not my password", "password": new, "confirm": new, "csrf_token": token},
    )
    assert wrong.status_code == 422
    assert "Your current password is not correct" in wrong.get_data(as_text=True)
    right = client.post(
        "/accounts/me/password", data={"current": DEMO_PASSWORD, "password": new, "confirm": new, "csrf_token": token}
    )
    assert right.status_code == 303
    assert client.get("/accounts/me").status_code == 200  # still signed in here
    assert elsewhere.get("/accounts/me").status_code == 302  # signed out everywhere else
    fresh = client.application.test_client()
    assert (
        fresh.post(
            "/accounts/login", data={"email": ROLE_EMAILS["resident"], "password": new, "csrf_token": csrf_token(fresh)}
        ).status_code
        == 303
    )


def test_creating_an_account_keeps_where_the_person_was_going(client, db, demo):
    ballot_page = f"/pb/{SLUG}/ballots/1"
    login_page = client.get(f"/accounts/login?next={ballot_page}").get_data(as_text=True)
    assert f'href="/accounts/register?next={ballot_page}"' in login_page
    register_page = client.get(f"/accounts/register?next={ballot_page}").get_data(as_text=True)
    assert f'action="/accounts/register?next={ballot_page}"' in register_page
    response = client.post(
        f"/accounts/register?next={ballot_page}",
        data={
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "postcode": "BB3 1AA",
            "password": "a long enough password",
            "confirm": "a long enough password",
            "csrf_token": csrf_token(client, "/accounts/register"),
        },
    )
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    # The confirmation link carries the way on: confirming signs the person in and takes them there.
    body = db.exec(select(OutboxMessage.body).where(OutboxMessage.subject == "Confirm your email address")).one()
    link = re.search(r"(/accounts/confirm/\S+)", body).group(1)
    assert link.endswith(f"?next={ballot_page}")
    confirmed = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert confirmed.status_code == 303 and confirmed.location == ballot_page


@pytest.mark.parametrize(
    "path, english, welsh",
    [
        ("/accessibility", "Web Content Accessibility Guidelines version 2.2 AA", "Canllawiau Hygyrchedd Cynnwys y We"),
        ("/privacy", "Volunteer pools: the contact details", "Cronfeydd gwirfoddolwyr"),
        ("/cookies", "This service uses one cookie", "Mae’r gwasanaeth hwn yn defnyddio un cwci"),
        ("/contact", "Send a message to the council", "Anfonwch neges at y cyngor"),
    ],
)
def test_footer_pages_in_english_and_welsh(client, demo, path, english, welsh):
    page = client.get(path).get_data(as_text=True)
    assert english in page
    assert f'href="{path}"' in client.get("/").get_data(as_text=True)  # linked from the footer
    client.get("/language/cy")
    assert welsh in client.get(path).get_data(as_text=True)


def test_the_contact_form_mails_the_councils_administrators(client, db, demo):
    token = csrf_token(client, "/contact")
    empty = client.post(
        "/contact", data={"council": SLUG, "name": "", "email": "x", "message": "", "csrf_token": token}
    )
    assert empty.status_code == 422
    assert db.exec(select(OutboxMessage)).all() == []
    db.commit()
    sent = client.post(
        "/contact",
        data={
            "council": SLUG,
            "name": "Sam Resident",
            "email": "sam@example.org",
            "message": "Please send me a paper ballot.",
            "csrf_token": token,
        },
    )
    assert sent.status_code == 303
    mail = db.exec(select(OutboxMessage)).all()
    assert [m.to for m in mail] == [ROLE_EMAILS["admin"]]
    assert "Please send me a paper ballot." in mail[0].body and "sam@example.org" in mail[0].body


def test_error_pages_say_error_in_their_title(client, demo):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and _title(response).startswith("Error: Page not found")


def test_the_jury_page_shows_the_councils_response_and_links_to_the_register(client, db, demo):
    # Last year's demo jury: its adopted recommendations went to the register.
    rec = db.exec(
        select(Recommendation)
        .where(Recommendation.status == REC_ADOPTED, Recommendation.record_item_id.is_not(None))
        .order_by(Recommendation.id)
    ).first()
    jury = db.get(Jury, rec.jury_id)
    ledger.record_response(
        db,
        SLUG,
        rec.record_item_id,
        outcome="partly_accepted",
        reasons="Half the money this year, the rest next year.",
        decided_by="cabinet",
        decided_on=date.today(),
        actor_id=None,
    )
    page = client.get(f"/juries/{SLUG}/{jury.id}/public").get_data(as_text=True)
    assert "Half the money this year, the rest next year." in page and "Partly accepted" in page
    assert f'href="/ledger/{SLUG}/register/{rec.record_item_id}"' in page


def test_the_results_page_links_to_its_register_items(client, db, demo):
    ballot = db.exec(select(Ballot).where(Ballot.results_published_at.is_not(None))).first()
    items = db.exec(
        select(RecordItem).where(
            RecordItem.source == "pb_result", RecordItem.source_ref.startswith(f"pb:{ballot.process_id}:")
        )
    ).all()
    assert items
    page = client.get(f"/pb/{SLUG}/ballots/{ballot.id}/results").get_data(as_text=True)
    for item in items:
        assert f'href="/ledger/{SLUG}/register/{item.id}"' in page


def test_money_moved_between_lines_is_shown_as_moved(client, db, demo):
    lines = ledger.budget_lines(db, demo.id)[:2]
    item = RecordItem(
        council_id=demo.id,
        source="jury_recommendation",
        source_ref="test:moved",
        title="Move money from roads to libraries",
        amount_pence=0,
        response_due=date(2027, 6, 1),
    )
    db.add(item)
    db.flush()
    db.add_all(
        [
            RecordItemLine(item_id=item.id, budget_line_id=lines[0].id, change_pence=-25_000_000),
            RecordItemLine(item_id=item.id, budget_line_id=lines[1].id, change_pence=25_000_000),
        ]
    )
    db.commit()
    page = client.get(f"/ledger/{SLUG}/register/{item.id}").get_data(as_text=True)
    assert "Moved between budget lines" in page and "£250,000" in page
    assert ">Amount<" not in page
    assert db.exec(select(Response).where(Response.item_id == item.id)).first() is None


def test_a_published_vote_on_the_residents_home_leads_to_the_log_without_the_receipt_in_the_address(
    app, client, db, demo
):
    """Fault: the home linked to the ballot log with ?receipt=..., which the log ignores and access logs keep."""
    from pbapp.pb import services as pb
    from tests.pb import factories as pb_factories

    ballot = pb_factories.ballot(app, db, demo, eligibility="open", title="Choose projects for the towpath")
    resident = db.exec(select(User).where(User.email == ROLE_EMAILS["resident"])).one()
    with app.test_request_context():
        voter = pb.eligibility(db, demo, ballot, None, resident, None).voter
        pb.cast_vote(db, demo, ballot.id, voter, [pb_factories.refs(db, ballot)[0]])
        receipt = pb.account_receipt(db, ballot, resident)
        pb.close_ballot(db, demo, ballot.id, pb_factories.officer(db))
        pb.publish_results(db, demo, ballot.id, pb_factories.officer(db), url_of=lambda b: "/")
    db.commit()
    login(client, ROLE_EMAILS["resident"])
    page = client.get("/home/votes").get_data(as_text=True)
    log = f"/pb/{SLUG}/ballots/{ballot.id}/log"
    assert f'href="{log}"' in page and "receipt=" not in page
    assert f'value="{receipt}"' in client.get(log).get_data(as_text=True)  # filled in for the account


def test_the_officer_home_shows_last_years_finished_jury_as_finished_not_as_still_selecting(client, db, demo):
    """Fault: a finished jury whose panel had no selection run here was shown as "Selecting the panel", its pool
    asking for quotas."""
    finished = db.exec(select(Jury).where(Jury.ends_on < date.today())).one()
    db.commit()
    login(client, ROLE_EMAILS["officer"])
    page = client.get(f"/home/{SLUG}/officer").get_data(as_text=True)
    row = page.split(f'href="/juries/{SLUG}/{finished.id}"')[1].split("govuk-summary-list__row")[0]
    assert "Finished" in row and "Read the recommendations" in row and "Selecting the panel" not in row
    assert "Fill the pool and run the selection" not in page
    assert f"/sortition/{SLUG}/pools/{finished.pool_id}/quotas" not in page
