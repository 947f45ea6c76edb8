"""Pigs: breeding sows, replacement gilts and young pigs by month of age, in monthly sub-steps.

Stages (end of month): sows that have farrowed S; gilts G[j] by months since selection (j = 0 … 5:
about 2 months to first service, then a 114-day first gestation; they count as 能繁母猪 from
service on and join S at first farrowing); young pigs Y[a] by month of age (a = 0: suckling
piglets born this month; weaned at 1 month; marketed at `market_age_months`).

Order within a month: (first month only) outbreak loss on every stage and new pen places;
births = S × litters/12 × litter size; sow deaths and culls (competing monthly hazards); gilts age
(losses culled), those completing the pipeline join S; young pigs die, age and reach market age;
gilts kept from the market-age pigs by a pipeline rule; the rest are slaughtered; growers above
the finisher places are sold as weaners, youngest first (explicit outflow, not 出栏).

Productivity is a lever: litters per sow and litter size are yearly schedules. The base-year herd
is derived from the base-year figure with the base-year productivity, so a change of productivity
after the base year changes births, hence slaughter, roughly in proportion (the sow herd follows its
own path, not the slaughter).

Gilt rule (the breeding decision): the sow herd follows a planned path T, growing at
`sow_herd_growth_per_yr` but never faster than the herd's speed limit (below); an outbreak does not
lower T, so the herd rebuilds. Each month enough gilts are kept that the projected sows six months
ahead reach T six months ahead, at most the eligible females among market-age pigs
(`gilt_eligible_share` of the females). A gilt farrows six months after selection, so a herd that
lost sows needs more than a year to rebuild. 出栏 = finishers slaughtered + sows culled + gilts culled.

Speed limit (`sow_max_growth`): the long-run growth of the sows when every eligible gilt is kept and
sows are culled at the scenario's rate, i.e. the fastest the gilt rule can make the herd grow; a
planned growth above it is capped (and `agrosim validate`/`run` warn, see analysis/biology.py).
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import EventRole, ParamSpec as P
from agrosim.sectors import _cohorts as co
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, per_run_once, scale_except, yearly

GILT_MONTHS = 6       # selection (at market age, ~6 months) to first farrowing: ~2 months to service + 114 days
MATED_FROM = 2        # gilts count as 能繁母猪 from first service, 2 months after selection
FEMALE_SHARE = 0.5    # share of market-age pigs that are female

_UNSURE = ("unsure: order of magnitude of Chinese herd-average benchmarks as commonly reported by industry "
           "(e.g. 中国畜牧业协会 PSY/MSY surveys), not checked against a specific table; wide plausible range")

PARAMS = (
    P("base_sows_head", "head", "Breeding sows (能繁母猪, incl. mated gilts) in the base year; 0 = not given.",
      "基期能繁母猪存栏", default=0.0, lo=0, plausible=(0.0, np.inf),
      source="region file; give this or base_slaughter_head_per_yr (exactly one)", base_of="breeding_sows"),
    P("base_slaughter_head_per_yr", "head/yr", "Pigs slaughtered (出栏) in the base year; 0 = not given.",
      "基期生猪出栏", default=0.0, lo=0, plausible=(0.0, np.inf),
      source="region file; give this or base_sows_head (exactly one)", base_of="pigs_slaughtered"),
    P("litters_per_sow_per_yr", "1/yr", "Litters per farrowed sow per year (a yearly schedule: a productivity lever).",
      "母猪年产窝数", default=2.1, lo=0.5, hi=3.0, time_varying=True, plausible=(1.8, 2.4), source=_UNSURE),
    P("litter_size_head", "head", "Piglets born alive per litter (a yearly schedule: a productivity lever).",
      "窝产活仔数", default=10.5, lo=1, hi=20, time_varying=True, plausible=(9.0, 12.5), source=_UNSURE),
    P("mortality_preweaning", "1", "Share of piglets born alive that die before weaning (at 1 month).",
      "哺乳仔猪死亡率", default=0.12, lo=0, hi=0.9, plausible=(0.07, 0.2), source=_UNSURE),
    P("mortality_finishing", "1", "Share of weaned pigs that die before market age.", "保育育肥死亡率",
      default=0.07, lo=0, hi=0.9, plausible=(0.03, 0.12), source=_UNSURE),
    P("market_age_months", "month", "Age at slaughter (出栏日龄), months from birth.", "出栏月龄",
      default=6.0, lo=2, hi=12, plausible=(5.3, 7.0),
      source="unsure: Chinese commercial pigs are typically marketed at about 160–200 days of age (~110–125 kg); "
             "general industry knowledge, not a specific table"),
    P("sow_cull_per_yr", "1/yr", "Share of sows culled for slaughter per year.", "母猪年淘汰率",
      default=0.33, lo=0, hi=0.95, plausible=(0.25, 0.45), source=_UNSURE),
    P("sow_mortality_per_yr", "1/yr", "Share of sows dying per year.", "母猪年死亡率",
      default=0.05, lo=0, hi=0.9, plausible=(0.02, 0.12), source=_UNSURE),
    P("gilt_loss_share", "1", "Share of gilts kept for breeding that are culled before their first litter.",
      "后备母猪淘汰率", default=0.15, lo=0, hi=0.9, plausible=(0.05, 0.3), source=_UNSURE),
    P("gilt_eligible_share", "1", "Share of female market-age pigs fit and available to keep as gilts.",
      "可留种母猪比例", default=0.13, lo=0, hi=1, plausible=(0.08, 0.25),
      source="assumption: true, range 0.08-0.25. No published share; set so that the fastest sow growth with "
             "normal culling (sow_max_growth, 34 %/yr at the defaults) is China's fastest observed rebuild after "
             "ASF: NBS statistical communiqué 2020, 「能繁殖母猪存栏4161万头，增长35.1%」 (recalled). The default "
             "herd needs 0.058 to replace its sows; 0.08 gives about +11 %/yr at most, 0.25 about +80 %/yr "
             "(三元 females kept as sows in a rebuild)"),
    P("carcass_kg_per_head", "kg/head", "Pork (carcass weight) per pig slaughtered, culled sows included.",
      "头均猪肉产量", default=79.0, lo=1, hi=200, plausible=(75.0, 90.0),
      source="NBS statistical communiqués: 2023 pork 5794万吨 / 72662万头 slaughtered = 79.7 kg; "
             "2022 5541万吨 / 69995万头 = 79.2 kg"),
    P("sow_herd_growth_per_yr", "1/yr", "Desired growth of the sow herd per year (the breeding policy's path); "
      "capped at the herd's speed limit.", "母猪存栏计划增长率", default=0.0, lo=-0.9, hi=10, time_varying=True,
      plausible=(-0.2, 0.3), source="scenario (the plan's pace); 0 keeps the herd stable"),
    P("spare_places_share", "1", "Empty finisher places in the base year as a share of the base-year growers.",
      "基期空余栏位比例", default=0.0, lo=0, hi=5, plausible=(0.0, 0.3),
      source="assumption: plans give no place counts; 0 means the pens are full in the base year"),
    P("capacity_added_places_per_yr", "head/yr", "Finisher places coming online in that year (from January).",
      "新增育肥栏位", default=0.0, lo=0, time_varying=True, event=EventRole.CAPACITY, plausible=(0.0, np.inf),
      source="scenario or event layer (investment projects); 0 without projects"),
    P("outbreak_loss_fraction", "1", "Share of every stage lost at the start of that year (e.g. ASF).",
      "疫病损失比例", default=0.0, lo=0, hi=1, time_varying=True, event=EventRole.LOSS, plausible=(0.0, 0.5),
      source="scenario or event layer; 0 without an outbreak"),
)

INDICATORS = (
    I("pig_stock", "head", "万头", "Pigs in stock at year end", "生猪存栏"),
    I("breeding_sows", "head", "万头", "Breeding sows at year end (incl. mated gilts)", "能繁母猪存栏"),
    I("pigs_slaughtered", "head", "万头", "Pigs slaughtered in the year", "生猪出栏"),
    I("pork_output", "kg", "万吨", "Pork output", "猪肉产量"),
    I("pig_feeding_volume", "head", "万头", "Pig feeding volume (stock + slaughter)", "生猪饲养量"),
    I("pig_weaners_blocked", "head", "万头", "Weaners sold or culled for lack of finisher places",
      "栏位不足外销仔猪"),
    I("pig_places", "head", "万头", "Finisher places", "育肥栏位"),
    I("sow_max_growth", "1/yr", "%/yr", "Speed limit of sow herd growth (all eligible gilts kept)", "母猪存栏最大增长率"),
)

BALANCES = (
    Balance("sows_head", ("gilts_entered_head",), ("sow_deaths_head", "sows_culled_head", "sows_outbreak_head")),
    Balance("gilts_head", ("gilts_selected_head",), ("gilts_entered_head", "gilts_culled_head", "gilts_outbreak_head")),
    Balance("young_head", ("born_head",), ("piglet_deaths_head", "finisher_deaths_head", "finishers_slaughtered_head",
                                           "gilts_selected_head", "weaners_blocked_head", "young_outbreak_head")),
    Balance("pigs_head", ("born_head",), ("deaths_head", "slaughtered_head", "weaners_blocked_head",
                                          "outbreak_loss_head")),
    Balance("places_head", ("capacity_added_places",)),
)

FLOWS = ("born_head", "piglet_deaths_head", "finisher_deaths_head", "market_age_head", "gilts_selected_head",
         "finishers_slaughtered_head", "weaners_blocked_head", "sow_deaths_head", "sows_culled_head",
         "gilts_culled_head", "gilts_entered_head", "sows_outbreak_head", "gilts_outbreak_head",
         "young_outbreak_head", "outbreak_loss_head", "slaughtered_head", "deaths_head", "capacity_added_places")
#: the flows a month produces; the others are their sums by kind (`_with_sums`)
PRIMARY_FLOWS = tuple(k for k in FLOWS if k not in ("slaughtered_head", "deaths_head", "outbreak_loss_head"))


class _Rates:
    """Monthly rates and cohort shapes derived from the parameters in year index t, each (n,) or (n, ages).
    `max_policy` sets the sow culls to zero (the absolute bound of `max_slaughter_head_per_yr`)."""

    def __init__(self, p, t: int = 0, max_policy: bool = False):
        m = p["market_age_months"]
        n = m.shape[0]
        self.ages = co.n_ages(m)
        s_f = (1.0 - p["mortality_finishing"]) ** (1.0 / (m - 1.0))
        self.young_surv = np.concatenate(
            [(1.0 - p["mortality_preweaning"])[:, None], np.repeat(s_f[:, None], self.ages - 1, axis=1)], axis=1)
        self.young_exit = co.exit_shares(m, self.ages)
        self.births = yearly(p, "litters_per_sow_per_yr", t) / 12.0 * yearly(p, "litter_size_head", t)
        self.h_death = co.hazard(p["sow_mortality_per_yr"])
        self.h_cull = np.zeros(n) if max_policy else co.hazard(p["sow_cull_per_yr"])
        self.sow_surv = np.exp(-(self.h_death + self.h_cull))
        self.gilt_surv = (1.0 - p["gilt_loss_share"]) ** (1.0 / GILT_MONTHS)
        self.gilt_exit = np.zeros((n, GILT_MONTHS + 1))  # `co.exit_shares` of GILT_MONTHS: all leave then
        self.gilt_exit[:, GILT_MONTHS] = 1.0
        self.gilt_share = FEMALE_SHARE * p["gilt_eligible_share"]
        self.sow_exits = co.competing_shares([self.h_death, self.h_cull])
        # the gilt rule's look-ahead (`step_months`): a gilt j months after selection farrows in
        # GILT_MONTHS − j months, then stays a sow for the j months to the horizon
        self.ahead = (self.gilt_surv[:, None] ** (GILT_MONTHS - np.arange(GILT_MONTHS)) *
                      self.sow_surv[:, None] ** np.arange(GILT_MONTHS))
        self.sow_surv_ahead, self.gilt_surv_ahead = self.sow_surv ** GILT_MONTHS, self.gilt_surv ** GILT_MONTHS


def _rates(p, t: int = 0) -> _Rates:
    """`_Rates(p, t)`, on one run when the parameters they derive from are the same in every run."""
    return per_run_once(lambda q: _Rates(q, t), p)


def _stationary(r: _Rates, sows):
    """Stationary herd (end of month) with `sows` farrowed sows: cohorts and yearly flows."""
    young, market = co.stationary(sows * r.births, r.young_surv, r.young_exit, r.ages)
    deaths, culls = co.competing(sows, [r.h_death, r.h_cull], r.sow_exits)
    selected = (deaths + culls) / r.gilt_surv ** GILT_MONTHS
    gilts = selected[:, None] * r.gilt_surv[:, None] ** np.arange(GILT_MONTHS)
    gilt_culls = selected - (deaths + culls)
    return {"sows": sows, "gilts": gilts, "young": young,
            "slaughter": 12.0 * (market - selected + culls + gilt_culls),
            "selected": selected, "market": market}


def _base_sows(p, r: _Rates):
    """Farrowed sows of the stationary herd matching the base figure given (sows or slaughter)."""
    one = _stationary(r, np.ones_like(p["base_sows_head"]))
    per_sow_breeding = 1.0 + one["gilts"][:, MATED_FROM:].sum(axis=1)
    from_sows = p["base_sows_head"] / per_sow_breeding
    from_slaughter = p["base_slaughter_head_per_yr"] / one["slaughter"]
    return np.where(p["base_sows_head"] > 0, from_sows, from_slaughter)


def _state(sows, gilts, young, places, target, max_growth):
    return {"sows_head": sows, "gilt_cohorts_head": gilts, "young_cohorts_head": young,
            "gilts_head": gilts.sum(axis=1), "young_head": young.sum(axis=1),
            "pigs_head": sows + gilts.sum(axis=1) + young.sum(axis=1),
            "places_head": places, "sow_target_head": target, "sow_max_growth_per_yr": max_growth}


def init(p):
    r = _rates(p)
    st = _stationary(r, _base_sows(p, r))
    places = st["young"][:, 1:].sum(axis=1) * (1.0 + p["spare_places_share"])
    state = _state(st["sows"], st["gilts"], st["young"], places, st["sows"].copy(),
                   per_run_once(speed_limits_per_yr, p))
    return state, {k: np.zeros_like(places) for k in FLOWS}


def step_months(s, p, t, record: bool = True):
    """One year in monthly sub-steps: (new state, yearly flows, [(state, flows) per month]; the
    monthly list only with `record`, else empty: the engine needs the year alone).

    Cohorts are aged in place in the (ages, n) layout; the deaths of a stage with one survival are
    taken from its stock, which is carried from month to month."""
    r = _rates(p, t)
    asked = yearly(p, "sow_herd_growth_per_yr", t)
    growth_m = (1.0 + np.minimum(asked, s["sow_max_growth_per_yr"][:, t])) ** (1.0 / 12.0)
    sows, places, target = s["sows_head"], s["places_head"], s["sow_target_head"]
    gilts, young = co.by_age(s["gilt_cohorts_head"]), co.by_age(s["young_cohorts_head"])
    young_exit = co.by_age(r.young_exit)
    suckling_surv, grower_surv = r.young_surv[:, 0], r.young_surv[:, 1]  # one survival from weaning on
    young_first = co.first_exit(p["market_age_months"])
    gilt_exit = co.by_age(r.gilt_exit)
    ahead = np.ascontiguousarray(r.ahead.T[1:])
    sow_surv_ahead, gilt_surv_ahead = r.sow_surv_ahead, r.gilt_surv_ahead
    growth_ahead = growth_m ** GILT_MONTHS
    zero = np.zeros_like(sows)
    total = {k: np.zeros_like(sows) for k in PRIMARY_FLOWS}
    months = []
    for m in range(12):
        f = dict.fromkeys(PRIMARY_FLOWS, zero)  # entries are replaced, never changed in place
        if m == 0:
            frac = yearly(p, "outbreak_loss_fraction", t)
            if np.any(frac != 0):
                f["sows_outbreak_head"], sows = sows * frac, sows * (1.0 - frac)
                f["gilts_outbreak_head"] = co.total(gilts) * frac
                f["young_outbreak_head"] = co.total(young) * frac
                gilts *= 1.0 - frac
                young *= 1.0 - frac
            f["capacity_added_places"] = yearly(p, "capacity_added_places_per_yr", t) + zero
            places = places + f["capacity_added_places"]
            gilt_stock, growers = co.total(gilts), co.total(young[1:])
        born = sows * r.births
        f["sow_deaths_head"], f["sows_culled_head"] = co.competing(sows, [r.h_death, r.h_cull], r.sow_exits)
        f["gilts_culled_head"], f["gilts_entered_head"] = co.advance_rows(gilts, r.gilt_surv, gilt_exit,
                                                                             GILT_MONTHS, gilt_stock)
        f["piglet_deaths_head"] = young[0] - young[0] * suckling_surv
        f["finisher_deaths_head"] = growers - growers * grower_surv
        market = co.survive_and_shift(young, grower_surv, young_exit, young_first, first_survival=suckling_surv)
        young[0] = born
        f["market_age_head"] = market
        f["born_head"] = born
        sows = sows - f["sow_deaths_head"] - f["sows_culled_head"] + f["gilts_entered_head"]

        target = target * growth_m
        projected = sows * sow_surv_ahead + co.weighted_total(gilts[1:], ahead)
        need = np.maximum(target * growth_ahead - projected, 0.0) / gilt_surv_ahead
        f["gilts_selected_head"] = np.minimum(need, r.gilt_share * market)
        gilts[0] = f["gilts_selected_head"]
        gilt_stock = co.total(gilts)
        f["finishers_slaughtered_head"] = market - f["gilts_selected_head"]

        growers = co.total(young[1:])
        over = np.maximum(growers - places, 0.0)
        if np.any(over > 0):  # growers above the places are sold as weaners, youngest first
            blocked = np.zeros_like(over)
            for a in range(1, r.ages):
                sold = np.minimum(young[a], over)
                young[a] -= sold
                over = over - sold
                blocked = blocked + sold
            f["weaners_blocked_head"] = blocked
            growers = co.total(young[1:])
        for k in PRIMARY_FLOWS:
            if f[k] is not zero:
                total[k] += f[k]
        if record:
            months.append((_state(sows, co.by_run(gilts), co.by_run(young), places, target,
                                  s["sow_max_growth_per_yr"]),
                           _with_sums(dict(f))))
    new = _state(sows, co.by_run(gilts), co.by_run(young), places, target, s["sow_max_growth_per_yr"])
    return new, _with_sums(total), months


def _with_sums(f):
    """The flows with their sums by kind (slaughter, deaths, outbreak loss) added."""
    f["slaughtered_head"] = f["finishers_slaughtered_head"] + f["sows_culled_head"] + f["gilts_culled_head"]
    f["deaths_head"] = f["sow_deaths_head"] + f["piglet_deaths_head"] + f["finisher_deaths_head"]
    f["outbreak_loss_head"] = f["sows_outbreak_head"] + f["gilts_outbreak_head"] + f["young_outbreak_head"]
    return f


def step(s, p, t):
    new, flows, _ = step_months(s, p, t, record=False)
    return new, flows


def report(s, f, p, t):
    slaughter = f["slaughtered_head"] if t > 0 else _stationary(_rates(p, 0), s["sows_head"])["slaughter"]
    return {
        "pig_stock": s["pigs_head"],
        "breeding_sows": s["sows_head"] + s["gilt_cohorts_head"][:, MATED_FROM:].sum(axis=1),
        "pigs_slaughtered": slaughter,
        "pork_output": slaughter * p["carcass_kg_per_head"],
        "pig_feeding_volume": s["pigs_head"] + slaughter,
        "pig_weaners_blocked": f["weaners_blocked_head"],
        "pig_places": s["places_head"],
        "sow_max_growth": s["sow_max_growth_per_yr"][:, t],
    }


# --- Speed limits: every eligible female kept, no places or outbreaks binding ---

def _max_policy_matrix(p, t: int = 0, max_policy: bool = True):
    """(n, D, D) monthly map of [S, G_0…G_5, Y_0…Y_A−1] in year index t with all eligible gilts kept
    (and no sow culled under `max_policy`)."""
    r = _Rates(p, t, max_policy=max_policy)
    n, L, A = r.births.shape[0], GILT_MONTHS, r.ages
    D = 1 + L + A
    mat = np.zeros((n, D, D))
    g, y = 1, 1 + L
    mat[:, 0, 0] = r.sow_surv
    mat[:, 0, g + L - 1] = r.gilt_surv
    for j in range(1, L):
        mat[:, g + j, g + j - 1] = r.gilt_surv
    mat[:, y, 0] = r.births
    for a in range(1, A):
        mat[:, y + a, y + a - 1] = r.young_surv[:, a - 1] * (1.0 - r.young_exit[:, a])
    market = r.young_surv * r.young_exit[:, 1:]          # (n, A): share of Y_a reaching market age next month
    mat[:, g, y:] = r.gilt_share[:, None] * market
    return mat, r


def perron_root(stay: np.ndarray, kernel: np.ndarray, delays: np.ndarray) -> np.ndarray:
    """(n,) dominant eigenvalue λ of a herd map in renewal form: the positive root of
    1 = stay / λ + Σ_k kernel[:, k] λ^−delays[k] (a breeder stays with probability `stay` a step and
    is replaced by kernel[:, k] new breeders `delays[k]` steps later).

    The right side falls and is convex in λ > 0, so Newton's method started at λ = stay (where it is
    ≥ 1) climbs monotonically to the root; it replaces an eigenvalue solve per run (issue 19).
    """
    lam = np.maximum(stay, 1e-6)
    delayed = delays[None, :] * kernel
    for _ in range(200):
        powers = lam[:, None] ** -delays[None, :]
        f = stay / lam + (kernel * powers).sum(axis=1) - 1.0
        slope = -stay / lam ** 2 - (delayed * powers).sum(axis=1) / lam
        new = lam - f / slope
        if np.all(np.abs(new - lam) <= 1e-15 * new):
            return new
        lam = new
    return lam


def _monthly_growth_factor(p, t: int, max_policy: bool) -> np.ndarray:
    """(n,) dominant monthly growth factor of the sows with every eligible gilt kept, in year index t.

    Renewal form of `_max_policy_matrix`: a sow stays a month with `sow_surv`; her births reach
    market age a + 1 months later (a = age column), the eligible females among them are kept as gilts
    and farrow GILT_MONTHS + 1 months after that, so the delay is a + GILT_MONTHS + 2 months.
    """
    r = _Rates(p, t, max_policy=max_policy)
    A = r.ages
    reach = np.ones_like(r.young_surv)                   # share of births still in the pipeline at column a
    for a in range(1, A):
        reach[:, a] = reach[:, a - 1] * r.young_surv[:, a - 1] * (1.0 - r.young_exit[:, a])
    market = r.young_surv * r.young_exit[:, 1:]
    kernel = (r.births * r.gilt_share * r.gilt_surv ** GILT_MONTHS)[:, None] * reach * market
    return perron_root(r.sow_surv, kernel, np.arange(A) + GILT_MONTHS + 2.0)


def max_sow_growth_per_yr(p, t: int = 0, culls: bool = False) -> np.ndarray:
    """(n,) long-run growth rate of the sow herd in year index t with every eligible gilt kept:
    (dominant monthly factor)^12 − 1. Without `culls` no sow is culled (the biological bound);
    with them sows are culled at the scenario's rate (the engine's speed limit)."""
    return _monthly_growth_factor(p, t, max_policy=not culls) ** 12 - 1.0


def speed_limits_per_yr(p) -> np.ndarray:
    """(n, years) engine speed limit of sow growth by year (it moves with the productivity schedules);
    computed once per chunk, and once for all years when the schedules are flat."""
    years = p["litters_per_sow_per_yr"].shape[1]
    births = p["litters_per_sow_per_yr"] * p["litter_size_head"]
    if np.all(births == births[:, :1]):
        return np.repeat(max_sow_growth_per_yr(p, 0, culls=True)[:, None], years, axis=1)
    return np.stack([max_sow_growth_per_yr(p, t, culls=True) for t in range(years)], axis=1)


def max_slaughter_head_per_yr(state, p, years: int) -> np.ndarray:
    """(n,) upper bound on 出栏 in the year `years` years after `state` (year-end): keep every eligible
    gilt and cull no sow until then, then slaughter every market-age pig and every sow and gilt."""
    z = np.concatenate([state["sows_head"][:, None], state["gilt_cohorts_head"],
                        state["young_cohorts_head"]], axis=1)
    for year in range(1, years):
        mat, _ = _max_policy_matrix(p, year)
        for _ in range(12):
            z = np.einsum("nij,nj->ni", mat, z)
    mat, r = _max_policy_matrix(p, years)
    bound = z[:, 0] + z[:, 1:1 + GILT_MONTHS].sum(axis=1)
    market = r.young_surv * r.young_exit[:, 1:]
    for _ in range(12):
        bound = bound + (z[:, 1 + GILT_MONTHS:] * market).sum(axis=1)
        z = np.einsum("nij,nj->ni", mat, z)
    return bound


def slaughter_reachable(state, p, target_head_per_yr: float, years: int) -> np.ndarray:
    """(n,) booleans: False where biology alone rules out `target_head_per_yr` slaughtered in `years` years."""
    return max_slaughter_head_per_yr(state, p, years) >= target_head_per_yr


def limit(state, p, indicator: str, years: int):
    """Biological bound on pigs slaughtered `years` after the base year (see max_slaughter_head_per_yr)."""
    return max_slaughter_head_per_yr(state, p, years) if indicator == "pigs_slaughtered" and years >= 1 else None


def check(p):
    """Exactly one base figure; market age above the weaning month; enough females to replace the sows."""
    given = [k for k in ("base_sows_head", "base_slaughter_head_per_yr") if np.any(p[k] > 0)]
    if len(given) != 1:
        return [("pigs", f"base figures given: {', '.join(given) or 'none'}",
                 "exactly one of base_sows_head, base_slaughter_head_per_yr")]
    for t in range(p["litter_size_head"].shape[1]):  # every year: productivity may fall below replacement
        r = _Rates(p, t)
        one = _stationary(r, np.ones_like(p["base_sows_head"]))
        if np.any(one["selected"] > r.gilt_share * one["market"]):
            return [("pigs.gilt_eligible_share", "too few eligible females to replace the culled and dead sows",
                     "a larger eligible share, or lower sow cull and death rates, or higher productivity")]
    return []


OBSERVABLE = ("pig_stock", "breeding_sows")


def assimilate(s, p, t, obs):
    """Set the herd to an observed 生猪存栏 (`pig_stock`) and/or 能繁母猪 (`breeding_sows`).

    Rule: cohorts are scaled, never reshaped, so the age structure is kept. One figure alone scales
    sows, every gilt and every young-pig cohort by observed / model, as `init` derives the whole
    stationary herd from one base figure. Both figures: the breeding part (farrowed sows and mated
    gilts) is scaled to `breeding_sows`, the rest (unmated gilts, young pigs) to the difference
    (emptied if negative). Where the model holds none of what is to be scaled, the stationary herd's
    structure is used. The sow path is scaled by the sows' factor (a fresh run from this state would
    start its path there); finisher places are raised to hold the growers, never lowered.
    """
    if not any(k in obs for k in OBSERVABLE):
        return s
    unit = _stationary(_Rates(p, t), np.ones_like(s["sows_head"]))
    gilts, young = s["gilt_cohorts_head"], s["young_cohorts_head"]
    breeding = s["sows_head"] + gilts[:, MATED_FROM:].sum(axis=1)
    both = all(k in obs for k in OBSERVABLE)
    scaled = s["pigs_head"] - breeding if both else (breeding if "breeding_sows" in obs else s["pigs_head"])
    restart = (scaled <= 0) | ((breeding <= 0) & ("breeding_sows" in obs))
    sows = np.where(restart, unit["sows"], s["sows_head"])
    gilts = np.where(restart[:, None], unit["gilts"], gilts)
    young = np.where(restart[:, None], unit["young"], young)
    cur_b = sows + gilts[:, MATED_FROM:].sum(axis=1)
    cur_all = sows + gilts.sum(axis=1) + young.sum(axis=1)  # the order `pigs_head` is summed in
    if both:
        f_b = np.divide(obs["breeding_sows"], cur_b, out=np.ones_like(cur_b), where=cur_b > 0)
        rest = cur_all - cur_b
        f_o = np.divide(np.maximum(obs["pig_stock"] - obs["breeding_sows"], 0.0), rest, out=np.ones_like(rest),
                        where=rest > 0)
    else:
        value, model = (obs["breeding_sows"], cur_b) if "breeding_sows" in obs else (obs["pig_stock"], cur_all)
        f_b = f_o = np.divide(value, model, out=np.ones_like(model), where=model > 0)
    mated = np.arange(gilts.shape[1]) >= MATED_FROM
    gilts = gilts * np.where(mated[None, :], f_b[:, None], f_o[:, None])
    young = young * f_o[:, None]
    target = np.where(restart, sows * f_b, s["sow_target_head"] * f_b)
    places = np.maximum(s["places_head"], young[:, 1:].sum(axis=1))
    return _state(sows * f_b, gilts, young, places, target, s["sow_max_growth_per_yr"])


SECTOR = Sector(
    name="pigs", title_en="Pigs", title_zh="生猪",
    params=PARAMS, tables=(), balances=BALANCES, indicators=INDICATORS,
    curtail=scale_except(("places_head", "sow_target_head", "sow_max_growth_per_yr", "capacity_added_places")),
    limit=limit,
    init=init, step=step, report=report, check=check,
    assimilate=assimilate, observable=OBSERVABLE,
)
