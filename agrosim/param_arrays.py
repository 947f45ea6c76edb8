"""Turn a scenario's parsed parameters into arrays with the run axis first.

Constant → (n,); time-varying → (n, years) with column 0 the base year; a table column `table.param`
→ (n, rows) in the table's declared row order, or (n, rows, years) for a time-varying column (the
table's year axis, each cell's schedule and events as for a parameter of its own). Per-run values
(Monte Carlo draws, sweeps) replace a parameter or one table cell by (n,) values of their own.
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
    where = ParamPath.parse(path)
    pv = scenario.params[where.sector][where.local].value
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
    """Arrays for one sector; `per_run` maps local names (`param`, a cell's key) to per-run values."""
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
            keys = [table.cell_key(row, spec.name) for row in table.keys]
            if spec.time_varying:
                rows = np.stack([time_row(scenario, table.cell_spec(row, spec.name), f"{sector.name}.{key}")
                                 for row, key in zip(table.keys, keys)])
            else:
                rows = np.array([values[key].value for key in keys], dtype=float)
            out[f"{table.name}.{spec.name}"] = _runs_last(rows, n)
    for name, arr in (per_run or {}).items():
        target, spec = _target(out, sector, name)
        _apply_per_run(target, np.asarray(arr, dtype=float))
        event = _event_row(scenario, f"{sector.name}.{name}")
        if event is not None:  # per-run values replace the parameter, not the events acting on it
            target[:, 1:] = _combine(spec, target[:, 1:], event[1:])
    return out


def _runs_last(rows: np.ndarray, n: int) -> np.ndarray:
    """`rows` for n runs, shaped with the run axis first, (n, rows) or (n, rows, years), but laid out
    in memory with it last, so a year's (rows, n) slice (`yearly(p, name, t).T`) is contiguous for
    sectors that compute with the run axis last (perennials) and a cell's (n,) values are too."""
    return np.broadcast_to(rows.T[..., None], rows.T.shape + (n,)).copy().T


def _target(out: dict, sector: Sector, name: str) -> tuple[np.ndarray, ParamSpec]:
    """The (n,) or (n, years) view of `out` that parameter or table cell `name` fills, and its spec."""
    for table in sector.tables:
        cell = table.cells().get(name)
        if cell is not None:
            row, param = cell
            return out[f"{table.name}.{param}"][:, table.keys.index(row)], table.cell_spec(row, param)
    where = ParamPath.in_sector(sector.name, name)
    if where.table is not None:
        raise KeyError(f"{sector.name} has no table row '{where.table}.{where.row}'")
    if name not in out:
        raise KeyError(f"{sector.name} has no parameter '{name}'")
    return out[name], sector.param_specs()[name]


def _apply_per_run(target: np.ndarray, arr: np.ndarray) -> None:
    """Replace a parameter's values in place: (n,) for a constant; for a time-varying one (n,) for
    all simulated years alike or (n, years-1) for one value per year (the base year keeps its
    observed value)."""
    if target.ndim == 2:
        target[:, 1:] = arr[:, None] if arr.ndim == 1 else arr
    else:
        target[...] = arr


def named_views(sector: Sector, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The sector's arrays by the names a scenario file gives them: parameters and nested table
    columns as they are, a prefixed table's cells (`<row>_<param>`) as (n, …) views of their column."""
    out = dict(arrays)
    for table in (t for t in sector.tables if t.prefixed):
        for p in table.params:
            del out[f"{table.name}.{p.name}"]
        out.update({key: arrays[f"{table.name}.{param}"][:, table.keys.index(row)]
                    for key, (row, param) in table.cells().items()})
    return out


def all_arrays(scenario: Scenario, n: int, per_run: Mapping[str, np.ndarray] | None = None) -> dict[str, dict]:
    """Arrays for every active sector; `per_run` keys are `sector.param`."""
    per_run = per_run or {}
    out = {}
    for name in scenario.sectors:
        local = {p.local: v for p, v in ((ParamPath.parse(k), v) for k, v in per_run.items()) if p.sector == name}
        out[name] = sector_arrays(scenario, BY_NAME[name], n, local)
    return out
