"""The budget simulator ballot: officer set-up by clicking, the resident's balance without JavaScript,
refusal of an unbalanced budget, one vote per voter, the count, open data and the budget record."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from pbapp.ledger import services as ledger
from pbapp.ledger.models import BudgetLine, RecordItem, RecordItemLine
from pbapp.pb import services, simulator
from pbapp.pb.models import Ballot, Vote
from pbapp.pb.simulator_seed import simulator_title
from pbapp.pb.models import Process
from tests.conftest import csrf_token
from tests.pb import factories


def _demo_ballot(db, demo) -> Ballot:
    process = db.exec(select(Process).where(Process.council_id == demo.id, Process.title == simulator_title())).one()
    return db.exec(select(Ballot).where(Ballot.process_id == process.id)).one()


def _refs(db, ballot) -> list[str]:
    return [o.ref for o in services.options_of(db, ballot)]


def test_demo_simulator_refuses_an_unbalanced_budget_and_counts_a_balanced_one_once(db, demo, client, login_as):
    ballot = _demo_ballot(db, demo)
    login_as("resident")
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Check balance" in page, re.sub(r"\s+", " ", page)[page.find("govuk-main") :][:3000]
    assert 'type="radio"' in page and "Check balance" in page and "Not balanced: £1,500,000" in page
    assert "Close two branch libraries" in page  # the officer's consequence under a step
    assert "for a Band D home); raises" in page and "less for services" in page
    token = csrf_token(client, url)
    refs = _refs(db, ballot)
    # Nothing moved: the council is £1.5m short, so the ballot is refused with the gap.
    refused = client.post(f"{url}/check", data={"csrf_token": token})
    assert refused.status_code == 422 and "short" in refused.get_data(as_text=True)
    # "Check balance" without JavaScript: the page comes back with the new balance and the choice kept.
    checked = client.post(f"{url}/check", data={"csrf_token": token, "balance": "1", "step-tax": "2"})
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Balanced, with" in html
    assert re.search(r'name="step-tax" type="radio" value="2" checked', html)
    # A step not on offer is refused.
    assert (
        client.post(f"{url}/check", data={"csrf_token": token, f"step-{refs[0]}": "-7", "step-tax": "2"}).status_code
        == 422
    )
    choices = {f"step-{refs[0]}": "-10", "step-tax": "2"}
    answers = client.post(f"{url}/check", data={"csrf_token": token, **choices})
    assert answers.status_code == 200 and "Check your answers" in answers.get_data(as_text=True)
    assert client.post(f"{url}/submit", data={"csrf_token": token, **choices}).status_code == 303
    assert (
        client.post(
            f"{url}/submit",
            data={"csrf_token": token, f"step-{refs[1]}": "-10", f"step-{refs[2]}": "-5", "step-tax": "2"},
        ).status_code
        == 303
    )
    db.rollback()  # end the test session's read snapshot
    votes = db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).all()
    assert len(votes) == 1 and json.loads(votes[0].choices) == {refs[1]: -10, refs[2]: -5, "tax": 2}
    # An unbalanced submission straight to submit is refused too, and changes nothing.
    response = client.post(f"{url}/submit", data={"csrf_token": token})
    assert response.status_code == 303
    db.rollback()
    assert json.loads(db.exec(select(Vote).where(Vote.ballot_id == ballot.id)).one().choices)["tax"] == 2


def test_htmx_balance_fragment(db, demo, client, login_as):
    ballot = _demo_ballot(db, demo)
    login_as("resident")
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    token = csrf_token(client, url)
    response = client.post(f"{url}/meter", data={"csrf_token": token, "step-tax": "5"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="budget-meter"') and "Balanced" in html


def _officer_sets_up(app, db, demo, client, login_as) -> Ballot:
    process = factories.process(app, db, demo, proposals=0)
    login_as("officer")
    token = csrf_token(client, f"/pb/{demo.slug}/manage/processes/{process.id}")
    response = client.post(
        f"/pb/{demo.slug}/manage/processes/{process.id}",
        data={
            "csrf_token": token,
            "title": "Balance our budget",
            "kind": "simulator",
            "rule": "equalshares",
            "utility": "cost",
            "eligibility": "codes",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    ballot = db.exec(select(Ballot).where(Ballot.process_id == process.id)).one()
    assert ballot.kind == "simulator" and ballot.rule == "summary"
    setup = f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator"
    assert client.get(setup).status_code == 200
    lines = [line for line in ledger.budget_lines(db, demo.id) if line.net_pence > 0][:3]
    bad = client.post(
        f"{setup}/lines",
        data={
            "csrf_token": token,
            "lines": [str(lines[0].id)],
            "min_percent": "-10",
            "max_percent": "10",
            "step_percent": "3",
        },
    )
    assert bad.status_code == 422 and "multiple of 3" in bad.get_data(as_text=True)
    added = client.post(
        f"{setup}/lines",
        data={
            "csrf_token": token,
            "lines": [str(x.id) for x in lines],
            "min_percent": "-10",
            "max_percent": "10",
            "step_percent": "5",
        },
    )
    assert added.status_code == 303
    db.rollback()
    first = simulator.lines_of(db, ballot)[0]
    saved = client.post(
        f"{setup}/lines/{first.ref}",
        data={
            "csrf_token": token,
            "min_percent": "-20",
            "max_percent": "0",
            "step_percent": "10",
            "consequence--20": "Close the museum.",
            "consequence--10": "Shorter hours.",
        },
    )
    assert saved.status_code == 303
    db.rollback()
    assert simulator.lines_of(db, ballot)[0].consequence_of(-20) == "Close the museum."
    total = sum(x.net_pence for x in lines)
    assert (
        client.post(
            f"{setup}/setup",
            data={
                "csrf_token": token,
                "savings": f"{total * 3 // 100 / 100:.2f}",
                "tax_enabled": "y",
                "band_d": "2000",
                "tax_base": "1000",
                "tax_min_percent": "-1",
                "tax_max_percent": "3",
            },
        ).status_code
        == 303
    )
    return ballot


def test_officer_sets_up_opens_counts_and_publishes_to_the_budget_record(app, db, demo, client, login_as):
    ballot = _officer_sets_up(app, db, demo, client, login_as)
    with app.test_request_context():
        services.open_ballot(db, demo, ballot.id, factories.officer(db))
        db.refresh(ballot)
        refs = _refs(db, ballot)
        assert (
            ballot.budget_pence
            == sum(o.cost_pence for o in services.options_of(db, ballot)) - simulator.setup_of(db, ballot).savings_pence
        )
        with pytest.raises(Exception, match="short"):
            services.cast_vote(db, demo, ballot.id, services.Voter("9" * 64, "code"), {})
        for n, choice in enumerate(
            [{refs[0]: -20, "tax": 3}, {refs[0]: -10, refs[1]: -5, "tax": 3}, {refs[1]: -10, refs[2]: -10, "tax": 3}]
        ):
            services.cast_vote(db, demo, ballot.id, services.Voter(f"{n:064d}", "code"), choice)
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
    result = services.result_of(db, ballot)
    computed = json.loads(result.computed)
    assert computed["lines"][refs[0]]["distribution"] == {"-20": 1, "-10": 1, "0": 1}
    assert computed["lines"][refs[0]]["median_percent"] == -10.0
    manage = client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}").get_data(as_text=True)
    assert "What residents chose for each line" in manage
    assert (
        client.post(
            f"/pb/{demo.slug}/manage/ballots/{ballot.id}/publish",
            data={"csrf_token": csrf_token(client, f"/pb/{demo.slug}/manage")},
        ).status_code
        == 303
    )
    db.rollback()
    item = db.exec(select(RecordItem).where(RecordItem.source_ref == simulator.record_ref(ballot))).one()
    assert item.source == "pb_result" and "median" in item.summary
    changes = db.exec(select(RecordItemLine).where(RecordItemLine.item_id == item.id)).all()
    first = services.options_of(db, ballot)[0]
    assert {c.budget_line_id: c.change_pence for c in changes}[int(first.budget_line_ref)] == -first.cost_pence // 10
    page = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results").get_data(as_text=True)
    assert "How many chose each step" in page and "<svg" in page and "residents’ budget" in page
    csv = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results.csv").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("line_ref,budget_line_id,service,title,current_pence,step_percent")
    data = json.loads(client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results.json").get_data(as_text=True))
    assert data["simulator"]["lines"][0]["median_percent"] == -10.0 and data["simulator"]["council_tax"]["raised"] == 3
    # The published log recounts to the same result.
    from pbapp.pb import counting

    log = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/log.json").get_json()
    assert counting.verify_log(log, head=result.log_head, count_=3) == []


def test_lines_are_frozen_once_voting_opens(app, db, demo, client, login_as):
    ballot = _officer_sets_up(app, db, demo, client, login_as)
    with app.test_request_context():
        services.open_ballot(db, demo, ballot.id, factories.officer(db))
    ref = simulator.lines_of(db, ballot)[0].ref
    token = csrf_token(client, f"/pb/{demo.slug}/manage")
    response = client.post(
        f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator/lines/{ref}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 409
    db.rollback()
    assert len(simulator.lines_of(db, ballot)) == 3


def test_a_budget_no_ballot_could_balance_cannot_open(app, db, demo, client, login_as):
    ballot = _officer_sets_up(app, db, demo, client, login_as)
    token = csrf_token(client, f"/pb/{demo.slug}/manage")
    huge = sum(x.current_pence for x in simulator.lines_of(db, ballot))  # more than every cut and tax rise together
    assert (
        client.post(
            f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator/setup",
            data={"csrf_token": token, "savings": f"{huge / 100:.2f}"},
        ).status_code
        == 303
    )
    with app.test_request_context(), pytest.raises(Exception, match="deepest cuts"):
        services.open_ballot(db, demo, ballot.id, factories.officer(db))
    db.rollback()
    assert db.get(Ballot, ballot.id).frozen_at is None


def test_the_board_and_its_refusal_read_in_welsh(db, demo, client, login_as):
    ballot = _demo_ballot(db, demo)
    login_as("resident")
    client.get("/language/cy")
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Gwirio’r fantolen" in page and "Heb ei mantoli" in page and "Codi’r dreth gyngor 2%" in page
    refused = client.post(f"{url}/check", data={"csrf_token": csrf_token(client, url)}).get_data(as_text=True)
    assert "Mae eich cyllideb" in refused and "yn brin" in refused


def test_the_demo_lines_are_in_welsh_and_a_welsh_reader_sees_them(db, demo, client, login_as):
    """The seed gives every line its Welsh service, name and steps; the board, check page and the
    officer's frozen line page show them."""
    ballot = _demo_ballot(db, demo)
    lines = simulator.lines_of(db, ballot)
    assert lines and all(line.title_cy and line.service_cy for line in lines)
    assert all(line.consequence_cy_of(p) for line in lines for p in (-10, -5, 5, 10))
    library = next(line for line in lines if line.title == "Library service")
    assert (library.title_cy, library.service_cy) == (
        "Gwasanaeth llyfrgell",
        "Gwasanaethau diwylliannol a chysylltiedig",
    )
    options = {o.ref: o for o in services.options_of(db, ballot)}
    assert options[library.ref].title_cy == "Gwasanaeth llyfrgell"
    login_as("resident")
    client.get("/language/cy")
    url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Gwasanaeth llyfrgell</legend>" in page and "Gwasanaethau diwylliannol a chysylltiedig</h2>" in page
    assert "Cau dwy lyfrgell gangen a chwtogi oriau agor y gweddill." in page
    assert (
        "Close two branch libraries" not in page and ">Library service<" not in page and '<span lang="en">' not in page
    )
    answers = client.post(
        f"{url}/check", data={"csrf_token": csrf_token(client, url), f"step-{library.ref}": "-10", "step-tax": "5"}
    ).get_data(as_text=True)
    assert "Gwasanaeth llyfrgell</dt>" in answers and "Cau dwy lyfrgell gangen" in answers
    client.post("/accounts/logout")
    login_as("officer")
    # The officer's list of lines names them in the reader's language too.
    client.get("/language/cy")
    listed = client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator").get_data(as_text=True)
    assert "Gwasanaeth llyfrgell<br>" in listed and ">Library service<" not in listed
    client.get("/language/en")
    frozen = client.get(f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator/lines/{library.ref}")
    assert frozen.status_code == 200
    assert '<span lang="cy">Cau dwy lyfrgell gangen' in frozen.get_data(as_text=True)


def test_officer_writes_a_line_in_welsh_and_residents_read_it_or_the_english_marked(app, db, demo, client, login_as):
    ballot = _officer_sets_up(app, db, demo, client, login_as)
    first, second, third = simulator.lines_of(db, ballot)
    # Put on from the budget book, a line starts with the book's Welsh name and its service's.
    with app.test_request_context():
        for line in (second, third):
            book_line = db.get(BudgetLine, line.budget_line_id)
            assert line.title_cy == book_line.name_cy and book_line.name_cy
            assert line.service_cy == simulator.welsh_service(book_line.ra_line) != ""
    url = f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator/lines/{first.ref}"
    form = client.get(url).get_data(as_text=True)
    assert re.search(r'name="service_cy"[^>]*lang="cy"|lang="cy"[^>]*name="service_cy"', form)
    assert 'name="title_cy"' in form and 'name="consequence-cy--20"' in form and 'lang="cy"' in form
    assert "In Welsh (optional)" in form and "Close the museum.</textarea>" in form
    token = csrf_token(client, url)
    typed = {
        "csrf_token": token,
        "service_cy": "Diwylliant",
        "title_cy": "Amgueddfeydd",
        "min_percent": "-20",
        "max_percent": "0",
        "step_percent": "10",
        "consequence--20": "Close the museum.",
        "consequence--10": "Shorter hours.",
        "consequence-cy--10": "Oriau agor byrrach.",
    }
    # A Welsh text too long is refused at its box, and the page keeps everything typed.
    refused = client.post(url, data={**typed, "consequence-cy--20": "Cau’r amgueddfa. " * 20})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '<a href="#consequence-cy--20">Keep the Welsh of what a step means to 300 characters or fewer</a>' in html
    assert 'id="consequence-cy--20" name="consequence-cy--20" rows="2" lang="cy" aria-describedby=' in html
    assert "Oriau agor byrrach.</textarea>" in html and 'value="Amgueddfeydd"' in html and 'value="Diwylliant"' in html
    # An error in the limits keeps the Welsh too.
    wrong = client.post(url, data={**typed, "step_percent": "3"}).get_data(as_text=True)
    assert "multiple of 3" in wrong and "Oriau agor byrrach.</textarea>" in wrong and 'value="Amgueddfeydd"' in wrong
    db.rollback()
    assert simulator.lines_of(db, ballot)[0].title_cy == ""  # nothing saved by either (the set-up's save cleared it)
    # Saved: the -20 step has Welsh, the -10 step only English.
    assert client.post(url, data={**typed, "consequence-cy--20": " Cau’r amgueddfa. "}).status_code == 303
    db.rollback()
    line = simulator.lines_of(db, ballot)[0]
    assert (line.service_cy, line.title_cy) == ("Diwylliant", "Amgueddfeydd")
    assert line.consequence_cy_of(-20) == "Cau’r amgueddfa." and line.consequence_cy_of(-10) == "Oriau agor byrrach."
    assert "Cau’r amgueddfa.</textarea>" in client.get(url).get_data(as_text=True)
    assert (
        client.post(url, data={**typed, "consequence-cy--20": "Cau’r amgueddfa.", "consequence-cy--10": ""}).status_code
        == 303
    )
    db.rollback()
    assert simulator.lines_of(db, ballot)[0].consequence_cy_of(-10) == ""
    # The second line loses its Welsh name: residents reading Welsh see its English, marked.
    second = simulator.lines_of(db, ballot)[1]
    second.title_cy = ""
    ballot = db.get(Ballot, ballot.id)
    ballot.eligibility = "residents"
    db.commit()
    with app.test_request_context():
        services.open_ballot(db, demo, ballot.id, factories.officer(db))
    options = services.options_of(db, ballot)
    assert (options[0].title_cy, options[0].description_cy) == ("Amgueddfeydd", "Diwylliant")
    assert options[1].title_cy == ""  # the line's Welsh, not the budget book's
    client.post("/accounts/logout")
    login_as("resident")
    client.get("/language/cy")
    board_url = f"/pb/{demo.slug}/ballots/{ballot.id}"
    board = client.get(board_url).get_data(as_text=True)
    assert "Amgueddfeydd</legend>" in board and "Diwylliant</h2>" in board and "Cau’r amgueddfa." in board
    assert '<span lang="en">Shorter hours.</span>' in board and "Close the museum." not in board
    assert f'<span lang="en">{second.title}</span></legend>' in board
    answers = client.post(
        f"{board_url}/check", data={"csrf_token": csrf_token(client, board_url), f"step-{options[0].ref}": "-10"}
    ).get_data(as_text=True)
    assert (
        "Amgueddfeydd</dt>" in answers and '<span class="govuk-body-s"><span lang="en">Shorter hours.</span>' in answers
    )
    # The results, in Welsh: the line's Welsh name and service, and the English one marked.
    refs = [o.ref for o in options]
    db.rollback()  # end the test session's read snapshot before it writes
    with app.test_request_context():
        for n, choice in enumerate([{refs[0]: -20, "tax": 3}, {refs[0]: -10, refs[1]: -5, "tax": 3}]):
            services.cast_vote(db, demo, ballot.id, services.Voter(f"{n:064d}", "code"), choice)
        services.close_ballot(db, demo, ballot.id, factories.officer(db))
        services.publish_results(db, demo, ballot.id, factories.officer(db), url_of=lambda b: "/")
    db.commit()
    results = client.get(f"/pb/{demo.slug}/ballots/{ballot.id}/results").get_data(as_text=True)
    assert 'Amgueddfeydd<br><span class="govuk-body-s">Diwylliant</span>' in results
    assert (
        f'<caption class="govuk-table__caption govuk-table__caption--s"><span lang="en">{second.title}</span>'
        in results
    )
