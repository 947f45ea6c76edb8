"""Observed data: milestone tracking, re-forecasting, calibration and backtests on synthetic series."""
import numpy as np
import pandas as pd
import pytest

from agrosim import load_scenario, simulate
from agrosim.analysis.levers import lever
from agrosim.analysis.tracking import backtest, calibrate, calibrated_yaml, implied_path, track
from agrosim.cli import main
from agrosim.errors import InputError
from agrosim.observed import load_observed
from conftest import small_grain


def csv(tmp_path, rows, name="obs.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["region", "indicator", "year", "value", "unit", "source"]).to_csv(path, index=False)
    return path


def hsf_scenario(write):
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩")
    data["targets"] = {"hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023}}
    return load_scenario(write("s.yaml", data))


def test_tracking_verdicts_on_a_hand_built_series(write, tmp_path):
    sc = hsf_scenario(write)  # base HSF 100 亩 → target 400 亩 in 2023: linear milestones 200, 300, 400
    obs = load_observed(csv(tmp_path, [("testland", "hsf_area", 2021, 210, "亩", "synthetic"),
                                       ("testland", "hsf_area", 2022, 290, "亩", "synthetic"),
                                       ("testland", "hsf_area", 2023, 0.04, "万亩", "synthetic"),
                                       ("elsewhere", "hsf_area", 2021, 1, "亩", "ignored")]), sc)
    table = track(sc, obs).set_index("year")
    assert table.implied.tolist() == [200, 300, 400]
    assert table.status.tolist() == ["ahead", "behind", "on track"]
    assert table.loc[2021, "growth_needed_per_yr"] == pytest.approx((400 / 210) ** 0.5 - 1)
    assert table.loc[2022, "growth_needed_per_yr"] == pytest.approx(400 / 290 - 1)
    assert np.isnan(table.loc[2023, "growth_needed_per_yr"])
    assert implied_path(100, 400, 2020, 2023, 2021, "growth") == pytest.approx(100 * 4 ** (1 / 3))


def test_observed_file_errors(write, tmp_path):
    sc = hsf_scenario(write)
    bad = csv(tmp_path, [("testland", "hsf_aera", 2021, 1, "亩", "x"), ("testland", "hsf_area", 2022, 1, "吨", "x")])
    with pytest.raises(InputError) as exc:
        load_observed(bad, sc)
    text = str(exc.value)
    assert "row 2.indicator" in text and "did you mean 'hsf_area'" in text and "row 3.value" in text
    (tmp_path / "cols.csv").write_text("region,indicator\ntestland,hsf_area\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing: year, value, unit, source"):
        load_observed(tmp_path / "cols.csv", sc)


def test_reforecast_equals_a_fresh_run_started_at_the_observed_state(write, tmp_path):
    kw = dict(land_loss_mu_per_yr="3 亩/年", reclamation_mu_per_yr="1 亩/年", red_line_mu="900 亩")
    sc = load_scenario(write("a.yaml", small_grain(**kw)))
    obs = {"cultivated_land": 980.0, "hsf_area": 260.0, "grain_sown_area": 750.0, "grain_output": 290_000.0}
    re = simulate(sc, 1, observed={2022: obs})
    for name, value in obs.items():
        assert re.data[name][0, 2] == pytest.approx(value, rel=1e-12)
    # a fresh scenario whose base year is 2022 and whose base-year state is the observation
    base_kg = 750 * (0.5 * 400 + 0.5 * 1000 * 0.2)
    k = obs["grain_output"] / base_kg
    fresh_data = small_grain(**kw, cultivated_land_mu="980 亩", hsf_area_mu="260 亩", grain_area_mu="750 亩")
    fresh_data.update(base_year=2022, end_year=2023)
    fresh_data["land_grain"]["crops"]["maize"]["base_yield_kg_per_mu"] = f"{400 * k} kg/亩"
    fresh_data["land_grain"]["crops"]["potato"]["base_yield_kg_per_mu"] = f"{1000 * k} kg/亩"
    fresh = simulate(load_scenario(write("f.yaml", fresh_data)))
    for name in ("cultivated_land", "hsf_area", "grain_sown_area", "grain_output", "grain_yield"):
        np.testing.assert_allclose(re.data[name][0, 2:], fresh.data[name][0], rtol=1e-12, err_msg=name)


def test_calibration_recovers_known_parameters_from_noisy_synthetic_data(write, tmp_path):
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩")
    data["end_year"] = 2032
    truth = load_scenario(write("t.yaml", data), {"land_grain.yield_trend_per_yr": "2.5 %/yr",
                                                  "land_grain.hsf_yield_uplift": 0.3})
    res = simulate(truth)
    rng = np.random.default_rng(1)
    rows = [("testland", "grain_output", y, res.data["grain_output"][0, i] * (1 + rng.normal(0, 0.003)), "kg", "synthetic")
            for i, y in enumerate(res.years) if y > 2020]
    obs = load_observed(csv(tmp_path, rows), truth)
    sc = load_scenario(write("s.yaml", data))  # trend 10 %/yr, uplift 0.2 as the starting guess
    levers = [lever(sc, "land_grain.yield_trend_per_yr", "-5 %/yr", "10 %/yr"),
              lever(sc, "land_grain.hsf_yield_uplift", "0", "1")]
    fit = calibrate(sc, obs, levers)
    assert fit.values[0] == pytest.approx(0.025, abs=3 * fit.std_errors[0] + 1e-4)
    assert fit.values[1] == pytest.approx(0.3, abs=3 * fit.std_errors[1] + 1e-3)
    assert 0 < fit.std_errors[0] < 0.005 and fit.rms_relative < 0.006 and fit.points == 12
    # the written scenario loads and reproduces the fitted run
    out = calibrated_yaml(str(tmp_path / "s.yaml"), fit, "obs.csv", "cal")
    import yaml
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(out, allow_unicode=True), encoding="utf-8")
    cal = load_scenario(tmp_path / "cal.yaml")
    assert cal.params["land_grain"]["yield_trend_per_yr"].value == pytest.approx(fit.values[0], rel=1e-5)
    assert "least-squares fit to 12 observed points" in cal.params["land_grain"]["yield_trend_per_yr"].note


def test_backtest_errors_hand_computed(write, tmp_path):
    sc = load_scenario(write("s.yaml", small_grain()))
    model = simulate(sc).data["grain_output"][0]
    obs = load_observed(csv(tmp_path, [("testland", "grain_output", 2021, model[1] * 1.1, "kg", "x"),
                                       ("testland", "grain_output", 2022, model[2] * 0.95, "kg", "x"),
                                       ("testland", "grain_output", 2020, 1, "kg", "base year: skipped")]), sc)
    points, summary = backtest(sc, obs)
    e1, e2 = 100 * (1 / 1.1 - 1), 100 * (1 / 0.95 - 1)
    np.testing.assert_allclose(points.error_pct, [e1, e2])
    row = summary.set_index("indicator").loc["grain_output"]
    assert row.points == 2 and row.mape_pct == pytest.approx((abs(e1) + abs(e2)) / 2)
    assert row.bias_pct == pytest.approx((e1 + e2) / 2)


def test_cli_track_reforecast_calibrate_backtest(write, tmp_path, capsys):
    sc_path = write("s.yaml", dict(small_grain(), targets={
        "hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023}}))
    obs = csv(tmp_path, [("testland", "hsf_area", 2021, 140, "亩", "synthetic"),
                         ("testland", "grain_output", 2021, 26, "万kg", "synthetic")])
    out = str(tmp_path / "r")
    assert main(["track", str(sc_path), "--observed", str(obs), "--out", out]) == 0
    assert "behind" in capsys.readouterr().out
    assert (tmp_path / "r" / "s" / "track" / "tracking_hsf.png").is_file()
    assert main(["reforecast", str(sc_path), "--observed", str(obs), "--to", "2026", "--out", out]) == 0
    folder = tmp_path / "r" / "s" / "reforecast"
    res = pd.read_csv(folder / "results.csv")
    hsf = res[res.indicator == "hsf_area"].set_index("year").value
    assert hsf[2021] == pytest.approx(0.014) and hsf[2026] == pytest.approx(0.014 + 5 * 0.005)  # 万亩
    assert main(["reforecast", str(sc_path), "--observed", str(obs), "--runs", "50", "--out", out]) == 0
    assert main(["calibrate", str(sc_path), "--observed", str(obs), "--fit",
                 "land_grain.yield_trend_per_yr=-5 %/yr:20 %/yr", "--out", out]) == 0
    assert " %/yr (standard error " in capsys.readouterr().out  # the rate in the unit written in --fit
    cal = tmp_path / "r" / "s" / "calibrate" / "s_calibrated.yaml"
    assert main(["validate", str(cal)]) == 0
    assert main(["backtest", str(sc_path), "--observed", str(obs), "--out", out]) == 0
    assert (tmp_path / "r" / "s" / "backtest" / "backtest_grain_output.png").is_file()
