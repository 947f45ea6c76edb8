"""How a scenario's own path and a per-year distribution on the same parameter combine.

Rule (README "Uncertainty and events"): a per-year distribution describes the doubt around the
scenario's path, not a replacement for it. For each simulated year the draw is moved so that the
distribution's centre (mean, mode, median or midpoint) falls on the scenario's value for that year:
multiplied by value ÷ centre for a ratio-scale parameter (a dimensionless factor or share, valid
from 0: a weather factor of 0.88 written for a drought year stays a drought, with the year's doubt
around it, exactly as the same drought written under `droughts:`), shifted by value − centre for
anything else (a growth rate). Where the scenario's value equals the centre the draw is unchanged.
A single (not per-year) draw on a parameter the scenario schedules by year has no clear meaning
and is refused when the scenario is loaded.
"""
from __future__ import annotations

import numpy as np

from agrosim.config.distributions import Distribution
from agrosim.config.scenario import Scenario
from agrosim.config.spec import ParamSpec
from agrosim.param_arrays import time_row
from agrosim.registry import param_spec


def centre(dist: Distribution) -> float:
    """The point of a distribution that the scenario's value stands for."""
    a = dist.args
    if dist.dist == "normal":
        return float(a["mean"])
    if dist.dist in ("triangular", "pert"):
        return float(a["mode"])
    if dist.dist == "lognormal":
        return float(a["median"])
    if dist.dist == "uniform":
        return 0.5 * (float(a["low"]) + float(a["high"]))
    return float(np.average(a["values"], weights=a["weights"]))


def is_ratio(spec: ParamSpec) -> bool:
    """Dimensionless and valid from 0 up: scaled multiplicatively."""
    return spec.unit == "1" and spec.lo >= 0


def around_path(draws: np.ndarray, path_row: np.ndarray, dist: Distribution, spec: ParamSpec) -> np.ndarray:
    """(n, years) per-year draws re-centred on the scenario's (years,) path, kept in the valid range."""
    c = centre(dist)
    if is_ratio(spec) and c > 0:
        out = draws * (path_row[None, :] / c)
    else:
        out = draws + (path_row[None, :] - c)
    return np.clip(out, spec.lo, spec.hi)


def recentre(scenario: Scenario, dist: Distribution, draws: np.ndarray) -> np.ndarray:
    """A per-year distribution's (n, years-1) draws placed around the scenario's own path of the
    parameter (events are applied later, as for any value); other draws pass through unchanged."""
    if not dist.per_year:
        return draws
    spec = param_spec(dist.param)
    return around_path(draws, time_row(scenario, spec, dist.param, with_events=False)[1:], dist, spec)
