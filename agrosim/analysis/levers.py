"""Levers: scenario parameters an analyst varies in sweeps, back-solving and sensitivity runs.

Every lever has a feasible range taken from the model itself, not from a constant: the parameter's
domain (a share stays in 0–1), and for levers a sector bounds, the bound computed from the scenario:

- HSF built per year (area or money): the HSF stock can not exceed the land under grain in any
  simulated year (HSF beyond it raises no grain yield; the sector stops building there);
- planned growth of a breeding herd (sows, dairy and beef cows, ewes): at most the biological
  maximum, every eligible female kept and none culled (the sectors' own growth limit).

Explored ranges (documented, plausible or 0 … 3 × current, or given on the command line) are
clipped to the feasible range, and the clip is reported (`Lever.clipped`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from agrosim.config.scenario import Scenario
from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.errors import InputError, Problem, ValueProblem, did_you_mean
from agrosim.parampath import ParamPath
from agrosim.registry import param_paths
from agrosim.units import shown_param


@dataclass(frozen=True)
class Feasible:
    """The feasible range of a lever and what sets its upper end (`limit`, empty if only the domain)."""

    low: float
    high: float
    limit: str = ""
    limit_zh: str = ""


@dataclass(frozen=True)
class Lever:
    """A parameter path with its spec, its value in the scenario, the range to explore (within the
    feasible range) and, when a requested range had to be cut to it, a note saying so."""

    path: str
    spec: ParamSpec
    current: float
    low: float
    high: float
    feasible: Feasible | None = None
    clipped: str = ""
    #: the range was given by the user (command line), not taken from the documented one
    given: bool = False

    def show(self, value: float) -> str:
        """A value in the unit the plans use, e.g. '606.6 万亩/年'."""
        shown, unit = shown_param(value, self.spec.unit)
        return f"{float(shown):,.4g} {unit}"

    def limit_text(self) -> str:
        """'limit: <what> = <value>' for a model-derived bound, else the domain."""
        if self.feasible is None:
            return ""
        if self.feasible.limit:
            return f"limit: {self.feasible.limit} = {self.show(self.feasible.high)}"
        return f"limit: the parameter's domain [{self.show(self.feasible.low)}, {self.show(self.feasible.high)}]"


def current_value(scenario: Scenario, path: str) -> float:
    """The scenario's value of a lever; for a yearly schedule, the value in the end year."""
    where = ParamPath.parse(path)
    value = scenario.params[where.sector][where.local].value
    if isinstance(value, dict):
        years = [y for y in value if y <= scenario.end_year]
        return value[max(years)] if years else next(iter(value.values()))
    return float(value)


def _hsf_rate_bound(scenario: Scenario, path: str) -> float:
    """Largest constant yearly HSF build (this lever alone changed, every simulated year) that keeps
    the HSF stock within the land under grain in every year of the central run. The stock is
    affine in a constant build rate r while the sector does not cap it: hsf_t = a_t + b_t r, so
    r_max = min_t (grain land_t − a_t) / b_t, with a and b from two runs (r = 0 and r = 1 unit)."""
    from agrosim.engine import simulate

    res = simulate(scenario, n=2, per_run={path: np.array([0.0, 1.0])})
    hsf, land = res.data["hsf_area"][:, 1:], res.data["grain_land_claim"][0, 1:]
    slope = hsf[1] - hsf[0]
    room = np.divide(land - hsf[0], slope, out=np.full_like(slope, np.inf), where=slope > 0)
    return float(max(room.min(), 0.0))


def _herd_growth_bound(sector: str) -> Callable[[Scenario, str], float]:
    """The sector's biological maximum growth of its breeding herd, central parameters."""
    def bound(scenario: Scenario, path: str) -> float:
        from agrosim.param_arrays import all_arrays
        from agrosim.sectors import _herd, beef, dairy, pigs, sheep

        p = all_arrays(scenario, 1)[sector]
        if sector == "pigs":
            return float(pigs.max_sow_growth_per_yr(p)[0])
        kind = {"dairy": dairy.KIND, "beef": beef.KIND, "sheep": sheep.KIND}[sector]
        return float(_herd.max_breeder_growth_per_yr(p, kind)[0])
    return bound


_HSF = ("HSF stock within the land under grain by the end year", "高标准农田不超过粮食用地")
_HERD = ("biological maximum growth of the breeding herd (every eligible female kept, no culls)",
         "繁殖群生物学最大增长率（全部留种、不淘汰）")

#: lever path -> (bound function (scenario, path) -> upper end in internal units, (en, zh) of the limit)
BOUNDS: dict[str, tuple[Callable[[Scenario, str], float], tuple[str, str]]] = {
    "land_grain.hsf_build_mu_per_yr": (_hsf_rate_bound, _HSF),
    "land_grain.hsf_budget_yuan_per_yr": (_hsf_rate_bound, _HSF),
    "pigs.sow_herd_growth_per_yr": (_herd_growth_bound("pigs"), _HERD),
    "dairy.cow_herd_growth_per_yr": (_herd_growth_bound("dairy"), _HERD),
    "beef.cow_herd_growth_per_yr": (_herd_growth_bound("beef"), _HERD),
    "sheep.ewe_flock_growth_per_yr": (_herd_growth_bound("sheep"), _HERD),
}


def feasible_range(scenario: Scenario, path: str, spec: ParamSpec) -> Feasible:
    """The parameter's domain, narrowed by the model's own bound where a sector sets one."""
    low, high = float(spec.lo), float(spec.hi)
    if path in BOUNDS and ParamPath.parse(path).sector in scenario.sectors:
        bound, (en, zh) = BOUNDS[path]
        limit = bound(scenario, path)
        if limit < high:
            return Feasible(low, max(limit, low), en, zh)
    return Feasible(low, high)


def lever(scenario: Scenario, path: str, low: str | float | None = None, high: str | float | None = None) -> Lever:
    """Resolve a lever; the range defaults to the parameter's documented range, then its plausible
    range, then 0 … 3 × the scenario's value for a non-negative parameter, and is clipped to the
    feasible range (the clip is noted in `Lever.clipped`)."""
    specs = param_paths(scenario.sectors)
    if path not in specs:
        raise InputError([Problem("command line", path, f"unknown parameter '{path}'{did_you_mean(path, specs)}",
                                  "sector.param of the scenario's sectors")])
    spec = specs[path]
    where = ParamPath.parse(path)
    documented = scenario.params[where.sector][where.local].range or spec.plausible
    current = current_value(scenario, path)
    if documented is None and spec.lo >= 0 and current > 0:
        documented = (0.0, 3.0 * current)
    try:
        lo = parse_scalar(low, spec) if low is not None else (documented[0] if documented else None)
        hi = parse_scalar(high, spec) if high is not None else (documented[1] if documented else None)
    except ValueProblem as exc:
        raise InputError([exc.at("command line", path)]) from None
    if lo is None or hi is None or not lo < hi:
        raise InputError([Problem("command line", path, f"range {lo!r}..{hi!r}",
                                  "a range low < high, given as LOW:HIGH (e.g. '50 万亩/年:300 万亩/年') "
                                  "or documented as `range:` in the parameter file")])
    fs = feasible_range(scenario, path, spec)
    given = low is not None or high is not None
    out = Lever(path, spec, current, lo, hi, fs, given=given)
    if lo >= fs.high:
        raise InputError([Problem("command line", path, f"range from {out.show(lo)}",
                                  f"a range below the feasible maximum {out.show(fs.high)} ({fs.limit})")])
    if hi > fs.high or lo < fs.low:
        new_lo, new_hi = max(lo, fs.low), min(hi, fs.high)
        note = (f"{path}: range [{out.show(lo)}, {out.show(hi)}] clipped to the feasible "
                f"[{out.show(new_lo)}, {out.show(new_hi)}] ({out.limit_text()})")
        out = Lever(path, spec, current, new_lo, new_hi, fs, note, given)
    return out


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
