"""Grain output (or capacity) change split into an area effect and a yield effect, per grain target,
from the runs' medians and the target's verdict; the report draws it (charts.decomposition)."""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from agrosim.config.scenario import Scenario, Target
from agrosim.results import series

#: the indicators a decomposition is made for (with grain_sown_area among the runs' indicators)
GRAIN = ("grain_output", "grain_capacity")


def grain_decomposition(quant: pd.DataFrame, target: Target, verdict) -> pd.DataFrame:
    """Grain output (or capacity) change from the base year to the judged year, split sequentially into
    area effect (A1 − A0)·Y0 and yield effect A1·(Y1 − Y0), with Y = output ÷ sown area; Q1 is the
    target's projected (judged) value and the gap is the targets table's, so the decomposition shows
    the same number as every other output (the worst year for stable_at, the band's edge for about)."""
    unit = target.unit_written
    out = series(quant, target.indicator, unit).set_index("year")["p50"]
    area = series(quant, "grain_sown_area", "亩").set_index("year")["p50"]
    y0 = int(out.index.min())
    y1 = int(verdict["judged_year"]) if pd.notna(verdict.get("judged_year")) else target.year
    q0, q1, a0, a1 = out[y0], float(verdict["projected"]), area[y0], area[y1]
    yield0 = q0 / a0 if a0 else 0.0
    yield1 = q1 / a1 if a1 else 0.0
    rows = [("base", y0, q0), ("area_effect", y1, (a1 - a0) * yield0), ("yield_effect", y1, a1 * (yield1 - yield0)),
            ("projected", y1, q1), ("target", y1, target.value_written), ("gap", y1, float(verdict["gap"]))]
    return pd.DataFrame(rows, columns=["item", "year", "value"]).assign(unit=unit)


def grain_decompositions(scenario: Scenario, quant: pd.DataFrame, verdicts: pd.DataFrame) -> Mapping[str, pd.DataFrame]:
    """target id → `grain_decomposition` of each grain target whose indicator and the sown area are in
    `quant` (the runs' quantile table); `verdicts` has one row per target."""
    have, rows = set(quant["indicator"]), verdicts.set_index("target")
    return {tg.id: grain_decomposition(quant, tg, rows.loc[tg.id]) for tg in scenario.targets
            if tg.indicator in GRAIN and {tg.indicator, "grain_sown_area"} <= have}
