"""Trade-offs reach the headline: each kind of hidden cost becomes a warning of the right size, and no
scenario with one prints "met" everywhere without it. Feasible lever ranges come from the model."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

import agrosim
from agrosim import load_scenario
from agrosim.analysis.allocate import BudgetProblem, at_bound, budget_curve, saturation, spend_arrays
from agrosim.analysis.levers import feasible_range, lever
from agrosim.analysis.solve import solve
from agrosim.analysis.sweep import design_points, within_feasible
from agrosim.analysis.findings import SEPARATOR, from_table, with_warnings
from agrosim.analysis.tradeoffs import TradeOffThresholds, allocation_tradeoffs, scenario_tradeoffs
from agrosim.cli import main
from agrosim.registry import param_paths
from agrosim.param_arrays import all_arrays
from agrosim.report import charts
from agrosim.sectors import pigs
from agrosim.targets import evaluate
from agrosim.engine import simulate
from conftest import small_grain


def _grain(write, hsf_target="400 亩", **land_grain):
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩", red_line_mu="0 亩", **land_grain)
    data["targets"] = {"h": {"indicator": "hsf_area", "kind": "at_least", "value": hsf_target, "year": 2023}}
    return load_scenario(write("g.yaml", data))


def _kinds(records, kind):
    return [r for r in records if r.kind == kind]


# --- feasible ranges -------------------------------------------------------------------------------

def test_hsf_bound_is_the_grain_land_over_the_horizon(write):
    """Grain area 800 亩, HSF 100 亩 in 2020, three simulated years: at most (800 − 100) / 3 亩 a year."""
    sc = _grain(write, hsf_build_mu_per_yr="0 亩/年")
    lv = lever(sc, "land_grain.hsf_build_mu_per_yr", "0 亩/年", "1000 亩/年")
    assert lv.high == pytest.approx(700 / 3) and lv.feasible.high == pytest.approx(700 / 3)
    assert "clipped to the feasible" in lv.clipped and "land under grain" in lv.clipped
    # a range inside the bound is left as given
    inside = lever(sc, "land_grain.hsf_build_mu_per_yr", "0 亩/年", "200 亩/年")
    assert (inside.low, inside.high, inside.clipped) == (0.0, 200.0, "")


def test_herd_growth_bound_is_the_sectors_biological_maximum(root):
    sc = load_scenario(root / "scenarios" / "shanxi_pigs_2025.yaml")
    lv = lever(sc, "pigs.sow_herd_growth_per_yr", "0 %/yr", "1000 %/yr")
    limit = float(pigs.max_sow_growth_per_yr(all_arrays(sc, 1)["pigs"])[0])
    assert 0.3 < limit < 10 and lv.high == pytest.approx(limit)
    assert "biological maximum" in lv.limit_text()
    # a share keeps its domain 0–1
    share = feasible_range(sc, "pigs.gilt_eligible_share", param_paths(sc.sectors)["pigs.gilt_eligible_share"])
    assert (share.low, share.high, share.limit) == (0.0, 1.0, "")


def test_solve_shanxi_hsf_is_not_reachable_beyond_the_grain_land(root):
    """Regression (issue 16 item 7): P(capacity met) ≥ 0.8 used to be answered with 823.9 万亩/年, more HSF than
    there is grain land. The feasible maximum is (4695.3 − 1662) 万亩 / 5 years = 606.7 万亩/年 (grain area
    3130.2 千公顷 = 4695.3 万亩, held flat); the answer is either 'not reachable' naming that limit, or a value
    within it."""
    sc = load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml")
    lv = lever(sc, "land_grain.hsf_build_mu_per_yr")
    assert lv.feasible.high == pytest.approx((3130.2e3 * 15 - 1662e4) / 5, rel=1e-6)
    sol = solve(sc, lv, "grain_capacity_2025", probability=0.8, runs=200)
    text = sol.describe(lv.spec.unit)
    if sol.value is None:
        assert sol.status == "not reachable" and sol.high == pytest.approx(lv.feasible.high)
        assert "not reachable within the feasible range" in text and "606.7 万亩/年" in text
    else:
        assert sol.value <= lv.feasible.high * (1 + 1e-9)
    # 5000 万亩 of HSF by 2025 is more than the 4695 万亩 under grain (though less than the 5810 万亩 of
    # cultivated land, so the sector alone would build it at 667.6 万亩/年): not reachable
    i = [t.id for t in sc.targets].index("hsf_area_2025")
    sc.targets[i] = dataclasses.replace(sc.targets[i], value=5000e4)
    far = solve(sc, lv, "hsf_area_2025", probability=0.8, runs=50)
    assert far.value is None and far.status == "not reachable"
    assert "limit: HSF stock within the land under grain by the end year = 606.7 万亩/年" in far.describe(lv.spec.unit)


def test_solve_with_a_given_range_stays_in_it_and_names_the_limit(write):
    sc = _grain(write, hsf_target="900 亩", hsf_build_mu_per_yr="0 亩/年")  # more than the 800 亩 under grain
    lv = lever(sc, "land_grain.hsf_build_mu_per_yr", "0 亩/年", "1000 亩/年")
    sol = solve(sc, lv, "h")
    assert sol.value is None and sol.status == "not reachable"
    assert "limit: HSF stock within the land under grain" in sol.describe(lv.spec.unit)


def test_sweep_designs_stay_within_the_feasible_range_and_flag_the_centre_beyond_it(write):
    sc = _grain(write, hsf_build_mu_per_yr="300 亩/年")  # the scenario's own value is beyond 233.3
    lv = lever(sc, "land_grain.hsf_build_mu_per_yr", "0 亩/年", "1000 亩/年")
    grid = design_points([lv], "grid", [5], 0, 0)
    assert grid.max() == pytest.approx(700 / 3) and within_feasible([lv], grid).all()
    oat = design_points([lv], "oat", [3], 0, 0)
    assert oat[0, 0] == 300 and within_feasible([lv], oat).tolist() == [False, True, True, True]


def test_allocate_clips_a_driver_at_its_bound_and_flags_it(write):
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩", hsf_build_mu_per_yr="0 亩",
                       red_line_mu="0 亩")
    data["investments"] = {"hsf": {"param": "land_grain.hsf_build_mu_per_yr", "cost": "1 万元/亩"},
                           "reclaim": {"param": "land_grain.reclamation_mu_per_yr", "cost": "2 万元/亩"}}
    data["targets"] = {"h": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023}}
    sc = load_scenario(write("two.yaml", data))
    bound = 700 / 3
    problem = BudgetProblem(sc.investments, {2021: 5e6, 2022: 5e6, 2023: 5e6}, {}, {},
                            {"land_grain.hsf_build_mu_per_yr": bound})
    rows = spend_arrays(sc, problem, np.array([[1.0, 0.0], [0.2, 0.8]]))
    # 500 万元 a year buys 500 亩 a year, clipped to 233.3; 100 万元 buys 100 亩, within the bound
    np.testing.assert_allclose(rows["land_grain.hsf_build_mu_per_yr"], [[bound] * 3, [100.0] * 3])
    assert at_bound(sc, problem, np.array([1.0, 0.0])).tolist() == [True, False]
    assert at_bound(sc, problem, np.array([0.2, 0.8])).tolist() == [False, False]
    table = pd.DataFrame({"lever": ["hsf", "reclaim"], "param": [i.param for i in sc.investments],
                          "share": [1.0, 0.0], "at_bound": [True, False]})
    [record] = allocation_tradeoffs({"allocation": table}, sc, 1.5e7)
    assert record.kind == "lever_at_bound" and record.sector == "land_grain" and record.targets == ("h",)


# --- one test per trade-off kind -----------------------------------------------------------------

def test_shuozhou_vegetables_cut_by_land_priority(root):
    """Every year: grain 410, forage 100 and herbs 25 万亩 of the 575.6 red line leave 40.6 of the
    50 万亩 vegetable claim: an 18.8 % cut from 2021 (the base year's over-commitment is data)."""
    sc = load_scenario(root / "scenarios" / "shuozhou_land_2025.yaml")
    records = scenario_tradeoffs(sc)
    [cut] = _kinds(records, "land_curtailed")
    left = 575.6 - 410 - 100 - 25
    assert cut.sector == "other_crops" and cut.year == 2021
    assert cut.size == pytest.approx(1 - left / 50, abs=2e-3) and cut.size == pytest.approx(0.188, abs=2e-3)
    assert "18.8%" in cut.en and "18.8% in 2025" in cut.en and "压减" in cut.zh
    assert cut.targets == ()  # vegetables have no target: the warning goes on every row
    # the base-year over-commitment (data) is a record too; later years are resolved by the cut
    [over] = _kinds(records, "land_overcommitted")
    assert over.year == 2020 and over.size == pytest.approx(9.4 / 575.6, abs=2e-4)
    verdicts = with_warnings(evaluate(sc.targets, simulate(sc, 1)), records)
    assert all(str(v).startswith("met") for v in verdicts.verdict)
    assert all("18.8%" in w for w in verdicts.warnings)


def test_yangcheng_feed_grain_mostly_imported(root):
    """Feed grain in 2023: 24.23 万吨 demanded, 6.31 grown locally (26.0 % self-sufficient): 74.0 % brought in."""
    sc = load_scenario(root / "scenarios" / "yangcheng_feed_2023.yaml")
    res = simulate(sc, 1)
    [imp] = _kinds(scenario_tradeoffs(sc), "feed_imported")
    assert imp.size == pytest.approx(1 - res.data["feed_grain_self_sufficiency"][0, -1])
    assert imp.size == pytest.approx(1 - 6.308064 / 24.2279684, abs=1e-3) and imp.year == 2023 and "74%" in imp.en
    assert set(imp.targets) == {"pigs_slaughtered_2023", "laying_hens_2023"}
    # settable threshold: above 80 % only, no warning
    assert not _kinds(scenario_tradeoffs(sc, TradeOffThresholds(import_share=0.8)), "feed_imported")
    verdicts = with_warnings(evaluate(sc.targets, res), scenario_tradeoffs(sc)).set_index("target")
    assert "74%" in verdicts.loc["pigs_slaughtered_2023", "warnings"]
    assert verdicts.loc["grain_output_2023", "warnings"] == ""  # not a cost of the grain target


def test_feed_cap_cuts_the_herds(root, write):
    """Import cap 10 万吨: the herds can eat 6.39 + 10 of 25.92 万吨 (63.2 %), so each is cut by 36.8 %."""
    path = write("capped.yaml", {"extends": str(root / "scenarios" / "yangcheng_feed_2023.yaml"),
                                 "overrides": {"feed.grain_import_cap_kg_per_yr": "10 万吨/年"}})
    sc = load_scenario(path)
    full = simulate(load_scenario(root / "scenarios" / "yangcheng_feed_2023.yaml"), 1)
    demand, local = full.data["feed_grain_demand"][0, -1], full.data["feed_grain_local"][0, -1]
    fed = (local + 1e8) / demand
    capped = {r.sector: r for r in _kinds(scenario_tradeoffs(sc), "feed_capped")}
    assert set(capped) == {"pigs", "layers"}
    for herd in ("pigs", "layers"):
        assert capped[herd].year == 2023 and capped[herd].size == pytest.approx(1 - fed, rel=1e-6)
    assert capped["pigs"].targets == ("pigs_slaughtered_2023",)


def test_levers_at_their_bound_in_a_run(write, root):
    # HSF built at 300 亩 a year reaches 1000 亩 in 2023, 200 亩 more than the 800 亩 under grain
    sc = _grain(write, hsf_build_mu_per_yr="300 亩/年")
    [hsf] = _kinds(scenario_tradeoffs(sc), "lever_at_bound")
    assert hsf.sector == "land_grain" and hsf.year == 2023 and hsf.size == pytest.approx(200 / 1000)
    assert "exceeds the land under grain" in hsf.en and "raises no grain yield" in hsf.en
    # sows planned to grow faster than their biology
    path = write("fast.yaml", {"extends": str(root / "scenarios" / "shanxi_pigs_2025.yaml"),
                               "overrides": {"pigs.sow_herd_growth_per_yr": "500 %/yr"}})
    fast = load_scenario(path)
    limit = float(pigs.max_sow_growth_per_yr(all_arrays(fast, 1)["pigs"])[0])
    [sows] = [r for r in _kinds(scenario_tradeoffs(fast), "lever_at_bound") if r.sector == "pigs"]
    assert sows.size == pytest.approx(5.0 - limit) and "the herd is capped" in sows.en


def test_budget_saturation_is_found_and_reported(write):
    """Two levers each need 100 万元 a year (see test_allocate): both targets are met from a budget of
    exactly 600 万元 (factor 1 of 200 万元 × 3 years), not below; from 1200 万元 the budget saturates."""
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩", hsf_build_mu_per_yr="0 亩",
                       red_line_mu="0 亩")
    data["investments"] = {"hsf": {"param": "land_grain.hsf_build_mu_per_yr", "cost": "1 万元/亩"},
                           "reclaim": {"param": "land_grain.reclamation_mu_per_yr", "cost": "2 万元/亩"}}
    data["targets"] = {
        "hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023},
        "land": {"indicator": "cultivated_land", "kind": "at_least", "value": "1150 亩", "year": 2023}}
    sc = load_scenario(write("two.yaml", data))
    problem = BudgetProblem(sc.investments, {2021: 4e6, 2022: 4e6, 2023: 4e6}, {}, {})
    curve = budget_curve(sc, problem, ["hsf", "land"], "expected-targets-met", 1, 0, factors=(0.25, 0.5, 1.0))
    sat = saturation(curve, 1.2e7)
    assert sat["saturated"] and sat["from_yuan"] == pytest.approx(6e6)
    assert 6e6 * 0.95 <= sat["above_yuan"] < 6e6 and sat["objective_no_money"] == 0
    [record] = allocation_tradeoffs({"budget_curve": curve}, sc, 1.2e7)
    assert record.kind == "budget_saturated" and record.size == pytest.approx(6e6)
    assert "saturates from about 600 万元" in record.en and "1,200 万元" in record.en


# --- the headline ---------------------------------------------------------------------------------

def test_all_met_never_prints_without_its_trade_off(root, tmp_path, capsys):
    """Shuozhou: every target "met", vegetables cut 18.8 %: the cut is printed under the table, in every
    row of targets.csv and in report.html."""
    assert main(["run", str(root / "scenarios" / "shuozhou_land_2025.yaml"), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "shuozhou_land_2025" / "run"
    table = pd.read_csv(folder / "targets.csv", keep_default_na=False)
    assert table.verdict.str.startswith("met").all()
    assert "trade-off: land priority cuts other crops" in out and "18.8%" in out
    assert table.warnings.str.contains("18.8%", regex=False).all()
    assert "18.8%" in (folder / "report.html").read_text(encoding="utf-8")


@pytest.mark.long
def test_every_bundled_trade_off_sits_beside_the_verdicts_it_qualifies(root):
    """For each bundled scenario, every record reaches the table: on its targets' rows, or on every row."""
    seen = set()
    for path in sorted((root / "scenarios").glob("*.yaml")):
        sc = load_scenario(path)
        records = scenario_tradeoffs(sc)
        table = with_warnings(evaluate(sc.targets, simulate(sc, 1)), records).set_index("target")
        for r in records:
            rows = r.targets or tuple(table.index)
            assert all(r.en in table.loc[t, "warnings"] for t in rows), (path.name, r.kind)
            seen.add(r.kind)
    assert {"land_curtailed", "feed_imported", "land_overcommitted"} <= seen


def test_joint_row_carries_every_warning_and_the_scorecard_shows_them(root):
    sc = load_scenario(root / "scenarios" / "shuozhou_land_2025.yaml")
    verdicts = evaluate(sc.targets, simulate(sc, 1))
    joint = pd.DataFrame([{**verdicts.iloc[0].to_dict(), "target": "ALL"}])
    records = scenario_tradeoffs(sc)
    table = with_warnings(pd.concat([verdicts, joint], ignore_index=True), records)
    assert table.set_index("target").loc["ALL", "warnings"].count(SEPARATOR) == len(records) - 1
    assert from_table(table) == [r.en for r in records]
    fig = charts.scorecard(table, "en")
    shown = [t.get_text() for t in fig.texts]
    assert any(s.startswith("warning: land priority cuts") and "10⁴ mu" in s for s in shown)


def test_api_runs_expose_their_trade_offs(root):
    r = agrosim.run(root / "scenarios" / "yangcheng_feed_2023.yaml")
    assert [t.kind for t in r.tradeoffs()] == ["feed_imported"]
    assert r.tradeoffs(TradeOffThresholds(import_share=0.9)) == []
