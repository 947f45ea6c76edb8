"""Pigs: a hand-computed herd, monthly and yearly balances, steady state, outbreaks, places,
the biological speed limit and vectorisation over runs."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from agrosim import load_scenario, simulate
from agrosim.engine import check_balances
from agrosim.sectors import pigs

REGION = {"region": {"id": "testland", "en": "Test county", "zh": "测试县"}, "base_year": 2020}


def arrays(n=1, years=6, **values):
    """Parameter arrays at the sector defaults, with `values` (scalars or arrays) replacing some."""
    p = {s.name: np.full((n, years) if s.time_varying else n, s.default, dtype=float) for s in pigs.PARAMS}
    p["base_sows_head"] = np.full(n, 1000.0)
    for name, value in values.items():
        p[name] = np.broadcast_to(np.asarray(value, dtype=float), p[name].shape).copy()
    return p


def run(p, years=5):
    state, flows = pigs.init(p)
    out = [pigs.report(state, flows, p, 0)]
    for t in range(1, years + 1):
        new, flows = pigs.step(state, p, t)
        check_balances(pigs.SECTOR, state, new, flows, 2020 + t)
        state = new
        out.append(pigs.report(state, flows, p, t))
    return {k: np.stack([o[k] for o in out], axis=1) for k in out[0]}, state


def test_hand_computed_outbreak_and_rebuild(write):
    """1 piglet per sow a month, no deaths or culls, market at 2 months: half the herd lost in 2021.
    Gilts (at most half of the market pigs) rebuild the 100 sows; they farrow 6 months after selection."""
    data = dict(REGION, end_year=2022, pigs={
        "base_sows_head": "100 头", "litters_per_sow_per_yr": 1.2, "litter_size_head": "10 头",
        "mortality_preweaning": 0, "mortality_finishing": 0, "market_age_months": "2 月",
        "sow_cull_per_yr": 0, "sow_mortality_per_yr": 0, "gilt_loss_share": 0, "carcass_kg_per_head": "80 kg/头",
        "gilt_eligible_share": 1,
        "outbreak_loss_fraction": {2021: 0.5, 2022: 0.0}})
    res = simulate(load_scenario(write("hand.yaml", data)))
    # stationary: 100 sows, 100 suckling piglets, 100 weaners; 100 marketed a month
    assert res.data["pig_stock"][0].tolist() == pytest.approx([300, 300, 300])
    assert res.data["pigs_slaughtered"][0][0] == pytest.approx(1200)
    # 2021: pigs reach market age 2 months after birth; births 50 ×7, 75, 100 ×4 (sows back from
    # month 6 and 7), so market pigs 50 ×9, 75, 100 ×2 = 725, less the gilts kept (25 + 25) = 675
    assert res.data["pigs_slaughtered"][0][1] == pytest.approx(675)
    assert res.data["pork_output"][0][1] == pytest.approx(675 * 80)
    # 2022: births were back at 100 from month 8 of 2021, so every month markets 100
    assert res.data["pigs_slaughtered"][0][2] == pytest.approx(1200)
    assert res.data["breeding_sows"][0].tolist() == pytest.approx([100, 100, 100])
    assert res.data["pig_feeding_volume"][0][1] == pytest.approx(300 + 675)


def test_hand_computed_flows_by_month():
    p = arrays(years=2, base_sows_head=100, litters_per_sow_per_yr=1.2, litter_size_head=10,
               mortality_preweaning=0, mortality_finishing=0, market_age_months=2, sow_cull_per_yr=0,
               sow_mortality_per_yr=0, gilt_loss_share=0, gilt_eligible_share=1, outbreak_loss_fraction=[[0, 0.5]])
    state, _ = pigs.init(p)
    _, year, months = pigs.step_months(state, p, 1)
    assert [float(f["gilts_selected_head"][0]) for _, f in months] == pytest.approx([25, 25] + [0] * 10)
    assert [float(f["born_head"][0]) for _, f in months] == pytest.approx([50] * 7 + [75] + [100] * 4)
    assert [float(s["sows_head"][0]) for s, _ in months] == pytest.approx([50] * 6 + [75] + [100] * 5)
    # gilts count as 能繁母猪 from service, 2 months after selection
    sows_bred = [float(pigs.report(s, f, p, 1)["breeding_sows"][0]) for s, f in months]
    assert sows_bred == pytest.approx([50, 50, 75, 100, 100, 100, 100, 100, 100, 100, 100, 100])
    assert year["outbreak_loss_head"][0] == pytest.approx(150)


@pytest.mark.parametrize("given", [{"base_sows_head": 4e6}, {"base_sows_head": 0, "base_slaughter_head_per_yr": 6e7}])
def test_default_steady_state_matches_national_ratios(given):
    """Defaults: 出栏/存栏 and 出栏 per 能繁母猪 in the ranges of China's 2021–2023 statistics
    (≈1.5–1.7 and ≈15–17.5)."""
    res, _ = run(arrays(**given))
    ratio = res["pigs_slaughtered"] / res["pig_stock"]
    per_sow = res["pigs_slaughtered"] / res["breeding_sows"]
    assert np.all((1.3 <= ratio) & (ratio <= 1.7)) and np.all((14 <= per_sow) & (per_sow <= 20))
    np.testing.assert_allclose(res["pigs_slaughtered"] / res["pigs_slaughtered"][:, :1], 1.0, rtol=1e-9)
    np.testing.assert_allclose(res["pig_stock"] / res["pig_stock"][:, :1], 1.0, rtol=1e-9)
    if "base_slaughter_head_per_yr" in given:
        assert res["pigs_slaughtered"][0, 0] == pytest.approx(6e7, rel=1e-12)
    else:
        assert res["breeding_sows"][0, 0] == pytest.approx(4e6, rel=1e-12)


def test_outbreak_removes_the_stated_share_and_the_herd_recovers():
    base, _ = run(arrays())
    p = arrays(outbreak_loss_fraction=[[0, 0, 0.3, 0, 0, 0]])
    state, _ = pigs.init(p)
    state, _ = pigs.step(state, p, 1)
    before = state["pigs_head"].copy()
    _, flows, months = pigs.step_months(state, p, 2)
    assert flows["outbreak_loss_head"][0] == pytest.approx(0.3 * before[0], rel=1e-12)
    first = months[0][1]
    assert first["sows_outbreak_head"][0] == pytest.approx(0.3 * state["sows_head"][0], rel=1e-12)
    res, _ = run(p)
    assert res["pigs_slaughtered"][0, 2] < 0.8 * base["pigs_slaughtered"][0, 2]
    assert res["pig_stock"][0, 2] < base["pig_stock"][0, 2]
    # rebuilt: sows at target by the end of the outbreak year, slaughter back within 1 % two years on
    assert res["breeding_sows"][0, 3] == pytest.approx(base["breeding_sows"][0, 3], rel=1e-3)
    assert res["pigs_slaughtered"][0, 4] == pytest.approx(base["pigs_slaughtered"][0, 4], rel=0.01)


def test_places_added_only_in_their_year_and_full_pens_block_weaners():
    p = arrays(sow_herd_growth_per_yr=0.2, capacity_added_places_per_yr=[[0, 0, 0, 5000, 0, 0]])
    res, _ = run(p)
    places = res["pig_places"][0]
    assert places[1] == places[0] and places[2] == places[0]
    assert places[3] == pytest.approx(places[0] + 5000) and places[5] == places[3]
    blocked = res["pig_weaners_blocked"][0]
    assert blocked[1] > 0 and blocked[3] < blocked[2]          # growth without places: weaners sold
    # slaughter cannot outgrow the finisher places: per place it stays at the base ratio at most
    per_place = res["pigs_slaughtered"][0] / places
    assert np.all(per_place[1:] <= per_place[0] * 1.0001 + 0.5)


def test_biological_speed_limit_flags_an_impossible_target():
    p = arrays(years=3)
    state, _ = pigs.init(p)
    base = pigs.report(state, {k: np.zeros(1) for k in pigs.FLOWS}, p, 0)["pigs_slaughtered"][0]
    # ten times the slaughter within two years cannot be bred; 30 % more can
    assert not pigs.slaughter_reachable(state, p, 10 * base, 2)[0]
    assert pigs.slaughter_reachable(state, p, 1.3 * base, 2)[0]
    # a plan that asks the sows to grow 1000 %/yr falls short, and stays under both limits
    greedy = arrays(years=6, sow_herd_growth_per_yr=10.0, spare_places_share=100.0)
    res, _ = run(greedy)
    limit = res["sow_max_growth"][0, 0]
    assert limit == pytest.approx(0.343, abs=0.001)      # the engine's limit at the defaults (see the ParamSpec)
    growth = res["breeding_sows"][0, 3:] / res["breeding_sows"][0, 2:-1] - 1
    assert np.all(growth >= 0.9 * limit)                 # the herd does grow at about the limit
    assert np.all(growth <= limit * 1.005)                # long-run rate; the age structure still settles
    state, _ = pigs.init(greedy)
    for years in (1, 2, 3):
        assert res["pigs_slaughtered"][0, years] <= pigs.max_slaughter_head_per_yr(state, greedy, years)[0]


def test_speed_limit_falls_with_fewer_eligible_gilts_and_smaller_litters():
    p = arrays(n=3, gilt_eligible_share=[1.0, 0.3, 1.0], litter_size_head=[[10.5], [10.5], [7]])
    for culls in (False, True):
        lim = pigs.max_sow_growth_per_yr(p, culls=culls)
        assert lim[1] < lim[0] and lim[2] < lim[0]
    # culling at the normal rate slows the fastest growth
    assert np.all(pigs.max_sow_growth_per_yr(p, culls=True) < pigs.max_sow_growth_per_yr(p))


@pytest.mark.parametrize("culls", [False, True])
def test_speed_limit_root_equals_the_dominant_eigenvalue(culls):
    """The renewal-equation root (Newton) that replaced numpy.linalg.eigvals gives the same monthly
    growth factor to 1e-12 over random coefficients, eligible shares from 1 % to 100 % included."""
    rng = np.random.default_rng(3)
    n = 200
    p = arrays(n=n, litters_per_sow_per_yr=rng.uniform(1.5, 2.6, (n, 1)), litter_size_head=rng.uniform(6, 14, (n, 1)),
               mortality_preweaning=rng.uniform(0, 0.4, n), mortality_finishing=rng.uniform(0, 0.3, n),
               market_age_months=rng.uniform(2, 9, n), sow_cull_per_yr=rng.uniform(0, 0.6, n),
               sow_mortality_per_yr=rng.uniform(0, 0.2, n), gilt_loss_share=rng.uniform(0, 0.5, n),
               gilt_eligible_share=rng.uniform(0.01, 1, n))
    mat, _ = pigs._max_policy_matrix(p, 0, max_policy=not culls)
    eig = np.max(np.abs(np.linalg.eigvals(mat)), axis=1)
    np.testing.assert_allclose(pigs._monthly_growth_factor(p, 0, max_policy=not culls), eig, rtol=1e-12)


def _pig_params(draw):
    return arrays(
        base_sows_head=draw(st.floats(1, 1e7)),
        litters_per_sow_per_yr=draw(st.floats(1.5, 2.6)), litter_size_head=draw(st.floats(6, 14)),
        mortality_preweaning=draw(st.floats(0, 0.4)), mortality_finishing=draw(st.floats(0, 0.3)),
        market_age_months=draw(st.floats(2, 9)), sow_cull_per_yr=draw(st.floats(0, 0.6)),
        sow_mortality_per_yr=draw(st.floats(0, 0.2)), gilt_loss_share=draw(st.floats(0, 0.5)),
        spare_places_share=draw(st.floats(0, 0.5)),
        sow_herd_growth_per_yr=[[0] + [draw(st.floats(-0.5, 2.0)) for _ in range(5)]],
        capacity_added_places_per_yr=[[0] + [draw(st.floats(0, 1e6)) for _ in range(5)]],
        outbreak_loss_fraction=[[0] + [draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])) for _ in range(5)]])


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_balances_close_every_month_and_year(data):
    p = _pig_params(data.draw)
    state, _ = pigs.init(p)
    for t in range(1, 6):
        new, year, months = pigs.step_months(state, p, t)
        check_balances(pigs.SECTOR, state, new, year, 2020 + t)
        prev = state
        for s, f in months:
            for bal in pigs.BALANCES:
                expected = prev[bal.stock] + sum(f[k] for k in bal.inflows) - sum(f[k] for k in bal.outflows)
                scale = 1.0 + abs(prev[bal.stock]) + sum(abs(f[k]) for k in bal.inflows + bal.outflows)
                assert abs(s[bal.stock] - expected)[0] <= 1e-9 * scale[0], bal.stock
            assert min(s["young_cohorts_head"].min(), s["gilt_cohorts_head"].min(), s["sows_head"].min()) >= -1e-9
            assert f["gilts_selected_head"][0] <= 0.5 * f["market_age_head"][0] * (1 + 1e-12)
            assert s["young_cohorts_head"][:, 1:].sum() <= s["places_head"][0] * (1 + 1e-12) + 1e-6
            prev = s
        for k in year:
            assert year[k][0] == pytest.approx(sum(f[k][0] for _, f in months), rel=1e-12, abs=1e-9)
        state = new


def test_fifty_runs_at_once_equal_fifty_single_runs(root):
    sc = load_scenario(root / "scenarios" / "shanxi_pigs_asf.yaml")
    rng = np.random.default_rng(7)
    per_run = {"pigs.litter_size_head": rng.uniform(8, 13, 50), "pigs.market_age_months": rng.uniform(5, 7.5, 50),
               "pigs.mortality_preweaning": rng.uniform(0.05, 0.2, 50)}
    many = simulate(sc, n=50, per_run=per_run)
    for i in range(0, 50, 7):
        one = simulate(sc, n=1, per_run={k: v[i:i + 1] for k, v in per_run.items()})
        for name in ("pig_stock", "breeding_sows", "pigs_slaughtered", "pork_output", "sow_max_growth"):
            np.testing.assert_allclose(many.data[name][i], one.data[name][0], rtol=1e-12, err_msg=name)
    assert np.ptp(many.data["pigs_slaughtered"][:, -1]) > 0


def test_plan_scenario_misses_1500_without_a_pig_lever(root):
    """The plan names no sows, places or money for pigs (000 L148), so shanxi_pigs_2025 holds the herd at its base."""
    res = simulate(load_scenario(root / "scenarios" / "shanxi_pigs_2025.yaml"))
    slaughter = res.data["pigs_slaughtered"][0] / 1e4
    assert slaughter == pytest.approx([798] * 6)  # published 2020 slaughter, herd held at its base
    assert res.data["pig_weaners_blocked"][0].max() == 0


def test_base_figures_checked(write):
    from agrosim.errors import InputError
    data = dict(REGION, end_year=2022, pigs={"base_sows_head": "100 头", "base_slaughter_head_per_yr": "1500 头/年"})
    with pytest.raises(InputError, match="exactly one of base_sows_head"):
        load_scenario(write("two.yaml", data))
