"""Observed stocks in the herd, poultry, bee, silkworm and perennial sectors: the indicator equals
the observation in its year, a re-forecast from a stationary state equals a fresh run started at
that state, assimilating the model's own value changes nothing, scaling keeps the age structure,
and `reforecast` refuses indicators a sector cannot take as state."""
import numpy as np
import pandas as pd
import pytest

from agrosim import load_scenario, simulate
from agrosim.cli import main
from agrosim.engine import check_balances
from agrosim.errors import InputError
from agrosim.observed import by_year, load_observed
from agrosim.sectors import SECTORS, _herd, beef, dairy, layers, pigs, sheep
from agrosim.registry import BY_NAME
from herd_util import params

REGION = {"id": "testland", "en": "Test county", "zh": "测试县"}
T_OBS, YEAR_OBS = 2, 2022  # the observed year and its index in runs from 2020

#: a stationary set-up per sector (no growth, purchases or events): its state repeats every year
STATIONARY = {
    "dairy": {"base_herd_head": "1000 头"},
    "beef": {"base_cows_head": "500 头"},
    "sheep": {"base_ewes_head": "800 只"},
    "pigs": {"base_sows_head": "1000 头"},
    "layers": {"base_laying_hens_head": "10 万只"},
    "broilers": {"base_places_head": "10 万只"},
    "bees": {"colonies_box": "1 万箱", "types": {"chinese": {"share": 0.7, "honey_kg_per_box": "15 kg/箱"},
                                              "italian": {"share": 0.3, "honey_kg_per_box": "40 kg/箱"}}},
    "silkworm": {"mulberry_area_mu": "1000 亩", "sheets_ordered_per_yr": "1500 张/年",
                 "rearing_households": "400 户"},
    "perennials": {"astragalus_area_mu": "300 亩", "bupleurum_area_mu": "200 亩", "wild_tended_mu": "500 亩"},
}

#: the same sectors moving: growth, purchases, an outbreak, planting (for the fixed-point checks)
MOVING = {
    "dairy": dict(STATIONARY["dairy"], cow_herd_growth_per_yr="5 %/yr", heifers_bought_head_per_yr="20 头/年",
                  outbreak_loss_fraction={2021: 0.2}, spare_capacity_share=0.2),
    "beef": dict(STATIONARY["beef"], cow_herd_growth_per_yr="8 %/yr", feeders_bought_head_per_yr="100 头/年",
                 outbreak_loss_fraction={2022: 0.1}, spare_capacity_share=0.3),
    "sheep": dict(STATIONARY["sheep"], ewe_flock_growth_per_yr="10 %/yr", lambs_bought_head_per_yr="300 只/年",
                  outbreak_loss_fraction={2021: 0.3}, spare_capacity_share=0.5),
    "pigs": dict(STATIONARY["pigs"], sow_herd_growth_per_yr="6 %/yr", outbreak_loss_fraction={2021: 0.3},
                 spare_places_share=0.1),
    "layers": dict(STATIONARY["layers"], flock_growth_per_yr="10 %/yr", outbreak_loss_fraction={2022: 0.2},
                   spare_cages_share=0.2),
    "broilers": dict(STATIONARY["broilers"], capacity_added_places_per_yr={2021: "2 万只/年", 2022: "0 只/年"},
                     outbreak_loss_fraction={2022: 0.1}),
    "bees": dict(STATIONARY["bees"], colony_growth_per_yr="20 %/yr", spare_capacity_share=0.5,
                 outbreak_loss_fraction={2022: 0.2}),
    "silkworm": dict(STATIONARY["silkworm"], mulberry_planted_mu_per_yr="200 亩/年", mulberry_removal_per_yr="3 %/yr",
                     households_change_per_yr="-5 %/yr"),
    "perennials": dict(STATIONARY["perennials"], walnut_area_mu="400 亩", walnut_planted_mu_per_yr="30 亩/年",
                       astragalus_planted_mu_per_yr="50 亩/年", wild_tending_added_mu_per_yr="40 亩/年",
                       wild_tending_lapse_per_yr="2 %/yr", fruit_area_mu="100 亩"),
}

#: observables that move together (a part with its total), checked as pairs
PAIRS = {"dairy": ("dairy_herd", "dairy_cows"), "beef": ("beef_stock", "beef_cows"),
         "sheep": ("sheep_stock", "sheep_ewes"), "pigs": ("pig_stock", "breeding_sows"),
         "layers": ("layer_flock", "laying_hens"), "broilers": ("broiler_stock", "broiler_places"),
         "bees": ("bee_colonies", "bee_colonies_chinese"), "silkworm": ("mulberry_area", "rearing_households"),
         "perennials": ("herb_area", "perennial_area_astragalus")}

ALL = [(s, ind) for s in STATIONARY for ind in BY_NAME[s].observable]


def scenario(write, sector, section, name="s.yaml", base_year=2020, end_year=2025):
    data = {"region": REGION, "base_year": base_year, "end_year": end_year, sector: section}
    return load_scenario(write(f"{sector}_{name}", data))


def csv(tmp_path, rows, name="obs.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["region", "indicator", "year", "value", "unit", "source"]).to_csv(path, index=False)
    return path


def close(a, b, rtol=1e-9, atol=1e-9, msg=""):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=msg)


# --- (a) the indicator equals the observation --------------------------------------------------------

@pytest.mark.parametrize("sector,indicator", ALL)
@pytest.mark.parametrize("factor", [0.6, 1.45])
def test_observed_stock_is_reported_exactly(write, sector, indicator, factor):
    sc = scenario(write, sector, MOVING[sector])
    plain = simulate(sc)
    value = plain.data[indicator][0, T_OBS] * factor or 123.0 * factor  # groups the model lacks get some area
    re = simulate(sc, observed={YEAR_OBS: {indicator: value}})
    assert re.data[indicator][0, T_OBS] == pytest.approx(value, rel=1e-9)
    for name in re.data:  # years before the observation are untouched
        close(re.data[name][0, :T_OBS], plain.data[name][0, :T_OBS], rtol=0, atol=0, msg=name)


@pytest.mark.parametrize("sector", list(PAIRS))
def test_total_and_part_observed_together(write, sector):
    sc = scenario(write, sector, MOVING[sector])
    total, part = PAIRS[sector]
    plain = simulate(sc)
    obs = {total: plain.data[total][0, T_OBS] * 1.3, part: plain.data[part][0, T_OBS] * 0.9}
    for year in (2020, YEAR_OBS):  # the base year can be observed too
        re = simulate(sc, observed={year: obs})
        for name, value in obs.items():
            assert re.data[name][0, year - 2020] == pytest.approx(value, rel=1e-9), (name, year)


@pytest.mark.parametrize("sector", ["dairy", "beef", "sheep", "pigs"])
def test_an_emptied_herd_restarts_with_the_stationary_structure(write, sector):
    """An outbreak that kills every animal leaves nothing to scale: the observation is given the
    stationary structure and the herd runs on from it, balances closing."""
    sc = scenario(write, sector, dict(STATIONARY[sector], outbreak_loss_fraction={2021: 1.0, 2022: 0.0}))
    total = BY_NAME[sector].observable[0]
    assert simulate(sc).data[total][0, 2] == pytest.approx(0.0, abs=1e-6)
    re = simulate(sc, observed={YEAR_OBS: {total: 5000.0}})
    assert re.data[total][0, T_OBS] == pytest.approx(5000.0, rel=1e-9)
    assert np.all(re.data[total][0, T_OBS:] > 1000.0)


# --- (b) a re-forecast equals a fresh run started at the observed state --------------------------------

def _fresh_section(sector, indicator, value, model_at_t):
    """The base figures of a run started in the observed year at the assimilated state."""
    k = value / model_at_t[indicator]
    s = STATIONARY[sector]
    if sector in ("dairy", "beef", "sheep"):
        key = {"dairy": "base_herd_head", "beef": "base_cows_head", "sheep": "base_ewes_head"}[sector]
        ind = {"dairy": "dairy_herd", "beef": "beef_cows", "sheep": "sheep_ewes"}[sector]
        return {key: f"{model_at_t[ind] * k} 头"}
    if sector == "pigs":
        return {"base_sows_head": f"{model_at_t['breeding_sows'] * k} 头"}
    if sector == "layers":
        return {"base_laying_hens_head": f"{model_at_t['laying_hens'] * k} 只"}
    if sector == "broilers":
        return {"base_places_head": f"{model_at_t['broiler_places'] * k} 只"}
    if sector == "bees":
        scaled = lambda typ: indicator in ("bee_colonies", f"bee_colonies_{typ}")  # noqa: E731
        c = {typ: model_at_t[f"bee_colonies_{typ}"] * (k if scaled(typ) else 1.0) for typ in ("chinese", "italian")}
        total = sum(c.values())
        types = {typ: dict(s["types"][typ], share=float(c[typ] / total)) for typ in c}
        return dict(s, colonies_box=f"{total} 箱", types=types)
    if sector == "silkworm":
        return dict(s, **({"mulberry_area_mu": f"{value} 亩"} if indicator == "mulberry_area"
                          else {"rearing_households": f"{value} 户"}))
    # perennials: the groups a figure covers scale together
    out = dict(s)
    herbs = indicator in ("herb_area", "herb_area_cultivated", "perennial_area")
    if herbs or indicator == "perennial_area_astragalus":
        out["astragalus_area_mu"] = f"{300 * k} 亩"
    if herbs or indicator == "perennial_area_bupleurum":
        out["bupleurum_area_mu"] = f"{200 * k} 亩"
    if indicator in ("herb_area", "perennial_area", "herb_area_wild_tended"):
        out["wild_tended_mu"] = f"{500 * k} 亩"
    return out


FRESH = [(s, ind) for s in STATIONARY for ind in BY_NAME[s].observable
         if not (s == "perennials" and ind.startswith("perennial_area_") and ind not in
                 ("perennial_area_astragalus", "perennial_area_bupleurum"))]


@pytest.mark.parametrize("sector,indicator", FRESH)
def test_reforecast_equals_a_fresh_run_started_at_the_observed_state(write, sector, indicator):
    sc = scenario(write, sector, STATIONARY[sector])
    plain = simulate(sc)
    model_at_t = {k: v[0, T_OBS] for k, v in plain.data.items()}
    value = model_at_t[indicator] * 1.37
    re = simulate(sc, observed={YEAR_OBS: {indicator: value}})
    section = _fresh_section(sector, indicator, value, model_at_t)
    fresh = simulate(scenario(write, sector, section, "fresh.yaml", base_year=YEAR_OBS))
    for name in BY_NAME[sector].observable:  # the state in the observed year
        close(re.data[name][0, T_OBS], fresh.data[name][0, 0], msg=name)
    for name in fresh.data:  # and every indicator after it
        close(re.data[name][0, T_OBS + 1:], fresh.data[name][0, 1:], msg=name)


def test_pig_stock_and_sows_both_observed_equal_a_fresh_run_when_consistent(write):
    """Both figures of a proportionally larger stationary herd: the same as the sows alone."""
    sc = scenario(write, "pigs", STATIONARY["pigs"])
    plain = simulate(sc)
    obs = {k: plain.data[k][0, T_OBS] * 1.2 for k in ("pig_stock", "breeding_sows")}
    both = simulate(sc, observed={YEAR_OBS: obs})
    sows = simulate(sc, observed={YEAR_OBS: {"breeding_sows": obs["breeding_sows"]}})
    for name in both.data:
        close(both.data[name], sows.data[name], msg=name)


# --- fixed point: assimilating the model's own value changes nothing ---------------------------------

@pytest.mark.parametrize("sector", list(MOVING))
def test_assimilating_the_models_own_values_changes_nothing(write, sector):
    sc = scenario(write, sector, MOVING[sector])
    plain = simulate(sc)
    own = lambda names, i: {k: float(plain.data[k][0, i]) for k in names}  # noqa: E731
    cases = [own([ind], T_OBS) for ind in BY_NAME[sector].observable]
    cases += [own(BY_NAME[sector].observable, T_OBS), own(PAIRS[sector], 0)]
    for obs in cases:
        year = YEAR_OBS if obs is not cases[-1] else 2020
        re = simulate(sc, observed={year: obs})
        for name in plain.data:
            close(re.data[name], plain.data[name], rtol=1e-12, atol=1e-7, msg=f"{name} with {sorted(obs)}")


# --- scaling keeps the age structure -----------------------------------------------------------------

def _grown_state(sector, years=3, **values):
    """A sector's state after `years` steps with growth, from its declared defaults."""
    p = params(sector, n=3, years=years + 1, **values)
    state, _ = sector.init(p)
    for t in range(1, years + 1):
        new, flows = sector.step(state, p, t)
        check_balances(sector, state, new, flows, 2020 + t)
        state = new
    return state, p


@pytest.mark.parametrize("module,base,growth", [
    (dairy, {"base_cows_head": 1000}, {"cow_herd_growth_per_yr": 0.1}),
    (beef, {"base_stock_head": 5000}, {"cow_herd_growth_per_yr": 0.1}),
    (sheep, {"base_ewes_head": 800}, {"ewe_flock_growth_per_yr": 0.2}),
])
def test_herd_stages_scale_together(module, base, growth):
    s, p = _grown_state(module.SECTOR, **base, **growth)
    stock, breeders = module.SECTOR.observable
    k = np.array([0.5, 1.0, 2.0])
    new = module.SECTOR.assimilate(s, p, 3, {stock: s["herd_head"] * k})
    for c in _herd.CLASSES:
        close(new[f"{c}_head"], s[f"{c}_head"] * k, rtol=1e-12, msg=c)
    close(new["target_breeders_head"], s["target_breeders_head"] * k, rtol=1e-12)
    close(new["capacity_places"], np.maximum(s["capacity_places"], new["herd_head"]), rtol=1e-12)
    # breeders and total together: breeders to theirs, the other stages keep their mix
    obs = {stock: s["herd_head"] * 1.1, breeders: s["breeders_head"] * 0.8}
    new = module.SECTOR.assimilate(s, p, 3, obs)
    close(new["breeders_head"], obs[breeders], rtol=1e-12)
    close(new["herd_head"], obs[stock], rtol=1e-12)
    f_o = (obs[stock] - obs[breeders]) / (s["herd_head"] - s["breeders_head"])
    for c in ("young", "replacements", "finishing"):
        close(new[f"{c}_head"], s[f"{c}_head"] * f_o, rtol=1e-12, msg=c)


def test_pig_cohorts_scale_together():
    s, p = _grown_state(pigs.SECTOR, base_sows_head=1000, sow_herd_growth_per_yr=0.15)
    k = np.array([0.7, 1.0, 1.6])
    new = pigs.assimilate(s, p, 3, {"pig_stock": s["pigs_head"] * k})
    for key in ("sows_head", "gilt_cohorts_head", "young_cohorts_head"):
        close(new[key], s[key] * (k if s[key].ndim == 1 else k[:, None]), rtol=1e-12, msg=key)
    close(new["sow_target_head"], s["sow_target_head"] * k, rtol=1e-12)
    breeding = s["sows_head"] + s["gilt_cohorts_head"][:, pigs.MATED_FROM:].sum(axis=1)
    obs = {"pig_stock": s["pigs_head"] * 1.1, "breeding_sows": breeding * 0.9}
    new = pigs.assimilate(s, p, 3, obs)
    mated = pigs.MATED_FROM
    close(new["sows_head"], s["sows_head"] * 0.9, rtol=1e-12)
    close(new["gilt_cohorts_head"][:, mated:], s["gilt_cohorts_head"][:, mated:] * 0.9, rtol=1e-12)
    f_o = new["young_cohorts_head"][:, :1] / s["young_cohorts_head"][:, :1]
    close(new["young_cohorts_head"], s["young_cohorts_head"] * f_o, rtol=1e-12)
    close(new["gilt_cohorts_head"][:, :mated], s["gilt_cohorts_head"][:, :mated] * f_o, rtol=1e-12)
    close(new["pigs_head"], obs["pig_stock"], rtol=1e-12)


def test_layer_cohorts_scale_together():
    s, p = _grown_state(layers.SECTOR, base_laying_hens_head=1e5, flock_growth_per_yr=0.2)
    k = np.array([0.7, 1.0, 1.6])
    new = layers.assimilate(s, p, 3, {"laying_hens": s["hens_head"] * k})
    for key in ("pullet_cohorts_head", "hen_cohorts_head"):
        close(new[key], s[key] * k[:, None], rtol=1e-12, msg=key)
    close(new["hen_target_head"], s["hen_target_head"] * k, rtol=1e-12)
    assert np.all(new["cages_head"] >= new["hens_head"])


def test_mulberry_and_herb_cohorts_scale_together():
    silk = BY_NAME["silkworm"]
    s, p = _grown_state(silk, mulberry_area_mu=1000, mulberry_planted_mu_per_yr=300, rearing_households=100,
                        sheets_ordered_per_yr=100)
    new = silk.assimilate(s, p, 3, {"mulberry_area": s["mulberry_area_mu"] * 0.5})
    close(new["mulberry_cohorts_mu"], s["mulberry_cohorts_mu"] * 0.5, rtol=1e-12)
    per = BY_NAME["perennials"]
    s, p = _grown_state(per, walnut_area_mu=500, walnut_planted_mu_per_yr=40, astragalus_area_mu=300, wild_tended_mu=50)
    herb = s["area_mu"][:, 0] + s["wild_tended_mu"]  # astragalus is the only herb with area
    new = per.assimilate(s, p, 3, {"herb_area": herb * 2.0})
    close(new["cohorts_mu"][:, 0], s["cohorts_mu"][:, 0] * 2.0, rtol=1e-12)
    close(new["wild_tended_mu"], s["wild_tended_mu"] * 2.0, rtol=1e-12)
    close(new["cohorts_mu"][:, 1:], s["cohorts_mu"][:, 1:], rtol=0, atol=0)  # walnut is not a herb


def test_bee_types_keep_their_mix_and_an_observed_type_is_pinned(write):
    sc = scenario(write, "bees", MOVING["bees"])
    plain = simulate(sc)
    c, i = plain.data["bee_colonies_chinese"][0, T_OBS], plain.data["bee_colonies_italian"][0, T_OBS]
    re = simulate(sc, observed={YEAR_OBS: {"bee_colonies": (c + i) * 1.5}})
    assert re.data["bee_colonies_chinese"][0, T_OBS] == pytest.approx(c * 1.5, rel=1e-12)
    re = simulate(sc, observed={YEAR_OBS: {"bee_colonies": c + i + 1000, "bee_colonies_chinese": c}})
    assert re.data["bee_colonies_italian"][0, T_OBS] == pytest.approx(i + 1000, rel=1e-12)


# --- vectorised over runs ---------------------------------------------------------------------------

@pytest.mark.parametrize("sector,path,values", [
    ("pigs", "pigs.litter_size_head", [9.0, 10.5, 12.0]),
    ("sheep", "sheep.lambs_born_per_ewe_per_yr", [1.0, 1.5, 2.5]),
    ("layers", "layers.mortality_laying", [0.04, 0.08, 0.15]),
    ("bees", "bees.types.chinese.overwinter_loss", [0.05, 0.15, 0.4]),
])
def test_runs_at_once_equal_single_runs(write, sector, path, values):
    sc = scenario(write, sector, MOVING[sector])
    obs = {YEAR_OBS: {BY_NAME[sector].observable[0]: 12345.0}}
    many = simulate(sc, 3, per_run={path: np.array(values)}, observed=obs)
    for i, v in enumerate(values):
        one = simulate(sc, 1, per_run={path: np.array([v])}, observed=obs)
        for name in one.data:
            np.testing.assert_array_equal(one.data[name][0], many.data[name][i], err_msg=name)


# --- (c) indicators a sector does not take as state are refused ---------------------------------------

def test_reforecast_refuses_flows_and_negative_stocks(write, tmp_path, capsys):
    path = write("pigs.yaml", {"region": REGION, "base_year": 2020, "end_year": 2024, "pigs": STATIONARY["pigs"]})
    sc = load_scenario(path)
    bad = csv(tmp_path, [("testland", "pig_stock", 2022, 5000, "头", "x"),
                         ("testland", "pigs_slaughtered", 2022, 2, "万头", "x"),
                         ("testland", "breeding_sows", 2023, -5, "头", "x")])
    with pytest.raises(InputError) as exc:
        by_year(load_observed(bad, sc))
    text = str(exc.value)
    assert "row 3.indicator" in text and "'pigs_slaughtered'" in text
    assert "pigs declares observable (pig_stock, breeding_sows)" in text
    assert "row 4.value" in text and "-5 头" in text and "row 2" not in text
    out = str(tmp_path / "r")
    assert main(["reforecast", str(path), "--observed", str(bad), "--out", out]) == 2
    err = capsys.readouterr().err
    assert "'pigs_slaughtered'" in err and "drop the row for reforecast" in err
    assert not (tmp_path / "r" / "pigs" / "reforecast").exists()
    # track and backtest still take the flow: they compare, they do not assimilate
    flows = csv(tmp_path, [("testland", "pigs_slaughtered", 2022, 2, "万头", "x")], "flows.csv")
    assert main(["backtest", str(path), "--observed", str(flows), "--out", out]) == 0
    # a stock is assimilated and shows in the report
    good = csv(tmp_path, [("testland", "pig_stock", 2022, 5000, "头", "x")], "good.csv")
    assert main(["reforecast", str(path), "--observed", str(good), "--out", out]) == 0
    res = pd.read_csv(tmp_path / "r" / "pigs" / "reforecast" / "results.csv")
    stock = res[res.indicator == "pig_stock"].set_index("year").value
    assert stock[2022] == pytest.approx(0.5)  # 万头


def test_every_declared_observable_is_an_indicator_of_its_sector():
    assert all(BY_NAME[name].observable for name in STATIONARY)
    for sector in SECTORS:
        names = {i.name for i in sector.indicators}
        assert set(sector.observable) <= names, sector.name
        assert (sector.assimilate is None) == (not sector.observable), sector.name
