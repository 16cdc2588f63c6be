"""The API's resources as pydantic models: they serialise every response and generate the OpenAPI schemas.

Each model lists only public fields, so a field left out here can never reach a response.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

LICENCE_NAME = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Licence(Schema):
    name: str = Field(LICENCE_NAME, description="The licence under which the data may be reused.")
    url: str = Field(LICENCE_URL)


class Meta(Schema):
    licence: Licence = Field(default_factory=Licence)


class PageMeta(Meta):
    total: int = Field(description="How many items the whole collection holds.")
    page: int = Field(description="This page's number, from 1.")
    per_page: int = Field(description=f"Items per page (at most {MAX_PER_PAGE}).")
    pages: int = Field(description="How many pages the collection has at this page size.")


class Links(Schema):
    self: str


class PageLinks(Links):
    first: str
    last: str
    prev: str | None = None
    next: str | None = None


class Problem(Schema):
    """An error, as an RFC 9457 problem document (media type application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""


class Council(Schema):
    slug: str
    name: str
    name_cy: str = Field(description="The council's name in Welsh, if it has one.")
    gss_code: str = Field(description="The council's ONS GSS code (e.g. E06000008).")
    url: str = Field(description="This council in the API.")
    web_url: str = Field(description="The council's public page.")


class Area(Schema):
    id: int
    kind: str = Field(description="ward or neighbourhood")
    name: str
    code: str = Field(description="The ward's ONS GSS code, if known.")
    neighbourhood_id: int | None = Field(description="The neighbourhood a ward belongs to.")
    adults: int = Field(description="Adult residents (Census 2021).")


class Process(Schema):
    id: int
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    description: str
    description_cy: str = Field("", description="The description in Welsh, empty when the council has not given one.")
    area_id: int | None = Field(
        description="The neighbourhood or ward with its own pot, or null for the whole council."
    )
    pot_pence: int
    phase: str = Field(description="proposals, review, voting, results or delivery")
    proposals_from: date | None
    review_from: date | None
    voting_from: date | None
    results_from: date | None
    delivery_from: date | None
    url: str
    web_url: str


class Review(Schema):
    feasible: bool
    reviewed_cost_pence: int | None
    reason: str
    published_at: datetime


class Proposal(Schema):
    id: int
    process_id: int
    area_id: int | None
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    description: str
    description_cy: str = Field("", description="The description in Welsh, empty when the council has not given one.")
    status: str = Field(description="submitted, feasible or not_feasible (hidden proposals are never listed)")
    estimated_cost_pence: int
    cost_pence: int = Field(description="The reviewed cost once the review is published, else the estimate.")
    review: Review | None = Field(description="The officer's feasibility review, once published.")
    web_url: str


class BallotOption(Schema):
    ref: str
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    description: str
    description_cy: str = Field("", description="The description in Welsh, empty when the council has not given one.")
    cost_pence: int
    min_pence: int
    max_pence: int
    proposal_id: int | None


class Ballot(Schema):
    id: int
    process_id: int
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    kind: str = Field(
        description="approval, knapsack, cumulative, ranked, allocation or simulator (the budget simulator)"
    )
    state: str = Field(description="Where the ballot stands: draft, scheduled, open, closed or published.")
    budget_pence: int
    min_choices: int
    max_choices: int | None
    total_points: int
    max_per_project: int | None
    min_spend_percent: int
    rule: str = Field(description="The counting rule, e.g. equalshares/add1 or greedy.")
    utility: str
    partial_funding: bool
    opens_at: datetime | None
    closes_at: datetime | None
    results_published_at: datetime | None
    options: list[BallotOption] = Field(description="The options as frozen when voting opened.")
    url: str
    web_url: str
    results_url: str | None = Field(description="The published results, once the council publishes them.")
    log_url: str | None = Field(description="The published ballot log, once results are published.")


class ResultRow(Schema):
    ref: str
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    cost_pence: int
    support: int
    approvals: int
    funded_by_count: bool = Field(description="Whether the counting rule funded this option.")
    order: int | None = Field(description="The order in which the rule funded it.")
    official: bool = Field(description="Whether the council's official decision funds it.")
    allocation_pence: int | None = Field(description="For allocation ballots, the amount allocated.")
    explanation: Any = Field(description="Why the rule funded or passed over this option.")


class BallotResult(Schema):
    ballot_id: int
    rule: str
    voters: int
    channels: dict[str, int] = Field(description="Votes by channel: online, paper, booth.")
    adults: int | None = Field(description="Adults living in the process's area, for turnout.")
    computed_selected: list[str]
    official_selected: list[str]
    official_reason: str = Field(description="Why the official decision differs from the count, if it does.")
    log_head: str = Field(description="The hash of the ballot log's last entry.")
    log_entries: int
    results_published_at: datetime | None
    rows: list[ResultRow]
    web_url: str


class LogEntry(Schema):
    seq: int
    voter: str = Field(description="The log's one-way voter token (a voter's later ballot replaces the earlier).")
    channel: str
    choices: Any
    previous_hash: str
    hash: str = Field(description="This entry's hash in the chain.")
    receipt: str = Field(
        description="The voter's receipt. In logs sealed at the count (format 2) the entries are "
        "in receipt order and the hash covers the receipt; in logs chained as cast (format 1) the "
        "receipt is the entry's hash."
    )


class Seats(Schema):
    confirmed: int
    invited: int
    reserve: int


class Jury(Schema):
    id: int
    remit: str
    remit_cy: str = Field("", description="The remit in Welsh, empty when the council has not given one.")
    panel_size: int
    starts_on: date
    ends_on: date
    seats: Seats
    selection_algorithm: str | None = Field(description="How the panel was drawn (e.g. leximin).")
    url: str
    web_url: str


class CouncilResponse(Schema):
    outcome: str = Field(description="accepted, partly_accepted, rejected or deferred")
    reasons: str
    reasons_cy: str = Field("", description="The reasons in Welsh, empty when the council has not given one.")
    decided_by: str = Field(description="cabinet, full_council, executive_member or officer_delegated")
    decided_on: date


class RecommendationLine(Schema):
    budget_line: str
    change_pence: int


class Recommendation(Schema):
    number: int
    status: str = Field(description="adopted or not_adopted (drafts are never listed)")
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    text: str
    text_cy: str = Field("", description="The text in Welsh, empty when the council has not given one.")
    threshold_percent: int
    support: int
    oppose: int
    abstain: int
    decided_at: datetime | None
    lines: list[RecommendationLine]
    register_item_id: int | None = Field(description="The item in the council's register, once adopted.")
    response: CouncilResponse | None = Field(description="The council's response, once recorded.")


class Totals(Schema):
    gross_pence: int
    income_pence: int
    net_pence: int


class BudgetBook(Schema):
    id: int
    financial_year: str
    version: int
    stage: str = Field(description="draft, proposed or final")
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    based_on_id: int | None
    created_at: datetime
    totals: Totals
    url: str
    lines_url: str
    web_url: str


class BudgetLine(Schema):
    id: int
    book_id: int
    position: int
    ra_line: str = Field(description="The Revenue Account service line.")
    ra_code: str
    division: str
    directorate: str
    name: str
    name_cy: str = Field("", description="The name in Welsh, empty when the council has not given one.")
    gross_pence: int
    income_pence: int
    net_pence: int


class Milestone(Schema):
    id: int
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    status: str = Field(description="not_started, in_progress, done or delayed")
    due_on: date | None
    completed_on: date | None
    evidence_url: str
    evidence_note: str


class ItemLine(Schema):
    budget_line_id: int | None
    change_pence: int


class RegisterItem(Schema):
    id: int
    source: str = Field(description="jury_recommendation or pb_result")
    source_ref: str
    title: str
    title_cy: str = Field("", description="The title in Welsh, empty when the council has not given one.")
    summary: str
    summary_cy: str = Field("", description="The summary in Welsh, empty when the council has not given one.")
    public_url: str
    amount_pence: int | None
    budget_line_id: int | None
    lines: list[ItemLine]
    received_at: datetime
    response_due: date
    status: str = Field(description="awaiting, overdue or responded")
    progress_percent: int
    response: CouncilResponse | None
    milestones: list[Milestone]
    url: str
    web_url: str


class Index(Schema):
    councils: str
    openapi: str
    docs: str


def one(model: type[Schema]) -> type[Schema]:
    """The envelope of a single resource: data, meta (with the licence) and links."""
    return _envelope(model, model.__name__ + "Document", model, Meta, Links)


def many(model: type[Schema]) -> type[Schema]:
    """The envelope of one page of a collection: data, meta with totals, and links to walk the pages."""
    return _envelope(model, model.__name__ + "Page", list[model], PageMeta, PageLinks)


_ENVELOPES: dict[str, type[Schema]] = {}


def _envelope(model, name, data, meta, links) -> type[Schema]:
    if name not in _ENVELOPES:
        _ENVELOPES[name] = create_model(name, __base__=Schema, data=(data, ...), meta=(meta, ...), links=(links, ...))
    return _ENVELOPES[name]
