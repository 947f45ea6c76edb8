"""Charts without defects in either language: no glyph missing from the fonts (plan words in Chinese appear
in English charts too), no two texts of the scorecard on top of each other, legends beside the data."""
from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

import agrosim
from agrosim.config.scenario import Target
from agrosim.report import charts
from agrosim.report.lang import chart_context
from agrosim.analysis.decomposition import grain_decomposition
from agrosim.results import quantile_table, series
from conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def missing_glyphs(draw) -> list[str]:
    """Warnings about glyphs missing from the fonts while `draw()` builds and renders its figures."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in draw():
            fig.canvas.draw()
            plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def overlapping_texts(fig) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts whose drawn boxes overlap by more than a pixel each way."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    return [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2)
            if min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 1 and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 1]


def _target(en: str, zh: str) -> Target:
    return Target("grain", "grain_output", "about", 2e9, 2025, "万吨", 200.0, en=en, zh=zh)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chinese_words_in_a_chart_have_glyphs_in_either_language(lang):
    fan = pd.DataFrame({"year": [2020, 2025], **{q: [190.0, 205.0] for q in ("p5", "p25", "p50", "p75", "p95")}})
    verdict = {"verdict": "met", "p_met": 1.0, "runs": 1, "projected": 205.0, "judged_year": 2025}

    def draw():
        with chart_context(lang):
            yield charts.trajectory(fan, _target("Grain output, about 200 万吨 every year", "粮食产量"), verdict, lang)
    assert missing_glyphs(draw) == []


def test_chinese_words_without_the_cjk_fallback_would_be_boxes(monkeypatch):
    """The check above can fail: with DejaVu Sans alone the same chart misses glyphs."""
    from agrosim.report import lang as lang_module

    monkeypatch.setattr(lang_module, "cjk_font", lambda: None)
    fan = pd.DataFrame({"year": [2020, 2025], **{q: [190.0, 205.0] for q in ("p5", "p25", "p50", "p75", "p95")}})

    def draw():
        with chart_context("en"):
            yield charts.trajectory(fan, _target("about 200 万吨", ""), {"verdict": "met", "p_met": 1.0, "runs": 1,
                                                                                 "projected": 205.0, "judged_year": 2025})
    assert missing_glyphs(draw)


def test_scorecard_texts_never_overlap_with_long_labels():
    rows = [("a", "Minor-grain sown area (model - other_grains, all minor grains)", "杂粮播种面积", "stable_at", 360.0),
            ("b", "Chickens in stock at the layer base (model - layer flock incl. pullets)", "蛋鸡存栏", "at_least",
             1000.0), ("c", "Fruit output", "水果产量", "at_least", 20.0)]
    table = pd.DataFrame([{"target": tid, "label_en": en, "label_zh": zh, "kind": kind, "year": 2025,
                           "target_value": value, "unit": "万亩", "projected": value * 1.01, "gap": value * 0.01,
                           "gap_pct": 1.0, "verdict": "met", "p_met": 1.0, "p_low": 1.0, "p_high": 1.0, "runs": 1,
                           "source": "002_42888793c1985d90.txt L455: 「x」"} for tid, en, zh, kind, value in rows])
    for lang in ("en", "zh"):
        with chart_context(lang):
            fig = charts.scorecard(table, lang)
            assert overlapping_texts(fig) == []
            plt.close(fig)


def _figures(run, lang):
    """The charts a report of `run` draws: scorecard, one trajectory per target, grain decompositions."""
    quant = quantile_table(run.frame())
    rows = run.verdicts.set_index("target")
    with chart_context(lang):
        card = charts.scorecard(run.verdicts, lang)
        assert overlapping_texts(card) == [], f"{run.scenario.name} {lang}: scorecard texts overlap"
        yield card
        for tg in run.scenario.targets:
            fig = charts.trajectory(series(quant, tg.indicator, tg.unit_written), tg, rows.loc[tg.id], lang)
            ax, legend = fig.axes[0], fig.axes[0].get_legend()
            fig.canvas.draw()
            assert not legend.get_window_extent().overlaps(ax.get_window_extent()), "legend over the data"
            yield fig
            if tg.indicator in ("grain_output", "grain_capacity") and \
                    {tg.indicator, "grain_sown_area"} <= set(quant["indicator"]):
                yield charts.decomposition(grain_decomposition(quant, tg, rows.loc[tg.id]), tg.en, lang)


@pytest.mark.long
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_bundled_scenario_charts_have_all_glyphs_in_both_languages(path: Path):
    run = agrosim.run(path)
    for lang in ("en", "zh"):
        assert missing_glyphs(lambda: _figures(run, lang)) == [], f"{path.stem} ({lang})"


def test_yangcheng_draws_its_chinese_words_in_english():
    """Yangcheng's 蛋鸡存栏 drew boxes in English charts (Xinzhou's 'about 200 万吨' too: the long test)."""
    run = agrosim.run(ROOT / "scenarios" / "yangcheng_feed_2023.yaml")
    assert missing_glyphs(lambda: _figures(run, "en")) == []


def test_comparison_of_regions_draws_shares_of_their_own_targets():
    """A province (target 1365 万吨) and a county (14 万吨) on one axis would flatten the county; each is
    drawn as a share of its own target instead, with one line at 100 %."""
    years = [2020, 2025]

    def table(values):
        return pd.DataFrame({"indicator": "grain_output", "year": years, "unit": "万吨",
                             **{q: values for q in ("p5", "p25", "p50", "p75", "p95")}})
    province = Target("a", "grain_output", "at_least", 1365e7, 2025, "万吨", 1365.0, en="Grain", zh="粮食")
    county = Target("b", "grain_output", "at_least", 14e7, 2025, "吨", 140000.0, en="Grain", zh="粮食")
    with chart_context("en"):
        fig = charts.comparison({"shanxi": table([1365.0, 1501.5]), "yangcheng": table([13.0, 15.4])},
                                "grain_output", "Grain", "en", province, {"shanxi": province, "yangcheng": county})
        ax = fig.axes[0]
        lines = ax.get_lines()
        assert lines[0].get_ydata().tolist() == pytest.approx([100.0, 110.0])
        assert lines[1].get_ydata().tolist() == pytest.approx([1300 / 14, 110.0])
        assert list(lines[2].get_ydata()) == [100, 100] and "own target" in lines[2].get_label()
        assert ax.get_ylabel() == "% of the scenario's own target"
        fig.canvas.draw()
        assert not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())
        plt.close(fig)
