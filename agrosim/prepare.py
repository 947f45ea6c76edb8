"""Load a scenario: the config layer reads and validates it (agrosim/config/loader.py), then this design
step runs what needs the sectors, the event calendar and run arrays, and raises every problem found by
either half together (file, key path, found, expected).

The design step: run the SimPy event calendar over the parsed events; sort the `assumption: true`
placeholders (those the events or investments drive are held); check the `base_figures:` section; then
build each sector's run arrays once and apply its cross-parameter rules (`Sector.check`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from agrosim.baseyear import check_section
from agrosim.config.assumptions import placeholders
from agrosim.config.loader import read_scenario
from agrosim.config.scenario import Scenario
from agrosim.errors import InputError
from agrosim.events import plan
from agrosim.param_arrays import sector_arrays
from agrosim.registry import BY_NAME, param_paths


def load_scenario(path: str | Path, overrides: dict | None = None) -> Scenario:
    """Load, merge and validate a scenario file; raise InputError listing every problem.

    `overrides` are dotted key paths applied last, as from the command line (e.g. {"end_year": 2030}).
    """
    draft = read_scenario(path, BY_NAME, overrides)
    col, head, params = draft.problems, draft.head, draft.params
    e = draft.events
    events = None if e is None else plan(e.years, e.projects, e.outbreaks, e.droughts, e.budget_yuan)
    driven = set(events.schedules) if events else set()
    dists, corr = draft.uncertainty, draft.correlation
    held, assumed = placeholders(params, param_paths(list(params)), {d.param for d in dists},
                                 driven | {i.param for i in draft.investments}, head.fixed_assumptions)
    if assumed:
        dists = dists + assumed
        if corr is not None:
            corr = _pad(corr, len(assumed))
    for key, found, expected in check_section(draft.resolved.get("base_figures"), list(params)):
        col.add(key, found, expected)
    if col.problems:
        raise InputError(col.problems)
    scenario = Scenario(name=head.name, file=draft.file, title=head.title, region=head.region,
                        base_year=head.base_year, end_year=head.end_year, seed=head.seed, runs=head.runs,
                        params=params, targets=draft.targets, resolved=draft.resolved, uncertainty=dists,
                        correlation=corr, events=events, investments=draft.investments,
                        land_claims=draft.land_claims, inconsistencies=draft.inconsistencies, placeholders=held)
    for name in params:
        for key, found, expected in BY_NAME[name].check(sector_arrays(scenario, BY_NAME[name], 1)):
            col.add(tuple(key.split(".")), found, expected)
    if col.problems:
        raise InputError(col.problems)
    return scenario


def _pad(corr: np.ndarray, extra: int) -> np.ndarray:
    """Correlation matrix with `extra` independent parameters appended (the placeholders drawn)."""
    out = np.eye(corr.shape[0] + extra)
    out[: corr.shape[0], : corr.shape[0]] = corr
    return out
