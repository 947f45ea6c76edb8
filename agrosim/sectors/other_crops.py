"""Other crops on cultivated land (蔬菜瓜果、油料等): no yield model, only the land they claim.

Plans set vegetable, melon and oilseed bases in 万亩 next to grain and forage (Shuozhou: vegetable
and fruit bases of 50 万亩, 001 L275); those areas compete for the same cultivated land. The area
follows a yearly schedule (each value holds until the next year given):

    area[t] = area_mu[t]; planted − removed = area[t] − area[t−1]
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import ParamSpec as P
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, scale_except, yearly

PARAMS = (
    P("area_mu", "mu", "Area of other crops on cultivated land in that year (vegetables, melons, oilseeds …).",
      "其他作物占用耕地面积", lo=0, time_varying=True, source="region file or scenario", base_of="other_crop_area"),
)

INDICATORS = (I("other_crop_area", "mu", "万亩", "Other crops on cultivated land", "其他作物面积"),)

BALANCES = (Balance("other_crop_area_mu", ("other_planted_mu",), ("other_removed_mu",)),)


def init(p):
    area = yearly(p, "area_mu", 0).astype(float)
    return {"other_crop_area_mu": area}, {"other_planted_mu": np.zeros_like(area),
                                          "other_removed_mu": np.zeros_like(area)}


def step(s, p, t):
    area = yearly(p, "area_mu", t).astype(float)
    change = area - s["other_crop_area_mu"]
    return {"other_crop_area_mu": area}, {"other_planted_mu": np.clip(change, 0, None),
                                          "other_removed_mu": np.clip(-change, 0, None)}


def report(s, f, p, t):
    return {"other_crop_area": s["other_crop_area_mu"]}


SECTOR = Sector(
    name="other_crops", title_en="Other crops on cultivated land", title_zh="其他耕地作物",
    params=PARAMS, tables=(), balances=BALANCES, indicators=INDICATORS,
    init=init, step=step, report=report, land_claim="other_crop_area", curtail=scale_except(),
)
