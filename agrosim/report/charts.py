"""Charts: functions take tidy tables (and a target) and return a matplotlib Figure.

Draw and save them inside `lang.chart_context(lang)` so Chinese labels get a CJK font.
"""
from __future__ import annotations

import re
from typing import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from agrosim.config.scenario import Target  # noqa: E402
from agrosim.targets import VERDICT_WORDS, is_favourable, verdict_key  # noqa: E402
from agrosim.report.lang import TEXT, label, t, unit  # noqa: E402
from agrosim.report.tables import short_source  # noqa: E402
from agrosim.units import convert, from_internal  # noqa: E402

GREEN, AMBER, RED, GREY = "#2e7d32", "#f9a825", "#c62828", "#9e9e9e"
BLUE = "#1f5fa8"
TARGET_COLOUR = "#b71c1c"


def light(verdict: str) -> str:
    """Traffic-light colour of a verdict class: met or likely green, uncertain amber, missed or unlikely
    red (the class, not P, so the colours follow the thresholds the run used)."""
    return GREEN if is_favourable(verdict) else AMBER if verdict_key(verdict) == "uncertain" else RED


def verdict_word(verdict: str, lang: str) -> str:
    """'likely', '很可能实现' … for a verdict key, with the aspirational mark in the chosen language."""
    key, _, rest = str(verdict).partition(" ")
    word = VERDICT_WORDS["zh" if lang == "zh" else "en"].get(key, key)
    return word + ((" (力争)" if lang == "zh" else " (aspirational)") if rest else "")


def _target_text(target: Target, lang: str) -> str:
    shown = unit(lang, target.unit_written)
    if lang == "zh":
        return f"{t(lang, 'target')}：{t(lang, target.kind)} {target.value_written:,.6g} {shown}（{target.year}年）"
    return f"target {t(lang, target.kind)} {target.value_written:,.6g} {shown} in {target.year}"


def _verdict_text(verdict: Mapping, lang: str) -> str:
    text = verdict_word(verdict["verdict"], lang)
    if int(verdict["runs"]) > 1:
        text += f", {t(lang, 'p_met')} = {float(verdict['p_met']):.2f}"
    return text


def trajectory(series: pd.DataFrame, target: Target, verdict: Mapping, lang: str = "en"):
    """Fan chart: median path with 50 % and 90 % bands (several runs), the target as a line (a band for
    `about`, a held floor over its window for `stable_at`), the base-year value and met/missed marked.

    `series`: year, p5…p95 in the target's unit; `verdict`: the target's row of the targets table.
    """
    years = series["year"].to_numpy()
    median = series["p50"].to_numpy(float)
    fig, ax = plt.subplots(figsize=(9.5, 4.2), dpi=100)
    if int(verdict["runs"]) > 1:
        ax.fill_between(years, series["p5"], series["p95"], color=BLUE, alpha=0.15, linewidth=0, label=t(lang, "band90"))
        ax.fill_between(years, series["p25"], series["p75"], color=BLUE, alpha=0.3, linewidth=0, label=t(lang, "band50"))
    path_label = t(lang, "projected") + (f" ({t(lang, 'median')})" if int(verdict["runs"]) > 1 else "")
    ax.plot(years, median, color=BLUE, marker="o", markersize=4, label=path_label)
    goal = target.value_written
    style = {"color": TARGET_COLOUR, "linestyle": "--", "linewidth": 1.5}
    if target.kind == "about":
        ax.axhspan(goal * (1 - target.tolerance), goal * (1 + target.tolerance), color=TARGET_COLOUR, alpha=0.1,
                   label=f"± {target.tolerance:.0%}")
        ax.axhline(goal, label=_target_text(target, lang), **style)
    elif target.kind == "stable_at":
        start = target.from_year or int(years[min(1, len(years) - 1)])
        ax.hlines(goal, start, target.year, label=_target_text(target, lang), **style)
        if target.upper is not None:
            ax.hlines(float(from_internal(target.upper, target.unit_written)), start, target.year, **style)
        ax.axvspan(start, target.year, color=TARGET_COLOUR, alpha=0.04)
    else:
        ax.axhline(goal, label=_target_text(target, lang), **style)
    ax.axvline(target.year, color=GREY, linewidth=0.8)
    ax.scatter([years[0]], [median[0]], s=60, facecolor="white", edgecolor="black", zorder=4,
               label=f"{t(lang, 'base')} {years[0]}: {median[0]:,.6g}")
    # the judged value (the targets table's `projected`): the target year, or stable_at's worst year
    judged_year = int(verdict["judged_year"]) if pd.notna(verdict.get("judged_year")) else target.year
    colour = light(verdict["verdict"])
    ax.scatter([judged_year], [float(verdict["projected"])], s=110,
               marker="o" if is_favourable(verdict["verdict"]) else "X", color=colour, edgecolor="black", zorder=5,
               label=f"{_verdict_text(verdict, lang)} ({judged_year}: {float(verdict['projected']):,.6g})")
    title = label(lang, target.en, target.zh)
    ax.set_title(f"{title}：{target.year}年{_verdict_text(verdict, lang)}" if lang == "zh"
                 else f"{title}, {target.year}: {_verdict_text(verdict, lang)}")
    ax.set_xlabel(t(lang, "year"))
    ax.set_ylabel(unit(lang, target.unit_written))
    ax.set_xticks(years)
    _min_span(ax, 0.04)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def _min_span(ax, share: float) -> None:
    """Widen a nearly flat y range to at least `share` of its level, without an offset label."""
    low, high = ax.get_ylim()
    span = share * max(abs(low), abs(high))
    if high - low < span:
        mid = (low + high) / 2
        ax.set_ylim(mid - span / 2, mid + span / 2)
    ax.ticklabel_format(axis="y", useOffset=False, style="plain")


def scorecard(targets: pd.DataFrame, lang: str = "en"):
    """One row per target: gap to target in % (bar, traffic-light colour), P(met) with its interval
    (Monte Carlo only), projected vs target and the source line."""
    from agrosim.analysis.findings import from_table

    rows = targets[targets["target"] != "ALL"].reset_index(drop=True)
    mc = bool((rows["runs"] > 1).any())
    n = len(rows)
    notes = from_table(targets)  # trade-offs: one warning row each under the table
    widths = [1.3, 1.0, 1.7] if mc else [1.3, 1.7]
    fig, axes = plt.subplots(1, len(widths), figsize=(12, 1.3 + 0.55 * n + 0.3 * len(notes)), dpi=100, sharey=True,
                             gridspec_kw={"width_ratios": widths})
    gap_ax, text_ax = axes[0], axes[-1]
    y = np.arange(n)[::-1]
    colours = [light(r.verdict) for r in rows.itertuples()]
    gaps = rows["gap_pct"].astype(float).to_numpy()
    gap_ax.barh(y, gaps, color=colours, edgecolor="black", linewidth=0.5, height=0.6)
    gap_ax.axvline(0, color="black", linewidth=0.8)
    reach = max(np.nanmax(np.abs(gaps)) if n else 1.0, 1.0) * 1.15
    gap_ax.set_xlim(-reach, reach)
    gap_ax.set_yticks(y, [_wrap(label(lang, r.label_en, r.label_zh), 22 if lang == "zh" else 44)
                          for r in rows.itertuples()])
    gap_ax.set_xlabel(t(lang, "gap_pct"))
    for yi, g in zip(y, gaps):
        gap_ax.annotate(f"{g:+.1f} %", (max(g, 0.0), yi), xytext=(3, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=8)
    if mc:
        p_ax = axes[1]
        p = rows["p_met"].to_numpy(float)
        err = np.vstack([p - rows["p_low"].to_numpy(float), rows["p_high"].to_numpy(float) - p])
        p_ax.errorbar(p, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
        p_ax.scatter(p, y, s=70, color=colours, edgecolor="black", zorder=3)
        p_ax.axvspan(0.8, 1.0, color=GREEN, alpha=0.08)
        p_ax.axvspan(0.2, 0.8, color=AMBER, alpha=0.08)
        p_ax.axvspan(0.0, 0.2, color=RED, alpha=0.06)
        p_ax.set_xlim(-0.02, 1.02)
        p_ax.set_xlabel(f"{t(lang, 'p_met')}, {t(lang, 'interval')}")
    text_ax.set_axis_off()
    text_ax.set_xlim(0, 1)
    for yi, r in zip(y, rows.itertuples()):
        shown = unit(lang, r.unit)
        status = verdict_word(r.verdict, lang)
        if mc:
            status += f" {r.p_met:.2f} [{r.p_low:.2f}–{r.p_high:.2f}]"
        # value against target on the row's line; source and status on the line below, so that no text meets
        text_ax.text(0.0, yi + 0.08, f"{r.projected:,.1f} vs {t(lang, r.kind)} {r.target_value:,.6g} {shown} "
                     f"({r.year})", va="center", fontsize=8.5)
        ref = short_source(r.source if isinstance(r.source, str) else "", TEXT[lang]["line"])
        text_ax.text(0.0, yi - 0.27, ref, va="center", fontsize=7, color="dimgrey")
        text_ax.text(0.3, yi - 0.27, status, va="center", fontsize=8, color=light(r.verdict))
    gap_ax.set_ylim(-0.7, n - 0.3)
    title = t(lang, "scorecard")
    joint = targets[targets["target"] == "ALL"]
    if len(joint):
        title += f" — P({'全部实现' if lang == 'zh' else 'all met'}) = {float(joint['p_met'].iloc[0]):.2f}"
    fig.suptitle(title)
    fig.tight_layout()
    if notes:
        height = fig.get_figheight()
        fig.subplots_adjust(bottom=(0.3 * len(notes) + 0.5) / height)
        word = "提示" if lang == "zh" else "warning"
        for k, note in enumerate(notes):
            if lang != "zh":  # the English charts have no CJK glyphs: 万亩 → 10⁴ mu
                note = re.sub(r"万(亩|吨|元)", lambda m: unit(lang, m.group(0)), note)
            fig.text(0.01, (0.3 * (len(notes) - k) - 0.1) / height, f"{word}: {note}", fontsize=8, color=RED,
                     va="center", wrap=True)
    return fig


def _wrap(text: str, width: int) -> str:
    """Break a long label over lines of at most `width` characters (CJK text has no spaces: cut anywhere)."""
    import textwrap

    if len(text) <= width:
        return text
    if " " not in text:
        return "\n".join(text[k:k + width] for k in range(0, len(text), width))
    return textwrap.fill(text, width)


def comparison(tables: Mapping[str, pd.DataFrame], indicator: str, title: str, lang: str = "en",
               target: Target | None = None, own_targets: Mapping[str, Target] | None = None):
    """Median path of one indicator in each scenario (50 % band when runs vary), with the target.

    `tables`: scenario name → quantile table (indicator, year, unit, p5…p95), e.g. bands.csv or
    `results.quantile_table(results.csv)`. With `own_targets` (scenario name → its target), used when the
    scenarios are of different regions or targets, each path is drawn as a share of its own target and
    the line at 100 % stands for every scenario's target: a province, a city and a county never share one
    value axis and one region's target line.
    """
    fig, ax = plt.subplots(figsize=(9.5, 4.2), dpi=100)
    shares = own_targets is not None
    shown_unit = target.unit_written if target else next(iter(tables.values())).query("indicator == @indicator")["unit"].iloc[0]
    colours = plt.get_cmap("tab10")
    for k, (name, table) in enumerate(tables.items()):
        rows = table[table["indicator"] == indicator].sort_values("year")
        if rows.empty:
            continue
        if shares:
            own = own_targets[name]
            factor = convert(1.0, rows["unit"].iloc[0], own.unit_written) * 100 / own.value_written
        else:
            factor = convert(1.0, rows["unit"].iloc[0], shown_unit)
        ax.plot(rows["year"], rows["p50"] * factor, marker="o", markersize=4, color=colours(k % 10), label=name)
        if (rows["p75"] > rows["p25"]).any():
            ax.fill_between(rows["year"], rows["p25"] * factor, rows["p75"] * factor, color=colours(k % 10), alpha=0.2,
                            linewidth=0)
    if shares:
        ax.axhline(100, color=TARGET_COLOUR, linestyle="--", label=t(lang, "own_target"))
        ax.set_ylabel(t(lang, "share_of_target"))
    else:
        if target is not None:
            ax.axhline(target.value_written, color=TARGET_COLOUR, linestyle="--", label=_target_text(target, lang))
        ax.set_ylabel(unit(lang, shown_unit))
    ax.set_title(t(lang, "comparison", label=title))
    ax.set_xlabel(t(lang, "year"))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def decomposition(table: pd.DataFrame, title: str, lang: str = "en"):
    """Waterfall: base-year output, + area effect, + yield effect = projected output, against the
    target line, with the gap (surplus or shortfall) marked. `table` from `analysis.decomposition.grain_decomposition`."""
    v = table.set_index("item")["value"]
    y0, y1 = int(table["year"].iloc[0]), int(table["year"].iloc[-1])
    shown = unit(lang, table["unit"].iloc[0])
    names = [t(lang, "base_output", y0=y0), t(lang, "area_effect"), t(lang, "yield_effect"), t(lang, "proj_output", y1=y1)]
    bottoms = [0.0, v["base"] + min(v["area_effect"], 0), v["base"] + v["area_effect"] + min(v["yield_effect"], 0), 0.0]
    heights = [v["base"], abs(v["area_effect"]), abs(v["yield_effect"]), v["projected"]]
    colours = [GREY, GREEN if v["area_effect"] >= 0 else RED, GREEN if v["yield_effect"] >= 0 else RED, BLUE]
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=100)
    x = np.arange(4)
    ax.bar(x, heights, bottom=bottoms, color=colours, edgecolor="black", linewidth=0.6, width=0.6)
    ax.plot([0.3, 0.7], [v["base"]] * 2, color="black", linewidth=0.8)
    ax.plot([1.3, 1.7], [v["base"] + v["area_effect"]] * 2, color="black", linewidth=0.8)
    ax.plot([2.3, 2.7], [v["projected"]] * 2, color="black", linewidth=0.8)
    for xi, delta, top in ((0, v["base"], v["base"]), (1, v["area_effect"], bottoms[1] + heights[1]),
                           (2, v["yield_effect"], bottoms[2] + heights[2]), (3, v["projected"], v["projected"])):
        ax.annotate(f"{delta:+,.1f}" if xi in (1, 2) else f"{delta:,.1f}", (xi, top), xytext=(0, 3),
                    textcoords="offset points", ha="center", fontsize=8)
    ax.axhline(v["target"], color=TARGET_COLOUR, linestyle="--", linewidth=1.5,
               label=f"{t(lang, 'target')} {v['target']:,.6g} {shown}")
    gap = v["gap"]
    ax.annotate("", xy=(3.45, v["target"]), xytext=(3.45, v["projected"]),
                arrowprops={"arrowstyle": "<->", "color": GREEN if gap >= 0 else RED})
    ax.text(3.5, (v["target"] + v["projected"]) / 2,
            f"{t(lang, 'surplus' if gap >= 0 else 'shortfall')} {gap:+,.1f}", va="center", fontsize=8,
            color=GREEN if gap >= 0 else RED)
    values = [v["base"], v["projected"], v["target"], v["base"] + v["area_effect"]]
    low, high = min(values), max(values)
    pad = max(high - low, 0.02 * high) * 0.6
    ax.set_ylim(max(low - pad, 0), high + pad)
    ax.set_xlim(-0.6, 4.2)
    ax.set_xticks(x, names)
    ax.set_ylabel(shown)
    ax.set_title(t(lang, "decomp", label=title, y0=y0, y1=y1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)  # beside the bars
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def tornado(table, title: str, outcome_label: str, lang: str = "en", labels: Mapping[str, str] | None = None):
    """Horizontal bars from the outcome at each input's 5th percentile to its 95th, widest on top; inputs
    named by `labels` (parameter path → name [unit] in the language), outcome in plan units."""
    rows = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.5 * len(rows)), dpi=100)
    y = np.arange(len(rows))
    lo = np.minimum(rows["at_low"], rows["at_high"])
    ax.barh(y, np.abs(rows["at_high"] - rows["at_low"]), left=lo, color="tab:blue", alpha=0.7)
    ax.axvline(float(table["base"].iloc[0]), color="black", linewidth=1, label=t(lang, "all_median"))
    ax.set_yticks(y, [_wrap((labels or {}).get(p, p), 20 if lang == "zh" else 40) for p in rows["param"]])
    ax.set_xlabel(outcome_label)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.18), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def feasibility_map(table, x: str, y: str, column: str, title: str, x_label: str, y_label: str, lang: str = "en"):
    """P(met) (or met/not) over a grid of two levers (`x`, `y`: columns already in plan units), with the
    50 % and 80 % contours. Colours are interpolated between grid points, so a met/not step of a
    deterministic run shows where the boundary lies rather than a block edge."""
    pivot = table.pivot_table(index=y, columns=x, values=column)
    fig, ax = plt.subplots(figsize=(6.5, 5), dpi=100)
    smooth = pivot.shape[0] > 1 and pivot.shape[1] > 1
    mesh = ax.pcolormesh(pivot.columns, pivot.index, pivot.values, vmin=0, vmax=1, cmap="RdYlGn",
                         shading="gouraud" if smooth else "nearest")
    if smooth and np.ptp(pivot.values) > 0:
        lines = ax.contour(pivot.columns, pivot.index, pivot.values, levels=[0.5, 0.8], colors="black",
                           linewidths=[1, 1.5])
        ax.clabel(lines, fmt={0.5: "50 %", 0.8: "80 %"}, fontsize=8)
    fig.colorbar(mesh, ax=ax, label=t(lang, "p_met"))
    ax.set_xlabel(_wrap(x_label, 60))
    ax.set_ylabel(_wrap(y_label, 45))
    ax.set_title(title)
    fig.tight_layout()
    return fig
