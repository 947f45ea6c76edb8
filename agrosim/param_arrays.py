"""Turn a scenario's parsed parameters into arrays with the run axis first.

Constant → (n,); time-varying → (n, years) with column 0 the base year; table parameters →
(n, rows) in the table's declared row order. Per-run values (Monte Carlo draws, sweeps) replace
a constant by an (n,) array of their own.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from agrosim.config.scenario import Scenario
from agrosim.config.spec import EventRole, ParamSpec
from agrosim.parampath import ParamPath
from agrosim.registry import BY_NAME
from agrosim.sectors.base import Sector


def _schedule(value: dict[int, float], years: list[int], before: float, pulse: bool = False) -> np.ndarray:
    """Yearly row of a schedule: each value held until the next year given, or, for a pulse,
    only in its own year with `before` (the default) elsewhere."""
    out, current = np.empty(len(years)), before
    for i, year in enumerate(years):
        current = value.get(year, before if pulse else current)
        out[i] = current
    return out


def _combine(spec: ParamSpec, own: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Event schedules add capacity, compound losses and multiply weather factors (by declared role)."""
    if spec.event is EventRole.CAPACITY:
        return own + event
    if spec.event is EventRole.LOSS:
        return 1 - (1 - own) * (1 - event)
    return own * event


def time_row(scenario: Scenario, spec, path: str, with_events: bool = True) -> np.ndarray:
    """(years,) values of a time-varying parameter, with the scenario's event schedules applied."""
    years = scenario.years
    pv = scenario.params[ParamPath.parse(path).sector][spec.name].value
    if isinstance(pv, dict):
        before = spec.default if spec.default is not None else next(iter(pv.values()))
        row = _schedule(pv, years, before, spec.is_pulse)
    else:
        row = np.full(len(years), float(pv))
    event = _event_row(scenario, path) if with_events else None
    return row if event is None else _combine(spec, row, event)


def _event_row(scenario: Scenario, path: str) -> np.ndarray | None:
    return scenario.events.schedules.get(path) if scenario.events else None


def sector_arrays(scenario: Scenario, sector: Sector, n: int,
                  per_run: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Arrays for one sector; `per_run` maps local names to (n,) arrays that replace constants."""
    values = scenario.params[sector.name]
    years = scenario.years
    out: dict[str, np.ndarray] = {}
    for spec in sector.params:
        pv = values[spec.name].value
        if spec.time_varying:
            row = time_row(scenario, spec, f"{sector.name}.{spec.name}")
            out[spec.name] = np.broadcast_to(row, (n, len(years))).copy()
        else:
            out[spec.name] = np.full(n, float(pv))
    for table in sector.tables:
        for spec in table.params:
            row = np.array([values[f"{table.name}.{key}.{spec.name}"].value for key in table.keys], dtype=float)
            out[f"{table.name}.{spec.name}"] = np.broadcast_to(row, (n, len(table.keys))).copy()
    for name, arr in (per_run or {}).items():
        _apply_per_run(out, sector, name, np.asarray(arr, dtype=float))
        event = _event_row(scenario, f"{sector.name}.{name}")
        if event is not None:  # per-run values replace the parameter, not the events acting on it
            out[name][:, 1:] = _combine(sector.param_specs()[name], out[name][:, 1:], event[1:])
    return out


def _apply_per_run(out: dict, sector: Sector, name: str, arr: np.ndarray) -> None:
    """Replace a parameter by per-run values: (n,) for a constant; for a time-varying one (n,) for
    all simulated years alike or (n, years-1) for one value per year (the base year keeps its
    observed value); or one table cell, named `table.row.param`."""
    where = ParamPath.in_sector(sector.name, name)
    if where.table is not None:
        table = next((t for t in sector.tables if t.name == where.table), None)
        if table is None or where.row not in table.keys:
            raise KeyError(f"{sector.name} has no table row '{where.table}.{where.row}'")
        out[where.spec_key][:, table.keys.index(where.row)] = arr
        return
    if name not in out:
        raise KeyError(f"{sector.name} has no parameter '{name}'")
    target = out[name]
    if target.ndim == 2:
        target[:, 1:] = arr[:, None] if arr.ndim == 1 else arr
    else:
        out[name] = np.broadcast_to(arr, target.shape).copy()


def all_arrays(scenario: Scenario, n: int, per_run: Mapping[str, np.ndarray] | None = None) -> dict[str, dict]:
    """Arrays for every active sector; `per_run` keys are `sector.param`."""
    per_run = per_run or {}
    out = {}
    for name in scenario.sectors:
        local = {p.local: v for p, v in ((ParamPath.parse(k), v) for k, v in per_run.items()) if p.sector == name}
        out[name] = sector_arrays(scenario, BY_NAME[name], n, local)
    return out
