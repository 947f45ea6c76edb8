"""Sheep and goats: breeding ewes (能繁母羊), lambs before weaning, replacement ewe lambs and finishing
lambs, in monthly sub-steps.

Ewes give lambs at the lambing rate (lambs born per ewe per year, all lambings counted; births are
spread over the year, as in housed flocks that lamb all year); lambs are weaned, ewe lambs kept as
replacements as the replacement rule needs, all others finished and slaughtered. Lambs bought in
from outside (牧繁农育, 001 L257) enter finishing as a boundary inflow, limited by free places.
出栏 = finished lambs + culled ewes; 饲养量 = year-end stock + 出栏 (the usual statistical meaning,
notes/seed_001 conventions); mutton = 出栏 × carcass weight. See `_herd.py` for the stage model.
"""
from __future__ import annotations

from functools import partial

from agrosim.config.spec import ParamSpec as P
from agrosim.sectors import _herd
from agrosim.sectors.base import IndicatorSpec as I, Sector

PARAMS = (
    P("base_stock_head", "head", "Sheep and goats at the end of the base year (存栏); 0 = not given.", "基期羊存栏",
      default=0.0, lo=0, source="region file (one base figure is required)", base_of="sheep_stock"),
    P("base_ewes_head", "head", "Breeding ewes at the end of the base year (能繁母羊); 0 = not given.", "基期能繁母羊",
      default=0.0, lo=0, source="region file (one base figure is required)", base_of="sheep_ewes"),
    P("base_slaughter_head_per_yr", "head/yr", "Sheep and goats slaughtered in the base year (出栏); 0 = not given.",
      "基期羊出栏", default=0.0, lo=0, source="region file (one base figure is required)", base_of="sheep_slaughter"),
    P("lambs_born_per_ewe_per_yr", "1/yr", "Lambs born per ewe per year, all lambings and litters counted "
      "(a yearly schedule: the productivity lever).", "母羊年产羔数", default=1.5, lo=0, hi=6, time_varying=True,
      plausible=(1.2, 2.0),
      source="assumption: true, range 1.2-2.0 lambs per ewe a year for Shanxi flocks (no published Shanxi or "
             "national figure checked): local single-lambing breeds lamb about once a year (near 1), Small-tailed "
             "Han and Hu crosses twice in three years with 1.5-2 lambs a lambing; 1.5 is a mixed flock. Shuozhou's "
             "3 (001 L257: 100 万 ewes, 300 万 lambs) is the plan's premise, a scenario choice above this range"),
    P("female_lamb_share", "1", "Share of lambs born female.", "母羔比例", default=0.5, lo=0, hi=1,
      plausible=(0.47, 0.53), source="biological sex ratio of sheep at birth, about 0.5"),
    P("lamb_weaning_months", "month", "Months from birth to weaning.", "断奶日龄", default=3.0, lo=0.5, hi=8,
      plausible=(2.0, 4.0), source="assumption: lambs weaned at 2-4 months"),
    P("lamb_mortality", "1", "Share of lambs dying before weaning.", "羔羊死亡率", default=0.10, lo=0, hi=0.9,
      plausible=(0.03, 0.25), source="assumption; wide range"),
    P("ewe_lamb_rearing_months", "month", "Months from weaning to first lambing of a replacement ewe.", "后备母羊培育期",
      default=10.0, lo=3, hi=24, plausible=(6.0, 15.0),
      source="assumption: first lambing at about 12-15 months of age"),
    P("ewe_lamb_death_rate_per_yr", "1/yr", "Share of replacement ewe lambs dying per year.", "后备母羊年死亡率",
      default=0.04, lo=0, hi=0.9, plausible=(0.01, 0.1), source="assumption; wide range"),
    P("ewe_death_rate_per_yr", "1/yr", "Share of breeding ewes dying per year.", "能繁母羊年死亡率",
      default=0.04, lo=0, hi=0.9, plausible=(0.02, 0.1), source="assumption; wide range"),
    P("ewe_cull_rate_per_yr", "1/yr", "Share of breeding ewes culled (slaughtered) per year.", "能繁母羊年淘汰率",
      default=0.20, lo=0, hi=0.9, plausible=(0.1, 0.3), source="assumption: a breeding life of about 5 years"),
    P("finishing_months", "month", "Mean months from weaning (or purchase) to slaughter.", "育肥期",
      default=4.0, lo=1, hi=24, plausible=(2.0, 9.0),
      source="assumption: fat lambs slaughtered at about 6-8 months of age"),
    P("finishing_death_rate_per_yr", "1/yr", "Share of finishing lambs dying per year.", "育肥羊年死亡率",
      default=0.03, lo=0, hi=0.9, plausible=(0.01, 0.1), source="assumption; wide range"),
    P("carcass_kg_per_head", "kg/head", "Mutton (carcass weight) per head slaughtered.", "胴体重",
      default=15.6, lo=0, hi=60, plausible=(12.0, 22.0),
      source="NBS 2022 national totals: mutton 525 万吨 / sheep and goats slaughtered 33 624 万只 = 15.6 kg "
             "(recalled, verify)"),
    P("lambs_bought_head_per_yr", "head/yr",
      "Lambs bought in from outside the region for finishing (牧繁农育), limited by free places.",
      "外购育肥羔羊", default=0.0, lo=0, time_varying=True, source="scenario lever; 0 = closed flock"),
    P("ewe_flock_growth_per_yr", "1/yr", "Planned growth of the breeding-ewe flock per year.", "能繁母羊计划增长率",
      default=0.0, lo=-0.5, hi=2.0, time_varying=True, plausible=(-0.1, 0.3),
      source="scenario lever; 0 = stationary flock"),
) + _herd.capacity_params("sheep")

R = _herd.HerdRole
KIND = _herd.HerdKind(
    names={R.BASE_STOCK: "base_stock_head", R.BASE_BREEDERS: "base_ewes_head",
           R.BASE_SLAUGHTER: "base_slaughter_head_per_yr", R.FEMALE_SHARE: "female_lamb_share",
           R.YOUNG_MONTHS: "lamb_weaning_months", R.YOUNG_MORTALITY: "lamb_mortality",
           R.REARING_MONTHS: "ewe_lamb_rearing_months", R.REARING_DEATH: "ewe_lamb_death_rate_per_yr",
           R.BREEDER_DEATH: "ewe_death_rate_per_yr", R.BREEDER_CULL: "ewe_cull_rate_per_yr",
           R.FINISHING_MONTHS: "finishing_months", R.FINISHING_DEATH: "finishing_death_rate_per_yr",
           R.BOUGHT: "lambs_bought_head_per_yr", R.BREEDER_GROWTH: "ewe_flock_growth_per_yr",
           R.SPARE: "spare_capacity_share"},
    params=PARAMS, births_per_breeder_per_yr=lambda p: p["lambs_born_per_ewe_per_yr"],
    males_sold_at_birth=False, finishing=True, bought_into="finishing",
    sell_order=("finishing", "replacements", "young"),
)

INDICATORS = (
    I("sheep_stock", "head", "万只", "Sheep and goats in stock", "羊存栏"),
    I("sheep_ewes", "head", "万只", "Breeding ewes", "能繁母羊"),
    I("sheep_slaughter", "head", "万只", "Sheep and goats slaughtered", "羊出栏"),
    I("sheep_raised", "head", "万只", "Sheep raised (stock + slaughter)", "羊饲养量"),
    I("mutton_output", "kg", "万吨", "Mutton output", "羊肉产量"),
    I("sheep_lambs_born", "head", "万只", "Lambs born", "产羔数"),
    I("sheep_lambs_bought", "head", "万只", "Lambs bought in", "外购育肥羔羊"),
    I("sheep_lambs_blocked", "head", "万只", "Lamb purchases blocked for lack of places", "因栏位不足未购羔羊"),
    I("sheep_sold_for_lack_of_places", "head", "万只", "Sheep sold early for lack of places", "因栏位不足出售"),
    I("sheep_outbreak_loss", "head", "万只", "Sheep lost to outbreaks", "羊疫病损失"),
    I("sheep_places", "head", "万只", "Sheep places", "羊栏位"),
    I("sheep_ewe_growth_limit", "1/yr", "%/年", "Biological speed limit of ewe-flock growth", "能繁母羊最大增长率"),
)


def report(s, f, p, t):
    f = _herd.base_flows(p, KIND) if t == 0 else f
    slaughter = f["finished_head"] + f["culled_head"]
    blocked = f["bought_wanted_head"] - f["bought_head"] if t > 0 else 0.0 * slaughter
    return {
        "sheep_stock": s["herd_head"], "sheep_ewes": s["breeders_head"], "sheep_slaughter": slaughter,
        "sheep_raised": s["herd_head"] + slaughter, "mutton_output": slaughter * p["carcass_kg_per_head"],
        "sheep_lambs_born": f["born_head"], "sheep_lambs_bought": f["bought_head"], "sheep_lambs_blocked": blocked,
        "sheep_sold_for_lack_of_places": f["excess_sold_head"], "sheep_outbreak_loss": f["outbreak_loss_head"],
        "sheep_places": s["capacity_places"], "sheep_ewe_growth_limit": s["growth_limit_per_yr"][:, t],
    }


SECTOR = Sector(
    name="sheep", title_en="Sheep and goats", title_zh="羊",
    params=PARAMS, tables=(), balances=_herd.balances(KIND), indicators=INDICATORS,
    curtail=_herd.CURTAIL, limit=partial(_herd.limit, kind=KIND, breeders="sheep_ewes"),
    init=partial(_herd.init, kind=KIND), step=partial(_herd.step, kind=KIND), report=report,
    check=partial(_herd.check, kind=KIND, sector="sheep"),
    assimilate=partial(_herd.assimilate, kind=KIND, stock="sheep_stock", breeders="sheep_ewes"),
    observable=("sheep_stock", "sheep_ewes"),
)
