"""Report sections drawn from extra data in a report folder: tracking (observed values against the plan's
path) and allocation (the result of `agrosim allocate`); their numbers, both languages, rebuilding,
attaching to a finished report, and atomicity."""
from __future__ import annotations

import json
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from agrosim.analysis.tracking import track
from agrosim.cli import main
from agrosim import load_scenario
from agrosim.observed import load_observed
from agrosim.report import sections
from agrosim.report.html import WORDS
from agrosim.report.lang import TEXT, cjk_font
from conftest import small_grain, writer
from test_allocate import two_lever


class Tables(HTMLParser):
    """Tables of an HTML page by id: a list of rows, each (row attributes, [cell texts], has <td> cells);
    and the text of paragraphs with an id."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list]] = {}
        self.ids: dict[str, str] = {}  # element id → its text (paragraphs)
        self._table = self._row = self._cell = self._text_id = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "id" in attrs:
            self._table = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self._table is not None:
            self._row = [attrs, [], False]
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row[2] = self._row[2] or tag == "td"
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "p" and "id" in attrs:
            self._text_id, self.ids[attrs["id"]] = attrs["id"], ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "p":
            self._text_id = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._text_id is not None:
            self.ids[self._text_id] += data


def rows(html: str, table: str) -> list[tuple[dict, list[str]]]:
    """The data rows (those with <td>) of one table."""
    return [(attrs, cells) for attrs, cells, data in Tables(html).tables[table] if data]


def csv(tmp_path: Path, lines, name="obs.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(lines, columns=["region", "indicator", "year", "value", "unit", "source"]).to_csv(path, index=False)
    return path


def hsf_data() -> dict:
    """Base HSF 100 亩 → target 400 亩 in 2023 (linear milestones 200, 300, 400) and grain ≥ 300 t."""
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩")
    data["name"] = "hsf"
    data["targets"] = {
        "hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023,
                "en": "High-standard farmland", "zh": "高标准农田"},
        "grain": {"indicator": "grain_output", "kind": "at_least", "value": "300 吨", "year": 2023,
                  "en": "Grain output", "zh": "粮食总产量"}}
    return data


HAND_BUILT = [("testland", "hsf_area", 2021, 210, "亩", "synthetic"),     # 210 vs 200: ahead
              ("testland", "hsf_area", 2022, 290, "亩", "synthetic"),     # 290 vs 300: behind
              ("testland", "hsf_area", 2023, 0.04, "万亩", "synthetic"),  # 400 vs 400: on track
              ("testland", "grain_output", 2021, 250, "吨", "synthetic"),  # base 240 t → 300 t: 260 t in 2021
              ("elsewhere", "hsf_area", 2021, 1, "亩", "another region: ignored")]


# ---- tracking -------------------------------------------------------------------------------------

def test_tracking_section_shows_the_verdicts_of_a_hand_built_series(write, tmp_path, capsys):
    path = write("hsf.yaml", hsf_data())
    obs = csv(tmp_path, HAND_BUILT)
    assert main(["run", str(path), "--observed", str(obs), "--out", str(tmp_path / "out")]) == 0
    folder = tmp_path / "out" / "hsf" / "run"
    html = (folder / "report.html").read_text(encoding="utf-8")
    table = {(a["data-target"], int(a["data-year"])): (a["data-status"], cells)
             for a, cells in rows(html, "tracking-table")}
    assert {k: v[0] for k, v in table.items()} == {("hsf", 2021): "ahead", ("hsf", 2022): "behind",
                                                   ("hsf", 2023): "on track", ("grain", 2021): "behind"}
    # observed, the plan's path, status, and the yearly growth now needed: (400 / 290) − 1 from 2022
    assert table[("hsf", 2022)][1][1:] == ["2022", "290.00", "300.00", "mu", "behind", "+37.93 %"]
    assert table[("hsf", 2021)][1][-1] == f"+{100 * ((400 / 210) ** 0.5 - 1):.2f} %"
    assert table[("hsf", 2023)][1][-1] == "—"  # the target year: nothing left to grow
    assert table[("grain", 2021)][1][1:5] == ["2021", "250.00", "260.00", "t"]
    assert "Grain output: behind in 2021, 250 against 260 t on the plan&#39;s path. From there +9.54 % a year " \
           "reaches 300 t by 2023 (the plan implied +7.72 % a year from 2020)." in html
    assert "1 on track, 1 behind, 0 ahead" in html  # summary: the latest year of each target
    assert (folder / "charts" / "tracking_hsf.png").is_file() and (folder / "observed.csv").is_file()
    # the same numbers as `agrosim track`, in tracking.csv and in the workbook
    sc = load_scenario(path)
    expected = track(sc, load_observed(obs, sc))
    saved = pd.read_csv(folder / "tracking.csv")
    pd.testing.assert_frame_equal(saved[["target", "year", "status"]], expected[["target", "year", "status"]])
    assert saved["growth_needed_per_yr"].tolist() == pytest.approx(expected["growth_needed_per_yr"].tolist(),
                                                                   nan_ok=True)
    sheet = pd.read_excel(folder / "results.xlsx", sheet_name="tracking")
    assert sheet["status"].tolist() == saved["status"].tolist() == ["ahead", "behind", "on track", "behind"]
    assert sheet["implied"].tolist() == pytest.approx(saved["implied"].tolist())


def test_observed_attached_to_a_finished_report_and_kept_on_rebuild(write, tmp_path, capsys):
    path = write("hsf.yaml", hsf_data())
    out = tmp_path / "out"
    assert main(["mc", str(path), "--runs", "40", "--chunk-size", "20", "--out", str(out)]) == 0
    folder = out / "hsf" / "mc"
    assert 'id="tracking"' not in (folder / "report.html").read_text(encoding="utf-8")
    # a bad file is refused before anything changes
    before = (folder / "report.html").read_bytes()
    bad = csv(tmp_path, [("testland", "hsf_aera", 2021, 1, "亩", "x")], "bad.csv")
    assert main(["report", str(folder), "--observed", str(bad)]) == 2
    assert "did you mean 'hsf_area'" in capsys.readouterr().err
    assert (folder / "report.html").read_bytes() == before and not (folder / "observed.csv").exists()
    # attached with constant growth: 100 · 4^(1/3) = 158.7 in 2021, 251.98 in 2022
    obs = csv(tmp_path, HAND_BUILT)
    assert main(["report", str(folder), "--observed", str(obs), "--path", "growth"]) == 0
    status = {(a["data-target"], int(a["data-year"])): a["data-status"]
              for a, _ in rows((folder / "report.html").read_text(encoding="utf-8"), "tracking-table")}
    assert status[("hsf", 2021)] == "ahead" and status[("hsf", 2022)] == "ahead"
    saved = pd.read_csv(folder / "tracking.csv").set_index(["target", "year"])
    assert saved.loc[("hsf", 2021), "implied"] == pytest.approx(100 * 4 ** (1 / 3))
    assert len(list((folder / "runs").glob("*.parquet"))) == 2  # the runs survive the rebuild
    # rebuilt again without options: observed data and the growth path are kept
    assert main(["report", str(folder)]) == 0
    again = pd.read_csv(folder / "tracking.csv").set_index(["target", "year"])
    assert again.loc[("hsf", 2021), "implied"] == pytest.approx(100 * 4 ** (1 / 3))
    assert json.loads((folder / "metadata.json").read_text(encoding="utf-8"))["tracking_path"] == "growth"


# ---- allocation -----------------------------------------------------------------------------------

def _allocate(write, tmp_path, *extra) -> Path:
    """The two-lever case of test_allocate: 600 万元 over 2021-2023 meets both targets only at 50/50."""
    two_lever(write)
    assert main(["allocate", str(tmp_path / "two.yaml"), "--budget", "600 万元", "--runs", "1", "--step", "0.1",
                 "--plan-shares", "hsf=0.3,reclaim=0.7", "--out", str(tmp_path / "r"), *extra]) == 0
    return tmp_path / "r" / "two" / "allocate"


@pytest.fixture(scope="module")
def allocated(tmp_path_factory) -> Path:
    """One allocation folder of the two-lever case, shared by the tests that only read it."""
    here = tmp_path_factory.mktemp("allocated")
    return _allocate(writer(here), here)


def test_allocation_section_shows_the_split_the_allocation_result_holds(allocated):
    folder = allocated
    alloc = pd.read_csv(folder / "allocation" / "allocation.csv")
    probs = pd.read_csv(folder / "allocation" / "probabilities.csv").set_index("target")
    html = (folder / "report.html").read_text(encoding="utf-8")
    splits = {a["data-lever"]: cells for a, cells in rows(html, "allocation-splits") if "data-lever" in a}
    header = Tables(html).tables["allocation-splits"][0][1]  # the first header row
    assert header[1:] == ["recommended", "plan's split", "even split"]
    for r in alloc.itertuples():  # share and 万元 under the recommended, the plan's and an even split
        assert splits[r.lever][1:] == [f"{100 * r.share:.1f} %", f"{r.money_10k_yuan:,.1f}",
                                       f"{100 * r.plan_share:.1f} %", f"{6 * r.plan_share * 100:,.1f}",
                                       f"{100 * r.even_share:.1f} %", f"{6 * r.even_share * 100:,.1f}"]
    assert splits["hsf"][1:3] == ["50.0 %", "300.0"] and splits["reclaim"][3:5] == ["70.0 %", "420.0"]
    p = {a["data-target"]: cells[1:] for a, cells in rows(html, "allocation-probabilities")}
    for tid in ("hsf", "land", "objective"):
        assert p[tid] == [f"{probs.loc[tid, s]:.3f}" for s in ("recommended", "plan", "even split")]
    assert p["objective"] == ["2.000", "1.000", "2.000"]
    marginal = {a["data-lever"]: cells for a, cells in rows(html, "allocation-marginal")}
    assert marginal["hsf"][1:] == ["0", "0"]  # at 50/50 both targets are met: 1 % more changes nothing
    assert "moves none of the 1 runs across one" in html
    curve = pd.read_csv(folder / "allocation" / "budget_curve.csv")
    first = curve[curve.saturated].iloc[0]
    assert first.budget_factor == 1.0
    assert Tables(html).ids["allocation-saturation"] == (
        "The objective stops improving at about 600 10⁴ yuan (1 × this budget), at 2.000; more money does not "
        "raise it.")
    costs = pd.read_csv(folder / "allocation" / "cost_sensitivity.csv")
    same = costs.filter(like="share:").nunique().max() == 1
    assert Tables(html).ids["allocation-cost-text"].startswith(
        "The recommended split is the same" if same else "The recommended split changes")
    assumed = [cells for _, cells in rows(html, "allocation-assumptions")]
    assert assumed[0][:3] == ["hsf", "land_grain.hsf_build_mu_per_yr", "10,000 yuan/mu"]
    assert "A budget of 600 10⁴ yuan, spread evenly over 2021–2023" in html
    sheet = pd.read_excel(folder / "results.xlsx", sheet_name="allocation")
    assert sheet["share"].tolist() == alloc["share"].tolist() and sheet["lever"].tolist() == ["hsf", "reclaim"]
    settings = pd.read_excel(folder / "results.xlsx", sheet_name="allocation settings").set_index("key")["value"]
    assert settings["objective"] == "expected-targets-met" and float(settings["budget_yuan"]) == 6e6
    # the report above the section is the scenario as declared, without the budget
    assert pd.read_csv(folder / "targets.csv").set_index("target").loc["hsf", "verdict"] == "missed"


def test_allocation_attached_to_another_report_of_the_same_scenario(allocated, write, tmp_path, capsys):
    folder = allocated
    two = folder.parents[2] / "two.yaml"  # the scenario file the allocation was computed for
    assert main(["run", str(two), "--out", str(tmp_path / "r")]) == 0
    report = tmp_path / "r" / "two" / "run"
    assert main(["report", str(report), "--allocation", str(folder)]) == 0
    html = (report / "report.html").read_text(encoding="utf-8")
    splits = {a["data-lever"]: cells for a, cells in rows(html, "allocation-splits") if "data-lever" in a}
    assert splits["hsf"][1:3] == ["50.0 %", "300.0"]
    assert (report / "allocation" / "settings.json").is_file()
    # an allocation of another scenario is refused and the report left as it was
    other = write("other.yaml", dict(small_grain(), name="other"))
    assert main(["run", str(other), "--out", str(tmp_path / "r")]) == 0
    before = (tmp_path / "r" / "other" / "run" / "report.html").read_bytes()
    assert main(["report", str(tmp_path / "r" / "other" / "run"), "--allocation", str(folder)]) == 2
    assert "an allocation for another scenario" in capsys.readouterr().err
    assert (tmp_path / "r" / "other" / "run" / "report.html").read_bytes() == before
    assert not (tmp_path / "r" / "other" / "run" / "allocation").exists()


def test_a_finished_allocation_survives_a_failed_report(write, tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr("agrosim.report.writer._render", broken)
    two_lever(write)
    args = ["allocate", str(tmp_path / "two.yaml"), "--budget", "600 万元", "--runs", "1", "--step", "0.1",
            "--out", str(tmp_path / "r")]
    assert main(args) == 1
    err = capsys.readouterr().err
    folder = tmp_path / "r" / "two" / "allocate"
    assert "allocation results are kept in" in err and "agrosim report" in err
    assert pd.read_csv(folder / "allocation" / "allocation.csv")["share"].tolist() == [0.5, 0.5]
    assert not (folder / "report.html").exists()
    assert not [p for p in (tmp_path / "r" / "two").iterdir() if p.name.startswith(".")]  # no half-written folder left
    monkeypatch.undo()
    assert main(["report", str(folder)]) == 0
    assert 'id="allocation"' in (folder / "report.html").read_text(encoding="utf-8")


# ---- both languages -------------------------------------------------------------------------------

def test_every_section_word_and_chart_label_exists_in_chinese():
    for key in sections.WORDS["en"]:
        assert sections.WORDS["zh"][key] and WORDS["zh"][key] == sections.WORDS["zh"][key]
    assert sections.WORDS["zh"]["tracking"] == "进度跟踪：实际值与规划对比"
    assert sections.WORDS["zh"]["allocation"] == "资金分配"
    for key in ("on track", "behind", "ahead", "plan_path", "tracking_title", "recommended", "even split", "plan",
                "budget_share"):
        assert TEXT["zh"][key] and TEXT["zh"][key] != TEXT["en"][key]


@pytest.fixture
def chinese():
    import os

    if cjk_font() is None and not os.environ.get("CI"):
        pytest.skip("no CJK font on this machine: pip install -e '.[zh]' to test Chinese output")


def test_zh_report_has_both_sections_in_chinese(write, tmp_path, chinese):
    folder = _allocate(write, tmp_path, "--lang", "zh")
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<h2>资金分配</h2>" in html and "推荐方案" in html and "规划方案" in html and "平均分配" in html
    assert "每万元边际效益" in html and "成本 ±25 % 敏感性" in html
    obs = csv(tmp_path, [("testland", "hsf_area", 2022, 290, "亩", "synthetic")])
    assert main(["report", str(folder), "--observed", str(obs), "--lang", "zh"]) == 0
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<h2>进度跟踪：实际值与规划对比</h2>" in html and "落后于进度" in html and "<h2>资金分配</h2>" in html


# ---- browser --------------------------------------------------------------------------------------

def test_report_with_both_sections_opens_in_headless_chromium(write, tmp_path):
    from test_report import chromium

    browser = chromium()
    folder = _allocate(write, tmp_path)
    obs = csv(tmp_path, [("testland", "hsf_area", 2021, 150, "亩", "synthetic"),
                         ("testland", "hsf_area", 2022, 200, "亩", "synthetic")])
    assert main(["report", str(folder), "--observed", str(obs)]) == 0
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
             f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path, prefix='profile-')}", "--dump-dom",
             (folder / "report.html").as_uri()]
    dom = subprocess.run(flags, capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert [a["data-status"] for a, _ in rows(dom.stdout, "tracking-table")] == ["behind", "behind"]
    assert rows(dom.stdout, "allocation-splits")[0][1][1:3] == ["50.0 %", "300.0"]
    assert 'src="data:image/png;base64,' in dom.stdout.split('id="allocation"')[1]
    assert 'src="data:image/png;base64,' in dom.stdout.split('id="tracking"')[1]
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
