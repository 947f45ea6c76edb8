"""Land and grain: cultivated land under a red-line floor, grain sown area by crop,
high-standard farmland (HSF) built per year, yield = base × trend × HSF uplift × weather.

Stocks (end of year): cultivated_land_mu, hsf_area_mu. Output is Σ area × yield × grain
equivalent (potato counts 5:1, i.e. 0.2 kg grain per kg fresh tuber, as Chinese statistics do).
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import ParamSpec as P
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, TableSpec, yearly

CROPS = ("maize", "wheat", "millet", "sorghum", "soybean", "potato", "other_grains")
CROP_ZH = {"maize": "玉米", "wheat": "小麦", "millet": "谷子", "sorghum": "高粱", "soybean": "大豆",
           "potato": "马铃薯", "other_grains": "其他杂粮"}

PARAMS = (
    P("cultivated_land_mu", "mu", "Cultivated land in the base year.", "耕地面积", lo=0,
      source="region file (the plans rarely state it; e.g. Xinzhou 表一 耕地保有量)", base_of="cultivated_land"),
    P("red_line_mu", "mu", "Cultivated-land red line: losses that would take land below it are blocked.",
      "耕地保护红线", default=0.0, lo=0,
      source="region file (the plan's red line); 0 = no floor"),
    P("land_loss_mu_per_yr", "mu/yr", "Cultivated land taken by construction and other uses per year.",
      "耕地占用", default=0.0, lo=0, time_varying=True,
      source="scenario lever; 0 = no loss"),
    P("reclamation_mu_per_yr", "mu/yr", "Cultivated land added by reclamation and offsets per year.",
      "补充耕地", default=0.0, lo=0, time_varying=True,
      source="scenario lever; 0 = no reclamation"),
    P("multiple_cropping_index", "1", "Upper bound of grain sown area per mu of cultivated land.",
      "复种指数上限", default=1.0, lo=0, hi=3, plausible=(0.9, 1.3),
      source="assumption: one grain crop a year on each mu (northern China single cropping); raise it where "
             "wheat is followed by a summer crop"),
    P("grain_area_mu", "mu", "Grain sown area in the base year.", "粮食播种面积", lo=0, source="region file",
      base_of="grain_sown_area"),
    P("grain_area_growth_per_yr", "1/yr", "Planned relative change of grain sown area per year.",
      "粮食播种面积年增长率", default=0.0, lo=-0.5, hi=0.5, time_varying=True,
      source="scenario lever; 0 = area held"),
    P("hsf_area_mu", "mu", "High-standard farmland built by the base year (cumulative).", "高标准农田面积", lo=0,
      source="region file", base_of="hsf_area"),
    P("hsf_build_mu_per_yr", "mu/yr", "HSF built per year from area programmes.", "高标准农田年建设面积",
      default=0.0, lo=0, time_varying=True, source="scenario lever (the plan's HSF programme); 0 = none"),
    P("hsf_budget_yuan_per_yr", "yuan/yr", "Money for HSF per year; builds budget ÷ cost per mu on top of the area programme.",
      "高标准农田年投资", default=0.0, lo=0, time_varying=True,
      source="scenario lever; 0 = no HSF money beyond the area programme"),
    P("hsf_cost_yuan_per_mu", "yuan/mu", "Investment per mu of HSF built.", "高标准农田亩均投资",
      default=1500.0, lo=1e-9, plausible=(1500.0, 3000.0),
      source="assumption: none of the plans states a cost per mu; 1500-3000 元/亩 is the order of national HSF "
             "investment standards recalled, not checked; used only when HSF is budgeted in money"),
    P("hsf_lapse_per_yr", "1/yr", "Share of the HSF stock that falls out of standard per year.",
      "高标准农田年失效率", default=0.0, lo=0, hi=1, plausible=(0.0, 0.05),
      source="scenario lever; 0 = HSF never falls out of standard (no published rate found)"),
    P("hsf_yield_uplift", "1", "Grain yield on HSF relative to other land, minus one.", "高标准农田增产率",
      default=0.0, lo=0, hi=1, plausible=(0.0, 0.2),
      source="region file; 0 = no uplift. Shanxi's file cites about 10-20 % (national HSF plan, recalled)"),
    P("yield_trend_per_yr", "1/yr", "Yield growth per year from varieties, inputs and management.",
      "单产年增长率", default=0.0, lo=-0.2, hi=0.2, plausible=(0.0, 0.015),
      source="region file or scenario; 0 = base yield held"),
    P("weather_yield_factor", "1", "Weather multiplier on all crops' yield (1 = normal, 0.9 = 10 % loss); "
      "a schedule applies only in the years it names.", "气象单产系数", default=1.0, lo=0, hi=2, time_varying=True,
      pulse=True, plausible=(0.7, 1.1), source="scenario or drought events; 1 = a normal year"),
)

CROP_TABLE = TableSpec("crops", CROPS, (
    P("area_share", "1", "Share of grain sown area.", "面积占比", lo=0, hi=1, source="region file"),
    P("base_yield_kg_per_mu", "kg/mu", "Base-year yield (fresh weight for potato).", "基期单产", lo=0, source="region file"),
    P("grain_equiv", "1", "kg of grain counted per kg harvested (potato 0.2 = 5:1).", "折粮系数",
      default=1.0, lo=0, hi=1,
      source="NBS grain statistics convention: cereals and pulses 1, potato 0.2 (5 kg fresh tuber = 1 kg grain)"),
), "Grain crops; omitted crops have zero area.")

INDICATORS = (
    I("cultivated_land", "mu", "万亩", "Cultivated land", "耕地面积"),
    I("grain_sown_area", "mu", "万亩", "Grain sown area", "粮食播种面积"),
    I("grain_area_shortfall", "mu", "万亩", "Planned grain area not placed for lack of land", "粮食面积缺口"),
    I("grain_land_claim", "mu", "万亩", "Cultivated land under grain (sown area ÷ multiple cropping)",
      "粮食占用耕地"),
    I("land_loss_blocked", "mu", "万亩", "Land loss blocked by the red line", "红线阻止的耕地占用"),
    I("hsf_area", "mu", "万亩", "High-standard farmland", "高标准农田面积"),
    I("hsf_built", "mu", "万亩", "HSF built this year", "高标准农田新建面积"),
    I("hsf_spend", "yuan", "亿元", "Investment in HSF this year", "高标准农田投资"),
    I("grain_yield", "kg/mu", "kg/亩", "Grain yield", "粮食单产"),
    I("grain_output", "kg", "万吨", "Grain output", "粮食总产量"),
    I("grain_capacity", "kg", "万吨", "Grain production capacity (output in a normal-weather year)",
      "粮食综合生产能力"),
) + tuple(I(f"sown_area_{c}", "mu", "万亩", f"Sown area: {c}", f"{CROP_ZH[c]}播种面积") for c in CROPS) \
  + tuple(I(f"grain_output_{c}", "kg", "万吨", f"Grain output: {c}", f"{CROP_ZH[c]}产量(折粮)") for c in CROPS)

BALANCES = (
    Balance("cultivated_land_mu", ("reclaimed_mu",), ("land_lost_mu",)),
    Balance("hsf_area_mu", ("hsf_built_mu",), ("hsf_lapsed_mu", "hsf_lost_mu")),
)

_ZERO_FLOWS = ("reclaimed_mu", "land_lost_mu", "land_loss_blocked_mu", "hsf_built_mu", "hsf_lapsed_mu",
               "hsf_lost_mu", "hsf_spend_yuan")


def _place_grain(demand_mu, land_mu, p):
    """Grain area placed = demand capped by land × multiple cropping; split by crop shares."""
    placed = np.minimum(demand_mu, land_mu * p["multiple_cropping_index"])
    return placed[:, None] * p["crops.area_share"], demand_mu - placed


def init(p):
    land = p["cultivated_land_mu"].astype(float)
    demand = p["grain_area_mu"].astype(float)
    crop_area, shortfall = _place_grain(demand, land, p)
    hsf = p["hsf_area_mu"].astype(float)
    state = {
        "cultivated_land_mu": land,
        "hsf_area_mu": hsf,
        "grain_area_demand_mu": demand,
        "crop_area_mu": crop_area,
        "grain_area_shortfall_mu": shortfall,
        "hsf_share_base": _hsf_share(hsf, crop_area),
        "yield_level": np.ones_like(land),
    }
    return state, {k: np.zeros_like(land) for k in _ZERO_FLOWS}


def _hsf_share(hsf_mu, crop_area_mu):
    area = crop_area_mu.sum(axis=1)
    return np.clip(np.divide(hsf_mu, area, out=np.zeros_like(hsf_mu), where=area > 0), 0.0, 1.0)


def step(s, p, t):
    land = s["cultivated_land_mu"]
    reclaimed = yearly(p, "reclamation_mu_per_yr", t)
    loss_wanted = yearly(p, "land_loss_mu_per_yr", t)
    land_lost = np.clip(np.minimum(loss_wanted, land + reclaimed - p["red_line_mu"]), 0.0, None)
    land_new = land + reclaimed - land_lost

    demand = s["grain_area_demand_mu"] * (1.0 + yearly(p, "grain_area_growth_per_yr", t))
    crop_area, shortfall = _place_grain(demand, land_new, p)

    hsf = s["hsf_area_mu"]
    lapsed = hsf * p["hsf_lapse_per_yr"]
    lost = np.clip(hsf - lapsed - land_new, 0.0, None)
    wanted = yearly(p, "hsf_build_mu_per_yr", t) + yearly(p, "hsf_budget_yuan_per_yr", t) / p["hsf_cost_yuan_per_mu"]
    built = np.clip(np.minimum(wanted, land_new - (hsf - lapsed - lost)), 0.0, None)
    new = dict(s, cultivated_land_mu=land_new, grain_area_demand_mu=demand, crop_area_mu=crop_area,
               grain_area_shortfall_mu=shortfall, hsf_area_mu=hsf + built - lapsed - lost)
    flows = {"reclaimed_mu": reclaimed, "land_lost_mu": land_lost, "land_loss_blocked_mu": loss_wanted - land_lost,
             "hsf_built_mu": built, "hsf_lapsed_mu": lapsed, "hsf_lost_mu": lost,
             "hsf_spend_yuan": built * p["hsf_cost_yuan_per_mu"]}
    return new, flows


def report(s, f, p, t):
    crop_area = s["crop_area_mu"]
    normal = _yield_factor(s, p, t, weather=False)
    per_crop = crop_area * p["crops.base_yield_kg_per_mu"] * p["crops.grain_equiv"] * normal[:, None]
    crop_out = per_crop * yearly(p, "weather_yield_factor", t)[:, None]
    area, output = crop_area.sum(axis=1), crop_out.sum(axis=1)
    out = {
        "cultivated_land": s["cultivated_land_mu"], "grain_sown_area": area,
        "grain_area_shortfall": s["grain_area_shortfall_mu"], "land_loss_blocked": f["land_loss_blocked_mu"],
        "grain_land_claim": np.divide(area, p["multiple_cropping_index"], out=np.zeros_like(area),
                                      where=p["multiple_cropping_index"] > 0),
        "hsf_area": s["hsf_area_mu"], "hsf_built": f["hsf_built_mu"], "hsf_spend": f["hsf_spend_yuan"],
        "grain_yield": np.divide(output, area, out=np.zeros_like(output), where=area > 0),
        "grain_output": output,
        # capacity: the same land, HSF and trend in a normal year (weather factor 1, no drought)
        "grain_capacity": per_crop.sum(axis=1),
    }
    for k, crop in enumerate(CROPS):
        out[f"sown_area_{crop}"] = crop_area[:, k]
        out[f"grain_output_{crop}"] = crop_out[:, k]
    return out


def _yield_factor(s, p, t, weather: bool = True):
    """Yield relative to the base year: trend × HSF uplift × weather × level set by observations;
    without the weather factor it is the yield of a normal year (production capacity)."""
    uplift = p["hsf_yield_uplift"]
    share = _hsf_share(s["hsf_area_mu"], s["crop_area_mu"])
    factor = ((1.0 + p["yield_trend_per_yr"]) ** t * (1.0 + uplift * share) / (1.0 + uplift * s["hsf_share_base"])
              * s["yield_level"])
    return factor * yearly(p, "weather_yield_factor", t) if weather else factor


OBSERVABLE = ("cultivated_land", "hsf_area", "grain_sown_area", "grain_output")


def assimilate(s, p, t, obs):
    """Pin the state to observed values: land and HSF stocks directly, grain area by scaling every
    crop (shares kept), and output through the yield level, which then persists into later years."""
    s = dict(s)
    if "cultivated_land" in obs:
        s["cultivated_land_mu"] = obs["cultivated_land"]
    if "hsf_area" in obs:
        s["hsf_area_mu"] = np.minimum(obs["hsf_area"], s["cultivated_land_mu"])
    if "grain_sown_area" in obs:
        area = s["crop_area_mu"].sum(axis=1)
        scale = np.divide(obs["grain_sown_area"], area, out=np.ones_like(area), where=area > 0)
        s["crop_area_mu"] = s["crop_area_mu"] * scale[:, None]
        s["grain_area_demand_mu"] = obs["grain_sown_area"]
        s["grain_area_shortfall_mu"] = np.zeros_like(area)
    if "grain_output" in obs:
        crop_out = s["crop_area_mu"] * p["crops.base_yield_kg_per_mu"] * p["crops.grain_equiv"]
        model = crop_out.sum(axis=1) * _yield_factor(s, p, t)
        s["yield_level"] = s["yield_level"] * np.divide(obs["grain_output"], model, out=np.ones_like(model),
                                                        where=model > 0)
    return s


def curtail(s, f, share, p):
    """Grain gets `share` of the land it claims (a higher-priority sector took the rest): every crop
    shrinks alike and the area not placed joins the shortfall."""
    area = s["crop_area_mu"].sum(axis=1)
    return dict(s, crop_area_mu=s["crop_area_mu"] * share[:, None],
                grain_area_shortfall_mu=s["grain_area_shortfall_mu"] + area * (1.0 - share)), f


def check(p):
    """Cross-parameter rules a single field cannot express: (key path, found, expected)."""
    problems = []
    total = p["crops.area_share"].sum(axis=1)
    if not np.allclose(total, 1.0, atol=1e-6):
        problems.append(("land_grain.crops.*.area_share", f"shares summing to {total.max():.6g}", "shares summing to 1"))
    if np.any(p["red_line_mu"] > p["cultivated_land_mu"]):
        problems.append(("land_grain.red_line_mu", f"{p['red_line_mu'].max():g} mu above cultivated land",
                         f"at most cultivated_land_mu = {p['cultivated_land_mu'].min():g} mu"))
    if np.any(p["hsf_area_mu"] > p["cultivated_land_mu"]):
        problems.append(("land_grain.hsf_area_mu", f"{p['hsf_area_mu'].max():g} mu", "at most cultivated_land_mu"))
    return problems


SECTOR = Sector(
    name="land_grain", title_en="Land and grain", title_zh="耕地与粮食",
    params=PARAMS, tables=(CROP_TABLE,), balances=BALANCES, indicators=INDICATORS,
    init=init, step=step, report=report, check=check, assimilate=assimilate, observable=OBSERVABLE,
    land_claim="grain_land_claim", curtail=curtail,
)
