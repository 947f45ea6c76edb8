"""The yearly engine: every sector's pure step on arrays of n runs, balances checked each year, then
the links (agrosim/links: land claims, feed, value) in their declared order."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from agrosim.config.scenario import Scenario
from agrosim.errors import ModelError
from agrosim.links import LINKS, Link, LinkInputs, check_reads
from agrosim.param_arrays import all_arrays
from agrosim.results import Results
from agrosim.sectors import SECTOR_BY_NAME, SECTORS
from agrosim.sectors.base import IndicatorSpec, Sector

BALANCE_RTOL = 1e-9


def check_balances(sector: Sector, old: dict, new: dict, flows: dict, year: int) -> None:
    """Raise ModelError unless every stock closes its balance and no stock or flow is negative.

    expected = old + Σ inflows − Σ outflows and scale = max(|old|, 1) + Σ |flows|, each sum added
    left to right as Python's `sum` would (so the same relative errors), in preallocated arrays."""
    total = absolute = scratch = None
    for bal in sector.balances:
        stock = old[bal.stock]
        if total is None or total.shape != np.shape(stock):
            total, absolute, scratch = (np.empty(np.shape(stock)) for _ in range(3))
        expected = stock + _sum_into(total, flows, bal.inflows) if bal.inflows else stock.copy()
        if bal.outflows:
            expected -= _sum_into(total, flows, bal.outflows)
        scale = np.abs(stock)
        np.maximum(scale, 1.0, out=scale)
        names = bal.inflows + bal.outflows
        if names:
            np.abs(flows[names[0]], out=absolute)
            for f in names[1:]:
                absolute += np.abs(flows[f], out=scratch)
            scale += absolute
        err = np.subtract(new[bal.stock], expected, out=expected)
        np.abs(err, out=err)
        err /= scale
        if not np.all(err <= BALANCE_RTOL):  # false for a NaN too
            run = int(np.nanargmax(np.where(np.isnan(err), np.inf, err)))
            raise ModelError(f"{sector.name}: balance of {bal.stock} does not close in {year} "
                             f"(run {run}, relative error {err.flat[run]:.3g})")
        floor = np.multiply(scale, -BALANCE_RTOL, out=scale)
        for name in (bal.stock, *names):
            arr = new[name] if name == bal.stock else flows[name]
            if not np.all(arr >= floor):  # false for a NaN too
                raise ModelError(f"{sector.name}: {name} is negative or NaN in {year}")


def _sum_into(out: np.ndarray, flows: dict, names: tuple[str, ...]) -> np.ndarray:
    """Σ flows[names] added left to right into `out`."""
    np.copyto(out, flows[names[0]])
    for name in names[1:]:
        out += flows[name]
    return out


def active_parts(scenario: Scenario) -> tuple[list[Sector], list[Link]]:
    """The scenario's sectors in stepping order, and the links that run in it, in `LINKS` order."""
    sectors = [SECTOR_BY_NAME[name] for name in scenario.sectors if name in SECTOR_BY_NAME]
    return sectors, [link for link in LINKS if link.runs(scenario.sectors, sectors)]


def recorded_indicators(scenario: Scenario) -> dict[str, IndicatorSpec]:
    """Every indicator a run of the scenario records: its sectors' and listed links' in the order the
    scenario lists them, then those of the links that run on their own (land claims)."""
    sectors, links = active_parts(scenario)
    listed = {s.name: s for s in (*sectors, *links)}
    specs = {ind.name: ind for name in scenario.sectors if name in listed for ind in listed[name].indicators}
    specs.update({ind.name: ind for link in links if link.name not in scenario.sectors for ind in link.indicators})
    return specs


def check_links(sectors: list[Sector], links: list[Link]) -> None:
    """Refuse a link that reads an indicator no registered sector or link reports, and a land claim
    that is not one of its sector's own indicators (ModelError: a wrong name, never zeros)."""
    known = {ind.name for s in (*SECTORS, *LINKS) for ind in s.indicators}
    for link in links:
        check_reads(f"link '{link.name}'", link.reads, known)
    for s in sectors:
        if s.land_claim is not None:
            check_reads(f"the land claim of '{s.name}'", [s.land_claim], {ind.name for ind in s.indicators},
                        f"sector '{s.name}'")


def simulate(scenario: Scenario, n: int = 1, per_run: Mapping[str, np.ndarray] | None = None,
             run_offset: int = 0, observed: Mapping[int, Mapping[str, float]] | None = None) -> Results:
    """Run every active sector from the base year to the end year for n runs at once.

    `per_run` maps `sector.param` to (n,) arrays (draws, sweep points); `run_offset` numbers the
    runs of this chunk within a larger batch. `observed` maps a year to {indicator: value in
    internal units}: after that year's step, sectors set their state to what was observed
    (re-forecasting); the base year can be observed too. Each year, after the sectors, the links
    run in `LINKS` order: land claims against cultivated land, then feed, then value.
    """
    params = all_arrays(scenario, n, per_run)
    sectors, links = active_parts(scenario)
    check_links(sectors, links)
    claims = {s.name: s.land_claim for s in sectors if s.land_claim is not None}
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

        for link in links:
            current = {k: v[t] for k, v in data.items()}
            inputs = LinkInputs(current, params.get(link.name, {}), t, years[t], tuple(scenario.sectors),
                                {k: v[t] for k, v in spend.items()}, frozenset(link.reads), link.name,
                                land_claims=claims if link.reads_land_claims else {},
                                settings=scenario.land_claims if link.reads_land_claims else None,
                                file=scenario.file, warnings=warnings)
            values, shares = link.couple(inputs)
            _record(data, values, t)
            shrink(_declared_shares(link, shares, inputs.land_claims))
    return Results(scenario.name, scenario.region.id, years, indicators, {k: v.T for k, v in data.items()},
                   runs=np.arange(run_offset, run_offset + n), warnings=warnings)


def _declared_shares(link: Link, shares: Mapping[str, np.ndarray], claimants: Mapping[str, str]) -> Mapping:
    """The shares a link returned, refusing a sector it did not declare it may curtail."""
    allowed = set(link.shrinks) | set(claimants)
    wrong = sorted(set(shares) - allowed)
    if wrong:
        raise ModelError(f"link '{link.name}' curtails {', '.join(wrong)}, not declared in `shrinks`")
    return shares


def _assimilate(sector: Sector, state: dict, params: dict, t: int, obs: Mapping[str, float] | None, n: int) -> dict:
    mine = {k: np.full(n, float(v)) for k, v in (obs or {}).items() if k in sector.observable}
    return sector.assimilate(state, params, t, mine) if mine else state


def _record(data: dict, values: dict, t: int) -> None:
    for name, arr in values.items():
        data[name][t] = arr
