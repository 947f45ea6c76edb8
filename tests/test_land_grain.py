"""Land & grain: a hand-computed case, balances under random parameters, vectorisation."""
import functools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from agrosim import load_scenario, simulate
from agrosim.engine import check_balances
from agrosim.param_arrays import sector_arrays
from agrosim.sectors.land_grain import SECTOR
from conftest import ROOT, small_grain


def test_hand_computed_three_years(write):
    res = simulate(load_scenario(write("small.yaml", small_grain())))
    # land: 1000 → 994 (8 lost) → 990 (6 lost, 2 blocked by the 990 red line) → 990 (2 lost, 6 blocked)
    assert res.data["cultivated_land"][0].tolist() == [1000, 994, 990, 990]
    assert res.data["land_loss_blocked"][0].tolist() == [0, 0, 2, 6]
    assert res.data["hsf_area"][0].tolist() == [100, 150, 200, 250]
    # yield factor = 1.1^t × (1 + 0.2 × hsf/800) / (1 + 0.2 × 100/800); base output 400×400 + 400×1000×0.2
    base = 400 * 400 + 400 * 1000 * 0.2
    expected = [base * 1.1 ** t * (1 + 0.2 * h / 800) / 1.025 for t, h in enumerate([100, 150, 200, 250])]
    np.testing.assert_allclose(res.data["grain_output"][0], expected, rtol=1e-12)
    np.testing.assert_allclose(res.data["grain_yield"][0], np.array(expected) / 800, rtol=1e-12)
    assert res.data["grain_output"][0][3] == pytest.approx(240000 * 1.331 * 1.0625 / 1.025, rel=1e-12)  # 331 126.83 kg
    np.testing.assert_allclose(res.data["grain_output_potato"][0][0], 400 * 1000 * 0.2)


def test_grain_area_capped_by_land_and_reported(write):
    data = small_grain(grain_area_growth_per_yr="20 %/yr")
    res = simulate(load_scenario(write("grow.yaml", data)))
    demand = 800 * 1.2 ** np.arange(4)
    land = np.array([1000, 994, 990, 990])
    np.testing.assert_allclose(res.data["grain_sown_area"][0], np.minimum(demand, land))
    np.testing.assert_allclose(res.data["grain_area_shortfall"][0], np.maximum(demand - land, 0), atol=1e-9)


def test_hsf_from_money_and_capped_by_land(write):
    data = small_grain(hsf_build_mu_per_yr="0 亩", hsf_budget_yuan_per_yr="30 万元/年",
                       hsf_cost_yuan_per_mu="1000 元/亩")
    res = simulate(load_scenario(write("money.yaml", data)))
    # 300 000 元 / 1000 元 per mu = 300 mu a year, until HSF fills the cultivated land
    assert res.data["hsf_area"][0].tolist() == [100, 400, 700, 990]
    assert res.data["hsf_spend"][0].tolist() == [0, 3e5, 3e5, 290 * 1000]


@settings(max_examples=60, deadline=None)
@given(
    land=st.floats(1e3, 1e8), loss=st.floats(0, 1e6), reclaim=st.floats(0, 1e6), red=st.floats(0, 1),
    hsf=st.floats(0, 1), build=st.floats(0, 1e7), lapse=st.floats(0, 1), growth=st.floats(-0.3, 0.3),
)
def test_balances_close_for_random_parameters(land, loss, reclaim, red, hsf, build, lapse, growth):
    """Every year the stocks close their balances and nothing goes negative (engine raises otherwise)."""
    p = {
        "cultivated_land_mu": np.array([land]), "red_line_mu": np.array([land * red]),
        "land_loss_mu_per_yr": np.full((1, 6), loss), "reclamation_mu_per_yr": np.full((1, 6), reclaim),
        "multiple_cropping_index": np.array([1.0]), "grain_area_mu": np.array([land * 0.8]),
        "grain_area_growth_per_yr": np.full((1, 6), growth), "hsf_area_mu": np.array([land * hsf]),
        "hsf_build_mu_per_yr": np.full((1, 6), build), "hsf_budget_yuan_per_yr": np.zeros((1, 6)),
        "hsf_cost_yuan_per_mu": np.array([1500.0]), "hsf_lapse_per_yr": np.array([lapse]),
        "hsf_yield_uplift": np.array([0.15]), "yield_trend_per_yr": np.array([0.01]),
        "weather_yield_factor": np.ones((1, 6)),
        "crops.area_share": np.array([[0.6, 0.4, 0, 0, 0, 0, 0]]),
        "crops.base_yield_kg_per_mu": np.array([[400.0, 300, 0, 0, 0, 0, 0]]),
        "crops.grain_equiv": np.ones((1, 7)),
    }
    state, _ = SECTOR.init(p)
    for t in range(1, 6):
        new, flows = SECTOR.step(state, p, t)
        check_balances(SECTOR, state, new, flows, 2020 + t)
        lhs = new["cultivated_land_mu"] - state["cultivated_land_mu"]
        assert abs(lhs - (flows["reclaimed_mu"] - flows["land_lost_mu"]))[0] <= 1e-9 * land
        assert new["cultivated_land_mu"][0] >= min(land * red, state["cultivated_land_mu"][0]) - 1e-6
        assert new["hsf_area_mu"][0] <= new["cultivated_land_mu"][0] * (1 + 1e-12)
        state = new


def test_n1_and_n1000_identical(root):
    sc = load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml")
    one, many = simulate(sc, n=1), simulate(sc, n=1000)
    for name, arr in one.data.items():
        assert np.array_equal(np.repeat(arr, 1000, axis=0), many.data[name]), name


def test_vectorised_equals_per_run_loop(root):
    sc = load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml")
    uplift = np.linspace(0.05, 0.25, 40)
    trend = np.linspace(-0.01, 0.02, 40)
    batch = simulate(sc, n=40, per_run={"land_grain.hsf_yield_uplift": uplift, "land_grain.yield_trend_per_yr": trend})
    for i in range(40):
        single = simulate(sc, n=1, per_run={"land_grain.hsf_yield_uplift": uplift[i:i + 1],
                                            "land_grain.yield_trend_per_yr": trend[i:i + 1]})
        assert np.array_equal(single.data["grain_output"][0], batch.data["grain_output"][i])


def test_shanxi_base_year_reproduces_plan_figures(root):
    """2020 output 1424 万吨 (000 L78) and HSF 1662 万亩 (L78) from the bundled parameters."""
    res = simulate(load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml"))
    assert res.series("grain_output")[0, 0] == pytest.approx(1424, rel=0.005)
    assert res.series("hsf_area")[0, 0] == pytest.approx(1662)
    assert res.series("hsf_area")[0, -1] == pytest.approx(2484)
    assert res.series("grain_sown_area")[0, 0] == pytest.approx(4695.3)


def test_crop_shares_must_sum_to_one(write):
    from agrosim.errors import InputError
    data = small_grain()
    data["land_grain"]["crops"]["maize"]["area_share"] = 0.6
    with pytest.raises(InputError, match="shares summing to 1"):
        load_scenario(write("bad.yaml", data))


def test_param_arrays_shapes(write):
    sc = load_scenario(write("s.yaml", small_grain(hsf_build_mu_per_yr={2022: "70 亩/年"})))
    p = sector_arrays(sc, SECTOR, 3)
    assert p["hsf_build_mu_per_yr"].shape == (3, 4)
    assert p["hsf_build_mu_per_yr"][0].tolist() == [0, 0, 70, 70]  # default before the first year given
    assert p["crops.area_share"].shape == (3, 7)


@settings(max_examples=40, deadline=None)
@given(build=st.floats(0, 3e6), extra=st.floats(0, 3e6), trend=st.floats(-0.02, 0.03), seed=st.integers(0, 2**32))
def test_more_hsf_never_less_grain_in_the_same_random_stream(build, extra, trend, seed):
    """Monotone lever: building more HSF cannot lower any year's output, whatever the weather draws."""
    from agrosim.batch import Design

    sc = _shanxi()
    draws = Design(runs=8, seed=seed).per_run(sc, 0, 8)
    outputs = []
    for b in (build, build + extra):
        per_run = dict(draws, **{"land_grain.hsf_build_mu_per_yr": np.full(8, b),
                                 "land_grain.yield_trend_per_yr": np.full(8, trend)})
        outputs.append(simulate(sc, 8, per_run).data["grain_output"])
    assert np.all(outputs[1] >= outputs[0] * (1 - 1e-12))


@functools.cache
def _shanxi():
    return load_scenario(ROOT / "scenarios" / "shanxi_grain_2025.yaml")
