"""Deliberation pages: the facilitator runs rounds and polls, jurors take part, the public reads the outcome."""

from __future__ import annotations

import io
import re

import pytest
from sqlmodel import select

from pbapp.juries.models import Attendance, Jury, JurySession
from pbapp.deliberation.models import (
    POLL_OPEN,
    REC_ADOPTED,
    Evidence,
    PollBallot,
    Question,
    Recommendation,
    Round,
    StrawPoll,
    Witness,
)
from pbapp.ledger.models import RecordItem, RecordItemLine
from tests import factories
from tests.conftest import login
from tests.deliberation import factories as make
from tests.factories import typed_date

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def jury(demo, db) -> Jury:
    found = db.exec(select(Jury).where(Jury.council_id == demo.id).order_by(Jury.id)).first()
    make.demo_juror(db, found.id)
    db.commit()
    return found


def _base(demo, jury) -> str:
    return f"/juries/{demo.slug}/{jury.id}"


def test_the_facilitator_adds_a_round_and_takes_attendance(client, login_as, demo, jury, db):
    login_as("facilitator")
    base = _base(demo, jury)
    response = client.post(
        f"{base}/rounds/new", data={"title": "", **typed_date("held_on", "2027-03-01"), "kind": "evidence"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "Enter a title for the round" in page
    response = client.post(
        f"{base}/rounds/new",
        data={"title": "Evening 5", **typed_date("held_on", "2027-03-01"), "kind": "evidence", "place": "Town Hall"},
    )
    assert response.status_code == 303
    round_id = int(re.search(r"/rounds/(\d+)$", response.location).group(1))
    assert "Evening 5" in client.get(response.location).get_data(as_text=True)
    db.commit()
    meeting_id = db.get(Round, round_id).session_id
    juror = make.demo_juror(db, jury.id)
    response = client.post(f"{base}/rounds/{round_id}/attendance", data={"present": [str(juror.id)]})
    assert response.status_code == 303
    db.commit()
    present = db.exec(select(Attendance.juror_id).where(Attendance.session_id == meeting_id, Attendance.present)).all()
    assert present == [juror.id]
    assert db.get(JurySession, meeting_id).jury_id == jury.id


def test_a_pdf_is_checked_and_served_as_a_download(client, login_as, demo, jury, db):
    login_as("facilitator")
    base = _base(demo, jury)
    fake = {"title": "Plan", "kind": "pdf", "upload": (io.BytesIO(b"<script>x</script>"), "plan.pdf")}
    response = client.post(f"{base}/evidence/new", data=fake, content_type="multipart/form-data")
    assert response.status_code == 422 and "The file must be a PDF" in response.get_data(as_text=True)
    real = {"title": "Plan", "kind": "pdf", "publish": "y", "upload": (io.BytesIO(PDF), "plan.pdf")}
    assert client.post(f"{base}/evidence/new", data=real, content_type="multipart/form-data").status_code == 303
    db.commit()
    item = db.exec(select(Evidence).where(Evidence.title == "Plan")).one()
    client.post("/accounts/logout")
    response = client.get(f"{base}/evidence/{item.id}/file")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unpublished_evidence_is_hidden_from_the_public(client, demo, jury, db):
    item = make.evidence(db, jury, published=False, title="Draft briefing")
    assert client.get(f"{_base(demo, jury)}/evidence/{item.id}").status_code == 404


def test_a_juror_asks_and_the_answer_is_published(client, login_as, demo, jury, db):
    base = _base(demo, jury)
    login_as("resident")
    page = client.get(f"{base}/portal").get_data(as_text=True)
    assert "When we meet" in page and jury.remit in page
    response = client.post(
        f"{base}/portal/questions/new", data={"addressed_to": "officer", "text": "What does a library evening cost?"}
    )
    assert response.status_code == 303
    db.commit()
    question = db.exec(select(Question).where(Question.text == "What does a library evening cost?")).one()
    login(client, "facilitator@demo.example")
    response = client.post(
        f"{base}/questions/{question.id}/answer",
        data={"answered_by": "Libraries manager", "answer": "About £3,500 an evening.", "publish": "y"},
    )
    assert response.status_code == 303
    public = client.get(f"{base}/public").get_data(as_text=True)
    assert "What does a library evening cost?" in public and "About £3,500 an evening." in public


def test_a_juror_cannot_open_another_jurys_portal(client, login_as, demo, jury, db):
    other = make.jury(db, demo, facilitator=factories.user_by_email(db, "facilitator@demo.example"))
    login_as("resident")
    assert client.get(f"/juries/{demo.slug}/{other.id}/portal").status_code == 403
    assert client.get(f"{_base(demo, jury)}/portal").status_code == 200
    assert client.get(f"{_base(demo, jury)}/deliberation").status_code == 403


def test_straw_poll_set_up_opened_and_answered(client, login_as, demo, jury, db):
    base = _base(demo, jury)
    the_round = make.round_(db, jury, title="Evening 6")
    login_as("facilitator")
    response = client.post(
        f"{base}/rounds/{the_round.id}/polls/new",
        data={
            "question": "Which matter most?",
            "kind": "approval",
            "options": "Libraries\nParks\nRoads",
            "max_choices": "2",
        },
    )
    assert response.status_code == 303
    db.commit()
    poll = db.exec(select(StrawPoll).where(StrawPoll.round_id == the_round.id)).one()
    assert client.post(f"{base}/polls/{poll.id}/open").status_code == 303
    login(client, "resident@demo.example")
    db.commit()
    options = [o.id for o in make_options(db, poll)]
    response = client.post(f"{base}/portal/polls/{poll.id}", data={"choices": [str(i) for i in options]})
    assert response.status_code == 422 and "you can choose up to 2" in response.get_data(as_text=True)
    assert client.post(f"{base}/portal/polls/{poll.id}", data={"choices": [str(options[0])]}).status_code == 303
    assert client.post(f"{base}/polls/{poll.id}/close").status_code == 403
    db.expire_all()
    assert db.get(StrawPoll, poll.id).status == POLL_OPEN


def make_options(db, poll):
    from pbapp.deliberation.models import PollOption

    return db.exec(select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position)).all()


def test_an_allocation_ballot_that_does_not_add_up_is_sent_back(client, login_as, demo, jury, db):
    poll = db.exec(select(StrawPoll).where(StrawPoll.jury_id == jury.id)).first()
    poll.status = POLL_OPEN
    db.add(poll)
    db.commit()
    login_as("resident")
    options = make_options(db, poll)
    data = {f"amount-{o.id}": "100" for o in options}
    response = client.post(f"{_base(demo, jury)}/portal/polls/{poll.id}", data=data)
    assert response.status_code == 422 and "must add up to £2,000,000" in response.get_data(as_text=True)


def _lines(db, demo):
    from pbapp.ledger.services import budget_lines

    return budget_lines(db, demo.id)[:3]


def test_a_recommendation_with_several_lines_is_drafted_revised_voted_and_adopted(client, login_as, demo, jury, db):
    base = _base(demo, jury)
    libraries, parks, roads = _lines(db, demo)
    drafts = db.exec(
        select(Recommendation).where(Recommendation.jury_id == jury.id, Recommendation.status == "draft")
    ).all()
    login_as("resident")
    page = client.get(f"{base}/recommendations/new").get_data(as_text=True)
    assert len(re.findall(r'<select[^>]+name="line_\d+"', page)) == 3
    response = client.post(
        f"{base}/recommendations/new",
        data={
            "title": "Later libraries",
            "text": "Open libraries until 8pm on Thursdays.",
            "rows": "3",
            "add_line": "1",
            "line_0": str(libraries.id),
            "change_0": "£18,000",
            "threshold_percent": "80",
        },
    )
    assert response.status_code == 200, "adding a row saves nothing"
    page = response.get_data(as_text=True)
    assert 'name="line_3"' in page and 'value="£18,000"' in page
    assert (
        db.exec(select(Recommendation).where(Recommendation.jury_id == jury.id, Recommendation.status == "draft")).all()
        == drafts
    )
    db.commit()
    response = client.post(
        f"{base}/recommendations/new",
        data={
            "title": "Later libraries",
            "text": "Open libraries until 8pm on Thursdays.",
            "rows": "4",
            "line_0": str(libraries.id),
            "change_0": "£18,000",
            "line_1": str(roads.id),
            "change_1": "",
            "line_2": str(libraries.id),
            "change_2": "£1",
            "line_3": "0",
            "change_3": "£5",
            "threshold_percent": "80",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    for message, anchor in (
        ("Enter the proposed change for this line in pounds", "change_1"),
        ("You have chosen this budget line already", "line_2"),
        ("Choose the budget line for this change", "line_3"),
    ):
        assert f'<a href="#{anchor}">{message}' in page
    response = client.post(
        f"{base}/recommendations/new",
        data={
            "title": "Later libraries",
            "text": "Open libraries until 8pm on Thursdays.",
            "rows": "3",
            "line_0": str(libraries.id),
            "change_0": "£18,000",
            "line_1": str(roads.id),
            "change_1": "-£18,000",
            "threshold_percent": "80",
        },
    )
    assert response.status_code == 303
    rec_id = int(response.location.rsplit("/", 1)[1])
    page = client.get(f"{base}/recommendations/{rec_id}").get_data(as_text=True)
    assert 'name="line_2"' in page and f'<option selected value="{roads.id}">' in page
    response = client.post(
        f"{base}/recommendations/{rec_id}",
        data={
            "title": "Later libraries",
            "text": "Open every library until 8pm on Thursdays.",
            "rows": "3",
            "line_0": str(libraries.id),
            "change_0": "£20,000",
            "line_1": "0",
            "change_1": "",
            "line_2": str(parks.id),
            "change_2": "-£20,000",
            "note": "Every library, paid from parks",
        },
    )
    assert response.status_code == 303
    page = client.get(f"{base}/recommendations/{rec_id}").get_data(as_text=True)
    assert "<ins>every library</ins>" in page and "Every library, paid from parks" in page
    diff = page[page.index('id="lines-diff"') :]
    diff = diff[: diff.index("</table>")]
    assert "Line added" in diff and "Line removed" in diff and "Amount changed" in diff
    assert "+£18,000" in diff and "+£20,000" in diff and "-£20,000" in diff
    login(client, "facilitator@demo.example")
    assert client.post(f"{base}/recommendations/{rec_id}/vote/open").status_code == 303
    login(client, "resident@demo.example")
    assert client.post(f"{base}/portal/recommendations/{rec_id}/vote", data={"choice": "support"}).status_code == 303
    login(client, "facilitator@demo.example")
    assert client.post(f"{base}/recommendations/{rec_id}/vote/close").status_code == 303
    db.expire_all()
    rec = db.get(Recommendation, rec_id)
    assert rec.status == REC_ADOPTED and rec.support_count == 1
    item = db.get(RecordItem, rec.record_item_id)
    assert item.amount_pence == 0 and item.budget_line_id is None
    assert item.public_url.endswith(f"/juries/{demo.slug}/{jury.id}/public")
    rows = db.exec(
        select(RecordItemLine.budget_line_id, RecordItemLine.change_pence)
        .where(RecordItemLine.item_id == item.id)
        .order_by(RecordItemLine.id)
    ).all()
    assert rows == [(libraries.id, 2_000_000), (parks.id, -2_000_000)]
    ledger_page = client.get(f"/ledger/{demo.slug}/register/{item.id}").get_data(as_text=True)
    assert "Budget lines" in ledger_page and parks.division in ledger_page and "-£20,000" in ledger_page
    public = client.get(f"{base}/public").get_data(as_text=True)
    assert "Open every library until 8pm on Thursdays." in public
    block = public[public.index("Open every library until 8pm on Thursdays.") :]
    assert libraries.name in block and parks.name in block and "+£20,000" in block and "-£20,000" in block


def test_the_public_page_shows_votes_in_aggregate_and_names_only_with_consent(client, login_as, demo, jury, db):
    last_year = db.exec(select(Jury).where(Jury.council_id == demo.id).order_by(Jury.starts_on)).first()
    finished = client.get(f"{_base(demo, last_year)}/public").get_data(as_text=True)
    assert "22 supported, 1 opposed, 1 abstained: 22 of 24 jurors voting" in finished
    base = _base(demo, jury)
    page = client.get(f"{base}/public").get_data(as_text=True)
    assert "Imran Hussain" not in page
    assert "<svg" in page and "polyline" in page and "style=" not in page
    login_as("resident")
    assert client.post(f"{base}/portal/consent", data={"consent": "y"}).status_code == 303
    assert "Imran Hussain" in client.get(f"{base}/public").get_data(as_text=True)


def test_htmx_posts_redirect_with_hx_redirect(client, login_as, demo, jury):
    login_as("facilitator")
    response = client.post(
        f"{_base(demo, jury)}/rounds/new",
        headers={"HX-Request": "true"},
        data={
            "title": "Evening 7",
            **typed_date("held_on", "2027-03-08"),
            "kind": "decision",
            "link": "https://meet.example.org/x",
        },
    )
    assert response.status_code == 204 and "/rounds/" in response.headers["HX-Redirect"]


def test_the_council_home_page_points_to_the_jurys_public_page(client, demo, jury):
    page = client.get(f"/councils/{demo.slug}/").get_data(as_text=True)
    assert f'href="{_base(demo, jury)}/public"' in page and "What the jury heard and recommended" in page


def test_the_facilitator_enters_votes_cast_in_the_room(client, login_as, demo, jury, db):
    rec = make.recommendation(db, jury)
    login_as("facilitator")
    base = _base(demo, jury)
    assert client.post(f"{base}/recommendations/{rec.id}/vote/open").status_code == 303
    page = client.get(f"{base}/recommendations/{rec.id}").get_data(as_text=True)
    juror_ids = [int(i) for i in re.findall(r'name="vote-(\d+)"', page)]
    assert len(juror_ids) == 30
    data = {f"vote-{i}": "support" for i in juror_ids[:22]} | {f"vote-{i}": "oppose" for i in juror_ids[22:]}
    assert client.post(f"{base}/recommendations/{rec.id}/room-votes", data=data).status_code == 303
    assert client.post(f"{base}/recommendations/{rec.id}/vote/close").status_code == 303
    db.expire_all()
    done = db.get(Recommendation, rec.id)
    assert (done.support_count, done.oppose_count, done.status) == (22, 8, "not_adopted")


def test_a_round_page_shows_its_closed_polls_results(client, login_as, demo, jury, db):
    poll = db.exec(select(StrawPoll).where(StrawPoll.jury_id == jury.id).order_by(StrawPoll.id)).first()
    login_as("facilitator")
    page = client.get(f"{_base(demo, jury)}/rounds/{poll.round_id}").get_data(as_text=True)
    assert "Results of this round’s polls" in page and "30 jurors answered" in page


def test_the_facilitator_changes_a_round_and_errors_come_back_with_422(client, login_as, demo, jury, db):
    the_round = make.round_(db, jury, title="Evening 8")
    base = _base(demo, jury)
    login_as("facilitator")
    page = client.get(f"{base}/rounds/{the_round.id}/edit").get_data(as_text=True)
    assert 'value="Evening 8"' in page and "Change the round" in page
    response = client.post(
        f"{base}/rounds/{the_round.id}/edit",
        data={"title": "Evening 8", **typed_date("held_on", "2027-03-20"), "kind": "evidence", "place": "", "link": ""},
    )
    assert response.status_code == 422
    assert '<a href="#place">Enter where the round is held or a link to join it</a>' in response.get_data(as_text=True)
    response = client.post(
        f"{base}/rounds/{the_round.id}/edit",
        data={
            "title": "Evening 8: parks",
            **typed_date("held_on", "2027-03-20"),
            "kind": "deliberation",
            "place": "Park Lodge",
        },
    )
    assert response.status_code == 303 and response.location.endswith(f"/rounds/{the_round.id}")
    db.commit()
    db.expire_all()
    assert db.get(JurySession, the_round.session_id).title == "Evening 8: parks"
    assert db.get(Round, the_round.id).kind == "deliberation"


def test_a_facilitator_of_another_jury_cannot_change_this_jurys_items(client, demo, jury, db):
    stranger = factories.user(db, council=demo, role="facilitator", email="other.facilitator@example.org")
    make.jury(db, demo, facilitator=stranger)
    the_round = make.round_(db, jury, title="Evening 9")
    item, witness = make.evidence(db, jury), make.witness(db, jury)
    login(client, "other.facilitator@example.org")
    base = _base(demo, jury)
    for url in (
        f"{base}/rounds/{the_round.id}/edit",
        f"{base}/rounds/{the_round.id}/delete",
        f"{base}/witnesses/{witness.id}/edit",
        f"{base}/witnesses/{witness.id}/delete",
        f"{base}/evidence/{item.id}/edit",
        f"{base}/evidence/{item.id}/withdraw",
        f"{base}/evidence/{item.id}/delete",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={"title": "Hijacked", "name": "Hijacked"}).status_code == 403, url
    db.commit()
    db.expire_all()
    assert db.get(JurySession, the_round.session_id).title == "Evening 9"
    assert db.get(Evidence, item.id).published_at is not None


def test_evidence_is_withdrawn_then_deleted_after_confirmation(client, login_as, demo, jury, db):
    item = make.evidence(db, jury, title="Old briefing")
    item_id, base = item.id, _base(demo, jury)
    login_as("facilitator")
    page = client.get(f"{base}/evidence/{item.id}/delete").get_data(as_text=True)
    assert "Delete “Old briefing”?" in page
    response = client.post(f"{base}/evidence/{item.id}/delete")
    assert response.status_code == 409
    assert "Withdraw this evidence from publication before deleting it." in response.get_data(as_text=True)
    assert "Withdraw “Old briefing” from publication?" in client.get(f"{base}/evidence/{item.id}/withdraw").get_data(
        as_text=True
    )
    assert client.post(f"{base}/evidence/{item.id}/withdraw").status_code == 303
    client.post("/accounts/logout")
    assert client.get(f"{base}/evidence/{item.id}").status_code == 404
    login_as("facilitator")
    assert client.post(f"{base}/evidence/{item.id}/delete").status_code == 303
    db.commit()
    db.expire_all()
    assert db.get(Evidence, item_id) is None


def test_a_witness_entry_is_changed_and_a_link_replaced(client, login_as, demo, jury, db):
    witness = make.witness(db, jury)
    link = make.evidence(db, jury, kind="link", title="Report", body="", url="https://example.org/a")
    base = _base(demo, jury)
    login_as("facilitator")
    dashboard = client.get(f"{base}/deliberation").get_data(as_text=True)
    assert f"/witnesses/{witness.id}/edit" in dashboard and f"/evidence/{link.id}/withdraw" in dashboard
    response = client.post(
        f"{base}/witnesses/{witness.id}/edit",
        data={"name": "Sam Patel", "organisation": "", "view": "", "stance": "against", "asked_by": "jurors"},
    )
    assert response.status_code == 422 and "Describe the view the witness puts" in response.get_data(as_text=True)
    response = client.post(
        f"{base}/witnesses/{witness.id}/edit",
        data={
            "name": "Sam Patel",
            "organisation": "Library users",
            "view": "Close the smallest branch",
            "stance": "against",
            "asked_by": "jurors",
            "round_id": "0",
        },
    )
    assert response.status_code == 303
    page = client.get(f"{base}/evidence/{link.id}/edit").get_data(as_text=True)
    assert 'name="url"' in page and 'name="body"' not in page and 'name="upload"' not in page
    response = client.post(f"{base}/evidence/{link.id}/edit", data={"title": "Report", "url": "ftp://example.org"})
    assert response.status_code == 422
    response = client.post(f"{base}/evidence/{link.id}/edit", data={"title": "Report", "url": "https://example.org/b"})
    assert response.status_code == 303
    db.commit()
    db.expire_all()
    assert (db.get(Witness, witness.id).stance, db.get(Evidence, link.id).url) == ("against", "https://example.org/b")


def test_the_facilitator_enters_a_straw_poll_answer_from_the_room(client, login_as, demo, jury, db):
    the_round = make.round_(db, jury, title="Evening 10")
    poll = make.approval_poll(db, jury, the_round)
    options = make_options(db, poll)
    base = _base(demo, jury)
    login_as("facilitator")
    page = client.get(f"{base}/polls/{poll.id}/room").get_data(as_text=True)
    juror_ids = [int(i) for i in re.findall(rf"/polls/{poll.id}/room/(\d+)", page)]
    assert len(juror_ids) == 30
    url = f"{base}/polls/{poll.id}/room/{juror_ids[0]}"
    response = client.post(url, data={})
    assert response.status_code == 422 and "There is a problem" in response.get_data(as_text=True)
    response = client.post(url, data={"choices": [str(options[0].id), str(options[2].id)]})
    assert response.status_code == 303 and response.location.endswith(f"/polls/{poll.id}/room")
    facilitator = factories.user_by_email(db, "facilitator@demo.example")
    page = client.get(f"{base}/polls/{poll.id}/room").get_data(as_text=True)
    assert page.count(f"Entered by facilitator: {facilitator.name}") == 1
    db.commit()
    db.expire_all()
    ballot = db.exec(select(PollBallot).where(PollBallot.poll_id == poll.id)).one()
    assert (ballot.juror_id, ballot.entered_by_id) == (juror_ids[0], facilitator.id)


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_changes_without_a_csrf_token_are_refused(client, login_as, demo, jury, db):
    the_round = make.round_(db, jury, title="Evening 11")
    login_as("facilitator")
    base = _base(demo, jury)
    for url in (f"{base}/rounds/{the_round.id}/edit", f"{base}/rounds/{the_round.id}/delete"):
        assert (
            client.post(
                url, data={"title": "x", **typed_date("held_on", "2027-03-20"), "kind": "evidence", "place": "Hall"}
            ).status_code
            == 400
        )
    db.commit()
    db.expire_all()
    assert db.get(Round, the_round.id) is not None
