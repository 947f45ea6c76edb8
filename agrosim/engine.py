"""The yearly engine: every sector's pure step on arrays of n runs, balances checked each year."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from agrosim.config.scenario import Scenario
from agrosim.errors import ModelError
from agrosim.param_arrays import all_arrays
from agrosim.results import Results
from agrosim.sectors import BY_NAME
from agrosim.sectors.base import Sector

BALANCE_RTOL = 1e-9


def check_balances(sector: Sector, old: dict, new: dict, flows: dict, year: int) -> None:
    """Raise ModelError unless every stock closes its balance and no stock or flow is negative."""
    for bal in sector.balances:
        expected = old[bal.stock] + sum(flows[f] for f in bal.inflows) - sum(flows[f] for f in bal.outflows)
        scale = np.maximum(np.abs(old[bal.stock]), 1.0) + sum(np.abs(flows[f]) for f in bal.inflows + bal.outflows)
        err = np.abs(new[bal.stock] - expected) / scale
        if np.any(~(err <= BALANCE_RTOL)):
            run = int(np.nanargmax(np.where(np.isnan(err), np.inf, err)))
            raise ModelError(f"{sector.name}: balance of {bal.stock} does not close in {year} "
                             f"(run {run}, relative error {err.flat[run]:.3g})")
        for name in (bal.stock, *bal.inflows, *bal.outflows):
            arr = new[name] if name == bal.stock else flows[name]
            if np.any(arr < -BALANCE_RTOL * scale) or np.any(np.isnan(arr)):
                raise ModelError(f"{sector.name}: {name} is negative or NaN in {year}")


def simulate(scenario: Scenario, n: int = 1, per_run: Mapping[str, np.ndarray] | None = None,
             run_offset: int = 0, observed: Mapping[int, Mapping[str, float]] | None = None) -> Results:
    """Run every active sector from the base year to the end year for n runs at once.

    `per_run` maps `sector.param` to (n,) arrays (draws, sweep points); `run_offset` numbers the
    runs of this chunk within a larger batch. `observed` maps a year to {indicator: value in
    internal units}: after that year's step, sectors set their state to what was observed
    (re-forecasting); the base year can be observed too.
    """
    params = all_arrays(scenario, n, per_run)
    sectors = [BY_NAME[name] for name in scenario.sectors]
    years = scenario.years
    # year-major while recording (each year's write is contiguous), handed out as (n, years) views
    data = {ind.name: np.empty((len(years), n)) for s in sectors for ind in s.indicators}
    states, flows = {}, {}
    observed = observed or {}
    for s in sectors:
        states[s.name], flows[s.name] = s.init(params[s.name])
        states[s.name] = _assimilate(s, states[s.name], params[s.name], 0, observed.get(years[0]), n)
        _record(data, s.report(states[s.name], flows[s.name], params[s.name], 0), 0)
    for t in range(1, len(years)):
        for s in sectors:
            new, flows[s.name] = s.step(states[s.name], params[s.name], t)
            check_balances(s, states[s.name], new, flows[s.name], years[t])
            states[s.name] = _assimilate(s, new, params[s.name], t, observed.get(years[t]), n)
            _record(data, s.report(states[s.name], flows[s.name], params[s.name], t), t)
    indicators = {ind.name: ind for s in sectors for ind in s.indicators}
    return Results(scenario.name, scenario.region.id, years, indicators, {k: v.T for k, v in data.items()},
                   runs=np.arange(run_offset, run_offset + n))


def _assimilate(sector: Sector, state: dict, params: dict, t: int, obs: Mapping[str, float] | None, n: int) -> dict:
    mine = {k: np.full(n, float(v)) for k, v in (obs or {}).items() if k in sector.observable}
    return sector.assimilate(state, params, t, mine) if mine else state


def _record(data: dict, values: dict, t: int) -> None:
    for name, arr in values.items():
        data[name][t] = arr
