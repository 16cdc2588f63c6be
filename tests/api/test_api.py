"""The public JSON API: the demo's public data, never personal data, pages, ETags, CORS, problems, OpenAPI."""

from __future__ import annotations


import pytest
from sqlmodel import select

from pbapp.api import openapi
from pbapp.api.schemas import LICENCE_NAME, LICENCE_URL
from pbapp.juries.models import Jury
from pbapp.deliberation.models import REC_ADOPTED, REC_NOT_ADOPTED, Recommendation
from pbapp.pb.models import HIDDEN, Ballot, Proposal

# Keys that would carry personal data, secrets or unpublished drafts; none may appear anywhere in a response.
# (A receipt is public once in the published log: only the voter knows which entry it is.)
FORBIDDEN_KEYS = {
    "email",
    "password",
    "password_hash",
    "voter_key",
    "code_hash",
    "submitter_id",
    "group_name",
    "created_by_id",
    "recorded_by_id",
    "reviewed_by_id",
    "decided_by_id",
    "actor_id",
    "facilitator_id",
    "author_id",
    "entered_by_id",
    "person_id",
    "public_id",
    "contact",
    "address",
    "postcode",
    "phone",
    "named_jurors",
    "jurors",
    "names",
    "response_token_hash",
    "key_version",
    "log_seq",
    "pool_id",
    "postcode_prefixes",
    "logo",
    "first_choices",
    "second_choices",
}


def keys_in(value) -> set[str]:
    if isinstance(value, dict):
        found = set(value)
        for inner in value.values():
            found |= keys_in(inner)
        return found
    if isinstance(value, list):
        return set().union(*(keys_in(v) for v in value)) if value else set()
    return set()


def get_all(client, url: str) -> tuple[list, int]:
    """Follow links.next from `url` to the end; return every item and how many pages it took."""
    items, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        body = response.get_json()
        assert not FORBIDDEN_KEYS & keys_in(body), url
        items += body["data"]
        pages += 1
        url = body["links"]["next"]
        assert pages <= 1000
    return items, pages


def api(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert not FORBIDDEN_KEYS & keys_in(body), (url, FORBIDDEN_KEYS & keys_in(body))
    assert body["meta"]["licence"] == {"name": LICENCE_NAME, "url": LICENCE_URL}
    assert f'<{LICENCE_URL}>; rel="license"' in response.headers["Link"]
    return body


BASE = "/api/v1/councils/blackburn-with-darwen"


def test_the_demo_council_and_its_areas(client, demo):
    councils = api(client, "/api/v1/councils")
    assert [c["slug"] for c in councils["data"]] == ["blackburn-with-darwen"]
    assert councils["meta"]["total"] == 1
    council = api(client, BASE)["data"]
    assert council["name"] == demo.name and council["gss_code"] == demo.gss_code
    areas, _ = get_all(client, BASE + "/areas?per_page=100")
    assert len([a for a in areas if a["kind"] == "ward"]) == 17
    assert {a["kind"] for a in areas} == {"ward", "neighbourhood"}


def test_processes_proposals_ballots_results_and_log(client, db, demo):
    processes, _ = get_all(client, BASE + "/processes")
    assert processes
    hidden = set(db.exec(select(Proposal.id).where(Proposal.status == HIDDEN)).all())
    published = db.exec(select(Ballot).where(Ballot.results_published_at.is_not(None))).all()
    assert published, "the demo has a ballot with published results"
    seen_proposals, seen_ballots = [], []
    for process in processes:
        assert api(client, process["url"])["data"] == process
        seen_proposals += get_all(client, BASE + f"/processes/{process['id']}/proposals")[0]
        seen_ballots += get_all(client, BASE + f"/processes/{process['id']}/ballots")[0]
    assert seen_proposals and not hidden & {p["id"] for p in seen_proposals}
    assert all(p["review"] is None or p["review"]["published_at"] for p in seen_proposals)
    for ballot in seen_ballots:
        assert api(client, ballot["url"])["data"] == ballot
        if ballot["state"] != "published":
            assert ballot["results_url"] is None
            assert client.get(BASE + f"/ballots/{ballot['id']}/results").status_code == 404
            assert client.get(BASE + f"/ballots/{ballot['id']}/log").status_code == 404
    for row in published:
        result = api(client, BASE + f"/ballots/{row.id}/results")["data"]
        assert result["official_selected"] and result["voters"] > 0
        entries, _ = get_all(client, BASE + f"/ballots/{row.id}/log?per_page=7")
        assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
        assert len(entries) == result["log_entries"] and entries[-1]["hash"] == result["log_head"]
        for before, after in zip(entries, entries[1:]):
            assert after["previous_hash"] == before["hash"]
        published_log = client.get(f"/pb/blackburn-with-darwen/ballots/{row.id}/log.json").get_json()
        assert entries == published_log["entries"]


def test_juries_and_their_decided_recommendations(client, db, demo):
    juries, _ = get_all(client, BASE + "/juries")
    assert {j["id"] for j in juries} == set(db.exec(select(Jury.id)).all())
    decided_total = 0
    for jury in juries:
        assert api(client, jury["url"])["data"] == jury
        recs, _ = get_all(client, BASE + f"/juries/{jury['id']}/recommendations")
        assert {r["status"] for r in recs} <= {REC_ADOPTED, REC_NOT_ADOPTED}
        decided = db.exec(
            select(Recommendation).where(
                Recommendation.jury_id == jury["id"], Recommendation.status.in_((REC_ADOPTED, REC_NOT_ADOPTED))
            )
        ).all()
        assert sorted(r["number"] for r in recs) == sorted(r.number for r in decided)
        decided_total += len(recs)
    assert decided_total, "the demo has decided recommendations"


def test_budget_books_lines_and_register(client, demo):
    books, _ = get_all(client, BASE + "/budget-books")
    assert books
    for book in books:
        lines, pages = get_all(client, book["lines_url"] + "?per_page=10")
        assert sum(line["net_pence"] for line in lines) == book["totals"]["net_pence"]
        assert pages == -(-len(lines) // 10)
    items, _ = get_all(client, BASE + "/register")
    assert items and any(i["response"] for i in items) and any(i["milestones"] for i in items)
    for item in items:
        assert api(client, item["url"])["data"] == item


def test_pagination_links_and_totals(client, demo):
    first = api(client, BASE + "/areas?per_page=5")
    total = first["meta"]["total"]
    assert first["meta"]["pages"] == -(-total // 5) and first["links"]["prev"] is None
    last = api(client, first["links"]["last"])
    assert last["links"]["next"] is None and last["meta"]["page"] == first["meta"]["pages"]
    areas, pages = get_all(client, BASE + "/areas?per_page=5")
    assert len(areas) == total == len({a["id"] for a in areas}) and pages == first["meta"]["pages"]
    assert 'rel="next"' in client.get(BASE + "/areas?per_page=5").headers["Link"]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=99", "page"),
    ],
)
def test_bad_paging_is_a_problem_document(client, demo, query, parameter):
    response = client.get(BASE + "/areas?" + query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["parameter"] == parameter and body["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nowhere",
        BASE + "/processes/999999",
        "/api/v1/councils/no-such-council",
        BASE + "/ballots/999999/results",
        BASE + "/juries/999999/recommendations",
    ],
)
def test_not_found_is_a_problem_document(client, demo, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found" and body["detail"]
    assert body["instance"] == url


def test_writing_to_the_api_is_refused_with_a_problem_document(client, demo):
    response = client.post(BASE + "/processes", data={})
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == response.status_code


def test_pages_outside_the_api_keep_their_html_errors(client, demo):
    response = client.get("/pb/blackburn-with-darwen/processes/999999")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_etag_gives_304(client, demo):
    first = client.get(BASE + "/processes")
    etag = first.headers["ETag"]
    assert etag and "public" in first.headers["Cache-Control"]
    again = client.get(BASE + "/processes", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(BASE + "/processes", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(BASE + "/processes?per_page=1").headers["ETag"] != etag


def test_cors_on_the_api_only(client, demo):
    response = client.get(BASE)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(BASE, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/").headers


def test_openapi_document_validates_and_lists_every_route(app, client, demo):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["license"] == {"name": LICENCE_NAME, "url": LICENCE_URL}
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert {openapi.openapi_path(r.rule) for r in rules} == set(spec["paths"])
    schemas = spec["components"]["schemas"]
    for name in ("Council", "Ballot", "BallotResult", "LogEntry", "RegisterItem", "Problem", "ProcessPage"):
        assert name in schemas
    assert not FORBIDDEN_KEYS & keys_in({k: v.get("properties", {}) for k, v in schemas.items()})


def test_every_listed_endpoint_answers_the_public(app, client, db, demo):
    """Fill each path's parameters from the demo and fetch it without signing in."""
    spec = client.get("/api/v1/openapi.json").get_json()
    published = db.exec(select(Ballot.id).where(Ballot.results_published_at.is_not(None))).first()
    values = {
        "council": demo.slug,
        "ballot_id": published,
        "process_id": db.exec(select(Ballot.process_id).where(Ballot.id == published)).one(),
        "jury_id": api(client, BASE + "/juries")["data"][0]["id"],
        "book_id": api(client, BASE + "/budget-books")["data"][0]["id"],
        "item_id": api(client, BASE + "/register")["data"][0]["id"],
    }
    for path, item in spec["paths"].items():
        url = path.format(**values)
        response = client.get("/api/v1" + url)
        assert response.status_code == 200, path
        media_type = next(iter(item["get"]["responses"]["200"]["content"]))
        assert response.mimetype == media_type, path


def test_the_docs_page_shows_every_endpoint_and_schema(client, demo):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "cdn" not in html.lower()
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in spec["paths"]:
        assert path in html
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert LICENCE_NAME in html


def test_the_open_data_page_names_the_licence_and_links_the_api(client, demo):
    html = client.get("/ledger/blackburn-with-darwen/open-data").get_data(as_text=True)
    assert LICENCE_NAME in html and "/api/v1/docs" in html


def test_robots_and_sitemap(client, db, demo):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    assert "Sitemap: http://localhost/sitemap.xml" in robots.get_data(as_text=True)
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.mimetype == "application/xml"
    xml = sitemap.get_data(as_text=True)
    published = db.exec(select(Ballot.id).where(Ballot.results_published_at.is_not(None))).all()
    for ballot_id in published:
        assert f"/pb/blackburn-with-darwen/ballots/{ballot_id}/results</loc>" in xml
    unpublished = db.exec(select(Ballot.id).where(Ballot.results_published_at.is_(None))).all()
    for ballot_id in unpublished:
        assert f"/ballots/{ballot_id}/results<" not in xml
    for jury_id in db.exec(select(Jury.id)).all():
        assert f"/juries/blackburn-with-darwen/{jury_id}/about</loc>" in xml
    assert "/ledger/blackburn-with-darwen/register</loc>" in xml
    assert "/accounts/" not in xml
    for loc in xml.split("<loc>")[1:]:
        path = loc.split("</loc>")[0].removeprefix("http://localhost")
        assert client.get(path).status_code == 200, path


def test_the_docs_page_and_problem_details_speak_welsh(client, demo):
    client.get("/language/cy")
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "API data cyhoeddus" in html and "Sut mae’n gweithio" in html
    body = client.get(BASE + "/areas?per_page=500").get_json()
    assert body["detail"] == "rhaid i per_page fod yn rhif cyfan o 1 i 100."
