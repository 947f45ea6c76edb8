"""Bees: colonies (箱) by bee type (Chinese honeybee 中蜂, Italian bee 意蜂) in seasonal sub-steps.

Winter: a share of colonies dies (overwinter loss). Spring: surviving colonies are split to bring
each type back onto its planned path (base colonies growing at the planned rate; a shock does not
lower the path, so colonies rebuild), never above the biological cap of new colonies per colony,
and together with bought colonies only into free places (boxes the beekeepers can keep). Summer: a
disease or pesticide shock (`outbreak_loss_fraction`) kills a share, then the colonies left give
honey: an established colony its type's full crop (kg per colony), a colony split or bought this
spring only `first_season_honey_share` of it (it must build up its workforce first). The base year
is stationary, so its splits (replacing the winter loss) are first-season colonies too. The speed
limit of colony growth is (1 − overwinter loss) × (1 + split cap) − 1 per year.
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import EventRole, ParamSpec as P
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, TableSpec, yearly

TYPES = ("chinese", "italian")

PARAMS = (
    P("colonies_box", "box", "Colonies at the end of the base year (蜂群存量).", "基期蜂群", lo=0,
      source="region file", base_of="bee_colonies"),
    P("colonies_bought_box_per_yr", "box/yr", "Colonies bought in from outside in spring, limited by free places.",
      "外购蜂群", default=0.0, lo=0, time_varying=True, source="scenario lever; 0 = none bought"),
    P("spare_capacity_share", "1", "Empty places (boxes) in the base year as a share of the base-year colonies.",
      "基期空余蜂箱比例", default=0.0, lo=0, hi=5, plausible=(0.0, 0.5),
      source="assumption: plans give no box capacity; 0 means every box is occupied in the base year"),
    P("capacity_added_places_per_yr", "box/yr", "Places (boxes) coming online in that year (filled by the event layer).",
      "新增蜂箱容量", default=0.0, lo=0, time_varying=True, event=EventRole.CAPACITY, source="scenario or event layer; 0 without projects"),
    P("colony_growth_per_yr", "1/yr", "Planned growth of colonies per year (0 = splits only replace losses).",
      "蜂群计划增长率", default=0.0, lo=-0.9, hi=5.0, time_varying=True, plausible=(-0.1, 1.0),
      source="scenario lever; 0 = stationary"),
    P("outbreak_loss_fraction", "1", "Share of colonies lost to disease or pesticides in that year's summer.",
      "病害及农药损失比例", default=0.0, lo=0, hi=1, time_varying=True, event=EventRole.LOSS, plausible=(0.0, 0.5),
      source="scenario or event layer; 0 without a shock"),
)

TYPE_TABLE = TableSpec("types", TYPES, (
    P("share", "1", "Share of the base-year colonies.", "基期占比", lo=0, hi=1, source="region file"),
    P("honey_kg_per_box", "kg/box", "Honey per established colony (wintered at least once) in the honey season.",
      "箱产蜜量", lo=0, hi=200,
      plausible=(5.0, 60.0),
      source="no default, the types differ several-fold: Chinese honeybee in modern boxes about 10-25 kg, "
             "Italian bee about 30-60 kg (notes/seed_003_004 §5, unverified background knowledge)"),
    P("overwinter_loss", "1", "Share of colonies dying over winter (absconding included for 中蜂).", "越冬损失率",
      default=0.15, lo=0, hi=1, plausible=(0.05, 0.4),
      source="assumption: no published Chinese figure checked; kept wide"),
    P("max_split_per_colony", "1", "Biological cap on new colonies per surviving colony in one spring.",
      "最大分群数", default=2.0, lo=0, hi=10, plausible=(1.0, 3.0),
      source="assumption from beekeeping practice (a strong colony splits into two or three in a season); "
             "no published standard found, kept wide"),
    P("first_season_honey_share", "1", "Honey of a colony split or bought this spring, as a share of an "
      "established colony's crop.", "新分群当年产蜜比例", default=0.5, lo=0, hi=1, plausible=(0.3, 0.7),
      source="assumption: true, range 0.3-0.7. Beekeeping practice: a spring split must raise brood and a "
             "workforce for 6-8 weeks before it stores surplus honey, so in its first season it yields roughly "
             "a third to two thirds of an established colony; no published Chinese coefficient checked"),
), "Bee types; omitted types have no colonies.")

INDICATORS = (
    I("bee_colonies", "box", "万箱", "Bee colonies", "蜂群存量"),
    I("bee_colonies_chinese", "box", "万箱", "Chinese honeybee colonies", "中蜂蜂群"),
    I("bee_colonies_italian", "box", "万箱", "Italian bee colonies", "意蜂蜂群"),
    I("honey_output", "kg", "吨", "Honey output", "蜂蜜产量"),
    I("honey_kg_per_box", "kg/box", "kg/箱", "Honey per colony", "箱产蜜量"),
    I("bee_colonies_split", "box", "万箱", "Colonies from spring splitting", "分群数"),
    I("bee_colonies_bought", "box", "万箱", "Colonies bought in", "外购蜂群"),
    I("bee_winter_loss", "box", "万箱", "Colonies lost over winter", "越冬损失蜂群"),
    I("bee_outbreak_loss", "box", "万箱", "Colonies lost to disease or pesticides", "病害农药损失蜂群"),
    I("bee_places", "box", "万箱", "Bee boxes (places)", "蜂箱容量"),
    I("bee_colony_growth_limit", "1/yr", "%/年", "Biological speed limit of colony growth", "蜂群最大增长率"),
)

BALANCES = (
    Balance("colonies_box", ("split_box", "bought_box"), ("winter_loss_box", "outbreak_loss_box")),
    Balance("capacity_places", ("capacity_added_places",)),
)

FLOWS = ("split_box", "bought_box", "winter_loss_box", "outbreak_loss_box")


def init(p):
    colonies = p["colonies_box"][:, None] * p["types.share"]
    state = {"colonies_box": colonies, "target_colonies_box": colonies.copy(),
             "capacity_places": p["colonies_box"] * (1.0 + p["spare_capacity_share"])}
    flows = {k: np.zeros_like(colonies) for k in FLOWS}
    flows["capacity_added_places"] = np.zeros_like(p["colonies_box"])
    return state, flows


def step_seasons(s, p, t):
    """One year in seasons: (new state, yearly flows, [(season, colonies, flows)] for each season)."""
    c0 = s["colonies_box"]
    capacity = s["capacity_places"] + yearly(p, "capacity_added_places_per_yr", t)
    winter = c0 * p["types.overwinter_loss"]
    c1 = c0 - winter
    target = s["target_colonies_box"] * (1.0 + yearly(p, "colony_growth_per_yr", t))[:, None]
    wanted = np.clip(target - c1, 0.0, c1 * p["types.max_split_per_colony"])
    free = np.maximum(capacity - c1.sum(axis=1), 0.0)
    wanted_total = wanted.sum(axis=1)
    # free / wanted only where the wanted splits exceed the free places (elsewhere the scale is 1): a wanted
    # total near zero would overflow the division for no purpose
    scale = np.minimum(1.0, np.divide(free, wanted_total, out=np.ones_like(free), where=wanted_total > free))
    split = wanted * scale[:, None]
    bought_total = np.minimum(yearly(p, "colonies_bought_box_per_yr", t), free - split.sum(axis=1))
    total1 = c1.sum(axis=1, keepdims=True)
    mix = np.where(total1 > 0, np.divide(c1, total1, out=np.zeros_like(c1), where=total1 > 0), p["types.share"])
    bought = np.maximum(bought_total, 0.0)[:, None] * mix
    c2 = c1 + split + bought
    outbreak = c2 * yearly(p, "outbreak_loss_fraction", t)[:, None]
    c3 = c2 - outbreak
    zero = np.zeros_like(c0)
    seasons = [
        ("winter", c1, {"split_box": zero, "bought_box": zero, "winter_loss_box": winter, "outbreak_loss_box": zero}),
        ("spring", c2, {"split_box": split, "bought_box": bought, "winter_loss_box": zero, "outbreak_loss_box": zero}),
        ("summer", c3, {"split_box": zero, "bought_box": zero, "winter_loss_box": zero, "outbreak_loss_box": outbreak}),
    ]
    flows = {"split_box": split, "bought_box": bought, "winter_loss_box": winter, "outbreak_loss_box": outbreak,
             "capacity_added_places": capacity - s["capacity_places"]}
    return {"colonies_box": c3, "target_colonies_box": target, "capacity_places": capacity}, flows, seasons


def step(s, p, t):
    new, flows, _ = step_seasons(s, p, t)
    return new, flows


def growth_factor(p) -> np.ndarray:
    """(n, types) largest yearly multiplication of colonies: (1 − overwinter loss) × (1 + split cap)."""
    return (1.0 - p["types.overwinter_loss"]) * (1.0 + p["types.max_split_per_colony"])


def max_colonies_box(colonies_box, p, years: int) -> np.ndarray:
    """Upper bound on colonies `years` years after `colonies_box` (n, types): any target above it is
    biologically infeasible (no purchases, unlimited boxes, no shocks)."""
    return (colonies_box * growth_factor(p) ** years).sum(axis=1)


def limit(state, p, indicator: str, years: int):
    """Biological bound on colonies `years` after the base year (see max_colonies_box)."""
    return max_colonies_box(state["colonies_box"], p, years) if indicator == "bee_colonies" else None


def honey_colonies(colonies, f, p, t):
    """(n, types) colonies in full-crop equivalents: the colonies split or bought this spring that
    survive the summer shock count for `first_season_honey_share` of an established colony."""
    new = (f["split_box"] + f["bought_box"]) * (1.0 - yearly(p, "outbreak_loss_fraction", t))[:, None]
    return colonies - new * (1.0 - p["types.first_season_honey_share"])


def report(s, f, p, t):
    colonies = s["colonies_box"]
    if t == 0:  # the stationary base year: splits replace the overwinter loss
        lost = colonies * p["types.overwinter_loss"]
        f = dict(f, winter_loss_box=lost, split_box=lost)
    total = colonies.sum(axis=1)
    honey = (honey_colonies(colonies, f, p, t) * p["types.honey_kg_per_box"]).sum(axis=1)
    limit = np.divide((colonies * growth_factor(p)).sum(axis=1), total, out=np.zeros_like(total), where=total > 0)
    return {
        "bee_colonies": total, "bee_colonies_chinese": colonies[:, 0], "bee_colonies_italian": colonies[:, 1],
        "honey_output": honey,
        "honey_kg_per_box": np.divide(honey, total, out=np.zeros_like(total), where=total > 0),
        "bee_colonies_split": f["split_box"].sum(axis=1), "bee_colonies_bought": f["bought_box"].sum(axis=1),
        "bee_winter_loss": f["winter_loss_box"].sum(axis=1), "bee_outbreak_loss": f["outbreak_loss_box"].sum(axis=1),
        "bee_places": s["capacity_places"], "bee_colony_growth_limit": limit - 1.0,
    }


def check(p):
    total = p["types.share"].sum(axis=1)
    if not np.allclose(total, 1.0, atol=1e-6):
        return [("bees.types.*.share", f"shares summing to {total.max():.6g}", "shares summing to 1")]
    return []


OBSERVABLE = ("bee_colonies",) + tuple(f"bee_colonies_{k}" for k in TYPES)


def assimilate(s, p, t, obs):
    """Set colonies to observed totals: by type (`bee_colonies_chinese`, `bee_colonies_italian`)
    and/or all types (`bee_colonies`).

    Rule: an observed type is set as given; an observed total scales the types not observed by
    type so the total matches, keeping their mix (the base-year shares where the model has none;
    emptied if the observed types alone exceed it). Each type's planned path is scaled by that
    type's factor (a fresh run from this state would start its path there); places are raised to
    hold the observed colonies, never lowered.
    """
    if not any(k in obs for k in OBSERVABLE):
        return s
    c = s["colonies_box"]
    new = c.copy()
    fixed = np.array([f"bee_colonies_{k}" in obs for k in TYPES])
    for k, typ in enumerate(TYPES):
        if fixed[k]:
            new[:, k] = obs[f"bee_colonies_{typ}"]
    if "bee_colonies" in obs and not fixed.all():
        free = c[:, ~fixed]
        mix = np.where((free.sum(axis=1) > 0)[:, None], free, p["types.share"][:, ~fixed])
        total = mix.sum(axis=1)
        rest = np.maximum(obs["bee_colonies"] - new[:, fixed].sum(axis=1), 0.0)
        new[:, ~fixed] = mix * np.divide(rest, total, out=np.zeros_like(total), where=total > 0)[:, None]
    factor = np.divide(new, c, out=np.ones_like(c), where=c > 0)
    target = np.where(c > 0, s["target_colonies_box"] * factor, new)
    return dict(s, colonies_box=new, target_colonies_box=target,
                capacity_places=np.maximum(s["capacity_places"], new.sum(axis=1)))


SECTOR = Sector(
    name="bees", title_en="Bees", title_zh="蜜蜂",
    params=PARAMS, tables=(TYPE_TABLE,), balances=BALANCES, indicators=INDICATORS,
    init=init, step=step, report=report, check=check,
    assimilate=assimilate, observable=OBSERVABLE, limit=limit,
)
