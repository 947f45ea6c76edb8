"""Target verdicts: projected value, gap, met or not, first year reached, P(met) with a Wilson interval."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from agrosim.config.scenario import Target
from agrosim.results import Results
from agrosim.units import from_internal

_REL_EPS = 1e-9
COLUMNS = ["target", "indicator", "label_en", "label_zh", "kind", "aspirational", "year", "target_value", "unit",
           "projected", "gap", "gap_pct", "verdict", "p_met", "p_low", "p_high", "runs", "first_year_reached", "source"]  # equality within floating-point noise counts as met


def met_matrix(target: Target, values: np.ndarray, years: list[int]) -> np.ndarray:
    """(n, years) booleans: does each run satisfy the target's condition in each year?"""
    lo_tol = target.value * (1 - _REL_EPS) if target.value >= 0 else target.value * (1 + _REL_EPS)
    if target.kind in ("at_least", "stable_at"):
        ok = values >= lo_tol
        if target.kind == "stable_at" and target.upper is not None:
            ok &= values <= target.upper * (1 + _REL_EPS)
        return ok
    if target.kind == "at_most":
        return values <= target.value * (1 + _REL_EPS)
    return np.abs(values - target.value) <= target.tolerance * abs(target.value) * (1 + _REL_EPS)


def met_runs(target: Target, results: Results) -> np.ndarray:
    """(n,) booleans: met in the target year; stable_at must hold in every year of its window."""
    ok = met_matrix(target, results.data[target.indicator], results.years)
    end = results.year_index(target.year)
    if target.kind == "stable_at":
        return ok[:, _window_start(target, results): end + 1].all(axis=1)
    return ok[:, end]


def _window_start(target: Target, results: Results) -> int:
    """First year index a stable_at target must hold: from_year, else the first simulated year."""
    return results.year_index(target.from_year) if target.from_year else 1


def evaluate(targets: list[Target], results: Results, confidence: float = 0.95) -> pd.DataFrame:
    """One row per target with verdict, projected value, gap and probability (written units).

    `projected` is the median over runs of the value in the target year; for stable_at it is the
    lowest value over the years the target must hold, so the gap shows the worst year.
    """
    rows = []
    for tg in targets:
        values = results.data[tg.indicator]
        end = results.year_index(tg.year)
        window = values[:, _window_start(tg, results): end + 1] if tg.kind == "stable_at" else values[:, end:end + 1]
        projected = float(np.median(window.min(axis=1) if tg.kind == "stable_at" else window[:, 0]))
        met = met_runs(tg, results)
        k, n = int(met.sum()), len(met)
        ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        central = met_matrix(tg, np.median(values, axis=0)[None, :], results.years)[0]
        reached = [y for y, ok in zip(results.years[1:], central[1:]) if ok]
        gap = projected - tg.value if tg.kind != "at_most" else tg.value - projected
        shown = lambda v: float(from_internal(v, tg.unit_written))  # noqa: E731 - tiny local formatter
        verdict_met = bool(np.median(met.astype(float)) >= 0.5) if n > 1 else bool(met[0])
        rows.append({
            "target": tg.id, "indicator": tg.indicator, "label_en": tg.en, "label_zh": tg.zh,
            "kind": tg.kind, "aspirational": tg.aspirational, "year": tg.year,
            "target_value": tg.value_written, "unit": tg.unit_written,
            "projected": shown(projected), "gap": shown(gap),
            "gap_pct": 100.0 * gap / tg.value if tg.value else np.nan,
            "verdict": ("met" if verdict_met else "missed") + (" (aspirational)" if tg.aspirational else ""),
            "p_met": k / n, "p_low": float(ci.low), "p_high": float(ci.high), "runs": n,
            "first_year_reached": reached[0] if reached else None,
            "source": _source_text(tg),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _source_text(tg: Target) -> str:
    src = tg.source
    if src is None:
        return ""
    if src.seed:
        return f"{src.seed} L{src.line}: 「{src.quote}」"
    return src.published or ""
