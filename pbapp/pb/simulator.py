"""Budget simulator ballots: set-up by officers, the resident's board and balance, results and the record.

A simulator ballot is a pb ballot of kind "simulator": eligibility, one vote per voter (the database's
unique voter key), the ballot log and the count are the ballot machinery's own. This module adds what
is particular to it: the budget-book lines an officer picks with their limits, steps and consequences,
the council-tax lever, the balance shown to residents, the results per line, the open-data export and
the consultation result sent to the budget record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from pbapp import audit
from pbapp.accounts.models import User
from pbapp.bilingual import set_welsh
from pbapp.core import simulator as core
from pbapp.core.csv_writer import write_csv
from pbapp.core.errors import CoreError
from pbapp.councils.models import Council
from pbapp.errors import Conflict, Invalid, NotFound
from pbapp.pb.models import SIMULATOR, Ballot, BallotOption, Process, Result
from pbapp.pb.simulator_models import SimulatorLine, SimulatorSetup

RECORD_SOURCE = "pb_result"
MAX_STEPS = 21  # radios per line a resident can take in on a phone
MAX_CONSEQUENCE = 300


def record_ref(ballot: Ballot) -> str:
    """The budget record's reference for a simulator ballot's consultation result."""
    return f"pb:simulator:{ballot.id}"


# --- officer set-up -------------------------------------------------------------------------------


def _ballot(session: Session, council: Council, ballot_id: int, *, editable: bool = False) -> Ballot:
    ballot = session.get(Ballot, ballot_id)
    if ballot is None or ballot.council_id != council.id or ballot.kind != SIMULATOR:
        raise NotFound(_("There is no such budget simulator."))
    if editable and ballot.frozen_at is not None:
        raise Conflict(_("Voting has opened, so the simulator’s lines and steps are frozen and cannot change."))
    return ballot


def setup_of(session: Session, ballot: Ballot) -> SimulatorSetup:
    """The ballot's savings and council-tax settings (defaults until the officer saves them)."""
    found = session.exec(select(SimulatorSetup).where(SimulatorSetup.ballot_id == ballot.id)).first()
    return found or SimulatorSetup(ballot_id=ballot.id)


def lines_of(session: Session, ballot: Ballot) -> list[SimulatorLine]:
    return list(
        session.exec(
            select(SimulatorLine)
            .where(SimulatorLine.ballot_id == ballot.id)
            .order_by(SimulatorLine.position, SimulatorLine.id)
        ).all()
    )


@dataclass
class SetupView:
    ballot: Ballot
    setup: SimulatorSetup
    lines: list[SimulatorLine]
    book_lines: list  # the current budget book's lines, for picking
    chosen_ids: set[int]
    total_pence: int

    @property
    def available_pence(self) -> int:
        return self.total_pence - self.setup.savings_pence


def setup_view(session: Session, council: Council, ballot_id: int) -> SetupView:
    from pbapp.ledger import services as ledger

    ballot = _ballot(session, council, ballot_id)
    lines = lines_of(session, ballot)
    return SetupView(
        ballot,
        setup_of(session, ballot),
        lines,
        ledger.budget_lines(session, council.id),
        {line.budget_line_id for line in lines if line.budget_line_id},
        sum(x.current_pence for x in lines),
    )


def _check_limits(min_percent: int, max_percent: int, step_percent: int) -> None:
    if step_percent is None or step_percent < 1:
        raise Invalid(_("Enter a step of 1 per cent or more"), field="step_percent")
    if min_percent is None or not -100 <= min_percent <= 0:
        raise Invalid(_("Enter a largest cut from -100 to 0 per cent"), field="min_percent")
    if max_percent is None or not 0 <= max_percent <= 100:
        raise Invalid(_("Enter a largest rise from 0 to 100 per cent"), field="max_percent")
    if min_percent % step_percent or max_percent % step_percent:
        raise Invalid(
            _(
                "The largest cut and rise must be whole steps from 0%%: with steps of %(step)d%%, "
                "use a multiple of %(step)d",
                step=step_percent,
            ),
            field="step_percent",
        )
    if (max_percent - min_percent) // step_percent + 1 > MAX_STEPS:
        raise Invalid(
            _("Offer at most %(n)d steps on a line: use bigger steps or narrower limits", n=MAX_STEPS),
            field="step_percent",
        )
    if min_percent == max_percent == 0:
        raise Invalid(_("Let residents move the line: set a largest cut or a largest rise"), field="min_percent")


def add_lines(
    session: Session,
    council: Council,
    ballot_id: int,
    actor: User,
    *,
    line_ids: list[int],
    min_percent: int,
    max_percent: int,
    step_percent: int,
) -> list[SimulatorLine]:
    """Put budget-book lines on the simulator with the same limits and steps (each can be changed after)."""
    from pbapp.ledger.models import BudgetLine

    ballot = _ballot(session, council, ballot_id, editable=True)
    if not line_ids:
        raise Invalid(_("Choose at least one budget line"), field="lines")
    _check_limits(min_percent, max_percent, step_percent)
    existing = lines_of(session, ballot)
    have = {line.budget_line_id for line in existing}
    added = []
    for line_id in line_ids:
        line = session.get(BudgetLine, line_id)
        if line is None or line.council_id != council.id:
            raise Invalid(_("That budget line is not in this council's budget."), field="lines")
        if line.id in have:
            continue
        if line.net_pence <= 0:
            raise Invalid(
                _("%(name)s has no net spending to move; choose lines the council spends on.", name=line.name),
                field="lines",
            )
        item = SimulatorLine(
            ballot_id=ballot.id,
            budget_line_id=line.id,
            ref=f"l{line.id}",
            service=line.ra_line,
            title=line.name,
            service_cy=welsh_service(line.ra_line),
            title_cy=line.name_cy or "",
            current_pence=line.net_pence,
            min_percent=min_percent,
            max_percent=max_percent,
            step_percent=step_percent,
            position=len(existing) + len(added),
        )
        session.add(item)
        added.append(item)
    audit.record(
        session,
        "pb.simulator_lines_added",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor.id,
        lines=[a.ref for a in added],
        min_percent=min_percent,
        max_percent=max_percent,
        step_percent=step_percent,
    )
    session.commit()
    return added


def get_line(session: Session, council: Council, ballot_id: int, ref: str) -> tuple[Ballot, SimulatorLine]:
    ballot = _ballot(session, council, ballot_id)
    line = session.exec(
        select(SimulatorLine).where(SimulatorLine.ballot_id == ballot.id, SimulatorLine.ref == ref)
    ).first()
    if line is None:
        raise NotFound(_("That line is not on this simulator."))
    return ballot, line


def update_line(
    session: Session,
    council: Council,
    ballot_id: int,
    ref: str,
    actor: User,
    *,
    min_percent: int,
    max_percent: int,
    step_percent: int,
    consequences: dict[int, str],
    consequences_cy: dict[int, str] | None = None,
    welsh: Mapping[str, str] | None = None,
) -> SimulatorLine:
    """Change a line's limits and steps and what each step would mean for the service, in English and in
    Welsh (`welsh` carries the Welsh service and title: {"service_cy": ..., "title_cy": ...})."""
    ballot, line = get_line(session, council, ballot_id, ref)
    _ballot(session, council, ballot_id, editable=True)
    _check_limits(min_percent, max_percent, step_percent)
    steps = core.steps_between(min_percent, max_percent, step_percent)
    kept = _kept_consequences(
        steps, consequences, "consequence", _("Keep what a step means to %(n)d characters or fewer", n=MAX_CONSEQUENCE)
    )
    if consequences_cy is None:  # a caller with no Welsh boxes keeps the Welsh there is, for the steps still offered
        consequences_cy = {int(p): text for p, text in json.loads(line.consequences_cy or "{}").items()}
    kept_cy = _kept_consequences(
        steps,
        consequences_cy,
        "consequence-cy",
        _("Keep the Welsh of what a step means to %(n)d characters or fewer", n=MAX_CONSEQUENCE),
    )
    line.min_percent, line.max_percent, line.step_percent = min_percent, max_percent, step_percent
    line.consequences = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    line.consequences_cy = json.dumps(kept_cy, ensure_ascii=False, sort_keys=True)
    set_welsh(line, welsh)
    audit.record(
        session,
        "pb.simulator_line_changed",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor.id,
        line=ref,
        min_percent=min_percent,
        max_percent=max_percent,
        step_percent=step_percent,
        consequences=sorted(kept),
        consequences_cy=sorted(kept_cy),
        service_cy=line.service_cy,
        title_cy=line.title_cy,
    )
    session.commit()
    return line


def _kept_consequences(steps, texts: Mapping[int, str], name: str, too_long: str) -> dict[str, str]:
    """{"-10": text} for the steps on offer with a text, trimmed; one too long is refused at its box."""
    kept = {}
    for percent in steps:
        text = (texts.get(percent) or "").strip()
        if len(text) > MAX_CONSEQUENCE:
            raise Invalid(too_long, field=f"{name}-{percent}")
        if text:
            kept[str(percent)] = text
    return kept


def remove_line(session: Session, council: Council, ballot_id: int, ref: str, actor: User) -> None:
    ballot, line = get_line(session, council, ballot_id, ref)
    _ballot(session, council, ballot_id, editable=True)
    session.delete(line)
    audit.record(
        session, "pb.simulator_line_removed", "pb_ballot", ballot.id, council_id=council.id, actor_id=actor.id, line=ref
    )
    session.commit()


def save_setup(
    session: Session,
    council: Council,
    ballot_id: int,
    actor: User,
    *,
    savings_pence: int,
    tax_enabled: bool,
    band_d_pence: int,
    tax_base: int,
    tax_min_percent: int,
    tax_max_percent: int,
) -> SimulatorSetup:
    """Save the savings residents must find and the council-tax lever."""
    ballot = _ballot(session, council, ballot_id, editable=True)
    if savings_pence is None or savings_pence < 0:
        raise Invalid(_("Enter the savings to find as £0 or more"), field="savings")
    if tax_enabled:
        if not band_d_pence or band_d_pence <= 0:
            raise Invalid(_("Enter this year's Band D council tax"), field="band_d")
        if not tax_base or tax_base <= 0:
            raise Invalid(_("Enter the tax base in Band D equivalent homes"), field="tax_base")
        if tax_min_percent is None or not -10 <= tax_min_percent <= 0:
            raise Invalid(_("Enter a largest council-tax cut from -10 to 0 per cent"), field="tax_min_percent")
        if tax_max_percent is None or not 0 <= tax_max_percent <= 10:
            raise Invalid(_("Enter a largest council-tax rise from 0 to 10 per cent"), field="tax_max_percent")
        if tax_min_percent == tax_max_percent == 0:
            raise Invalid(
                _("Let residents move council tax: set a largest cut or a largest rise"), field="tax_max_percent"
            )
    setup = session.exec(select(SimulatorSetup).where(SimulatorSetup.ballot_id == ballot.id)).first()
    if setup is None:
        setup = SimulatorSetup(ballot_id=ballot.id)
        session.add(setup)
    setup.savings_pence = savings_pence
    setup.tax_enabled = bool(tax_enabled)
    setup.band_d_pence = band_d_pence or 0 if tax_enabled else 0
    setup.tax_base = tax_base or 0 if tax_enabled else 0
    setup.tax_min_percent = tax_min_percent or 0 if tax_enabled else 0
    setup.tax_max_percent = tax_max_percent or 0 if tax_enabled else 0
    audit.record(
        session,
        "pb.simulator_setup_saved",
        "pb_ballot",
        ballot.id,
        council_id=council.id,
        actor_id=actor.id,
        savings_pence=savings_pence,
        tax_enabled=setup.tax_enabled,
        band_d_pence=setup.band_d_pence,
        tax_base=setup.tax_base,
        tax_min_percent=setup.tax_min_percent,
        tax_max_percent=setup.tax_max_percent,
    )
    session.commit()
    return setup


# --- the counting machinery's hooks ---------------------------------------------------------------


def freeze_options(session: Session, ballot: Ballot) -> list[BallotOption]:
    """Copy the simulator's lines, with their Welsh, to the ballot's options when voting opens; the total
    is fixed then."""
    lines = lines_of(session, ballot)
    if not lines:
        raise Conflict(_("Put at least one budget line on the simulator before opening voting."))
    setup = setup_of(session, ballot)
    ballot.budget_pence = sum(line.current_pence for line in lines) - setup.savings_pence
    return [
        BallotOption(
            ballot_id=ballot.id,
            ref=line.ref,
            budget_line_ref=str(line.budget_line_id or ""),
            title=line.title,
            description=line.service,
            cost_pence=line.current_pence,
            title_cy=line.title_cy,
            description_cy=line.service_cy,
            min_pence=line.current_pence + core.change_pence(line.current_pence, line.min_percent),
            max_pence=line.current_pence + core.change_pence(line.current_pence, line.max_percent),
            position=n,
        )
        for n, line in enumerate(lines)
    ]


def welsh_service(ra_line: str) -> str:
    """The Welsh name of a Revenue Account service (the catalogue has each), or "" when it has none."""
    from flask_babel import force_locale

    if not ra_line:
        return ""
    with force_locale("cy"):
        welsh = _(ra_line)
    return "" if welsh == ra_line else welsh


def _tax(setup: SimulatorSetup) -> core.TaxLever | None:
    if not setup.tax_enabled:
        return None
    return core.TaxLever(
        setup.band_d_pence, setup.tax_base, core.steps_between(setup.tax_min_percent, setup.tax_max_percent, 1)
    )


def spec_of(session: Session | None, ballot: Any, options: list[BallotOption]) -> core.SimulatorSpec:
    """The engine's spec for a simulator ballot: its frozen options with the officer's steps and lever."""
    session = session or object_session(ballot)
    full = ballot if isinstance(ballot, Ballot) else session.get(Ballot, ballot.id)
    lines = {line.ref: line for line in lines_of(session, full)}
    spec_lines = {}
    for option in options:
        line = lines.get(option.ref)
        steps = core.steps_between(line.min_percent, line.max_percent, line.step_percent) if line else (0,)
        spec_lines[option.ref] = core.SimLine(option.ref, option.title, option.cost_pence, steps)
    try:
        return core.SimulatorSpec(spec_lines, full.budget_pence, _tax(setup_of(session, full)))
    except core.BallotError as exc:
        from pbapp.messages import say

        raise Conflict(say(exc.message)) from None
    except CoreError as exc:
        raise Conflict(str(exc)) from None


def parse(refs: list[str] | tuple[str, ...], form) -> dict[str, int]:
    """Read the step radios (`step-<ref>`, `step-tax`); a line left unset is kept as it is."""
    chosen = {}
    for ref in [*refs, core.TAX]:
        value = (form.get(f"step-{ref}") or "").strip()
        if not value:
            continue
        try:
            percent = int(value)
        except ValueError:
            raise Invalid(_("Choose one of the steps shown"), field=f"step-{ref}-1") from None  # its first radio
        if percent or ref == core.TAX:
            chosen[ref] = percent
    return chosen


def meter(ballot: Ballot, options: list[BallotOption], choices: dict) -> dict:
    """The running balance (the `_meter.html` fragment draws it for simulator ballots)."""
    from pbapp.messages import say

    spec = spec_of(None, ballot, options)
    balance = spec.balance(choices or {})
    problem = ""
    try:
        spec.validate(choices or {})
    except core.BallotError as exc:
        problem = say(exc.message)
    return {
        "unit": "simulator",
        "used": balance.spending_pence,
        "limit": balance.funding_pence,
        "left": -balance.gap_pence,
        "over": not balance.balanced,
        "problem": problem,
        "count": len(choices or {}),
        "balance": balance,
        "tax": spec.tax,
        "tax_percent": (choices or {}).get(core.TAX, 0),
    }


# --- the resident's board -------------------------------------------------------------------------


@dataclass
class Step:
    percent: int
    change_pence: int
    amount_pence: int
    consequence: str
    checked: bool
    consequence_cy: str = ""  # pages show the texts through the `local` filter, which reads these


@dataclass
class BoardLine:
    ref: str
    title: str
    current_pence: int
    steps: list[Step]
    chosen: int
    title_cy: str = ""


@dataclass
class BoardService:
    name: str
    name_cy: str = ""
    lines: list[BoardLine] = field(default_factory=list)


@dataclass
class TaxStep:
    percent: int
    revenue_pence: int
    household_pence: int
    band_d_pence: int
    checked: bool


@dataclass
class Board:
    services: list[BoardService]
    tax: list[TaxStep]
    band_d_pence: int
    meter: dict
    savings_pence: int


def board(ballot: Ballot, options: list[BallotOption], chosen: dict | None) -> Board:
    """The ballot page's lines grouped by service, each step with its change and consequence, and the lever."""
    session = object_session(ballot)
    chosen = chosen if isinstance(chosen, dict) else {}
    lines = {line.ref: line for line in lines_of(session, ballot)}
    setup = setup_of(session, ballot)
    services: dict[str, BoardService] = {}
    for option in sorted(options, key=lambda o: (o.position, o.id or 0)):
        line = lines.get(option.ref)
        if line is None:
            continue
        picked = int(chosen.get(option.ref, 0) or 0)
        steps = [
            Step(
                p,
                core.change_pence(option.cost_pence, p),
                option.cost_pence + core.change_pence(option.cost_pence, p),
                line.consequence_of(p),
                p == picked,
                line.consequence_cy_of(p),
            )
            for p in core.steps_between(line.min_percent, line.max_percent, line.step_percent)
        ]
        services.setdefault(line.service, BoardService(line.service, option.description_cy)).lines.append(
            BoardLine(option.ref, option.title, option.cost_pence, steps, picked, option.title_cy)
        )
    lever = _tax(setup)
    tax_steps = []
    if lever is not None:
        picked = int(chosen.get(core.TAX, 0) or 0)
        tax_steps = [
            TaxStep(
                p,
                lever.revenue_pence(p),
                lever.household_pence(p),
                setup.band_d_pence + lever.household_pence(p),
                p == picked,
            )
            for p in lever.steps
        ]
    return Board(
        list(services.values()), tax_steps, setup.band_d_pence, meter(ballot, options, chosen), setup.savings_pence
    )


# --- results --------------------------------------------------------------------------------------


@dataclass
class ResultLine:
    ref: str
    title: str
    service: str
    current_pence: int
    summary: dict
    bars: list[dict]  # per step: percent, count, share (0-100)
    title_cy: str = ""
    service_cy: str = ""


def _bars(summary: dict, steps: list[int]) -> list[dict]:
    counts = summary["distribution"]
    total = sum(counts.values()) or 1
    every = sorted(set(steps) | {int(p) for p in counts})
    return [
        {"percent": p, "count": counts.get(str(p), 0), "share": round(100 * counts.get(str(p), 0) / total, 1)}
        for p in every
    ]


def result_lines(session: Session, ballot: Ballot, computed: dict) -> tuple[list[ResultLine], dict | None]:
    """Each line's summary with a bar per step (steps nobody chose show as 0), and the lever's."""
    options = session.exec(
        select(BallotOption).where(BallotOption.ballot_id == ballot.id).order_by(BallotOption.position, BallotOption.id)
    ).all()
    lines = {line.ref: line for line in lines_of(session, ballot)}
    rows = []
    for option in options:
        summary = computed.get("lines", {}).get(option.ref)
        if summary is None:
            continue
        line = lines.get(option.ref)
        steps = list(core.steps_between(line.min_percent, line.max_percent, line.step_percent)) if line else []
        rows.append(
            ResultLine(
                option.ref,
                option.title,
                option.description,
                option.cost_pence,
                summary,
                _bars(summary, steps),
                option.title_cy,
                option.description_cy,
            )
        )
    tax = computed.get("tax")
    if tax is not None:
        setup = setup_of(session, ballot)
        steps = list(range(setup.tax_min_percent, setup.tax_max_percent + 1)) if setup.tax_enabled else []
        tax = {**tax, "bars": _bars(tax, steps)}
    return rows, tax


def send_to_record(
    session: Session, council: Council, ballot: Ballot, process: Process, result: Result, url_of
) -> None:
    """Send the consultation result to the budget record: one item, each line's median change beside it."""
    from pbapp.ledger import services as ledger
    from pbapp.ledger.models import BudgetLine

    computed = json.loads(result.computed)
    options = session.exec(
        select(BallotOption).where(BallotOption.ballot_id == ballot.id).order_by(BallotOption.position)
    ).all()
    changes, said = [], []
    for option in options:
        summary = computed.get("lines", {}).get(option.ref)
        if summary is None:
            continue
        said.append(
            _(
                "%(line)s: median %(median)s%%, mean %(mean)s%%; %(cut)s%% cut it, %(kept)s%% kept it, "
                "%(raised)s%% raised it.",
                line=option.title,
                median=_number(summary["median_percent"]),
                mean=_number(summary["mean_percent"]),
                cut=_number(summary["cut_share"]),
                kept=_number(summary["kept_share"]),
                raised=_number(summary["raised_share"]),
            )
        )
        line_id = int(option.budget_line_ref) if option.budget_line_ref.isdigit() else None
        line = session.get(BudgetLine, line_id) if line_id else None
        if line is not None and line.council_id == council.id and summary["median_change_pence"]:
            changes.append((line.id, summary["median_change_pence"]))
    tax = computed.get("tax")
    if tax:
        said.append(
            _(
                "Council tax (Band D): median %(median)s%%, mean %(mean)s%%; %(cut)s%% cut it, %(kept)s%% "
                "kept it, %(raised)s%% raised it.",
                median=_number(tax["median_percent"]),
                mean=_number(tax["mean_percent"]),
                cut=_number(tax["cut_share"]),
                kept=_number(tax["kept_share"]),
                raised=_number(tax["raised_share"]),
            )
        )
    summary = (
        _(
            "%(n)d residents balanced the budget in the simulator “%(title)s” (%(process)s). The changes "
            "beside each line are the residents’ median choices.",
            n=result.voters,
            title=ballot.title,
            process=process.title,
        )
        + " "
        + " ".join(said)
    )
    ledger.receive_item(
        session,
        council_id=council.id,
        source=RECORD_SOURCE,
        source_ref=record_ref(ballot),
        title=_("Budget consultation: %(title)s", title=ballot.title),
        summary=summary,
        public_url=url_of(ballot),
        amount_pence=sum(p for _line, p in changes) or None,
        lines=changes or None,
    )


def _number(value: float) -> str:
    return f"{value:g}"


EXPORT_COLUMNS = (
    "line_ref",
    "budget_line_id",
    "service",
    "title",
    "current_pence",
    "step_percent",
    "voters_choosing",
    "share_percent",
    "mean_percent",
    "median_percent",
    "mean_change_pence",
    "median_change_pence",
    "cut_share",
    "kept_share",
    "raised_share",
    "schema_version",
)
SCHEMA_VERSION = 1


def export(session: Session, ballot: Ballot, fmt: str, base: dict) -> tuple[str, str]:
    """The simulator's results as open data: one CSV row per line and step, or JSON with everything."""
    result = session.exec(select(Result).where(Result.ballot_id == ballot.id)).one()
    computed = json.loads(result.computed)
    rows, tax = result_lines(session, ballot, computed)
    if fmt == "json":
        data = {
            **base,
            "simulator": {
                "savings_pence": setup_of(session, ballot).savings_pence,
                "available_pence": ballot.budget_pence,
                "lines": [
                    {
                        "ref": r.ref,
                        "title": r.title,
                        "service": r.service,
                        "current_pence": r.current_pence,
                        **r.summary,
                        "steps": r.bars,
                    }
                    for r in rows
                ],
                "council_tax": tax,
            },
        }
        return json.dumps(data, indent=2, ensure_ascii=False), "application/json"
    out = []
    options = {o.ref: o for o in session.exec(select(BallotOption).where(BallotOption.ballot_id == ballot.id)).all()}
    for r in rows:
        s = r.summary
        for bar in r.bars:
            out.append(
                (
                    r.ref,
                    options[r.ref].budget_line_ref,
                    r.service,
                    r.title,
                    r.current_pence,
                    bar["percent"],
                    bar["count"],
                    _number(bar["share"]),
                    _number(s["mean_percent"]),
                    _number(s["median_percent"]),
                    s["mean_change_pence"],
                    s["median_change_pence"],
                    _number(s["cut_share"]),
                    _number(s["kept_share"]),
                    _number(s["raised_share"]),
                    SCHEMA_VERSION,
                )
            )
    if tax:
        for bar in tax["bars"]:
            out.append(
                (
                    core.TAX,
                    "",
                    "",
                    "Council tax (Band D)",
                    setup_of(session, ballot).band_d_pence,
                    bar["percent"],
                    bar["count"],
                    _number(bar["share"]),
                    _number(tax["mean_percent"]),
                    _number(tax["median_percent"]),
                    "",
                    "",
                    _number(tax["cut_share"]),
                    _number(tax["kept_share"]),
                    _number(tax["raised_share"]),
                    SCHEMA_VERSION,
                )
            )
    return write_csv(
        EXPORT_COLUMNS,
        out,
        numeric=("current_pence", "step_percent", "voters_choosing", "mean_change_pence", "median_change_pence"),
    ), "text/csv; charset=utf-8"


def line_steps(line: SimulatorLine, form) -> list[tuple[int, int, str, str]]:
    """The steps the line-editing page shows: those typed in the form if they make sense, else the line's;
    each as (percent, change, what it would mean, the same in Welsh)."""
    try:
        steps = core.steps_between(form.min_percent.data, form.max_percent.data, form.step_percent.data)
    except (CoreError, TypeError):
        steps = ()
    if not steps or len(steps) > MAX_STEPS:
        steps = core.steps_between(line.min_percent, line.max_percent, line.step_percent)
    return [
        (p, core.change_pence(line.current_pence, p), line.consequence_of(p), line.consequence_cy_of(p)) for p in steps
    ]
