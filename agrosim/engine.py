"""The yearly engine: every sector's pure step on arrays of n runs, balances checked each year."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from agrosim.config.scenario import Scenario
from agrosim.errors import InputError, ModelError, Problem
from agrosim.links import LinkInputs, check_reads, land
from agrosim.param_arrays import all_arrays
from agrosim.results import Results
from agrosim.sectors import BY_NAME, SECTORS
from agrosim.sectors.base import IndicatorSpec, Sector

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
        floor = -BALANCE_RTOL * scale
        for name in (bal.stock, *bal.inflows, *bal.outflows):
            arr = new[name] if name == bal.stock else flows[name]
            if not np.all(arr >= floor):  # false for a NaN too
                raise ModelError(f"{sector.name}: {name} is negative or NaN in {year}")


def recorded_indicators(scenario: Scenario) -> dict[str, IndicatorSpec]:
    """Every indicator a run of the scenario records: its sectors', and the land check's when it runs."""
    active = [BY_NAME[name] for name in scenario.sectors]
    specs = {ind.name: ind for s in active for ind in s.indicators}
    if land.claimants(active):
        specs.update({ind.name: ind for ind in land.INDICATORS})
    return specs


def check_links(active: list[Sector]) -> None:
    """Refuse a link of the scenario that reads an indicator no registered sector reports, and a land
    claim that is not one of its sector's own indicators (ModelError: a wrong name, never zeros)."""
    known = {ind.name for s in SECTORS for ind in s.indicators} | {ind.name for ind in land.INDICATORS}
    for s in active:
        if s.couple is not None:
            check_reads(f"link '{s.name}'", s.reads, known)
        own = {ind.name for ind in s.indicators}
        if s.land_claim is not None:
            check_reads(f"the land claim of '{s.name}'", [s.land_claim], own, f"sector '{s.name}'")
        if s.name == "land_grain":
            check_reads("the land-claim check", [land.AVAILABLE], own, "sector 'land_grain'")


def simulate(scenario: Scenario, n: int = 1, per_run: Mapping[str, np.ndarray] | None = None,
             run_offset: int = 0, observed: Mapping[int, Mapping[str, float]] | None = None) -> Results:
    """Run every active sector from the base year to the end year for n runs at once.

    `per_run` maps `sector.param` to (n,) arrays (draws, sweep points); `run_offset` numbers the
    runs of this chunk within a larger batch. `observed` maps a year to {indicator: value in
    internal units}: after that year's step, sectors set their state to what was observed
    (re-forecasting); the base year can be observed too. Each year, after the sectors, the links
    run: land claims against cultivated land, then link sectors (feed, value) in registry order.
    """
    params = all_arrays(scenario, n, per_run)
    active = [BY_NAME[name] for name in scenario.sectors]
    sectors = [s for s in active if s.couple is None]
    links = [s for s in active if s.couple is not None]
    check_links(active)
    claimants = land.claimants(sectors)
    years = scenario.years
    indicators = recorded_indicators(scenario)
    # year-major while recording (each year's write is contiguous), handed out as (n, years) views
    data = {name: np.empty((len(years), n)) for name in indicators}
    states, flows, warnings = {}, {}, []
    observed = observed or {}
    spend = scenario.events.spend if scenario.events else {}
    by_name = {s.name: s for s in sectors}
    for t in range(len(years)):
        for s in sectors:
            if t == 0:
                new, flows[s.name] = s.init(params[s.name])
            else:
                new, flows[s.name] = s.step(states[s.name], params[s.name], t)
                check_balances(s, states[s.name], new, flows[s.name], years[t])
            states[s.name] = _assimilate(s, new, params[s.name], t, observed.get(years[t]), n)
            _record(data, s.report(states[s.name], flows[s.name], params[s.name], t), t)

        def shrink(shares: Mapping[str, np.ndarray]) -> None:
            """Curtail sectors to a share of their size (not in the base year, which is data)."""
            for name, share in shares.items():
                s = by_name[name]
                if t == 0 or s.curtail is None or np.all(share >= 1.0):
                    continue
                states[name], flows[name] = s.curtail(states[name], flows[name], share, params[name])
                _record(data, s.report(states[name], flows[name], params[name], t), t)

        if claimants:
            shrink(_land_claims(scenario, claimants, data, t, years[t], warnings))
        for link in links:
            current = {k: v[t] for k, v in data.items()}
            inputs = LinkInputs(current, params[link.name], t, years[t], tuple(scenario.sectors),
                                {k: v[t] for k, v in spend.items()}, frozenset(link.reads), link.name)
            values, shares = link.couple(inputs)
            shrink(shares)
            _record(data, values, t)
    return Results(scenario.name, scenario.region.id, years, indicators, {k: v.T for k, v in data.items()},
                   runs=np.arange(run_offset, run_offset + n), warnings=warnings)


def _land_claims(scenario: Scenario, claimants: list[Sector], data: dict, t: int, year: int,
                 warnings: list[str]) -> dict[str, np.ndarray]:
    """Record the year's land indicators; raise, warn or return the shares the priority order grants."""
    settings = scenario.land_claims or land.LandClaims()
    claims = {s.name: data[s.land_claim][t] for s in claimants}
    available = data[land.AVAILABLE][t]
    total = sum(claims.values())
    over = np.clip(total - available, 0.0, None)
    data["land_claimed"][t], data["land_overcommitted"][t] = total, over
    data["land_curtailed"][t] = 0.0
    if not np.any(over > available * 1e-9):
        return {}
    message = land.describe(year, claims, available)
    if settings.mode == "error":
        raise InputError([Problem(scenario.file, "land_claims.mode", f"error, and {message}",
                                  "claims within the cultivated land, or mode warning or priority to run on")])
    if settings.mode == "warning" or t == 0:
        warnings.append(message)
        return {}
    shares = land.resolve(claims, available, settings.priority)
    data["land_curtailed"][t] = sum(claims[k] * (1.0 - shares[k]) for k in claims)
    return shares


def _assimilate(sector: Sector, state: dict, params: dict, t: int, obs: Mapping[str, float] | None, n: int) -> dict:
    mine = {k: np.full(n, float(v)) for k, v in (obs or {}).items() if k in sector.observable}
    return sector.assimilate(state, params, t, mine) if mine else state


def _record(data: dict, values: dict, t: int) -> None:
    for name, arr in values.items():
        data[name][t] = arr
