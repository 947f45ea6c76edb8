"""The explorer's model, free of any web framework: a scenario's levers, and what the page asks for
(recompute, feasibility map, save as scenario, export report), each built on the public API.

Values from the page arrive as text in each lever's plan unit. They become a dict of dotted
overrides that `load_scenario` validates, exactly as if written in a scenario file; the same
dict is what "save as scenario" writes, so a saved scenario reproduces the page's numbers.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from agrosim.analysis.levers import Lever, lever
from agrosim.analysis.probability import target_table
from agrosim.analysis.sweep import design_points
from agrosim.api import run
from agrosim.batch import Design
from agrosim.config import Scenario
from agrosim.config.distributions import Distribution
from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.engine import simulate
from agrosim.errors import InputError, Problem
from agrosim.param_arrays import time_row
from agrosim.paths import atomic_file
from agrosim.parampath import ParamPath
from agrosim.prepare import load_scenario
from agrosim.report.charts import light
from agrosim.report.lang import check_lang
from agrosim.report.writer import report_dir
from agrosim.results import QUANTILES, Results
from agrosim.registry import BY_NAME, param_paths
from agrosim.targets import met_runs
from agrosim.units import convert, display_unit, from_internal, unit_en

MAX_TEXT = 64  # longest value text accepted from the page
SAVED = "scenarios"  # folder under the output root that receives saved scenarios
_SOURCE = "explorer"


@dataclass(frozen=True)
class Control:
    """One input on the page: a parameter path, its range and value in the plan's unit."""

    path: str
    spec: ParamSpec
    unit: str
    low: float
    high: float
    current: float
    dist: Distribution | None

    def shown(self, value: float) -> float:
        """A value in the spec's unit (month, mu, …) in the plan unit shown on the page."""
        return float(convert(value, self.spec.unit, self.unit))

    def describe(self) -> dict:
        where = ParamPath.parse(self.path)
        return {
            "path": self.path, "sector": where.sector, "name": where.local, "en": self.spec.description.rstrip("."),
            "zh": self.spec.zh, "unit": self.unit, "unit_en": unit_en(self.unit),
            "low": self.shown(self.low), "high": self.shown(self.high), "current": self.shown(self.current),
            "step": _step(self.shown(self.low), self.shown(self.high)),
            "dist": _dist_text(self) if self.dist else None, "per_year": bool(self.dist and self.dist.per_year),
        }


def _step(low: float, high: float) -> float:
    """A round slider step giving about 100–200 positions over the range."""
    return 10.0 ** math.floor(math.log10((high - low) / 100)) if high > low else 1.0


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _dist_text(c: Control) -> str:
    d = c.dist
    args = ", ".join(f"{k} {_fmt(c.shown(v))}" for k, v in d.args.items() if k in ("low", "mode", "high", "mean", "sd",
                                                                                "median"))
    if d.dist == "lognormal":
        args += f", sigma {_fmt(d.args['sigma'])}"
    if d.dist == "choice":
        args = " | ".join(_fmt(c.shown(v)) for v in d.args["values"])
    return f"{d.dist}({args})"


def _support(d: Distribution) -> tuple[float, float]:
    """Where a distribution's draws lie: its bounds, else ±3 sd (normal) or ×/÷ e^(3σ) (lognormal)."""
    a = d.args
    if d.dist == "choice":
        return min(a["values"]), max(a["values"])
    if d.dist == "normal":
        return a.get("low", a["mean"] - 3 * a["sd"]), a.get("high", a["mean"] + 3 * a["sd"])
    if d.dist == "lognormal":
        return a["median"] * math.exp(-3 * a["sigma"]), a["median"] * math.exp(3 * a["sigma"])
    return a["low"], a["high"]


def _unit(spec: ParamSpec, largest: float) -> str:
    """The plan's unit for the parameter, unless it would show the whole range below 0.1 (a litter of
    0.001 万头): then the parameter's own unit."""
    shown = display_unit(spec.unit)
    return shown if convert(largest, spec.unit, shown) >= 0.1 else spec.unit


def _centre(d: Distribution) -> float:
    a = d.args
    return a.get("mode", a.get("mean", a.get("median", (min(_support(d)) + max(_support(d))) / 2)))


def controls(scenario: Scenario) -> dict[str, Control]:
    """Every parameter with a documented or plausible range, and every uncertain input, by path."""
    specs = param_paths(scenario.sectors)
    dists = {d.param: d for d in scenario.uncertainty}
    out = {}
    for path, spec in specs.items():
        where = ParamPath.parse(path)
        documented = scenario.params[where.sector][where.local].range or spec.plausible
        dist = dists.get(path)
        if not documented and dist is None:
            continue
        bounds = [_support(dist)] if dist is not None else []
        if documented:
            lv = lever(scenario, path)
            bounds.append((lv.low, lv.high))
        low = max(spec.lo, min(b[0] for b in bounds))
        high = min(spec.hi, max(b[1] for b in bounds))
        if not math.isfinite(high - low):
            continue  # an open-ended plausible range makes no slider
        drawn_placeholder = scenario.placeholders is not None and path in scenario.placeholders.drawn
        current = _centre(dist) if dist is not None and not drawn_placeholder else lever(scenario, path).current
        out[path] = Control(path, spec, _unit(spec, max(abs(low), abs(high))), low, high, current, dist)
    return out


class Explorer:
    """A scenario file opened for what-if questions: `runs` runs per recompute on the scenario's seed."""

    def __init__(self, path: str | Path, runs: int = 2000, out_root: str | Path = "reports",
                 map_points: int = 7, map_reps: int = 40):
        self.path = Path(path).resolve()
        self.scenario = load_scenario(self.path)
        self.controls = controls(self.scenario)
        self.runs, self.out_root = runs, Path(out_root)
        self.map_points, self.map_reps = map_points, map_reps

    def _placeholders(self) -> tuple[str, ...]:
        held = self.scenario.placeholders
        return held.drawn if held else ()

    # ---- what the page shows before any computation -------------------------------------------
    def describe(self) -> dict:
        sc = self.scenario
        return {
            "file": str(self.path), "name": sc.name, "title": sc.title, "region": sc.region.model_dump(),
            "years": sc.years, "runs": self.runs, "seed": sc.seed,
            "map": {"points": self.map_points, "reps": self.map_reps},
            "sectors": {s: {"en": BY_NAME[s].title_en, "zh": BY_NAME[s].title_zh, "open": s in self._focus()}
                        for s in sc.sectors},
            "levers": [c.describe() for c in self.controls.values()],
            "targets": [{"id": t.id, "en": t.en, "zh": t.zh, "sector": self._sector_of(t.indicator), "kind": t.kind, "year": t.year, "value": t.value_written,
                         "unit": t.unit_written, "unit_en": unit_en(t.unit_written), "aspirational": t.aspirational,
                         "tolerance": t.tolerance, "from_year": t.from_year or sc.years[1],
                         "upper": None if t.upper is None else float(from_internal(t.upper, t.unit_written))}
                        for t in sc.targets],
        }

    def _sector_of(self, indicator: str) -> str:
        return next(s for s in self.scenario.sectors if indicator in {i.name for i in BY_NAME[s].indicators})

    def _focus(self) -> set[str]:
        """Sectors the scenario is about: those with an uncertain input, else those with a target."""
        uncertain = {ParamPath.parse(d.param).sector for d in self.scenario.uncertainty}
        return uncertain or {self._sector_of(t.indicator) for t in self.scenario.targets}

    # ---- page values → validated overrides ------------------------------------------------------
    def overrides(self, values: Any) -> dict:
        """Dotted overrides for the levers the page has set; a fixed uncertain input loses its draws."""
        if not isinstance(values, dict):
            raise InputError([Problem(_SOURCE, "values", type(values).__name__, "a mapping of lever path: value")])
        problems, out, fixed = [], {}, []
        for path, text in values.items():
            control = self.controls.get(path)
            if control is None:
                problems.append(Problem(_SOURCE, str(path)[:MAX_TEXT], "an unknown lever", "a lever listed on the page"))
            elif not isinstance(text, str) or len(text) > MAX_TEXT:
                problems.append(Problem(_SOURCE, path, repr(text)[:MAX_TEXT], f"a number as text, at most {MAX_TEXT} characters"))
            else:
                out[path] = self._written(control, f"{text.strip()} {control.unit}")
                if control.dist is not None and path not in self._placeholders():
                    fixed.append(path)  # a drawn placeholder is fixed by writing its value, not an uncertainty entry
        if problems:
            raise InputError(problems)
        if fixed:
            out["uncertainty"] = {path: None for path in fixed}
            pairs = self.scenario.resolved.get("correlations") or []
            kept = [p for p in pairs if not set(p[:2]) & set(fixed)]
            if len(kept) < len(pairs):
                out["correlations"] = kept
        return out

    def _written(self, control: Control, quantity: str) -> Any:
        """A lever's value as a scenario writes it: a time-varying one keeps its base-year value and takes the
        new value from the first simulated year; a documented range is kept so the lever stays a lever."""
        sc = self.scenario
        value: Any = quantity
        if control.spec.time_varying:
            base = time_row(sc, control.spec, control.path, with_events=False)[0]
            value = {sc.base_year: f"{control.shown(base):.12g} {control.unit}", sc.years[1]: quantity}
        raw = _lookup(sc.resolved, ParamPath.parse(control.path))
        if isinstance(raw, dict) and raw.get("range") is not None:
            return {"value": value, "range": raw["range"]}
        return value

    def load(self, values: Any, name: str | None = None) -> Scenario:
        """The scenario with the page's values, validated by the loader (InputError on bad input)."""
        overrides = self.overrides(values)
        if name is not None:
            overrides["name"] = name
        return load_scenario(self.path, overrides)

    def _lever_arrays(self, values: dict, n: int, skip: tuple = ()) -> dict[str, np.ndarray]:
        """The set levers as per-run overrides, in internal units."""
        return {path: np.full(n, parse_scalar(f"{text.strip()} {self.controls[path].unit}", self.controls[path].spec))
                for path, text in values.items() if path not in skip}

    # ---- recompute -------------------------------------------------------------------------
    def compute(self, values: dict) -> dict:
        """Scorecard and fan-chart bands for `runs` runs: the scenario's draws, the set levers as overrides."""
        sc = self.load(values)
        per_run = Design(self.runs, sc.seed).per_run(sc, 0, self.runs)
        per_run.update(self._lever_arrays(values, self.runs))
        results = simulate(sc, self.runs, per_run)
        return {"targets": _scorecard(sc, results), "bands": _bands(sc, results)}

    def feasibility(self, values: dict, x: str, y: str) -> dict:
        """P(met) per target over a grid of two levers (map_points² points × map_reps runs, common draws)."""
        if x not in self.controls or y not in self.controls or x == y:
            raise InputError([Problem(_SOURCE, "map", f"levers {x!r} and {y!r}", "two different levers of the page")])
        sc = self.load(values)
        axes = [self._grid_lever(p) for p in (x, y)]
        points = design_points(axes, "grid", [self.map_points] * 2, 0, 0)
        design = Design(len(points) * self.map_reps, sc.seed, {x: points[:, 0], y: points[:, 1]}, self.map_reps)
        per_run = design.per_run(sc, 0, design.runs)
        per_run.update(self._lever_arrays(values, design.runs, skip=(x, y)))
        results = simulate(sc, design.runs, per_run)
        k = self.map_points
        return {
            "x": [self.controls[x].shown(v) for v in np.linspace(axes[0].low, axes[0].high, k)],
            "y": [self.controls[y].shown(v) for v in np.linspace(axes[1].low, axes[1].high, k)],
            "reps": self.map_reps,
            # p[target][i][j]: x index i, y index j (the grid's row order)
            "p": {tg.id: met_runs(tg, results).reshape(k, k, self.map_reps).mean(axis=2).tolist() for tg in sc.targets},
        }

    def _grid_lever(self, path: str) -> Lever:
        c = self.controls[path]
        return Lever(path, c.spec, c.current, c.low, c.high)

    # ---- files ---------------------------------------------------------------------------------
    def save(self, values: dict, name: Any) -> Path:
        """Write OUT/scenarios/NAME.yaml: extends the opened scenario and lists only what changed."""
        if not isinstance(name, str):
            raise InputError([Problem(_SOURCE, "name", repr(name)[:MAX_TEXT], "a name")])
        folder = report_dir(self.out_root / SAVED, name)  # refuses names that could leave the folder
        target = folder.parent / f"{name}.yaml"
        self.load(values, name)
        if target.exists():
            raise InputError([Problem(str(target), "name", f"'{name}', which is already saved", "a new name")])
        target.parent.mkdir(parents=True, exist_ok=True)
        near = os.path.commonpath([self.path, target.parent.resolve()]) != os.path.sep
        doc = {"title": f"{self.scenario.title or self.scenario.name} (what-if)",
               "extends": os.path.relpath(self.path, target.parent.resolve()) if near else str(self.path),
               "overrides": self.overrides(values)}
        head = f"# Saved by `agrosim serve` from {self.path.name} on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.\n"
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None)
        with atomic_file(target) as tmp:
            tmp.write_text(head + text, encoding="utf-8")
        try:
            load_scenario(target)
        except InputError:
            target.unlink()
            raise
        return target

    def export(self, values: dict, name: Any, lang: str = "en") -> Path:
        """The report `agrosim run` writes, for the scenario with the page's values, as OUT/NAME/."""
        check_lang(lang)
        return run(self.load(values, str(name))).write(self.out_root, lang)


def _lookup(tree: dict, path: ParamPath) -> Any:
    """What the merged scenario file holds at a parameter's place (None where nothing is written)."""
    node: Any = tree
    for key in (path.sector, *path.keys):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _number(value: Any) -> Any:
    """JSON-safe: NaN and missing become null, numpy scalars plain Python."""
    if isinstance(value, np.generic):
        value = value.item()
    return None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value


def _scorecard(scenario: Scenario, results: Results) -> list[dict]:
    table = target_table(scenario, results)
    rows = []
    for rec in table.to_dict("records"):
        row = {k: _number(v) for k, v in rec.items()}
        row["light"] = light(row["verdict"])
        rows.append(row)
    return rows


def _bands(scenario: Scenario, results: Results) -> dict:
    """Per target: percentiles (p5…p95) of its indicator each year, in the target's written unit."""
    out = {}
    for tg in scenario.targets:
        values = from_internal(results.data[tg.indicator], tg.unit_written)
        pct = np.percentile(values, QUANTILES, axis=0)
        out[tg.id] = {f"p{q}": row.tolist() for q, row in zip(QUANTILES, pct)}
    return out

