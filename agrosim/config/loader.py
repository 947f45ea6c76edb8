"""Read a scenario: follow `extends:` chains, merge, apply dotted overrides and validate every section
against the schema and the sectors' declarations, collecting every problem with the file it came from.

This is the config layer's half of loading: no event calendar, no run arrays. `read_scenario` returns
a `Draft` with the problems found so far; agrosim/prepare.py (the design layer) runs the event
calendar, sorts the placeholders, checks the base year and each sector's cross-parameter rules, adds
its own problems and raises them all together. `agrosim.load_scenario` is that composition.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from agrosim.config.declarations import Declared, param_paths, section_params
from agrosim.config.distributions import Distribution, correlation_matrix, parse_distribution
from agrosim.config.events import (CAPACITY_PARAM, LOSS_PARAM, DroughtModel, EventInputs, OutbreakModel,
                                   ProjectModel, parse_drought, parse_outbreak, parse_project)
from agrosim.config.scenario import InconsistencyModel, LandClaims, Target, TargetModel, TopLevel
from agrosim.config.spec import ParamValue, parse_param, parse_scalar, ParamSpec
from agrosim.config.yaml_io import read_yaml
from agrosim.errors import InputError, Problem, ValueProblem, did_you_mean
from agrosim.limits import MAX_EXTENDS_DEPTH, MAX_NAME_CHARS
from agrosim.config.investments import Investment, InvestmentModel, parse_investment
from agrosim.parampath import ParamPath
from agrosim.paths import bundled_file
from agrosim.units import UnitError, parse_quantity, parse_year

#: top-level keys besides one section per sector (the registry's names)
TOP_KEYS = ("name", "title", "description", "extends", "overrides", "region", "base_year", "end_year",
            "seed", "runs", "targets", "uncertainty", "correlations", "budget", "projects", "outbreaks",
            "droughts", "investments", "sectors", "land_claims", "inconsistencies", "fixed_assumptions", "base_figures")
Registry = Mapping[str, Declared]

Origins = dict[tuple, str]
MAX_YEARS = 100
#: what an entry of `uncertainty:` looks like
A_DISTRIBUTION = "a distribution such as {dist: uniform, low: …, high: …}"


def _resolve_extends(ref: Any, here: Path, shown: str) -> Path:
    if not isinstance(ref, str) or not ref.strip():
        raise InputError([Problem(shown, "extends", repr(ref), "a path to a parameter file or scenario")])
    candidate = (here.parent / ref).resolve()
    if candidate.is_file():
        return candidate
    named = bundled_file(ref)
    if named is not None:
        return named
    raise InputError([Problem(shown, "extends", f"'{ref}', which does not exist (looked for {candidate})",
                              "an existing file, relative to this one, or a bundled region or scenario by name "
                              "(`agrosim list`)")])


def _merge(base: dict, top: dict, origins: Origins, file: str, prefix: tuple = ()) -> dict:
    """Deep-merge `top` into a copy of `base`; lists and scalars replace; record who set each key."""
    out = dict(base)
    for key, value in top.items():
        path = prefix + (key,)
        whole = path[:1] != ("targets",) and (_is_leaf(value) or _is_leaf(out.get(key))) or _is_dist(value)
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not whole:
            out[key] = _merge(out[key], value, origins, file, path)
        else:
            out[key] = copy.deepcopy(value)
            for old in [p for p in origins if p[: len(path)] == path]:
                del origins[old]
        origins[path] = file
    return out


def _is_leaf(value: Any) -> bool:
    """A documented parameter ({value: …, source: …}) replaces, and is replaced, as a whole rather
    than merging (a schedule over a documented value replaces it). Targets merge field by field."""
    return isinstance(value, dict) and "value" in value


def _is_dist(value: Any) -> bool:
    """A distribution written whole (with its `dist:`) replaces the one before it rather than merging
    with it: a uniform over a normal must not keep the normal's mean and sd. A dotted override of one
    field (`uncertainty.x.sd`) still changes only that field."""
    return isinstance(value, dict) and "dist" in value


def _apply_overrides(data: dict, overrides: Any, origins: Origins, file: str) -> dict:
    if not isinstance(overrides, dict):
        raise InputError([Problem(file, "overrides", repr(overrides), "a mapping of dotted.key.path: value")])
    for dotted, value in overrides.items():
        keys = [_override_key(k) for k in str(dotted).split(".")]
        nested: Any = value
        for key in reversed(keys):
            nested = {key: nested}
        data = _merge(data, nested, origins, file)
    return data


def _override_key(text: str):
    """One part of a dotted override: a year (ASCII or full-width digits) as int, else the text."""
    try:
        return parse_year(text)
    except UnitError:
        return text


def _load_chain(path: Path, stack: tuple[Path, ...], origins: Origins) -> dict:
    path = path.resolve()
    shown = str(path)
    if path in stack:
        cycle = " -> ".join(str(p) for p in stack + (path,))
        raise InputError([Problem(shown, "extends", f"a cycle: {cycle}", "a chain of extends that ends")])
    if len(stack) >= MAX_EXTENDS_DEPTH:
        chain = [str(p) for p in stack + (path,)]
        shown_chain = " -> ".join(chain if len(chain) <= 6 else chain[:3] + [f"… {len(chain) - 6} more …"] + chain[-3:])
        raise InputError([Problem(str(stack[0]), "extends", f"a chain of more than {MAX_EXTENDS_DEPTH} files: {shown_chain}",
                                  f"at most {MAX_EXTENDS_DEPTH} files in one extends chain")])
    data = read_yaml(path)
    base: dict = {}
    if "extends" in data:
        parent = _resolve_extends(data["extends"], path, shown)
        base = _load_chain(parent, stack + (path,), origins)
        base.pop("name", None)
    own = {k: v for k, v in data.items() if k not in ("extends", "overrides")}
    merged = _merge(base, own, origins, shown)
    if "overrides" in data:
        merged = _apply_overrides(merged, data["overrides"], origins, shown)
    return merged


def _origin(origins: Origins, path: tuple, default: str) -> str:
    for cut in range(len(path), 0, -1):
        if path[:cut] in origins:
            return origins[path[:cut]]
    return default


class Collector:
    """Gathers problems with the file each key came from."""

    def __init__(self, origins: Origins, top_file: str):
        self.origins, self.top_file, self.problems = origins, top_file, []

    def add(self, path: tuple, found: str, expected: str) -> None:
        file = _origin(self.origins, path, self.top_file)
        self.problems.append(Problem(file, ".".join(str(p) for p in path), found, expected))

    def unknown_keys(self, mapping: dict, allowed, path: tuple) -> None:
        for key in mapping:
            if key not in allowed:
                self.add(path + (key,), f"unknown key '{key}'{did_you_mean(key, allowed)}",
                         "one of: " + ", ".join(str(a) for a in allowed))

    def validation(self, path: tuple, exc: ValidationError) -> None:
        """One problem per pydantic error of a section, at its key path under `path`."""
        for err in exc.errors():
            found = "nothing" if err["type"] == "missing" else repr(err.get("input"))
            self.add(path + tuple(err["loc"]), found, err["msg"])

    def value(self, raw: Any, spec: ParamSpec, path: tuple) -> ParamValue | None:
        try:
            return parse_param(raw, spec)
        except (ValueProblem, ValidationError) as exc:
            self.refused(path, exc, "a documented value {value, source, range}")
            return None

    def refused(self, path: tuple, exc: ValueProblem | ValidationError, shape: str) -> None:
        """The problem of a value a parser refused: a ValueProblem's own found and expected, or the first
        error of a pydantic schema with `shape` (what the entry should look like) as expected."""
        if isinstance(exc, ValueProblem):
            self.add(path + exc.key, exc.found, exc.expected)
            return
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        self.add(path, f"{loc}: {err['msg']}" if loc else err["msg"], shape)


def _sector_params(section: Any, sector, col: Collector) -> dict[str, ParamValue]:
    path = (sector.name,)
    if not isinstance(section, dict):
        col.add(path, repr(section), f"a mapping of {sector.name} parameters")
        return {}
    tables = [t for t in sector.tables if not t.prefixed]  # a prefixed table's cells are section keys
    col.unknown_keys(section, [p.name for p in section_params(sector)] + [t.name for t in tables], path)
    out: dict[str, ParamValue] = {}
    for spec in section_params(sector):
        if spec.name in section:
            value = col.value(section[spec.name], spec, path + (spec.name,))
            if value is not None:
                out[spec.name] = value
        elif spec.default is None:
            col.add(path + (spec.name,), "nothing", f"a value for required key '{spec.name}' in {spec.unit}")
        else:
            out[spec.name] = ParamValue(spec.default)
    for table in tables:
        rows = section.get(table.name, {})
        tpath = path + (table.name,)
        if not isinstance(rows, dict):
            col.add(tpath, repr(rows), f"a mapping of {', '.join(table.keys)}")
            continue
        col.unknown_keys(rows, table.keys, tpath)
        for key in table.keys:
            row = rows.get(key)
            if row is not None and not isinstance(row, dict):
                col.add(tpath + (key,), repr(row), "a mapping of " + ", ".join(p.name for p in table.params))
                row = None
            if row is not None:
                col.unknown_keys(row, [p.name for p in table.params], tpath + (key,))
            for spec in table.params:
                flat = f"{table.name}.{key}.{spec.name}"
                default = table.row_defaults.get(key, {}).get(spec.name, spec.default)
                if row is not None and spec.name in row:
                    value = col.value(row[spec.name], spec, tpath + (key, spec.name))
                    if value is not None:
                        out[flat] = value
                elif row is not None and default is None:
                    col.add(tpath + (key, spec.name), "nothing", f"a value for required key '{spec.name}'")
                else:  # an omitted row takes no part (zeros); a listed row takes its defaults
                    out[flat] = ParamValue(default if row is not None else 0.0)
    return out


def read_targets(models: dict, sectors: list[Declared], col: Collector) -> list[Target]:
    """Targets from their validated models (`TargetModel` by id; None entries skipped) over the
    indicators of `sectors`: value and `upper` in the indicator's internal unit, the unit as written,
    `realised`. A problem (unknown indicator, bad value, upper below value) goes to `col` and the
    target is left out. The loader reads a scenario's targets with it; `regions` those whose sector
    the file does not run."""
    indicators = {i.name: i for s in sectors for i in s.indicators}
    out = []
    for tid, model in models.items():
        if model is None:
            continue
        path = ("targets", tid)
        ind = indicators.get(model.indicator)
        if ind is None:
            col.add(path + ("indicator",), f"'{model.indicator}'{did_you_mean(model.indicator, indicators)}",
                    "an indicator of the scenario's sectors: " + ", ".join(sorted(indicators)))
            continue
        if model.realised is not None and model.realised not in indicators:
            col.add(path + ("realised",), f"'{model.realised}'{did_you_mean(model.realised, indicators)}",
                    "an indicator of the scenario's sectors")
            continue
        spec = ParamSpec(model.indicator, ind.unit, ind.en)
        try:
            value = parse_scalar(model.value, spec)
            upper = None if model.upper is None else parse_scalar(model.upper, spec)
        except ValueProblem as exc:
            col.add(path + ("value",), exc.found, exc.expected)
            continue
        if upper is not None and not upper >= value:
            col.add(path + ("upper",), f"upper {model.upper} below value {model.value}",
                    "an upper bound at least the target value")
            continue
        number, unit = parse_quantity(model.value) if isinstance(model.value, str) else (value, None)
        written = unit is not None and unit.text != ""
        out.append(Target(
            id=tid, indicator=model.indicator, kind=model.kind, value=value, year=model.year,
            unit_written=unit.text if written else ind.display_unit,
            value_written=number if written else value, upper=upper,
            tolerance=model.tolerance, from_year=model.from_year, aspirational=model.aspirational,
            en=model.en or ind.en, zh=model.zh or ind.zh, source=model.source, reading=model.reading,
            realised=model.realised))
    return out


def _default_dist(path: str, spec: ParamSpec, params: dict) -> dict:
    """`path: plausible`: uniform over the range documented for the value (`range:` in a region file or
    scenario), else over the coefficient's declared plausible range."""
    where = ParamPath.parse(path)
    value = params.get(where.sector, {}).get(where.local)
    bounds = value.range if value is not None and value.range else spec.plausible
    if not bounds or not all(math.isfinite(b) for b in bounds) or not bounds[0] < bounds[1]:
        raise ValueProblem(f"'plausible' for {path}, which has no documented or declared plausible range",
                           A_DISTRIBUTION)
    low, high = (b if spec.unit == "1" else f"{b:.17g} {spec.unit}" for b in bounds)
    return {"dist": "uniform", "low": low, "high": high}


def _uncertainty(raw: Any, pairs: Any, registry: Registry, sectors: list[str], col: Collector, params: dict):
    if raw in (None, {}):
        raw = {}
    if not isinstance(raw, dict):
        col.add(("uncertainty",), repr(raw), "a mapping of sector.param: {dist: ...}")
        return [], []
    known = param_paths(registry[s] for s in sectors)
    dists, skipped = [], set()
    for path, spec_raw in raw.items():
        spec = known.get(str(path))
        if spec is None and _sector_of(str(path)) in registry and _sector_of(str(path)) not in sectors:
            skipped.add(str(path))  # a sector left out by `sectors:` takes its uncertainty with it
            continue
        if spec is None:
            col.add(("uncertainty", path), f"unknown parameter '{path}'{did_you_mean(path, known)}",
                    "sector.param of an active sector")
            continue
        if spec_raw is None:
            continue
        try:
            if spec_raw == "plausible":
                spec_raw = _default_dist(str(path), spec, params)
            dists.append(parse_distribution(str(path), spec_raw, spec))
        except (ValueProblem, ValidationError) as exc:
            col.refused(("uncertainty", path), exc, A_DISTRIBUTION)
    names = [d.param for d in dists]
    corr_pairs = []
    if pairs is not None and not isinstance(pairs, list):
        col.add(("correlations",), repr(pairs), "a list of [param_a, param_b, rho]")
        pairs = []
    for i, item in enumerate(pairs or []):
        ok = isinstance(item, list) and len(item) == 3 and all(isinstance(x, str) for x in item[:2]) \
            and isinstance(item[2], (int, float)) and not isinstance(item[2], bool) and -1 < item[2] < 1
        if not ok:
            col.add(("correlations", i), repr(item), "[param_a, param_b, rho] with -1 < rho < 1")
        elif item[0] in skipped or item[1] in skipped:
            continue
        elif item[0] not in names or item[1] not in names or item[0] == item[1]:
            col.add(("correlations", i), repr(item), "two different parameters listed under uncertainty")
        else:
            corr_pairs.append((item[0], item[1], float(item[2])))
    return dists, corr_pairs


def _sector_of(path: str) -> str | None:
    """The sector a parameter path names, or None for text that is no parameter path."""
    try:
        return ParamPath.parse(path).sector
    except ValueProblem:
        return None


def _events(merged: dict, head, known: dict[str, ParamSpec], sectors: list[str], col: Collector,
            uncertain: set[str]) -> EventInputs | None:
    """Parse budget, projects, outbreaks and droughts (agrosim.events.plan runs the calendar over them);
    None if any problem was found so far."""
    years = list(range(head.base_year, head.end_year + 1))
    budget = None
    if merged.get("budget") is not None:
        budget = {}
        spec = ParamSpec("budget", "yuan", "budget", lo=0)
        raw = merged["budget"]
        if not isinstance(raw, dict):
            col.add(("budget",), repr(raw), "a mapping {year: amount}, e.g. {2021: 5 亿元}")
            raw = {}
        for key, amount in raw.items():
            year = _override_key(str(key))
            if year not in years[1:] or year in budget:
                col.add(("budget", key), repr(key), f"a year in {years[1]}..{years[-1]}, each once")
                continue
            try:
                budget[year] = parse_scalar(amount, spec)
            except ValueProblem as exc:
                col.add(("budget", year), exc.found, exc.expected)
    parsed = {"projects": [], "outbreaks": [], "droughts": []}
    def places_unit(raw: Any) -> str:
        spec = known.get(f"{raw.get('sector')}.{CAPACITY_PARAM}") if isinstance(raw, dict) else None
        return spec.unit.split("/")[0] if spec else "head"

    parsers = {"projects": (lambda r: parse_project(r, head.base_year, places_unit(r)), ProjectModel),
               "outbreaks": (parse_outbreak, OutbreakModel), "droughts": (parse_drought, DroughtModel)}
    for key, (parse, model) in parsers.items():
        items = merged.get(key) or []
        if not isinstance(items, list):
            col.add((key,), repr(items), f"a list of {key}")
            continue
        for i, raw in enumerate(items):
            try:
                if not isinstance(raw, dict):
                    raise ValueProblem(repr(raw), "a mapping")
                parsed[key].append(parse(raw))
            except (ValueProblem, ValidationError) as exc:
                col.refused((key, i), exc, _mapping_of(model))
    for key, param in (("projects", CAPACITY_PARAM), ("outbreaks", LOSS_PARAM)):
        for i, item in enumerate(parsed[key]):
            path = f"{item.sector}.{param}"
            if path not in known:
                col.add((key, i, "sector"), f"'{item.sector}'",
                        f"an active sector with {param}: " + ", ".join(sorted({p.sector for p in map(ParamPath.parse, known)
                                                                              if p.name == param})) or "none")
            elif key == "outbreaks" and item.probability_per_yr is not None and path in uncertain:
                col.add((key, i), f"a stochastic outbreak on {path}", "no uncertainty distribution on the same parameter")
    for key, year_of in (("outbreaks", lambda o: o.year), ("droughts", lambda d: d[1])):
        for i, item in enumerate(parsed[key]):
            year = year_of(item)
            if year is not None and year not in years[1:]:
                col.add((key, i, "year"), str(year), f"a year in {years[1]}..{years[-1]}")
    if parsed["droughts"] and "land_grain" not in sectors:
        col.add(("droughts",), "droughts without a land_grain section", "a land_grain section")
    if col.problems:
        return None
    return EventInputs(years, parsed["projects"], parsed["outbreaks"], parsed["droughts"], budget)


def _investments(raw: Any, known: dict[str, ParamSpec], col: Collector, uncertain: set[str]) -> list[Investment]:
    if raw in (None, {}):
        return []
    if not isinstance(raw, dict):
        col.add(("investments",), repr(raw), "a mapping name: {param, cost, ...}")
        return []
    out = []
    for name, item in raw.items():
        try:
            param = item.get("param") if isinstance(item, dict) else None  # a list or mapping is no key of `known`
            inv = parse_investment(str(name), item, known.get(param) if isinstance(param, str) else None)
        except (ValueProblem, ValidationError) as exc:
            col.refused(("investments", name), exc, _mapping_of(InvestmentModel))
            continue
        if inv.param in uncertain:
            col.add(("investments", name, "param"), f"'{inv.param}', which also has a distribution",
                    "a parameter that is not uncertain")
            continue
        out.append(inv)
    return out


def _mapping_of(model) -> str:
    """What an entry of a section with pydantic schema `model` looks like: 'a mapping {name, sector, …}'."""
    return "a mapping {" + ", ".join(model.model_fields) + "}"


def _inconsistencies(raw: Any, target_ids: set[str], col: Collector) -> dict[str, InconsistencyModel]:
    """The `inconsistencies:` section: what the plan contradicts, with the figures and their lines."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        col.add(("inconsistencies",), repr(raw), "a mapping id: {en, zh, targets, evidence}")
        return {}
    out = {}
    for key, item in raw.items():
        try:
            out[str(key)] = model = InconsistencyModel.model_validate(item)
        except ValidationError as exc:
            col.validation(("inconsistencies", key), exc)
            continue
        for i, tid in enumerate(model.targets):
            if tid not in target_ids:
                col.add(("inconsistencies", key, "targets", i), f"'{tid}'{did_you_mean(tid, target_ids)}",
                        "a target id of the scenario")
    return out


def _land_claims(raw: Any, registry: Registry, col: Collector) -> LandClaims:
    """The `land_claims:` section; priority names must be sectors that claim cultivated land."""
    if raw is None:
        return LandClaims()
    try:
        settings = LandClaims.model_validate(raw)
    except ValidationError as exc:
        col.validation(("land_claims",), exc)
        return LandClaims()
    claiming = [s.name for s in registry.values() if s.land_claim]
    for i, name in enumerate(settings.priority):
        if name not in claiming:
            col.add(("land_claims", "priority", i), f"'{name}'{did_you_mean(name, claiming)}",
                    "a sector that claims cultivated land: " + ", ".join(claiming))
    return settings


def _active_sectors(merged: dict, registry: Registry, col: Collector) -> list[str]:
    """The sector sections present, or the subset named by `sectors: [...]` (a grain-only run of a
    region file that also holds herds, say)."""
    present = [name for name in registry if name in merged]
    chosen = merged.get("sectors")
    if chosen is None:
        return present
    if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
        col.add(("sectors",), repr(chosen), "a list of sector names, e.g. [land_grain]")
        return present
    for i, name in enumerate(chosen):
        if name not in present:
            col.add(("sectors", i), f"'{name}'{did_you_mean(name, present)}",
                    "a sector with a section in the scenario: " + ", ".join(present))
    return [name for name in present if name in chosen]


def _targets_of(models: dict, active: list[str], registry: Registry) -> dict:
    """Targets on indicators of active sectors, plus any on unknown indicators (reported later)."""
    owner = {i.name: s.name for s in registry.values() for i in s.indicators}
    return {tid: m for tid, m in models.items() if m is None or owner.get(m.indicator, active[0] if active else None) in active}


def _single_draws_on_schedules(dists: list, params: dict, col: Collector) -> None:
    """A single draw would replace a scenario's yearly schedule: refuse it (see agrosim/compose.py)."""
    for d in dists:
        where = ParamPath.parse(d.param)
        value = params.get(where.sector, {}).get(where.local)
        if d.per_year or value is None or not isinstance(value.value, dict) or len(set(value.value.values())) < 2:
            continue
        col.add(("uncertainty", d.param), f"one draw per run on a parameter the scenario schedules by year "
                f"({value.value})", "per_year: true, so the doubt is drawn around the schedule each year, "
                "or no schedule")


@dataclass
class Draft:
    """A scenario read and checked against the schema, before the design step (agrosim/prepare.py):
    the events are parsed but not run, placeholders not yet sorted. `problems` holds what was found so
    far; the design step adds its own and raises them together, so a user sees every problem at once."""

    head: TopLevel
    file: str
    resolved: dict
    params: dict[str, dict[str, ParamValue]]
    targets: list[Target]
    uncertainty: list[Distribution]
    correlation: Any
    events: EventInputs | None
    investments: list[Investment]
    land_claims: LandClaims
    inconsistencies: dict[str, InconsistencyModel]
    problems: Collector


def read_scenario(path: str | Path, registry: Registry, overrides: dict | None = None) -> Draft:
    """Read, merge and validate a scenario file against the sectors declared in `registry` (name →
    declarations, in stepping order). Raises InputError at once only when the top level does not
    validate; every other problem is collected in `Draft.problems` for the caller to raise.

    `overrides` are dotted key paths applied last, as from the command line (e.g. {"end_year": 2030}).
    """
    path = Path(path)
    origins: Origins = {}
    top = str(path.resolve())
    merged = _load_chain(path, (), origins)
    own = read_yaml(path)
    merged["name"] = own.get("name") or path.stem
    if overrides:
        merged = _apply_overrides(merged, overrides, origins, "command line")
    col = Collector(origins, top)
    col.unknown_keys(merged, TOP_KEYS + tuple(registry), ())
    try:
        head = TopLevel.model_validate({k: v for k, v in merged.items() if k not in registry})
    except ValidationError as exc:
        for err in exc.errors():
            if err["type"] == "extra_forbidden" and err["loc"][0] != "targets":
                continue
            loc = tuple(err["loc"])
            found = "nothing" if err["type"] == "missing" else repr(err.get("input"))
            if err["type"] == "extra_forbidden":
                allowed = list(TargetModel.model_fields)
                found = f"unknown key '{loc[-1]}'{did_you_mean(loc[-1], allowed)}"
            col.add(loc, found, err["msg"])
        raise InputError(col.problems) from None
    if len(head.name) > MAX_NAME_CHARS:
        col.add(("name",), f"a name of {len(head.name)} characters",
                f"at most {MAX_NAME_CHARS} characters (report folders add suffixes such as '-sensitivity' to it)")
    if not head.base_year < head.end_year <= head.base_year + MAX_YEARS:
        col.add(("end_year",), str(head.end_year),
                f"a year after base_year {head.base_year} and at most {MAX_YEARS} years after it")
    active = _active_sectors(merged, registry, col)
    params = {name: _sector_params(merged[name], sector, col) for name, sector in registry.items() if name in active}
    if not params:
        col.add((), "no sector sections", "at least one of: " + ", ".join(registry))
    targets = read_targets(_targets_of(head.targets, active, registry), [registry[s] for s in params], col)
    dists, pairs = _uncertainty(merged.get("uncertainty"), merged.get("correlations"), registry, list(params), col,
                                params)
    _single_draws_on_schedules(dists, params, col)
    corr = None
    if pairs:
        try:
            corr = correlation_matrix([d.param for d in dists], pairs)
        except ValueProblem as exc:
            col.add(("correlations",), exc.found, exc.expected)
    for t in targets:
        if not head.base_year < t.year <= head.end_year:
            col.add(("targets", t.id, "year"), str(t.year), f"a year in {head.base_year + 1}..{head.end_year}")
        if t.from_year is not None and not head.base_year < t.from_year <= t.year:
            col.add(("targets", t.id, "from_year"), str(t.from_year), f"a year in {head.base_year + 1}..{t.year}")
    known = param_paths(registry[s] for s in params)
    uncertain = {d.param for d in dists}
    events = _events(merged, head, known, list(params), col, uncertain)
    investments = _investments(merged.get("investments"), known, col, uncertain)
    land_claims = _land_claims(merged.get("land_claims"), registry, col)
    inconsistencies = _inconsistencies(merged.get("inconsistencies"), set(head.targets), col)
    return Draft(head=head, file=top, resolved=dict(merged), params=params, targets=targets, uncertainty=dists,
                 correlation=corr, events=events, investments=investments, land_claims=land_claims,
                 inconsistencies=inconsistencies, problems=col)
