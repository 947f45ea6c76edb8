"""Levers: scenario parameters an analyst varies in sweeps, back-solving and sensitivity runs."""
from __future__ import annotations

from dataclasses import dataclass

from agrosim.config.loader import param_paths
from agrosim.config.scenario import Scenario
from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.errors import InputError, Problem, did_you_mean


@dataclass(frozen=True)
class Lever:
    """A parameter path with its spec, its value in the scenario and the range to explore."""

    path: str
    spec: ParamSpec
    current: float
    low: float
    high: float


def current_value(scenario: Scenario, path: str) -> float:
    """The scenario's value of a lever; for a yearly schedule, the value in the end year."""
    sector, local = path.split(".", 1)
    value = scenario.params[sector][local].value
    if isinstance(value, dict):
        years = [y for y in value if y <= scenario.end_year]
        return value[max(years)] if years else next(iter(value.values()))
    return float(value)


def lever(scenario: Scenario, path: str, low: str | float | None = None, high: str | float | None = None) -> Lever:
    """Resolve a lever; the range defaults to the parameter's documented range, then its plausible
    range, then 0 … 3 × the scenario's value for a non-negative parameter."""
    specs = param_paths(scenario.sectors)
    if path not in specs:
        raise InputError([Problem("command line", path, f"unknown parameter '{path}'{did_you_mean(path, specs)}",
                                  "sector.param of the scenario's sectors")])
    spec = specs[path]
    sector, local = path.split(".", 1)
    documented = scenario.params[sector][local].range or spec.plausible
    current = current_value(scenario, path)
    if documented is None and spec.lo >= 0 and current > 0:
        documented = (0.0, 3.0 * current)
    try:
        lo = parse_scalar(low, spec) if low is not None else (documented[0] if documented else None)
        hi = parse_scalar(high, spec) if high is not None else (documented[1] if documented else None)
    except ValueError as exc:
        found, _, expected = str(exc).partition("; expected ")
        raise InputError([Problem("command line", path, found, expected)]) from None
    if lo is None or hi is None or not lo < hi:
        raise InputError([Problem("command line", path, f"range {lo!r}..{hi!r}",
                                  "a range low < high, given as LOW:HIGH (e.g. '50 万亩/年:300 万亩/年') "
                                  "or documented as `range:` in the parameter file")])
    return Lever(path, spec, current, lo, hi)


def parse_range(text: str) -> tuple[str, str, int | None]:
    """'LOW:HIGH' or 'LOW:HIGH:N' as written on the command line."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
        raise InputError([Problem("command line", text, repr(text), "LOW:HIGH or LOW:HIGH:N")])
    count = None
    if len(parts) == 3:
        if not parts[2].strip().isdigit() or int(parts[2]) < 2:
            raise InputError([Problem("command line", text, repr(parts[2]), "a point count N ≥ 2")])
        count = int(parts[2])
    return parts[0].strip(), parts[1].strip(), count
