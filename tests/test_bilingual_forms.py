"""Officers enter the Welsh beside the English: every Welsh column a resident reads has a field in an
officer form, and a value typed there is saved and shown to a Welsh reader."""

from __future__ import annotations

import importlib
import inspect
import io
import re

import pytest
from flask_wtf import FlaskForm
from sqlmodel import SQLModel, select

from pbapp.bilingual import set_welsh
from pbapp.config import PACKAGE_ROOT
from pbapp.deliberation.models import Evidence, PollOption, RecommendationVersion, Round, StrawPoll
from pbapp.juries.models import JurySession
from pbapp.ledger.models import BudgetBook, BudgetLine
from pbapp.pb.models import Ballot, BallotOption, Process, Proposal
from tests.deliberation import test_views as deliberation_views
from tests.pb import test_simulator as simulator_tests
from tests.factories import typed_date

# Welsh columns filled some other way than a form field of the same name, and how.
NOT_A_FORM_FIELD = {
    ("RecordItem", "title_cy"): "copied from the recommendation or PB result the item records",
    ("RecordItem", "summary_cy"): "written from the recommendation or PB result the item records",
    ("BallotOption", "title_cy"): "copied from the proposal (reviewed by an officer) or budget line at opening",
    ("BallotOption", "description_cy"): "copied from the proposal (reviewed by an officer) at opening",
    ("BudgetLine", "name_cy"): "the name_cy column of the imported budget book",
    ("PollOption", "label_cy"): "the poll form's Welsh options, one on each line (options_cy)",
    ("Jury", "remit_cy"): "the jury form (juries.forms.JuryForm)",
    ("SimulatorLine", "consequences_cy"): "the line form's Welsh box beside each step's (consequence-cy-<percent>)",
}


def _welsh_columns() -> list[tuple[str, str, str]]:
    """(domain, model, column) for every `_cy` column of a table."""
    found = []
    for mapper in SQLModel._sa_registry.mappers:
        model = mapper.class_
        domain = model.__module__.split(".")[1]
        found += [(domain, model.__name__, column.key) for column in mapper.columns if column.key.endswith("_cy")]
    return found


def _form_fields(domain: str) -> set[str]:
    """Every field name of every form class in a domain's forms modules."""
    names: set[str] = set()
    for module_name in (f"pbapp.{domain}.forms", f"pbapp.{domain}.simulator_forms"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module_name:
                names |= {key for key in dir(cls) if key.endswith("_cy")}
    return names


def test_every_welsh_column_has_a_field_in_an_officer_form():
    columns = _welsh_columns()
    assert len(columns) >= 20
    domains = sorted({path.parent.name for path in PACKAGE_ROOT.glob("*/*forms.py")})  # a new domain's too
    fields = {domain: _form_fields(domain) for domain in domains}
    fields["deliberation"] |= fields["juries"]  # a round's meeting is a jury session
    fields["juries"] |= fields["deliberation"]  # evidence, polls and recommendations are run on the jury
    missing = [
        (model, column)
        for domain, model, column in columns
        if column not in fields.get(domain, set()) and (model, column) not in NOT_A_FORM_FIELD
    ]
    assert not missing


def test_set_welsh_refuses_a_column_the_model_does_not_have():
    process = Process(council_id=1, title="T", pot_pence=1)
    set_welsh(process, {"title_cy": "  Teitl "})
    assert process.title_cy == "Teitl"
    with pytest.raises(ValueError, match="no Welsh column 'name_cy'"):
        set_welsh(process, {"name_cy": "Enw"})


jury = deliberation_views.jury  # the fixture: the demo jury, with the demo resident on it


def _welsh_page(client, url: str) -> str:
    client.get("/language/cy")
    page = client.get(url)
    assert page.status_code == 200, url
    return page.get_data(as_text=True)


def test_pb_process_review_and_ballot_take_welsh_and_welsh_readers_see_it(client, db, demo, login_as):
    login_as("officer")
    slug = demo.slug
    form = client.get(f"/pb/{slug}/manage").get_data(as_text=True)
    assert 'name="title_cy"' in form and 'name="description_cy"' in form and 'lang="cy"' in form
    response = client.post(
        f"/pb/{slug}/manage",
        data={
            "title": "Ward budget",
            "title_cy": "Cyllideb y ward",
            "description": "For the ward.",
            "description_cy": "Ar gyfer y ward.",
            "pot": "50,000",
            "area_id": "",
        },
    )
    assert response.status_code == 303
    process_id = int(response.location.rsplit("/", 1)[1])
    for n in range(2):
        assert (
            client.post(
                f"/pb/{slug}/processes/{process_id}/propose",
                data={"title": f"Idea {n}", "description": f"Good idea {n}", "estimated_cost": "20000"},
            ).status_code
            == 303
        )
    db.commit()
    ids = db.exec(select(Proposal.id).where(Proposal.process_id == process_id).order_by(Proposal.id)).all()
    review = client.get(f"/pb/{slug}/review/{ids[0]}").get_data(as_text=True)
    assert 'name="title_cy"' in review and 'name="description_cy"' in review
    for n, pid in enumerate(ids):
        assert (
            client.post(
                f"/pb/{slug}/review/{pid}",
                data={"feasible": "yes", "reason": "", "title_cy": f"Syniad {n}", "description_cy": f"Syniad da {n}"},
            ).status_code
            == 303
        )
        assert client.post(f"/pb/{slug}/review/{pid}/publish").status_code == 303
    response = client.post(
        f"/pb/{slug}/manage/processes/{process_id}",
        data={
            "title": "Vote",
            "title_cy": "Pleidlais",
            "kind": "knapsack",
            "rule": "greedy",
            "utility": "cost",
            "eligibility": "open",
        },
    )
    assert response.status_code == 303
    ballot_id = int(response.location.rsplit("/", 1)[1])
    assert 'value="Pleidlais"' in client.get(f"/pb/{slug}/manage/ballots/{ballot_id}/settings").get_data(as_text=True)
    assert client.post(f"/pb/{slug}/manage/ballots/{ballot_id}/open").status_code == 303
    db.commit()
    process = db.get(Process, process_id)
    assert (process.title_cy, process.description_cy) == ("Cyllideb y ward", "Ar gyfer y ward.")
    assert db.get(Ballot, ballot_id).title_cy == "Pleidlais"
    options = db.exec(select(BallotOption).where(BallotOption.ballot_id == ballot_id)).all()
    assert sorted(o.title_cy for o in options) == ["Syniad 0", "Syniad 1"]
    client.post("/accounts/logout")
    page = _welsh_page(client, f"/pb/{slug}/processes/{process_id}")
    assert "Cyllideb y ward" in page and "Ar gyfer y ward." in page and "Ward budget" not in page
    assert "Syniad 0" in page and "Idea 0" not in page
    ballot = _welsh_page(client, f"/pb/{slug}/ballots/{ballot_id}")
    assert "<h1" in ballot and "Pleidlais" in ballot and ">Vote<" not in ballot
    proposal = _welsh_page(client, f"/pb/{slug}/proposals/{ids[1]}")
    assert "Syniad da 1" in proposal and "Good idea 1" not in proposal


def test_evidence_in_welsh_including_its_text_and_english_text_is_marked_when_none(client, db, demo, jury, login_as):
    login_as("facilitator")
    base = f"/juries/{demo.slug}/{jury.id}"
    form = client.get(f"{base}/evidence/new").get_data(as_text=True)
    for name in ("title_cy", "summary_cy", "body_cy"):
        assert re.search(rf'name="{name}"[^>]*lang="cy"|lang="cy"[^>]*name="{name}"', form), name
    response = client.post(
        f"{base}/evidence/new",
        data={
            "title": "Library costs",
            "title_cy": "Costau llyfrgelloedd",
            "kind": "markdown",
            "summary": "What libraries cost.",
            "summary_cy": "Beth mae llyfrgelloedd yn ei gostio.",
            "body": "Libraries cost **£4m** a year.",
            "body_cy": "Mae llyfrgelloedd yn costio **£4m** y flwyddyn.",
            "publish": "y",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db.commit()
    item = db.exec(select(Evidence).where(Evidence.title == "Library costs")).one()
    assert item.body_cy.startswith("Mae llyfrgelloedd")
    page = _welsh_page(client, f"{base}/evidence/{item.id}")
    assert "Costau llyfrgelloedd" in page and "Beth mae llyfrgelloedd yn ei gostio." in page
    assert "Mae llyfrgelloedd yn costio <strong>£4m</strong> y flwyddyn." in page and "Libraries cost" not in page
    edit = client.get(f"{base}/evidence/{item.id}/edit").get_data(as_text=True)
    assert "Mae llyfrgelloedd yn costio" in edit
    assert (
        client.post(
            f"{base}/evidence/{item.id}/edit",
            data={
                "title": "Library costs",
                "title_cy": "Costau",
                "summary": "What libraries cost.",
                "summary_cy": "",
                "body": "Libraries cost **£4m** a year.",
                "body_cy": "",
                "round_id": "0",
                "witness_id": "0",
            },
            content_type="multipart/form-data",
        ).status_code
        == 303
    )
    page = _welsh_page(client, f"{base}/evidence/{item.id}")
    assert '<div class="govuk-body app-markdown" lang="en"><p>Libraries cost <strong>£4m</strong>' in page
    assert '<span lang="en">What libraries cost.</span>' in page


def test_a_round_poll_and_recommendation_take_welsh(client, db, demo, jury, login_as):
    login_as("facilitator")
    base = f"/juries/{demo.slug}/{jury.id}"
    response = client.post(
        f"{base}/rounds/new",
        data={
            "title": "Evening 5",
            "title_cy": "Noson 5",
            **typed_date("held_on", "2027-03-01"),
            "kind": "evidence",
            "place": "Town Hall",
        },
    )
    assert response.status_code == 303
    round_id = int(response.location.rsplit("/", 1)[1])
    db.commit()
    meeting = db.get(JurySession, db.get(Round, round_id).session_id)
    assert meeting.title_cy == "Noson 5"
    assert 'value="Noson 5"' in client.get(f"{base}/rounds/{round_id}/edit").get_data(as_text=True)
    refused = client.post(
        f"{base}/rounds/{round_id}/polls/new",
        data={
            "question": "Which matter most?",
            "kind": "approval",
            "options": "Libraries\nParks",
            "options_cy": "Llyfrgelloedd",
        },
    )
    assert refused.status_code == 422 and "Give a Welsh option for each English option" in refused.get_data(
        as_text=True
    )
    assert (
        client.post(
            f"{base}/rounds/{round_id}/polls/new",
            data={
                "question": "Which matter most?",
                "question_cy": "Pa rai sydd bwysicaf?",
                "kind": "approval",
                "options": "Libraries\nParks",
                "options_cy": "Llyfrgelloedd\nParciau",
            },
        ).status_code
        == 303
    )
    db.commit()
    poll = db.exec(select(StrawPoll).where(StrawPoll.round_id == round_id)).one()
    assert poll.question_cy == "Pa rai sydd bwysicaf?"
    labels = db.exec(select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position)).all()
    assert [o.label_cy for o in labels] == ["Llyfrgelloedd", "Parciau"]
    assert "Pa rai sydd bwysicaf?" in _welsh_page(client, f"{base}/rounds/{round_id}")
    client.get("/language/en")
    response = client.post(
        f"{base}/recommendations/new",
        data={
            "title": "Later libraries",
            "title_cy": "Llyfrgelloedd hwyrach",
            "text": "Open until 8pm.",
            "text_cy": "Ar agor tan 8pm.",
            "rows": "1",
            "line_0": "0",
            "change_0": "",
            "threshold_percent": "80",
        },
    )
    assert response.status_code == 303
    rec_url = response.location
    page = _welsh_page(client, rec_url)
    assert "Llyfrgelloedd hwyrach" in page and "Ar agor tan 8pm." in page
    assert 'name="text_cy"' in page and "Ar agor tan 8pm.</textarea>" in page
    db.commit()
    versions = db.exec(select(RecommendationVersion).where(RecommendationVersion.title == "Later libraries")).all()
    assert [v.text_cy for v in versions] == ["Ar agor tan 8pm."]


def test_a_jury_session_takes_its_title_in_welsh(client, db, demo, jury, login_as):
    login_as("officer")
    assert 'name="title_cy"' in client.get(f"/juries/{demo.slug}/{jury.id}").get_data(as_text=True)
    response = client.post(
        f"/juries/{demo.slug}/{jury.id}/sessions",
        data={"title": "Extra evening", "title_cy": "Noson ychwanegol", **typed_date("held_on", "2027-04-01")},
    )
    assert response.status_code == 303
    db.commit()
    meeting = db.exec(select(JurySession).where(JurySession.title == "Extra evening")).one()
    assert meeting.title_cy == "Noson ychwanegol"


BOOK = (
    "ra_line,division,directorate,gross,income,name_cy\n"
    "Cultural and related services,Libraries,Place,1000,100,Llyfrgelloedd\n"
    "Central services,Elections,Resources,500,0,\n"
)


def test_a_budget_book_takes_its_title_and_line_names_in_welsh(client, db, demo, login_as):
    login_as("officer")
    form = client.get(f"/ledger/{demo.slug}/import").get_data(as_text=True)
    assert 'name="title_cy"' in form
    response = client.post(
        f"/ledger/{demo.slug}/import",
        data={
            "csv_file": (io.BytesIO(BOOK.encode()), "book.csv"),
            "financial_year": "2031-32",
            "title": "Budget 2031",
            "title_cy": "Cyllideb 2031",
            "stage": "draft",
            "save": "1",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db.commit()
    book = db.exec(select(BudgetBook).where(BudgetBook.financial_year == "2031-32")).one()
    assert book.title_cy == "Cyllideb 2031"
    lines = db.exec(select(BudgetLine).where(BudgetLine.book_id == book.id).order_by(BudgetLine.position)).all()
    assert [line.name_cy for line in lines] == ["Llyfrgelloedd", ""]
    page = _welsh_page(client, f"/ledger/{demo.slug}/books/{book.id}")
    assert "Cyllideb 2031" in page and "Llyfrgelloedd" in page


def test_a_simulator_line_takes_its_service_name_and_steps_in_welsh(app, client, db, demo, login_as):
    from pbapp.pb import simulator

    ballot = simulator_tests._officer_sets_up(app, db, demo, client, login_as)
    line = simulator.lines_of(db, ballot)[0]
    url = f"/pb/{demo.slug}/manage/ballots/{ballot.id}/simulator/lines/{line.ref}"
    form = client.get(url).get_data(as_text=True)
    for name in ("service_cy", "title_cy", "consequence-cy--20", "consequence-cy--10"):
        assert re.search(rf'name="{name}"[^>]*lang="cy"|lang="cy"[^>]*name="{name}"', form), name
    assert "Service in Welsh (optional)" in form and "Welsh readers see this instead of the English" in form
    response = client.post(
        url,
        data={
            "service_cy": "Gwasanaethau diwylliannol",
            "title_cy": "Amgueddfeydd",
            "min_percent": "-20",
            "max_percent": "0",
            "step_percent": "10",
            "consequence--20": "Close the museum.",
            "consequence-cy--20": "Cau’r amgueddfa.",
        },
    )
    assert response.status_code == 303
    db.rollback()
    line = simulator.lines_of(db, ballot)[0]
    assert (line.service_cy, line.title_cy, line.consequence_cy_of(-20)) == (
        "Gwasanaethau diwylliannol",
        "Amgueddfeydd",
        "Cau’r amgueddfa.",
    )
    client.get("/language/cy")
    page = client.get(url).get_data(as_text=True)
    assert "Enw’r llinell yn Gymraeg (dewisol)" in page and "Yn Gymraeg (dewisol)" in page
    assert 'value="Amgueddfeydd"' in page and "Cau’r amgueddfa.</textarea>" in page
