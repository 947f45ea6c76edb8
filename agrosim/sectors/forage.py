"""Forage (饲草): cultivated forage area (silage maize, alfalfa, oat hay) and its yield, fresh and
as dry matter, so the feed balance can set it against what the herds eat.

    area[t]   = area[t−1] + planted − removed,  planted − removed = area[t−1] × growth[t]
    fresh[t]  = area[t] × fresh_yield × (1 + yield_trend)^t × yield_factor[t]
    dry[t]    = fresh[t] × dry_matter_share

The plans state forage output as harvested (fresh or silage) weight: Shanxi 1000 万吨 on 500 万亩
and Shuozhou 190 万吨 on 95 万亩, both 2 t/mu. Forage stands on cultivated land and claims it.
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import ParamSpec as P
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, scale_except, yearly

PARAMS = (
    P("area_mu", "mu", "Forage planted area in the base year.", "基期饲草种植面积", lo=0, source="region file",
      base_of="forage_area"),
    P("area_growth_per_yr", "1/yr", "Relative change of the forage area in that year (negative = shrink).",
      "饲草面积年增长率", default=0.0, lo=-0.5, hi=1.0, time_varying=True, plausible=(-0.05, 0.2),
      source="scenario lever; 0 = area held"),
    P("fresh_yield_kg_per_mu", "kg/mu", "Harvested (fresh or silage) forage per mu in the base year.",
      "饲草亩产(鲜重)", default=2000.0, lo=0, plausible=(1000.0, 4000.0),
      source="000_9a171ad133399258.txt L148 「优质饲草种植面积达到500万亩」「饲草产量达到1000万吨」 and "
             "001_94935fffa98b07a0.txt L261 「饲草种植面积稳定在95万亩」「总产量达到190万吨」: both 2 t/mu, "
             "harvested weight"),
    P("dry_matter_share", "1", "Dry matter per kg of harvested forage.", "饲草干物质含量",
      default=0.35, lo=0.05, hi=1, plausible=(0.25, 0.9),
      source="assumption: silage maize, the bulk of the plans' forage, is ensiled at about 30-35 % dry matter "
             "(recalled from dairy feeding tables, not checked); alfalfa and oat hay are near 0.9"),
    P("yield_trend_per_yr", "1/yr", "Relative forage yield gain per year.", "饲草单产年增长率",
      default=0.0, lo=-0.2, hi=0.2, plausible=(0.0, 0.03), source="scenario lever; 0 = base yield held"),
    P("yield_factor", "1", "Weather multiplier on forage yield in that year (1 = normal).", "饲草气象系数",
      default=1.0, lo=0, hi=2, time_varying=True, plausible=(0.6, 1.1), source="scenario; 1 = a normal year"),
)

INDICATORS = (
    I("forage_area", "mu", "万亩", "Forage planted area", "饲草种植面积"),
    I("forage_output", "kg", "万吨", "Forage output (harvested weight)", "饲草产量"),
    I("forage_output_dm", "kg", "万吨", "Forage output (dry matter)", "饲草产量(干物质)"),
)

BALANCES = (Balance("forage_area_mu", ("forage_planted_mu",), ("forage_removed_mu",)),)


def init(p):
    area = p["area_mu"].astype(float)
    return {"forage_area_mu": area}, {"forage_planted_mu": np.zeros_like(area),
                                      "forage_removed_mu": np.zeros_like(area)}


def step(s, p, t):
    change = s["forage_area_mu"] * yearly(p, "area_growth_per_yr", t)
    planted, removed = np.clip(change, 0.0, None), np.clip(-change, 0.0, None)
    return ({"forage_area_mu": s["forage_area_mu"] + planted - removed},
            {"forage_planted_mu": planted, "forage_removed_mu": removed})


def report(s, f, p, t):
    fresh = (s["forage_area_mu"] * p["fresh_yield_kg_per_mu"] * (1.0 + p["yield_trend_per_yr"]) ** t
             * yearly(p, "yield_factor", t))
    return {"forage_area": s["forage_area_mu"], "forage_output": fresh,
            "forage_output_dm": fresh * p["dry_matter_share"]}


def assimilate(s, p, t, obs):
    """An observed forage area becomes the area (re-forecasting)."""
    return dict(s, forage_area_mu=obs["forage_area"]) if "forage_area" in obs else s


SECTOR = Sector(
    name="forage", title_en="Forage", title_zh="饲草",
    params=PARAMS, tables=(), balances=BALANCES, indicators=INDICATORS,
    init=init, step=step, report=report, land_claim="forage_area", curtail=scale_except(),
    assimilate=assimilate, observable=("forage_area",),
)
