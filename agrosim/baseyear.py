"""Base year anchored to what the region file states: closure, contradictions, derived structure.

A base figure is a number the region file states about the base year that an indicator of the
model also counts: a sector parameter declared with `base_of=<indicator>` (stock, slaughter, output,
area) and present in the file, or an entry of the top-level `base_figures:` section (a figure the
sector derives rather than takes, such as the pig stock when the herd is built from slaughter):

    base_figures:
      pig_stock: {value: 560 万头, source: {published: ...}, note: year-end stock}

Closure: the model's base year reproduces every stated figure within `CLOSURE_RTOL` (or the wider
`tolerance:` a `base_figures` entry gives with its reason in `note:`). A figure that does not close
means the file states more than the sector needs and the figures disagree (a herd, milk and a yield
per cow that do not multiply out): a contradiction, reported with both figures and their sources;
`--strict` refuses it, otherwise it is a warning. Consistent over-determined figures are accepted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pydantic import ValidationError

from agrosim.config.declarations import section_params
from agrosim.config.scenario import Scenario
from agrosim.config.spec import Documented, ParamSpec, ParamValue, parse_param
from agrosim.errors import InputError, Problem, ValueProblem
from agrosim.param_arrays import named_views, sector_arrays, time_row
from agrosim.parampath import ParamPath
from agrosim.registry import BY_NAME, is_link
from agrosim.units import from_internal

#: relative gap within which the base year reproduces a stated figure
CLOSURE_RTOL = 0.005
SECTION = "base_figures"


class BaseFigureModel(Documented):
    """A `base_figures:` entry: a documented value, and optionally a wider tolerance (reason in `note`)."""

    tolerance: float | None = None


@dataclass(frozen=True)
class Stated:
    """One base figure the scenario states, in the internal unit of the indicator it maps to."""

    sector: str
    key: str          # key path in the file: sector.param or base_figures.indicator
    indicator: str
    value: float
    source: str
    assumption: bool
    tolerance: float
    taken: bool       # the sector takes it as input (a parameter) rather than deriving it
    range: tuple[float, float] | None = None


@dataclass(frozen=True)
class Closure:
    """A stated figure against the model's base-year value of its indicator."""

    figure: Stated
    model: float

    @property
    def gap(self) -> float:
        """Relative gap, model / stated − 1 (inf where the model has none of a nonzero figure)."""
        if self.figure.value == 0:
            return 0.0 if self.model == 0 else math.inf
        return self.model / self.figure.value - 1.0

    @property
    def closes(self) -> bool:
        return abs(self.gap) <= self.figure.tolerance


def indicator_spec(indicator: str):
    """(sector name, IndicatorSpec) of an indicator, or (None, None)."""
    for sector in BY_NAME.values():
        for ind in sector.indicators:
            if ind.name == indicator:
                return sector.name, ind
    return None, None


def source_text(pv: ParamValue | Documented) -> str:
    """Where a figure comes from, on one line: seed file, line and quote, or the publication."""
    src = pv.source
    if src is None:
        text = "no source"
    elif src.published is not None:
        text = " ".join(src.published.split())
    else:
        text = f"{src.seed} L{src.line} 「{src.quote}」"
    return f"assumption; {text}" if pv.assumption else text


def check_section(raw, sectors: list[str]) -> list[tuple[tuple, str, str]]:
    """Problems of a `base_figures:` section as (key path, found, expected); entries on indicators of
    sectors left out of the scenario are skipped (like their targets)."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        return [((SECTION,), repr(raw), "a mapping indicator: {value, source, note}")]
    problems = []
    for name, item in raw.items():
        path = (SECTION, name)
        owner, ind = indicator_spec(str(name))
        if owner is None:
            problems.append((path, f"unknown indicator '{name}'", "an indicator of a sector, e.g. pig_stock"))
            continue
        if owner not in sectors:
            continue
        try:
            _parse_entry(item, ind)
        except (ValueProblem, ValidationError) as exc:
            found = exc.found if isinstance(exc, ValueProblem) else str(exc)
            problems.append((path, found.splitlines()[0],
                             f"a documented value in {ind.unit} with a source, tolerance in (0, 1)"))
    return problems


def _parse_entry(item, ind) -> tuple[BaseFigureModel, ParamValue]:
    model = BaseFigureModel.model_validate(item if isinstance(item, dict) else {"value": item})
    if model.tolerance is not None and not 0 < model.tolerance < 1:
        raise ValueProblem(f"tolerance {model.tolerance}", "a fraction in (0, 1)")
    spec = ParamSpec(ind.name, ind.unit, ind.en, lo=0)
    return model, parse_param(model.model_dump(exclude={"tolerance"}, exclude_none=True), spec)


def _base_value(scenario: Scenario, sector: str, spec: ParamSpec) -> float:
    """A parameter's value in the base year (a schedule as the engine reads it, events left out)."""
    if spec.time_varying:
        return float(time_row(scenario, spec, f"{sector}.{spec.name}", with_events=False)[0])
    return float(scenario.params[sector][spec.name].value)


def stated_figures(scenario: Scenario) -> list[Stated]:
    """Every base figure the scenario states: declared base parameters present in its sections
    (0 means 'not given' and is skipped), then the `base_figures:` entries of active sectors."""
    out = []
    for name in scenario.sectors:
        section = scenario.resolved.get(name) or {}
        for spec in section_params(BY_NAME[name]):  # a prefixed table's cells too
            if spec.base_of is None or spec.name not in section:
                continue
            pv = scenario.params[name][spec.name]
            value = _base_value(scenario, name, spec)
            if value == 0:
                continue
            out.append(Stated(name, f"{name}.{spec.name}", spec.base_of, value, source_text(pv), pv.assumption,
                              CLOSURE_RTOL, True, pv.range))
    for indicator, item in (scenario.resolved.get(SECTION) or {}).items():
        owner, ind = indicator_spec(str(indicator))
        if owner not in scenario.sectors:
            continue
        model, pv = _parse_entry(item, ind)
        out.append(Stated(owner, f"{SECTION}.{indicator}", ind.name, float(pv.value), source_text(pv),
                          pv.assumption, model.tolerance or CLOSURE_RTOL, False, pv.range))
    return out


def _base_year(sector, arrays: dict) -> dict[str, np.ndarray]:
    """The sector's base-year indicators for the runs in `arrays`."""
    state, flows = sector.init(arrays)
    return sector.report(state, flows, arrays, 0)


def base_year_values(scenario: Scenario) -> dict[str, float]:
    """The model's base-year value of every indicator of the scenario's stock-holding sectors."""
    out = {}
    for name in scenario.sectors:
        sector = BY_NAME[name]
        if not is_link(name):
            out.update({k: float(np.asarray(v).reshape(-1)[0])
                        for k, v in _base_year(sector, sector_arrays(scenario, sector, 1)).items()})
    return out


def closure(scenario: Scenario) -> list[Closure]:
    """Each stated base figure against the model's base year."""
    values = base_year_values(scenario)
    return [Closure(f, values.get(f.indicator, math.nan)) for f in stated_figures(scenario)]


def _shown(value: float, indicator: str, digits: int = 4) -> str:
    _, ind = indicator_spec(indicator)
    return f"{from_internal(value, ind.display_unit):,.{digits}g} {ind.display_unit}"


def contradictions(scenario: Scenario, closures: list[Closure] | None = None) -> list[Problem]:
    """A problem per stated figure the base year does not reproduce: both figures, their sources,
    the figures the base year was built from, and the tolerance."""
    closures = closure(scenario) if closures is None else closures
    problems = []
    for c in closures:
        if c.closes:
            continue
        f = c.figure
        others = [o.figure for o in closures if o.figure.sector == f.sector and o.figure is not f and o.figure.taken]
        built = "; ".join(f"{o.key} = {_shown(o.value, o.indicator, 6)} (source: {o.source})" for o in others)
        problems.append(Problem(
            scenario.file, f.key,
            f"{_shown(f.value, f.indicator, 6)} (source: {f.source}), but the model's {scenario.base_year} base year "
            f"has {f.indicator} = {_shown(c.model, f.indicator, 6)} ({c.gap:+.1%})"
            + (f", built from {built}" if built else ""),
            f"base figures that agree within {f.tolerance:.1%} (the file states more than the {f.sector} sector "
            "needs and they contradict each other: correct or drop one)"))
    return problems


def drivers(scenario: Scenario, sector_name: str, rel_step: float = 0.01) -> dict[str, list[str]]:
    """Which coefficients each derived base-year indicator depends on: every nonzero parameter of the
    sector is raised by `rel_step` in a run of its own (one vectorised init); an indicator that moves
    depends on it. {indicator: [parameter, ...]}."""
    sector = BY_NAME[sector_name]
    base = sector_arrays(scenario, sector, 1)
    keys = [k for k, v in named_views(sector, base).items() if np.any(v != 0)]
    n = len(keys) + 1
    arrays = {k: np.repeat(v, n, axis=0) for k, v in base.items()}
    named = named_views(sector, arrays)
    for i, k in enumerate(keys, start=1):
        named[k][i] = named[k][i] * (1.0 + rel_step)
    values = _base_year(sector, arrays)
    out = {}
    for ind, v in values.items():
        v = np.asarray(v, dtype=float).reshape(n, -1).sum(axis=1)
        moved = np.abs(v[1:] - v[0]) > 1e-9 * max(abs(v[0]), 1.0)
        out[ind] = [k for k, m in zip(keys, moved) if m]
    return out


def derived_lines(scenario: Scenario) -> list[str]:
    """What each sector derived for the base year from the figures stated, and from which coefficients
    (with where each coefficient's value comes from), for `agrosim validate`."""
    figures = stated_figures(scenario)
    values = base_year_values(scenario)
    lines = []
    for name in scenario.sectors:
        sector = BY_NAME[name]
        mine = [f for f in figures if f.sector == name]
        if is_link(name) or not mine:
            continue
        taken = {f.indicator for f in mine if f.taken}
        checked = {f.indicator: f for f in mine if not f.taken}
        deps = drivers(scenario, name)
        derived = [i for i in sector.indicators if i.name not in taken and deps.get(i.name)
                   and values.get(i.name, 0) != 0]
        if not derived:
            continue
        given = ", ".join(f"{f.indicator} {_shown(f.value, f.indicator)}" for f in mine if f.taken)
        made = ", ".join(f"{i.name} {_shown(values[i.name], i.name)}"
                         + (f" (stated {_shown(checked[i.name].value, i.name)})" if i.name in checked else "")
                         for i in derived)
        taken = {ParamPath.parse(f.key).name for f in mine if f.taken}
        used = sorted({k for i in derived for k in deps[i.name] if k.split(".")[0] not in taken})
        section = scenario.resolved.get(name) or {}
        coeffs = ", ".join(f"{k} {_coefficient(scenario, name, k)}{'' if k.split('.')[0] in section else ' (default)'}"
                           for k in used)
        lines.append(f"    {name}: from {given}, derived {made}" + (f"; coefficients: {coeffs}" if coeffs else ""))
    return lines


def _coefficient(scenario: Scenario, sector: str, key: str) -> str:
    pv = scenario.params[sector].get(key)
    if pv is None:  # a table column: name the rows' values
        cells = ((ParamPath.in_sector(sector, k), v) for k, v in scenario.params[sector].items())
        rows = {path.row: v.value for path, v in cells if path.table and path.spec_key == key and v.value}
        return "[" + ", ".join(f"{r} {v:g}" for r, v in rows.items()) + "]"
    spec = BY_NAME[sector].param_specs()[key]
    value = _base_value(scenario, sector, spec)
    return f"{value:g} {spec.unit}" if spec.unit != "1" else f"{value:g}"


def placeholder_lines(scenario: Scenario) -> list[str]:
    """Every stated base figure still marked as an assumption, with what it drives: the sector's
    base year and the targets on that sector's indicators."""
    lines = []
    for f in stated_figures(scenario):
        if not f.assumption:
            continue
        own = {i.name for i in BY_NAME[f.sector].indicators}
        targets = [t.id for t in scenario.targets if t.indicator in own]
        rng = (f" range {_shown(f.range[0], f.indicator)}–{_shown(f.range[1], f.indicator)}" if f.range else "")
        lines.append(f"    {f.key} = {_shown(f.value, f.indicator)}{rng}: drives the {f.sector} base year"
                     + (f" and targets {', '.join(targets)}" if targets else ""))
    return lines


def counts(scenario: Scenario) -> tuple[int, int]:
    """(sourced, assumed) stated base figures."""
    figures = stated_figures(scenario)
    assumed = sum(f.assumption for f in figures)
    return len(figures) - assumed, assumed


def inert_draws(scenario: Scenario) -> list[str]:
    """Uncertain base parameters that cannot move the indicator they state, because the sector
    derives it from other stated figures (a dairy yield where milk and the herd are stated)."""
    lines, deps = [], {}
    for dist in scenario.uncertainty:
        where = ParamPath.parse(dist.param)
        sector, name = where.sector, where.local
        spec = BY_NAME[sector].param_specs().get(name)
        if spec is None or spec.base_of is None or is_link(sector):
            continue
        deps.setdefault(sector, drivers(scenario, sector))
        if name not in deps[sector].get(spec.base_of, [name]):
            lines.append(f"uncertainty on {dist.param} has no effect: the {sector} sector derives {spec.base_of} "
                         "from the other base figures the file states (see `agrosim validate`)")
    return lines


def check(scenario: Scenario, strict: bool) -> list[str]:
    """Contradictions in the base year: raise InputError (exit 2) under `strict`, else warning lines;
    plus a warning for each uncertain base parameter the base year does not use."""
    problems = contradictions(scenario)
    if problems and strict:
        raise InputError(problems)
    return [f"base-year contradiction: {p}" for p in problems] + inert_draws(scenario)


def validate_lines(scenario: Scenario) -> list[str]:
    """The base-year part of `agrosim validate`: closure, derived structure, placeholders."""
    closures = closure(scenario)
    if not closures:
        return [f"  base year {scenario.base_year}: no base figure stated"]
    worst = max(closures, key=lambda c: abs(c.gap))
    closing = sum(c.closes for c in closures)
    lines = [f"  base year {scenario.base_year}: {closing} of {len(closures)} stated base figures reproduced "
             f"(largest gap {worst.figure.key} {worst.gap:+.2%}, tolerance {worst.figure.tolerance:.1%})"]
    derived = derived_lines(scenario)
    if derived:
        lines += ["  derived base-year structure (what was not stated, and the coefficients it rests on):", *derived]
    assumed = placeholder_lines(scenario)
    if assumed:
        lines += [f"  base figures still assumptions ({len(assumed)}):", *assumed]
    return lines
