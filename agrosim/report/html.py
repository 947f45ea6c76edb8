"""The self-contained HTML report: a jinja2 template filled with tables and base64-embedded charts."""
from __future__ import annotations

import base64
import math
from pathlib import Path
from typing import Mapping

import jinja2
import pandas as pd

from agrosim.config.scenario import Scenario
from agrosim.report.charts import light, verdict_word
from agrosim.report.font_subset import subset_font
from agrosim.report.lang import cjk_font_file, label, t, unit
from agrosim.report.sections import WORDS as SECTION_WORDS
from agrosim.registry import BY_NAME
from agrosim.targets import Thresholds, verdict_key

WORDS = {
    "en": {
        "summary": "Summary", "targets": "Targets",
        "inconsistencies": "Inconsistencies in the plan, recorded in the parameter files",
        "warnings": "Warnings", "cost_title": "Cost per unit of target gap closed",
        "cost_intro": "Money each target's sector spent from the base year to the target year (HSF and funded "
                      "projects), against the progress it made; the money to close the rest at the same rate is a "
                      "linear extrapolation. Medians over runs.",
        "cost_sector": "Sector", "cost_spent": "Spent (亿元)", "cost_closed": "Closed", "cost_remaining": "Still to close",
        "cost_per": "Cost per unit", "cost_to_close": "To close the rest (亿元)", "target": "Target", "year": "Year", "kind": "Kind",
        "target_value": "Target value", "projected": "Projected", "gap": "Gap", "gap_pct": "Gap %",
        "p_met": "P(met) [95 % interval]", "verdict": "Verdict", "first": "First year reached", "source": "Source",
        "indicators": "Indicators", "indicator": "Indicator", "unit": "Unit", "assumptions": "Assumptions",
        "parameter": "Parameter", "value": "Value", "assumption": "Assumption", "range": "Plausible range",
        "note": "Note", "set_in": "Set in", "uncertainty": "Monte Carlo distribution",
        "provenance": "Where the targets come from", "seed": "Seed file", "line": "Line", "quote": "Quote",
        "published": "Published source", "metadata": "Run", "deterministic": "one deterministic run",
        "mc": "Monte Carlo, {runs:,} runs",
        "headline_run": "Central run (one deterministic run, no probability): {met} of {n} targets met, {missed} missed.",
        "headline_mc": "Of {n} targets, {likely} likely (P ≥ {likely_at:g}), {uncertain} uncertain, {unlikely} unlikely "
                       "(P ≤ {unlikely_at:g}) ({runs:,} runs).",
        "drivers": "Assumptions that move the verdicts most",
        "drivers_none": "No uncertain inputs: every figure is held at its value.",
        "joint": "All targets met together: P = {p:.3f} [{lo:.3f}–{hi:.3f}].",
        "missed_list": "Missed", "no_targets": "No targets in this sector.", "median_note": "median of runs",
        "range_note": "5th–95th percentile", "assumption_flag": "yes: not given by the plan",
        "decomp_text": "Output moves from {q0:,.1f} ({y0}) to {q1:,.1f} {unit} ({y1}): area change {area:+,.1f}, "
                       "yield change {yld:+,.1f} (sequential: Δoutput = Δarea × base yield + area × Δyield, "
                       "medians). Against the target of {target:,.6g} that leaves {gap:+,.1f}.",
        "generated": "Report generated", "created": "Model run", "version": "agrosim version", "seed_key": "Seed",
        "runs": "Runs", "scenario_file": "Scenario file", "lang": "Language",
    },
    "zh": {
        "summary": "摘要", "targets": "目标", "target": "目标",
        "inconsistencies": "规划文本中的不一致之处(已记录于参数文件)",
        "warnings": "提示", "cost_title": "缩小目标差距的单位成本",
        "cost_intro": "各目标所属产业从基期到目标年的投入（高标准农田及已拨款项目）与所取得的进展之比；按同一单位成本推算"
                      "补齐剩余差距所需资金（线性外推）。各次模拟的中位数。",
        "cost_sector": "产业", "cost_spent": "已投入(亿元)", "cost_closed": "已缩小", "cost_remaining": "尚需缩小",
        "cost_per": "单位成本", "cost_to_close": "补齐剩余所需(亿元)", "year": "年份", "kind": "类型",
        "target_value": "目标值", "projected": "预测值", "gap": "差距", "gap_pct": "差距 %",
        "p_met": "实现概率 [95 % 区间]", "verdict": "结论", "first": "首次达到年份", "source": "出处",
        "indicators": "指标", "indicator": "指标", "unit": "单位", "assumptions": "假设与参数",
        "parameter": "参数", "value": "取值", "assumption": "假设", "range": "合理范围",
        "note": "说明", "set_in": "来源层级", "uncertainty": "蒙特卡洛分布",
        "provenance": "目标出处", "seed": "文件", "line": "行", "quote": "原文",
        "published": "公开资料", "metadata": "运行信息", "deterministic": "单次确定性模拟",
        "mc": "蒙特卡洛模拟 {runs:,} 次",
        "headline_run": "中心情景（单次确定性模拟，不给概率）：{n} 项目标中 {met} 项实现，{missed} 项未实现。",
        "headline_mc": "{n} 项目标中：很可能实现 {likely} 项（P ≥ {likely_at:g}），不确定 {uncertain} 项，不太可能实现 "
                       "{unlikely} 项（P ≤ {unlikely_at:g}）（{runs:,} 次模拟）。",
        "drivers": "对结论影响最大的假设",
        "drivers_none": "没有不确定输入：所有数值均取定值。",
        "joint": "全部目标同时实现的概率：P = {p:.3f} [{lo:.3f}–{hi:.3f}]。",
        "missed_list": "未实现", "no_targets": "本部门没有目标。", "median_note": "模拟中位数",
        "range_note": "第5–95百分位", "assumption_flag": "是：规划未给出",
        "decomp_text": "产量从 {q0:,.1f}（{y0}年）变为 {q1:,.1f} {unit}（{y1}年）：面积变化贡献 {area:+,.1f}，"
                       "单产变化贡献 {yld:+,.1f}（顺序分解：Δ产量 = Δ面积 × 基期单产 + 面积 × Δ单产，取中位数）。"
                       "与目标 {target:,.6g} 相比差距为 {gap:+,.1f}。",
        "generated": "报告生成时间", "created": "模拟时间", "version": "agrosim 版本", "seed_key": "随机种子",
        "runs": "模拟次数", "scenario_file": "情景文件", "lang": "语言",
    },
}

for _lang, _words in SECTION_WORDS.items():
    WORDS[_lang].update(_words)

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("agrosim.report", "templates"),
                          autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined)


def _num(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}"


_ENV.filters["num"] = _num


def data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def summary(targets: pd.DataFrame, lang: str, thresholds: Mapping | None = None) -> dict:
    """The answer first: how many targets fall in each verdict class, which ones (with P or the gap),
    and the joint probability. A central run says met / missed; a Monte Carlo likely / uncertain /
    unlikely, with the thresholds the verdicts used (`thresholds` as kept in metadata.json)."""
    w = WORDS[lang]
    rows = targets[targets["target"] != "ALL"]
    runs = int(rows["runs"].max()) if len(rows) else 1
    keys = [verdict_key(v) for v in rows["verdict"]]
    classes = ("likely", "uncertain", "unlikely") if runs > 1 else ("met", "missed")
    count = {c: keys.count(c) for c in classes}
    if runs > 1:
        at = Thresholds(**(thresholds or {}))
        headline = w["headline_mc"].format(n=len(rows), runs=runs, likely_at=at.likely, unlikely_at=at.unlikely,
                                           **count)
    else:
        headline = w["headline_run"].format(n=len(rows), **count)
    lines = []
    for c in classes:
        names = [f"{label(lang, r.label_en, r.label_zh)} "
                 + (f"(P {r.p_met:.2f})" if runs > 1 else f"({r.gap_pct:+.1f} %)")
                 for r, k in zip(rows.itertuples(), keys) if k == c]
        if names:
            lines.append({"cls": c, "word": verdict_word(c, lang), "text": "; ".join(names)})
    joint = targets[targets["target"] == "ALL"]
    joint_line = ""
    if runs > 1 and len(joint):
        j = joint.iloc[0]
        joint_line = w["joint"].format(p=float(j.p_met), lo=float(j.p_low), hi=float(j.p_high))
    return {"headline": headline, "classes": lines, "joint": joint_line, "lines": []}


def _amount(value: float) -> str:
    """A number for a sentence: thousands separated, no exponent, four significant figures below 1000."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def driver_lines(drivers: list, scenario: Scenario, lang: str) -> list[str]:
    """The assumptions that move the verdicts most (`ReportFindings.drivers`, computed by
    agrosim.analysis.drivers), in words."""
    from agrosim.report.tables import convert, lever_label
    from agrosim.registry import param_spec
    from agrosim.units import display_unit

    out = []
    for d in drivers:
        spec = param_spec(d.param)
        shown = display_unit(spec.unit)
        low, high = (_amount(float(convert(v, spec.unit, shown))) for v in (d.low, d.high))
        tg = next(t for t in scenario.targets if t.id == d.target)
        name, what = lever_label(d.param, spec, lang), label(lang, tg.en, tg.zh)
        if lang == "zh":
            mark = "（规划未给出的假设）" if d.placeholder else ""
            out.append(f"{name}{mark} {low}–{high} {unit(lang, shown)}：使「{what}」变动目标值的 "
                       f"{100 * d.swing_share:.1f} %")
        else:
            mark = " (placeholder: not given by the plan)" if d.placeholder else ""
            out.append(f"{name}{mark}, {low}–{high} {unit(lang, shown)}: moves {what} by "
                       f"{100 * d.swing_share:.1f} % of its target")
    return out


def target_rows(targets: pd.DataFrame, lang: str) -> list[dict]:
    """Targets table rows for the template, with their traffic-light colour."""
    out = []
    for r in targets[targets["target"] != "ALL"].itertuples():
        out.append({"id": r.target, "label": label(lang, r.label_en, r.label_zh), "year": r.year,
                    "kind": t(lang, r.kind), "target_value": r.target_value, "unit": unit(lang, r.unit),
                    "projected": r.projected, "gap": r.gap, "gap_pct": r.gap_pct, "runs": int(r.runs),
                    "p": f"{r.p_met:.3f} [{r.p_low:.3f}–{r.p_high:.3f}]" if r.runs > 1 else "",
                    "verdict": verdict_word(r.verdict, lang),
                    "colour": light(r.verdict),
                    "first": "" if pd.isna(r.first_year_reached) else int(r.first_year_reached),
                    "source": r.source if isinstance(r.source, str) else ""})
    return out


def indicator_rows(scenario: Scenario, sector: str, quant: pd.DataFrame, lang: str) -> list[dict]:
    """Each indicator of a sector: base-year value and end-year median with its 5–95 % range."""
    rows = []
    for spec in BY_NAME[sector].indicators:
        table = quant[quant["indicator"] == spec.name].set_index("year")
        if table.empty:
            continue
        first, last = table.loc[scenario.base_year], table.loc[scenario.end_year]
        spread = f"{_num(last.p5)} – {_num(last.p95)}" if last.p95 > last.p5 else ""
        rows.append({"label": label(lang, spec.en, spec.zh), "unit": unit(lang, str(last.unit)),
                     "base": first.p50, "end": last.p50, "spread": spread})
    return rows


def render(context: dict) -> str:
    """report.html text from the template, with the CJK glyphs it uses embedded as a font subset."""
    template = _ENV.get_template("report.html.j2")
    text = template.render(font_css="", **context)
    return template.render(font_css=cjk_font_face(text), **context)


def cjk_font_face(text: str) -> str:
    """An @font-face with just the CJK glyphs of `text` (base64 OpenType), so Chinese shows without a
    system font; empty when the text has none or no CJK font is available. The subset is cached on disk
    (`font_subset`)."""
    chars = "".join(sorted({c for c in text if ord(c) >= 0x2E80}))
    path = cjk_font_file() if chars else None
    if path is None:
        return ""
    data = base64.b64encode(subset_font(path, chars)).decode("ascii")
    return f'@font-face {{ font-family: "agrosim CJK"; font-weight: 100 900; src: url(data:font/otf;base64,{data}) format("opentype"); }}'



def build_context(scenario: Scenario, targets: pd.DataFrame, quant: pd.DataFrame, charts: dict,
                  assumptions: pd.DataFrame, provenance: pd.DataFrame, metadata: dict, decompositions: dict,
                  lang: str) -> dict:
    """Everything the template shows. `charts`: 'scorecard' and target id → list of (PNG path, caption)."""
    w = WORDS[lang]
    runs = int(metadata["runs"])
    by_sector: dict[str, list] = {s: [] for s in scenario.sectors}
    ind_sector = {i.name: s for s in scenario.sectors for i in BY_NAME[s].indicators}
    rows = target_rows(targets, lang)
    for row, tg in zip(rows, scenario.targets):
        by_sector[ind_sector[tg.indicator]].append((row, tg))
    sections = []
    for name, items in by_sector.items():
        sector = BY_NAME[name]
        figures = []
        for _, tg in items:
            figures += [{"uri": data_uri(p), "caption": c} for p, c in charts.get(tg.id, [])]
        sections.append({"name": name, "title": label(lang, sector.title_en, sector.title_zh),
                         "alt": sector.title_en if lang == "zh" else sector.title_zh,
                         "targets": [r for r, _ in items], "figures": figures,
                         "notes": [_decomp_text(decompositions[tg.id], lang) for _, tg in items if tg.id in decompositions],
                         "indicators": indicator_rows(scenario, name, quant, lang)})
    region = scenario.region
    return {
        "lang": lang, "w": w, "name": scenario.name,
        "title": f"{scenario.region.zh}：{scenario.title or scenario.name}" if lang == "zh" and scenario.region.zh
        else scenario.title or scenario.name,
        "region": f"{region.zh} {region.en}" if lang == "zh" else f"{region.en} ({region.zh})",
        "years": f"{scenario.base_year}–{scenario.end_year}",
        "kind": w["mc"].format(runs=runs) if runs > 1 else w["deterministic"],
        "summary": summary(targets, lang, metadata.get("verdict_thresholds")), "scorecard": data_uri(charts["scorecard"][0][0]), "mc": runs > 1,
        "targets": rows, "sections": sections, "tracking": None, "allocation": None,
        "assumptions": assumptions.to_dict("records"),
        "inconsistencies": [
            {"id": key, "text": (item.zh or item.en) if lang == "zh" else item.en, "targets": ", ".join(item.targets),
             "evidence": "; ".join(f"{e.source.seed or e.source.published or ''} L{e.source.line} 「{e.source.quote}」"
                                   if e.source.line else (e.source.published or "") for e in item.evidence)}
            for key, item in scenario.inconsistencies.items()],
        "provenance": provenance.astype(object).where(provenance.notna(), None).to_dict("records"),
        "metadata": [(w[k], metadata[m]) for k, m in (("version", "agrosim_version"), ("seed_key", "seed"),
                                                       ("runs", "runs"), ("created", "created"),
                                                       ("generated", "generated"), ("scenario_file", "scenario_file"),
                                                       ("lang", "lang"))],
    }


def _decomp_text(table: pd.DataFrame, lang: str) -> str:
    v = table.set_index("item")["value"]
    return WORDS[lang]["decomp_text"].format(
        q0=v["base"], q1=v["projected"], y0=int(table["year"].iloc[0]), y1=int(table["year"].iloc[-1]),
        unit=unit(lang, table["unit"].iloc[0]), area=v["area_effect"], yld=v["yield_effect"], target=v["target"],
        gap=v["gap"])
