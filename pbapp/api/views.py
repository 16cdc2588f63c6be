"""The read-only JSON API: thin views that call one read service each and serialise its schema."""

from __future__ import annotations

import functools
from typing import Callable

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _

from pbapp.api import bp, openapi, permissions, problems, services
from pbapp.api import schemas as s
from pbapp.db import get_session
from pbapp.security import requires

CACHE_SECONDS = 60


def _json(document: s.Schema, extra_links: list[str] = ()):
    response = current_app.response_class(document.model_dump_json(), mimetype="application/json")
    response.headers["Link"] = ", ".join([f'<{s.LICENCE_URL}>; rel="license"', *extra_links])
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.add_etag()
    return response.make_conditional(request)


def _page_url(number: int, per_page: int) -> str:
    return url_for(request.endpoint, **(request.view_args or {}), page=number, per_page=per_page, _external=True)


def _listing(items, model: type[s.Schema]):
    page_number, per_page = services.page_numbers(
        request.args,
        messages={
            "page": _("page must be a whole number from 1."),
            "per_page": _("per_page must be a whole number from 1 to %(most)s.", most=s.MAX_PER_PAGE),
        },
    )
    page = services.paginate(
        items,
        page_number,
        per_page,
        message=_(
            "There is no page %(page)s: the last page is %(last)s.",
            page=page_number,
            last=max(1, -(-len(items) // per_page)),
        ),
    )
    links = services.page_links(page, lambda n: _page_url(n, per_page))
    header = [
        f'<{getattr(links, rel)}>; rel="{rel}"' for rel in ("first", "prev", "next", "last") if getattr(links, rel)
    ]
    return _json(s.many(model)(data=page.items, meta=services.page_meta(page), links=links), header)


def api_route(rule: str, model: type[s.Schema], *, summary: str, description: str, tag: str, many: bool = False):
    """Register a GET route whose view returns `model` (or a list of it, served a page at a time)."""

    def decorate(view: Callable):
        envelope = s.many(model) if many else s.one(model)
        openapi.ENDPOINTS["api." + view.__name__] = openapi.Endpoint(
            view.__name__, envelope, summary, description, tag, paginated=many
        )

        @functools.wraps(view)
        def serve(**kwargs):
            found = view(**kwargs)
            if many:
                return _listing(found, model)
            return _json(envelope(data=found, meta=s.Meta(), links=s.Links(self=request.url)))

        return bp.route(rule)(requires(permissions.ANYONE)(serve))

    return decorate


def _council(slug: str):
    return services.council_of(get_session(), slug)


@api_route(
    "/",
    s.Index,
    summary="Where to start",
    tag="API",
    description="Links to the councils, this API's OpenAPI document and its documentation page.",
)
def index():
    return s.Index(
        councils=url_for("api.councils", _external=True),
        openapi=url_for("api.openapi_document", _external=True),
        docs=url_for("api.docs", _external=True),
    )


@api_route(
    "/councils",
    s.Council,
    many=True,
    tag="Councils",
    summary="Councils",
    description="Every council publishing on this site.",
)
def councils():
    return services.list_councils(get_session())


@api_route(
    "/councils/<council>", s.Council, tag="Councils", summary="A council", description="One council, by its slug."
)
def council(council: str):
    return services.council_schema(_council(council))


@api_route(
    "/councils/<council>/areas",
    s.Area,
    many=True,
    tag="Councils",
    summary="Areas",
    description="The council's neighbourhoods, then its wards, with adult populations.",
)
def areas(council: str):
    return services.areas(get_session(), _council(council))


@api_route(
    "/councils/<council>/processes",
    s.Process,
    many=True,
    tag="Participatory budgeting",
    summary="Budget processes",
    description="The council's participatory budgeting processes, newest first.",
)
def processes(council: str):
    return services.processes(get_session(), _council(council))


@api_route(
    "/councils/<council>/processes/<int:process_id>",
    s.Process,
    tag="Participatory budgeting",
    summary="A budget process",
    description="One participatory budgeting process.",
)
def process(council: str, process_id: int):
    return services.process(get_session(), _council(council), process_id)


@api_route(
    "/councils/<council>/processes/<int:process_id>/proposals",
    s.Proposal,
    many=True,
    tag="Participatory budgeting",
    summary="Proposals",
    description="The process's proposals as the public sees them (hidden ones never), with each "
    "feasibility review once it is published.",
)
def proposals(council: str, process_id: int):
    return services.proposals(get_session(), _council(council), process_id)


@api_route(
    "/councils/<council>/processes/<int:process_id>/ballots",
    s.Ballot,
    many=True,
    tag="Participatory budgeting",
    summary="Ballots of a process",
    description="The process's ballots.",
)
def ballots(council: str, process_id: int):
    return services.ballots(get_session(), _council(council), process_id)


@api_route(
    "/councils/<council>/ballots/<int:ballot_id>",
    s.Ballot,
    tag="Participatory budgeting",
    summary="A ballot",
    description="One ballot: its kind, limits, counting rule, state and options.",
)
def ballot(council: str, ballot_id: int):
    return services.ballot(get_session(), _council(council), ballot_id)


@api_route(
    "/councils/<council>/ballots/<int:ballot_id>/results",
    s.BallotResult,
    tag="Participatory budgeting",
    summary="A ballot's results",
    description="The published count and the council's official decision; 404 until published.",
)
def results(council: str, ballot_id: int):
    return services.results(get_session(), _council(council), ballot_id)


@api_route(
    "/councils/<council>/ballots/<int:ballot_id>/log",
    s.LogEntry,
    many=True,
    tag="Participatory budgeting",
    summary="A ballot's published log",
    description="The anonymous, hash-chained ballot log in order, a page at a time; 404 until the results "
    "are published. Each entry holds a voter's receipt (in logs sealed at the count, the entries "
    "are in receipt order, so their order says nothing of when ballots were cast).",
)
def log(council: str, ballot_id: int):
    return services.LogEntries(get_session(), _council(council), ballot_id)


@api_route(
    "/councils/<council>/juries",
    s.Jury,
    many=True,
    tag="Citizens' juries",
    summary="Juries",
    description="The council's citizens' juries, newest first.",
)
def juries(council: str):
    return services.list_juries(get_session(), _council(council))


@api_route(
    "/councils/<council>/juries/<int:jury_id>",
    s.Jury,
    tag="Citizens' juries",
    summary="A jury",
    description="One jury: its remit, dates, seats filled and how it was drawn (never who sits on it).",
)
def jury(council: str, jury_id: int):
    return services.jury(get_session(), _council(council), jury_id)


@api_route(
    "/councils/<council>/juries/<int:jury_id>/recommendations",
    s.Recommendation,
    many=True,
    tag="Citizens' juries",
    summary="A jury's recommendations",
    description="The jury's decided recommendations (drafts never) with the council's response.",
)
def recommendations(council: str, jury_id: int):
    return services.recommendations(get_session(), _council(council), jury_id)


@api_route(
    "/councils/<council>/budget-books",
    s.BudgetBook,
    many=True,
    tag="Budget",
    summary="Budget books",
    description="Every version of the council's budget books, newest year and version first.",
)
def budget_books(council: str):
    return services.budget_books(get_session(), _council(council))


@api_route(
    "/councils/<council>/budget-books/<int:book_id>",
    s.BudgetBook,
    tag="Budget",
    summary="A budget book",
    description="One version of a budget book with its totals.",
)
def budget_book(council: str, book_id: int):
    return services.budget_book(get_session(), _council(council), book_id)


@api_route(
    "/councils/<council>/budget-books/<int:book_id>/lines",
    s.BudgetLine,
    many=True,
    tag="Budget",
    summary="Budget lines",
    description="The book's lines in display order; net = gross - income.",
)
def budget_lines(council: str, book_id: int):
    return services.budget_lines(get_session(), _council(council), book_id)


@api_route(
    "/councils/<council>/register",
    s.RegisterItem,
    many=True,
    tag="Budget",
    summary="The register",
    description="Every jury recommendation and PB result the council must answer, "
    "with its response and delivery milestones; overdue first.",
)
def register(council: str):
    return services.register_items(get_session(), _council(council))


@api_route(
    "/councils/<council>/register/<int:item_id>",
    s.RegisterItem,
    tag="Budget",
    summary="A register item",
    description="One item of the register with the council's response and its milestones.",
)
def register_item(council: str, item_id: int):
    return services.register_item(get_session(), _council(council), item_id)


def _document() -> dict:
    return openapi.document(current_app, url_for("api.index", _external=True))


openapi.ENDPOINTS["api.openapi_document"] = openapi.Endpoint(
    "openapi_document", None, "This document", "The OpenAPI 3.1 description of this API.", "API"
)
openapi.ENDPOINTS["api.docs"] = openapi.Endpoint(
    "docs", None, "Documentation", "This API's documentation as a web page.", "API", media_type="text/html"
)


@bp.route("/openapi.json")
@requires(permissions.ANYONE)
def openapi_document():
    response = current_app.json.response(_document())
    response.headers["Link"] = f'<{s.LICENCE_URL}>; rel="license"'
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/docs")
@requires(permissions.ANYONE)
def docs():
    return render_template(
        "api/docs.html", view=openapi.docs_view(_document()), max_per_page=s.MAX_PER_PAGE, title=_("Public data API")
    )


@bp.errorhandler(services.BadRequest)
def bad_request(error: services.BadRequest):
    return problems.problem(400, error.message, parameter=error.parameter)
