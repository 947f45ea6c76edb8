"""Report: chart elements and images, the HTML report (also in headless Chromium), the workbook,
Chinese output, and `agrosim report` rebuilding a folder without running the model."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.testing.compare import compare_images

from agrosim.api import monte_carlo, run
from agrosim.cli import main
from agrosim.config.scenario import Target
from agrosim.report import charts
from agrosim.report.lang import chart_context, cjk_font
from agrosim.analysis.decomposition import grain_decomposition
from agrosim.results import series
from agrosim.report.writer import save
from conftest import small_grain

BASELINE = Path(__file__).parent / "baseline"
CI = bool(os.environ.get("CI"))
SOURCE = {"seed": "000_9a171ad133399258.txt", "line": 141, "quote": "粮食综合生产能力稳定在1365万吨以上"}


def scenario_data(**extra) -> dict:
    data = small_grain()
    data["name"] = "small"
    data["targets"] = {
        "grain_2023": {"indicator": "grain_output", "kind": "at_least", "value": "300 吨", "year": 2023,
                       "en": "Grain output", "zh": "粮食总产量", "source": SOURCE},
        "area_2023": {"indicator": "grain_sown_area", "kind": "about", "value": "800 亩", "year": 2023,
                      "en": "Grain sown area", "zh": "粮食播种面积", "source": {"published": "a yearbook"}},
        "hsf_held": {"indicator": "hsf_area", "kind": "stable_at", "value": "150 亩", "year": 2023,
                     "en": "High-standard farmland", "zh": "高标准农田"},
    }
    data.update(extra)
    return data


def uncertain_data() -> dict:
    return scenario_data(uncertainty={
        "land_grain.yield_trend_per_yr": {"dist": "uniform", "low": "0 %/yr", "high": "10 %/yr"}})


def target(kind="at_least", value=1365.0, year=2025, **kw) -> Target:
    return Target("grain_2025", "grain_output", kind, value * 1e7, year, "万吨", value, en="Grain output",
                  zh="粮食总产量", **kw)


def fan(years=range(2020, 2026), start=1400.0, step=20.0, spread=60.0) -> pd.DataFrame:
    median = np.array([start + step * k for k in range(len(years))])
    widen = np.linspace(0, spread, len(years))
    return pd.DataFrame({"year": list(years), "p5": median - widen, "p25": median - widen / 3, "p50": median,
                         "p75": median + widen / 3, "p95": median + widen})


def verdict(p_met=0.9, runs=1000, met=True, projected=1500.0, year=2025) -> dict:
    """A targets-table row: a central run's met/missed, or a Monte Carlo's class from P."""
    word = ("met" if met else "missed") if runs == 1 else \
        "likely" if p_met >= 0.8 else "unlikely" if p_met <= 0.2 else "uncertain"
    return {"verdict": word, "p_met": p_met, "runs": runs, "projected": projected, "judged_year": year}


def scorecard_table() -> pd.DataFrame:
    rows = [("a", "Grain output", "粮食总产量", 0.95, "likely", 3.0), ("b", "Sown area", "播种面积", 0.6, "uncertain", 0.5),
            ("c", "Dairy herd", "奶牛存栏", 0.1, "unlikely", -20.0)]
    return pd.DataFrame([{"target": tid, "label_en": en, "label_zh": zh, "kind": "at_least", "year": 2025,
                          "target_value": 100.0, "unit": "万吨", "projected": 100 + gap, "gap": gap, "gap_pct": gap,
                          "verdict": v, "p_met": p, "p_low": max(p - 0.05, 0), "p_high": min(p + 0.05, 1),
                          "runs": 1000, "source": "000_9a171ad133399258.txt L141: 「…」"}
                         for tid, en, zh, p, v, gap in rows]
                        + [{"target": "ALL", "label_en": "All", "label_zh": "全部", "p_met": 0.05, "p_low": 0.04,
                            "p_high": 0.06, "runs": 1000, "verdict": "unlikely"}])


def decomposition_quant() -> pd.DataFrame:
    """Area 100 → 110 万亩, output 50 → 66 万吨: yield 0.5 → 0.6 万吨 per 万亩."""
    rows = []
    for ind, unit, values in (("grain_output", "万吨", (50.0, 66.0)), ("grain_sown_area", "万亩", (100.0, 110.0))):
        for year, v in zip((2020, 2025), values):
            rows.append({"indicator": ind, "year": year, "unit": unit, "mean": v, "p5": v, "p25": v, "p50": v,
                         "p75": v, "p95": v})
    return pd.DataFrame(rows)


def same_colour(a, b) -> bool:
    return np.allclose(mcolors.to_rgba(a)[:3], mcolors.to_rgba(b)[:3])


def compare_to_baseline(fig, name: str, tmp_path: Path) -> None:
    """Save `fig` and compare it with tests/baseline/<name>.png (RMS tolerance 6);
    AGROSIM_UPDATE_BASELINE=1 writes the baseline instead."""
    got = tmp_path / f"{name}.png"
    save(fig, got)
    expected = BASELINE / f"{name}.png"
    if os.environ.get("AGROSIM_UPDATE_BASELINE"):
        BASELINE.mkdir(exist_ok=True)
        shutil.copy(got, expected)
    assert compare_images(str(expected), str(got), tol=6) is None


# ---- charts ---------------------------------------------------------------------------------------

def test_trajectory_has_bands_median_target_base_and_verdict(tmp_path):
    with chart_context("en"):
        fig = charts.trajectory(fan(), target(), verdict(p_met=0.9))
        ax = fig.axes[0]
        assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2  # 50 % and 90 % bands
        labels = [line.get_label() for line in ax.get_lines()]
        assert any(lab.startswith("target ≥ 1,365 10⁴ t") for lab in labels)
        target_line = next(line for line in ax.get_lines() if line.get_label().startswith("target"))
        assert np.allclose(target_line.get_ydata(), 1365.0)
        assert ax.get_ylabel() == "10⁴ t" and ax.get_xlabel() == "year"
        assert "likely" in ax.get_title() and "P(met) = 0.90" in ax.get_title()
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "base year 2020: 1,400" in legend
        compare_to_baseline(fig, "trajectory_mc", tmp_path)


def test_trajectory_single_run_about_band_and_stable_at_window():
    with chart_context("en"):
        fig = charts.trajectory(fan(spread=0), target("about", tolerance=0.05), verdict(1.0, 1, True))
        ax = fig.axes[0]
        assert not [c for c in ax.collections if isinstance(c, PolyCollection)]  # no bands for one run
        span = [p for p in ax.patches if p.get_label() == "± 5%"]
        assert len(span) == 1
        fig = charts.trajectory(fan(step=-10), target("stable_at", value=1350.0, from_year=2022),
                               verdict(0, 1, False, projected=1350.0))
        ax = fig.axes[0]
        floor = [c for c in ax.collections if c.get_label().startswith("target stable at")]
        assert floor and np.allclose(floor[0].get_segments()[0][:, 0], [2022, 2025])
        assert "missed" in ax.get_title()


def test_scorecard_bars_colours_and_intervals(tmp_path):
    table = scorecard_table()
    with chart_context("en"):
        fig = charts.scorecard(table)
        gap_ax, p_ax, _ = fig.axes
        bars = gap_ax.patches
        assert len(bars) == 3  # one per target, not the joint row
        for bar, colour in zip(bars, (charts.GREEN, charts.AMBER, charts.RED)):
            assert same_colour(bar.get_facecolor(), colour)
        assert [t.get_text() for t in gap_ax.get_yticklabels()] == ["Grain output", "Sown area", "Dairy herd"]
        assert "P(met)" in p_ax.get_xlabel()
        assert "P(all met) = 0.05" in fig._suptitle.get_text()
        compare_to_baseline(fig, "scorecard_mc", tmp_path)


def test_scorecard_single_run_uses_met_missed():
    table = scorecard_table().query("target != 'ALL'").assign(runs=1, p_met=float("nan"),
                                                              verdict=["met", "met", "missed"])
    with chart_context("en"):
        fig = charts.scorecard(table)
        assert len(fig.axes) == 2  # no probability panel
        colours = [b.get_facecolor() for b in fig.axes[0].patches]
        assert [same_colour(c, charts.GREEN) for c in colours] == [True, True, False]
        texts = [t.get_text() for t in fig.axes[1].texts]
        assert "met" in texts and "missed" in texts and "000 L141" in texts


def test_comparison_draws_one_line_per_scenario_and_the_target():
    tables = {name: fan(start=s).assign(indicator="grain_output", unit="万吨")
              for name, s in (("fast", 1400.0), ("slow", 1300.0), ("none", 1200.0))}
    with chart_context("en"):
        fig = charts.comparison(tables, "grain_output", "Grain output", target=target())
        ax = fig.axes[0]
        labels = [line.get_label() for line in ax.get_lines()]
        assert labels[:3] == ["fast", "slow", "none"] and labels[3].startswith("target")
        assert np.allclose(ax.get_lines()[1].get_ydata(), tables["slow"]["p50"])
        assert ax.get_ylabel() == "10⁴ t"


def test_grain_decomposition_is_sequential_and_exact(tmp_path):
    tg = target(value=70.0)
    judged = {"projected": 66.0, "gap": -4.0, "judged_year": 2025}  # the targets table's row
    table = grain_decomposition(decomposition_quant(), tg, judged).set_index("item")["value"]
    assert table["area_effect"] == pytest.approx(10 * 0.5)      # Δarea × base yield
    assert table["yield_effect"] == pytest.approx(110 * 0.1)    # end area × Δyield
    assert table["base"] + table["area_effect"] + table["yield_effect"] == pytest.approx(table["projected"])
    assert table["gap"] == pytest.approx(-4.0)
    with chart_context("en"):
        fig = charts.decomposition(grain_decomposition(decomposition_quant(), tg, judged), "Grain output")
        ax = fig.axes[0]
        bars = ax.patches
        assert len(bars) == 4
        assert [b.get_height() for b in bars] == pytest.approx([50, 5, 11, 66])
        assert bars[1].get_y() == pytest.approx(50) and bars[2].get_y() == pytest.approx(55)
        assert any(t.get_text() == "shortfall -4.0" for t in ax.texts)
        assert [line for line in ax.get_lines() if np.allclose(line.get_ydata(), 70.0)]
        compare_to_baseline(fig, "decomposition", tmp_path)


# ---- report folder --------------------------------------------------------------------------------

def _images(html: str) -> list[str]:
    return re.findall(r'<img[^>]*src="([^"]*)"', html)


def test_run_report_html_and_workbook_hold_the_same_numbers(write, tmp_path):
    folder = run(write("small.yaml", scenario_data())).write(tmp_path / "out")
    for name in ("report.html", "results.xlsx", "metadata.json", "charts/scorecard.png", "charts/scorecard.svg",
                 "charts/grain_2023.png", "charts/decomposition_grain_2023.png"):
        assert (folder / name).is_file(), name
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Central run (one deterministic run, no probability)" in html
    assert _images(html) and all(src.startswith("data:image/png;base64,") for src in _images(html))
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from the network
    assert "Land and grain" in html and "耕地与粮食" in html
    assert "000_9a171ad133399258.txt" in html and SOURCE["quote"] in html

    targets = pd.read_csv(folder / "targets.csv")
    sheet = pd.read_excel(folder / "results.xlsx", sheet_name="targets")
    pd.testing.assert_frame_equal(sheet[["target", "projected", "gap", "p_met"]],
                                  targets[["target", "projected", "gap", "p_met"]], check_dtype=False)
    results = pd.read_csv(folder / "results.csv")
    wide = pd.read_excel(folder / "results.xlsx", sheet_name="indicators by year").rename(columns=str)
    assert len(wide) == results["indicator"].nunique()
    for _, row in wide.iterrows():
        got = results[results.indicator == row["indicator"]].set_index("year")["value"]
        assert row[[str(y) for y in got.index]].tolist() == pytest.approx(got.tolist())
    params = pd.read_excel(folder / "results.xlsx", sheet_name="assumptions")
    maize = params.set_index("parameter").loc["crops.maize.base_yield_kg_per_mu"]
    assert maize["value"] == 400 and maize["unit"] == "kg/亩" and maize["set_in"] == "scenario"
    assert {"land_loss_mu_per_yr", "hsf_yield_uplift", "red_line_mu"} <= set(params["parameter"])


def test_mc_report_has_probabilities_and_medians(write, tmp_path):
    mc = monte_carlo(write("small.yaml", uncertain_data()), runs=300, seed=3, chunk_size=100,
                     work_root=tmp_path / "out")
    folder = mc.write(tmp_path / "out")
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "(300 runs)" in html and "All targets met together" in html
    wide = pd.read_excel(folder / "results.xlsx", sheet_name="indicators by year").rename(columns=str)
    wide = wide.set_index("indicator")
    bands = pd.read_csv(folder / "bands.csv").query("indicator == 'grain_output'").set_index("year")["p50"]
    assert wide.loc["grain_output", [str(y) for y in bands.index]].tolist() == pytest.approx(bands.tolist())
    meta = pd.read_excel(folder / "results.xlsx", sheet_name="metadata").set_index("key")["value"]
    assert meta["seed"] == 3 and meta["runs"] == 300


@pytest.mark.parametrize("runs", [None, 200])
def test_agrosim_report_rebuilds_the_same_targets_table(write, tmp_path, runs, capsys):
    path = write("small.yaml", uncertain_data())
    out = tmp_path / "out"
    args = ["mc", str(path), "--runs", str(runs), "--chunk-size", "50"] if runs else ["run", str(path)]
    assert main(args + ["--out", str(out)]) == 0
    folder = out / "small" / ("mc" if "mc" in args else "run")
    before = pd.read_csv(folder / "targets.csv")
    shutil.rmtree(folder / "charts")
    (folder / "report.html").unlink()
    (folder / "results.xlsx").unlink()
    assert main(["report", str(folder)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(folder / "targets.csv"), before, rtol=1e-12)
    assert (folder / "report.html").is_file() and (folder / "charts" / "scorecard.png").is_file()
    assert pd.read_excel(folder / "results.xlsx", sheet_name="targets")["target"].tolist() == before["target"].tolist()
    assert main(["report", str(tmp_path / "nothing-here")]) == 2
    assert "a report folder written by" in capsys.readouterr().err


# ---- Chinese --------------------------------------------------------------------------------------

@pytest.fixture
def chinese():
    if cjk_font() is None and not CI:
        pytest.skip("no CJK font on this machine: pip install -e '.[zh]' to test Chinese output")


def test_zh_report_renders_chinese_without_missing_glyphs(write, tmp_path, chinese):
    path = write("small.yaml", scenario_data())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folder = run(path).write(tmp_path / "out", lang="zh")
        with chart_context("zh"):
            fig = charts.trajectory(fan(), target(), verdict(), "zh")
            fig.canvas.draw()
            assert fig.axes[0].get_title().startswith("粮食总产量：2025年很可能实现")
            assert fig.axes[0].get_ylabel() == "万吨"
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert not missing
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "耕地与粮食" in html and "项目标中" in html and "@font-face" in html
    sheets = pd.read_excel(folder / "results.xlsx", sheet_name=None)
    assert list(sheets) == ["目标", "逐年指标", "假设与参数", "目标出处", "运行信息"]
    assert sheets["目标"]["中文名称"].tolist()[0] == "粮食总产量" and "实现概率" in sheets["目标"]
    assert not [c for frame in sheets.values() for c in frame.columns if _english_only(str(c))]


#: words that may stand alone in a Chinese report: units, symbols, the program's name
_UNIT_WORDS = {"kg", "t", "mu", "yr", "ha", "km", "P", "agrosim", "L"}


def _english_only(text: str) -> bool:
    """True when `text` holds no Chinese and an English word other than a unit or a number."""
    if re.search(r"[\u3400-\u9fff]", text):
        return False
    return any(word not in _UNIT_WORDS for word in re.findall(r"[A-Za-z]+", text))


def test_zh_report_has_no_english_only_heading_or_axis_label(write, tmp_path, chinese):
    """Every heading and table header of a Chinese report, and every title and axis label of its charts,
    is Chinese, apart from units and numbers."""
    from html.parser import HTMLParser

    class Headings(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open, self.found = None, []

        def handle_starttag(self, tag, attrs):
            if tag in ("title", "h1", "h2", "h3", "th", "figcaption"):
                self.open, self.text = tag, ""

        def handle_data(self, data):
            if self.open:
                self.text += data

        def handle_endtag(self, tag):
            if tag == self.open:
                self.found.append((tag, " ".join(self.text.split())))
                self.open = None

    path = write("small.yaml", uncertain_data())
    mc = monte_carlo(path, runs=40, seed=1, chunk_size=40, work_root=tmp_path / "out")
    folder = mc.write(tmp_path / "out", lang="zh")
    parser = Headings()
    parser.feed((folder / "report.html").read_text(encoding="utf-8"))
    shown = [(tag, text) for tag, text in parser.found if text and tag != "figcaption"]
    assert len(shown) > 20
    assert [(tag, text) for tag, text in shown if _english_only(text)] == []
    quant, rows = mc.bands, mc.verdicts.set_index("target")
    with chart_context("zh"):
        figures = [charts.scorecard(mc.verdicts, "zh")]
        figures += [charts.trajectory(series(quant, tg.indicator, tg.unit_written), tg, rows.loc[tg.id], "zh")
                    for tg in mc.scenario.targets]
        labels = [text for fig in figures for ax in fig.axes
                  for text in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) if text]
        labels += [fig._suptitle.get_text() for fig in figures if fig._suptitle]
        for fig in figures:
            plt.close(fig)
    assert len(labels) >= 8
    assert [text for text in labels if _english_only(text)] == []


def test_zh_without_a_cjk_font_is_refused_before_running(write, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("agrosim.report.lang.cjk_font", lambda: None)
    assert main(["run", str(write("small.yaml", scenario_data())), "--out", str(tmp_path), "--lang", "zh"]) == 2
    assert "pip install -e '.[zh]'" in capsys.readouterr().err
    assert not (tmp_path / "small").exists()


# ---- browser --------------------------------------------------------------------------------------

def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        if CI:
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium not installed: apt-get install -y chromium to run the browser check")
    return found


def test_report_opens_in_headless_chromium(write, tmp_path):
    browser = chromium()
    folder = monte_carlo(write("small.yaml", uncertain_data()), runs=200, work_root=tmp_path / "out").write(
        tmp_path / "out")
    url = (folder / "report.html").as_uri()
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]

    def browse(*extra: str) -> subprocess.CompletedProcess:
        profile = tempfile.mkdtemp(dir=tmp_path, prefix="profile-")
        return subprocess.run(flags + [f"--user-data-dir={profile}", *extra, url], capture_output=True, text=True,
                              timeout=120)

    shot = tmp_path / "report.png"
    done = browse("--window-size=1280,2000", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000  # kept under tmp_path as an artefact
    dom = browse("--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert re.search(r"Of 3 targets, \d likely \(P ≥ 0.8\), \d uncertain, \d unlikely \(P ≤ 0.2\) \(200 runs\)",
                     dom.stdout)
    images = _images(dom.stdout)
    assert len(images) >= 4 and all(src.startswith("data:image/png;base64,") for src in images)
    console = [line for line in (done.stderr + dom.stderr).splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
