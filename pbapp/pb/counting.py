"""Turn a ballot's settings and submitted ballots into the counting engine's terms, and back.

Works on plain dicts only (the published ballot log has the same shape), so the web app and
`pbapp verify-log` count with exactly the same code. Money is integer pence here and pounds
(exact Fractions) inside the engine, so explanations read "£12,500".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from pbapp.core.ballots import RULES, tally
from pbapp.core.ballots.allocation import independent_markets, mean_allocation
from pbapp.core.ballots.election import Election, Profile
from pbapp.core.ballots.kinds import AllocationSpec, ApprovalSpec, CumulativeSpec, KnapsackSpec, RankedSpec
from pbapp.core import simulator
from pbapp.core.chain import GENESIS, verify_chain
from pbapp.core.errors import CoreError
from pbapp.core.messages import Message
from pbapp.core.money import to_pence, to_pounds

APPROVAL, KNAPSACK, CUMULATIVE, RANKED, ALLOCATION = "approval", "knapsack", "cumulative", "ranked", "allocation"
SIMULATOR = "simulator"
ALLOCATION_RULES = ("independent-markets", "mean")
SIMULATOR_RULES = ("summary",)
PROJECT_RULES = tuple(RULES)
# /1: every ballot sent, chained as cast (the hash is the receipt). /2: sealed at the count, one
# entry per voter in the order of their receipts, each receipt covered by the hash.
LOG_FORMAT_CHAINED = "pbapp-ballot-log/1"
LOG_FORMAT = "pbapp-ballot-log/2"
LOG_FORMATS = {1: LOG_FORMAT_CHAINED, 2: LOG_FORMAT}
_VOTE_TYPES = {APPROVAL: "approval", KNAPSACK: "approval", CUMULATIVE: "cumulative", RANKED: "ordinal"}


def spec_for(settings: Mapping[str, Any], options: list[Mapping[str, Any]]):
    """Return the engine's validation spec for a ballot's settings and options."""
    names = {o["ref"]: o["title"] for o in options}
    refs = frozenset(names)
    kind = settings["kind"]
    if kind == APPROVAL:
        return ApprovalSpec(refs, settings.get("min_choices") or 0, settings.get("max_choices"), names)
    if kind == KNAPSACK:
        costs = {o["ref"]: to_pounds(o["cost_pence"]) for o in options}
        return KnapsackSpec(
            costs,
            to_pounds(settings["budget_pence"]),
            Fraction(settings.get("min_spend_percent") or 0, 100),
            "£",
            names,
        )
    if kind == CUMULATIVE:
        return CumulativeSpec(refs, settings["total_points"], settings.get("max_per_project"), False, names)
    if kind == RANKED:
        return RankedSpec(
            refs, settings.get("max_choices") or len(refs), max(1, settings.get("min_choices") or 1), names
        )
    if kind == ALLOCATION:
        bounds = {o["ref"]: (to_pounds(o["min_pence"]), to_pounds(o["max_pence"])) for o in options}
        return AllocationSpec(bounds, to_pounds(settings["budget_pence"]), "£", names)
    raise CoreError(f"Unknown ballot kind {kind!r}.")


def engine_ballot(kind: str, choices: Any) -> Any:
    """Return stored choices as the engine expects them (allocation amounts in pounds)."""
    if kind == ALLOCATION:
        return {ref: to_pounds(pence) for ref, pence in choices.items()}
    return choices


def final_ballots(entries: Iterable[Mapping[str, Any]]) -> list[Any]:
    """Return the last ballot of each voter in log order (a changed vote replaces the earlier one)."""
    last: dict[str, Any] = {}
    for entry in sorted(entries, key=lambda e: e["seq"]):
        last.pop(entry["voter"], None)
        last[entry["voter"]] = entry["choices"]
    return list(last.values())


def election_of(settings: Mapping[str, Any], options: list[Mapping[str, Any]], currency: str = "£") -> Election:
    """Build the engine's Election of a project ballot's options; the ballots go to Profile.of_ballots.

    It holds no votes: a Vote for each of 100,000 voters cost more than the count itself.
    """
    costs = {o["ref"]: to_pounds(o["cost_pence"]) for o in options}
    vote_type = _VOTE_TYPES[settings["kind"]]
    meta = {"currency": currency, "description": settings.get("title", "")}
    if settings.get("min_project_score_threshold"):  # a ballot imported from a Pabulib file that sets one
        meta["min_project_score_threshold"] = str(settings["min_project_score_threshold"])
    election = Election.build(to_pounds(settings["budget_pence"]), costs, (), vote_type=vote_type, meta=meta)
    for project, option in zip(election.projects, options):
        project.fields["name"] = option["title"]  # type: ignore[index]
    election.project_columns = ("project_id", "cost", "name")
    return election


def count(settings: Mapping[str, Any], options: list[Mapping[str, Any]], ballots: list[Any]) -> dict:
    """Count final ballots by the ballot's rule; return a JSON-ready result with explanations."""
    if settings["kind"] == ALLOCATION:
        return _count_allocation(settings, options, ballots)
    if settings["kind"] == SIMULATOR:
        return simulator.summarise(options, ballots)
    election = election_of(settings, options)
    profile = Profile.of_ballots(election, ballots)
    outcome = tally(
        election,
        settings["rule"],
        utility=settings.get("utility") or "cost",
        seed=settings.get("seed") or 0,
        profile=profile,
    )
    result = outcome.to_dict()
    result["voters"] = len(ballots)
    result["support"] = {pid: float(s) for pid, s in zip(profile.ids, profile.support)}
    result["approvals"] = {pid: int(a) for pid, a in zip(profile.ids, profile.approvals)}
    result["spent_pence"] = to_pence(outcome.spent)
    result["budget_pence"] = int(settings["budget_pence"])
    result["partial"] = _partial_offer(settings, options, result) if settings.get("partial_funding") else None
    return result


def _partial_offer(settings, options, result) -> dict | None:
    """Offer what is left to the best-supported project not funded, as a visible partial option."""
    left = int(settings["budget_pence"]) - result["spent_pence"]
    unfunded = [o for o in options if o["ref"] not in result["selected"]]
    if left <= 0 or not unfunded:
        return None
    best = max(unfunded, key=lambda o: (result["support"].get(o["ref"], 0), -o["cost_pence"]))
    if result["support"].get(best["ref"], 0) <= 0:
        return None
    return {"ref": best["ref"], "amount_pence": min(left, best["cost_pence"]), "cost_pence": best["cost_pence"]}


def _count_allocation(settings, options, ballots) -> dict:
    if not ballots:
        raise CoreError("There are no ballots to count.")
    lines = [o["ref"] for o in options]
    amounts = [engine_ballot(ALLOCATION, b) for b in ballots]
    bounds = {o["ref"]: (to_pounds(o["min_pence"]), to_pounds(o["max_pence"])) for o in options}
    if settings["rule"] == "mean":
        allocation = mean_allocation(lines, amounts)
        reason = Message("allocation.mean", "The average of every voter's amount for this line.")
    else:
        allocation = independent_markets(lines, amounts, to_pounds(settings["budget_pence"]), bounds)
        reason = Message(
            "allocation.median",
            "The median of voters' amounts, adjusted so the lines add up to the "
            "total (Independent Markets: no one gains by exaggerating).",
        )
    pence = {ref: to_pence(value) for ref, value in allocation.items()}
    return {
        "rule": settings["rule"],
        "voters": len(ballots),
        "allocation": pence,
        "budget_pence": int(settings["budget_pence"]),
        "selected": [],
        "explanations": {
            ref: {"funded": pence[ref] > 0, "reason": str(reason), "reason_code": reason.code} for ref in lines
        },
    }


APART = ("verified", "unverified")


def count_apart(
    settings: Mapping[str, Any], options: list[Mapping[str, Any]], entries: list[Mapping[str, Any]]
) -> dict:
    """An open vote's ballots counted in two parts, by the entries' `verified` mark: never added together.

    Each part is {"voters", "selected", "support", "allocation"} (None if it has no ballot).
    """
    parts = {}
    for part in APART:
        ballots = final_ballots(e for e in entries if bool(e.get("verified")) == (part == "verified"))
        if not ballots:
            parts[part] = None
            continue
        counted = count(settings, options, ballots)
        parts[part] = {
            "voters": len(ballots),
            "selected": counted.get("selected", []),
            "support": counted.get("support", {}),
            "allocation": counted.get("allocation", {}),
        }
    return parts


def same_outcome(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two counts fund the same projects (or give the same allocation)."""
    return (
        a.get("selected") == b.get("selected")
        and a.get("allocation") == b.get("allocation")
        and a.get("lines") == b.get("lines")
        and a.get("tax") == b.get("tax")
    )


_ENTRY_TYPES = {"seq": int, "voter": str, "channel": str, "hash": str, "previous_hash": str, "choices": object}


def _is_entry(entry: Any, types: Mapping[str, Any] = _ENTRY_TYPES) -> bool:
    return (
        isinstance(entry, Mapping)
        and all(isinstance(entry.get(k, None), t) for k, t in types.items())
        and not isinstance(entry["seq"], bool)
    )


def _sealed_order_problems(entries: list[Mapping[str, Any]]) -> list[str]:
    """A sealed log has one entry per voter, in the order of the receipts and numbered from 1."""
    problems = []
    if [e["seq"] for e in entries] != list(range(1, len(entries) + 1)):
        problems.append("The entries are not numbered 1, 2, 3… in order.")
    receipts = [e["receipt"] for e in entries]
    if any(a >= b for a, b in zip(receipts, receipts[1:])):
        problems.append("The entries are not in the order of their receipts (a sealed log keeps no other order).")
    if len({e["voter"] for e in entries}) != len(entries):
        problems.append("A voter has more than one entry (a sealed log holds each voter's counted ballot only).")
    return problems


def verify_log(document: Mapping[str, Any], *, head: str | None = None, count_: int | None = None) -> list[str]:
    """Re-check a published ballot log: its chain, its end against the head and entry count published
    with the results (if given), then a fresh count against the published result.

    A chain only proves that its entries follow one another: a log cut short, or with ghost
    ballots appended and the chain recomputed, verifies on its own. Only the head and count
    published elsewhere (results page, audit chain) show that the log is the whole one.
    """
    problems: list[str] = []
    if not isinstance(document, Mapping) or document.get("format") not in LOG_FORMATS.values():
        found = document.get("format") if isinstance(document, Mapping) else type(document).__name__
        return [f"This is not a pbapp ballot log (format {found!r})."]
    sealed = document["format"] == LOG_FORMAT
    types = {**_ENTRY_TYPES, "receipt": str} if sealed else _ENTRY_TYPES
    covered = ("seq", "voter", "channel", "choices", "receipt") if sealed else ("seq", "voter", "channel", "choices")
    entries = document.get("entries", [])
    if not isinstance(entries, list) or not all(_is_entry(e, types) for e in entries):
        return ["The log's entries are not a list of entries with " + ", ".join(sorted(types)) + "."]
    # An open vote's sealed entries also say whether a verified resident cast the ballot.
    optional = ("verified",) if sealed else ()
    broken = verify_chain(
        (e["previous_hash"], e["hash"], {k: e[k] for k in covered + optional if k in covered or k in e})
        for e in entries
    )
    if broken:
        problems.append(f"The chain breaks at entry {broken.index + 1}: {broken.reason}.")
    if sealed:
        problems.extend(_sealed_order_problems(entries))
    if entries and document.get("head") != entries[-1]["hash"]:
        problems.append("The published head is not the hash of the last entry.")
    if count_ is not None and len(entries) != count_:
        problems.append(
            f"The log has {len(entries):,} entries but {count_:,} were published with the results: "
            + ("entries are missing." if len(entries) < count_ else "entries were added.")
        )
    last_hash = entries[-1]["hash"] if entries else GENESIS
    if head is not None and last_hash != head.strip().lower():
        problems.append(
            f"The log ends at {last_hash[:16]}…, not at the head published with the results "
            f"({head.strip().lower()[:16]}…): it is not the published log."
        )
    published = document.get("result")
    if not isinstance(published, Mapping):
        problems.append("The log has no published result to compare with.")
        return problems
    try:
        recount = count(document["ballot"], document["options"], final_ballots(entries))
    except CoreError as exc:
        return problems + [f"The ballots could not be counted: {exc}"]
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        # The log comes from outside: settings or options of the wrong shape are a finding, not a crash.
        malformed = f"the ballot's settings or options are malformed ({type(exc).__name__}: {exc})"
        return problems + [f"The ballots could not be counted: {malformed}."]
    if not same_outcome(recount, published):
        problems.append("Counting the log gives a different result from the published one.")
    if isinstance(published.get("apart"), Mapping):
        try:
            apart = count_apart(document["ballot"], document["options"], entries)
        except CoreError as exc:
            return problems + [f"The verified and unverified ballots could not be counted apart: {exc}"]
        for part in APART:
            mine, theirs = apart[part], published["apart"].get(part)
            if (mine is None) != (theirs is None) or (
                mine
                and not (
                    isinstance(theirs, Mapping)
                    and same_outcome(mine, theirs)
                    and mine["voters"] == theirs.get("voters")
                )
            ):
                problems.append(f"Counting the {part} ballots apart gives a different result from the published one.")
    return problems
