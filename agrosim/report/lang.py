"""Report language: English or Chinese wording, units as shown, and a CJK font for the charts (Chinese text
appears in both languages: the plans' own words). The font comes from the system or from `mplfonts`, a core
dependency for that reason."""
from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib import font_manager

from agrosim.errors import InputError, Problem
from agrosim.units import unit_en

LANGS = ("en", "zh")

#: CJK families looked for on the system, best first.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Noto Sans CJK JP",
                "Noto Sans CJK TC", "Droid Sans Fallback")

TEXT = {
    "en": {
        "year": "year", "median": "median", "band50": "50 % of runs", "band90": "90 % of runs",
        "projected": "projected", "base": "base year", "target": "target", "met": "met", "missed": "missed",
        "aspirational": "aspirational",
        "at_least": "≥", "at_most": "≤", "about": "≈", "stable_at": "stable at ≥",
        "interval": "95 % interval", "p_met": "P(met)", "gap_pct": "gap to target, % of target", "scorecard": "Target scorecard",
        "comparison": "{label}: scenarios compared", "decomp": "{label} {y0}→{y1}: area and yield effects",
        "base_output": "{y0} output", "area_effect": "area effect", "yield_effect": "yield effect",
        "proj_output": "{y1} projected", "gap": "gap", "surplus": "surplus", "shortfall": "shortfall",
        "line": "L{line}",
        "on track": "on track", "behind": "behind", "ahead": "ahead", "observed": "observed",
        "plan_path": "plan's implied path", "plan_level": "plan's level to hold", "model_median": "model (median)",
        "tracking_title": "{label}: observed against the plan's path",
        "recommended": "recommended", "even split": "even split", "plan": "plan's split",
        "budget_share": "share of the budget [%]", "allocation_left": "split of the budget",
        "allocation_right": "P(met) per target",
        "all_median": "all inputs at their median", "own_target": "each scenario's own target (100 %)",
        "share_of_target": "% of the scenario's own target", "drives": "{name}: what drives {outcome}",
        "met_of": "{label} met ({year})", "pmet_in": "{label}: P(met) in {year}",
    },
    "zh": {
        "year": "年份", "median": "中位数", "band50": "50 % 模拟区间", "band90": "90 % 模拟区间",
        "projected": "预测", "base": "基期", "target": "目标", "met": "实现", "missed": "未实现",
        "aspirational": "力争",
        "at_least": "不低于", "at_most": "不高于", "about": "左右", "stable_at": "稳定在",
        "interval": "95 % 区间", "p_met": "实现概率", "gap_pct": "与目标差距（占目标 %）", "scorecard": "目标记分卡",
        "comparison": "{label}：情景比较", "decomp": "{label} {y0}→{y1}：面积与单产贡献",
        "base_output": "{y0}年产量", "area_effect": "面积效应", "yield_effect": "单产效应",
        "proj_output": "{y1}年预测", "gap": "差距", "surplus": "盈余", "shortfall": "缺口",
        "line": "第{line}行",
        "on track": "符合进度", "behind": "落后于进度", "ahead": "超前于进度", "observed": "实际值",
        "plan_path": "规划隐含路径", "plan_level": "规划要求保持的水平", "model_median": "模型（中位数）",
        "tracking_title": "{label}：实际值与规划路径对比",
        "recommended": "推荐方案", "even split": "平均分配", "plan": "规划方案",
        "budget_share": "预算占比 [%]", "allocation_left": "预算分配",
        "allocation_right": "各目标实现概率",
        "all_median": "全部输入取中位数", "own_target": "各情景自身目标（100 %）",
        "share_of_target": "占本情景目标的 %", "drives": "{name}：影响{outcome}的因素",
        "met_of": "{label}（{year}年）是否实现", "pmet_in": "{label}：{year}年实现概率",
    },
}


def check_lang(lang: str) -> None:
    """Refuse an unknown language, and Chinese when no CJK font can be found."""
    if lang not in LANGS:
        raise InputError([Problem("command line", "--lang", repr(lang), "one of: " + ", ".join(LANGS))])
    if lang == "zh" and cjk_font() is None:
        raise InputError([Problem("command line", "--lang zh", "no Chinese (CJK) font for the charts",
                                  "a CJK font such as Noto Sans CJK SC or WenQuanYi Zen Hei installed on the system, "
                                  "or the bundled one: pip install -e '.[zh]'")])


def t(lang: str, key: str, **fields) -> str:
    """The wording of `key` in `lang`, with {fields} filled in."""
    return TEXT[lang][key].format(**fields)


def unit(lang: str, text: str) -> str:
    """A unit as the plans write it (zh) or in English (en): 万吨 → '10⁴ t'."""
    return text if lang == "zh" else unit_en(text)


def label(lang: str, en: str, zh: str) -> str:
    """The label in `lang`, falling back to the other one when missing."""
    return (zh or en) if lang == "zh" else (en or zh)


def _bundled_font() -> Path | None:
    """NotoSansCJKsc-Regular.otf from the optional `mplfonts` package, if installed."""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.is_file() else None


def cjk_font() -> str | None:
    """Family name of a CJK font matplotlib can use (system first, then mplfonts), or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    path = _bundled_font()
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def cjk_font_file() -> Path | None:
    """The file of the CJK font `cjk_font` picks, or None."""
    family = cjk_font()
    if family is None:
        return None
    return Path(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))


def font_rc(lang: str) -> dict:
    """rcParams for the charts. Chinese: a CJK font first, DejaVu Sans as the fallback for symbols. English:
    DejaVu Sans first and the CJK font as the per-glyph fallback, because plan words (units such as 万吨,
    names the plan gives only in Chinese) appear in English charts too; without it they would be boxes."""
    check_lang(lang)
    cjk = cjk_font()
    families = [cjk, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans"] + ([cjk] if cjk else [])
    # the families listed in font.family itself (not behind "sans-serif"): matplotlib falls back glyph by glyph
    return {"font.family": families, "font.sans-serif": families, "axes.unicode_minus": True,
            "svg.hashsalt": "agrosim", "path.simplify": True}


def chart_context(lang: str):
    """Context in which charts are both drawn and saved with the language's fonts."""
    return matplotlib.rc_context(font_rc(lang))
