"""Cost per unit of target gap closed: what each target's sector spent against the progress it made.

For a target on an indicator of sector S, over the base year → target year, per run:

    spent     = Σ investment_spent_S over the simulated years up to the target year   (元)
    closed    = indicator[target year] − indicator[base year]   (progress toward the target)
    cost/unit = spent ÷ closed   where progress was made
    to close  = remaining gap × cost/unit   (the same money per unit, a linear extrapolation)

Medians over runs are reported. Needs the `value` section (the investment indicators); sectors
with no investment modelled (no HSF money, no projects) show no spending.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from agrosim.config.scenario import Scenario
from agrosim.results import Results
from agrosim.registry import BY_NAME
from agrosim.units import from_internal

COLUMNS = ["target", "sector", "year", "unit", "spent_yi_yuan", "closed", "remaining_gap", "yuan_per",
           "per_unit", "to_close_yi_yuan"]


def cost_per_gap(scenario: Scenario, results: Results) -> pd.DataFrame:
    """One row per target whose sector spent money; empty when the scenario has no `value` section.
    `closed` and `remaining_gap` are in the target's display unit, `yuan_per` in 元 per internal unit
    (元 per mu, head, kg)."""
    owner = {ind.name: s.name for s in BY_NAME.values() for ind in s.indicators}
    rows = []
    for t in scenario.targets:
        sector = owner.get(t.indicator)
        spend_name = f"investment_spent_{sector}"
        if spend_name not in results.data or t.indicator not in results.data:
            continue
        end = results.year_index(t.year)
        spent = results.data[spend_name][:, 1:end + 1].sum(axis=1)
        if not np.any(spent > 0):
            continue
        values = results.data[t.indicator]
        closed = values[:, end] - values[:, 0]
        remaining = np.clip(t.value - values[:, end], 0.0, None) if t.kind != "at_most" else \
            np.clip(values[:, end] - t.value, 0.0, None)
        per_unit = np.divide(spent, closed, out=np.full_like(spent, np.nan), where=closed > 0)
        unit = results.indicators[t.indicator].display_unit
        scale = float(from_internal(np.array(1.0), unit))  # display units per internal unit
        rows.append({
            "target": t.id, "sector": sector, "year": t.year, "unit": unit,
            "spent_yi_yuan": float(np.median(spent)) / 1e8,
            "closed": float(np.median(closed)) * scale,
            "remaining_gap": float(np.median(remaining)) * scale,
            "yuan_per": float(np.nanmedian(per_unit)) if np.any(closed > 0) else np.nan,
            "per_unit": results.indicators[t.indicator].unit,
            "to_close_yi_yuan": float(np.nanmedian(per_unit * remaining)) / 1e8 if np.any(closed > 0) else np.nan,
        })
    return pd.DataFrame(rows, columns=COLUMNS)
