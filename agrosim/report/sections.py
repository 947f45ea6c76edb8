"""Optional report sections, each drawn from data kept in the report folder:

- tracking: `observed.csv` (the observed values, as supplied) against the plan's implied path, with the
  path and tolerance in metadata.json (`tracking_path`, `tracking_tolerance`); the handlers compute the
  tracking table (`analysis.report_inputs.TrackingFindings`) whenever the report is drawn, and it is
  written as `tracking.csv`.
- allocation: `allocation/` (the tables of `agrosim allocate` and its `settings.json`).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from agrosim.analysis.findings import TrackingFindings
from agrosim.config.scenario import Scenario
from agrosim.config.spec import ParamSpec
from agrosim.parampath import ParamPath
from agrosim.report.lang import label, t, unit
from agrosim.registry import BY_NAME

OBSERVED_FILE = "observed.csv"
ALLOCATION_DIR = "allocation"
ALLOCATION_TABLES = ("allocation", "probabilities", "marginal", "budget_curve", "cost_sensitivity")
SETTINGS_FILE = "settings.json"
#: the splits compared, as columns of the probabilities table, in the order shown
SPLITS = ("recommended", "plan", "even split")
STATUSES = ("on track", "behind", "ahead")

#: wording of the sections, merged into `html.WORDS` (which holds the shared words: source, note, assumption …)
WORDS = {
    "en": {
        "tracking": "Tracking: observed against the plan",
        "tracking_intro": "Observed values ({file}) against the plan's implied path: {path} from the base-year "
                          "value to the target. Within ±{tol:g} % of the path counts as on track; a target to hold "
                          "(stable at) must hold its level every year.",
        "path_linear": "a straight line", "path_growth": "constant growth",
        "observed_value": "Observed", "plan_value": "Plan's path", "status": "Status",
        "growth_needed": "Growth now needed per year",
        "latest": "{label}: {status} in {year}, {observed} against {implied} {unit} on the plan's path. From there "
                  "{needed} a year reaches {target} {unit} by {target_year} (the plan implied {plan} a year "
                  "from {base_year}).",
        "latest_final": "{label}: {status} in {year}, the target year: {observed} against {target} {unit}.",
        "latest_hold": "{label}: {status} in {year}: {observed} against the level of {target} {unit} to hold each "
                       "year until {target_year}.",
        "untracked": "No observation between the base year and the target year for: {names}.",
        "tracking_summary": "Observed (latest year of each tracked target): {on} on track, {behind} behind, "
                            "{ahead} ahead.",
        "allocation": "Allocation of a budget",
        "alloc_intro": "A budget of {budget} {money_unit}, spread evenly over {years}, split across the scenario's "
                       "investments to maximise {objective}. Every split is evaluated on the same {runs:,} Monte "
                       "Carlo draws (seed {seed}); shares on a grid of {step:g} % steps, then 1 % steps around the "
                       "best. The money comes on top of the scenario as declared: the targets above are without it.",
        "objective:expected-targets-met": "the expected number of targets met",
        "objective:joint-probability": "the probability that all targets are met together",
        "objective:min-probability": "the lowest P(met) of any target",
        "splits": "Recommended split, the plan's split and an even split", "investment": "Investment",
        "share": "Share", "money": "Money", "objective": "Objective", "no_plan": "no plan split given "
        "(agrosim allocate --plan-shares NAME=SHARE,...)",
        "probabilities": "P(met) per target under each split",
        "marginal": "Marginal value per {money_unit}", "gain_per_10k": "Objective gain per {money_unit}",
        "gain": "Objective gain", "marginal_text": "{delta:,.4g} {money_unit} more (1 % of the budget) going to one "
                                                   "investment, the rest of the recommended split unchanged.",
        "marginal_zero": "No investment changes the objective at this margin: the targets are thresholds, and this "
                         "much more money moves none of the {runs:,} runs across one.",
        "saturation": "Budget at which the objective stops improving", "budget_factor": "× budget",
        "budget": "Budget", "best": "best value reached",
        "saturated_at": "The objective stops improving at about {budget} {money_unit} ({factor:g} × this budget), "
                        "at {objective:.3f}; more money does not raise it.",
        "saturated_not": "The objective still improves at {budget} {money_unit} ({factor:g} × this budget), the "
                         "largest budget tried.",
        "cost": "Costs ±25 %", "cost_factor": "Costs ×",
        "cost_same": "The recommended split is the same with every cost 25 % lower or higher.",
        "cost_changes": "The recommended split changes when every cost is 25 % lower or higher (shares below).",
        "alloc_assumptions": "Assumptions of the allocation", "param": "Parameter", "cost_col": "Cost",
        "cap": "Cap per year", "lag": "Lag (years)", "group": "Group",
        "constraints": "Constraints: {text}.", "none": "none", "min_share": "{group} at least {share:g} %",
        "max_share": "{name} at most {share:g} %", "targets_used": "Targets counted: {names}.",
    },
    "zh": {
        "tracking": "进度跟踪：实际值与规划对比",
        "tracking_intro": "实际值（{file}）与规划隐含路径对比：从基期值到目标值按{path}推进。与路径相差在 ±{tol:g} % "
                          "以内为符合进度；“稳定在”类目标须每年保持该水平。",
        "path_linear": "直线", "path_growth": "等比增长（年增速不变）",
        "observed_value": "实际值", "plan_value": "规划路径值", "status": "进度", "growth_needed": "此后每年所需增速",
        "latest": "{label}：{year}年{status}，实际 {observed}，规划路径 {implied} {unit}。此后每年需增长 {needed}，"
                  "方能于{target_year}年达到 {target} {unit}（规划自{base_year}年起隐含年增速 {plan}）。",
        "latest_final": "{label}：{year}年（目标年）{status}，实际 {observed}，目标 {target} {unit}。",
        "latest_hold": "{label}：{year}年{status}，实际 {observed}，须在{target_year}年前每年保持 {target} {unit}。",
        "untracked": "以下目标在基期与目标年之间没有实际值：{names}。",
        "tracking_summary": "实际值（各目标最近一年）：符合进度 {on} 项，落后 {behind} 项，超前 {ahead} 项。",
        "allocation": "资金分配",
        "alloc_intro": "预算 {budget} {money_unit}，在{years}年间平均投入，分配到情景中的各投资项目，以使{objective}最大。"
                       "各方案使用同一组 {runs:,} 次蒙特卡洛抽样（随机种子 {seed}）比较；份额先按 {step:g} % 网格、"
                       "再在最优点附近按 1 % 细化搜索。该资金为情景原有安排之外的新增投入：上方目标表不含这笔资金。",
        "objective:expected-targets-met": "预期实现目标数",
        "objective:joint-probability": "全部目标同时实现的概率",
        "objective:min-probability": "各目标实现概率中的最低值",
        "splits": "推荐方案、规划方案与平均分配", "investment": "投资项目", "share": "占比", "money": "金额",
        "objective": "目标函数", "no_plan": "未给出规划方案（agrosim allocate --plan-shares 名称=份额,...）",
        "probabilities": "各方案下各目标的实现概率",
        "marginal": "每{money_unit}边际效益", "gain_per_10k": "每{money_unit}目标函数增量", "gain": "目标函数增量",
        "marginal_zero": "在此边际上追加资金不改变目标函数：目标是门槛值，追加的这笔资金未使 {runs:,} 次模拟中的任何一次跨过门槛。",
        "marginal_text": "在推荐方案基础上向单个项目追加 {delta:,.4g} {money_unit}（预算的 1 %），其余不变。",
        "saturation": "目标函数不再提高的预算", "budget_factor": "预算倍数", "budget": "预算", "best": "已达最优值",
        "saturated_at": "预算约 {budget} {money_unit}（本预算的 {factor:g} 倍）时目标函数不再提高（{objective:.3f}），"
                        "再增加资金也无助于目标。",
        "saturated_not": "预算增至 {budget} {money_unit}（本预算的 {factor:g} 倍，所试最大预算）时目标函数仍在提高。",
        "cost": "成本 ±25 % 敏感性", "cost_factor": "成本倍数",
        "cost_same": "全部成本降低或提高 25 % 时，推荐方案不变。",
        "cost_changes": "全部成本降低或提高 25 % 时，推荐方案发生变化（见下表份额）。",
        "alloc_assumptions": "资金分配的假设", "param": "参数", "cost_col": "单位成本", "cap": "每年上限",
        "lag": "滞后（年）", "group": "类别", "constraints": "约束：{text}。", "none": "无",
        "min_share": "{group} 不低于 {share:g} %", "max_share": "{name} 不高于 {share:g} %",
        "targets_used": "计入的目标：{names}。",
    },
}

_PER_UNIT_ZH = {"mu": "亩", "box": "箱", "sheet": "盒", "head": "头", "household": "户", "kg": "公斤"}


def _pct(value: float, signed: bool = True) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{100 * value:+.2f} %" if signed else f"{100 * value:.2f} %"


def _g(value: float) -> str:
    return f"{value:,.6g}"


# ---- tracking -------------------------------------------------------------------------------------

def draw_tracking(tracking: TrackingFindings, scenario: Scenario, quant: pd.DataFrame, out: Path, lang: str,
                  save) -> dict[str, Path]:
    """charts/tracking_<target>.png for each tracked target (inside the language's chart context)."""
    from agrosim.results import series
    from agrosim.report.tracking_charts import tracking_chart

    paths = {}
    for tg in scenario.targets:
        rows = tracking.table[tracking.table.target == tg.id]
        if rows.empty:
            continue
        model = series(quant, tg.indicator, tg.unit_written) if tg.indicator in set(quant["indicator"]) else None
        path = out / f"tracking_{tg.id}.png"
        save(tracking_chart(rows, tracking.plan_paths[tg.id], tg.kind, tg.en, tg.zh, lang, model, tg.from_year),
             path)
        paths[tg.id] = path
    return paths


def latest_status(table: pd.DataFrame) -> dict[str, str]:
    """target → status in its latest observed year."""
    return {tid: rows.sort_values("year")["status"].iloc[-1] for tid, rows in table.groupby("target", sort=False)}


def tracking_summary(table: pd.DataFrame, lang: str) -> str:
    counts = pd.Series(list(latest_status(table).values())).value_counts()
    return WORDS[lang]["tracking_summary"].format(on=int(counts.get("on track", 0)),
                                                  behind=int(counts.get("behind", 0)),
                                                  ahead=int(counts.get("ahead", 0)))


def tracking_context(tracking: TrackingFindings, scenario: Scenario, figures: Mapping[str, str], lang: str) -> dict:
    """What the tracking section shows: the table per target and year, one sentence per target on its
    latest year and the growth now needed, and the charts (`figures`: target id → data URI)."""
    from agrosim.report.tracking_charts import STATUS_COLOURS

    w = WORDS[lang]
    table = tracking.table
    rows, notes, untracked, charts = [], [], [], []
    for tg in scenario.targets:
        name = label(lang, tg.en, tg.zh)
        part = table[table.target == tg.id].sort_values("year")
        if part.empty:
            untracked.append(name)
            continue
        shown = unit(lang, tg.unit_written)
        for r in part.itertuples():
            rows.append({"label": name, "id": tg.id, "year": int(r.year), "observed": r.observed,
                         "implied": r.implied, "unit": shown, "status": t(lang, r.status), "key": r.status,
                         "colour": STATUS_COLOURS[r.status],
                         "needed": "—" if tg.kind == "stable_at" else _pct(r.growth_needed_per_yr)})
        last = part.iloc[-1]
        fields = {"label": name, "status": t(lang, last.status), "year": int(last.year), "observed": _g(last.observed),
                  "implied": _g(last.implied), "unit": shown, "target": _g(tg.value_written),
                  "target_year": tg.year, "base_year": int(last.base_year),
                  "needed": _pct(last.growth_needed_per_yr), "plan": _pct(last.plan_growth_per_yr)}
        key = "latest_hold" if tg.kind == "stable_at" else (
            "latest_final" if int(last.year) >= tg.year else "latest")
        notes.append(w[key].format(**fields))
        if tg.id in figures:
            charts.append({"uri": figures[tg.id], "caption": f"{name} ({tg.id})"})
    path_text = w.get("path_" + tracking.path, tracking.path)
    return {"intro": w["tracking_intro"].format(file=OBSERVED_FILE, path=path_text, tol=100 * float(tracking.tolerance)),
            "rows": rows, "notes": notes, "figures": charts,
            "untracked": w["untracked"].format(names="; ".join(untracked)) if untracked else ""}


# ---- allocation -----------------------------------------------------------------------------------

def write_allocation(folder: Path, tables: Mapping[str, pd.DataFrame], settings: Mapping) -> None:
    """allocation/<table>.csv and allocation/settings.json into a report folder being written."""
    out = Path(folder) / ALLOCATION_DIR
    out.mkdir()
    for name in ALLOCATION_TABLES:
        tables[name].to_csv(out / f"{name}.csv", index=False, encoding="utf-8")
    (out / SETTINGS_FILE).write_text(json.dumps(dict(settings), indent=2, ensure_ascii=False), encoding="utf-8")


def read_allocation(folder: Path) -> dict | None:
    """{'tables': {name: DataFrame}, 'settings': {...}} from a folder's allocation/, or None."""
    return read_allocation_dir(Path(folder) / ALLOCATION_DIR)


def read_allocation_dir(base: Path) -> dict | None:
    """{'tables': {name: DataFrame}, 'settings': {...}} from a folder holding allocation.csv, or None."""
    base = Path(base)
    if not (base / "allocation.csv").is_file():
        return None
    tables = {name: pd.read_csv(base / f"{name}.csv", keep_default_na=True)
              for name in ALLOCATION_TABLES if (base / f"{name}.csv").is_file()}
    settings_file = base / SETTINGS_FILE
    settings = json.loads(settings_file.read_text(encoding="utf-8")) if settings_file.is_file() else {}
    return {"tables": tables, "settings": settings}


def draw_allocation(data: Mapping, scenario: Scenario, out: Path, lang: str, save) -> Path:
    """charts/allocation.png (inside the language's chart context)."""
    from agrosim.report.allocation_chart import allocation_chart

    labels = {tg.id: label(lang, tg.en, tg.zh) for tg in scenario.targets}
    objective = data["settings"].get("objective", "")
    title = f"{scenario.name}: " + WORDS[lang].get(f"objective:{objective}", objective)
    path = out / "allocation.png"
    save(allocation_chart(data["tables"]["allocation"], data["tables"]["probabilities"], title, lang, labels), path)
    return path


def split_shares(data: Mapping) -> dict[str, np.ndarray]:
    """Shares of each compared split, per investment in the allocation table's order."""
    alloc = data["tables"]["allocation"]
    n = len(alloc)
    out = {"recommended": alloc["share"].to_numpy(float)}
    plan = data["settings"].get("plan_shares")
    if "plan_share" in alloc:
        out["plan"] = alloc["plan_share"].to_numpy(float)
    elif plan:
        out["plan"] = np.array([float(plan.get(lever, 0.0)) for lever in alloc["lever"]])
    out["even split"] = alloc["even_share"].to_numpy(float) if "even_share" in alloc else np.full(n, 1 / n)
    return out


def _spec_of(param) -> ParamSpec | None:
    """The spec of an invested parameter named in an allocation table, if a sector declares it."""
    where = ParamPath.parse(str(param))
    return BY_NAME[where.sector].param_specs().get(where.spec_key) if where.sector in BY_NAME else None


def _cost_text(cost: float, param: str, lang: str) -> str:
    spec = _spec_of(param)
    per = spec.unit.split("/yr")[0] if spec is not None else ""
    if lang == "zh":
        return f"{_g(cost)} 元/{_PER_UNIT_ZH.get(per, per)}"
    return f"{_g(cost)} yuan/{per}"


def _cap_text(cap, param: str, lang: str) -> str:
    if cap is None or (isinstance(cap, float) and math.isnan(cap)):
        return ""
    from agrosim.units import shown_param

    spec = _spec_of(param)
    if spec is None:
        return _g(float(cap))
    value, shown = shown_param(float(cap), spec.unit)  # the cap is in the parameter's own unit
    return f"{_g(float(value))} {unit(lang, shown)}"


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def allocation_context(data: Mapping, scenario: Scenario, figure: str, lang: str) -> dict:
    """What the allocation section shows, from the tables of `agrosim allocate` (`figure`: data URI)."""
    w = WORDS[lang]
    tables, settings = data["tables"], data["settings"]
    alloc = tables["allocation"]
    money_unit = unit(lang, "万元")
    budget = float(settings.get("budget_yuan", alloc["money_10k_yuan"].sum() / max(alloc["share"].sum(), 1e-12) * 1e4))
    years = settings.get("years") or []
    year_text = (f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])) if years else ""
    objective = settings.get("objective", "")
    shares = split_shares(data)
    splits = [s for s in SPLITS if s in shares]
    split_rows = []
    for k, r in enumerate(alloc.itertuples()):
        split_rows.append({"lever": r.lever, "param": r.param,
                           "cells": [(100 * shares[s][k], shares[s][k] * budget / 1e4) for s in splits]})
    labels = {tg.id: label(lang, tg.en, tg.zh) for tg in scenario.targets}
    probs = tables["probabilities"]
    prob_splits = [s for s in SPLITS if s in probs]
    prob_rows = [{"label": labels.get(r["target"], r["target"]) if r["target"] != "objective" else
                  f"{w['objective']}: {w.get('objective:' + objective, objective)}",
                  "id": r["target"], "ps": [float(r[s]) for s in prob_splits],
                  "objective": r["target"] == "objective"} for _, r in probs.iterrows()]
    marginal = [{"lever": r.lever, "gain": float(r.objective_gain), "per_10k": float(r.per_10k_yuan)}
                for r in tables["marginal"].itertuples()] if "marginal" in tables else []
    curve_rows, saturation = [], ""
    if "budget_curve" in tables:
        curve = tables["budget_curve"].sort_values("budget_factor").reset_index(drop=True)
        best = curve["objective"].max()
        reached = curve.index[curve["objective"] >= best - 1e-9]
        first = int(reached[0])
        row = curve.iloc[first]
        still = first == len(curve) - 1 and len(curve) > 1 and curve["objective"].iloc[-2] < best - 1e-9
        saturation = w["saturated_not" if still else "saturated_at"].format(
            budget=_g(row.budget_yuan / 1e4), money_unit=money_unit, factor=float(row.budget_factor),
            objective=float(row.objective))
        curve_rows = [{"factor": float(r.budget_factor), "budget": r.budget_yuan / 1e4, "objective": float(r.objective),
                       "best": bool(k >= first and r.objective >= best - 1e-9)} for k, r in curve.iterrows()]
    cost_rows, cost_text, levers = [], "", list(alloc["lever"])
    if "cost_sensitivity" in tables:
        cost = tables["cost_sensitivity"].sort_values("cost_factor")
        cols = [f"share:{lever}" for lever in levers]
        cost_rows = [{"factor": float(r["cost_factor"]), "objective": float(r["objective"]),
                      "shares": [100 * float(r[c]) for c in cols if c in cost]} for _, r in cost.iterrows()]
        same = all(np.allclose(cost[c].to_numpy(float), cost[c].iloc[0], atol=1e-9) for c in cols if c in cost)
        cost_text = w["cost_same" if same else "cost_changes"]
    investments = [{"lever": r["lever"], "param": r["param"], "cost": _cost_text(float(r["cost_yuan_per_unit"]),
                                                                               r["param"], lang),
                    "cap": _cap_text(r.get("cap_per_yr"), r["param"], lang),
                    "lag": int(r["lag_years"]) if "lag_years" in r and not pd.isna(r["lag_years"]) else 0,
                    "group": _text(r.get("group")), "source": _text(r.get("source")),
                    "assumption": str(r.get("assumption")).lower() == "true", "note": _text(r.get("note"))}
                   for _, r in alloc.iterrows()]
    constraints = [w["min_share"].format(group=g, share=100 * s) for g, s in (settings.get("min_share") or {}).items()]
    constraints += [w["max_share"].format(name=n, share=100 * s) for n, s in (settings.get("max_share") or {}).items()]
    used = settings.get("targets") or [tg.id for tg in scenario.targets]
    return {
        "intro": w["alloc_intro"].format(budget=_g(budget / 1e4), money_unit=money_unit, years=year_text,
                                         objective=w.get(f"objective:{objective}", objective),
                                         runs=int(settings.get("runs", 0)), seed=settings.get("seed", ""),
                                         step=100 * float(settings.get("step", 0.05))),
        "money_unit": money_unit, "splits": [t(lang, s) for s in splits], "split_rows": split_rows,
        "no_plan": "" if "plan" in splits else w["no_plan"],
        "prob_splits": [t(lang, s) for s in prob_splits], "prob_rows": prob_rows,
        "marginal": marginal, "marginal_text": w["marginal_text"].format(
            delta=0.01 * budget / 1e4, money_unit=money_unit) + (
            " " + w["marginal_zero"].format(runs=int(settings.get("runs", 0)))
            if marginal and all(m["gain"] == 0 for m in marginal) else ""),
        "marginal_heading": w["marginal"].format(money_unit=money_unit),
        "gain_heading": w["gain_per_10k"].format(money_unit=money_unit),
        "curve": curve_rows, "saturation": saturation,
        "levers": levers, "cost_rows": cost_rows, "cost_text": cost_text,
        "investments": investments,
        "constraints": w["constraints"].format(text="; ".join(constraints) if constraints else w["none"]),
        "targets_used": w["targets_used"].format(names="; ".join(labels.get(i, i) for i in used)),
        "figure": figure,
    }


def allocation_sheets(data: Mapping) -> dict[str, pd.DataFrame]:
    """Workbook sheets of the allocation tables."""
    names = {"allocation": "allocation", "probabilities": "allocation P(met)", "marginal": "allocation marginal",
             "budget_curve": "allocation budget curve", "cost_sensitivity": "allocation costs ±25 %"}
    sheets = {names[k]: v for k, v in data["tables"].items() if k in names}
    settings = data["settings"]
    sheets["allocation settings"] = pd.DataFrame(
        {"key": list(settings), "value": [json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                                          for v in settings.values()]}, dtype=object)
    return sheets
