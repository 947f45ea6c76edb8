"""Laying hens and broilers: hand-computed cases, balances, cages and places, outbreaks, vectorisation."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from agrosim import load_scenario, simulate
from agrosim.engine import check_balances
from agrosim.sectors import broilers, layers

REGION = {"region": {"id": "testland", "en": "Test county", "zh": "测试县"}, "base_year": 2020}


def layer_arrays(n=1, years=6, **values):
    p = {s.name: np.full((n, years) if s.time_varying else n, s.default, dtype=float) for s in layers.PARAMS}
    p["base_laying_hens_head"] = np.full(n, 1e6)
    for name, value in values.items():
        p[name] = np.broadcast_to(np.asarray(value, dtype=float), p[name].shape).copy()
    return p


def run_layers(p, years=5):
    state, flows = layers.init(p)
    out = [layers.report(state, flows, p, 0)]
    for t in range(1, years + 1):
        new, flows = layers.step(state, p, t)
        check_balances(layers.SECTOR, state, new, flows, 2020 + t)
        state = new
        out.append(layers.report(state, flows, p, t))
    return {k: np.stack([o[k] for o in out], axis=1) for k in out[0]}


def test_layers_hand_computed_outbreak(write):
    """Rearing 1 month, 2 months in lay, no deaths, 1 kg of eggs per hen a month, 100 hens in 100 cages:
    50 chicks a month. Half the flock is lost in January 2021."""
    data = dict(REGION, end_year=2022, layers={
        "base_laying_hens_head": "100 只", "rearing_months": "1 月", "laying_months": "2 月",
        "mortality_rearing": 0, "mortality_laying": 0, "egg_kg_per_hen_yr": "12 kg/只",
        "outbreak_loss_fraction": {2021: 0.5, 2022: 0.0}})
    res = simulate(load_scenario(write("hens.yaml", data)))
    assert res.data["laying_hens"][0].tolist() == pytest.approx([100, 100, 100])
    assert res.data["layer_flock"][0][0] == pytest.approx(150)
    # 2021: hens in lay at the start of each month 50, 50, then 100 (the 75 chicks placed in
    # January are in lay from March), so eggs = 50 + 50 + 10 × 100 kg
    assert res.data["egg_output"][0].tolist() == pytest.approx([1200, 1100, 1200])
    # spent hens: 25, 25, then the alternating 25/75 cohorts of the refill
    assert res.data["spent_hens_slaughtered"][0][1] == pytest.approx(550)
    assert res.data["spent_hens_slaughtered"][0][0] == pytest.approx(600)


def test_layers_steady_state_and_egg_base():
    res = run_layers(layer_arrays(base_laying_hens_head=0, base_egg_output_kg_per_yr=1.7e7))
    np.testing.assert_allclose(res["egg_output"], 1.7e7, rtol=1e-12)
    np.testing.assert_allclose(res["laying_hens"], 1e6, rtol=1e-12)          # 1.7e7 kg / 17 kg per hen
    # 5 months rearing at 5 % loss; 13 months in lay: chicks ≈ hens × 12/13 ÷ 0.95 (≈ 0.97 M a year)
    chicks = res["layer_chicks_placed"][0]
    assert chicks[0] == pytest.approx(chicks[3], rel=1e-9)
    assert 0.9e6 < chicks[0] < 1.05e6
    assert res["spent_hens_slaughtered"][0][2] == pytest.approx(chicks[2] * 0.95 * 0.92, rel=0.02)


def test_layers_cages_bound_and_added_only_in_their_year():
    p = layer_arrays(flock_growth_per_yr=0.3, capacity_added_places_per_yr=[[0, 0, 0, 2e5, 0, 0]])
    res = run_layers(p)
    cages = res["layer_cages"][0]
    assert cages.tolist() == pytest.approx([1e6, 1e6, 1e6, 1.2e6, 1.2e6, 1.2e6])
    assert np.all(res["laying_hens"][0] <= cages * (1 + 1e-12))
    assert res["laying_hens"][0][2] == pytest.approx(1e6) and res["laying_hens"][0][4] == pytest.approx(1.2e6)


def test_layers_outbreak_removes_its_share_and_the_flock_recovers():
    p = layer_arrays(outbreak_loss_fraction=[[0, 0, 0.4, 0, 0, 0]])
    state, _ = layers.init(p)
    state, _ = layers.step(state, p, 1)
    flock = state["pullets_head"] + state["hens_head"]
    _, flows, _ = layers.step_months(state, p, 2)
    assert flows["pullets_outbreak_head"][0] + flows["hens_outbreak_head"][0] == pytest.approx(0.4 * flock[0])
    res = run_layers(p)
    assert res["egg_output"][0][2] < 0.85 * res["egg_output"][0][1]
    assert res["egg_output"][0][3] == pytest.approx(res["egg_output"][0][1], rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_layer_balances_close_every_month(data):
    d = data.draw
    p = layer_arrays(
        base_laying_hens_head=d(st.floats(1, 1e8)), rearing_months=d(st.floats(1, 7)),
        laying_months=d(st.floats(1, 20)), mortality_rearing=d(st.floats(0, 0.5)),
        mortality_laying=d(st.floats(0, 0.5)), spare_cages_share=d(st.floats(0, 0.5)),
        flock_growth_per_yr=[[0] + [d(st.floats(-0.5, 2)) for _ in range(5)]],
        capacity_added_places_per_yr=[[0] + [d(st.floats(0, 1e7)) for _ in range(5)]],
        outbreak_loss_fraction=[[0] + [d(st.sampled_from([0.0, 0.2, 1.0])) for _ in range(5)]])
    state, _ = layers.init(p)
    for t in range(1, 6):
        new, year, months = layers.step_months(state, p, t)
        check_balances(layers.SECTOR, state, new, year, 2020 + t)
        prev = state
        for s, f in months:
            for bal in layers.BALANCES:
                expected = prev[bal.stock] + sum(f[k] for k in bal.inflows) - sum(f[k] for k in bal.outflows)
                scale = 1.0 + abs(prev[bal.stock]) + sum(abs(f[k]) for k in bal.inflows + bal.outflows)
                assert abs(s[bal.stock] - expected)[0] <= 1e-9 * scale[0], bal.stock
            assert s["hens_head"][0] <= s["cages_head"][0] * (1 + 1e-12) + 1e-6
            assert min(s["pullet_cohorts_head"].min(), s["hen_cohorts_head"].min()) >= -1e-9
            prev = s
        state = new


def test_layers_twenty_runs_at_once_equal_single_runs(root):
    sc = load_scenario(root / "scenarios" / "shanxi_poultry_2025.yaml")
    rng = np.random.default_rng(3)
    per_run = {"layers.egg_kg_per_hen_yr": rng.uniform(14, 20, 20), "layers.laying_months": rng.uniform(10, 18, 20),
               "layers.rearing_months": rng.uniform(4, 6, 20), "broilers.batches_per_yr": rng.uniform(4, 6.5, 20)}
    many = simulate(sc, n=20, per_run=per_run)
    for i in range(0, 20, 3):
        one = simulate(sc, n=1, per_run={k: v[i:i + 1] for k, v in per_run.items()})
        for name in ("laying_hens", "egg_output", "spent_hens_slaughtered", "broilers_slaughtered"):
            np.testing.assert_allclose(many.data[name][i], one.data[name][0], rtol=1e-12, err_msg=name)


def test_broilers_hand_computed(write):
    data = dict(REGION, end_year=2024, broilers={
        "base_places_head": "1000 只", "batches_per_yr": 6, "liveability": 0.9, "occupancy_share": 0.5,
        "meat_kg_per_head": "2 kg/只", "capacity_added_places_per_yr": {2022: "100 只/年", 2023: "0 只/年"},
        "outbreak_loss_fraction": {2024: 0.2}})
    res = simulate(load_scenario(write("broilers.yaml", data)))
    # 1000 × 6 × 0.9 = 5400; 2022: 500 + 6600 − 660 − 550 = 5890; 2023: 1100 × 6 × 0.9 = 5940; 2024: 80 %
    assert res.data["broilers_slaughtered"][0].tolist() == pytest.approx([5400, 5400, 5890, 5940, 4752])
    assert res.data["broiler_places"][0].tolist() == pytest.approx([1000, 1000, 1100, 1100, 1100])
    assert res.data["broiler_meat_output"][0][3] == pytest.approx(11880)
    assert res.data["broiler_stock"][0][2] == pytest.approx(550)


def test_broilers_base_from_slaughter_and_balance():
    p = {s.name: np.full((1, 4) if s.time_varying else 1, s.default, dtype=float) for s in broilers.PARAMS}
    p["base_slaughter_head_per_yr"] = np.array([2.5e8])
    p["capacity_added_places_per_yr"] = np.array([[0, 1e6, 5e6, 0]])
    p["outbreak_loss_fraction"] = np.array([[0, 0, 0.5, 0]])
    state, flows = broilers.init(p)
    assert broilers.report(state, flows, p, 0)["broilers_slaughtered"][0] == pytest.approx(2.5e8)
    assert state["places_head"][0] == pytest.approx(2.5e8 / (5.5 * 0.95))
    for t in range(1, 4):
        new, flows = broilers.step(state, p, t)
        check_balances(broilers.SECTOR, state, new, flows, 2020 + t)
        state = new
    assert flows["broilers_slaughtered_head"][0] == pytest.approx(state["places_head"][0] * 5.5 * 0.95)


def test_poultry_targets_evaluated_in_the_plan_scenario(root):
    res = simulate(load_scenario(root / "scenarios" / "shanxi_poultry_2025.yaml"))
    eggs, birds = res.data["egg_output"][0] / 1e7, res.data["broilers_slaughtered"][0] / 1e8
    # the plan names no cages, houses or money (000 L148): flocks and places held at their base
    assert eggs == pytest.approx([110] * 6) and birds == pytest.approx([1.5] * 6)


def _flock_ahead_by_stepping(r, pullets, hens):
    """Reference: run the cohorts forward `rear` months (no chicks, no cage limit) and count hens in lay."""
    from agrosim.sectors import _cohorts as co

    out = np.zeros(pullets.shape[0])
    for k in range(1, r.rear_ages + 1):
        pullets, _, moved = co.advance(pullets, r.rear_surv, r.rear_exit)
        hens, _, _ = co.advance(hens, r.lay_surv, r.lay_exit)
        hens[:, 0] = moved
        out = np.where(r.rear == k, hens.sum(axis=1), out)
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_look_ahead_weights_equal_stepping_the_cohorts(seed):
    rng = np.random.default_rng(seed)
    n = 6
    p = layer_arrays(n=n, rearing_months=rng.uniform(3, 6, n), laying_months=rng.uniform(8, 16, n),
                     mortality_rearing=rng.uniform(0, 0.2, n), mortality_laying=rng.uniform(0, 0.3, n))
    r = layers._Rates(p)
    pullets = rng.uniform(0, 1e4, (n, r.rear_ages))
    hens = rng.uniform(0, 1e4, (n, r.lay_ages))
    wp, wh = layers.ahead_weights(r)
    np.testing.assert_allclose((pullets * wp).sum(axis=1) + (hens * wh).sum(axis=1),
                               _flock_ahead_by_stepping(r, pullets.copy(), hens.copy()), rtol=1e-12)
