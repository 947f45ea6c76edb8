"""Sensitivity of an outcome (an indicator in a year, or a target's met/not) to the uncertain inputs:
tornado (one-at-a-time swings between the 5th and 95th percentiles), Morris elementary effects
(SALib) and Sobol first/total indices (scipy.stats.sobol_indices). The model is called once per
design on all sample points at once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from agrosim.compose import recentre
from agrosim.config.assumptions import require_ranges
from agrosim.config.distributions import Distribution
from agrosim.config.scenario import Scenario
from agrosim.engine import simulate
from agrosim.targets import met_runs

Outcome = Callable[[dict[str, np.ndarray]], np.ndarray]


def outcome(scenario: Scenario, target: str | None = None, indicator: str | None = None,
            year: int | None = None) -> tuple[Outcome, str]:
    """f(per_run inputs) → (n,) outcome: 1/0 for a target's met, or an indicator's value in a year."""
    require_ranges(scenario)
    if target is not None:
        tg = next(t for t in scenario.targets if t.id == target)
        return (lambda per_run: met_runs(tg, simulate(scenario, len(next(iter(per_run.values()))), per_run))
                .astype(float)), f"met:{target}"
    year = year or scenario.end_year

    def value(per_run):
        res = simulate(scenario, len(next(iter(per_run.values()))), per_run)
        return res.series(indicator)[:, res.year_index(year)]
    return value, f"{indicator}|{year}"


def _per_run(scenario: Scenario, values: list[np.ndarray]) -> dict[str, np.ndarray]:
    """One (n,) array of values per uncertain input → per-run arrays; a per-year input gets the same
    value each year, placed around the scenario's own path of it (agrosim/compose.py)."""
    years = len(scenario.years)
    return {d.param: recentre(scenario, d, np.repeat(v[:, None], years - 1, axis=1)) if d.per_year else v
            for d, v in zip(scenario.uncertainty, values)}


def _inputs(scenario: Scenario, u: np.ndarray) -> dict[str, np.ndarray]:
    """Map unit-cube samples (n, d) to per-run parameter values."""
    return _per_run(scenario, [d.ppf(u[:, j]) for j, d in enumerate(scenario.uncertainty)])


def one_at_a_time(scenario: Scenario) -> dict[str, np.ndarray]:
    """The tornado design as per-run inputs: run 0 every input at its median, runs 2j+1 and 2j+2
    input j alone at its 5th and 95th percentile."""
    d = len(scenario.uncertainty)
    u = np.full((2 * d + 1, d), 0.5)
    for j in range(d):
        u[1 + 2 * j, j], u[2 + 2 * j, j] = 0.05, 0.95
    return _inputs(scenario, u)


def tornado(scenario: Scenario, f: Outcome) -> pd.DataFrame:
    """Swing of the outcome when each input moves alone from its 5th to its 95th percentile."""
    dists = scenario.uncertainty
    y = f(one_at_a_time(scenario))
    rows = [{"param": dist.param, "low_input": float(dist.ppf(np.array(0.05))),
             "high_input": float(dist.ppf(np.array(0.95))), "base": y[0],
             "at_low": y[1 + 2 * j], "at_high": y[2 + 2 * j], "swing": abs(y[2 + 2 * j] - y[1 + 2 * j])}
            for j, dist in enumerate(dists)]
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)


def morris(scenario: Scenario, f: Outcome, trajectories: int = 50, levels: int = 4, seed: int = 0) -> pd.DataFrame:
    """Morris screening: mu* (mean absolute elementary effect) and sigma per input."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    dists = scenario.uncertainty
    problem = {"num_vars": len(dists), "names": [d.param for d in dists], "bounds": [[0.0, 1.0]] * len(dists)}
    u = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    u = np.clip(u, 0.005, 0.995)  # the unit cube's edges map to infinite tails for unbounded inputs
    y = f(_inputs(scenario, u))
    res = morris_analyze.analyze(problem, u, y, num_levels=levels, seed=seed)
    return pd.DataFrame({"param": problem["names"], "mu_star": res["mu_star"], "sigma": res["sigma"],
                         "mu_star_conf": res["mu_star_conf"]}).sort_values("mu_star", ascending=False,
                                                                             ignore_index=True)


@dataclass(frozen=True)
class _Dist:
    """Adapter: scipy.stats.sobol_indices wants objects with a ppf method."""

    dist: Distribution

    def ppf(self, u):
        return self.dist.ppf(np.clip(u, 1e-9, 1 - 1e-9))


def sobol_table(func: Callable[[np.ndarray], np.ndarray], dists: list, names: list[str], n: int,
                seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices of a vectorised func(x: (d, n)) -> (n,), n a power of 2."""
    from scipy.stats import sobol_indices  # here: every report ranks its drivers with this module

    res = sobol_indices(func=func, n=n, dists=dists, rng=np.random.default_rng(seed))
    return pd.DataFrame({"param": names, "first": np.ravel(res.first_order), "total": np.ravel(res.total_order)})


def sobol(scenario: Scenario, f: Outcome, n: int = 1024, seed: int = 0) -> pd.DataFrame:
    """Sobol indices of the outcome over the scenario's uncertain inputs."""
    dists = scenario.uncertainty

    def func(x):
        return f(_per_run(scenario, list(x)))
    table = sobol_table(func, [_Dist(d) for d in dists], [d.param for d in dists], n, seed)
    return table.sort_values("total", ascending=False, ignore_index=True)
