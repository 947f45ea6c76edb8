"""Target verdicts: one judged value per target kind, gap, verdict, P(met) with a Wilson interval.

What each kind means, next to the plan's wording (docs/howto/targets.md says the same):

- `at_least` (以上, 不低于, 突破, 达到): the value in the target year is at least the target.
- `at_most` (以内, 以下): the value in the target year is at most the target.
- `about` (左右): the value in the target year is within ±tolerance of the target, or above the band:
  plan assessment counts overshoot as fulfilment, so only falling below the band is a miss; a value
  above the band is met with the note "above the band".
- `stable_at` (稳定在): held in every year of the window (from_year, else the first simulated year, to
  the target year); the judged value is the lowest year of the window (with `upper`, the year
  furthest outside the range), so the gap shows the worst year.

The judged value of a run is computed once here (`judged_values`) and every table, chart, scorecard,
decomposition, workbook and explorer page reads the `projected` column or calls this function: one
number per target. A single run is a central run (verdict met / missed, no interval); several runs
give P(met) and a class: likely (P ≥ 0.8), uncertain, unlikely (P ≤ 0.2), thresholds settable.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from agrosim.config.scenario import Target
from agrosim.errors import ValueProblem
from agrosim.results import Results
from agrosim.units import from_internal

_REL_EPS = 1e-9  # equality within floating-point noise counts as met
COLUMNS = ["target", "indicator", "label_en", "label_zh", "kind", "aspirational", "year", "judged_year",
           "target_value", "unit", "projected", "gap", "gap_pct", "verdict", "p_met", "p_low", "p_high", "runs",
           "first_year_reached", "note", "reading", "source"]

#: verdict words in the report languages; `verdict` holds the English key
VERDICT_WORDS = {
    "en": {"met": "met", "missed": "missed", "likely": "likely", "uncertain": "uncertain", "unlikely": "unlikely"},
    "zh": {"met": "实现", "missed": "未实现", "likely": "很可能实现", "uncertain": "不确定", "unlikely": "不太可能实现"},
}


@dataclass(frozen=True)
class Thresholds:
    """P(met) at or above `likely` is likely, at or below `unlikely` unlikely, between them uncertain."""

    likely: float = 0.8
    unlikely: float = 0.2

    def __post_init__(self):
        if not 0.0 <= self.unlikely < self.likely <= 1.0:
            raise ValueProblem(f"thresholds unlikely {self.unlikely:g}, likely {self.likely:g}",
                               "0 ≤ unlikely < likely ≤ 1")

    def classify(self, p_met: float) -> str:
        if p_met >= self.likely:
            return "likely"
        return "unlikely" if p_met <= self.unlikely else "uncertain"


def verdict_key(verdict: str) -> str:
    """The class of a verdict cell ('missed (aspirational)' → 'missed')."""
    return str(verdict).split(" ")[0]


def is_favourable(verdict: str) -> bool:
    """Met (central run) or likely (Monte Carlo): the green cases."""
    return verdict_key(verdict) in ("met", "likely")


def _floor(target: Target) -> float:
    """The lowest value that still meets an at_least / stable_at / about target."""
    value = target.value * (1 - target.tolerance) if target.kind == "about" else target.value
    return value * (1 - _REL_EPS) if value >= 0 else value * (1 + _REL_EPS)


def met_matrix(target: Target, values: np.ndarray, years: list[int] | None = None) -> np.ndarray:
    """(n, years) booleans: does each run satisfy the target's condition in each year?"""
    if target.kind == "at_most":
        return values <= target.value * (1 + _REL_EPS)
    ok = values >= _floor(target)
    if target.kind == "stable_at" and target.upper is not None:
        ok &= values <= target.upper * (1 + _REL_EPS)
    return ok


def _window(target: Target, results: Results) -> tuple[int, int]:
    """Year indices [start, end] over which the target is judged (one year unless stable_at)."""
    end = results.year_index(target.year)
    if target.kind != "stable_at":
        return end, end
    return (results.year_index(target.from_year) if target.from_year else 1), end


def judged_values(target: Target, results: Results) -> tuple[np.ndarray, np.ndarray]:
    """(n,) judged value per run and (n,) the year it comes from: the target year's value, or for
    stable_at the worst year of its window (lowest; with `upper`, furthest outside the range)."""
    start, end = _window(target, results)
    values = results.data[target.indicator][:, start: end + 1]
    if target.kind == "stable_at" and target.upper is not None:
        below = target.value - values
        above = values - target.upper
        worst = np.argmax(np.maximum(below / max(abs(target.value), 1e-300),
                                     above / max(abs(target.upper), 1e-300)), axis=1)
    elif target.kind == "stable_at":
        worst = np.argmin(values, axis=1)
    else:
        worst = np.zeros(values.shape[0], dtype=int)
    picked = np.take_along_axis(values, worst[:, None], axis=1)[:, 0]
    return picked, np.asarray(results.years)[start + worst]


def met_runs(target: Target, results: Results) -> np.ndarray:
    """(n,) booleans: met in the target year; stable_at must hold in every year of its window."""
    start, end = _window(target, results)
    ok = met_matrix(target, results.data[target.indicator][:, start: end + 1])
    return ok.all(axis=1)


def gap_of(target: Target, value: float) -> float:
    """Margin (+) or shortfall (−) of a judged value, in internal units; `about` is judged against
    the lower edge of its band (overshoot is fulfilment), stable_at with `upper` against both."""
    if target.kind == "at_most":
        return target.value - value
    if target.kind == "about":
        return value - target.value * (1 - target.tolerance)
    if target.kind == "stable_at" and target.upper is not None:
        return min(value - target.value, target.upper - value)
    return value - target.value


def note_of(target: Target, value: float) -> str:
    """Plain-words note on how a judged value relates to the target (empty when nothing to add)."""
    notes = []
    if target.kind == "about":
        lo, hi = target.value * (1 - target.tolerance), target.value * (1 + target.tolerance)
        if value > hi:
            notes.append("above the band (counted as met)")
        elif value >= lo:
            notes.append("within the band")
    if target.kind == "stable_at":
        notes.append("worst year of the window")
    if target.aspirational:
        notes.append("aspirational (力争)")
    return "; ".join(notes)


def evaluate(targets: list[Target], results: Results, confidence: float = 0.95,
             thresholds: Thresholds | None = None) -> pd.DataFrame:
    """One row per target: judged value (median over runs), gap, verdict and P(met) (written units).

    A single run is a central run: verdict met / missed and no interval. Several runs: the verdict
    is the class of P(met) under `thresholds`, with a Wilson interval at `confidence`.
    """
    thresholds = thresholds or Thresholds()
    rows = []
    for tg in targets:
        values, years = judged_values(tg, results)
        projected = float(np.median(values))
        judged_year = int(np.median(years)) if tg.kind == "stable_at" else tg.year
        met = met_runs(tg, results)
        k, n = int(met.sum()), len(met)
        central = met_matrix(tg, np.median(results.data[tg.indicator], axis=0)[None, :])[0]
        reached = [y for y, ok in zip(results.years[1:], central[1:]) if ok]
        gap = gap_of(tg, projected)
        shown = lambda v: float(from_internal(v, tg.unit_written))  # noqa: E731 - tiny local formatter
        if n > 1:
            lo, hi = wilson_interval(k, n, confidence)
            verdict, p = thresholds.classify(k / n), k / n
        else:
            verdict, p, lo, hi = ("met" if met[0] else "missed"), np.nan, np.nan, np.nan
        rows.append({
            "target": tg.id, "indicator": tg.indicator, "label_en": tg.en, "label_zh": tg.zh,
            "kind": tg.kind, "aspirational": tg.aspirational, "year": tg.year, "judged_year": judged_year,
            "target_value": tg.value_written, "unit": tg.unit_written,
            "projected": shown(projected), "gap": shown(gap),
            "gap_pct": 100.0 * gap / tg.value if tg.value else np.nan,
            "verdict": verdict + (" (aspirational)" if tg.aspirational else ""),
            "p_met": p, "p_low": lo, "p_high": hi, "runs": n,
            "first_year_reached": reached[0] if reached else None,
            "note": note_of(tg, projected), "reading": tg.reading, "source": _source_text(tg),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def yearly_probabilities(targets: list[Target], results: Results) -> pd.DataFrame:
    """P(condition holds) per target and simulated year, for the target's indicator and, for a
    capacity target, for the realised indicator beside it (e.g. grain output in each year's weather)."""
    rows = []
    for tg in targets:
        pairs = [(tg.indicator, "target")] + ([(tg.realised, "realised")] if tg.realised else [])
        for indicator, role in pairs:
            if indicator not in results.data:
                continue
            ok = met_matrix(tg, results.data[indicator])
            for i, year in enumerate(results.years[1:], start=1):
                rows.append({"target": tg.id, "indicator": indicator, "role": role, "year": year,
                             "p_met": float(ok[:, i].mean()), "runs": ok.shape[0]})
    return pd.DataFrame(rows, columns=["target", "indicator", "role", "year", "p_met", "runs"])


def _source_text(tg: Target) -> str:
    src = tg.source
    if src is None:
        return ""
    if src.seed:
        return f"{src.seed} L{src.line}: 「{src.quote}」"
    return src.published or ""


def wilson_interval(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson interval of k successes in n runs: SciPy's binomtest(k, n).proportion_ci(confidence,
    method="wilson") with the same arithmetic (equal to the last bit), without loading scipy.stats,
    which costs every Monte Carlo most of a second of start-up."""
    from scipy.special import ndtri

    p = k / n
    z = ndtri(0.5 + 0.5 * confidence)
    denom = 2 * (n + z**2)
    centre = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    return (0.0 if k == 0 else float(centre - delta)), (1.0 if k == n else float(centre + delta))
