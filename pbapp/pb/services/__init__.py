"""Use cases of participatory budgeting, one module per use case.

Each use case takes the session, commits once and raises a DomainError. Callers may use
`services.<name>`; each name lives in one of these modules:

- `keys`: Voter keys, code hashes and log tokens: the one-way ids a vote is stored under.
- `processes`: Processes, proposals and their review: what residents suggest and officers decide to put to a
  vote.
- `ballots`: Ballots: their settings, options frozen at opening, and the open/close life cycle.
- `codes`: Letter codes: generated per batch, printed as letters or a CSV for a mail house.
- `voting`: Voting: who may vote (accounts, letter codes, paper), the ballot page, and casting a vote.
- `ballot_log`: The ballot log: sealed at the count in receipt order, published, and looked up by receipt.
  Every statement that writes the log is here.
- `results`: Counting and results: the count job, the council's decision, publishing, and the results page.
- `overview`: What an officer's desk and the home page show across a process's ballots.
- `exports`: Open data: the published results as CSV, JSON and Pabulib.
"""

from pbapp.pb.services.keys import (
    LEGACY_KEY_VERSION,
    Voter,
    _keyed_hash,
    current_key_version,
    normalise_code,
)
from pbapp.pb.services.processes import (
    PHASE_ALLOWS,
    _dialect_insert,
    areas_by_id,
    ballots_of,
    create_process,
    get_process,
    get_proposal,
    hide_proposal,
    list_processes,
    option_images,
    proposal_file,
    public_proposals,
    publish_review,
    review_queue,
    save_review,
    set_phase,
    submit_proposal,
)
from pbapp.pb.services.ballots import (
    SETTINGS,
    ballot_state,
    create_ballot,
    get_ballot,
    open_ballot,
    options_of,
    ordered_for,
    update_ballot,
)
from pbapp.pb.services.codes import (
    batch_codes,
    batches_of,
    codes_csv,
    derive_codes,
    generate_codes,
)
from pbapp.pb.services.voting import (
    BallotView,
    CrowdFlag,
    Eligibility,
    _PG_RECORD_BALLOT,
    account_receipt,
    account_voter_key,
    ballot_view,
    cast_vote,
    check_choices,
    crowd_flags,
    eligibility,
    enter_code,
    key_paper_ballot,
    meter,
    paper_entries,
    parse_choices,
    submit_ballot,
)
from pbapp.pb.services.ballot_log import (
    find_receipt,
    log_document,
    log_summary,
    published_log,
    published_log_entries,
    seal_log,
    sealed_log,
)
from pbapp.pb.services.results import (
    ResultsView,
    close_ballot,
    job_of,
    publish_results,
    record_decision,
    result_of,
    results_view,
    run_count,
    start_count,
)
from pbapp.pb.services.overview import (
    ManageView,
    manage_view,
    open_now,
)
from pbapp.pb.services.exports import (
    RESULTS_COLUMNS,
    RESULTS_SCHEMA_VERSION,
    export,
    results_csv,
)

__all__ = [
    "LEGACY_KEY_VERSION",
    "Voter",
    "_keyed_hash",
    "current_key_version",
    "normalise_code",
    "PHASE_ALLOWS",
    "_dialect_insert",
    "areas_by_id",
    "ballots_of",
    "create_process",
    "get_process",
    "get_proposal",
    "hide_proposal",
    "list_processes",
    "option_images",
    "proposal_file",
    "public_proposals",
    "publish_review",
    "review_queue",
    "save_review",
    "set_phase",
    "submit_proposal",
    "SETTINGS",
    "ballot_state",
    "create_ballot",
    "get_ballot",
    "open_ballot",
    "options_of",
    "ordered_for",
    "update_ballot",
    "batch_codes",
    "batches_of",
    "codes_csv",
    "derive_codes",
    "generate_codes",
    "BallotView",
    "CrowdFlag",
    "Eligibility",
    "_PG_RECORD_BALLOT",
    "account_receipt",
    "account_voter_key",
    "ballot_view",
    "cast_vote",
    "check_choices",
    "crowd_flags",
    "eligibility",
    "enter_code",
    "key_paper_ballot",
    "meter",
    "paper_entries",
    "parse_choices",
    "submit_ballot",
    "find_receipt",
    "log_document",
    "log_summary",
    "published_log",
    "published_log_entries",
    "seal_log",
    "sealed_log",
    "ResultsView",
    "close_ballot",
    "job_of",
    "publish_results",
    "record_decision",
    "result_of",
    "results_view",
    "run_count",
    "start_count",
    "ManageView",
    "manage_view",
    "open_now",
    "RESULTS_COLUMNS",
    "RESULTS_SCHEMA_VERSION",
    "export",
    "results_csv",
]
