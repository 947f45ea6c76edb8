"""Sheep: a hand-computed flock, balances, bought-in lambs and places, 饲养量, the speed limit,
outbreak recovery, vectorisation and the Shuozhou files."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from agrosim import load_scenario, simulate
from agrosim.engine import check_balances
from agrosim.param_arrays import sector_arrays
from agrosim.sectors import _herd, sheep
from herd_util import assert_months_close, params


def run_years(p, years):
    state, flows = sheep.SECTOR.init(p)
    out = [(state, flows)]
    for t in range(1, years + 1):
        new, flows, months = _herd.step_months(state, p, t, sheep.KIND)
        check_balances(sheep.SECTOR, state, new, flows, 2020 + t)
        assert_months_close(sheep.KIND, state, months)
        out.append((new, flows))
        state = new
    return out


NO_DEATHS = dict(lamb_mortality=0, ewe_lamb_death_rate_per_yr=0, ewe_death_rate_per_yr=0,
                 finishing_death_rate_per_yr=0)


def test_hand_computed_flock_with_bought_lambs():
    """1000 ewes, 1.2 lambs each a year, 600 lambs bought a year, no deaths, room for all: every lamb
    born or bought is slaughtered (as a fat lamb or, for kept ewe lambs, later as a culled ewe)."""
    p = params(sheep.SECTOR, base_ewes_head=1000, lambs_born_per_ewe_per_yr=1.2, lambs_bought_head_per_yr=600,
               **NO_DEATHS)
    for t, (state, flows) in enumerate(run_years(p, 4)):
        out = sheep.report(state, flows, p, t)
        assert out["sheep_lambs_born"][0] == pytest.approx(1200, rel=1e-9)
        assert out["sheep_lambs_bought"][0] == pytest.approx(600, rel=1e-9)
        assert out["sheep_slaughter"][0] == pytest.approx(1800, rel=1e-9)
        assert out["sheep_raised"][0] == pytest.approx(state["herd_head"][0] + 1800, rel=1e-9)
        assert out["mutton_output"][0] == pytest.approx(1800 * 15.6, rel=1e-9)
        assert state["breeders_head"][0] == pytest.approx(1000, rel=1e-9)
    # fat lambs in stock: inflow (100 weaned + 50 bought − replacements) a month over a 4-month stage
    q_b = 1 - 0.8 ** (1 / 12)
    kept = 1000 * q_b                           # no deaths: replacements kept = ewes culled a month
    assert state["finishing_head"][0] == pytest.approx((100 + 50 - kept) / (1 - np.exp(-1 / 4)), rel=1e-9)


def test_default_slaughter_per_stock_in_published_band():
    p = params(sheep.SECTOR, base_stock_head=1e5)
    state, flows = sheep.SECTOR.init(p)
    out = sheep.report(state, flows, p, 0)
    assert 0.5 <= out["sheep_slaughter"][0] / state["herd_head"][0] <= 1.3  # NBS 2022: 33 624 / 32 627 = 1.03
    assert 0.35 <= state["breeders_head"][0] / state["herd_head"][0] <= 0.7


@settings(max_examples=40, deadline=None)
@given(ewes=st.floats(1e2, 1e7), lambs=st.floats(0.8, 3.0), growth=st.floats(-0.3, 2.0), outbreak=st.floats(0, 1),
       spare=st.floats(0, 1), bought=st.floats(0, 3), added=st.floats(0, 2))
def test_balances_close_every_month_and_year(ewes, lambs, growth, outbreak, spare, bought, added):
    p = params(sheep.SECTOR, years=5, base_ewes_head=ewes, lambs_born_per_ewe_per_yr=lambs,
               ewe_flock_growth_per_yr=growth, spare_capacity_share=spare)
    p["outbreak_loss_fraction"][:, 2] = outbreak
    p["lambs_bought_head_per_yr"][:, 1:] = bought * ewes
    p["capacity_added_places_per_yr"][:, 3] = added * ewes
    run_years(p, 4)


def test_bought_lambs_limited_by_places_and_reported_as_blocked():
    p = params(sheep.SECTOR, years=4, base_ewes_head=1e4)
    p["lambs_bought_head_per_yr"][:, 1:] = 2e4
    p["capacity_added_places_per_yr"][:, 2] = 3000
    years = run_years(p, 3)
    out = [sheep.report(s, f, p, t) for t, (s, f) in enumerate(years)]
    assert out[1]["sheep_lambs_bought"][0] < 1.0          # a full flock has no room in year 1
    assert out[1]["sheep_lambs_blocked"][0] == pytest.approx(2e4, rel=1e-3)
    assert out[2]["sheep_lambs_bought"][0] > 5000           # the 3000 new places turn over several times a year
    for o in out[1:]:
        assert o["sheep_lambs_bought"][0] + o["sheep_lambs_blocked"][0] == pytest.approx(2e4, rel=1e-12)


def test_outbreak_then_recovery():
    p = params(sheep.SECTOR, years=11, base_ewes_head=1e4)
    p["outbreak_loss_fraction"][:, 1] = 0.5
    years = run_years(p, 10)
    assert years[1][1]["outbreak_loss_head"][0] == pytest.approx(0.5 * years[0][0]["herd_head"][0], rel=1e-12)
    ewes = [s["breeders_head"][0] for s, _ in years]
    assert ewes[1] < 0.7e4
    assert ewes[10] == pytest.approx(1e4, rel=0.01)


def test_speed_limit_flags_tripling_the_ewes_in_two_years(root):
    sc = load_scenario(root / "params" / "shuozhou.yaml")
    p = sector_arrays(sc, sheep.SECTOR, 1)
    state = sheep.SECTOR.init(p)[0]
    assert not _herd.breeders_reachable(state, p, sheep.KIND, 3 * 80e4, 2)[0]
    assert _herd.breeders_reachable(state, p, sheep.KIND, 100e4, 5)[0]   # the plan's 100 万 ewes by 2025


def test_shuozhou_plan_files(root):
    res = simulate(load_scenario(root / "params" / "shuozhou.yaml"))
    assert res.data["sheep_ewes"][0, 0] == pytest.approx(80e4)
    np.testing.assert_allclose(res.data["sheep_raised"], res.data["sheep_stock"] + res.data["sheep_slaughter"])
    plan = simulate(load_scenario(root / "scenarios" / "shuozhou_sheep_2025.yaml"))
    ewes, lambs = plan.data["sheep_ewes"][0, -1], plan.data["sheep_lambs_born"][0, -1]
    assert ewes == pytest.approx(80e4)                        # no ewe lever in the plan: held
    assert lambs == pytest.approx(1.5 * ewes, rel=1e-6)       # documented 1.5 (the plan's 3.0 is plan_implied)
    assert plan.data["sheep_lambs_bought"][0, 1] == 0 and plan.data["sheep_lambs_bought"][0, 3] > 100e4  # 牧繁农育 from 2023


def test_n50_per_run_equals_fifty_single_runs(root):
    sc = load_scenario(root / "scenarios" / "shuozhou_sheep_2025.yaml")
    lambs = np.linspace(1.0, 3.0, 50)
    many = simulate(sc, 50, per_run={"sheep.lambs_born_per_ewe_per_yr": lambs})
    assert np.ptp(many.data["sheep_slaughter"][:, -1]) > 1e5
    for i in (0, 25, 49):
        one = simulate(sc, 1, per_run={"sheep.lambs_born_per_ewe_per_yr": lambs[i:i + 1]})
        for name, arr in one.data.items():
            np.testing.assert_array_equal(arr[0], many.data[name][i], err_msg=name)


def test_event_layer_fills_places_and_outbreaks(write, root):
    path = write("ev.yaml", {"extends": str(root / "params" / "shuozhou.yaml"),
                             "projects": [{"name": "farm", "sector": "sheep", "places": "20 万只", "start": 2022,
                                           "build_months": 6}],
                             "outbreaks": [{"name": "PPR", "sector": "sheep", "year": 2023, "loss": "30 %"}]})
    res = simulate(load_scenario(path))
    places, stock = res.data["sheep_places"][0], res.data["sheep_stock"][0]
    np.testing.assert_allclose(np.diff(places), [0, 20e4, 0, 0, 0])
    loss = res.data["sheep_outbreak_loss"][0]
    assert loss[3] == pytest.approx(0.3 * stock[2], rel=1e-12) and loss[[0, 1, 2, 4, 5]].sum() == 0
    assert stock[3] < 0.85 * stock[2] and stock[5] > 0.95 * stock[2]
