"""Back-solving, sweeps and sensitivity on cases with answers known by construction."""
import numpy as np
import pytest
from scipy import stats

from agrosim import load_scenario
from agrosim.analysis.levers import lever
from agrosim.analysis.sensitivity import morris, outcome, sobol, sobol_table, tornado
from agrosim.analysis.solve import solve
from agrosim.analysis.sweep import design_points, sweep
from agrosim.errors import InputError
from conftest import small_grain

BASE_KG = 400 * 400 + 400 * 1000 * 0.2  # base-year output of conftest.small_grain


def scenario(write, **extra):
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩", hsf_build_mu_per_yr="0 亩",
                       yield_trend_per_yr="0 %/yr")
    data.update(extra)
    return load_scenario(write("a.yaml", data))


def test_solve_recovers_known_hsf_rate(write):
    """HSF 100 → ≥ 400 mu by 2023 needs exactly 100 mu a year."""
    sc = scenario(write, targets={"h": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023}})
    sol = solve(sc, lever(sc, "land_grain.hsf_build_mu_per_yr", "0 亩/年", "300 亩/年"), "h")
    assert sol.status == "solved"
    assert sol.value == pytest.approx(100, abs=sol.tolerance + 1e-9) and sol.tolerance < 0.01


def test_solve_recovers_known_growth_rate_and_max_direction(write):
    """Output ≥ base × 1.03³ in 2023 needs trend ≥ 3 %; at_most the same needs trend ≤ 3 %."""
    value = f"{BASE_KG * 1.03 ** 3} kg"
    sc = scenario(write, targets={
        "up": {"indicator": "grain_output", "kind": "at_least", "value": value, "year": 2023},
        "cap": {"indicator": "grain_output", "kind": "at_most", "value": value, "year": 2023}})
    lv = lever(sc, "land_grain.yield_trend_per_yr", "-5 %/yr", "10 %/yr")
    up = solve(sc, lv, "up")
    assert up.value == pytest.approx(0.03, abs=1e-5)
    cap = solve(sc, lv, "cap", direction="max")
    assert cap.value == pytest.approx(0.03, abs=1e-5)


def test_solve_with_probability(write):
    """Weather factor f ~ U(0.9, 1.1), one draw per run for all years: 2023 output ≥ base ⇔
    f ≥ (1+g)^-3, so P(met) = (1.1 − (1+g)^-3) / 0.2."""
    sc = scenario(write, uncertainty={"land_grain.weather_yield_factor": {"dist": "uniform", "low": 0.9, "high": 1.1}},
                  targets={"t": {"indicator": "grain_output", "kind": "at_least", "value": f"{BASE_KG} kg",
                                 "year": 2023}})
    lv = lever(sc, "land_grain.yield_trend_per_yr", "0 %/yr", "10 %/yr")
    sol = solve(sc, lv, "t", probability=0.4, runs=4000, seed=3)
    assert sol.status == "met across the range" and sol.value == 0.0  # P ≈ 0.5 already at g = 0
    sol = solve(sc, lv, "t", probability=0.9, runs=4000, seed=3)
    g90 = (1 / 0.92) ** (1 / 3) - 1  # P(f ≥ 1/(1+g)^3) = 0.9 ⇔ 1/(1+g)^3 = 0.92
    assert sol.value == pytest.approx(g90, abs=0.002)


def test_solve_reports_no_solution(write):
    sc = scenario(write, targets={"h": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023}})
    sol = solve(sc, lever(sc, "land_grain.hsf_build_mu_per_yr", "0 亩/年", "50 亩/年"), "h")
    assert sol.value is None and sol.status == "not met in the range"  # a given range is not extended
    assert "not met for any" in sol.describe("mu/yr")


def test_solve_looks_on_to_the_feasible_bound_beyond_a_documented_range(write):
    """HSF 100 → 700 亩 by 2023 needs 200 亩 a year: beyond the default range (3 × the scenario's 50 = 150)
    but within the feasible 233.3 (800 亩 under grain); 900 亩 (more than the grain land) is not reachable."""
    targets = {"h": {"indicator": "hsf_area", "kind": "at_least", "value": "700 亩", "year": 2023},
               "x": {"indicator": "hsf_area", "kind": "at_least", "value": "900 亩", "year": 2023}}
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩", yield_trend_per_yr="0 %/yr")
    sc = load_scenario(write("b.yaml", {**data, "targets": targets}))
    lv = lever(sc, "land_grain.hsf_build_mu_per_yr")
    assert (lv.high, lv.feasible.high) == (pytest.approx(150), pytest.approx(700 / 3))
    sol = solve(sc, lv, "h")
    assert sol.status == "solved" and sol.value == pytest.approx(200, abs=sol.tolerance + 1e-9)
    far = solve(sc, lv, "x")
    assert far.value is None and far.status == "not reachable" and far.high == pytest.approx(700 / 3)
    assert "not reachable within the feasible range" in far.describe(lv.spec.unit)


def test_lever_errors(write):
    sc = scenario(write)
    with pytest.raises(InputError, match="did you mean 'land_grain.hsf_build_mu_per_yr'"):
        lever(sc, "land_grain.hsf_bild_mu_per_yr", "0 亩", "1 亩")
    with pytest.raises(InputError, match="range"):
        lever(sc, "land_grain.hsf_build_mu_per_yr")  # no range given or documented, and a value of 0
    with pytest.raises(InputError, match="unit of mass"):
        lever(sc, "land_grain.hsf_build_mu_per_yr", "0 吨", "1 吨")


def test_lever_range_falls_back_to_three_times_the_value(write):
    sc = load_scenario(write("b.yaml", small_grain()))  # builds 50 亩 a year
    lv = lever(sc, "land_grain.hsf_build_mu_per_yr")
    assert (lv.low, lv.current, lv.high) == (0.0, 50.0, 150.0)


def test_sweep_grid_matches_closed_form(write, tmp_path):
    sc = scenario(write, targets={"h": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023}})
    levers = [lever(sc, "land_grain.hsf_build_mu_per_yr", "0 亩/年", "200 亩/年"),
              lever(sc, "land_grain.yield_trend_per_yr", "0 %/yr", "4 %/yr")]
    points = design_points(levers, "grid", [5, 3], 0, 0)
    assert points.shape == (15, 2)
    table, store = sweep(sc, levers, points, work_root=tmp_path)
    build = table["land_grain.hsf_build_mu_per_yr"].to_numpy()
    np.testing.assert_array_equal(table["p_met:h"], (100 + 3 * build >= 400).astype(float))
    np.testing.assert_allclose(table["value:h"], np.minimum(100 + 3 * build, 1000))
    assert store.is_dir()


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_space_filling_designs_stay_in_range(write, design):
    sc = scenario(write)
    levers = [lever(sc, "land_grain.hsf_build_mu_per_yr", "10 亩/年", "20 亩/年"),
              lever(sc, "land_grain.yield_trend_per_yr", "1 %/yr", "2 %/yr")]
    pts = design_points(levers, design, [0, 0], 64, 1)
    assert pts.shape == (64, 2)
    assert pts[:, 0].min() >= 10 and pts[:, 0].max() <= 20 and pts[:, 1].min() >= 0.01 and pts[:, 1].max() <= 0.02
    # each of 8 equal bins of each lever holds 8 points: both designs stratify the margins
    assert (np.histogram(pts[:, 0], bins=8, range=(10, 20))[0] == 8).all()


def test_sobol_on_additive_function_matches_analytic():
    """Y = X1 + 2 X2 + 3 X3, Xi ~ U(0,1) independent: S_i = a_i² / Σ a² = 1/14, 4/14, 9/14; S_T = S."""
    table = sobol_table(lambda x: x[0] + 2 * x[1] + 3 * x[2], [stats.uniform(0, 1)] * 3, ["a", "b", "c"], 4096)
    np.testing.assert_allclose(table["first"], [1 / 14, 4 / 14, 9 / 14], atol=0.02)
    np.testing.assert_allclose(table["total"], [1 / 14, 4 / 14, 9 / 14], atol=0.02)


def test_model_sensitivity_rankings(write):
    """Output in 2023 = base × (1+g)^3 × w: w ~ U(0.5, 1.5) dominates g ~ U(0, 1 %); uplift has no HSF change to act on."""
    sc = scenario(write, uncertainty={
        "land_grain.yield_trend_per_yr": {"dist": "uniform", "low": "0 %/yr", "high": "1 %/yr"},
        "land_grain.weather_yield_factor": {"dist": "uniform", "low": 0.5, "high": 1.5},
        "land_grain.hsf_yield_uplift": {"dist": "uniform", "low": 0.1, "high": 0.2}})
    f, label = outcome(sc, indicator="grain_output", year=2023)
    assert label == "grain_output|2023"
    tor = tornado(sc, f).set_index("param")
    assert tor.index[0] == "land_grain.weather_yield_factor"
    assert tor.loc["land_grain.weather_yield_factor", "swing"] == pytest.approx(BASE_KG * 0.9 / 1e7 * 1.005 ** 3,
                                                                               rel=1e-9)
    assert tor.loc["land_grain.hsf_yield_uplift", "swing"] == pytest.approx(0, abs=1e-12)
    mor = morris(sc, f, trajectories=20).set_index("param")
    assert mor.loc["land_grain.hsf_yield_uplift", "mu_star"] == pytest.approx(0, abs=1e-9)
    assert mor.index[0] == "land_grain.weather_yield_factor"
    sob = sobol(sc, f, n=1024).set_index("param")
    assert sob.loc["land_grain.weather_yield_factor", "first"] > 0.95
    assert abs(sob.loc["land_grain.hsf_yield_uplift", "total"]) < 1e-9


def test_prim_finds_the_feasible_box():
    """Success exactly when a ≥ 0.6 and b ≤ 0.5 (c irrelevant): the chosen box says so."""
    import pandas as pd

    from agrosim.analysis.discovery import choose, prim

    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(size=(20_000, 3)), columns=["a", "b", "c"])
    y = (x.a >= 0.6) & (x.b <= 0.5)
    best = choose(prim(x, y.to_numpy()), density=0.95)
    assert set(best.limits) <= {"a", "b"}
    assert best.limits["a"][0] == pytest.approx(0.6, abs=0.03) and best.limits["b"][1] == pytest.approx(0.5, abs=0.03)
    assert best.density >= 0.95 and best.coverage >= 0.85
    assert any(c.startswith("a ≥ 0.") for c in best.conditions())
