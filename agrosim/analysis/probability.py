"""Monte Carlo summaries from chunk files: P(met) per target and jointly, percentile bands."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from agrosim.batch import read_columns
from agrosim.config.scenario import Scenario
from agrosim.engine import recorded_indicators
from agrosim.results import Results
from agrosim.targets import Thresholds, evaluate, judged_values, met_runs
from agrosim.units import from_internal

QUANTILES = (5, 25, 50, 75, 95)


def load_results(scenario: Scenario, paths: list[Path], indicators: list[str]) -> Results:
    """Results holding all runs of the named indicators (read column by column from the chunks)."""
    specs = recorded_indicators(scenario)
    cols = [f"{ind}|{y}" for ind in indicators for y in scenario.years]
    raw = read_columns(paths, ["run"] + cols)
    data = {ind: np.column_stack([raw[f"{ind}|{y}"] for y in scenario.years]) for ind in indicators}
    return Results(scenario.name, scenario.region.id, scenario.years, {i: specs[i] for i in indicators}, data,
                   raw["run"])


def target_table(scenario: Scenario, results: Results, confidence: float = 0.95,
                 thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Per-target verdicts with P(met), plus a final row for all targets met jointly."""
    thresholds = thresholds or Thresholds()
    table = evaluate(scenario.targets, results, confidence, thresholds)
    if len(scenario.targets) > 1:
        joint = np.logical_and.reduce([met_runs(t, results) for t in scenario.targets])
        k, n = int(joint.sum()), len(joint)
        ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        table = pd.concat([table, pd.DataFrame([{
            "target": "ALL", "label_en": "All targets met jointly", "label_zh": "全部目标同时实现",
            "p_met": k / n, "p_low": ci.low, "p_high": ci.high, "runs": n,
            "verdict": thresholds.classify(k / n) if n > 1 else ("met" if k else "missed")}])],
            ignore_index=True)
    return table.astype({"year": "Int64", "judged_year": "Int64", "first_year_reached": "Int64"})


def drivers(scenario: Scenario, paths: list[Path], results: Results, top: int = 3,
            min_rho: float = 0.1) -> dict[str, list[tuple[str, float, bool]]]:
    """Per target, the drawn inputs that move its judged value most: [(param, Spearman ρ, is a
    placeholder)], strongest first, |ρ| ≥ min_rho. Per-year draws are left out (no single column)."""
    params = [d.param for d in scenario.uncertainty if not d.per_year]
    if not params or results.n < 3:
        return {t.id: [] for t in scenario.targets}
    raw = read_columns(paths, [f"in:{p}" for p in params])
    ranks = {p: _ranks(raw[f"in:{p}"]) for p in params}
    placeholders = set(scenario.placeholders.drawn) if scenario.placeholders else set()
    out = {}
    for tg in scenario.targets:
        y = _ranks(judged_values(tg, results)[0])
        found = [(p, _corr(ranks[p], y), p in placeholders) for p in params]
        found = [f for f in found if abs(f[1]) >= min_rho]
        out[tg.id] = sorted(found, key=lambda f: -abs(f[1]))[:top]
    return out


def describe_drivers(found: list[tuple[str, float, bool]]) -> str:
    """'pigs.base_slaughter_head_per_yr (placeholder, ρ +0.85); …' for the targets table."""
    return "; ".join(f"{p} ({'placeholder, ' if ph else ''}ρ {rho:+.2f})" for p, rho, ph in found)


def _ranks(x: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(x, kind="stable"), kind="stable").astype(float)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den > 0 else 0.0


def bands(scenario: Scenario, paths: list[Path], quantiles=QUANTILES) -> pd.DataFrame:
    """Percentiles and mean of every indicator per year, in display units."""
    rows = []
    for name, spec in recorded_indicators(scenario).items():
        cols = [f"{name}|{y}" for y in scenario.years]
        raw = read_columns(paths, cols)
        for y, col in zip(scenario.years, cols):
            values = from_internal(raw[col], spec.display_unit)
            row = {"indicator": name, "year": y, "unit": spec.display_unit, "mean": float(values.mean())}
            row.update({f"p{q}": float(v) for q, v in zip(quantiles, np.percentile(values, quantiles))})
            rows.append(row)
    return pd.DataFrame(rows)
