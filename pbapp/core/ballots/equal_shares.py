"""The Method of Equal Shares, with its completions (Add1, greedy) and Wieliczka's comparison.

Reference: Peters, Pierczyński, Skowron, "Proportional Participatory Budgeting with Additive
Utilities", NeurIPS 2021; equalshares.net (Add1 completion, comparison step); pabutools 1.2.3
`method_of_equal_shares` and `exhaustion_by_budget_increase(budget_step=n, exhaustive_stop=False)`.

Every voter (empty ballots included) gets budget/n. A project costing c is affordable when its
supporters have c left between them; it then costs each supporter min(budget left, r x score)
for the smallest r that raises c, and the project with the smallest r (per unit of utility) is
funded. Utility is score x cost ("cost") or score ("cardinality"); score is 1 for an approval,
the points, or the positional score. Supported projects that cost nothing are funded first.
Ties in r (within a relative 1e-11, our float tolerance) go to `ties.tie_order`.

Speed: voters with the same ballot are interchangeable, so budgets are kept per distinct ballot;
r is recomputed lazily (it never falls as budgets fall); its poor/rich iteration looks only at
the supporters still rich, starts from the project's last price in the count, and stops at a
lower bound once that shows the project cannot be chosen; and projects whose supporters cannot
afford them even before anyone pays are left out of the run. Add1 builds the per-project view
once for all its recounts and skips the recounts that provably repeat the last outcome.
Invariants: no voter pays more than their share; the outcome never exceeds the budget for the
plain rule; Add1 keeps the last outcome whose exact cost fits. Deterministic given the seed.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pbapp.core.ballots.election import Money, Profile
from pbapp.core.ballots.greedy import greedy
from pbapp.core.ballots.outcome import Explanation, Outcome, money_json, money_text
from pbapp.core.messages import Message
from pbapp.core.ballots.ties import TieReport, decided_by, tie_order

TOL = 1e-11
# The ufunc itself, without ndarray.sum's Python wrapper: prices are summed over many small arrays.
_sum = np.add.reduce
UTILITIES = ("cost", "cardinality")
# Add1 tries leaping over counts once this many counts in a row have repeated the outcome;
# each leap of two units that fails doubles the wait (up to CALM_MOST), each leap taken halves it.
CALM = 3
CALM_MOST = 48


@dataclass
class Payment:
    """How the supporters of one funded project paid for it."""

    supporters: float
    capped: float
    paid_by_capped: float
    per_unit: float


@dataclass
class Run:
    """One pass of Equal Shares at a given budget per voter."""

    per_voter: Money
    selected: list[int]
    payments: dict[int, Payment]
    remaining: np.ndarray
    ties: list[TieReport] = field(default_factory=list)
    stable_for: float = 0.0
    # Per funded step: the chosen project's price per unit of utility, and a lower bound on
    # every other project's (see `same_between`); `capped` when `cap` turned a project away.
    trace: list[tuple[float, float]] = field(default_factory=list)
    capped: bool = False

    def cost(self, profile: Profile) -> Money:
        """Return the exact cost of the selected projects."""
        return sum((profile.costs[j] for j in self.selected), 0)


class EqualShares:
    """Equal Shares on one profile; build once, run at several budgets per voter."""

    def __init__(self, profile: Profile, utility: str = "cost", seed: int = 0, tie_break: str = "cost"):
        """Prepare the per-project view of the ballots and the tie order."""
        if utility not in UTILITIES:
            raise ValueError(f"utility must be one of {UTILITIES}")
        self.profile = profile
        self.utility = utility
        self.seed = seed
        self.tie_break = tie_break
        ptr, rows, scores = profile.by_project()
        self.ptr = ptr
        self.rows = rows
        self.unit = bool((scores == 1).all())
        # The score every ballot gives, when they all give the same (None otherwise).
        self.level = float(scores[0]) if len(scores) and scores.min() == scores.max() else None
        self.w = profile.weights[rows].astype(np.float64)
        self.project_of = np.repeat(np.arange(len(profile.ids)), np.diff(ptr))
        self.cost = np.array([float(c) for c in profile.costs])
        self.units = np.bincount(self.project_of, weights=self.w * scores, minlength=len(profile.ids))
        self.wsum = np.bincount(self.project_of, weights=self.w, minlength=len(profile.ids))
        self.smax = np.zeros(len(profile.ids))
        held = np.flatnonzero(np.diff(ptr))
        if len(held):
            self.smax[held] = np.maximum.reduceat(scores, ptr[held])
        self.factor = self.cost if utility == "cost" else np.ones(len(profile.ids))
        self.s = scores
        # Each project's supporters, weights and scores as arrays of their own: pricing takes them
        # thousands of times a count, and a slice of the shared arrays costs as much as the work.
        bounds = list(zip(ptr[:-1].tolist(), ptr[1:].tolist()))
        self.rows_of = [rows[lo:hi] for lo, hi in bounds]
        self.w_of = [self.w[lo:hi] for lo, hi in bounds]
        self.s_of = [scores[lo:hi] for lo, hi in bounds]
        self.ws = self.w * scores
        with np.errstate(divide="ignore", invalid="ignore"):
            self.r0 = (self.cost / self.units).tolist()
            self.rho0_array = self.cost / self.units / self.factor
        self.rho0 = self.rho0_array.tolist()
        self.eps = float(profile.budget) / max(profile.n_voters, 1) * 1e-12
        order = tie_order(profile.ids, profile.costs, profile.support, seed, tie_break)
        self.rank = np.empty(len(order), dtype=np.int64)
        self.rank[order] = np.arange(len(order))
        # The same as Python lists: the step loop reads them one project at a time, where a
        # numpy scalar costs several times a float.
        self.rank_of = self.rank.tolist()
        self.factor_of = self.factor.tolist()
        self.free = sorted(
            (j for j in range(len(profile.ids)) if profile.costs[j] == 0 and profile.support[j] > 0),
            key=lambda j: self.rank[j],
        )
        self.candidates = [j for j in range(len(profile.ids)) if profile.costs[j] > 0 and profile.support[j] > 0]
        self.cand_array = np.array(self.candidates, dtype=np.int64)

    def run(
        self,
        per_voter: Money,
        stop_above: Money | None = None,
        cap: Money | None = None,
        record: bool = True,
        versus: Run | None = None,
    ) -> Run:
        """Run Equal Shares with this budget per voter; stop early once the cost passes `stop_above`.

        A project that would take the exact cost past `cap` is treated as unaffordable: with
        exact arithmetic that never happens at budget/n per voter, so it only catches float
        rounding at the edge of affordability and keeps the outcome within the budget. Without
        `record`, who paid what is not summarised (recounts only need the outcome).

        Also finds `stable_for`: by how much every voter's budget can grow with every choice of
        this run provably unchanged. Prices only fall as budgets grow, so the chosen project's
        price is an upper bound; for the others we keep a lower bound that is affine in the
        growth (what the poor would pay with the extra money, the rich paying as now), and a
        project left unaffordable stays so until its supporters' money plus the growth reaches
        its cost. Add1 uses this to skip recounts that would give the same outcome.

        With `versus` (a count at a lower budget), every project whose lower bound is not clearly
        above the price `versus` paid at the same step is priced exactly, so `same_between` can
        compare against prices rather than stale bounds; the choices are unchanged by it.
        """
        b0 = float(per_voter)
        bud = np.full(len(self.profile.weights), b0)
        selected = list(self.free)
        spent = sum((self.profile.costs[j] for j in selected), 0)
        payments: dict[int, Payment] = {}
        ties: list[TieReport] = []
        # Projects whose supporters hold clearly less than their cost before anyone pays can
        # never be afforded in this run: leave them out, noting how much growth would change that.
        cand = self.cand_array
        need = self.cost[cand] * (1 - TOL)
        money = self.wsum[cand] * b0
        short = money < need * (1 - 1e-9)
        stable = float(((need - money)[short] / self.wsum[cand][short]).min()) if short.any() else np.inf
        heap = [(self.rho0[j], self.rank_of[j], j) for j in cand[~short].tolist()]
        heapq.heapify(heap)
        # The heap's keys and the projects in it, as arrays, to measure stability without a loop.
        live = np.zeros(len(self.cost), dtype=bool)
        live[cand[~short]] = True
        keys = self.rho0_array.copy()
        slope = np.zeros(len(self.cost))
        fall_r: dict[int, float] = {}
        # Each project's last price in this count: a floor for its next pricing.
        floor = list(self.r0)
        # Every budget at this step is at most its value now plus growth x spread: cheaper
        # earlier projects may leave a voter more than the growth itself.
        spread = 1.0
        trace: list[tuple[float, float]] = []
        capped = False
        factor, rank = self.factor_of, self.rank_of
        while heap:
            fresh: dict[int, float] = {}
            best = np.inf
            while heap and heap[0][0] <= best * (1 + TOL):
                _, _, j = heapq.heappop(heap)
                live[j] = False
                # Once stability is under one unit its value no longer matters, and a project
                # whose price clearly exceeds the best so far needs no exact price: a bound will do.
                enough = best * (1 + TOL) * factor[j] * (1 + 1e-12) if stable < 1 else np.inf
                r, x = self._price(j, bud, floor[j], enough)
                if r is None:
                    stable = min(stable, x / spread)
                elif x is None:
                    floor[j] = r
                    keys[j] = key = r / factor[j]
                    live[j] = True
                    slope[j] = -np.inf
                    heapq.heappush(heap, (key, rank[j], j))
                else:
                    fresh[j] = floor[j] = r
                    fall_r[j] = x * spread
                    slope[j] = fall_r[j] / factor[j]
                    best = min(best, r / factor[j])
            if not fresh:
                break
            tied = sorted((j for j, r in fresh.items() if r / factor[j] <= best * (1 + TOL)), key=rank.__getitem__)
            chosen = tied[0]
            if versus is not None and len(trace) < len(versus.trace):
                bound = versus.trace[len(trace)][0] * (1 + TOL)
                while heap and heap[0][0] <= bound:
                    _, _, j = heapq.heappop(heap)
                    live[j] = False
                    r, x = self._price(j, bud, floor[j])
                    if r is None:
                        stable = min(stable, x / spread)
                    else:
                        fresh[j] = floor[j] = r
                        fall_r[j] = x * spread
                        slope[j] = fall_r[j] / factor[j]
            second = min((r / factor[j] for j, r in fresh.items() if j != chosen), default=np.inf)
            if heap:
                second = min(second, heap[0][0])
            for j, r in fresh.items():
                if j != chosen:
                    keys[j] = key = r / factor[j]
                    live[j] = True
                    heapq.heappush(heap, (key, rank[j], j))
            # Once under one unit, stability no longer saves a recount: stop measuring it.
            if heap and stable >= 1:
                rho = keys[live]
                fall = slope[live]
                margin = rho - best * (1 + TOL)
                falling = fall < 0
                if falling.any():
                    stable = min(stable, float((np.maximum(margin[falling], 0.0) / -fall[falling]).min()))
            if cap is not None and spent + self.profile.costs[chosen] > cap:
                stable = 0.0
                capped = True
                continue
            if len(tied) > 1:
                ties.append(
                    TieReport(
                        step=f"round {len(selected) + 1}",
                        tied=tuple(self.profile.ids[j] for j in tied),
                        chosen=self.profile.ids[chosen],
                        decided_by=decided_by(tied, self.profile.costs, self.profile.support, self.tie_break),
                    )
                )
            paid = self._pay(chosen, fresh[chosen], bud, record)
            if paid is not None:
                payments[chosen] = paid
            spread -= fall_r[chosen] * self.smax[chosen]
            trace.append((fresh[chosen] / factor[chosen], second))
            selected.append(chosen)
            spent += self.profile.costs[chosen]
            if stop_above is not None and spent > stop_above:
                break
        return Run(per_voter, selected, payments, bud, ties, stable, trace, capped)

    def _price(
        self, j: int, bud: np.ndarray, floor: float | None = None, enough: float = np.inf
    ) -> tuple[float | None, float | None]:
        """Return (r, slope): the smallest r with sum of min(budget, r x score) >= cost.

        The poor/rich iteration of pabutools' `affordability_poor_rich`: supporters who cannot
        pay r x score pay all they have, the rest share what is missing; r only grows, so each
        pass looks only at the supporters still rich, and what the poor pay is the money of all
        supporters less that of the rich. `floor`, a price this project had earlier in the same
        count (prices only rise as budgets fall), starts the iteration nearer its end; it reaches
        the same rich supporters and so the same r, summed the same way. `slope` is how fast the
        lower bound on r falls as every budget grows. An unaffordable project gives (None, growth needed).

        Each pass's r is a lower bound on the price whatever the rich set it was taken over (a
        Newton step on a concave function), so once it passes `enough` the project cannot be
        chosen: the iteration stops there and gives (that bound, None).
        """
        b = bud.take(self.rows_of[j])
        w = self.w_of[j]
        c = self.cost[j]
        total = _sum(w * b)
        if total < c * (1 - TOL):
            return None, (c * (1 - TOL) - total) / self.wsum[j]
        # Start just under the floor: a price computed again can round an ulp lower, and starting
        # above it would count a supporter with exactly that budget as poor.
        r = self.r0[j] if floor is None else max(self.r0[j], floor * (1 - 1e-12))
        if self.unit:
            # Scores are all 1: the budget is what each can pay, and score-weights are weights.
            rich = (b >= r).nonzero()[0]
            if len(rich) == len(b):
                # Everyone pays r0 x score in full: the price cannot fall as budgets grow.
                return self.r0[j], 0.0
            while True:
                b, w = b.take(rich), w.take(rich)
                if not len(b):
                    # Everyone left pays all they have: the project is exactly affordable, and
                    # any growth could change that, so no lower bound is claimed.
                    return float(r), -np.inf
                w_rich = _sum(w)
                r = max(r, (c - total + _sum(w * b)) / w_rich)
                if r > enough:
                    return float(r), None
                rich = (b >= r).nonzero()[0]
                if len(rich) == len(b):
                    return float(r), -(self.wsum[j] - w_rich) / w_rich
        s = self.s_of[j]
        t = b / s
        rich = (t >= r).nonzero()[0]
        if len(rich) == len(t):
            return self.r0[j], 0.0
        ws = w * s
        while True:
            t, b, w, ws = t.take(rich), b.take(rich), w.take(rich), ws.take(rich)
            if not len(t):
                return float(r), -np.inf
            ws_rich = _sum(ws)
            r = max(r, (c - total + _sum(w * b)) / ws_rich)
            if r > enough:
                return float(r), None
            rich = (t >= r).nonzero()[0]
            if len(rich) == len(t):
                return float(r), -(self.wsum[j] - _sum(w)) / ws_rich

    def _pay(self, j: int, r: float, bud: np.ndarray, record: bool = True) -> Payment | None:
        """Charge each supporter of project j min(budget left, r x score); summarise who paid if `record`."""
        sl = slice(self.ptr[j], self.ptr[j + 1])
        g = self.rows[sl]
        b = bud.take(g)
        due = r if self.unit else r * self.s[sl]
        left = b - due
        bud.put(g, np.where(left > self.eps, left, 0.0))
        if not record:
            return None
        capped = (b <= due * (1 + TOL)) & (b > 0)
        w = self.w[sl]
        return Payment(float(w.sum()), float(w[capped].sum()), float((w[capped] * b[capped]).sum()), r)

    def left_for(self, run: Run) -> np.ndarray:
        """Return, per project, the budget its supporters had left at the end of a run."""
        return np.bincount(self.project_of, weights=self.w * run.remaining[self.rows], minlength=len(self.profile.ids))

    def explain(self, run: Run, currency: str = "") -> dict[str, Explanation]:
        """Say who paid for each funded project, and why each other project was not affordable."""
        p = self.profile
        left = self.left_for(run)
        out: dict[str, Explanation] = {}
        for j, pid in enumerate(p.ids):
            cost = p.costs[j]
            facts = {"cost": money_json(cost), "supporters": int(p.approvals[j])}
            if j in run.payments:
                pay = run.payments[j]
                share = pay.per_unit if self.level is not None else None
                full = pay.supporters - pay.capped
                params = {"supporters": f"{int(pay.supporters):,}", "cost": money_text(cost, currency)}
                text = f"Funded: its {params['supporters']} supporters paid {params['cost']} between them"
                if share is not None:
                    code = "es.funded.share"
                    params.update(full=f"{int(full):,}", share=money_text(share * self.level, currency))
                    text += f"; {params['full']} paid {params['share']} each"
                else:
                    code = "es.funded.per_point"
                    params.update(per_point=money_text(pay.per_unit, currency))
                    text += f", {params['per_point']} per point each"
                if pay.capped:
                    code += ".capped"
                    params.update(capped=f"{int(pay.capped):,}", capped_total=money_text(pay.paid_by_capped, currency))
                    text += f", {params['capped']} paid all they had left ({params['capped_total']} in total)"
                out[pid] = Explanation(
                    True,
                    Message(code, text + ".", **params),
                    {
                        **facts,
                        "payers": int(pay.supporters),
                        "paid_in_full_share": int(full),
                        "paid_all_left": int(pay.capped),
                        "share_per_unit": money_json(pay.per_unit),
                    },
                )
            elif j in run.selected:
                out[pid] = Explanation(True, Message("es.free", "Funded: it costs nothing and has supporters."), facts)
            elif p.support[j] <= 0:
                out[pid] = Explanation(False, Message("no_support", "Not funded: no one supported it."), facts)
            else:
                out[pid] = Explanation(
                    False,
                    Message(
                        "es.unaffordable",
                        f"Not funded: its {int(p.approvals[j]):,} supporters had {money_text(left[j], currency)} "
                        f"left between them, less than its cost of {money_text(cost, currency)}.",
                        supporters=f"{int(p.approvals[j]):,}",
                        left=money_text(left[j], currency),
                        cost=money_text(cost, currency),
                    ),
                    {**facts, "supporters_money_left": money_json(left[j])},
                )
        return out


def equal_shares(
    profile: Profile, *, utility: str = "cost", seed: int = 0, currency: str = "", tie_break: str = "cost"
) -> Outcome:
    """Run plain Equal Shares (no completion) with budget/n per voter."""
    mes = EqualShares(profile, utility, seed, tie_break)
    run = mes.run(_share(profile), cap=profile.budget)
    return _outcome(mes, run, "equalshares", currency)


def equal_shares_greedy(
    profile: Profile, *, utility: str = "cost", seed: int = 0, currency: str = "", tie_break: str = "cost"
) -> Outcome:
    """Run Equal Shares, then spend what is left greedily by support (skipping what does not fit)."""
    mes = EqualShares(profile, utility, seed, tie_break)
    run = mes.run(_share(profile), cap=profile.budget)
    first = _outcome(mes, run, "equalshares/greedy", currency)
    rest = greedy(
        profile, seed=seed, currency=currency, already=run.selected, rule="equalshares/greedy", tie_break=tie_break
    )
    for pid, e in rest.explanations.items():
        if e.funded:
            text = "Funded in the greedy completion after Equal Shares: " + e.reason[len("Funded: ") :]
            e = Explanation(True, Message("es.greedy_completion", text, **e.reason.params), e.facts)
        first.explanations[pid] = e if e.funded else first.explanations[pid]
    first.selected = rest.selected
    first.spent = rest.spent
    first.ties += rest.ties
    return first


def equal_shares_add1(
    profile: Profile,
    *,
    utility: str = "cost",
    seed: int = 0,
    currency: str = "",
    skip: bool = True,
    tie_break: str = "cost",
    leap: bool = True,
) -> Outcome:
    """Run Equal Shares with Add1: raise every voter's budget by 1 until the outcome would overspend.

    equalshares.net and Pabulib's checker: start at budget/n per voter and recount with one
    more unit each time; keep the last outcome whose exact cost fits the real budget. We also
    stop once every supported project is funded, as more money cannot change that outcome.
    With `skip`, counts that provably repeat the last outcome (`Run.stable_for`) are not made;
    the outcome is the same as counting every step. The time is one count per step that is
    made: a share large next to one unit needs many (Toulouse 2022: 1,619 steps from 1,765
    to 3,382 euros per voter), and skipping helps small elections most (Assen: 92 of 845).
    With `leap` (and `skip`), once the outcome has held for a few counts in a row, Add1 counts
    2, 4, 8... units further on and keeps the leap when `same_between` proves every count in
    between repeats the outcome; a leap that fails is halved, from where it started or from each
    half taken, so the unit where the outcome changes is found by binary search (Budapest 2024:
    4,514 counts instead of 23,177). `leap=False` is the engine as it was before, kept for the
    benchmark.
    """
    mes = EqualShares(profile, utility, seed, tie_break)
    per_voter = _share(profile)
    run = mes.run(per_voter, cap=profile.budget, record=False)
    last = per_voter
    rounds = 1
    stride, calm, patience, halving = 2, 0, CALM, False
    while len(run.selected) < len(mes.candidates) + len(mes.free) and run.stable_for < np.inf:
        # Counts with less than `stable_for` more per voter give this outcome again: skip them.
        step = max(1, math.ceil(run.stable_for - 1e-6)) if skip else 1
        if leap and skip and step < stride and (calm >= patience or halving):
            # The outcome has held for a while (or a failed leap is being halved): try a leap. If
            # the count there provably repeats it at every budget in between (`same_between`), take
            # it and try twice as far next, or, while halving, half as far.
            far = mes.run(run.per_voter + stride, stop_above=profile.budget, record=False, versus=run)
            rounds += 1
            if same_between(run, far):
                run = far
                last = run.per_voter
                stride = stride // 2 if halving else stride * 2
                patience = max(CALM, patience // 2)
                continue
            if stride > 2:
                # The outcome changes within the leap, or the proof falls short over its length:
                # halve it, from here or from each leap taken, until the count one unit on is next.
                stride, halving = stride // 2, True
                continue
            if not halving:  # a leap of two failed at once: wait longer before the next
                stride, calm, patience = 2, 0, min(2 * patience, CALM_MOST)
        ended_halving, halving = halving, False
        nxt = mes.run(run.per_voter + step, stop_above=profile.budget, record=False)
        rounds += 1
        if nxt.cost(profile) > profile.budget:
            last = run.per_voter + step - 1
            break
        if nxt.selected != run.selected:
            stride, calm = 2, 0
        elif ended_halving:  # only the proof fell short: leap again at once
            stride, calm = 2, max(calm, patience)
        else:
            calm += 1
        run = nxt
        last = run.per_voter
    # Count once more, recording who paid what, at the budget per voter of the last count
    # that fitted (a skipped step gives the same outcome as the count before it).
    run = mes.run(last, cap=profile.budget)
    out = _outcome(mes, run, "equalshares/add1", currency)
    out.details.update({"budget_per_voter": money_json(run.per_voter), "recounts": rounds})
    return out


def equal_shares_comparison(
    profile: Profile, *, utility: str = "cost", seed: int = 0, currency: str = "", tie_break: str = "cost"
) -> Outcome:
    """Run Add1, then let voters choose between it and greedy by votes (Wieliczka 2023).

    Each voter prefers the outcome that funds more of the projects on their ballot; the one
    more voters prefer wins, Equal Shares when the vote is tied.
    """
    add1 = equal_shares_add1(profile, utility=utility, seed=seed, currency=currency, tie_break=tie_break)
    plain = greedy(profile, seed=seed, currency=currency, tie_break=tie_break)
    index = {pid: j for j, pid in enumerate(profile.ids)}
    in_a = np.zeros(len(profile.ids))
    in_a[[index[p] for p in add1.selected]] = 1
    in_g = np.zeros(len(profile.ids))
    in_g[[index[p] for p in plain.selected]] = 1
    rows = profile.rows
    n = len(profile.weights)
    diff = np.bincount(rows, weights=in_a[profile.indices], minlength=n) - np.bincount(
        rows, weights=in_g[profile.indices], minlength=n
    )
    prefer_a = int(profile.weights[diff > 0].sum())
    prefer_g = int(profile.weights[diff < 0].sum())
    winner = plain if prefer_g > prefer_a else add1
    winner.rule = "equalshares/add1-comparison"
    winner.details.update(
        {
            "prefer_equal_shares": prefer_a,
            "prefer_greedy": prefer_g,
            "indifferent": profile.n_voters - prefer_a - prefer_g,
            "winner": "greedy" if winner is plain else "equalshares/add1",
        }
    )
    return winner


def same_between(low: Run, high: Run) -> bool:
    """Whether every count between two budgets per voter provably funds what both counts fund.

    Along one sequence of choices, more money per voter leaves every balance no lower at each
    step (a voter keeps max(0, balance - price x score)) and so every price no higher. So if the
    counts at both ends choose the same projects in the same order, and at each step the chosen
    project's price at the low end (the highest it can be in between) is clearly below the lower
    bound on every other project's price at the high end (the lowest they can be), every count in
    between makes the same choices; a project unaffordable at the high end is so in between.
    """
    if low.capped or high.capped or low.selected != high.selected or len(low.trace) != len(high.trace):
        return False
    return all(best * (1 + TOL) < second for (best, _), (_, second) in zip(low.trace, high.trace))


def _share(profile: Profile) -> Money:
    if profile.n_voters == 0:
        return Fraction(0)
    return Fraction(profile.budget) / profile.n_voters


def _outcome(mes: EqualShares, run: Run, rule: str, currency: str) -> Outcome:
    p = mes.profile
    return Outcome(
        rule=rule,
        budget=p.budget,
        selected=[p.ids[j] for j in run.selected],
        spent=run.cost(p),
        explanations=mes.explain(run, currency),
        ties=list(run.ties),
    )
