"""Verdicts an analyst can defend: regression tests for issue 16 items 1, 2 and 6 (schedules kept by a
Monte Carlo, placeholders that carry their doubt, capacity read as capacity)."""
from pathlib import Path

import numpy as np
import pytest

from agrosim.api import monte_carlo, run
from agrosim.batch import Design
from agrosim import load_scenario
from agrosim.engine import simulate
from agrosim.errors import InputError
from agrosim.targets import yearly_probabilities

ROOT = Path(__file__).resolve().parent.parent
SLOW = ROOT / "scenarios" / "shanxi_grain_slow_hsf.yaml"


def _drawn_results(scenario, runs=400, seed=3):
    design = Design(runs=runs, seed=seed)
    return simulate(scenario, n=runs, per_run=design.per_run(scenario, 0, runs))


def test_monte_carlo_keeps_a_drought_written_as_a_schedule(write):
    """Item 1: the slow-HSF scenario writes a 2024 weather factor of 0.88 in `overrides` and also
    draws the weather per year. The Monte Carlo must keep the drought: its 2024 output equals, run
    by run, that of the same drought written under `droughts:`, and its median sits near the
    deterministic run's 1294 万吨, not near the undroughted ≈1477."""
    as_schedule = load_scenario(SLOW)
    as_event = load_scenario(write("event.yaml", {
        "extends": str(ROOT / "scenarios" / "shanxi_grain_2025.yaml"),
        "overrides": {"land_grain.hsf_build_mu_per_yr": "100 万亩/年"},
        "droughts": [{"year": 2024, "yield_loss": "12 %"}]}))
    a, b = _drawn_results(as_schedule), _drawn_results(as_event)
    i = a.year_index(2024)
    np.testing.assert_allclose(a.data["grain_output"][:, i], b.data["grain_output"][:, i], rtol=1e-12)
    median_wt = np.median(a.data["grain_output"][:, i]) / 1e7
    central_wt = run(as_schedule).results.data["grain_output"][0, i] / 1e7
    assert central_wt == pytest.approx(1294, abs=2)
    assert abs(median_wt - central_wt) < 0.02 * central_wt
    # per-year draws keep their spread around the drought (sd 6 % of the centre, truncated)
    spread = np.std(a.data["grain_output"][:, i]) / np.mean(a.data["grain_output"][:, i])
    assert 0.04 < spread < 0.08


def test_a_single_draw_on_a_scheduled_parameter_is_refused(write):
    """A non-per-year distribution would replace the whole schedule: no clear meaning, exit 2."""
    path = write("bad.yaml", {"extends": str(SLOW), "uncertainty": {
        "land_grain.weather_yield_factor": {"dist": "uniform", "low": 0.9, "high": 1.1, "per_year": False}}})
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert "per_year: true" in str(err.value) and "land_grain.weather_yield_factor" in str(err.value)


def _placeholder_scenario(write, **hsf_uplift):
    uplift = {"value": 0.15, "assumption": True, **hsf_uplift}
    return write("ph.yaml", {"extends": str(ROOT / "scenarios" / "shanxi_grain_2025.yaml"),
                             "uncertainty": None, "land_grain": {"hsf_yield_uplift": uplift}})


def test_placeholders_with_a_range_are_drawn_over_it(write):
    """Item 2: an `assumption: true` figure with a range is drawn uniformly over that range."""
    sc = load_scenario(_placeholder_scenario(write, range=[0.10, 0.20]))
    assert "land_grain.hsf_yield_uplift" in sc.placeholders.drawn
    draws = Design(runs=2000, seed=1).per_run(sc, 0, 2000)["land_grain.hsf_yield_uplift"]
    assert 0.10 <= draws.min() < 0.102 and 0.198 < draws.max() <= 0.20
    assert np.mean(draws) == pytest.approx(0.15, abs=0.005)


def test_fixed_assumptions_hold_placeholders(write):
    sc = load_scenario(_placeholder_scenario(write, range=[0.10, 0.20]), {"fixed_assumptions": True})
    assert "land_grain.hsf_yield_uplift" not in Design(runs=10, seed=1).per_run(sc, 0, 10)


def test_placeholder_without_a_range_is_refused_in_monte_carlo_unless_pinned(write, tmp_path):
    path = _placeholder_scenario(write)
    with pytest.raises(InputError) as err:
        monte_carlo(path, runs=10, work_root=tmp_path)
    assert "land_grain.hsf_yield_uplift" in str(err.value) and "range" in str(err.value)
    assert run(path).verdicts.shape[0] == 3  # a central run needs no draws
    pinned = load_scenario(_placeholder_scenario(write, pinned="held for this test"))
    assert pinned.placeholders.pinned["land_grain.hsf_yield_uplift"] == "held for this test"
    assert monte_carlo(pinned, runs=10, work_root=tmp_path).verdicts.runs.iloc[0] == 10


def test_placeholders_change_the_probability_not_only_the_spread(write, tmp_path):
    """A target a few per cent away from a point-valued placeholder is not certain: drawing the
    placeholder over its range turns P = 0 into a probability strictly between 0 and 1."""
    sc_file = write("pig.yaml", {
        "extends": str(ROOT / "scenarios" / "shanxi_grain_2025.yaml"), "uncertainty": None,
        "land_grain": {"yield_trend_per_yr": {"value": "0 %/yr", "assumption": True,
                                              "range": ["-1 %/yr", "2 %/yr"]},
                       "weather_yield_factor": 1.0},  # weather set by this scenario: the trend alone is in doubt
        "targets": {"grain_capacity_2025": None, "grain_sown_area_2025": None, "hsf_area_2025": None,
                    "output": {"indicator": "grain_output", "kind": "at_least", "value": "1560 万吨",
                               "year": 2025}}})
    held = monte_carlo(load_scenario(sc_file, {"fixed_assumptions": True}), runs=200, work_root=tmp_path)
    drawn = monte_carlo(sc_file, runs=200, work_root=tmp_path)
    assert held.verdicts.p_met.iloc[0] == 0.0
    assert 0.1 < drawn.verdicts.p_met.iloc[0] < 0.9
    # the table names the placeholder the verdict rests on, with its rank correlation
    assert drawn.verdicts.driven_by.iloc[0].startswith("land_grain.yield_trend_per_yr (placeholder, ρ +0.9")


def test_capacity_target_reads_normal_weather_output():
    """Item 6: 粮食综合生产能力稳定在1365万吨以上 is judged on grain_capacity (normal weather); a 2024
    drought cuts realised output, not capacity, and realised output gets its own P per year."""
    sc = load_scenario(SLOW)
    target = next(t for t in sc.targets if t.id == "grain_capacity_2025")
    assert target.indicator == "grain_capacity" and target.realised == "grain_output" and target.reading
    res = run(sc).results
    i = res.year_index(2024)
    capacity, output = res.data["grain_capacity"][0], res.data["grain_output"][0]
    assert output[i] == pytest.approx(0.88 * capacity[i], rel=1e-12)
    assert output[i - 1] == pytest.approx(capacity[i - 1], rel=1e-12)  # a normal year: the two agree
    yearly = yearly_probabilities(sc.targets, res).set_index(["target", "role", "year"])
    assert yearly.loc[("grain_capacity_2025", "target", 2024), "p_met"] == 1.0
    assert yearly.loc[("grain_capacity_2025", "realised", 2024), "p_met"] == 0.0  # 1294 < 1365


def test_every_bundled_placeholder_is_drawn_pinned_or_set(root):
    """Every `assumption: true` figure in params/ and scenarios/ has a range (drawn in a Monte Carlo)
    or a stated reason to hold it (pinned): no bundled scenario is refused by `mc`, and none holds
    a placeholder silently."""
    for path in sorted((root / "scenarios").glob("*.yaml")) + sorted((root / "params").glob("*.yaml")):
        held = load_scenario(path).placeholders
        assert held.unranged == (), (path.name, held.unranged)
        assert all(reason.strip() for reason in held.pinned.values()), path.name


def test_sensitivity_includes_placeholders_unless_held(root):
    """The tornado shows how much of a verdict rests on a placeholder; --fixed-assumptions (any
    probabilistic command) holds them, and the parser accepts it on each of those commands."""
    from agrosim.analysis.sensitivity import outcome, tornado
    from agrosim.cli import build_parser

    path = root / "scenarios" / "shanxi_pigs_2025.yaml"
    sc = load_scenario(path)
    assert sc.placeholders.drawn
    f, _ = outcome(sc, indicator="pigs_slaughtered", year=2025)
    swung = set(tornado(sc, f)["param"])
    assert set(sc.placeholders.drawn) <= swung
    held = load_scenario(path, {"fixed_assumptions": True})
    assert not set(sc.placeholders.drawn) & {d.param for d in held.uncertainty}
    for command in (["solve", "x.yaml", "--lever", "a"], ["sweep", "x.yaml", "--param", "a"],
                    ["sensitivity", "x.yaml", "--target", "t"], ["discover", "x.yaml", "--target", "t"],
                    ["allocate", "x.yaml", "--budget", "1 万元"], ["batch", "d"], ["mc", "x.yaml"]):
        assert build_parser().parse_args(command + ["--fixed-assumptions"]).fixed_assumptions is True


def test_a_year_to_year_placeholder_is_drawn_each_year(root):
    """Shanxi's weather factor has no record yet: an assumption with a ±12 % range, drawn afresh each
    year (per_year: true) where a scenario gives no weather distribution of its own."""
    sc = load_scenario(root / "params" / "shanxi.yaml")
    assert "land_grain.weather_yield_factor" in sc.placeholders.drawn
    draws = Design(runs=500, seed=4).per_run(sc, 0, 500)["land_grain.weather_yield_factor"]
    assert draws.shape == (500, len(sc.years) - 1)
    assert 0.88 <= draws.min() < 0.89 and 1.11 < draws.max() <= 1.12
    assert abs(np.corrcoef(draws[:, 0], draws[:, 1])[0, 1]) < 0.15  # independent years
    grain = load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml")
    assert "land_grain.weather_yield_factor" in grain.placeholders.explicit  # its own normal wins


def test_a_rebuilt_report_keeps_the_thresholds_the_run_used(write, tmp_path):
    """`mc --likely 0.25 --unlikely 0.1` on a target with P(met) about 0.3 calls it likely; the
    report says so with its thresholds, metadata.json keeps them, and `agrosim report` redraws the
    same verdict (with the defaults 0.8 / 0.2 it would be uncertain)."""
    import json

    import pandas as pd

    from agrosim.cli import main

    sc_file = _coin(write)
    out = tmp_path / "out"
    assert main(["mc", str(sc_file), "--runs", "200", "--likely", "0.25", "--unlikely", "0.1", "--out", str(out)]) == 0
    folder = out / "coin" / "mc"
    first = pd.read_csv(folder / "targets.csv")
    assert 0.25 <= first.p_met.iloc[0] < 0.8 and first.verdict.iloc[0] == "likely"
    assert json.loads((folder / "metadata.json").read_text())["verdict_thresholds"] == {"likely": 0.25, "unlikely": 0.1}
    assert "1 likely (P ≥ 0.25), 0 uncertain, 0 unlikely (P ≤ 0.1)" in (folder / "report.html").read_text()
    assert main(["report", str(folder)]) == 0
    again = pd.read_csv(folder / "targets.csv")
    assert again.verdict.tolist() == first.verdict.tolist() and again.p_met.tolist() == first.p_met.tolist()
    assert "(P ≥ 0.25)" in (folder / "report.html").read_text()


def _coin(write, name: str = "coin.yaml") -> Path:
    """Shanxi grain with one target whose P(met) is about 0.3 over 200 runs (the yield trend drawn)."""
    return write(name, {
        "extends": str(ROOT / "scenarios" / "shanxi_grain_2025.yaml"), "name": "coin", "uncertainty": None,
        "land_grain": {"yield_trend_per_yr": {"value": "0 %/yr", "assumption": True,
                                              "range": ["-1 %/yr", "2 %/yr"]},
                       "weather_yield_factor": 1.0},
        "targets": {"grain_capacity_2025": None, "grain_sown_area_2025": None, "hsf_area_2025": None,
                    "output": {"indicator": "grain_output", "kind": "at_least", "value": "1560 万吨",
                               "year": 2025}}})


def test_batch_classes_verdicts_with_its_thresholds(write, tmp_path):
    """`batch --runs 200 --likely 0.25 --unlikely 0.1`: the summary and each report use those thresholds."""
    import json

    import pandas as pd

    from agrosim.cli import main

    _coin(write, "plans/coin.yaml")
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "plans"), "--runs", "200", "--likely", "0.25", "--unlikely", "0.1",
                 "--out", str(out)]) == 0
    summary = pd.read_csv(out / "batch-plans" / "summary.csv")
    assert 0.25 <= summary.p_met.iloc[0] < 0.8 and summary.verdict.iloc[0] == "likely"
    meta = json.loads((out / "batch-plans" / "coin" / "metadata.json").read_text())
    assert meta["verdict_thresholds"] == {"likely": 0.25, "unlikely": 0.1}
