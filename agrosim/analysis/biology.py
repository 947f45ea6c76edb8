"""Targets beyond biology: for each target on an indicator a sector can bound (pigs slaughtered,
breeding cows and ewes, bee colonies), the most the region's own herd could reach by the target
year from its base-year state, breeding at its fastest (every eligible female kept, no culls, no
losses, unlimited places, no purchases). A target above that bound cannot be met by the herd
itself, whatever the investment: it needs bought-in animals or a different base.

Growth beyond the speed limit: a herd's planned growth (sow, cow, ewe or colony growth) above the
fastest pace its own breeding allows (pigs: every eligible gilt kept, herds: every weaned female
kept, both with the scenario's culling; bees: every colony split to the cap) is capped by the
engine; `growth_beyond_limits` names the parameter, the years, and the pace asked against the pace
possible, and `agrosim validate`, `run` and `mc` print it.

Both are records (`BeyondBiology`, `GrowthBeyondLimit`) computed once and worded by `.text(lang)`: in
English on the command line, in the report's language in the report.

The bound uses the scenario's central coefficients (one run with the declared values, no draws).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agrosim.config.scenario import Scenario
from agrosim.param_arrays import all_arrays
from agrosim.sectors import SECTOR_BY_NAME
from agrosim.units import from_internal

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["target", "indicator", "year", "unit", "target_value", "limit", "possible"]

_TEXT = {
    "en": "{target}: {value:,.6g} {unit} by {year} is beyond biology: from its base-year state the herd could "
          "at most reach {limit:,.6g} {unit} by then on its own (buy-ins or a different base needed).",
    "zh": "{target}：{year}年{value:,.6g}{unit}超出生物学上限：按基期存栏自繁自养，届时最多{limit:,.6g}{unit}"
          "（需外购或基期数据有误）。",
}


_GROWTH_TEXT = {
    "en": "{sector}.{param}: {asked} asked in {years}, at most {possible} possible in the long run ({how}); "
          "the engine caps the herd at that pace.",
    "zh": "{sector}.{param}：{years}年设定增长{asked}，超过长期最快可能的{possible}（{how}），模型按上限计算。",
}
_HOW = {
    "en": {"pigs": "every eligible gilt kept, sows culled at the scenario's rate",
           "bees": "every surviving colony split to the cap, after the overwinter loss",
           "herd": "every weaned female kept, breeders culled at the scenario's rate"},
    "zh": {"pigs": "可留种母猪全部留种、按设定淘汰", "bees": "越冬后每群按上限分群", "herd": "断奶母畜全部留种、按设定淘汰"},
}
_BOUGHT = {"en": "; purchases of breeding stock ({bought}) come on top", "zh": "；外购种畜（{bought}）另计"}


@dataclass(frozen=True)
class BeyondBiology:
    """A target above the most the region's own herd could reach by its year (values in the target's unit)."""

    target: str
    year: int
    unit: str
    target_value: float
    limit: float

    def text(self, lang: str = "en") -> str:
        return _TEXT[lang].format(target=self.target, value=self.target_value, unit=self.unit, year=self.year,
                                  limit=self.limit)


@dataclass(frozen=True)
class GrowthBeyondLimit:
    """A herd's planned growth (`param` of `sector`) above its speed limit in `years`; `asked_per_yr` and
    `possible_per_yr` (shares a year) are those of the year of largest excess; `bought`: the parameter of
    breeding stock bought in on top, when the scenario buys any."""

    sector: str
    param: str
    years: tuple[int, ...]
    asked_per_yr: float
    possible_per_yr: float
    bought: str | None = None

    def text(self, lang: str = "en") -> str:
        how = _HOW[lang]["pigs" if self.sector == "pigs" else "bees" if self.sector == "bees" else "herd"]
        if self.bought:
            how += _BOUGHT[lang].format(bought=self.bought)
        return _GROWTH_TEXT[lang].format(sector=self.sector, param=self.param, years=_year_span(self.years),
                                         how=how, asked=f"{self.asked_per_yr:.1%}/yr",
                                         possible=f"{self.possible_per_yr:.1%}/yr")


def _speed_limits(sector: str, p: dict) -> tuple[str, np.ndarray] | None:
    """(growth parameter, (n, years) fastest growth per year) of a herd sector, else None."""
    from agrosim.sectors import _herd, bees, beef, dairy, pigs, sheep

    if sector == "pigs":
        return "sow_herd_growth_per_yr", pigs.speed_limits_per_yr(p)
    if sector == "bees":
        years = p["colony_growth_per_yr"].shape[1]
        held = p["types.share"] > 0                                  # each type kept grows at the planned rate
        factor = np.where(held, bees.growth_factor(p), np.inf).min(axis=1, keepdims=True)
        return "colony_growth_per_yr", np.repeat(factor - 1.0, years, axis=1)
    kinds = {"dairy": dairy.KIND, "beef": beef.KIND, "sheep": sheep.KIND}
    if sector in kinds:
        kind = kinds[sector]
        return kind.names[_herd.HerdRole.BREEDER_GROWTH], _herd.speed_limits_per_yr(p, kind)
    return None


def _breeding_purchases(sector: str) -> str | None:
    """The parameter of breeding stock bought into a herd's replacements (dairy heifers), else None."""
    from agrosim.sectors import _herd, beef, dairy, sheep

    kind = {"dairy": dairy.KIND, "beef": beef.KIND, "sheep": sheep.KIND}.get(sector)
    return kind.names[_herd.HerdRole.BOUGHT] if kind is not None and kind.bought_into == "replacements" else None


def _year_span(years) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def growth_beyond_limits(scenario: Scenario) -> list[GrowthBeyondLimit]:
    """One record per herd whose planned growth exceeds its speed limit in some simulated year
    (the largest excess is kept; bees: the slower bee type's limit, as every type follows the rate)."""
    params = None
    records = []
    for name in scenario.sectors:
        params = params or all_arrays(scenario, 1)
        found = _speed_limits(name, params[name])
        if found is None:
            continue
        param, limits = found
        asked, possible = params[name][param][0, 1:], limits[0, 1:]
        over = asked > possible + 1e-9
        if not np.any(over):
            continue
        years = tuple(y for y, o in zip(scenario.years[1:], over) if o)
        worst = int(np.argmax(np.where(over, asked - possible, -np.inf)))
        bought = _breeding_purchases(name)
        buys = bought is not None and bool(np.any(params[name][bought][0, 1:] > 0))
        records.append(GrowthBeyondLimit(name, param, years, float(asked[worst]), float(possible[worst]),
                                         bought if buys else None))
    return records


def biological_limits(scenario: Scenario) -> pd.DataFrame:
    """One row per target a sector can bound; `possible` is False when the target is above the bound."""
    import pandas as pd  # here: `agrosim validate` prints the warnings without loading pandas

    return pd.DataFrame(_limit_rows(scenario), columns=COLUMNS)


def _limit_rows(scenario: Scenario) -> list[dict]:
    """The rows of `biological_limits`, as dicts."""
    sectors = [SECTOR_BY_NAME[s] for s in scenario.sectors if s in SECTOR_BY_NAME]  # links have no biology
    owner = {i.name: s for s in sectors for i in s.indicators}
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
    return rows


def beyond_biology(scenario: Scenario) -> list[BeyondBiology | GrowthBeyondLimit]:
    """One record per target no own breeding can reach, then one per herd growth above its speed limit
    (each says itself with `.text(lang)`)."""
    return [BeyondBiology(r["target"], r["year"], r["unit"], r["target_value"], r["limit"])
            for r in _limit_rows(scenario) if not r["possible"]] + growth_beyond_limits(scenario)
