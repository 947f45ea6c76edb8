"""Laying hens: pullets by month since placement → laying flock by month in lay → spent hens, monthly.

Order within a month: (first month only) outbreak loss on pullets and hens and new cage places;
eggs = hens in lay at the start of the month × eggs per hen-year / 12; pullets and hens die and
age; pullets completing `rearing_months` (rounded to whole months) move into free cages, the rest
are sold (explicit outflow); hens completing `laying_months` leave as spent hens (slaughtered);
day-old chicks are placed so that the flock in lay `rearing_months` ahead reaches the planned
path (growing at `flock_growth_per_yr`, capped by the cages now available).
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import EventRole, ParamSpec as P
from agrosim.sectors import _cohorts as co
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, per_run_once, scale_except, yearly

PARAMS = (
    P("base_laying_hens_head", "head", "Hens in lay in the base year; 0 = not given.", "基期在产蛋鸡存栏",
      default=0.0, lo=0, plausible=(0.0, np.inf),
      source="region file; give this or base_egg_output_kg_per_yr (exactly one)", base_of="laying_hens"),
    P("base_egg_output_kg_per_yr", "kg/yr", "Egg output in the base year; 0 = not given.", "基期禽蛋产量",
      default=0.0, lo=0, plausible=(0.0, np.inf),
      source="region file; give this or base_laying_hens_head (exactly one)", base_of="egg_output"),
    P("rearing_months", "month", "Day-old chick to start of lay (rounded to whole months).", "育雏育成期",
      default=5.0, lo=1, hi=12, plausible=(4.0, 6.0),
      source="unsure: commercial layer breed guides (e.g. Hy-Line, 京红/京粉) put onset of lay at about "
             "18–22 weeks of age; recalled, not checked against a specific guide"),
    P("laying_months", "month", "Months a hen stays in lay before she is culled as a spent hen.", "产蛋期",
      default=13.0, lo=1, hi=36, plausible=(10.0, 18.0),
      source="unsure: flocks are commonly depleted at about 72–80 weeks of age (≈ 12–14 months in lay), "
             "longer with moulting; general industry knowledge, not a specific table"),
    P("mortality_rearing", "1", "Share of chicks placed that die before the start of lay.", "育雏育成期死亡率",
      default=0.05, lo=0, hi=0.9, plausible=(0.02, 0.1),
      source="unsure: breed guides target ~2–4 % to 18 weeks; farm averages higher; wide range"),
    P("mortality_laying", "1", "Share of hens housed that die during the laying period.", "产蛋期死亡率",
      default=0.08, lo=0, hi=0.9, plausible=(0.04, 0.15),
      source="unsure: breed guides show ~5–7 % to 80 weeks; farm averages higher; wide range"),
    P("egg_kg_per_hen_yr", "kg/head/yr", "Egg mass per hen in lay per year (a yearly schedule: the productivity lever).",
      "只均年产蛋量", default=17.0, lo=1, hi=30, time_varying=True, plausible=(14.0, 20.0),
      source="unsure: ~290 eggs × ~60 g ≈ 17 kg per hen in lay per year; breed standards are higher "
             "(~19–21 kg), herd averages lower; not a published Chinese average"),
    P("flock_growth_per_yr", "1/yr", "Planned growth of the laying flock per year (its target path).",
      "蛋鸡存栏计划增长率", default=0.0, lo=-0.9, hi=10, time_varying=True, plausible=(-0.2, 0.3),
      source="scenario (the plan's pace); 0 keeps the flock stable"),
    P("spare_cages_share", "1", "Empty laying cages in the base year as a share of the base-year hens in lay.",
      "基期空余笼位比例", default=0.0, lo=0, hi=5, plausible=(0.0, 0.3),
      source="assumption: plans give no cage counts; 0 means the cages are full in the base year"),
    P("capacity_added_places_per_yr", "head/yr", "Laying cage places coming online in that year (from January).",
      "新增笼位", default=0.0, lo=0, time_varying=True, event=EventRole.CAPACITY, plausible=(0.0, np.inf),
      source="scenario or event layer (investment projects); 0 without projects"),
    P("outbreak_loss_fraction", "1", "Share of pullets and hens lost at the start of that year (e.g. avian influenza).",
      "疫病损失比例", default=0.0, lo=0, hi=1, time_varying=True, event=EventRole.LOSS, plausible=(0.0, 0.5),
      source="scenario or event layer; 0 without an outbreak"),
)

INDICATORS = (
    I("laying_hens", "head", "万只", "Hens in lay at year end", "在产蛋鸡存栏"),
    I("layer_flock", "head", "万只", "Layer flock at year end (pullets + hens in lay)", "蛋鸡存栏(含育成鸡)"),
    I("egg_output", "kg", "万吨", "Egg output", "禽蛋产量"),
    I("spent_hens_slaughtered", "head", "万只", "Spent hens slaughtered", "淘汰蛋鸡出栏"),
    I("layer_chicks_placed", "head", "万只", "Day-old layer chicks placed", "蛋雏鸡补栏"),
    I("pullets_sold_no_cage", "head", "万只", "Pullets sold for lack of laying cages", "笼位不足外销育成鸡"),
    I("layer_cages", "head", "万只", "Laying cage places", "蛋鸡笼位"),
)

BALANCES = (
    Balance("pullets_head", ("chicks_placed_head",),
            ("pullet_deaths_head", "pullets_housed_head", "pullets_sold_head", "pullets_outbreak_head")),
    Balance("hens_head", ("pullets_housed_head",), ("hen_deaths_head", "spent_hens_head", "hens_outbreak_head")),
    Balance("cages_head", ("capacity_added_places",)),
)

FLOWS = ("chicks_placed_head", "pullet_deaths_head", "pullets_housed_head", "pullets_sold_head",
         "pullets_outbreak_head", "hen_deaths_head", "spent_hens_head", "hens_outbreak_head", "eggs_kg",
         "capacity_added_places")


class _Rates:
    """Monthly survival, exits and cohort shapes, each (n,) or (n, ages)."""

    def __init__(self, p):
        self.rear = np.maximum(np.round(p["rearing_months"]), 1.0)
        self.rear_ages = int(self.rear.max())
        self.rear_surv = ((1.0 - p["mortality_rearing"]) ** (1.0 / self.rear))[:, None]
        self.rear_exit = co.exit_shares(self.rear, self.rear_ages)
        lay = p["laying_months"]
        self.lay_ages = co.n_ages(lay)
        self.lay_surv = ((1.0 - p["mortality_laying"]) ** (1.0 / lay))[:, None]
        self.lay_exit = co.exit_shares(lay, self.lay_ages)
        self.to_lay = self.rear_surv[:, 0] ** self.rear   # share of chicks placed now in lay `rear` months on
        # hens in lay of the stationary flock fed one hen a month into lay
        self.hens_per_entry = co.stationary(np.ones_like(lay), self.lay_surv, self.lay_exit, self.lay_ages)[0].sum(axis=1)


def _rates(p) -> _Rates:
    """`_Rates(p)`, on one run when the parameters they derive from are the same in every run."""
    return per_run_once(_Rates, p)


def _stationary(r: _Rates, hens):
    """Stationary pullets and hens (end of month) with `hens` in lay; chicks placed a month."""
    chicks = hens / r.hens_per_entry / r.to_lay
    pullets, _ = co.stationary(chicks, r.rear_surv, r.rear_exit, r.rear_ages)
    hen_cohorts, spent = co.stationary(chicks * r.to_lay, r.lay_surv, r.lay_exit, r.lay_ages)
    return pullets, hen_cohorts, chicks, spent


#: look-ahead weights (`ahead_weights`): fixed by the parameters, so computed once per chunk in `init`
#: and carried in the state (never curtailed)
LOOK_AHEAD = ("pullet_look_ahead", "hen_look_ahead")


def _state(pullets, hens, cages, target, look_ahead):
    return {"pullet_cohorts_head": pullets, "hen_cohorts_head": hens, "pullets_head": pullets.sum(axis=1),
            "hens_head": hens.sum(axis=1), "cages_head": cages, "hen_target_head": target,
            **dict(zip(LOOK_AHEAD, look_ahead))}


def _rates_and_look_ahead(p) -> tuple[_Rates, tuple[np.ndarray, np.ndarray]]:
    r = _Rates(p)
    return r, ahead_weights(r)


def init(p):
    # the rates and look-ahead weights on one run when the parameters they derive from are uniform
    r, look_ahead = per_run_once(_rates_and_look_ahead, p)
    hens = np.where(p["base_laying_hens_head"] > 0, p["base_laying_hens_head"],
                    p["base_egg_output_kg_per_yr"] / yearly(p, "egg_kg_per_hen_yr", 0))
    pullets, hen_cohorts, _, _ = _stationary(r, hens)
    state = _state(pullets, hen_cohorts, hens * (1.0 + p["spare_cages_share"]), hens.copy(),
                   tuple(co.by_age(w).T for w in look_ahead))
    return state, {k: np.zeros_like(hens) for k in FLOWS}


def ahead_weights(r: _Rates):
    """Weights (n, pullet ages), (n, hen ages) such that pullets·wp + hens·wh = the hens in lay `rear`
    months ahead, with no more chicks placed and no cage limit. The pipeline is linear with rates that
    do not change by year, so the look-ahead is the adjoint of `rear` months of `co.advance`, computed
    once per chunk (in `init`) instead of re-running the cohorts every month."""
    n = r.rear.shape[0]
    wp, wh = np.zeros((r.rear_ages, n)), np.zeros((r.lay_ages, n))
    rear_exit, lay_exit = co.by_age(r.rear_exit)[1:], co.by_age(r.lay_exit)[1:]
    stay_p = r.rear_surv.T * (1.0 - rear_exit)   # (ages, n): survives the month, stays a pullet
    move_p = r.rear_surv.T * rear_exit           # survives and moves into lay
    stay_h = r.lay_surv.T * (1.0 - lay_exit)
    for k in range(r.rear_ages, 0, -1):
        wh = wh + (r.rear == k)                  # count the flock in lay after month k
        wp = np.concatenate([wp[1:], np.zeros((1, n))]) * stay_p + move_p * wh[0]
        wh = np.concatenate([wh[1:], np.zeros((1, n))]) * stay_h
    return wp.T, wh.T


def step_months(s, p, t, record: bool = True):
    """One year in monthly sub-steps: (new state, yearly flows, [(state, flows) per month]; the
    monthly list only with `record`, else empty: the engine needs the year alone).

    Cohorts are aged in place in the (ages, n) layout (`co.advance_rows`)."""
    r = _rates(p)
    growth_m = (1.0 + yearly(p, "flock_growth_per_yr", t)) ** (1.0 / 12.0)
    growth_ahead = growth_m ** r.rear
    eggs_per_hen_yr = yearly(p, "egg_kg_per_hen_yr", t)
    pullets, hens = co.by_age(s["pullet_cohorts_head"]), co.by_age(s["hen_cohorts_head"])
    rear_surv, lay_surv = r.rear_surv[:, 0], r.lay_surv[:, 0]
    rear_exit, lay_exit = co.by_age(r.rear_exit), co.by_age(r.lay_exit)
    rear_first, lay_first = co.first_exit(r.rear), co.first_exit(p["laying_months"])
    cages, target = s["cages_head"], s["hen_target_head"]
    zero = np.zeros_like(cages)
    total = {k: np.zeros_like(cages) for k in FLOWS}
    look_ahead = tuple(s[k] for k in LOOK_AHEAD)
    w_pullets, w_hens = (co.by_age(w) for w in look_ahead)
    hens_in_lay, pullet_stock = s["hens_head"], s["pullets_head"]
    months = []
    for m in range(12):
        f = dict.fromkeys(FLOWS, zero)  # entries are replaced, never changed in place
        if m == 0:
            frac = yearly(p, "outbreak_loss_fraction", t)
            if np.any(frac != 0):
                f["pullets_outbreak_head"] = co.total(pullets) * frac
                f["hens_outbreak_head"] = co.total(hens) * frac
                pullets *= 1.0 - frac
                hens *= 1.0 - frac
                hens_in_lay, pullet_stock = co.total(hens), co.total(pullets)
            f["capacity_added_places"] = yearly(p, "capacity_added_places_per_yr", t) + zero
            cages = cages + f["capacity_added_places"]
        f["eggs_kg"] = hens_in_lay * eggs_per_hen_yr / 12.0
        f["pullet_deaths_head"], moved = co.advance_rows(pullets, rear_surv, rear_exit, rear_first,
                                                         pullet_stock)
        f["hen_deaths_head"], f["spent_hens_head"] = co.advance_rows(hens, lay_surv, lay_exit, lay_first,
                                                                        hens_in_lay)
        staying = co.total(hens)
        f["pullets_housed_head"] = np.minimum(moved, np.maximum(cages - staying, 0.0))
        f["pullets_sold_head"] = moved - f["pullets_housed_head"]
        hens[0] = f["pullets_housed_head"]
        hens_in_lay = staying + f["pullets_housed_head"]

        target = target * growth_m
        wanted = np.minimum(target * growth_ahead, cages)
        ahead = co.weighted_total(pullets, w_pullets) + co.weighted_total(hens, w_hens)
        f["chicks_placed_head"] = np.maximum(wanted - ahead, 0.0) / r.to_lay
        pullets[0] = f["chicks_placed_head"]
        pullet_stock = co.total(pullets)
        for k in FLOWS:
            if f[k] is not zero:
                total[k] += f[k]
        if record:
            months.append((_state(co.by_run(pullets), co.by_run(hens), cages, target, look_ahead), dict(f)))
    return _state(co.by_run(pullets), co.by_run(hens), cages, target, look_ahead), total, months


def step(s, p, t):
    new, flows, _ = step_months(s, p, t, record=False)
    return new, flows


def report(s, f, p, t):
    if t == 0:
        _, _, chicks, spent = _stationary(_rates(p), s["hens_head"])
        eggs, spent, chicks = s["hens_head"] * yearly(p, "egg_kg_per_hen_yr", 0), 12.0 * spent, 12.0 * chicks
    else:
        eggs, spent, chicks = f["eggs_kg"], f["spent_hens_head"], f["chicks_placed_head"]
    return {"laying_hens": s["hens_head"], "layer_flock": s["hens_head"] + s["pullets_head"], "egg_output": eggs,
            "spent_hens_slaughtered": spent, "layer_chicks_placed": chicks,
            "pullets_sold_no_cage": f["pullets_sold_head"], "layer_cages": s["cages_head"]}


def check(p):
    """Exactly one base figure."""
    given = [k for k in ("base_laying_hens_head", "base_egg_output_kg_per_yr") if np.any(p[k] > 0)]
    if len(given) != 1:
        return [("layers", f"base figures given: {', '.join(given) or 'none'}",
                 "exactly one of base_laying_hens_head, base_egg_output_kg_per_yr")]
    return []


OBSERVABLE = ("laying_hens", "layer_flock")


def assimilate(s, p, t, obs):
    """Set the flock to observed hens in lay (`laying_hens`) and/or the whole flock (`layer_flock`).

    Rule: cohorts are scaled, never reshaped, so the age structure is kept. One figure alone scales
    every pullet and hen cohort by observed / model, as `init` derives the stationary flock from one
    base figure. Both figures: hens are scaled to `laying_hens`, pullets to the difference (emptied
    if negative). Where the model holds none of what is to be scaled, the stationary flock's
    structure is used. The planned path is scaled by the hens' factor (a fresh run from this state
    would start its path there); cages are raised to hold the observed hens, never lowered.
    """
    if not any(k in obs for k in OBSERVABLE):
        return s
    unit_pullets, unit_hens, _, _ = _stationary(_Rates(p), np.ones_like(s["hens_head"]))
    both = all(k in obs for k in OBSERVABLE)
    scaled = s["pullets_head"] if both else (s["hens_head"] if "laying_hens" in obs else
                                             s["hens_head"] + s["pullets_head"])
    restart = (scaled <= 0) | ((s["hens_head"] <= 0) & ("laying_hens" in obs))
    pullets = np.where(restart[:, None], unit_pullets, s["pullet_cohorts_head"])
    hens = np.where(restart[:, None], unit_hens, s["hen_cohorts_head"])
    cur_h, cur_p = hens.sum(axis=1), pullets.sum(axis=1)
    if both:
        f_h = np.divide(obs["laying_hens"], cur_h, out=np.ones_like(cur_h), where=cur_h > 0)
        f_p = np.divide(np.maximum(obs["layer_flock"] - obs["laying_hens"], 0.0), cur_p, out=np.ones_like(cur_p),
                        where=cur_p > 0)
    else:
        value, model = (obs["laying_hens"], cur_h) if "laying_hens" in obs else (obs["layer_flock"], cur_h + cur_p)
        f_h = f_p = np.divide(value, model, out=np.ones_like(model), where=model > 0)
    hens, pullets = hens * f_h[:, None], pullets * f_p[:, None]
    target = np.where(restart, hens.sum(axis=1), s["hen_target_head"] * f_h)
    return _state(pullets, hens, np.maximum(s["cages_head"], hens.sum(axis=1)), target,
                  tuple(s[k] for k in LOOK_AHEAD))


SECTOR = Sector(
    name="layers", title_en="Laying hens", title_zh="蛋鸡",
    params=PARAMS, tables=(), balances=BALANCES, indicators=INDICATORS,
    curtail=scale_except(("cages_head", "hen_target_head", "capacity_added_places") + LOOK_AHEAD),
    init=init, step=step, report=report, check=check,
    assimilate=assimilate, observable=OBSERVABLE,
)
