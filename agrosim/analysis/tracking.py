"""Plans against what happened: milestone tracking, re-forecasting from observed years,
calibration of trend parameters by least squares, and backtests of the model's own forecasts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from agrosim.analysis.levers import Lever
from agrosim.config.scenario import Scenario, Target
from agrosim.engine import simulate
from agrosim.errors import ValueProblem
from agrosim.parampath import ParamPath
from agrosim.units import from_internal

PATHS = ("linear", "growth")
TRACK_COLUMNS = ["target", "indicator", "year", "unit", "observed", "implied", "target_value", "target_year", "status",
                 "growth_needed_per_yr", "path", "base_year", "base", "plan_growth_per_yr"]


def implied_path(base: float, target: float, base_year: int, target_year: int, year: int, kind: str) -> float:
    """The plan's implied value in `year`: a straight line, or constant growth, from base to target."""
    frac = (year - base_year) / (target_year - base_year)
    if kind == "growth" and base > 0 and target > 0:
        return base * (target / base) ** frac
    return base + (target - base) * frac


def plan_path(rows: pd.DataFrame, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(years, values) of the plan's implied path of one target's rows of `track`, base year to target
    year, in the target's unit (a held level for `stable_at`)."""
    first = rows.iloc[0]
    years = np.arange(int(first.base_year), int(first.target_year) + 1)
    if kind == "stable_at" or first.path == "constant":
        return years, np.full(len(years), float(first.target_value))
    values = [implied_path(float(first.base), float(first.target_value), int(first.base_year),
                           int(first.target_year), int(y), first.path) for y in years]
    return years, np.array(values)


def _status(tg: Target, observed: float, implied: float, tolerance: float) -> str:
    if tg.kind == "stable_at":
        ok = observed >= tg.value * (1 - 1e-9) and (tg.upper is None or observed <= tg.upper * (1 + 1e-9))
        return "on track" if ok else "behind"
    sign = -1.0 if tg.kind == "at_most" else 1.0
    rel = sign * (observed - implied) / abs(implied) if implied else 0.0
    if tg.kind == "about":
        return "on track" if abs(rel) <= tolerance else ("ahead" if rel > 0 else "behind")
    return "ahead" if rel > tolerance else ("behind" if rel < -tolerance else "on track")


def track(scenario: Scenario, observed: pd.DataFrame, path: str = "linear", tolerance: float = 0.02,
          base_values: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Per target and observed year: implied milestone, observed value, status, and the yearly
    growth now needed from that observation to reach the target on time (values in target units).

    The path starts from the observed base-year value if there is one, else from the model's
    base-year state: `base_values` ({indicator: internal value}, e.g. from a report's runs) or a
    deterministic run. `plan_growth_per_yr` is the constant growth from that base to the target."""
    base_run = None
    rows = []
    for tg in scenario.targets:
        obs = observed[observed.indicator == tg.indicator].set_index("year")["value"]
        if not ((obs.index > scenario.base_year) & (obs.index <= tg.year)).any():
            continue
        base_obs = obs.get(scenario.base_year)
        if base_obs is not None:
            base = float(base_obs)
        elif base_values is not None and tg.indicator in base_values:
            base = float(base_values[tg.indicator])
        else:
            if base_run is None:
                base_run = simulate(scenario, 1)
            base = float(base_run.data[tg.indicator][0, 0])
        span = tg.year - scenario.base_year
        plan_growth = (tg.value / base) ** (1 / span) - 1 if span > 0 and base > 0 and tg.value > 0 else np.nan
        show = lambda v: float(from_internal(v, tg.unit_written))  # noqa: E731 - tiny local formatter
        for year, value in obs.items():
            if not scenario.base_year < year <= tg.year:
                continue
            implied = tg.value if tg.kind == "stable_at" else implied_path(base, tg.value, scenario.base_year,
                                                                          tg.year, year, path)
            left = tg.year - year
            needed = (tg.value / value) ** (1 / left) - 1 if left > 0 and value > 0 and tg.value > 0 else np.nan
            rows.append({"target": tg.id, "indicator": tg.indicator, "year": int(year), "unit": tg.unit_written,
                         "observed": show(value), "implied": show(implied), "target_value": tg.value_written,
                         "target_year": tg.year, "status": _status(tg, float(value), implied, tolerance),
                         "growth_needed_per_yr": needed, "path": "constant" if tg.kind == "stable_at" else path,
                         "base_year": scenario.base_year, "base": show(base), "plan_growth_per_yr": plan_growth})
    return pd.DataFrame(rows, columns=TRACK_COLUMNS)


def backtest(scenario: Scenario, observed: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Errors of a run from the base year against observed later years: per point, and per
    indicator MAPE and bias (both in % of the observed value)."""
    res = simulate(scenario, 1)
    points = []
    for row in observed.itertuples():
        if row.year <= scenario.base_year or row.year not in res.years:
            continue
        model = float(res.data[row.indicator][0, res.year_index(row.year)])
        spec = res.indicators[row.indicator]
        points.append({"indicator": row.indicator, "year": int(row.year), "unit": spec.display_unit,
                       "observed": float(from_internal(row.value, spec.display_unit)),
                       "model": float(from_internal(model, spec.display_unit)),
                       "error_pct": 100 * (model - row.value) / row.value})
    pts = pd.DataFrame(points, columns=["indicator", "year", "unit", "observed", "model", "error_pct"])
    summary = pts.groupby("indicator").agg(points=("year", "size"),
                                           mape_pct=("error_pct", lambda e: float(np.mean(np.abs(e)))),
                                           bias_pct=("error_pct", "mean")).reset_index()
    return pts, summary


@dataclass(frozen=True)
class Fit:
    """Least-squares estimates with standard errors, and the fit's relative residuals."""

    params: list[str]
    units: list[str]
    values: np.ndarray
    std_errors: np.ndarray
    residuals: pd.DataFrame
    rms_relative: float
    points: int
    valid: list[tuple[float, float]]  # physical bounds of each parameter


def calibrate(scenario: Scenario, observed: pd.DataFrame, levers: list[Lever]) -> Fit:
    """Fit the levers so the model's relative errors against observed later years are smallest."""
    obs = observed[(observed.year > scenario.base_year) & observed.year.isin(scenario.years)]
    if obs.empty:
        raise ValueProblem("no observed values after the base year within the scenario's horizon",
                           "observed values after the base year")
    cols = np.array([scenario.years.index(y) for y in obs.year])
    inds = list(obs.indicator)
    target = obs.value.to_numpy(dtype=float)

    def model(x: np.ndarray) -> np.ndarray:
        res = simulate(scenario, 1, {lv.path: np.array([v]) for lv, v in zip(levers, x)})
        return np.array([res.data[i][0, c] for i, c in zip(inds, cols)])

    x0 = np.clip([lv.current for lv in levers], [lv.low for lv in levers], [lv.high for lv in levers])
    fit = least_squares(lambda x: (model(x) - target) / target, x0,
                        bounds=([lv.low for lv in levers], [lv.high for lv in levers]), x_scale="jac")
    m, p = len(target), len(levers)
    dof = max(m - p, 1)
    s2 = float(fit.fun @ fit.fun) / dof
    try:
        cov = np.linalg.inv(fit.jac.T @ fit.jac) * s2
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(p, np.nan)
    resid = obs[["indicator", "year"]].assign(relative_residual=fit.fun).reset_index(drop=True)
    return Fit([lv.path for lv in levers], [lv.spec.unit for lv in levers], fit.x, se, resid,
               float(np.sqrt(np.mean(fit.fun ** 2))), m, [(lv.spec.lo, lv.spec.hi) for lv in levers])


def calibrated_yaml(scenario_file: str, fit: Fit, observed_file: str, name: str) -> dict:
    """A scenario that extends the original and sets the fitted values, saying what was fitted to what."""
    data: dict = {"name": name, "title": f"calibrated from {observed_file}", "extends": scenario_file}
    for path, unit, value, se, (lo, hi) in zip(fit.params, fit.units, fit.values, fit.std_errors, fit.valid):
        where = ParamPath.parse(path)
        node = data.setdefault(where.sector, {})
        for key in where.keys[:-1]:
            node = node.setdefault(key, {})
        entry = {"value": f"{value:.6g} {unit}", "assumption": True,
                 "note": (f"least-squares fit to {fit.points} observed points in {observed_file} "
                          f"(RMS relative residual {fit.rms_relative:.3%}; standard error {se:.3g} {unit})")}
        if np.isfinite(se) and se > 0:
            entry["range"] = [f"{max(value - 2 * se, lo):.6g} {unit}", f"{min(value + 2 * se, hi):.6g} {unit}"]
        node[where.name] = entry
    return data


@dataclass(frozen=True)
class SpreadFit:
    """Trend and year-to-year spread of a series before the base year, with standard errors.

    Fitted as log(value) = a + b × (year − last year) + e by ordinary least squares: the trend is
    e^b − 1 per year, the spread is the standard deviation of e (a relative deviation from the trend,
    what a weather factor around 1 draws), each with its standard error.
    """

    indicator: str
    years: tuple[int, int]
    points: int
    trend_per_yr: float
    trend_se: float
    spread: float
    spread_se: float
    residuals: pd.DataFrame
    sources: tuple[str, ...]


def fit_trend_spread(history: pd.DataFrame, indicator: str, before_year: int) -> SpreadFit:
    """Fit the trend and spread of `indicator` over the observed years before `before_year` (the
    scenario's base year, whose value the region file states). Raises ValueProblem (a ValueError) with
    too few points or a value ≤ 0."""
    rows = history[(history.indicator == indicator) & (history.year < before_year)].sort_values("year")
    if len(rows) < 4:
        raise ValueProblem(f"{len(rows)} values of {indicator} before {before_year}", "at least 4 years")
    if (rows.value <= 0).any():
        raise ValueProblem(f"a value of {indicator} ≤ 0", "positive values (the fit is on logarithms)")
    years = rows.year.to_numpy(dtype=float)
    x = years - years[-1]
    y = np.log(rows.value.to_numpy(dtype=float))
    n = len(y)
    design = np.column_stack([np.ones(n), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    s = float(np.sqrt(resid @ resid / (n - 2)))
    b_se = s / float(np.sqrt(((x - x.mean()) ** 2).sum()))
    trend = float(np.expm1(coef[1]))
    out = rows[["year", "value"]].assign(fitted=np.exp(design @ coef), log_residual=resid).reset_index(drop=True)
    sources = tuple(sorted({str(v) for v in rows.get("source", pd.Series(dtype=str)) if str(v)}))
    return SpreadFit(indicator, (int(years[0]), int(years[-1])), n, trend, float(np.exp(coef[1]) * b_se),
                     s, s / float(np.sqrt(2 * (n - 2))), out, sources)


def spread_yaml(scenario_file: str, fit: SpreadFit, history_file: str, name: str, trend_param: str,
                weather_param: str) -> dict:
    """A scenario that extends the original with the fitted trend (a documented value, ±2 standard
    errors as its range) and the weather spread (a per-year normal factor around 1), with its source."""
    what = (f"least-squares fit to {fit.points} years ({fit.years[0]}–{fit.years[1]}) of {fit.indicator} in "
            f"{history_file}" + (f" (sources: {'; '.join(fit.sources)})" if fit.sources else ""))
    data: dict = {"name": name, "title": f"trend and weather spread of {fit.indicator} from {history_file}",
                  "extends": scenario_file}
    trend = ParamPath.parse(trend_param)
    data.setdefault(trend.sector, {})[trend.local] = {
        "value": round(fit.trend_per_yr, 6), "range": [round(fit.trend_per_yr - 2 * fit.trend_se, 6),
                                                       round(fit.trend_per_yr + 2 * fit.trend_se, 6)],
        "source": {"published": what},
        "note": f"trend {fit.trend_per_yr:.3%}/yr, standard error {fit.trend_se:.3%}/yr; range ±2 standard errors"}
    low, high = max(1 - 2 * fit.spread, 0.0), 1 + 2 * fit.spread
    weather = ParamPath.parse(weather_param)
    data.setdefault(weather.sector, {})[weather.local] = {
        "value": 1.0, "range": [round(low, 6), round(high, 6)], "source": {"published": what},
        "note": (f"year-to-year spread around the trend {fit.spread:.3%} (standard error {fit.spread_se:.3%}); "
                 "range ±2 standard deviations; drawn each year by `uncertainty`")}
    data["uncertainty"] = {weather_param: {"dist": "normal", "mean": 1.0, "sd": round(fit.spread, 6),
                                           "low": round(max(1 - 4 * fit.spread, 0.0), 6),
                                           "high": round(1 + 4 * fit.spread, 6), "per_year": True}}
    return data
