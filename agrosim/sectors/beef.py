"""Beef cattle: breeding cows (能繁母牛), suckling calves, replacement heifers and finishing cattle,
in monthly sub-steps.

Cows calve once per calving interval; calves are weaned after the suckling stage; weaned heifers are
kept as replacements as the replacement rule needs, all other weaned calves are finished and
slaughtered. Feeder calves bought in from outside the region (户繁场育 / 山繁川育, 000 L148) enter
finishing as an explicit boundary inflow, limited by free places. 出栏 = finished cattle + culled
cows; beef = 出栏 × carcass weight. The base year is the stationary herd matching the region's stock,
breeding cows or slaughter. See `_herd.py` for the stage model.
"""
from __future__ import annotations

from functools import partial

from agrosim.config.spec import ParamSpec as P
from agrosim.sectors import _herd
from agrosim.sectors.base import IndicatorSpec as I, Sector

PARAMS = (
    P("base_stock_head", "head", "Beef cattle of all ages at the end of the base year (肉牛存栏); 0 = not given.",
      "基期肉牛存栏", default=0.0, lo=0, source="region file (one base figure is required)", base_of="beef_stock"),
    P("base_cows_head", "head", "Breeding cows at the end of the base year (能繁母牛); 0 = not given.",
      "基期能繁母牛", default=0.0, lo=0, source="region file (one base figure is required)", base_of="beef_cows"),
    P("base_slaughter_head_per_yr", "head/yr", "Beef cattle slaughtered in the base year (肉牛出栏); 0 = not given.",
      "基期肉牛出栏", default=0.0, lo=0, source="region file (one base figure is required)", base_of="beef_slaughter"),
    P("calving_interval_months", "month", "Months between successive calvings of a breeding cow.", "产犊间隔",
      default=15.0, lo=10, hi=36, plausible=(12.5, 20.0),
      source="assumption: no published Chinese national figure found; smallholder cow-calf herds are "
             "usually reported at 14-18 months, hence the wide range"),
    P("female_calf_share", "1", "Share of calves born female.", "母犊比例", default=0.5, lo=0, hi=1,
      plausible=(0.47, 0.53), source="biological sex ratio of cattle at birth, about 0.5"),
    P("calf_stage_months", "month", "Months from birth to weaning.", "哺乳期", default=6.0, lo=0.5, hi=12,
      plausible=(4.0, 8.0), source="assumption: suckled beef calves are commonly weaned at about 6 months"),
    P("calf_mortality", "1", "Share of calves dying before weaning.", "犊牛死亡率", default=0.06, lo=0, hi=0.9,
      plausible=(0.02, 0.15), source="assumption; wide range"),
    P("heifer_rearing_months", "month", "Months from weaning to first calving of a replacement heifer.", "后备牛培育期",
      default=24.0, lo=6, hi=48, plausible=(18.0, 30.0),
      source="assumption: first calving at about 30 months of age, minus weaning at 6 months"),
    P("heifer_death_rate_per_yr", "1/yr", "Share of replacement heifers dying per year.", "后备母牛年死亡率",
      default=0.02, lo=0, hi=0.9, plausible=(0.01, 0.05), source="assumption; wide range"),
    P("cow_death_rate_per_yr", "1/yr", "Share of breeding cows dying per year.", "能繁母牛年死亡率",
      default=0.03, lo=0, hi=0.9, plausible=(0.01, 0.06), source="assumption; wide range"),
    P("cow_cull_rate_per_yr", "1/yr", "Share of breeding cows culled (slaughtered) per year.", "能繁母牛年淘汰率",
      default=0.12, lo=0, hi=0.9, plausible=(0.08, 0.2),
      source="assumption: a breeding life of about 8 years; wide range"),
    P("finishing_months", "month", "Mean months from weaning (or purchase) to slaughter.", "育肥期",
      default=12.0, lo=1, hi=36, plausible=(6.0, 18.0),
      source="assumption: slaughter at about 18 months of age; feeders bought at 12 months finish faster"),
    P("finishing_death_rate_per_yr", "1/yr", "Share of finishing cattle dying per year.", "育肥牛年死亡率",
      default=0.02, lo=0, hi=0.9, plausible=(0.005, 0.05), source="assumption; wide range"),
    P("carcass_kg_per_head", "kg/head", "Beef (carcass weight) per head slaughtered.", "胴体重",
      default=148.0, lo=0, hi=600, plausible=(130.0, 300.0),
      source="NBS 2022 national totals: beef 718 万吨 / cattle slaughtered 4840 万头 = 148 kg (recalled, "
             "verify; national mix includes yak and cull cows; improved beef breeds give more)"),
    P("feeders_bought_head_per_yr", "head/yr",
      "Feeder calves bought in from outside the region for finishing (户繁场育), limited by free places.",
      "外购架子牛", default=0.0, lo=0, time_varying=True, source="scenario lever; 0 = closed herd"),
    P("cow_herd_growth_per_yr", "1/yr", "Planned growth of the breeding-cow herd per year.", "能繁母牛计划增长率",
      default=0.0, lo=-0.5, hi=1.0, time_varying=True, plausible=(-0.1, 0.2),
      source="scenario lever; 0 = stationary herd"),
) + _herd.capacity_params("beef-cattle")

R = _herd.HerdRole
KIND = _herd.HerdKind(
    names={R.BASE_STOCK: "base_stock_head", R.BASE_BREEDERS: "base_cows_head",
           R.BASE_SLAUGHTER: "base_slaughter_head_per_yr", R.FEMALE_SHARE: "female_calf_share",
           R.YOUNG_MONTHS: "calf_stage_months", R.YOUNG_MORTALITY: "calf_mortality",
           R.REARING_MONTHS: "heifer_rearing_months", R.REARING_DEATH: "heifer_death_rate_per_yr",
           R.BREEDER_DEATH: "cow_death_rate_per_yr", R.BREEDER_CULL: "cow_cull_rate_per_yr",
           R.FINISHING_MONTHS: "finishing_months", R.FINISHING_DEATH: "finishing_death_rate_per_yr",
           R.BOUGHT: "feeders_bought_head_per_yr", R.BREEDER_GROWTH: "cow_herd_growth_per_yr",
           R.SPARE: "spare_capacity_share"},
    params=PARAMS, births_per_breeder_per_yr=lambda p: 12.0 / p["calving_interval_months"],
    males_sold_at_birth=False, finishing=True, bought_into="finishing",
    sell_order=("finishing", "replacements", "young"),
)

INDICATORS = (
    I("beef_stock", "head", "万头", "Beef cattle in stock", "肉牛存栏"),
    I("beef_cows", "head", "万头", "Breeding cows", "能繁母牛"),
    I("beef_slaughter", "head", "万头", "Beef cattle slaughtered", "肉牛出栏"),
    I("beef_output", "kg", "万吨", "Beef output", "牛肉产量"),
    I("beef_feeders_bought", "head", "万头", "Feeder calves bought in", "外购架子牛"),
    I("beef_feeders_blocked", "head", "万头", "Feeder purchases blocked for lack of places", "因栏位不足未购架子牛"),
    I("beef_sold_for_lack_of_places", "head", "万头", "Cattle sold early for lack of places", "因栏位不足出售"),
    I("beef_outbreak_loss", "head", "万头", "Beef cattle lost to outbreaks", "肉牛疫病损失"),
    I("beef_places", "head", "万头", "Beef-cattle places", "肉牛栏位"),
    I("beef_cow_growth_limit", "1/yr", "%/年", "Biological speed limit of breeding-cow growth", "能繁母牛最大增长率"),
)


def report(s, f, p, t):
    f = _herd.base_flows(p, KIND) if t == 0 else f
    slaughter = f["finished_head"] + f["culled_head"]
    blocked = f["bought_wanted_head"] - f["bought_head"] if t > 0 else 0.0 * slaughter
    return {
        "beef_stock": s["herd_head"], "beef_cows": s["breeders_head"], "beef_slaughter": slaughter,
        "beef_output": slaughter * p["carcass_kg_per_head"], "beef_feeders_bought": f["bought_head"],
        "beef_feeders_blocked": blocked, "beef_sold_for_lack_of_places": f["excess_sold_head"],
        "beef_outbreak_loss": f["outbreak_loss_head"], "beef_places": s["capacity_places"],
        "beef_cow_growth_limit": s["growth_limit_per_yr"][:, t],
    }


SECTOR = Sector(
    name="beef", title_en="Beef cattle", title_zh="肉牛",
    params=PARAMS, tables=(), balances=_herd.balances(KIND), indicators=INDICATORS,
    curtail=_herd.CURTAIL, limit=partial(_herd.limit, kind=KIND, breeders="beef_cows"),
    init=partial(_herd.init, kind=KIND), step=partial(_herd.step, kind=KIND), report=report,
    check=partial(_herd.check, kind=KIND, sector="beef"),
    assimilate=partial(_herd.assimilate, kind=KIND, stock="beef_stock", breeders="beef_cows"),
    observable=("beef_stock", "beef_cows"),
)
