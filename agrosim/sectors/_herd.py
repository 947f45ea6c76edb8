"""Shared monthly stage model of the herd sectors (dairy, beef, sheep).

Stages: breeding females B, young before weaning Y, replacement females reared for breeding R and,
where the herd finishes its own stock, finishing stock F. Each stage is one compartment left at
monthly hazards (1/duration for moving on; −ln(1 − r)/12 for an annual death or cull fraction r),
with competing exits split in proportion to their hazards, so survival to weaning is exactly
1 − young mortality. Order within a month: (first month only) outbreak loss and new places come
online; exits from the stocks at the start of the month; births from breeders at the start of the
month; replacements kept from the weaned females by a pipeline rule (below); purchases into the
free places; animals above the places sold.

Replacement rule: the breeding herd follows a planned path T (growing at the planned rate, but never
faster than the herd's speed limit below unless breeding stock is bought into the replacements that
year; an outbreak does not lower T, so the herd rebuilds). Weaned females are kept until the replacement
pool reaches the size that supplies T × (exit rate + growth) entries a month, plus the current
shortfall of breeders below T. At T = B and zero growth this is the stationary herd of `steady`.

Births per breeder may be a yearly schedule (a productivity lever, e.g. the lambing rate): the
base-year herd is derived with the base-year value. Speed limit (`growth_limit_per_yr`, by year):
the long-run growth of the breeders when every weaned female is kept and breeders are culled at the
scenario's rate, the fastest the replacement rule can make the herd grow; `max_breeders_head`
bounds the breeders with no culls at all (the biological bound on targets).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Callable, Mapping

import numpy as np

from agrosim.config.spec import EventRole, ParamSpec as P
from agrosim.errors import did_you_mean
from agrosim.sectors.base import Balance, per_run_once, scale_except, yearly

CLASSES = ("breeders", "young", "replacements", "finishing")


class HerdRole(StrEnum):
    """What a herd sector's parameter means to the stage model. A `HerdKind` names the sector's
    parameter for each role; the roles are checked when the sector module is imported."""

    BASE_STOCK = "base_stock"  # base-year animals of all ages (one base figure of three)
    BASE_BREEDERS = "base_breeders"  # base-year breeding females
    BASE_SLAUGHTER = "base_slaughter"  # base-year slaughter (optional role)
    FEMALE_SHARE = "female_share"
    YOUNG_MONTHS = "young_months"
    YOUNG_MORTALITY = "young_mortality"
    REARING_MONTHS = "rearing_months"
    REARING_DEATH = "rearing_death"
    BREEDER_DEATH = "breeder_death"
    BREEDER_CULL = "breeder_cull"
    FINISHING_MONTHS = "finishing_months"  # only a herd that finishes its own stock
    FINISHING_DEATH = "finishing_death"  # only a herd that finishes its own stock
    BOUGHT = "bought"  # time-varying
    BREEDER_GROWTH = "breeder_growth"  # time-varying
    SPARE = "spare"


#: the roles every herd names; base-year figures: at least stock or breeders, slaughter optional
_REQUIRED = frozenset(HerdRole) - {HerdRole.BASE_SLAUGHTER, HerdRole.FINISHING_MONTHS, HerdRole.FINISHING_DEATH}
_FINISHING = frozenset({HerdRole.FINISHING_MONTHS, HerdRole.FINISHING_DEATH})
_BY_YEAR = frozenset({HerdRole.BOUGHT, HerdRole.BREEDER_GROWTH})
#: the roles of the three base figures, in the order `steady` reads them
BASE_FIGURES = (HerdRole.BASE_STOCK, HerdRole.BASE_BREEDERS, HerdRole.BASE_SLAUGHTER)


@dataclass(frozen=True)
class HerdKind:
    """How one herd sector maps onto the stage model: its parameter for each `HerdRole`, and options.

    Checked at once (the sector module fails to import): every key is a `HerdRole`; every required
    role is named, the finishing roles exactly when `finishing`; each named parameter is declared in
    `params`, time-varying for `bought` and `breeder_growth`.
    """

    names: Mapping[HerdRole, str]
    params: tuple[P, ...]
    births_per_breeder_per_yr: Callable[[Mapping[str, np.ndarray]], np.ndarray]
    males_sold_at_birth: bool
    finishing: bool
    bought_into: str  # "replacements" or "finishing"
    sell_order: tuple[str, ...]  # stages sold first when the herd exceeds its places

    def __post_init__(self):
        roles = [r.value for r in HerdRole]
        wrong = [f"'{k}'{did_you_mean(str(k), roles)}" for k in self.names if not isinstance(k, HerdRole)]
        if wrong:
            raise TypeError(f"herd roles must be HerdRole members, found {'; '.join(wrong)}")
        wanted = _REQUIRED | (_FINISHING if self.finishing else frozenset())
        missing = sorted(r.value for r in wanted - set(self.names))
        extra = sorted(r.value for r in _FINISHING & set(self.names) if not self.finishing)
        if missing or extra:
            raise ValueError(f"herd roles not named: {', '.join(missing) or 'none'}; finishing roles of a herd "
                             f"that does not finish: {', '.join(extra) or 'none'}")
        specs = {p.name: p for p in self.params}
        for role, name in self.names.items():
            if name not in specs:
                raise ValueError(f"herd role {role.value} names '{name}', not a declared parameter"
                                 f"{did_you_mean(name, specs)}")
            if (role in _BY_YEAR) != specs[name].time_varying:
                raise ValueError(f"herd role {role.value} names '{name}', which must "
                                 f"{'' if role in _BY_YEAR else 'not '}vary by year")


def capacity_params(unit_word: str) -> tuple[P, ...]:
    """Places and event parameters every herd declares (contract: capacity and outbreaks)."""
    return (
        P("spare_capacity_share", "1", f"Empty places in the base year as a share of the base-year {unit_word} stock.",
          "基期空余栏位比例", default=0.0, lo=0, hi=5, plausible=(0.0, 0.3),
          source="assumption: plans give no place counts; 0 means the herd fills its places in the base year"),
        P("capacity_added_places_per_yr", "head/yr", "Places coming online in that year (filled by the event layer).",
          "新增栏位", default=0.0, lo=0, time_varying=True, event=EventRole.CAPACITY,
          source="scenario or event layer (investment projects); 0 without projects"),
        P("outbreak_loss_fraction", "1", "Share of every stage lost at the start of that year (disease outbreak).",
          "疫病损失比例", default=0.0, lo=0, hi=1, time_varying=True, event=EventRole.LOSS, plausible=(0.0, 0.5),
          source="scenario or event layer; 0 without an outbreak"),
    )


def balances(kind: HerdKind) -> tuple[Balance, ...]:
    """Per-stage balances plus the whole herd and the places."""
    bought_r = ("bought_head",) if kind.bought_into == "replacements" else ()
    bought_f = ("bought_head",) if kind.bought_into == "finishing" else ()
    loss = lambda c: (f"{c}_deaths_head", f"{c}_outbreak_head", f"{c}_excess_head")  # noqa: E731
    out = [
        Balance("breeders_head", ("entered_breeding_head",), ("culled_head",) + loss("breeders")),
        Balance("young_head", ("born_head",), ("weaned_head",) + loss("young")),
        Balance("replacements_head", ("kept_head",) + bought_r, ("entered_breeding_head",) + loss("replacements")),
        Balance("herd_head", ("born_head", "bought_head"),
                ("deaths_head", "culled_head", "finished_head", "weaned_sold_head", "outbreak_loss_head",
                 "excess_sold_head")),
        Balance("capacity_places", ("capacity_added_places",)),
    ]
    if kind.finishing:
        out.insert(3, Balance("finishing_head", ("to_finishing_head",) + bought_f, ("finished_head",) + loss("finishing")))
    return tuple(out)


FLOWS = ("born_head", "males_sold_at_birth_head", "weaned_head", "kept_head", "to_finishing_head", "weaned_sold_head",
         "entered_breeding_head", "culled_head", "finished_head", "bought_head", "bought_wanted_head",
         "deaths_head", "outbreak_loss_head", "excess_sold_head", "capacity_added_places", "breeder_years") + tuple(
    f"{c}_{w}_head" for c in CLASSES for w in ("deaths", "outbreak", "excess"))


def _hazard(fraction_per_yr: np.ndarray) -> np.ndarray:
    """Monthly hazard giving the annual fraction lost (fractions of 1 are capped just below 1)."""
    return -np.log1p(-np.minimum(fraction_per_yr, 1 - 1e-12)) / 12.0


@dataclass(frozen=True)
class Rates:
    """Monthly rates derived from the parameters, each (n,)."""

    births: np.ndarray      # young per breeder per month (all sexes)
    fs: np.ndarray          # female share of births
    a_y: np.ndarray         # weaning hazard
    h_y: np.ndarray         # young death hazard
    a_r: np.ndarray         # hazard of entering the breeding herd
    h_r: np.ndarray
    h_bd: np.ndarray        # breeder death hazard
    h_bc: np.ndarray        # breeder cull hazard
    a_f: np.ndarray         # finishing hazard (to slaughter)
    h_f: np.ndarray


def rates(p: Mapping[str, np.ndarray], kind: HerdKind, t: int = 0) -> Rates:
    """Monthly rates in year index t (births per breeder may be a yearly schedule)."""
    nm = kind.names
    young_m, mort = p[nm[HerdRole.YOUNG_MONTHS]], p[nm[HerdRole.YOUNG_MORTALITY]]
    zero = np.zeros_like(young_m)
    births = kind.births_per_breeder_per_yr(p)
    return Rates(
        births=(births[:, t] if births.ndim == 2 else births) / 12.0, fs=p[nm[HerdRole.FEMALE_SHARE]],
        a_y=1.0 / young_m, h_y=np.minimum(mort, 1 - 1e-12) / ((1 - np.minimum(mort, 1 - 1e-12)) * young_m),
        a_r=1.0 / p[nm[HerdRole.REARING_MONTHS]], h_r=_hazard(p[nm[HerdRole.REARING_DEATH]]),
        h_bd=_hazard(p[nm[HerdRole.BREEDER_DEATH]]), h_bc=_hazard(p[nm[HerdRole.BREEDER_CULL]]),
        a_f=1.0 / p[nm[HerdRole.FINISHING_MONTHS]] if kind.finishing else zero,
        h_f=_hazard(p[nm[HerdRole.FINISHING_DEATH]]) if kind.finishing else zero,
    )


def _exit_fractions(hazards: list[np.ndarray]) -> list[np.ndarray]:
    """Competing exits in one month: share of the stock leaving by each cause, (1 − e^−Σh) × h / Σh."""
    total = sum(hazards)
    gone = -np.expm1(-total)
    share = np.divide(gone, total, out=np.zeros_like(gone), where=total > 0)
    return [share * h for h in hazards]


def _pool_target(r: Rates, target_b, growth_m):
    """Replacement pool that supplies target_b × (breeder exit fraction + growth) entries a month."""
    q_b = -np.expm1(-(r.h_bd + r.h_bc))
    q_r = -np.expm1(-(r.a_r + r.h_r))
    return target_b * (q_b + growth_m) * (r.a_r + r.h_r) / (r.a_r * q_r)


def _stationary(r: Rates, breeders, bought_per_yr, kind: HerdKind) -> dict:
    """Stationary stocks (end of month) and yearly flows (FLOWS names) for `breeders` breeders."""
    births = r.births * breeders
    born = births * (r.fs if kind.males_sold_at_birth else 1.0)
    weaned = born * r.a_y / (r.a_y + r.h_y)
    pool = _pool_target(r, breeders, 0.0)
    keep = pool * -np.expm1(-(r.a_r + r.h_r)) - (bought_per_yr / 12.0 if kind.bought_into == "replacements" else 0.0)
    zero = np.zeros_like(born)
    inflow_f = weaned - keep + (bought_per_yr / 12.0 if kind.bought_into == "finishing" else 0.0)
    out = {"breeders_head": breeders, "young_head": born / -np.expm1(-(r.a_y + r.h_y)), "replacements_head": pool,
           "finishing_head": inflow_f / -np.expm1(-(r.a_f + r.h_f)) if kind.finishing else zero,
           "keep": keep, "weaned_f": weaned * (1.0 if kind.males_sold_at_birth else r.fs),
           "born_head": 12.0 * born, "males_sold_at_birth_head": 12.0 * (births - born),
           "culled_head": 12.0 * breeders * _exit_fractions([r.h_bd, r.h_bc])[1],
           "finished_head": 12.0 * inflow_f * r.a_f / (r.a_f + r.h_f) if kind.finishing else zero,
           "weaned_sold_head": zero if kind.finishing else 12.0 * (weaned - keep),
           "bought_head": bought_per_yr + zero, "breeder_years": breeders + zero}
    out["herd_head"] = sum(out[f"{c}_head"] for c in CLASSES)
    return out


def _unit_herds(p: Mapping[str, np.ndarray], kind: HerdKind) -> tuple[Rates, dict, dict]:
    """The base-year rates and the stationary herds of 0 and of 1 breeder (base-year rates and
    purchases): every stock and flow is affine in the breeders, so these two give all of them (`steady`)."""
    r = rates(p, kind)
    bought = yearly(p, kind.names[HerdRole.BOUGHT], 0)
    return r, _stationary(r, 0.0 * bought, bought, kind), _stationary(r, 1.0 + 0.0 * bought, bought, kind)


def steady(p: Mapping[str, np.ndarray], kind: HerdKind) -> dict:
    """Stationary herd consistent with whichever base figure the region gives (stock, breeders or
    slaughter): every stock is affine in the breeders B, so B = (given − value at B=0) / slope."""
    nm = kind.names
    r, zero, one = per_run_once(lambda q: _unit_herds(q, kind), p)
    bought = yearly(p, nm[HerdRole.BOUGHT], 0)
    b = np.zeros_like(bought)
    for role, key in zip(BASE_FIGURES, ("herd_head", None, "slaughter")):
        name = nm.get(role)
        if name is None:
            continue
        given = p[name]
        if key is None:
            value = given
        else:
            f0 = zero[key] if key != "slaughter" else zero["culled_head"] + zero["finished_head"]
            f1 = one[key] if key != "slaughter" else one["culled_head"] + one["finished_head"]
            value = (given - f0) / (f1 - f0)
        b = np.where(given > 0, value, b)
    return _stationary(r, b, bought, kind)


def base_flows(p: Mapping[str, np.ndarray], kind: HerdKind) -> dict:
    """Yearly flows of the stationary base-year herd, reported in the base year (whose step flows are zero)."""
    st = steady(p, kind)
    zero = np.zeros_like(st["herd_head"])
    return {k: st.get(k, zero) for k in FLOWS}


def init(p: Mapping[str, np.ndarray], kind: HerdKind):
    st = steady(p, kind)
    state = {f"{c}_head": np.maximum(st[f"{c}_head"], 0.0) for c in CLASSES}  # < 0 only where check() objects
    state["herd_head"] = sum(state[f"{c}_head"] for c in CLASSES)
    herd = state["herd_head"]
    state["capacity_places"] = herd * (1.0 + p[kind.names[HerdRole.SPARE]])
    state["target_breeders_head"] = state["breeders_head"].copy()
    # (n, years), computed once per chunk, on one run when the rates are the same in every run
    state["growth_limit_per_yr"] = per_run_once(lambda q: speed_limits_per_yr(q, kind), p)
    return state, {k: np.zeros_like(herd) for k in FLOWS}


SUMS = {"deaths_head": "deaths", "outbreak_loss_head": "outbreak", "excess_sold_head": "excess"}


def _with_sums(f: dict) -> dict:
    """The flows with their sums over the stages (deaths, outbreak loss, excess sold) added."""
    for key, what in SUMS.items():
        f[key] = sum(f[f"{c}_{what}_head"] for c in CLASSES)
    return f


#: the flows leaving each stage (rows in `CLASSES` order): by death, and by its regular exit
DEATHS = tuple(f"{c}_deaths_head" for c in CLASSES)
EXITS = ("culled_head", "weaned_head", "entered_breeding_head", "finished_head")


def _month_shares(p: Mapping[str, np.ndarray], kind: HerdKind, t: int) -> tuple[Rates, np.ndarray, np.ndarray]:
    """The rates in year index t and the (n, 4) shares of each stage (`CLASSES`) leaving in a month
    by death and by its regular exit."""
    r = rates(p, kind, t)
    shares = [_exit_fractions(h) for h in ([r.h_bd, r.h_bc], [r.h_y, r.a_y], [r.h_r, r.a_r], [r.h_f, r.a_f])]
    return r, np.stack([k[0] for k in shares], axis=1), np.stack([k[1] for k in shares], axis=1)


def step_months(s: dict, p: Mapping[str, np.ndarray], t: int, kind: HerdKind, record: bool = True):
    """One year in monthly sub-steps: (new state, yearly flows, [(state, flows) per month]; the
    monthly list only with `record`, else empty: the engine needs the year alone).

    The four stages are rows of one (4, n) array, so the deaths and regular exits of every stage
    are one product each (issue 19); each row is computed with the operations, in the order, of
    the stage-by-stage formulas."""
    nm = kind.names
    r, death_share, exit_share = per_run_once(lambda q: _month_shares(q, kind, t), p)
    death_share, exit_share = np.ascontiguousarray(death_share.T), np.ascontiguousarray(exit_share.T)  # (4, n)
    wanted_m = yearly(p, nm[HerdRole.BOUGHT], t) / 12.0
    asked = yearly(p, nm[HerdRole.BREEDER_GROWTH], t)
    # own breeding caps the path; bought breeding stock may carry the herd beyond it
    capped = (wanted_m <= 0) | (kind.bought_into != "replacements")
    growth = np.where(capped, np.minimum(asked, s["growth_limit_per_yr"][:, t]), asked)
    growth_m = (1.0 + growth) ** (1 / 12) - 1.0
    target_factor = 1.0 + growth_m
    pool_per_target = _pool_target(r, 1.0, growth_m)
    female_kept_share = r.fs if kind.males_sold_at_birth else 1.0  # share of births entering `young`
    weaned_female_share = 1.0 if kind.males_sold_at_birth else r.fs
    planned_r = wanted_m if kind.bought_into == "replacements" else 0.0
    rest_key = "to_finishing_head" if kind.finishing else "weaned_sold_head"
    bought_row = CLASSES.index(kind.bought_into)
    buying = np.any(wanted_m > 0)
    zero = np.zeros_like(s["herd_head"])
    bought = zero
    total = {k: np.zeros_like(zero) for k in FLOWS if k not in SUMS and k not in DEATHS + EXITS}
    deaths_yr, exits_yr = np.zeros_like(death_share), np.zeros_like(exit_share)
    months = []
    stock = np.stack([s[f"{c}_head"] for c in CLASSES])  # updated in place month by month
    deaths, exits = np.empty_like(stock), np.empty_like(stock)  # this month's, reused
    places, target = s["capacity_places"], s["target_breeders_head"]
    for m in range(12):
        f = dict.fromkeys(FLOWS, zero)  # entries are replaced, never changed in place
        if m == 0:
            frac = yearly(p, "outbreak_loss_fraction", t)
            if np.any(frac != 0):
                lost = stock * frac
                stock = stock - lost
                f.update({f"{c}_outbreak_head": lost[i] for i, c in enumerate(CLASSES)})
            f["capacity_added_places"] = yearly(p, "capacity_added_places_per_yr", t)
            places = places + f["capacity_added_places"]
        np.multiply(stock, death_share, out=deaths)
        np.multiply(stock, exit_share, out=exits)
        births = r.births * stock[0]
        f["born_head"] = births * female_kept_share
        f["males_sold_at_birth_head"] = births - f["born_head"]
        weaned_f = exits[1] * weaned_female_share

        target = target * target_factor
        stock -= deaths  # each stage less its deaths and regular exits, then its entries
        stock -= exits
        stock[0] += exits[2]
        stock[1] += f["born_head"]
        b1, r1 = stock[0], stock[2]
        pool = pool_per_target * target + np.maximum(target - b1, 0.0)
        f["kept_head"] = np.clip(pool - r1 - planned_r, 0.0, weaned_f)
        f[rest_key] = exits[1] - f["kept_head"]
        stock[2] += f["kept_head"]
        if kind.finishing:
            stock[3] += f["to_finishing_head"]
        f["breeder_years"] = b1 / 12.0
        herd = stock[0] + stock[1]
        herd += stock[2]
        herd += stock[3]
        if buying:
            f["bought_wanted_head"] = wanted_m + zero
            f["bought_head"] = bought = np.clip(np.minimum(wanted_m, places - herd), 0.0, None)
            stock[bought_row] += bought
        over = np.maximum(herd + bought - places, 0.0)
        if np.any(over > 0):  # animals above the places are sold, stages in `sell_order`
            for c in kind.sell_order:
                i = CLASSES.index(c)
                sold = np.minimum(stock[i], over)
                f[f"{c}_excess_head"] = sold
                stock[i] -= sold
                over -= sold
        deaths_yr += deaths
        exits_yr += exits
        for k in total:
            if f[k] is not zero:
                total[k] += f[k]
        if record:
            f.update(zip(DEATHS, deaths.copy()))
            f.update(zip(EXITS, exits.copy()))
            months.append((_herd_state(stock.copy(), places, target, s), _with_sums(dict(f))))
    total.update(zip(DEATHS, deaths_yr))
    total.update(zip(EXITS, exits_yr))
    return _herd_state(stock, places, target, s), _with_sums(total), months


def _herd_state(stock: np.ndarray, places, target, s: dict) -> dict:
    """The state dict of the (4, n) stage stocks, the places and the planned path (the rest kept from `s`)."""
    new = dict(s)
    new.update({f"{c}_head": v for c, v in zip(CLASSES, stock)})
    new["herd_head"] = sum(new[f"{c}_head"] for c in CLASSES)
    new["capacity_places"], new["target_breeders_head"] = places, target
    return new


def step(s, p, t, kind: HerdKind):
    new, flows, _ = step_months(s, p, t, kind, record=False)
    return new, flows


def monthly_matrix(r: Rates, culls: bool = False) -> np.ndarray:
    """(n, 3, 3) monthly map of (breeders, female young, replacements) with every weaned female kept,
    no purchases and no capacity limit; breeders culled at their rate only with `culls`."""
    n = r.births.shape[0]
    m = np.zeros((n, 3, 3))
    q_y = -np.expm1(-(r.a_y + r.h_y))
    q_r = -np.expm1(-(r.a_r + r.h_r))
    m[:, 0, 0] = np.exp(-(r.h_bd + (r.h_bc if culls else 0.0)))
    m[:, 0, 2] = q_r * r.a_r / (r.a_r + r.h_r)
    m[:, 1, 0] = r.births * r.fs
    m[:, 1, 1] = np.exp(-(r.a_y + r.h_y))
    m[:, 2, 1] = q_y * r.a_y / (r.a_y + r.h_y)
    m[:, 2, 2] = np.exp(-(r.a_r + r.h_r))
    return m


def annual_matrix(r: Rates) -> np.ndarray:
    """(n, 3, 3) map over one year with no culls: the biological speed limit."""
    return np.linalg.matrix_power(monthly_matrix(r), 12)


def _dominant_root(m: np.ndarray) -> np.ndarray:
    """(n,) dominant eigenvalue of the cyclic monthly map `m`: the largest root of
    (λ − m00)(λ − m11)(λ − m22) = m10·m21·m02 (births × weaning × entry into the breeders).

    Left minus right is −(product) ≤ 0 at λ = max diagonal, and increasing and convex beyond it, so
    Newton's method from λ = max diagonal + cbrt(product), where it is ≥ 0, falls monotonically to the
    root. It replaces an eigenvalue solve per run (issue 19)."""
    d = np.stack([m[:, 0, 0], m[:, 1, 1], m[:, 2, 2]], axis=1)
    prod = m[:, 1, 0] * m[:, 2, 1] * m[:, 0, 2]
    lam = d.max(axis=1) + np.cbrt(prod)
    for _ in range(200):
        gap = lam[:, None] - d
        f = gap.prod(axis=1) - prod
        slope = gap[:, 0] * gap[:, 1] + gap[:, 0] * gap[:, 2] + gap[:, 1] * gap[:, 2]
        new = lam - np.divide(f, slope, out=np.zeros_like(f), where=slope > 0)
        if np.all(np.abs(new - lam) <= 1e-15 * new):
            return new
        lam = new
    return lam


def max_breeder_growth_per_yr(p: Mapping[str, np.ndarray], kind: HerdKind, t: int = 0,
                              culls: bool = False) -> np.ndarray:
    """Long-run growth rate of the breeding herd in year index t with every weaned female kept:
    (dominant monthly eigenvalue)^12 − 1; without `culls` no breeder is culled (the biological
    bound), with them breeders are culled at the scenario's rate (the engine's speed limit)."""
    return _dominant_root(monthly_matrix(rates(p, kind, t), culls)) ** 12 - 1.0


def speed_limits_per_yr(p: Mapping[str, np.ndarray], kind: HerdKind) -> np.ndarray:
    """(n, years) engine speed limit of breeder growth by year (it moves with a births schedule);
    computed once for all years when births per breeder do not vary by year."""
    years = p[kind.names[HerdRole.BREEDER_GROWTH]].shape[1]
    births = kind.births_per_breeder_per_yr(p)
    if births.ndim == 1 or np.all(births == births[:, :1]):
        return np.repeat(max_breeder_growth_per_yr(p, kind, 0, culls=True)[:, None], years, axis=1)
    return np.stack([max_breeder_growth_per_yr(p, kind, t, culls=True) for t in range(years)], axis=1)


def max_breeders_head(state: Mapping[str, np.ndarray], p: Mapping[str, np.ndarray], kind: HerdKind,
                      years: int) -> np.ndarray:
    """Upper bound on breeders `years` years after `state` (no culls, all females kept, no purchases,
    no outbreak, unlimited places). Any target above it is biologically infeasible."""
    r = rates(p, kind)
    young_f = state["young_head"] * (1.0 if kind.males_sold_at_birth else r.fs)
    x = np.stack([state["breeders_head"], young_f, state["replacements_head"]], axis=1)[:, :, None]
    for year in range(1, years + 1):
        x = annual_matrix(rates(p, kind, year)) @ x
    return x[:, 0, 0]


def breeders_reachable(state, p, kind: HerdKind, target_head: float, years: int) -> np.ndarray:
    """(n,) booleans: can the breeding herd reach `target_head` within `years` at the biological limit?"""
    return max_breeders_head(state, p, kind, years) >= target_head


def limit(state, p, indicator: str, years: int, kind: HerdKind, breeders: str):
    """Biological bound on the breeders indicator `breeders` `years` after the base year, else None."""
    return max_breeders_head(state, p, kind, years) if indicator == breeders else None


def check(p: Mapping[str, np.ndarray], kind: HerdKind, sector: str) -> list[tuple[str, str, str]]:
    """Exactly one base figure; breeders able to replace themselves; a non-negative derived herd."""
    nm = kind.names
    given = [nm[k] for k in BASE_FIGURES if k in nm and np.any(p[nm[k]] > 0)]
    problems = []
    if len(given) != 1:
        options = ", ".join(nm[k] for k in BASE_FIGURES if k in nm)
        problems.append((sector, f"base figures given: {', '.join(given) or 'none'}", f"exactly one of {options}"))
        return problems
    st = steady(p, kind)
    if np.any(st["keep"] < 0):
        problems.append((f"{sector}.{nm[HerdRole.BOUGHT]}", "base-year purchases above the replacements the herd needs",
                         "purchases of breeding stock at most the stationary replacement need"))
    if np.any(st["keep"] > st["weaned_f"] * (1 + 1e-9)):
        problems.append((f"{sector}.{nm[HerdRole.BREEDER_CULL]}",
                         "breeders that cannot replace themselves (replacements needed exceed weaned females)",
                         "lower cull and death rates, or higher births and survival"))
    if np.any(st["breeders_head"] < 0):
        problems.append((f"{sector}.{given[0]}", "a base figure smaller than the purchases alone imply",
                         "a larger base figure or smaller purchases in the base year"))
    return problems


def _ratio(observed: np.ndarray, model: np.ndarray) -> np.ndarray:
    """observed / model where the model holds any, else 1."""
    return np.divide(observed, model, out=np.ones_like(model), where=model > 0)


def assimilate(s: dict, p: Mapping[str, np.ndarray], t: int, obs: Mapping[str, np.ndarray], kind: HerdKind,
               stock: str, breeders: str) -> dict:
    """Set the herd to an observed total (`stock`, 存栏) and/or breeding females (`breeders`).

    Rule: stages are scaled, never reshaped, so the herd keeps its structure. One figure alone
    (total or breeders) scales every stage by observed / model, as `init` derives the whole
    stationary herd from one base figure. Both figures: breeders scaled to theirs, the other stages
    together scaled to total − breeders (emptied if that is negative: the breeders win). Where the
    model holds none of what is to be scaled, the stationary structure with one breeder is used.
    The planned breeder path is scaled by the breeders' factor (a fresh run from this state would
    start its path there); places are raised to hold the observed herd, never lowered.
    """
    if stock not in obs and breeders not in obs:
        return s
    unit = _stationary(rates(p, kind, t), np.ones_like(s["herd_head"]), np.zeros_like(s["herd_head"]), kind)
    b = s["breeders_head"]
    others = [c for c in CLASSES if c != "breeders"]
    both = stock in obs and breeders in obs
    scaled = s["herd_head"] - b if both else (b if breeders in obs else s["herd_head"])
    restart = (scaled <= 0) | ((b <= 0) & (breeders in obs))
    cur = {c: np.where(restart, unit[f"{c}_head"], s[f"{c}_head"]) for c in CLASSES}
    cur_b, cur_o = cur["breeders"], sum(cur[c] for c in others)
    cur_total = sum(cur[c] for c in CLASSES)  # the order `herd_head` is summed in
    if both:
        f_b = _ratio(obs[breeders], cur_b)
        f_o = _ratio(np.maximum(obs[stock] - obs[breeders], 0.0), cur_o)
    elif breeders in obs:
        f_b = f_o = _ratio(obs[breeders], cur_b)
    else:
        f_b = f_o = _ratio(obs[stock], cur_total)
    new = dict(s)
    new["breeders_head"] = cur_b * f_b
    for c in others:
        new[f"{c}_head"] = cur[c] * f_o
    new["herd_head"] = sum(new[f"{c}_head"] for c in CLASSES)
    new["target_breeders_head"] = np.where(restart, new["breeders_head"], s["target_breeders_head"] * f_b)
    new["capacity_places"] = np.maximum(s["capacity_places"], new["herd_head"])
    return new


#: shrink a herd to a share of its size when feed is short: every head and its flows, not places
#: nor the breeding target and growth limit
KEPT = ("capacity_places", "target_breeders_head", "growth_limit_per_yr", "capacity_added_places")
CURTAIL = scale_except(KEPT)
