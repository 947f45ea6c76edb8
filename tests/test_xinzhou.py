"""Xinzhou (params/xinzhou.yaml, seed 002): the base year reproduces the plan's 2020 column, the plan
scenario evaluates its targets, the stress scenarios bite where they should, and the plan's known
inconsistencies are recorded in the region file."""
from __future__ import annotations

import numpy as np
import pytest
import yaml

import agrosim
from conftest import ROOT

PARAMS = ROOT / "params" / "xinzhou.yaml"
SEED = ROOT / "plans" / "002_42888793c1985d90.txt"


def _run(name: str):
    return agrosim.run(ROOT / "scenarios" / f"{name}.yaml")


def _at(run, indicator: str, year: int, unit: str | None = None) -> float:
    res = run.results
    return float(res.series(indicator, unit)[0, res.year_index(year)])


@pytest.fixture(scope="module")
def plan():
    return _run("xinzhou_plan_2025")


def test_base_year_reproduces_the_plans_2020_column():
    """表一 2020: grain capacity 194.82, eggs 7.63, milk 6.11, fruit 3.33, meat 8.13 万吨 (L132-L167);
    cultivated land 633.44 万亩 (L213)."""
    base = _run("xinzhou_baseline")
    assert _at(base, "grain_output", 2020) == pytest.approx(194.82, rel=1e-3)
    assert _at(base, "egg_output", 2020) == pytest.approx(7.63, rel=1e-9)
    assert _at(base, "milk_output", 2020) == pytest.approx(6.11, rel=2e-3)
    assert _at(base, "perennial_output_fruit", 2020, "万吨") == pytest.approx(3.33, rel=2e-3)
    assert _at(base, "cultivated_land", 2020) == pytest.approx(633.44, rel=1e-9)
    meat = sum(_at(base, i, 2020) for i in ("pork_output", "beef_output", "mutton_output", "broiler_meat_output"))
    assert meat == pytest.approx(8.13, rel=0.01)


def test_plan_scenario_evaluates_the_pig_target_and_builds_the_hsf_task(plan):
    v = plan.verdicts.set_index("target")
    pigs = v.loc["pigs_slaughtered_2025"]
    assert (pigs["kind"], pigs["target_value"], pigs["unit"]) == ("at_least", 180, "万头")
    assert pigs["source"].startswith("002_42888793c1985d90.txt L506") and "180万头" in pigs["source"]
    assert 65 < pigs["projected"] < 520  # grows from the placeholder base, far below the companies' 520 万头
    assert v.loc["hsf_task_2025", "verdict"] == "met"
    assert v.loc["grain_capacity_2025", "verdict"] == "met"
    # the three company projects come online as places in 2022 (assumed 18-month build from 2021)
    places = plan.results.series("pig_places")[0]
    years = plan.results.years
    assert places[years.index(2022)] - places[years.index(2021)] == pytest.approx(70 + 114 + 44)


def test_stress_scenarios_bite(plan):
    asf, drought = _run("xinzhou_pigs_asf"), _run("xinzhou_drought_2023")
    assert _at(asf, "pigs_slaughtered", 2024) < 0.9 * _at(plan, "pigs_slaughtered", 2024)
    assert _at(asf, "pigs_slaughtered", 2025) < _at(plan, "pigs_slaughtered", 2025)
    assert _at(drought, "grain_output", 2023) == pytest.approx(0.88 * _at(plan, "grain_output", 2023), rel=1e-9)
    got = drought.verdicts.set_index("target")["verdict"]
    assert got["grain_output_2023"] == "missed" and plan.verdicts.set_index("target").loc["grain_output_2023", "verdict"] == "met"


def test_inconsistencies_are_recorded_with_lines_that_say_so():
    text = PARAMS.read_text(encoding="utf-8")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    # mechanisation: 70 % in 表一 (L207) and at L89, 74 % at L439
    assert lines[207 - 1].strip() == "70" and "农业机械化覆盖率达到70%以上" in lines[89 - 1]
    assert "全市农作物耕种收综合机械化率达到74%" in lines[439 - 1]
    assert "Mechanisation" in text and "L439" in text and "L205-L207" in text
    # pigs: 180 万头 target vs 160 + 260 + 100 万头 of company projects
    assert all(q in lines[834 - 1] for q in ("年出栏160万头", "年出栏260万头", "年出栏100万头"))
    targets = yaml.safe_load(text)["targets"]
    assert "520" in targets["pigs_slaughtered_2025"]["source"]["note"]
    assert "inconsistency" in targets["layer_flock_2025"]["source"]["note"]
    assert "inconsistency" in targets["dairy_herd_2025"]["source"]["note"]
    assert "inconsistency" in targets["fruit_output_2025"]["source"]["note"]


def test_every_herd_placeholder_is_marked_an_assumption():
    data = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    for sector, key in (("pigs", "base_slaughter_head_per_yr"), ("beef", "base_slaughter_head_per_yr"),
                        ("sheep", "base_slaughter_head_per_yr"), ("broilers", "base_slaughter_head_per_yr")):
        entry = data[sector][key]
        assert entry["assumption"] is True and (entry.get("note") or entry["source"].get("note")), f"{sector}.{key}"
    assert "assumption" not in data["layers"]["base_egg_output_kg_per_yr"]  # 7.63 万吨 is the plan's own figure
    assert "assumption" not in data["dairy"]["base_milk_output_kg_per_yr"]  # 6.11 万吨 too; the cows are derived
    assert np.isclose(sum(c["area_share"]["value"] for c in data["land_grain"]["crops"].values()), 1.0, atol=1e-9)


def test_inconsistencies_are_structured_and_reported(plan, tmp_path, capsys):
    from agrosim.cli import main

    sc = agrosim.load_scenario(ROOT / "scenarios" / "xinzhou_plan_2025.yaml")
    rec = sc.inconsistencies
    assert {"mechanisation_70_vs_74", "pig_projects_vs_target", "meat_total_vs_herds"} <= set(rec)
    assert [e.source.line for e in rec["mechanisation_70_vs_74"].evidence] == [89, 439]
    assert rec["pig_projects_vs_target"].targets == ["pigs_slaughtered_2025"]
    assert main(["validate", str(ROOT / "scenarios" / "xinzhou_plan_2025.yaml")]) == 0
    assert "plan inconsistency pig_projects_vs_target:" in capsys.readouterr().out
    html = plan.write(tmp_path).joinpath("report.html").read_text(encoding="utf-8")
    assert "Inconsistencies in the plan" in html and "L439 「全市农作物耕种收综合机械化率达到74%」" in html


def test_inconsistency_naming_an_unknown_target_is_refused(write):
    from agrosim.errors import InputError

    data = {"extends": str(PARAMS), "inconsistencies": {"x": {"en": "text", "targets": ["pigs_2099"]}}}
    with pytest.raises(InputError) as err:
        agrosim.load_scenario(write("bad.yaml", data))
    assert "inconsistencies.x.targets.0" in str(err.value) and "'pigs_2099'" in str(err.value)
