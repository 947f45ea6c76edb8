"""Herds driven by causes (issue 17): productivity levers move output in the direction and rough size
a specialist expects, a lost breeding herd rebuilds no faster than its gilt pipeline allows, and a
planned growth above the speed limit is capped by the engine and named by `validate` and `run`."""
import numpy as np
import pytest

from agrosim import load_scenario, simulate
from agrosim.cli import main
from agrosim.analysis.biology import beyond_biology
from agrosim.cli_run import _print_warnings
from agrosim.sectors import _herd, dairy, layers, pigs, sheep
from herd_util import params

REGION = {"region": {"id": "testland", "en": "Test county", "zh": "测试县"}, "base_year": 2020, "end_year": 2025}


def pig_scenario(write, name="pigs.yaml", **pig_values):
    """A pig-only scenario, 2020 → 2025, from 800 万 slaughtered in 2020 with 30 % spare finisher places."""
    section = {"base_slaughter_head_per_yr": "800 万头/年", "spare_places_share": 0.3, **pig_values}
    return load_scenario(write(name, dict(REGION, sectors=["pigs"], pigs=section)))


def run_sector(sector, p, years=5):
    """init + `years` steps of one sector; {indicator: (years + 1,) values of run 0}."""
    s, f = sector.SECTOR.init(p)
    out = [sector.SECTOR.report(s, f, p, 0)]
    for t in range(1, years + 1):
        s, f = sector.SECTOR.step(s, p, t)
        out.append(sector.SECTOR.report(s, f, p, t))
    return {k: np.array([o[k][0] for o in out]) for k in out[0]}


@pytest.mark.parametrize("lever, base, raised", [("litter_size_head", "10.5 头", "11.55 头"),
                                                  ("litters_per_sow_per_yr", 2.1, 2.31)])
def test_ten_percent_more_piglets_per_sow_from_2022_raise_2025_slaughter(write, lever, base, raised):
    """+10 % piglets per sow per year (litter size or litters per sow) from 2022 on, all else equal.

    The sow herd follows its own path (held flat here), so births rise 10 %; finishers slaughtered are
    market-age pigs less the gilts kept (unchanged in number), plus culled sows and gilts (unchanged):
    slaughter rises by a little more than 10 % on finishers and a little less overall once the pigs
    born in 2022 reach market age (~6 months): about +5 % in 2022 and +10 % from 2023. The band
    +4 % … +12 % for 2025 allows for other mortality and market-age settings; in full pens the extra
    weaners cannot be finished (sold as weaners), so the lever is worth nothing without places."""
    before = simulate(pig_scenario(write))
    after = simulate(pig_scenario(write, "more.yaml", **{lever: {2020: base, 2022: raised}}))
    gain = after.data["pigs_slaughtered"][0] / before.data["pigs_slaughtered"][0] - 1
    assert gain[:2] == pytest.approx([0.0, 0.0], abs=1e-12)      # base year and 2021 untouched
    assert 0.04 <= gain[-1] <= 0.12
    assert gain[-1] == pytest.approx(0.1003, abs=0.001)           # the hand estimate above
    np.testing.assert_allclose(after.data["breeding_sows"], before.data["breeding_sows"], rtol=1e-12)
    full = {"spare_places_share": 0.0}
    blocked = simulate(pig_scenario(write, "full.yaml", **full, **{lever: {2020: base, 2022: raised}}))
    flat = simulate(pig_scenario(write, "flat.yaml", **full))
    assert blocked.data["pigs_slaughtered"][0, -1] == pytest.approx(flat.data["pigs_slaughtered"][0, -1], rel=1e-9)
    assert blocked.data["pig_weaners_blocked"][0, -1] > 0.08 * flat.data["pigs_slaughtered"][0, -1]


def test_asf_loss_of_30_percent_takes_more_than_a_year_to_rebuild():
    """30 % of every stage lost in January 2022 (default coefficients, sows planned flat). The gilt
    rule keeps at most the eligible share (0.13) of the females reaching market age, and a gilt
    farrows six months after selection, so farrowed sows stay at 70 % for six months, then climb
    about 3 % a month: back within 1 % of the run without the loss after 17 months (June 2023).
    The national herd after ASF took about two years (NBS: sows +35.1 % in 2020)."""
    def monthly_sows(loss):
        p = params(pigs.SECTOR, base_sows_head=1e5, outbreak_loss_fraction=[[0, 0, loss, 0, 0, 0]])
        p["base_slaughter_head_per_yr"] = np.zeros(1)
        s, _ = pigs.init(p)
        out = []
        for t in range(1, 6):
            s, _, months = pigs.step_months(s, p, t)
            out += [float(state["sows_head"][0]) for state, _ in months]
        return np.array(out)

    ratio = monthly_sows(0.3) / monthly_sows(0.0)
    after = ratio[12:]                                           # from January 2022
    months = int(np.argmax(after >= 0.99)) + 1
    print(f"ASF 30 %: farrowed sows back within 1 % of the pre-shock path after {months} months")
    assert after[:6] == pytest.approx([0.7] * 6)                 # the pipeline delay: no gilt farrows yet
    assert months >= 12
    assert months == 17
    assert np.all(ratio[12 + months:] >= 0.99)                   # and it stays there


def test_sow_growth_above_the_speed_limit_is_capped_and_named(write, capsys):
    """150 %/yr sow growth asked; with every eligible gilt kept and sows culled at the default rate
    the herd can grow 34.3 %/yr in the long run. validate and run name the parameter with asked vs
    possible. The sows grow at the limit from 2022 (the age structure settling adds < 1 %); in 2021
    +38.9 %, as the stationary base herd holds more market-age females per sow than a growing one,
    so 2025 slaughter is far below the 800 × 2.5^5 万 the path asks and below 800 × 1.39 × 1.343^4 万."""
    path = write("greedy.yaml", dict(REGION, sectors=["pigs"], pigs={
        "base_slaughter_head_per_yr": "800 万头/年", "spare_places_share": 5.0, "sow_herd_growth_per_yr": "150 %/yr"}))
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert "pigs.sow_herd_growth_per_yr: 150.0%/yr asked in 2021–2025, at most 34.3%/yr possible in the long run" in err
    _print_warnings([], beyond_biology(load_scenario(path)))     # what `run` and `mc` print after the run
    assert "pigs.sow_herd_growth_per_yr: 150.0%/yr asked" in capsys.readouterr().err
    res = simulate(load_scenario(path))
    limit = res.data["sow_max_growth"][0]
    assert limit == pytest.approx(0.343, abs=0.001)
    sows = res.data["breeding_sows"][0]
    growth = sows[1:] / sows[:-1] - 1
    assert growth[0] == pytest.approx(0.389, abs=0.001)
    assert np.all(growth[1:] <= limit[2:] * 1.01) and growth[-1] == pytest.approx(limit[-1], rel=0.01)
    assert res.data["pigs_slaughtered"][0, -1] < 800e4 * 1.39 * 1.343 ** 4
    quiet = write("quiet.yaml", dict(REGION, sectors=["pigs"], pigs={
        "base_slaughter_head_per_yr": "800 万头/年", "sow_herd_growth_per_yr": "30 %/yr"}))
    assert main(["validate", str(quiet)]) == 0
    assert "asked" not in capsys.readouterr().err


@pytest.mark.long
def test_run_prints_the_speed_limit_warning_and_writes_it_in_the_report(write, tmp_path, capsys):
    path = write("greedy.yaml", dict(REGION, sectors=["pigs"], pigs={
        "base_slaughter_head_per_yr": "800 万头/年", "sow_herd_growth_per_yr": "150 %/yr"}))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    line = "pigs.sow_herd_growth_per_yr: 150.0%/yr asked in 2021–2025, at most 34.3%/yr possible in the long run"
    assert line in capsys.readouterr().err
    assert line in (tmp_path / "out" / "greedy" / "run" / "report.html").read_text(encoding="utf-8")


def test_herd_speed_limit_root_equals_the_dominant_eigenvalue():
    """The closed-form cubic root that replaced numpy.linalg.eigvals in `_herd` gives the same
    growth per year to 1e-12 over random coefficients, with and without culls."""
    rng = np.random.default_rng(5)
    n = 300
    p = params(dairy.SECTOR, n=n, calving_interval_months=rng.uniform(10, 30, n),
               female_calf_share=rng.uniform(0, 1, n), calf_stage_months=rng.uniform(0.5, 12, n),
               calf_mortality=rng.uniform(0, 0.9, n), heifer_rearing_months=rng.uniform(6, 40, n),
               heifer_death_rate_per_yr=rng.uniform(0, 0.9, n), cow_death_rate_per_yr=rng.uniform(0, 0.9, n),
               cow_cull_rate_per_yr=rng.uniform(0, 0.9, n))
    for culls in (False, True):
        m = _herd.monthly_matrix(_herd.rates(p, dairy.KIND), culls)
        eig = np.max(np.linalg.eigvals(np.linalg.matrix_power(m, 12)).real, axis=1) - 1.0
        np.testing.assert_allclose(_herd.max_breeder_growth_per_yr(p, dairy.KIND, culls=culls), eig,
                                   rtol=1e-12, atol=1e-12)


def test_lambing_rate_ten_percent_higher_from_2022_raises_2025_slaughter():
    """1.5 → 1.65 lambs per ewe from 2022, room in the pens, ewes planned flat: lambs born +10 %, the
    ewe lambs kept unchanged, so fat lambs rise a little over 10 % and culled ewes not at all:
    2025 slaughter +10.4 % (band +5 … +12 %), ewes unchanged."""
    base = dict(base_slaughter_head_per_yr=1e6, spare_capacity_share=5.0)
    before = run_sector(sheep, params(sheep.SECTOR, **base))
    after = run_sector(sheep, params(sheep.SECTOR, lambs_born_per_ewe_per_yr=[[1.5, 1.5, 1.65, 1.65, 1.65, 1.65]],
                                     **base))
    gain = after["sheep_slaughter"] / before["sheep_slaughter"] - 1
    assert gain[:2] == pytest.approx([0.0, 0.0], abs=1e-12)
    assert 0.05 <= gain[-1] <= 0.12 and gain[-1] == pytest.approx(0.1036, abs=0.001)
    np.testing.assert_allclose(after["sheep_ewes"], before["sheep_ewes"], rtol=1e-9)
    assert after["sheep_lambs_born"][-1] / before["sheep_lambs_born"][-1] == pytest.approx(1.1)


def test_milk_per_cow_ten_percent_higher_gives_ten_percent_more_milk():
    """The dairy herd is derived from its head count, not from milk, so milk per cow scales milk one
    for one (+10 % → +10 %), the herd unchanged; a yield growth of 2 %/yr compounds to 1.02^5 by 2025."""
    before = run_sector(dairy, params(dairy.SECTOR, base_herd_head=3.5e5))
    after = run_sector(dairy, params(dairy.SECTOR, base_herd_head=3.5e5, milk_kg_per_cow_per_yr=8300 * 1.1))
    np.testing.assert_allclose(after["milk_output"] / before["milk_output"], 1.1, rtol=1e-12)
    np.testing.assert_allclose(after["dairy_cows"], before["dairy_cows"], rtol=1e-12)
    grown = run_sector(dairy, params(dairy.SECTOR, base_herd_head=3.5e5, milk_yield_growth_per_yr=0.02))
    assert grown["milk_output"][-1] / before["milk_output"][-1] == pytest.approx(1.02 ** 5, rel=1e-12)


def test_eggs_per_hen_ten_percent_higher_from_2022_gives_ten_percent_more_eggs():
    """Egg mass per hen 17 → 18.7 kg from 2022; the base flock is derived from the 2020 egg output
    with 17 kg, and the flock follows its own path, so eggs rise exactly 10 % from 2022, hens unchanged."""
    base = dict(base_egg_output_kg_per_yr=1.1e9)
    before = run_sector(layers, params(layers.SECTOR, **base))
    after = run_sector(layers, params(layers.SECTOR, egg_kg_per_hen_yr=[[17, 17, 18.7, 18.7, 18.7, 18.7]], **base))
    np.testing.assert_allclose(after["egg_output"] / before["egg_output"], [1, 1, 1.1, 1.1, 1.1, 1.1], rtol=1e-12)
    np.testing.assert_allclose(after["laying_hens"], before["laying_hens"], rtol=1e-12)
