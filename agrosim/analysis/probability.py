"""Monte Carlo summaries from chunk files: P(met) per target and jointly, percentile bands."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from agrosim.batch import SKETCH_LEVELS, read_columns, read_sketches
from agrosim.config.scenario import Scenario
from agrosim.engine import recorded_indicators
from agrosim.results import QUANTILES, Results
from agrosim.targets import Thresholds, evaluate, judged_values, met_runs, wilson_interval
from agrosim.units import from_internal


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
        low, high = wilson_interval(k, n, confidence)
        table = pd.concat([table, pd.DataFrame([{
            "target": "ALL", "label_en": "All targets met jointly", "label_zh": "全部目标同时实现",
            "p_met": k / n, "p_low": low, "p_high": high, "runs": n,
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


def monte_carlo_table(scenario: Scenario, results: Results, paths: list[Path],
                      thresholds: Thresholds | None = None) -> pd.DataFrame:
    """The Monte Carlo targets table: verdicts, P(met), the joint row and, per target, the drawn
    inputs that move it most (`driven_by`)."""
    table = target_table(scenario, results, thresholds=thresholds)
    found = drivers(scenario, paths, results)
    table["driven_by"] = [describe_drivers(found.get(t, [])) for t in table["target"]]
    return table


def describe_drivers(found: list[tuple[str, float, bool]]) -> str:
    """'pigs.base_slaughter_head_per_yr (placeholder, ρ +0.85); …' for the targets table."""
    return "; ".join(f"{p} ({'placeholder, ' if ph else ''}ρ {rho:+.2f})" for p, rho, ph in found)


def _ranks(x: np.ndarray) -> np.ndarray:
    """0-based ranks, ties in run order: the inverse of the stable sort's permutation (one sort, not two)."""
    ranks = np.empty(len(x))
    ranks[np.argsort(x, kind="stable")] = np.arange(len(x))
    return ranks


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den > 0 else 0.0


def bands(scenario: Scenario, paths: list[Path], quantiles=QUANTILES) -> pd.DataFrame:
    """Percentiles and mean of every indicator per year, in display units, merged from the chunks'
    sketches (`batch.chunk_sketch`): exact for one chunk; over several, the percentile of the
    runs' distribution taken as the chunks' interpolated distributions pooled by run count, within
    0.1 % of rank of the exact one (the sketch keeps every 0.1 % quantile)."""
    sketches = read_sketches(paths)
    names = [str(k) for k in sketches[0]["names"]]
    runs = np.array([int(sk["runs"]) for sk in sketches])
    mean = sum(sk["sums"] for sk in sketches) / runs.sum()  # (indicators, years)
    levels = np.asarray(quantiles, dtype=float) / 100
    pct = _pooled_quantiles([sk["quantiles"] for sk in sketches], runs, levels)  # (levels, indicators, years)
    specs = recorded_indicators(scenario)
    rows = []
    for i, name in enumerate(names):
        unit = specs[name].display_unit
        for j, y in enumerate(scenario.years):
            row = {"indicator": name, "year": y, "unit": unit, "mean": float(from_internal(mean[i, j], unit))}
            row.update({f"p{q}": float(from_internal(v, unit)) for q, v in zip(quantiles, pct[:, i, j])})
            rows.append(row)
    return pd.DataFrame(rows)


def _pooled_quantiles(sketches: list[np.ndarray], runs: np.ndarray, levels: np.ndarray,
                      grid: int = 65) -> np.ndarray:
    """Quantiles at `levels` of the runs pooled over chunks, each chunk's CDF linear between its
    sketch points (at SKETCH_LEVELS), weighted by its runs. The pooled quantile lies between the
    chunks' own quantiles at that level; the pooled CDF is evaluated on `grid` points there and
    inverted linearly (one chunk: its own sketch point, exact)."""
    own = np.stack([_columns_interp(np.broadcast_to(levels[:, None], (len(levels), sk[0].size)),
                                    np.broadcast_to(SKETCH_LEVELS[:, None], (len(SKETCH_LEVELS), sk[0].size)),
                                    sk.reshape(len(SKETCH_LEVELS), -1)) for sk in sketches])  # (chunks, levels, cols)
    shape = (len(levels),) + sketches[0].shape[1:]
    lo, hi = own.min(axis=0), own.max(axis=0)
    if len(sketches) == 1 or np.all(lo == hi):
        return lo.reshape(shape)
    steps = np.linspace(0.0, 1.0, grid)[:, None, None]
    x = (lo + steps * (hi - lo)).reshape(grid * len(levels), -1)  # (grid × levels, cols)
    cdf = sum(n * _columns_interp(x, sk.reshape(len(SKETCH_LEVELS), -1), SKETCH_LEVELS[:, None])
              for sk, n in zip(sketches, runs)) / runs.sum()
    cdf = cdf.reshape(grid, len(levels), -1)
    # first grid point at or above the level, then linear between it and the one before
    above = np.argmax(cdf >= levels[None, :, None], axis=0)
    below = np.maximum(above - 1, 0)
    take = lambda arr, i: np.take_along_axis(arr, i[None], axis=0)[0]  # noqa: E731
    x = x.reshape(grid, len(levels), -1)
    c0, c1, x0, x1 = take(cdf, below), take(cdf, above), take(x, below), take(x, above)
    frac = np.divide(levels[:, None] - c0, c1 - c0, out=np.ones_like(c0), where=c1 > c0)
    return (x0 + np.clip(frac, 0.0, 1.0) * (x1 - x0)).reshape(shape)


def _columns_interp(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """np.interp column by column, vectorised: x (m, cols), xp (k, cols) ascending in each column
    (ties allowed: the last of equal xp counts), fp (k, cols) or (k, 1); below xp: fp[0], above: fp[-1]."""
    k, cols = xp.shape
    fp = np.broadcast_to(fp, (k, cols))
    low, high = xp.min(axis=0), xp.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    offset = 2.0 * np.arange(cols)  # each column's values mapped into [2c, 2c + 1]: one sorted array
    flat = ((xp - low) / span + offset).T.ravel()
    q = (np.clip((x - low) / span, 0.0, 1.0) + offset).T  # (cols, m)
    right = np.searchsorted(flat, q.ravel(), side="right").reshape(cols, -1) - (np.arange(cols) * k)[:, None]
    right = np.clip(right, 1, k)  # index after the last xp ≤ x
    left = right - 1
    upper = np.minimum(right, k - 1)
    rows = np.arange(cols)[:, None]
    xpt, fpt = xp.T, fp.T
    x0, x1, f0, f1 = xpt[rows, left], xpt[rows, upper], fpt[rows, left], fpt[rows, upper]
    xt = np.clip(x.T, low[:, None], high[:, None])
    frac = np.divide(xt - x0, x1 - x0, out=np.zeros_like(xt), where=x1 > x0)
    out = f0 + frac * (f1 - f0)
    return np.where(x.T < low[:, None], fpt[:, :1], out).T
