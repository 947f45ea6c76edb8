"""Targets beyond biology: for each target on an indicator a sector can bound (pigs slaughtered,
breeding cows and ewes, bee colonies), the most the region's own herd could reach by the target
year from its base-year state, breeding at its fastest (every eligible female kept, no culls, no
losses, unlimited places, no purchases). A target above that bound cannot be met by the herd
itself, whatever the investment: it needs bought-in animals or a different base.

The bound uses the scenario's central coefficients (one run with the declared values, no draws).
"""
from __future__ import annotations

import pandas as pd

from agrosim.config.scenario import Scenario
from agrosim.param_arrays import all_arrays
from agrosim.sectors import BY_NAME
from agrosim.units import from_internal

COLUMNS = ["target", "indicator", "year", "unit", "target_value", "limit", "possible"]

_TEXT = {
    "en": "{target}: {value:,.6g} {unit} by {year} is beyond biology: from its base-year state the herd could "
          "at most reach {limit:,.6g} {unit} by then on its own (buy-ins or a different base needed).",
    "zh": "{target}：{year}年{value:,.6g}{unit}超出生物学上限：按基期存栏自繁自养，届时最多{limit:,.6g}{unit}"
          "（需外购或基期数据有误）。",
}


def biological_limits(scenario: Scenario) -> pd.DataFrame:
    """One row per target a sector can bound; `possible` is False when the target is above the bound."""
    owner = {i.name: BY_NAME[s] for s in scenario.sectors for i in BY_NAME[s].indicators}
    params = None
    states: dict[str, dict] = {}
    rows = []
    for t in scenario.targets:
        sector = owner.get(t.indicator)
        if sector is None or sector.limit is None or t.kind == "at_most":
            continue
        params = params or all_arrays(scenario, 1)
        if sector.name not in states:
            states[sector.name] = sector.init(params[sector.name])[0]
        bound = sector.limit(states[sector.name], params[sector.name], t.indicator, t.year - scenario.base_year)
        if bound is None:
            continue
        unit = t.unit_written
        need = t.value * (1 - t.tolerance) if t.kind == "about" else t.value
        rows.append({"target": t.id, "indicator": t.indicator, "year": t.year, "unit": unit,
                     "target_value": float(from_internal(t.value, unit)),
                     "limit": float(from_internal(bound[0], unit)), "possible": bool(bound[0] >= need * (1 - 1e-9))})
    return pd.DataFrame(rows, columns=COLUMNS)


def beyond_biology(scenario: Scenario, lang: str = "en") -> list[str]:
    """One sentence per target no own breeding can reach."""
    table = biological_limits(scenario)
    return [_TEXT[lang].format(target=r.target, value=r.target_value, unit=r.unit, year=r.year, limit=r.limit)
            for r in table.itertuples() if not r.possible]
