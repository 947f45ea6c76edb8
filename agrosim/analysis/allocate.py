"""Where should the money go: split a budget across investable levers to maximise the targets met.

An investment turns money into more of a yearly driver: `amount = money / cost` added to a
time-varying parameter (HSF mu built, pig places coming online …), optionally capped per year
and delayed by `lag_years`. Candidate splits are evaluated on a grid over the simplex of shares
(default step 5 %, then 1 % around the best), all candidates × runs in one vectorised batch with
common random numbers, so two splits are compared on the same draws.

A lever with a feasible bound from the model (`levers.feasible_range`: HSF within the land under
grain, herd growth within biology) is never pushed beyond it: the yearly driver is clipped there,
so money beyond the bound buys nothing, and the allocation table says where that happens
(`at_bound`). The budget curve finds the budget from which the objective stops improving
(`saturation`): above it the split of the money no longer matters.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from agrosim.batch import Design
from agrosim.config.scenario import Scenario
from agrosim.engine import simulate
from agrosim.errors import ValueProblem
from agrosim.param_arrays import time_row
from agrosim.registry import param_spec
from agrosim.config.investments import Investment
from agrosim.targets import met_runs

OBJECTIVES = ("expected-targets-met", "joint-probability", "min-probability")
MAX_RUNS_PER_CALL = 200_000


@dataclass(frozen=True)
class BudgetProblem:
    """Budget (yuan per simulated year), levers and constraints on their shares."""

    investments: list[Investment]
    budget_by_year: dict[int, float]
    min_group_share: dict[str, float]
    max_share: dict[str, float]
    #: param -> feasible maximum of the yearly driver (internal units); missing = unbounded
    bounds: dict[str, float] = field(default_factory=dict)


def spend_arrays(scenario: Scenario, problem: BudgetProblem, shares: np.ndarray) -> dict[str, np.ndarray]:
    """Per-run parameter rows (candidates, years-1) for a matrix of shares (candidates, levers)."""
    years = scenario.years
    out: dict[str, np.ndarray] = {}
    for j, inv in enumerate(problem.investments):
        if inv.param not in out:
            spec = param_spec(inv.param)
            base = time_row(scenario, spec, inv.param, with_events=False)[1:]
            out[inv.param] = np.broadcast_to(base, (len(shares), len(years) - 1)).copy()
        for year, money in problem.budget_by_year.items():
            amount = shares[:, j] * money / inv.cost_yuan
            if inv.cap_per_yr is not None:
                amount = np.minimum(amount, inv.cap_per_yr)
            k = years.index(year) + inv.lag_years
            if k < len(years):
                out[inv.param][:, k - 1] += amount
    for param, bound in problem.bounds.items():
        if param in out:
            out[param] = np.minimum(out[param], bound)
    return out


def at_bound(scenario: Scenario, problem: BudgetProblem, shares: np.ndarray) -> np.ndarray:
    """(levers,) booleans: the split pushes the lever's driver past its feasible bound in some year
    (the excess money buys nothing)."""
    unclipped = replace(problem, bounds={})
    rows = spend_arrays(scenario, unclipped, shares[None, :])
    return np.array([bool(np.any(rows[inv.param] > problem.bounds[inv.param] * (1 + 1e-9)))
                     if inv.param in problem.bounds else False for inv in problem.investments])


def feasible(problem: BudgetProblem, shares: np.ndarray) -> np.ndarray:
    """Rows whose shares sum to at most 1 and respect group minimums and per-lever maximums."""
    ok = shares.sum(axis=1) <= 1 + 1e-9
    for group, floor in problem.min_group_share.items():
        cols = [j for j, inv in enumerate(problem.investments) if inv.group == group]
        ok &= shares[:, cols].sum(axis=1) >= floor - 1e-9
    for j, inv in enumerate(problem.investments):
        if inv.name in problem.max_share:
            ok &= shares[:, j] <= problem.max_share[inv.name] + 1e-9
    return ok


def simplex_grid(levers: int, step: float) -> np.ndarray:
    """Every split of the whole budget into multiples of `step`."""
    k = round(1 / step)
    rows = [c for c in itertools.product(range(k + 1), repeat=levers - 1) if sum(c) <= k]
    return np.array([list(c) + [k - sum(c)] for c in rows], dtype=float) / k


def score(scenario: Scenario, problem: BudgetProblem, shares: np.ndarray, targets: list[str], runs: int, seed: int,
          kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(objective per candidate, P(met) per candidate and target) on common random numbers:
    every candidate sees the same `runs` draws."""
    tgs = [t for t in scenario.targets if t.id in targets]
    p_met = np.empty((len(shares), len(tgs)))
    joint = np.empty(len(shares))
    per_call = max(1, MAX_RUNS_PER_CALL // runs)
    for a in range(0, len(shares), per_call):
        block = shares[a:a + per_call]
        design = Design(runs=len(block) * runs, seed=seed, reps=runs)
        per_run = design.per_run(scenario, 0, design.runs)
        for path, rows in spend_arrays(scenario, problem, block).items():
            per_run[path] = np.repeat(rows, runs, axis=0)
        res = simulate(scenario, design.runs, per_run)
        met = np.stack([met_runs(t, res).reshape(len(block), runs) for t in tgs], axis=-1)
        p_met[a:a + len(block)] = met.mean(axis=1)
        joint[a:a + len(block)] = met.all(axis=-1).mean(axis=1)
    if kind == "expected-targets-met":
        return p_met.sum(axis=1), p_met
    if kind == "min-probability":
        return p_met.min(axis=1), p_met
    return joint, p_met


@dataclass(frozen=True)
class Allocation:
    shares: np.ndarray
    objective: float
    p_met: np.ndarray


def optimise(scenario: Scenario, problem: BudgetProblem, targets: list[str], kind: str, runs: int, seed: int,
             step: float = 0.05) -> Allocation:
    """Best feasible split: a simplex grid, then a finer grid (step/5) within ±step of the best."""
    d = len(problem.investments)
    cands = simplex_grid(d, step)
    cands = cands[feasible(problem, cands)]
    if len(cands) == 0:
        raise ValueProblem("no split satisfies the share constraints", "constraints some split meets")
    obj, p = score(scenario, problem, cands, targets, runs, seed, kind)
    best = int(np.argmax(obj))
    if d <= 4:
        fine = simplex_grid(d, step / 5)
        near = fine[np.all(np.abs(fine - cands[best]) <= step + 1e-9, axis=1) & feasible(problem, fine)]
        obj2, p2 = score(scenario, problem, near, targets, runs, seed, kind)
        if obj2.max() > obj[best] + 1e-12:
            j = int(np.argmax(obj2))
            return Allocation(near[j], float(obj2[j]), p2[j])
    return Allocation(cands[best], float(obj[best]), p[best])


def marginal_values(scenario, problem, alloc: Allocation, targets, kind, runs, seed, delta_yuan: float) -> pd.DataFrame:
    """Change of the objective per 万元 when `delta_yuan` more (spread over the budget years) goes to
    one lever, the rest of the allocation unchanged (finite difference on common random numbers)."""
    total = sum(problem.budget_by_year.values())
    rows = []
    for j, inv in enumerate(problem.investments):
        bigger = replace(problem, budget_by_year={y: m * (total + delta_yuan) / total
                                                  for y, m in problem.budget_by_year.items()})
        shares = alloc.shares * total / (total + delta_yuan)
        shares[j] += delta_yuan / (total + delta_yuan)
        obj, _ = score(scenario, bigger, shares[None, :], targets, runs, seed, kind)
        rows.append({"lever": inv.name, "objective_gain": float(obj[0] - alloc.objective),
                     "per_10k_yuan": float(obj[0] - alloc.objective) / (delta_yuan / 1e4)})
    return pd.DataFrame(rows)


def scaled(problem: BudgetProblem, budget_factor: float = 1.0, cost_factor: float = 1.0) -> BudgetProblem:
    """The same problem with the budget and/or every investment's cost scaled."""
    return replace(problem, budget_by_year={y: m * budget_factor for y, m in problem.budget_by_year.items()},
                   investments=[replace(i, cost_yuan=i.cost_yuan * cost_factor) for i in problem.investments])


SATURATION_TOLERANCE = 0.01  # objective units: one percentage point of P(met) for one target


def budget_curve(scenario, problem, targets, kind, runs, seed, factors=(0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0),
                 step: float = 0.1, tolerance: float = SATURATION_TOLERANCE, precision: float = 0.05,
                 max_halvings: int = 20) -> pd.DataFrame:
    """Best objective as the budget scales (factor 0: no money). `saturated` marks budgets within
    `tolerance` of the best value seen. The smallest budget that reaches the best is narrowed by
    bisection between the last budget short of it and the first that reaches it, until the two are
    within `precision` (relative) of each other, so the table shows where saturation starts."""
    def best(f: float) -> float:
        return optimise(scenario, scaled(problem, budget_factor=f), targets, kind, runs, seed, step).objective

    total = sum(problem.budget_by_year.values())
    objective = {f: best(f) for f in (0.0, *factors)}
    top = max(objective.values())
    reached = [f for f, v in objective.items() if v >= top - tolerance]
    first = min(reached)
    if first > 0:
        short = max(f for f in objective if f < first)
        for _ in range(max_halvings):
            if first - short <= precision * first:
                break
            mid = (short + first) / 2
            objective[mid] = best(mid)
            short, first = (short, mid) if objective[mid] >= top - tolerance else (mid, first)
    table = pd.DataFrame([{"budget_factor": f, "budget_yuan": f * total, "objective": v}
                          for f, v in sorted(objective.items())])
    table["saturated"] = table.objective >= top - tolerance
    return table


def saturation(curve: pd.DataFrame, budget_yuan: float) -> dict:
    """Where the budget curve stops improving: the smallest budget within tolerance of the best
    (`from_yuan`; the largest budget below it that falls short: `above_yuan`), whether the given
    budget lies above it, and the objective with no money at all."""
    hit = curve[curve.saturated]
    start = float(hit.budget_yuan.min())
    short = curve[~curve.saturated & (curve.budget_yuan < start)]
    none = curve[curve.budget_factor == 0]
    return {"from_yuan": start, "above_yuan": float(short.budget_yuan.max()) if len(short) else 0.0,
            "saturated": bool(start < budget_yuan * (1 - 1e-9)),
            "objective": float(curve.objective.max()),
            "objective_no_money": float(none.objective.iloc[0]) if len(none) else float("nan"),
            "money_matters": bool(curve.objective.max() - curve.objective.min() > 1e-12)}


def recommend(scenario: Scenario, problem: BudgetProblem, targets: list[str], kind: str, runs: int, seed: int,
              step: float = 0.05, plan_shares: dict[str, float] | None = None) -> dict[str, pd.DataFrame]:
    """Everything `agrosim allocate` reports, as tables."""
    names = [i.name for i in problem.investments]
    best = optimise(scenario, problem, targets, kind, runs, seed, step)
    total = sum(problem.budget_by_year.values())
    compare = {"recommended": best.shares, "even split": np.full(len(names), 1 / len(names))}
    if plan_shares:
        compare["plan"] = np.array([plan_shares.get(n, 0.0) for n in names])
    probs = {}
    for label, shares in compare.items():
        obj, p = score(scenario, problem, shares[None, :], targets, runs, seed, kind)
        probs[label] = (obj[0], p[0])
    tg_ids = [t.id for t in scenario.targets if t.id in targets]
    prob_table = pd.DataFrame({"target": tg_ids + ["objective"],
                               **{label: list(p) + [o] for label, (o, p) in probs.items()}})
    invs = problem.investments
    alloc_table = pd.DataFrame({
        "lever": names, "share": best.shares, "money_10k_yuan": best.shares * total / 1e4,
        "param": [i.param for i in invs], "cost_yuan_per_unit": [i.cost_yuan for i in invs],
        "group": [i.group for i in invs], "source": [i.source for i in invs],
        **{f"{label.replace(' split', '')}_share": shares for label, shares in compare.items()
           if label != "recommended"},
        "cap_per_yr": [i.cap_per_yr for i in invs], "lag_years": [i.lag_years for i in invs],
        "assumption": [i.assumption for i in invs], "note": [i.note for i in invs]})
    alloc_table["at_bound"] = at_bound(scenario, problem, best.shares)
    alloc_table["feasible_max_per_yr"] = [problem.bounds.get(i.param, np.nan) for i in invs]
    cost_rows = []
    for factor in (0.75, 1.0, 1.25):
        alt = optimise(scenario, scaled(problem, cost_factor=factor), targets, kind, runs, seed, step)
        cost_rows.append({"cost_factor": factor, "objective": alt.objective,
                          **{f"share:{n}": s for n, s in zip(names, alt.shares)}})
    curve = budget_curve(scenario, problem, targets, kind, runs, seed)
    sat = saturation(curve, total)
    tables = {
        "allocation": alloc_table,
        "probabilities": prob_table,
        "marginal": marginal_values(scenario, problem, best, targets, kind, runs, seed, delta_yuan=0.01 * total),
        "budget_curve": curve,
        "cost_sensitivity": pd.DataFrame(cost_rows),
    }
    if sat["saturated"] and sat["money_matters"]:
        at = optimise(scenario, scaled(problem, budget_factor=sat["from_yuan"] / total), targets, kind, runs, seed,
                      step)
        sat.update({f"share_at_saturation:{n}": float(v) for n, v in zip(names, at.shares)})
    tables["saturation"] = pd.DataFrame([sat])
    return tables
