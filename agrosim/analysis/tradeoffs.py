"""Trade-offs behind the verdicts: costs a scenario pays that no target shows.

A scenario can meet every target while the model quietly cuts something else to make room. Each
such cost becomes a warning record (`TradeOff`: kind, sector, year, size, text in en and zh, the
targets it bears on) shown beside the verdicts, in `targets.csv` (`warnings` column), the CLI, the
scorecard and the report. Kinds:

- `land_curtailed`: a sector's land claim cut by the priority order (`land_claims: mode: priority`);
  size = largest share of its claim cut in a year (counterfactual: the same run without the cut);
- `land_overcommitted`: claims above the cultivated land, left unresolved (`mode: warning`, or the
  base year); size = the excess as a share of the land available;
- `feed_capped`: a herd cut because a feed import cap binds; size = largest share of its driver
  (stock or slaughter) lost against the same run without the cap;
- `feed_imported`: a feed class brought in above `TradeOffThresholds.import_share` of the herds' demand;
  size = that share in its highest year;
- `lever_at_bound`: a lever the model caps (HSF built beyond the land under grain, a herd planned to
  grow faster than its biology; in `allocate`, money pushing a driver past its feasible bound);
- `budget_saturated`: in `allocate`, the budget lies above the point where the objective stops
  improving, so the split of the excess does not matter.

Land, feed and lever records are measured on the scenario's central run (declared values, no
draws), for deterministic and Monte Carlo reports alike: they describe what the scenario asks for.

Which rows carry a record in `targets.csv`: a record whose sector owns targets goes on those
targets' rows; a record with no such sector (vegetables cut where only grain has targets, a saturated
budget) goes on every row; the joint row `ALL` carries every record, so "all met" never stands
without its costs.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from agrosim.analysis.findings import TradeOff
from agrosim.config.scenario import Scenario
from agrosim.parampath import ParamPath
from agrosim.registry import BY_NAME

KINDS = ("land_curtailed", "land_overcommitted", "feed_capped", "feed_imported", "lever_at_bound",
         "budget_saturated")


@dataclass(frozen=True)
class TradeOffThresholds:
    """When a trade-off is worth a warning. `import_share`: a feed class brought in above this share
    of the herds' demand (default 0.5: most of it comes from outside the region); `cut_share`: a cut
    (land, herd, HSF not built) smaller than this share is rounding, not a trade-off (default 0.5 %)."""

    import_share: float = 0.5
    cut_share: float = 0.005

    @classmethod
    def from_mapping(cls, values) -> "TradeOffThresholds":
        """From a {name: value} mapping (metadata.json), ignoring missing keys."""
        return cls(**{k: float(v) for k, v in dict(values or {}).items() if k in cls.__dataclass_fields__})


def _owner_targets(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Sector -> ids of the scenario's targets on its indicators."""
    owner = {i.name: s for s in scenario.sectors for i in BY_NAME[s].indicators}
    out: dict[str, list[str]] = {}
    for t in scenario.targets:
        if t.indicator in owner:
            out.setdefault(owner[t.indicator], []).append(t.id)
    return {k: tuple(v) for k, v in out.items()}


def _title(sector: str, lang: str) -> str:
    s = BY_NAME[sector]
    return s.title_zh if lang == "zh" else s.title_en.lower()


def _largest_cut(cut: np.ndarray, base: np.ndarray, years: list[int]) -> tuple[int, float]:
    """(year, share) of the largest relative cut `base - cut` over the simulated years (base year is data)."""
    share = np.divide(base - cut, base, out=np.zeros_like(base, dtype=float), where=base > 0)[1:]
    k = int(np.argmax(share))
    return years[k + 1], float(share[k])


def land_tradeoffs(scenario: Scenario, res, th: TradeOffThresholds, owners) -> list[TradeOff]:
    """Claims cut by the priority order, and over-commitment left unresolved."""
    from agrosim.engine import simulate
    from agrosim.links import land

    if "land_claimed" not in res.data:
        return []
    out = []
    years = scenario.years
    settings = scenario.land_claims or land.LandClaims()
    if settings.mode == "priority" and np.any(res.data["land_curtailed"][0] > 0):
        uncut_sc = copy.copy(scenario)
        uncut_sc.land_claims = land.LandClaims(mode="warning", priority=settings.priority)
        uncut = simulate(uncut_sc, n=1)
        for name in scenario.sectors:
            claim = BY_NAME[name].land_claim
            if claim is None or claim not in res.data:
                continue
            year, share = _largest_cut(res.data[claim][0], uncut.data[claim][0], years)
            if share < th.cut_share:
                continue
            end_uncut = uncut.data[claim][0][-1]
            end_share = float(1 - res.data[claim][0][-1] / end_uncut) if end_uncut > 0 else 0.0
            cut_mu = (uncut.data[claim][0] - res.data[claim][0])[years.index(year)] / 1e4
            out.append(TradeOff(
                "land_curtailed", name, year, share,
                f"land priority cuts {_title(name, 'en')} by {share:.1%} of its land claim in {year} "
                f"({cut_mu:,.1f} 万亩; {end_share:.1%} in {years[-1]}) to keep the sectors ranked above it whole",
                f"耕地优先序压减{_title(name, 'zh')}：{year}年压减其用地{share:.1%}（{cut_mu:,.1f}万亩；"
                f"{years[-1]}年{end_share:.1%}），以保证排序在前的产业",
                owners.get(name, ())))
    over = res.data["land_overcommitted"][0]
    avail = res.data[land.AVAILABLE][0]
    rel = np.divide(over, avail, out=np.zeros_like(over), where=avail > 0)
    if settings.mode == "priority":
        rel[1:] = 0.0  # resolved by the cuts above from the first simulated year on
    if np.any(rel > 1e-9):
        k = int(np.argmax(rel))
        out.append(TradeOff(
            "land_overcommitted", None, years[k], float(rel[k]),
            f"cultivated land over-committed by {over[k] / 1e4:,.1f} 万亩 ({rel[k]:.1%} of the land) in {years[k]}: "
            "the sectors' claims do not fit and nothing was cut" + (" (base-year data)" if k == 0 else ""),
            f"{years[k]}年耕地超占{over[k] / 1e4:,.1f}万亩（占耕地{rel[k]:.1%}），各产业用地无法同时满足"
            + ("（基期数据）" if k == 0 else "")))
    return out


def feed_tradeoffs(scenario: Scenario, res, th: TradeOffThresholds, owners) -> list[TradeOff]:
    """Herds cut by a binding import cap, and feed classes mostly brought in."""
    from agrosim.engine import simulate
    from agrosim.links import feed

    if "feed" not in scenario.sectors:
        return []
    years = scenario.years
    eaters = {h: row for h, row in feed.CONSUMERS.items() if h in scenario.sectors}
    out = []
    if np.any(res.data["feed_grain_shortfall"][0] > 0) or np.any(res.data["roughage_shortfall"][0] > 0):
        uncapped = simulate(scenario, n=1, per_run={"feed.grain_import_cap_kg_per_yr": np.array([np.inf]),
                                                    "feed.roughage_import_cap_kg_per_yr": np.array([np.inf])})
        for herd, row in eaters.items():
            year, share = _largest_cut(res.data[row[0]][0], uncapped.data[row[0]][0], years)
            if share >= th.cut_share:
                out.append(TradeOff(
                    "feed_capped", herd, year, share,
                    f"{_title(herd, 'en')} cut by {share:.1%} in {year} because the feed import cap binds "
                    f"(herd as fed against the same run without the cap)",
                    f"饲料调入上限约束：{year}年{row[-1]}压减{share:.1%}", owners.get(herd, ())))
    related = tuple(t for h in eaters for t in owners.get(h, ()))
    for key, en, zh in (("feed_grain", "feed grain", "饲料粮"), ("roughage", "roughage", "粗饲料")):
        demand, imported = res.data[f"{key}_demand"][0], res.data[f"{key}_import"][0]
        share = np.divide(imported, demand, out=np.zeros_like(demand), where=demand > 0)
        k = len(share) - 1 - int(np.argmax(share[::-1]))  # the latest year with the highest share
        if share[k] > th.import_share:
            out.append(TradeOff(
                "feed_imported", "feed", years[k], float(share[k]),
                f"{share[k]:.0%} of the herds' {en} is brought in from outside the region in {years[k]} "
                f"({imported[k] / 1e7:,.2f} 万吨 of {demand[k] / 1e7:,.2f}; warning above {th.import_share:.0%})",
                f"{years[k]}年畜禽{zh}{share[k]:.0%}依赖外调（{imported[k] / 1e7:,.2f}万吨/需求{demand[k] / 1e7:,.2f}万吨；"
                f"超过{th.import_share:.0%}即提示）", related))
    return out


def lever_tradeoffs(scenario: Scenario, res, th: TradeOffThresholds, owners) -> list[TradeOff]:
    """Levers the model caps: HSF not built for lack of grain land, herds planned beyond biology."""
    from agrosim.analysis.levers import BOUNDS
    from agrosim.param_arrays import all_arrays
    from agrosim.units import from_internal

    years = scenario.years
    out = []
    params = None
    if "land_grain" in scenario.sectors:
        params = all_arrays(scenario, 1)
        p = params["land_grain"]
        wanted = (p["hsf_build_mu_per_yr"] + p["hsf_budget_yuan_per_yr"] / p["hsf_cost_yuan_per_mu"][:, None])[0, 1:]
        built = res.data["hsf_built"][0, 1:]
        if wanted.sum() > 0 and (wanted.sum() - built.sum()) / wanted.sum() >= th.cut_share:
            share = float((wanted.sum() - built.sum()) / wanted.sum())
            out.append(TradeOff(
                "lever_at_bound", "land_grain", years[-1], share,
                f"HSF construction capped by the cultivated land: {share:.1%} of the HSF planned for "
                f"{years[1]}–{years[-1]} can not be built",
                f"高标准农田建设受耕地约束：{years[1]}–{years[-1]}年计划建设的{share:.1%}无地可建",
                owners.get("land_grain", ())))
        hsf, grain = res.data["hsf_area"][0], res.data["grain_land_claim"][0]
        beyond = (hsf - grain)[1:]
        if np.any(beyond > th.cut_share * grain[1:]):
            k = int(np.argmax(beyond))
            out.append(TradeOff(
                "lever_at_bound", "land_grain", years[k + 1], float(beyond[k] / hsf[k + 1]),
                f"HSF exceeds the land under grain by {beyond[k] / 1e4:,.1f} 万亩 in {years[k + 1]}: "
                "that part raises no grain yield",
                f"{years[k + 1]}年高标准农田超出粮食用地{beyond[k] / 1e4:,.1f}万亩，该部分不增产粮食",
                owners.get("land_grain", ())))
    for path, (bound, (en, zh)) in BOUNDS.items():
        where = ParamPath.parse(path)
        sector = where.sector
        if sector not in scenario.sectors or not where.name.endswith("growth_per_yr"):
            continue
        params = params or all_arrays(scenario, 1)
        planned = params[sector][where.local][0, 1:]
        limit = bound(scenario, path)
        k = int(np.argmax(planned))
        if planned[k] > limit:
            out.append(TradeOff(
                "lever_at_bound", sector, years[k + 1], float(planned[k] - limit),
                f"{_title(sector, 'en')}: planned herd growth {float(from_internal(planned[k], '%/yr')):.1f} %/yr in "
                f"{years[k + 1]} is above the {en} ({float(from_internal(limit, '%/yr')):.1f} %/yr): "
                "the herd is capped",
                f"{_title(sector, 'zh')}：{years[k + 1]}年计划增长{float(from_internal(planned[k], '%/yr')):.1f}%，"
                f"超过{zh}（{float(from_internal(limit, '%/yr')):.1f}%），按上限计",
                owners.get(sector, ())))
    return out


def scenario_tradeoffs(scenario: Scenario, thresholds: TradeOffThresholds | None = None) -> list[TradeOff]:
    """Land, feed and lever trade-offs of the scenario's central run."""
    from agrosim.engine import simulate

    th = thresholds or TradeOffThresholds()
    res = simulate(scenario, n=1)
    owners = _owner_targets(scenario)
    return [*land_tradeoffs(scenario, res, th, owners), *feed_tradeoffs(scenario, res, th, owners),
            *lever_tradeoffs(scenario, res, th, owners)]


def _money(yuan: float, lang: str) -> str:
    return f"{yuan / 1e4:,.0f}万元" if lang == "zh" else f"{yuan / 1e4:,.0f} 万元"


def allocation_tradeoffs(tables, scenario: Scenario, budget_yuan: float) -> list[TradeOff]:
    """A saturated budget and levers pushed past their bound, from `agrosim allocate`'s tables."""
    from agrosim.analysis.allocate import saturation

    out = []
    curve = tables.get("budget_curve")
    if curve is not None and len(curve):
        sat = saturation(curve, budget_yuan)
        if not sat["money_matters"]:
            out.append(TradeOff(
                "budget_saturated", None, None, 0.0,
                f"the budget does not matter: no amount up to {_money(float(curve.budget_yuan.max()), 'en')} "
                f"changes the objective ({sat['objective']:.3f}); the investments do not move these targets",
                f"预算不起作用：直至{_money(float(curve.budget_yuan.max()), 'zh')}目标函数均不变（{sat['objective']:.3f}），"
                "所列投资不影响这些目标"))
        elif sat["saturated"]:
            out.append(TradeOff(
                "budget_saturated", None, None, sat["from_yuan"],
                f"the budget saturates from about {_money(sat['from_yuan'], 'en')} (between "
                f"{_money(sat['above_yuan'], 'en')} and {_money(sat['from_yuan'], 'en')}): the objective reaches "
                f"{sat['objective']:.3f} there (no money: {sat['objective_no_money']:.3f}) and no more money or "
                f"other split of the {_money(budget_yuan, 'en')} improves it",
                f"预算约{_money(sat['from_yuan'], 'zh')}即饱和（介于{_money(sat['above_yuan'], 'zh')}与"
                f"{_money(sat['from_yuan'], 'zh')}之间）：目标函数在此达到{sat['objective']:.3f}"
                f"（无投入时{sat['objective_no_money']:.3f}），{_money(budget_yuan, 'zh')}中超出部分如何分配都不再提高"))
    alloc = tables.get("allocation")
    if alloc is not None and "at_bound" in alloc:
        owners = _owner_targets(scenario)
        for row in alloc[alloc["at_bound"].astype(bool)].itertuples():
            sector = ParamPath.parse(str(row.param)).sector
            out.append(TradeOff(
                "lever_at_bound", sector, None, float(row.share),
                f"{row.lever}: the recommended money pushes {row.param} past its feasible bound; "
                "the excess buys nothing",
                f"{row.lever}：建议投入使{row.param}超过可行上限，超出部分无效", owners.get(sector, ())))
    return out


def tradeoffs(scenario: Scenario, thresholds: TradeOffThresholds | None = None, allocation=None) -> list[TradeOff]:
    """Every trade-off of a report: the scenario's, and with `allocation` ({'tables', 'settings'} as
    read from a report's allocation/ folder) the budget's. The function the report's first screen calls."""
    records = scenario_tradeoffs(scenario, thresholds)
    if allocation is not None:
        budget = float(allocation["settings"].get("budget_yuan", float("nan")))
        records += allocation_tradeoffs(allocation["tables"], scenario, budget)
    return records
