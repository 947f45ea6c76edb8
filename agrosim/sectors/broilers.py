"""Broilers: a yearly throughput of batches on house places.

Places = base + additions (online from January of the year they come online). Chicks placed =
places × batches per year; deaths = placed × (1 − liveability); birds in the houses at year end =
places × occupancy share; birds available = stock at start + placed − deaths − stock at end; an
outbreak culls its share of them; the rest are slaughtered (出栏). Meat = slaughter × meat per bird.
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import EventRole, ParamSpec as P
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, scale_except, yearly

PARAMS = (
    P("base_slaughter_head_per_yr", "head/yr", "Broilers slaughtered in the base year; 0 = not given.",
      "基期肉鸡出栏", default=0.0, lo=0, plausible=(0.0, np.inf),
      source="region file; give this or base_places_head (exactly one)", base_of="broilers_slaughtered"),
    P("base_places_head", "head", "Broiler house places in the base year; 0 = not given.", "基期肉鸡栏位",
      default=0.0, lo=0, plausible=(0.0, np.inf),
      source="region file; give this or base_slaughter_head_per_yr (exactly one)", base_of="broiler_places"),
    P("batches_per_yr", "1/yr", "Batches raised per place per year.", "年饲养批次",
      default=5.5, lo=0.5, hi=12, plausible=(4.0, 6.5),
      source="unsure: white-feather broilers grow out in ~42 days with ~2–3 weeks for cleaning, i.e. "
             "5–6 batches a year; slower-growing yellow-feather and local breeds fewer; general industry knowledge"),
    P("liveability", "1", "Share of chicks placed that reach slaughter.", "成活率",
      default=0.95, lo=0.1, hi=1, plausible=(0.9, 0.97),
      source="unsure: breed performance objectives (e.g. Ross 308, AA+) show ~96–97 % at 42 days; farm "
             "averages lower; recalled, not checked"),
    P("occupancy_share", "1", "Average share of places holding birds (grow-out days / cycle days).",
      "栏位平均占用率", default=0.65, lo=0, hi=1, plausible=(0.5, 0.8),
      source="assumption: ~42 grow-out days of a ~65-day cycle; sets only the year-end stock"),
    P("meat_kg_per_head", "kg/head", "Meat (eviscerated carcass) per broiler slaughtered.", "只均产肉量",
      default=1.9, lo=0.1, hi=5, plausible=(1.4, 2.2),
      source="unsure: white-feather broiler ~2.6 kg live × ~75 % eviscerated yield ≈ 1.9 kg; the national "
             "all-poultry ratio (NBS 2023: 禽肉 2563万吨 over about 168亿 birds, recalled) is ≈ 1.5 kg"),
    P("capacity_added_places_per_yr", "head/yr", "Broiler places coming online in that year (from January).",
      "新增栏位", default=0.0, lo=0, time_varying=True, event=EventRole.CAPACITY, plausible=(0.0, np.inf),
      source="scenario or event layer (investment projects); 0 without projects"),
    P("outbreak_loss_fraction", "1", "Share of the year's birds culled in that year (e.g. avian influenza).",
      "疫病损失比例", default=0.0, lo=0, hi=1, time_varying=True, event=EventRole.LOSS, plausible=(0.0, 0.5),
      source="scenario or event layer; 0 without an outbreak"),
)

INDICATORS = (
    I("broilers_slaughtered", "head", "亿只", "Broilers slaughtered in the year", "肉鸡出栏"),
    I("broiler_meat_output", "kg", "万吨", "Broiler meat output", "肉鸡产肉量"),
    I("broiler_stock", "head", "万只", "Broilers in the houses at year end", "肉鸡存栏"),
    I("broiler_places", "head", "万只", "Broiler house places", "肉鸡栏位"),
)

BALANCES = (
    Balance("broilers_head", ("chicks_placed_head",), ("broiler_deaths_head", "broilers_slaughtered_head",
                                                        "broilers_outbreak_head")),
    Balance("places_head", ("capacity_added_places",)),
)

FLOWS = ("chicks_placed_head", "broiler_deaths_head", "broilers_slaughtered_head", "broilers_outbreak_head",
         "capacity_added_places")


def _per_place_slaughter(p):
    return p["batches_per_yr"] * p["liveability"]


def init(p):
    places = np.where(p["base_places_head"] > 0, p["base_places_head"],
                      p["base_slaughter_head_per_yr"] / _per_place_slaughter(p))
    state = {"places_head": places, "broilers_head": places * p["occupancy_share"]}
    return state, {k: np.zeros_like(places) for k in FLOWS}


def step(s, p, t):
    added = yearly(p, "capacity_added_places_per_yr", t)
    places = s["places_head"] + added
    stock = places * p["occupancy_share"]
    placed = places * p["batches_per_yr"]
    deaths = placed * (1.0 - p["liveability"])
    available = s["broilers_head"] + placed - deaths - stock
    culled = available * yearly(p, "outbreak_loss_fraction", t)
    flows = {"chicks_placed_head": placed, "broiler_deaths_head": deaths,
             "broilers_slaughtered_head": available - culled,
             "broilers_outbreak_head": culled, "capacity_added_places": added}
    return {"places_head": places, "broilers_head": stock}, flows


def report(s, f, p, t):
    slaughter = f["broilers_slaughtered_head"] if t > 0 else s["places_head"] * _per_place_slaughter(p)
    return {"broilers_slaughtered": slaughter, "broiler_meat_output": slaughter * p["meat_kg_per_head"],
            "broiler_stock": s["broilers_head"], "broiler_places": s["places_head"]}


def check(p):
    """Exactly one base figure; a year's survivors must at least refill the houses' standing stock."""
    given = [k for k in ("base_slaughter_head_per_yr", "base_places_head") if np.any(p[k] > 0)]
    if len(given) != 1:
        return [("broilers", f"base figures given: {', '.join(given) or 'none'}",
                 "exactly one of base_slaughter_head_per_yr, base_places_head")]
    if np.any(_per_place_slaughter(p) < p["occupancy_share"]):
        return [("broilers.occupancy_share", f"{p['occupancy_share'].max():g}",
                 "at most batches_per_yr × liveability")]
    return []


OBSERVABLE = ("broiler_stock", "broiler_places")


def assimilate(s, p, t, obs):
    """Set the houses to observed places (`broiler_places`) and/or birds in them (`broiler_stock`).

    Rule: the model ties the year-end stock to the places (stock = places × occupancy), so either
    figure alone sets both: places observed → stock = places × occupancy; stock observed →
    places = stock ÷ occupancy (places kept where occupancy is 0). Both figures are taken as they
    are; from the next year on the stock follows places × occupancy again.
    """
    places, stock = s["places_head"], s["broilers_head"]
    occ = p["occupancy_share"]
    if "broiler_places" in obs:
        places = obs["broiler_places"]
        stock = places * occ
    if "broiler_stock" in obs:
        stock = obs["broiler_stock"]
        if "broiler_places" not in obs:
            places = np.divide(stock, occ, out=places.astype(float), where=occ > 0)
    return dict(s, places_head=places, broilers_head=stock)


SECTOR = Sector(
    name="broilers", title_en="Broilers", title_zh="肉鸡",
    params=PARAMS, tables=(), balances=BALANCES, indicators=INDICATORS,
    curtail=scale_except(("places_head", "capacity_added_places")),
    init=init, step=step, report=report, check=check,
    assimilate=assimilate, observable=OBSERVABLE,
)
