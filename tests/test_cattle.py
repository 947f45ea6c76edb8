"""Dairy and beef cattle: a hand-computed herd, monthly and yearly balances, published ratio bands,
outbreaks, places, the biological speed limit, vectorisation and the Shanxi files."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from agrosim import load_scenario, simulate
from agrosim.engine import check_balances
from agrosim.errors import InputError
from agrosim.sectors import _herd, beef, dairy
from herd_util import assert_months_close, params

HEAD = {"region": {"id": "testland", "en": "Test county", "zh": "测试县"}, "base_year": 2020, "end_year": 2023}


def run_years(sector, p, years):
    """init + `years` steps, engine balance check each year; returns [(state, flows, months)]."""
    state, flows = sector.SECTOR.init(p)
    out = [(state, flows, [])]
    for t in range(1, years + 1):
        new, flows, months = _herd.step_months(state, p, t, sector.KIND)
        check_balances(sector.SECTOR, state, new, flows, 2020 + t)
        assert_months_close(sector.KIND, state, months)
        out.append((new, flows, months))
        state = new
    return out


def test_hand_computed_beef_herd_without_deaths():
    """1200 cows calving every 12 months, no deaths: 100 calves a month, and everything born is
    slaughtered, so 出栏 = 1200 a year at every year, with stages from the compartment formulas."""
    p = params(beef.SECTOR, base_cows_head=1200, calving_interval_months=12, calf_mortality=0,
               heifer_death_rate_per_yr=0, cow_death_rate_per_yr=0, finishing_death_rate_per_yr=0,
               cow_cull_rate_per_yr=0.12, calf_stage_months=6, heifer_rearing_months=12, finishing_months=12)
    q_b = 1 - 0.88 ** (1 / 12)                      # monthly share of cows culled
    exit12 = 1 - np.exp(-1 / 12)                    # monthly share leaving a 12-month stage
    expected = {"breeders_head": 1200, "young_head": 100 / (1 - np.exp(-1 / 6)),
                "replacements_head": 1200 * q_b / exit12, "finishing_head": (100 - 1200 * q_b) / exit12}
    for state, flows, _ in run_years(beef, p, 5):
        for key, value in expected.items():
            assert state[key][0] == pytest.approx(value, rel=1e-9)
        assert state["herd_head"][0] == pytest.approx(sum(expected.values()), rel=1e-9)
    out = beef.report(state, flows, p, 5)
    assert out["beef_slaughter"][0] == pytest.approx(1200, rel=1e-9)
    assert flows["culled_head"][0] == pytest.approx(12 * 1200 * q_b, rel=1e-9)
    assert out["beef_output"][0] == pytest.approx(1200 * 148, rel=1e-9)
    assert beef.report(*beef.SECTOR.init(p), p, 0)["beef_slaughter"][0] == pytest.approx(1200, rel=1e-9)


@pytest.mark.parametrize("sector", [dairy, beef])
@settings(max_examples=40, deadline=None)
@given(base=st.floats(1e2, 1e7), cull=st.floats(0.0, 0.3), mort=st.floats(0.0, 0.3), growth=st.floats(-0.3, 1.0),
       outbreak=st.floats(0, 1), spare=st.floats(0, 2), added=st.floats(0, 1), bought=st.floats(0, 0.5),
       interval=st.floats(11, 24))
def test_balances_close_every_month_and_year(sector, base, cull, mort, growth, outbreak, spare, added, bought,
                                             interval):
    nm = sector.KIND.names
    years = 4
    p = params(sector.SECTOR, years=years + 1, **{
        nm["base_breeders"]: base, nm["breeder_cull"]: cull, nm["young_mortality"]: mort,
        "calving_interval_months": interval, nm["breeder_growth"]: growth, "spare_capacity_share": spare})
    p["outbreak_loss_fraction"][:, 2] = outbreak
    p["capacity_added_places_per_yr"][:, 3] = added * base
    p[nm["bought"]][:, 1:] = bought * base
    run_years(sector, p, years)


def test_default_stationary_structure_in_published_bands():
    d = dairy.SECTOR.init(params(dairy.SECTOR, base_herd_head=1e5))[0]
    cows_share = d["breeders_head"][0] / d["herd_head"][0]
    assert 0.45 <= cows_share <= 0.65  # adult cows are about half to two-thirds of a dairy herd
    # Shanxi and Shuozhou plan 3.6 t of milk per head of herd (000 L148: 180/50; 001 L253: 65/18)
    milk_per_head = d["breeders_head"][0] * 8300 / d["herd_head"][0]
    assert 3000 <= milk_per_head <= 6000
    pb = params(beef.SECTOR, base_stock_head=1e5)
    b, bf = beef.SECTOR.init(pb)
    slaughter_per_stock = beef.report(b, bf, pb, 0)["beef_slaughter"][0] / b["herd_head"][0]
    assert 0.25 <= slaughter_per_stock <= 0.6  # NBS 2022 all cattle: 4840 / 10216 = 0.47


def test_base_figure_given_as_stock_breeders_or_slaughter_gives_one_herd():
    """The three ways a region may give its base year derive the same stationary herd."""
    p_cows = params(beef.SECTOR, base_cows_head=1000, feeders_bought_head_per_yr=300)
    by_cows, flows = beef.SECTOR.init(p_cows)
    slaughter = beef.report(by_cows, flows, p_cows, 0)["beef_slaughter"][0]
    by_stock = beef.SECTOR.init(params(beef.SECTOR, base_stock_head=by_cows["herd_head"][0],
                                       feeders_bought_head_per_yr=300))[0]
    by_slaughter = beef.SECTOR.init(params(beef.SECTOR, base_slaughter_head_per_yr=slaughter,
                                           feeders_bought_head_per_yr=300))[0]
    for state in (by_stock, by_slaughter):
        assert state["breeders_head"][0] == pytest.approx(1000, rel=1e-9)
        assert state["finishing_head"][0] == pytest.approx(by_cows["finishing_head"][0], rel=1e-9)


def test_outbreak_removes_the_stated_share_then_the_herd_rebuilds():
    p = params(beef.SECTOR, years=21, base_cows_head=1e4)
    p["outbreak_loss_fraction"][:, 2] = 0.3
    years = run_years(beef, p, 20)
    before, (_, flows, months) = years[1][0], years[2][:2] + (years[2][2],)
    first = months[0][1]
    for c in _herd.CLASSES:
        assert first[f"{c}_outbreak_head"][0] == pytest.approx(0.3 * before[f"{c}_head"][0], rel=1e-12)
    assert flows["outbreak_loss_head"][0] == pytest.approx(0.3 * before["herd_head"][0], rel=1e-12)
    assert all(f["outbreak_loss_head"][0] == 0 for _, f in months[1:])
    herd = np.array([s["herd_head"][0] for s, _, _ in years])
    assert herd[2] < 0.8 * herd[1]
    assert herd[20] == pytest.approx(herd[0], rel=0.01)  # back at its places
    assert np.all(herd <= years[0][0]["capacity_places"][0] * (1 + 1e-9))


def test_places_added_only_when_they_come_online():
    p = params(beef.SECTOR, years=7, base_cows_head=1e4, cow_herd_growth_per_yr=0.1, feeders_bought_head_per_yr=0)
    p["feeders_bought_head_per_yr"][:, 1:] = 5000
    base = beef.SECTOR.init(p)[0]["capacity_places"][0]
    p["capacity_added_places_per_yr"][:, 3] = 8000
    years = run_years(beef, p, 6)
    places = [s["capacity_places"][0] for s, _, _ in years]
    assert places == [base, base, base, base + 8000, base + 8000, base + 8000, base + 8000]
    for t, (state, flows, months) in enumerate(years[1:], start=1):
        assert flows["capacity_added_places"][0] == (8000 if t == 3 else 0)
        for m_state, _ in months:
            assert m_state["herd_head"][0] <= m_state["capacity_places"][0] * (1 + 1e-9)
    bought = [f["bought_head"][0] for _, f, _ in years[1:]]
    assert bought[2] > bought[1] + 1000  # the new places are filled with feeders in year 3, not before


def test_speed_limit_flags_an_impossible_target_and_bounds_the_herd():
    p = params(dairy.SECTOR, years=6, base_cows_head=1e4, cow_herd_growth_per_yr=5.0, spare_capacity_share=5.0)
    state = dairy.SECTOR.init(p)[0]
    bound = _herd.max_breeders_head(state, p, dairy.KIND, 5)
    assert 2.5e4 < bound[0] < 3.5e4  # about 1.23^5 = 2.8 times, the pipeline of heifers helping early on
    assert not _herd.breeders_reachable(state, p, dairy.KIND, 4e4, 5)[0]  # quadrupling cows in 5 years
    assert _herd.breeders_reachable(state, p, dairy.KIND, 1.2e4, 5)[0]
    cows = run_years(dairy, p, 5)[-1][0]["breeders_head"][0]
    assert cows <= bound[0] * (1 + 1e-9)
    assert cows < 4e4


def test_speed_limit_equals_long_run_growth_without_culls():
    p = params(beef.SECTOR, years=41, base_cows_head=1e3, cow_cull_rate_per_yr=0.0, cow_herd_growth_per_yr=10.0,
               spare_capacity_share=5.0)
    p["capacity_added_places_per_yr"][:, 1:] = 1e12
    years = run_years(beef, p, 40)
    growth = years[40][0]["breeders_head"][0] / years[39][0]["breeders_head"][0] - 1
    limit = beef.report(years[40][0], years[40][1], p, 40)["beef_cow_growth_limit"][0]
    assert 0.1 < limit < 0.5
    assert growth == pytest.approx(limit, rel=1e-6)


def test_n50_per_run_equals_fifty_single_runs(root):
    sc = load_scenario(root / "scenarios" / "shanxi_cattle_2025.yaml")
    cull = np.linspace(0.15, 0.35, 50)
    interval = np.linspace(12.5, 20, 50)
    many = simulate(sc, 50, per_run={"dairy.cow_cull_rate_per_yr": cull, "beef.calving_interval_months": interval})
    assert np.ptp(many.data["dairy_herd"][:, -1]) > 1e4
    for i in (0, 17, 49):
        one = simulate(sc, 1, per_run={"dairy.cow_cull_rate_per_yr": cull[i:i + 1],
                                       "beef.calving_interval_months": interval[i:i + 1]})
        for name, arr in one.data.items():
            np.testing.assert_array_equal(arr[0], many.data[name][i], err_msg=name)


def test_shanxi_files_run_with_cattle(root):
    grain = simulate(load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml", {"sectors": None}))
    assert grain.data["dairy_herd"][0, 0] == pytest.approx(35e4)
    assert grain.data["beef_slaughter"][0, 0] == pytest.approx(45e4)
    cows = grain.data["dairy_cows"][0, 0]
    # the published 117 万吨 of milk wins over the default yield: the yield per cow is derived from it
    assert grain.data["milk_output"][0, 0] == pytest.approx(117e7)
    assert grain.data["milk_output"][0, 0] == pytest.approx(cows * grain.data["milk_kg_per_cow"][0, 0])
    sc = load_scenario(root / "scenarios" / "shanxi_cattle_2025.yaml")
    assert {t.id for t in sc.targets} >= {"dairy_herd_2025", "milk_output_2025", "beef_slaughter_2025"}
    res = simulate(sc)
    np.testing.assert_allclose(res.data["dairy_herd"][0], 35e4, rtol=1e-9)  # no cattle lever in the plan: held
    assert np.all(res.data["dairy_herd"][0] <= res.data["dairy_places"][0] * (1 + 1e-9))


@pytest.mark.parametrize("section, message", [
    ({"base_herd_head": "10 万头", "base_cows_head": "5 万头"}, "exactly one of"),
    ({"base_herd_head": "10 万头", "cow_cull_rate_per_yr": "60 %/yr"}, "cannot replace themselves"),
])
def test_inconsistent_dairy_inputs_refused(write, section, message):
    with pytest.raises(InputError, match=message):
        load_scenario(write("bad.yaml", dict(HEAD, dairy=section)))
