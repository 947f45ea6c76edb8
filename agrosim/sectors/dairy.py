"""Dairy cattle: cows (成母牛), heifers (育成/青年牛) and female calves (犊牛) in monthly sub-steps.

Cows calve once per calving interval; bull calves are sold at birth, female calves are weaned after
the calf stage and kept as heifers as the replacement rule needs (the rest are sold); heifers join
the cows at first calving. Culled cows leave to beef (an outflow, `dairy_culls`). Milk = cow-years ×
milk per cow × (1 + yield growth)^t. The base year is the stationary herd that matches the region's
total herd (奶牛存栏) or its cows. See `_herd.py` for the stage model.

Base-year milk (`base_milk_output_kg_per_yr`) is a stated figure and wins over the yield default:
with a herd or cow figure it fixes the yield per cow (milk ÷ cow-years of the derived herd); alone
it fixes the cows (milk ÷ yield). See `derive` and docs/sectors/dairy.md.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from agrosim.config.spec import ParamSpec as P
from agrosim.sectors import _herd
from agrosim.sectors.base import IndicatorSpec as I, Sector, scale_except

PARAMS = (
    P("base_herd_head", "head", "Dairy cattle of all ages at the end of the base year (奶牛存栏); 0 = not given.",
      "基期奶牛存栏", default=0.0, lo=0, source="region file (one base figure is required)", base_of="dairy_herd"),
    P("base_cows_head", "head", "Adult (calved) cows at the end of the base year; 0 = not given.",
      "基期成母牛存栏", default=0.0, lo=0, source="region file (one base figure is required)", base_of="dairy_cows"),
    P("calving_interval_months", "month", "Months between successive calvings of a cow.", "产犊间隔",
      default=13.5, lo=10, hi=30, plausible=(12.5, 15.5),
      source="Holstein herds in China commonly report about 400-420 days in DHI summaries; recalled, "
             "not checked against a specific report, hence the wide range"),
    P("female_calf_share", "1", "Share of calves born female (about 0.5; up to about 0.9 with sexed semen).",
      "母犊比例", default=0.5, lo=0, hi=1, plausible=(0.47, 0.9),
      source="biological sex ratio of cattle at birth, about 0.5; sexed semen raises it"),
    P("calf_stage_months", "month", "Months from birth to the end of the calf stage (犊牛期, to 6 months of age).",
      "犊牛期", default=6.0, lo=0.5, hi=12, plausible=(3.0, 6.0),
      source="Chinese dairy management convention: 犊牛 = 0-6 months of age"),
    P("calf_mortality", "1", "Share of female calves dying before the end of the calf stage.", "犊牛死亡率",
      default=0.08, lo=0, hi=0.9, plausible=(0.03, 0.15),
      source="assumption: no published Chinese national figure found; common management range 3-15 %"),
    P("heifer_rearing_months", "month", "Months from the end of the calf stage to first calving.", "育成期",
      default=20.0, lo=6, hi=40, plausible=(16.0, 24.0),
      source="Holstein age at first calving of about 24-27 months, minus the 6-month calf stage; recalled, unverified"),
    P("heifer_death_rate_per_yr", "1/yr", "Share of heifers dying per year.", "青年牛年死亡率",
      default=0.03, lo=0, hi=0.9, plausible=(0.01, 0.06), source="assumption; wide range"),
    P("cow_death_rate_per_yr", "1/yr", "Share of cows dying (not culled) per year.", "成母牛年死亡率",
      default=0.05, lo=0, hi=0.9, plausible=(0.02, 0.08), source="assumption; wide range"),
    P("cow_cull_rate_per_yr", "1/yr", "Share of cows culled per year (sold for beef).", "成母牛年淘汰率",
      default=0.25, lo=0, hi=0.9, plausible=(0.15, 0.35),
      source="common dairy management range of 25-35 % culling a year; recalled, not a national statistic"),
    P("base_milk_output_kg_per_yr", "kg/yr", "Milk output in the base year (牛奶产量); 0 = not given. With a herd or "
      "cow figure it sets the yield per cow, alone it sets the cows.", "基期牛奶产量", default=0.0, lo=0,
      source="region file (optional)", base_of="milk_output"),
    P("milk_kg_per_cow_per_yr", "kg/head/yr", "Milk per adult cow per year, dry period included (成母牛单产); "
      "derived instead when the region states base-year milk and a herd or cow figure.",
      "成母牛年单产", default=8300.0, lo=0, hi=20000, plausible=(5000.0, 10500.0),
      source="MARA: national average yield per dairy cow 8.3 t in 2020 (《“十四五”奶业竞争力提升行动方案》); "
             "recalled, verify; Shanxi's 2025 pair 180 万吨 / 50 万头 (000 L148) implies 3.6 t per head of herd",
      base_of="milk_kg_per_cow"),
    P("milk_yield_growth_per_yr", "1/yr", "Growth of milk per cow per year (提高奶牛单产).", "单产年增长率",
      default=0.0, lo=-0.2, hi=0.2, plausible=(0.0, 0.05), source="scenario lever; 0 = constant yield"),
    P("cull_carcass_kg_per_head", "kg/head", "Beef (carcass weight) from one culled cow (淘汰奶牛 to beef).",
      "淘汰奶牛胴体重", default=300.0, lo=0, hi=600, plausible=(220.0, 380.0),
      source="assumption: a culled Holstein cow of about 550-650 kg live at about 50 % dressing; recalled, not "
             "checked against a published table"),
    P("heifers_bought_head_per_yr", "head/yr", "Heifers bought in from outside the region (a boundary inflow).",
      "外购青年牛", default=0.0, lo=0, time_varying=True, source="scenario lever; 0 = closed herd"),
    P("cow_herd_growth_per_yr", "1/yr", "Planned growth of the cow herd per year (replacements kept to follow it).",
      "成母牛计划增长率", default=0.0, lo=-0.5, hi=1.0, time_varying=True, plausible=(-0.1, 0.2),
      source="scenario lever; 0 = stationary herd"),
) + _herd.capacity_params("dairy")

R = _herd.HerdRole
KIND = _herd.HerdKind(
    names={R.BASE_STOCK: "base_herd_head", R.BASE_BREEDERS: "base_cows_head", R.FEMALE_SHARE: "female_calf_share",
           R.YOUNG_MONTHS: "calf_stage_months", R.YOUNG_MORTALITY: "calf_mortality",
           R.REARING_MONTHS: "heifer_rearing_months", R.REARING_DEATH: "heifer_death_rate_per_yr",
           R.BREEDER_DEATH: "cow_death_rate_per_yr", R.BREEDER_CULL: "cow_cull_rate_per_yr",
           R.BOUGHT: "heifers_bought_head_per_yr", R.BREEDER_GROWTH: "cow_herd_growth_per_yr",
           R.SPARE: "spare_capacity_share"},
    params=PARAMS, births_per_breeder_per_yr=lambda p: 12.0 / p["calving_interval_months"],
    males_sold_at_birth=True, finishing=False, bought_into="replacements", sell_order=("replacements", "young"),
)

INDICATORS = (
    I("dairy_herd", "head", "万头", "Dairy cattle (all ages)", "奶牛存栏"),
    I("dairy_cows", "head", "万头", "Adult dairy cows", "成母牛存栏"),
    I("dairy_heifers", "head", "万头", "Dairy heifers", "育成及青年牛存栏"),
    I("dairy_calves", "head", "万头", "Female dairy calves", "犊牛存栏"),
    I("milk_output", "kg", "万吨", "Milk output", "牛奶产量"),
    I("milk_kg_per_cow", "kg/head", "kg/头", "Milk per adult cow", "成母牛单产"),
    I("dairy_culls", "head", "万头", "Dairy cows culled (to beef)", "淘汰奶牛"),
    I("dairy_cull_beef", "kg", "万吨", "Beef from culled dairy cows", "淘汰奶牛牛肉产量"),
    I("dairy_calves_sold", "head", "万头", "Calves sold (bull calves and surplus heifer calves)", "出售犊牛"),
    I("dairy_heifers_bought", "head", "万头", "Heifers bought in", "外购青年牛"),
    I("dairy_outbreak_loss", "head", "万头", "Dairy cattle lost to outbreaks", "奶牛疫病损失"),
    I("dairy_places", "head", "万头", "Dairy places", "奶牛栏位"),
    I("dairy_cow_growth_limit", "1/yr", "%/年", "Biological speed limit of cow-herd growth", "成母牛最大增长率"),
)


def derive(p):
    """The parameters with what base-year milk implies: the yield per cow where a herd or cow figure
    is also given (milk ÷ cow-years of the stationary herd), else the cows (milk ÷ yield). Unchanged
    where no milk is given. Pure: returns a new mapping."""
    milk = p["base_milk_output_kg_per_yr"]
    if not np.any(milk > 0):
        return p
    out = dict(p)
    counted = (p["base_herd_head"] > 0) | (p["base_cows_head"] > 0)
    cows = _herd.steady(p, KIND)["breeder_years"] if np.any(counted) else np.zeros_like(milk)
    per_cow = np.divide(milk, cows, out=np.array(p["milk_kg_per_cow_per_yr"], dtype=float), where=cows > 0)
    out["milk_kg_per_cow_per_yr"] = np.where((milk > 0) & counted, per_cow, p["milk_kg_per_cow_per_yr"])
    alone = (milk > 0) & ~counted
    out["base_cows_head"] = np.where(alone, milk / np.maximum(p["milk_kg_per_cow_per_yr"], 1e-9), p["base_cows_head"])
    return out


def init(p):
    """The stationary herd of `derive(p)`; its base-year milk per cow is kept in the state, so the
    yearly report need not derive it again."""
    derived = derive(p)
    state, flows = _herd.init(derived, KIND)
    state["milk_kg_per_cow_per_yr"] = derived["milk_kg_per_cow_per_yr"] + 0.0 * state["herd_head"]
    return state, flows


def report(s, f, p, t):
    f = _herd.base_flows(derive(p), KIND) if t == 0 else f
    per_cow = s["milk_kg_per_cow_per_yr"] * (1.0 + p["milk_yield_growth_per_yr"]) ** t
    return {
        "dairy_herd": s["herd_head"], "dairy_cows": s["breeders_head"], "dairy_heifers": s["replacements_head"],
        "dairy_calves": s["young_head"], "milk_kg_per_cow": per_cow + 0.0 * s["herd_head"],
        "milk_output": f["breeder_years"] * per_cow,
        "dairy_culls": f["culled_head"], "dairy_cull_beef": f["culled_head"] * p["cull_carcass_kg_per_head"],
        "dairy_calves_sold": f["males_sold_at_birth_head"] + f["weaned_sold_head"],
        "dairy_heifers_bought": f["bought_head"], "dairy_outbreak_loss": f["outbreak_loss_head"],
        "dairy_places": s["capacity_places"], "dairy_cow_growth_limit": s["growth_limit_per_yr"][:, t],
    }


SECTOR = Sector(
    name="dairy", title_en="Dairy cattle", title_zh="奶牛",
    params=PARAMS, tables=(), balances=_herd.balances(KIND), indicators=INDICATORS,
    curtail=scale_except(_herd.KEPT + ("milk_kg_per_cow_per_yr",)), limit=partial(_herd.limit, kind=KIND, breeders="dairy_cows"),
    init=init, step=partial(_herd.step, kind=KIND), report=report,
    check=lambda p: _herd.check(derive(p), kind=KIND, sector="dairy"),
    assimilate=partial(_herd.assimilate, kind=KIND, stock="dairy_herd", breeders="dairy_cows"),
    observable=("dairy_herd", "dairy_cows"),
)
