"""Silkworm: mulberry cohorts conserve area, leaf comes in after establishment, boxes never exceed the
leaf or household limits, cocoons = boxes × kg per box, the Yangcheng 2023 targets, vectorisation."""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from agrosim import InputError, evaluate, load_scenario, simulate
from agrosim.engine import check_balances
from agrosim.sectors import silkworm
from herd_util import params

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "yangcheng_silkworm_2023.yaml"
SECTOR = silkworm.SECTOR


def run(p, years):
    """init + steps with the engine's balance check; returns [(state, flows)] for years 0..years."""
    state, flows = SECTOR.init(p)
    out = [(state, flows)]
    for t in range(1, years + 1):
        new, flows = SECTOR.step(state, p, t)
        check_balances(SECTOR, state, new, flows, 2020 + t)
        np.testing.assert_allclose(new["mulberry_cohorts_mu"].sum(axis=1), new["mulberry_area_mu"], rtol=1e-12)
        assert np.all(new["mulberry_cohorts_mu"] >= 0)
        out.append((new, flows))
        state = new
    return out


def test_new_mulberry_reaches_full_leaf_after_establishment():
    """1000 mu full leaf in the base year, 600 mu planted in year 1, establishment 2 years, 1000 kg/mu:
    leaf 1.0e6 kg in year 1 (new planting at age 0 gives none), 1.3e6 in year 2 (age 1: half), 1.6e6 in year 3."""
    p = params(SECTOR, mulberry_area_mu=1000, leaf_kg_per_mu=1000, establishment_yr=2,
               mulberry_planted_mu_per_yr=np.array([[0, 600, 0, 0, 0, 0]]), sheets_ordered_per_yr=0,
               rearing_households=0)
    leaf = [SECTOR.report(s, f, p, t)["mulberry_leaf"][0] for t, (s, f) in enumerate(run(p, 4))]
    assert leaf == pytest.approx([1.0e6, 1.0e6, 1.3e6, 1.6e6, 1.6e6])


def test_removal_and_planting_close_the_area_balance():
    p = params(SECTOR, mulberry_area_mu=5000, mulberry_removal_per_yr=0.1, mulberry_planted_mu_per_yr=300,
               sheets_ordered_per_yr=0, rearing_households=100, households_change_per_yr=-0.05)
    out = run(p, 5)
    area = [s["mulberry_area_mu"][0] for s, _ in out]
    expected = [5000.0]
    for _ in range(5):
        expected.append(expected[-1] * 0.9 + 300)
    assert area == pytest.approx(expected)
    assert out[-1][0]["rearing_households"][0] == pytest.approx(100 * 0.95 ** 5)


def test_leaf_limit_binds_by_season():
    """1000 mu × 1000 kg = 1e6 kg leaf, 600 kg per box: spring leaf 35 % feeds 583.3 boxes, summer 25 %
    416.7, autumn 40 % 666.7; ordered 10 000 boxes, households unlimited → reared = the leaf limits."""
    p = params(SECTOR, mulberry_area_mu=1000, sheets_ordered_per_yr=10000, rearing_households=1e6)
    rep = SECTOR.report(*SECTOR.init(p), p, 0)
    assert rep["silkworm_sheets_reared_spring"][0] == pytest.approx(1e6 * 0.35 / 600)
    assert rep["silkworm_sheets_reared_summer"][0] == pytest.approx(1e6 * 0.25 / 600)
    assert rep["silkworm_sheets_reared_autumn"][0] == pytest.approx(1e6 * 0.40 / 600)
    assert rep["silkworm_sheets_unreared"][0] == pytest.approx(10000 - 1e6 / 600)
    assert rep["cocoon_output"][0] == pytest.approx(45 * 1e6 / 600)


def test_household_limit_binds():
    """2000 households × 1.5 boxes = 3000 boxes a season at most; autumn asks 0.5 × 10 000 = 5000."""
    p = params(SECTOR, mulberry_area_mu=1e6, sheets_ordered_per_yr=10000, rearing_households=2000)
    rep = SECTOR.report(*SECTOR.init(p), p, 0)
    assert rep["silkworm_sheets_reared_spring"][0] == pytest.approx(3000)
    assert rep["silkworm_sheets_reared_summer"][0] == pytest.approx(1500)
    assert rep["silkworm_sheets_reared_autumn"][0] == pytest.approx(3000)
    assert rep["silkworm_sheets_reared"][0] == pytest.approx(7500)


@settings(max_examples=60, deadline=None)
@given(area=st.floats(0, 1e5), leaf=st.floats(0, 3000), per_sheet=st.floats(300, 1000), hh=st.floats(0, 2e4),
       per_hh=st.floats(0, 5), ordered=st.floats(0, 1e5), kg=st.floats(20, 60), spring=st.floats(0, 1),
       removal=st.floats(0, 0.5), planted=st.floats(0, 5000))
def test_boxes_within_limits_and_cocoons_equal_boxes_times_yield(area, leaf, per_sheet, hh, per_hh, ordered, kg,
                                                                 spring, removal, planted):
    p = params(SECTOR, mulberry_area_mu=area, leaf_kg_per_mu=leaf, leaf_kg_per_sheet=per_sheet,
               rearing_households=hh, sheets_per_household=per_hh, sheets_ordered_per_yr=ordered,
               cocoon_kg_per_sheet=kg, spring_sheet_share=spring, summer_sheet_share=0.0,
               autumn_sheet_share=1 - spring, mulberry_removal_per_yr=removal, mulberry_planted_mu_per_yr=planted)
    for t, (s, f) in enumerate(run(p, 3)):
        r = silkworm.rearing(s, p, t)
        assert np.all(r["reared"] <= r["leaf_limit"] * (1 + 1e-12))
        assert np.all(r["reared"] <= r["household_limit"] * (1 + 1e-12))
        assert np.all(r["reared"] <= r["ordered"] * (1 + 1e-12))
        assert np.all(r["leaf_limit"] * per_sheet <= r["leaf_kg"][:, None] + 1e-6)
        rep = SECTOR.report(s, f, p, t)
        assert rep["cocoon_output"][0] == pytest.approx(rep["silkworm_sheets_reared"][0] * kg, rel=1e-12, abs=1e-9)


def test_outbreak_cuts_cocoons_not_boxes():
    p = params(SECTOR, mulberry_area_mu=1e5, sheets_ordered_per_yr=1000, rearing_households=1e4,
               outbreak_loss_fraction=np.array([[0, 0.3, 0, 0, 0, 0]]))
    reps = [SECTOR.report(s, f, p, t) for t, (s, f) in enumerate(run(p, 2))]
    assert [r["silkworm_sheets_reared"][0] for r in reps] == pytest.approx([1000, 1000, 1000])
    assert [r["cocoon_output"][0] for r in reps] == pytest.approx([45000, 45000 * 0.7, 45000])


def test_yangcheng_2023_met_at_48_and_missed_at_35_kg_per_box():
    """params/yangcheng.yaml uses the county's 2013 figure of 48 kg/张 (the plan's 45 is plan_implied)."""
    sc = load_scenario(SCENARIO)
    verdict = evaluate(sc.targets, simulate(sc, 1)).set_index("target")
    assert verdict.loc["cocoon_output_2023", "verdict"] == "met"
    assert verdict.loc["cocoon_output_2023", "projected"] == pytest.approx(144.0)
    assert verdict.loc["silkworm_sheets_2023", "projected"] == pytest.approx(3.0)
    low = evaluate(sc.targets, simulate(sc, 1, per_run={"silkworm.cocoon_kg_per_sheet": np.array([35.0])}))
    low = low.set_index("target")
    assert low.loc["cocoon_output_2023", "verdict"] == "missed"
    assert low.loc["cocoon_output_2023", "projected"] == pytest.approx(105.0)
    assert low.loc["silkworm_sheets_2023", "verdict"] == "met"


def test_yangcheng_boxes_missed_when_leaf_is_short():
    """9 万亩 at 150 kg/mu = 1.35e7 kg leaf at 600 kg per box: spring feeds 7875 of the 10 500 ordered,
    summer 5625 ≥ the 4500 ordered, autumn 9000 of 15 000 → 21 375 boxes."""
    sc = load_scenario(SCENARIO)
    res = simulate(sc, 1, per_run={"silkworm.leaf_kg_per_mu": np.array([150.0])})
    verdict = evaluate(sc.targets, res).set_index("target")
    assert verdict.loc["silkworm_sheets_2023", "verdict"] == "missed"
    assert res.data["silkworm_sheets_reared"][0, -1] == pytest.approx(7875 + 4500 + 9000)


def test_vectorised_runs_equal_a_loop():
    sc = load_scenario(SCENARIO)
    rng = np.random.default_rng(3)
    per_run = {"silkworm.cocoon_kg_per_sheet": rng.uniform(30, 55, 50),
               "silkworm.leaf_kg_per_mu": rng.uniform(100, 1500, 50),
               "silkworm.mulberry_area_mu": rng.uniform(2e4, 1.1e5, 50),
               "silkworm.rearing_households": rng.uniform(2000, 3e4, 50)}
    together = simulate(sc, 50, per_run=per_run)
    assert len(np.unique(together.data["silkworm_sheets_reared"][:, -1].round(6))) > 10
    for i in range(50):
        one = simulate(sc, 1, per_run={k: v[i:i + 1] for k, v in per_run.items()})
        for name in ("silkworm_sheets_reared", "cocoon_output", "mulberry_leaf"):
            np.testing.assert_allclose(together.data[name][i], one.data[name][0], rtol=1e-12)


def test_season_shares_must_sum_to_one(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(f"extends: {SCENARIO}\nsilkworm:\n  spring_sheet_share: 0.6\n", encoding="utf-8")
    with pytest.raises(InputError, match="spring_sheet_share"):
        load_scenario(f)
