"""Record pabutools' outcome and time for each counting rule on each shared Pabulib file.

Run from the repository root (takes hours on two cores; each rule is cut off after --timeout
seconds of CPU time, so a run under `nice` on a busy machine is not cut short by the load):

    .venv/bin/python bench/make_pabutools_fixtures.py [--files NAME ...] [--rules RULE ...]

`--mark-missing REASON` records every rule a file has no entry for as skipped for REASON
(for a run stopped before the end).

`--endpoint` is for the Add1 runs pabutools cannot finish (it recounts Equal Shares from
scratch once per unit of budget per voter: Toulouse 2022 needs 1,600 recounts). For each
`equalshares/add1` rule it asks our engine at which budget per voter Add1 stopped, then has
pabutools count Equal Shares there and one unit above: the first count must be our outcome
and fit the budget, the second must overspend. That checks the outcome and the stopping point
against pabutools; that no earlier recount overspent is checked by our engine alone. Entries
say `"check": "endpoint"`; a full run recorded before is never replaced.

It writes tests/fixtures/pabutools/<file stem>.json: for every rule the selected project ids
(sorted), pabutools' CPU seconds (`seconds`) and wall seconds (`wall_seconds`; entries written
before the CPU limit have wall seconds only, as `seconds`), or "skipped" with the reason. The tests compare our engine with
these files, so pabutools (pinned 1.2.3, dev only) never runs at test time.

How each rule is asked of pabutools (its faithful form, as the issue says):
- greedy: greedy_utilitarian_welfare with satisfaction score x cost (so density is support);
- greedy-no-skip: pabutools' greedy order (same rule with an unlimited budget), cut at the
  first project that does not fit;
- greedy-threshold: greedy on the projects whose support reaches META min_project_score_threshold;
- equalshares: method_of_equal_shares; equalshares/greedy: completion_by_rule_combination with greedy;
- equalshares/add1: exhaustion_by_budget_increase(budget_step=number of voters, exhaustive_stop=False);
- equalshares/add1-comparison: popularity_comparison (cardinality satisfaction) of the Add1 and
  greedy outcomes, Add1 kept when the vote is tied;
- phragmen: sequential_phragmen on the ballots read as approvals.
Ordinal ballots become cumulative ballots with the file's positional scores (`points` column, or
ballot length minus position); ties use our order (cost, support, seeded lot, seed 0).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pabutools.election import (  # noqa: E402
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    parse_pabulib,
)
from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction  # noqa: E402
from pabutools.fractions import frac  # noqa: E402
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    popularity_comparison,
    sequential_phragmen,
)
from pabutools.tiebreaking import TieBreakingRule  # noqa: E402

from pbapp.core.ballots.ties import lot_ranks  # noqa: E402

DATA = ROOT / ".." / "shared" / "data" / "pabulib"
OUT = ROOT / "tests" / "fixtures" / "pabutools"
RULES = [
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "phragmen",
    "equalshares:cost",
    "equalshares:cardinality",
    "equalshares/greedy:cost",
    "equalshares/greedy:cardinality",
    "equalshares/add1:cost",
    "equalshares/add1:cardinality",
    "equalshares/add1-comparison:cost",
    "equalshares/add1-comparison:cardinality",
]


def _score(ballot, project):
    if isinstance(ballot, CumulativeBallot):
        return ballot.get(project, 0)
    return 1 if project in ballot else 0


class ScoreCostSat(AdditiveSatisfaction):
    """Satisfaction score x cost: approval gives cost utilities, points give points x cost."""

    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot, lambda i, pr, b, p, pre: _score(b, p) * p.cost)


class ScoreSat(AdditiveSatisfaction):
    """Satisfaction score: approval gives cardinality utilities, points give points."""

    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot, lambda i, pr, b, p, pre: _score(b, p))


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


def _cpu_alarm(seconds: float) -> None:
    """Raise Timeout after `seconds` of this process's CPU time (0 cancels), not of wall time."""
    signal.setitimer(signal.ITIMER_PROF, seconds)


def load(path: Path):
    """Parse with pabutools; turn ordinal profiles into cumulative ones with positional scores."""
    instance, profile = parse_pabulib(str(path))
    vote_type = instance.meta["vote_type"]
    if vote_type == "ordinal":
        ballots = []
        for b in profile:
            points = b.meta.get("points")
            ranked = list(b)
            scores = [frac(x) for x in points.split(",")] if points else [len(ranked) - i for i in range(len(ranked))]
            cb = CumulativeBallot({p: frac(s) for p, s in zip(ranked, scores)})
            ballots.append(cb)
        profile = CumulativeProfile(ballots, instance=instance)
    support = {p.name: 0 for p in instance}
    for b in profile:
        for p in b:
            support[p.name] += _score(b, p)
    return instance, profile, support


def as_approval(instance, profile):
    if isinstance(profile, ApprovalProfile):
        return profile
    return ApprovalProfile([ApprovalBallot(p for p in b if _score(b, p) > 0) for b in profile], instance=instance)


def _ties(instance, support) -> TieBreakingRule:
    lot = lot_ranks([p.name for p in instance], 0)
    return TieBreakingRule(lambda inst, prof, p: (p.cost, -support[p.name], lot[p.name]))


def _mes_params(instance, support, utility: str) -> dict:
    return {
        "sat_class": ScoreCostSat if utility in ("", "cost") else ScoreSat,
        "tie_breaking": _ties(instance, support),
    }


def run_rule(name: str, instance, profile, support, cache):
    rule, _, utility = name.partition(":")
    tb = _ties(instance, support)
    mes = _mes_params(instance, support, utility)
    if rule == "greedy":
        return greedy_utilitarian_welfare(instance, profile, sat_class=ScoreCostSat, tie_breaking=tb)
    if rule == "greedy-no-skip":
        unlimited = Instance(instance, budget_limit=sum(p.cost for p in instance) + 1, meta=instance.meta)
        order = greedy_utilitarian_welfare(unlimited, profile, sat_class=ScoreCostSat, tie_breaking=tb)
        chosen, spent = [], 0
        for p in order:
            if spent + p.cost > instance.budget_limit:
                break
            chosen.append(p)
            spent += p.cost
        return chosen
    if rule == "greedy-threshold":
        threshold = frac(instance.meta.get("min_project_score_threshold", "0"))
        eligible = Instance((p for p in instance if support[p.name] >= threshold), budget_limit=instance.budget_limit)
        return greedy_utilitarian_welfare(eligible, profile, sat_class=ScoreCostSat, tie_breaking=tb)
    if rule == "phragmen":
        return sequential_phragmen(instance, as_approval(instance, profile), tie_breaking=tb)
    if rule == "equalshares":
        return method_of_equal_shares(instance, profile, **mes)
    if rule == "equalshares/greedy":
        return completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [mes, {"sat_class": ScoreCostSat, "tie_breaking": tb}],
        )
    if rule == "equalshares/add1":
        return exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            dict(mes),
            budget_step=profile.num_ballots(),
            exhaustive_stop=False,
        )
    if rule == "equalshares/add1-comparison":
        # Counted once per file: both utilities' comparisons use the same greedy outcome.
        add1, greedy = (
            cache.get(rule) or cache.setdefault(rule, run_rule(rule, instance, profile, support, cache))
            for rule in ("equalshares/add1:" + utility, "greedy")
        )
        best = popularity_comparison(instance, profile, Cardinality_Sat, [lambda *a, **k: add1, lambda *a, **k: greedy])
        return best[0]
    raise ValueError(name)


def endpoint_rule(name: str, instance, profile, support, cache, ours) -> dict:
    """Check Add1's outcome and stopping point with two pabutools counts (see --endpoint)."""
    rule, _, utility = name.partition(":")
    if rule == "equalshares/add1-comparison":  # run_rule compares the end-point outcome cached below
        return {
            "selected": sorted(p.name for p in run_rule(name, instance, profile, support, cache)),
            "check": "endpoint",
        }
    mes = _mes_params(instance, support, utility)
    n = profile.num_ballots()
    step = round(float(ours.details["budget_per_voter"]) - float(frac(instance.budget_limit, n)))
    counts = []
    for k in (step, step + 1):
        raised = Instance(instance, budget_limit=instance.budget_limit + k * n, meta=instance.meta)
        counts.append(method_of_equal_shares(raised, profile, **mes))
    at, above = counts
    cache[name] = at
    every_supported = all(p in at for p in instance if support[p.name] > 0)
    return {
        "selected": sorted(p.name for p in at),
        "check": "endpoint",
        "budget_per_voter_added": step,
        "fits": bool(instance.is_feasible(at)),
        "next_overspends": bool(not instance.is_feasible(above)) or every_supported,
    }


def full_run_estimate(entry: dict) -> str:
    """Why a full Add1 run was not made: it counts Equal Shares once per unit added, plus once to overspend."""
    counts = entry["budget_per_voter_added"] + 2
    per_count = entry["seconds"] / 2
    return (
        f"not run: pabutools would count Equal Shares {counts:,} times, about {counts * per_count:,.0f} s "
        f"of CPU at {per_count:.1f} s a count (the end-point counts' time)"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="*", help="file names (default: every .pb, smallest first)")
    parser.add_argument("--rules", nargs="*", default=RULES)
    parser.add_argument("--timeout", type=int, default=660)
    parser.add_argument("--mark-missing", metavar="REASON", help="only record rules not yet run as skipped for REASON")
    parser.add_argument(
        "--endpoint", action="store_true", help="check Add1 rules with no full run by its end point only (see above)"
    )
    args = parser.parse_args(argv)
    files = sorted(DATA.glob("*.pb"), key=lambda p: p.stat().st_size)
    if args.files:
        files = [f for f in files if f.name in args.files or f.stem in args.files]
    OUT.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGPROF, _alarm)
    for path in files:
        out = OUT / (path.stem + ".json")
        record = json.loads(out.read_text()) if out.exists() else {"file": path.name, "rules": {}}
        if args.mark_missing:
            for name in args.rules:
                record["rules"].setdefault(name, {"skipped": args.mark_missing})
            out.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
            continue
        t0 = time.perf_counter()
        instance, profile, support = load(path)
        record["parse_seconds"] = round(time.perf_counter() - t0, 3)
        record["voters"] = profile.num_ballots()
        cache: dict = {}
        if args.endpoint:
            from pbapp.core.ballots import pabulib as our_pabulib
            from pbapp.core.ballots import tally

            election = our_pabulib.read(path)
        for name in args.rules:
            if args.endpoint:
                old = record["rules"].get(name, {})
                rule, _, utility = name.partition(":")
                if "add1" not in name or "selected" in old and old.get("check") != "endpoint":
                    continue
                if rule == "equalshares/add1-comparison" and "equalshares/add1:" + utility not in cache:
                    continue
                t0, c0 = time.perf_counter(), time.process_time()
                ours = tally(election, rule, utility=utility) if rule == "equalshares/add1" else None
                entry = endpoint_rule(name, instance, profile, support, cache, ours)
                entry.update(
                    seconds=round(time.process_time() - c0, 3),
                    wall_seconds=round(time.perf_counter() - t0, 3),
                    full_run=old.get("full_run", old.get("skipped", "not run")),
                )
                if rule == "equalshares/add1" and entry["full_run"].startswith("not run"):
                    entry["full_run"] = full_run_estimate(entry)
                elif rule == "equalshares/add1-comparison":
                    entry["full_run"] = record["rules"]["equalshares/add1:" + utility]["full_run"]
                record["rules"][name] = entry
                out.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
                print(path.name, name, {k: v for k, v in entry.items() if k != "selected"}, flush=True)
                continue
            if name.startswith("equalshares/add1-comparison"):
                add1 = record["rules"].get("equalshares/add1:" + name.partition(":")[2], {})
                if "skipped" in add1:
                    record["rules"][name] = {"skipped": add1["skipped"]}
                    continue
                if add1.get("check") == "endpoint" and "equalshares/add1:" + name.partition(":")[2] not in cache:
                    # No full Add1 run to compare: the end-point comparison stays, with the Add1 run's fate.
                    if record["rules"].get(name, {}).get("check") == "endpoint":
                        record["rules"][name]["full_run"] = add1["full_run"]
                    continue
            _cpu_alarm(args.timeout)
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                result = run_rule(name, instance, profile, support, cache)
                seconds, wall = time.process_time() - c0, time.perf_counter() - t0
                if name.startswith("equalshares/add1-comparison"):
                    utility = name.partition(":")[2]
                    seconds += record["rules"].get("equalshares/add1:" + utility, {}).get("seconds", 0)
                    seconds += record["rules"].get("greedy", {}).get("seconds", 0)
                cache[name] = result
                entry = {
                    "selected": sorted(p.name for p in result),
                    "seconds": round(seconds, 3),
                    "wall_seconds": round(wall, 3),
                }
            except Timeout:
                entry = {"skipped": f"pabutools did not finish within {args.timeout} s of CPU time"}
                if record["rules"].get(name, {}).get("check") == "endpoint":  # keep the end-point check
                    entry = dict(record["rules"][name], full_run=entry["skipped"])
            except ValueError as exc:
                entry = {"skipped": f"pabutools refused: {exc}"}
            finally:
                _cpu_alarm(0)
            record["rules"][name] = entry
            out.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
            print(path.name, name, entry.get("seconds", entry.get("skipped")), flush=True)


if __name__ == "__main__":
    main()
