"""The report writer draws and writes what it is given (issue 20): the handlers compute the findings
(the runs' quantiles, cost per gap, trade-offs, biology limits, P(met) by year, tracking) in the analysis
layer first, and the writer neither computes a model quantity nor loads a scenario file (what the report
package may import is checked in tests/test_layers.py)."""
import dataclasses

import pandas as pd
import pytest

from agrosim.analysis.biology import BeyondBiology
from agrosim.analysis.report_inputs import report_findings, tracking_settings
from agrosim.engine import simulate
from agrosim.prepare import load_scenario
from agrosim.report.writer import write_report
from agrosim.targets import evaluate
from conftest import small_grain


@pytest.fixture
def grain(write):
    data = dict(small_grain(), targets={"g": {"indicator": "grain_output", "kind": "at_least", "value": "1 万吨",
                                              "year": 2023}})
    sc = load_scenario(write("s.yaml", data))
    return sc, simulate(sc)


def test_the_report_shows_the_findings_it_is_given(grain, tmp_path):
    sc, res = grain
    found = report_findings(sc, res, evaluate(sc.targets, res))
    costs = pd.DataFrame([{"target": "g", "sector": "land_grain", "year": 2023, "unit": "万吨", "spent_yi_yuan": 12345.0,
                           "closed": 1.0, "remaining_gap": 0.0, "yuan_per": 1.0, "per_unit": "万吨", "to_close_yi_yuan": 0.0}])
    # a limit record only the caller knows, and the runs' medians doubled: the report shows both as given
    marker = BeyondBiology("MARKER", 2023, "万吨", 7.0, 3.0)
    doubled = found.quantiles.assign(p50=found.quantiles["p50"] * 2)
    given = dataclasses.replace(found, limits=[marker], costs=costs, quantiles=doubled, decompositions={})
    folder = write_report(tmp_path / "out", sc, res, evaluate(sc.targets, res), findings=given)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "MARKER: 7 万吨 by 2023 is beyond biology" in html
    assert pd.read_csv(folder / "cost_per_gap.csv")["spent_yi_yuan"].tolist() == [12345.0]
    pd.testing.assert_frame_equal(pd.read_csv(folder / "yearly.csv"), found.yearly.reset_index(drop=True),
                                  check_dtype=False)
    assert not (folder / "charts" / "decomposition_g.png").exists()  # none given, none drawn
    assert set(found.decompositions) == {"g"}  # computed for the grain target
    sheet = pd.read_excel(folder / "results.xlsx", sheet_name="indicators by year").set_index("indicator")
    row = doubled[(doubled.indicator == "grain_output") & (doubled.year == 2023)]
    assert sheet.loc["grain_output", "2023"] == pytest.approx(float(row["p50"].iloc[0]))


def test_one_computation_worded_in_each_language(grain, tmp_path):
    """The findings hold records, not sentences: the same findings give an English and a Chinese report."""
    sc, res = grain
    found = dataclasses.replace(report_findings(sc, res, evaluate(sc.targets, res)), limits=[BeyondBiology("far", 2023, "万吨", 7.0, 3.0)])
    en = write_report(tmp_path / "en", sc, res, evaluate(sc.targets, res), findings=found)
    zh = write_report(tmp_path / "zh", sc, res, evaluate(sc.targets, res), lang="zh", findings=found)
    assert "far: 7 万吨 by 2023 is beyond biology: from its base-year state the herd could at most reach 3 万吨" \
        in (en / "report.html").read_text(encoding="utf-8")
    assert "far：2023年7万吨超出生物学上限：按基期存栏自繁自养，届时最多3万吨" in (zh / "report.html").read_text(encoding="utf-8")


def test_tracking_findings_must_match_the_observed_data_kept(grain, tmp_path):
    """Tracking computed from one file is drawn only into a folder that keeps that file, and observed data
    are never kept untracked."""
    sc, res = grain
    obs = tmp_path / "obs.csv"
    pd.DataFrame([("testland", "grain_output", 2022, 300, "吨", "x")],
                 columns=["region", "indicator", "year", "value", "unit", "source"]).to_csv(obs, index=False)
    tracked = report_findings(sc, res, evaluate(sc.targets, res), observed=obs, tracking={"tracking_path": "growth"})
    assert (tracked.tracking.path, tracked.tracking.tolerance) == ("growth", 0.02)
    verdicts = evaluate(sc.targets, res)
    with pytest.raises(ValueError, match="with tracking for a report folder without observed.csv"):
        write_report(tmp_path / "a", sc, res, verdicts, findings=tracked)
    with pytest.raises(ValueError, match="without tracking for a report folder holding observed.csv"):
        write_report(tmp_path / "b", sc, res, verdicts, observed=obs, findings=report_findings(sc, res, evaluate(sc.targets, res)))
    folder = write_report(tmp_path / "c", sc, res, verdicts, observed=obs, findings=tracked)
    pd.testing.assert_frame_equal(pd.read_csv(folder / "tracking.csv"), tracked.tracking.table, check_dtype=False)
    assert not (tmp_path / "a" / "s" / "run").exists() and not (tmp_path / "b" / "s" / "run").exists()


def test_tracking_settings_overlay_in_order_and_skip_unset_values():
    assert tracking_settings() == {"tracking_path": "linear", "tracking_tolerance": 0.02}
    saved, given = {"tracking_path": "growth", "tracking_tolerance": 0.05, "seed": 1}, {"tracking_path": None,
                                                                                      "tracking_tolerance": 0.1}
    assert tracking_settings(saved, given) == {"tracking_path": "growth", "tracking_tolerance": 0.1}
    assert tracking_settings(None, {"tracking_path": "growth"}) == {"tracking_path": "growth", "tracking_tolerance": 0.02}
