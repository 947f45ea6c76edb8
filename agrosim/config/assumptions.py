"""Placeholders carry their doubt: every parameter marked `assumption: true` is drawn in a Monte Carlo.

A region file marks the figures its plan does not give as `assumption: true`. In a Monte Carlo such a
figure is drawn uniformly over its documented `range:` (unless the scenario's own `uncertainty:`
gives it a distribution), so a verdict that rests on a placeholder carries that placeholder's doubt
instead of a false certainty. A placeholder written with `per_year: true` (a year-to-year spread such as a weather factor) is drawn
afresh each year, around the scenario's own path of it (agrosim/compose.py). A placeholder without a
range cannot be drawn: probabilistic commands
refuse it, naming its key path, unless it is pinned (`pinned: <reason>` in its documented form, e.g.
crop shares calibrated to a base-year total), set by the scenario itself (a short-form value, which is
the scenario's choice rather than the region's placeholder), or all placeholders are held with
`fixed_assumptions: true` / `--fixed-assumptions`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from agrosim.config.spec import ParamSpec, ParamValue
from agrosim.errors import InputError, Problem
from agrosim.config.distributions import Distribution, parse_distribution


@dataclass(frozen=True)
class Placeholders:
    """The scenario's `assumption: true` parameters, by what a Monte Carlo does with them."""

    drawn: tuple[str, ...] = ()          # drawn over their range
    explicit: tuple[str, ...] = ()       # drawn by the scenario's own uncertainty entry
    pinned: dict[str, str] = field(default_factory=dict)  # held, with the reason given
    unranged: tuple[str, ...] = ()       # no range and not pinned: refused by probabilistic commands
    fixed: bool = False                  # fixed_assumptions: every placeholder held at its value

    @property
    def all(self) -> tuple[str, ...]:
        return self.drawn + self.explicit + tuple(self.pinned) + self.unranged


def _range_dist(path: str, spec: ParamSpec, value: ParamValue) -> Distribution:
    low, high = value.range
    written = (lambda b: b) if spec.unit == "1" else (lambda b: f"{b:.17g} {spec.unit}")
    return parse_distribution(path, {"dist": "uniform", "low": written(low), "high": written(high),
                                     "per_year": value.per_year}, spec)


def placeholders(params: dict[str, dict[str, ParamValue]], specs: dict[str, ParamSpec],
                 explicit: set[str], held: set[str], fixed: bool) -> tuple[Placeholders, list[Distribution]]:
    """Sort every `assumption: true` parameter; return the sorting and the draws to add.

    `specs` maps `sector.param` (tables: `sector.table.row.param`) to its spec; `explicit` are the
    parameters the scenario's `uncertainty:` already draws; `held` are parameters that events or
    investments drive (drawing them would fight the schedule: they stay at their value, pinned)."""
    drawn, exp, unranged, pinned, dists = [], [], [], {}, []
    for sector, values in params.items():
        for name, value in values.items():
            if not value.assumption:
                continue
            path = f"{sector}.{name}"
            spec = specs[path]
            if path in explicit:
                exp.append(path)
            elif value.pinned:
                pinned[path] = value.pinned
            elif path in held:
                pinned[path] = "driven by the scenario's events or investments"
            elif isinstance(value.value, dict):
                unranged.append(path)  # a schedule has no single range to draw from: pin it or give a dist
            elif value.range and value.range[0] < value.range[1] and all(map(math.isfinite, value.range)):
                drawn.append(path)
                if not fixed:
                    dists.append(_range_dist(path, spec, value))
            elif value.range:
                pinned[path] = "its documented range is a single value"
            else:
                unranged.append(path)
    return Placeholders(tuple(drawn), tuple(exp), pinned, tuple(unranged), fixed), dists


def require_ranges(scenario) -> None:
    """Refuse a probabilistic run that would hold a placeholder without a range at its point value."""
    held = scenario.placeholders
    if held is None or held.fixed or not held.unranged:
        return
    raise InputError([Problem(scenario.file, path, "assumption: true without a range (a placeholder a Monte "
                              "Carlo cannot draw)", "range: [low, high], or pinned: <reason>, or the value set by "
                              "the scenario, or --fixed-assumptions to hold every placeholder")
                      for path in held.unranged])
