"""`agrosim calibrate --history`: trend and year-to-year spread of a yield record before the base year,
recovered from synthetic series, and written as a scenario that extends the region."""
import numpy as np
import pandas as pd
import pytest
import yaml

from agrosim import load_scenario, simulate
from agrosim.analysis.tracking import fit_trend_spread
from agrosim.cli import main
from agrosim.observed import load_observed
from conftest import small_grain

TREND, SPREAD = 0.012, 0.05  # 1.2 % a year, 5 % a year around the trend


def history(tmp_path, years, trend=TREND, spread=SPREAD, seed=7, name="history.csv"):
    rng = np.random.default_rng(seed)
    t = np.arange(len(years)) - (len(years) - 1)
    values = 300 * (1 + trend) ** t * np.exp(spread * rng.standard_normal(len(years)) if spread else 0 * t)
    path = tmp_path / name
    pd.DataFrame({"region": "testland", "indicator": "grain_yield", "year": years, "value": values,
                  "unit": "kg/亩", "source": "synthetic yearbook"}).to_csv(path, index=False)
    return path, values


def test_noise_free_series_gives_its_trend_exactly_and_no_spread(tmp_path, write):
    sc = load_scenario(write("s.yaml", small_grain()))
    path, _ = history(tmp_path, list(range(2010, 2020)), spread=0.0)
    fit = fit_trend_spread(load_observed(path, sc), "grain_yield", 2020)
    assert fit.trend_per_yr == pytest.approx(TREND, abs=1e-12)
    assert fit.spread == pytest.approx(0.0, abs=1e-12) and fit.points == 10 and fit.years == (2010, 2019)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_trend_and_spread_recovered_within_their_standard_errors(tmp_path, write, seed):
    """40 years with a 1.2 %/yr trend and 5 % lognormal spread: both estimates lie within two
    standard errors of the truth, and the standard errors are those of OLS (σ/√Σ(x−x̄)², σ/√(2(n−2)))."""
    sc = load_scenario(write("s.yaml", small_grain()))
    path, _ = history(tmp_path, list(range(1980, 2020)), seed=seed)
    fit = fit_trend_spread(load_observed(path, sc), "grain_yield", 2020)
    x = np.arange(40) - 39
    assert fit.trend_se == pytest.approx(fit.spread / np.sqrt(((x - x.mean()) ** 2).sum()) * (1 + fit.trend_per_yr))
    assert fit.spread_se == pytest.approx(fit.spread / np.sqrt(2 * 38))
    assert abs(fit.trend_per_yr - TREND) < 2 * fit.trend_se and fit.trend_se < 0.0015
    assert abs(fit.spread - SPREAD) < 2 * fit.spread_se and fit.spread_se < 0.007


def test_only_years_before_the_base_year_are_fitted(tmp_path, write):
    sc = load_scenario(write("s.yaml", small_grain()))
    path, _ = history(tmp_path, list(range(2014, 2024)), spread=0.0)
    fit = fit_trend_spread(load_observed(path, sc), "grain_yield", 2020)
    assert fit.years == (2014, 2019) and fit.points == 6


def test_cli_writes_a_scenario_that_extends_the_region_with_trend_and_spread(tmp_path, write, capsys):
    region = write("region.yaml", small_grain())
    path, _ = history(tmp_path, list(range(1980, 2020)), seed=1)
    out = tmp_path / "fitted.yaml"
    assert main(["calibrate", str(region), "--history", str(path), "--write", str(out),
                 "--out", str(tmp_path / "reports")]) == 0
    printed = capsys.readouterr().out
    assert "grain_yield: 40 years 1980–2019" in printed
    assert "trend  +1.174%/yr (standard error 0.066%/yr) -> land_grain.yield_trend_per_yr" in printed
    assert "spread 4.761% a year around the trend (standard error 0.546%)" in printed
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["extends"] == "region.yaml"
    trend = data["land_grain"]["yield_trend_per_yr"]
    assert "synthetic yearbook" in trend["source"]["published"] and "1980–2019" in trend["source"]["published"]
    weather = data["uncertainty"]["land_grain.weather_yield_factor"]
    assert weather["dist"] == "normal" and weather["per_year"] and abs(weather["sd"] - SPREAD) < 0.015
    sc = load_scenario(out)  # a valid scenario: the region with the fitted trend
    assert sc.params["land_grain"]["yield_trend_per_yr"].value == pytest.approx(trend["value"])
    assert [d.param for d in sc.uncertainty] == ["land_grain.weather_yield_factor"]
    assert simulate(sc).data["grain_output"].shape == (1, 4)
    assert (tmp_path / "reports" / "region" / "calibrate-weather" / "history_fit.csv").is_file()


def test_too_short_a_record_is_refused_without_traceback(tmp_path, write, capsys):
    region = write("region.yaml", small_grain())
    path, _ = history(tmp_path, [2017, 2018, 2019])
    assert main(["calibrate", str(region), "--history", str(path), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "3 values of grain_yield before 2020" in err and "at least 4 years" in err and "Traceback" not in err
    assert main(["calibrate", str(region), "--out", str(tmp_path)]) == 2
    assert "neither --history nor both --observed and --fit" in capsys.readouterr().err
