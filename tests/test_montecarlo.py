"""Monte Carlo and batch: identical numbers whatever the chunking or executor, resume, known P(met)."""
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from agrosim import load_scenario
from agrosim.api import monte_carlo
from agrosim.batch import Design, chunk_ranges, compute_chunk, run_batch
from agrosim.errors import InputError
from conftest import small_grain


def uncertain(**extra):
    data = small_grain(hsf_build_mu_per_yr="0 亩", land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩")
    data["uncertainty"] = {"land_grain.yield_trend_per_yr": {"dist": "uniform", "low": "0 %/yr", "high": "10 %/yr"}}
    data.update(extra)
    return data


def table(paths):
    return pd.concat([pq.read_table(p).to_pandas() for p in paths]).sort_values("run").reset_index(drop=True)


@pytest.fixture
def shanxi(root):
    return load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml")


def test_same_numbers_across_chunk_sizes_and_workers(shanxi, tmp_path):
    design = Design(runs=900, seed=7)
    serial = table(run_batch(shanxi, design, tmp_path / "a", chunk_size=900, progress=False))
    chunked = table(run_batch(shanxi, design, tmp_path / "b", chunk_size=77, progress=False))
    pooled = table(run_batch(shanxi, design, tmp_path / "c", chunk_size=100, workers=2, progress=False))
    pd.testing.assert_frame_equal(serial, chunked)
    pd.testing.assert_frame_equal(serial, pooled)
    assert serial["in:land_grain.hsf_yield_uplift"].between(0.10, 0.20).all()
    assert serial["in:land_grain.hsf_yield_uplift"].nunique() == 900


def test_same_numbers_on_a_dask_local_cluster(shanxi, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    design = Design(runs=300, seed=7)
    serial = table(run_batch(shanxi, design, tmp_path / "a", chunk_size=300, progress=False))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cl:
        on_dask = table(run_batch(shanxi, design, tmp_path / "d", chunk_size=64, scheduler=cl.scheduler_address,
                                  progress=False))
    pd.testing.assert_frame_equal(serial, on_dask)


def test_resume_skips_finished_chunks_and_gives_the_same_table(shanxi, tmp_path):
    design = Design(runs=500, seed=3)
    store = tmp_path / "store"
    store.mkdir()
    ranges = chunk_ranges(500, 100)
    for a, b in ranges[:2]:  # a batch that died after two chunks (and left a half-written temp file)
        compute_chunk(shanxi, design, a, b, str(store))
    (store / "chunk-0000000200-0000000300.parquet.tmp-999").write_bytes(b"partial")
    before = {p.name: p.stat().st_mtime_ns for p in store.glob("*.parquet")}
    paths = run_batch(shanxi, design, store, chunk_size=100, progress=False)
    assert all(p.stat().st_mtime_ns == before[p.name] for p in paths if p.name in before)
    fresh = table(run_batch(shanxi, design, tmp_path / "fresh", chunk_size=100, progress=False))
    pd.testing.assert_frame_equal(table(paths), fresh)


def test_p_met_is_one_half_at_the_median(write, tmp_path):
    """Trend ~ U(0, 10 %); 2023 output = base × (1+g)^3 ≥ base × 1.05^3 exactly when g ≥ 5 % → P = 0.5."""
    base = 400 * 400 + 400 * 1000 * 0.2  # kg, see conftest.small_grain
    data = uncertain(targets={"g": {"indicator": "grain_output", "kind": "at_least",
                                    "value": f"{base * 1.05 ** 3} kg", "year": 2023}})
    mc = monte_carlo(load_scenario(write("mc.yaml", data)), runs=20_000, seed=11, chunk_size=5_000,
                     work_root=tmp_path)
    row = mc.verdicts.set_index("target").loc["g"]
    assert row.p_low < 0.5 < row.p_high
    assert abs(row.p_met - 0.5) < 0.015
    assert row.p_high - row.p_low < 0.02


def test_joint_probability_and_bands(write, tmp_path):
    base = 400 * 400 + 400 * 1000 * 0.2
    data = uncertain(targets={
        "low": {"indicator": "grain_output", "kind": "at_least", "value": f"{base * 1.02 ** 3} kg", "year": 2023},
        "high": {"indicator": "grain_output", "kind": "at_least", "value": f"{base * 1.08 ** 3} kg", "year": 2023}})
    mc = monte_carlo(load_scenario(write("j.yaml", data)), runs=10_000, seed=5, work_root=tmp_path)
    p = mc.verdicts.set_index("target").p_met
    assert p["low"] == pytest.approx(0.8, abs=0.02) and p["high"] == pytest.approx(0.2, abs=0.02)
    assert p["ALL"] == p["high"]  # meeting the high bar implies meeting the low one
    band = mc.bands[(mc.bands.indicator == "grain_output") & (mc.bands.year == 2023)].iloc[0]
    assert band.p50 == pytest.approx(base * 1.05 ** 3 / 1e7, rel=0.01)  # 万吨
    folder = mc.write(tmp_path / "reports")
    assert {p.name for p in folder.iterdir()} >= {"bands.csv", "targets.csv", "runs", "charts"}
    assert not (tmp_path / "reports" / ".work").exists()


def test_correlated_draws(write):
    data = uncertain(uncertainty={
        "land_grain.yield_trend_per_yr": {"dist": "normal", "mean": "1 %/yr", "sd": "0.5 %/yr"},
        "land_grain.hsf_yield_uplift": {"dist": "pert", "low": 0.1, "mode": 0.12, "high": 0.2}},
        correlations=[["land_grain.yield_trend_per_yr", "land_grain.hsf_yield_uplift", 0.8]])
    sc = load_scenario(write("c.yaml", data))
    draws = Design(runs=20_000, seed=1).per_run(sc, 0, 20_000)
    from scipy.stats import spearmanr
    rho = spearmanr(draws["land_grain.yield_trend_per_yr"], draws["land_grain.hsf_yield_uplift"]).statistic
    assert rho == pytest.approx(6 / np.pi * np.arcsin(0.8 / 2), abs=0.03)  # Spearman rho of a Gaussian copula
    assert draws["land_grain.hsf_yield_uplift"].mean() == pytest.approx((0.1 + 4 * 0.12 + 0.2) / 6, abs=0.002)


@pytest.mark.parametrize("spec,fragment", [
    ({"land_grain.yield_trnd_per_yr": {"dist": "uniform", "low": 0, "high": 1}}, "did you mean 'land_grain.yield_trend_per_yr'"),
    ({"land_grain.hsf_area_mu": {"dist": "uniform", "low": "1 万吨", "high": "2 万吨"}}, "unit of mass"),
    ({"land_grain.hsf_yield_uplift": {"dist": "uniform", "low": 0.3, "high": 0.1}}, "expected low < high"),
    ({"land_grain.hsf_yield_uplift": {"dist": "gamma"}}, "uncertainty.land_grain.hsf_yield_uplift"),
    ({"land_grain.hsf_yield_uplift": {"dist": "triangular", "low": 0.1, "high": 0.3}}, "without mode"),
])
def test_bad_distributions_refused(write, spec, fragment):
    with pytest.raises(InputError) as exc:
        load_scenario(write("bad.yaml", uncertain(uncertainty=spec)))
    assert fragment in str(exc.value)


def test_inverse_cdfs_match_scipy():
    """The fast closed-form/special-function ppfs equal scipy.stats' reference ones."""
    from scipy import stats

    from agrosim.config.distributions import Distribution

    u = np.linspace(0.001, 0.999, 999)
    cases = [
        (Distribution("x", "triangular", {"low": 1, "mode": 2, "high": 5}), stats.triang.ppf(u, 0.25, loc=1, scale=4)),
        (Distribution("x", "pert", {"low": 1, "mode": 2, "high": 5}), 1 + 4 * stats.beta.ppf(u, 2, 4)),
        (Distribution("x", "normal", {"mean": 1, "sd": 0.06, "low": 0.6, "high": 1.2}),
         stats.truncnorm.ppf(u, -0.4 / 0.06, 0.2 / 0.06, loc=1, scale=0.06)),
        (Distribution("x", "normal", {"mean": 1, "sd": 0.5}), stats.norm.ppf(u, 1, 0.5)),
        (Distribution("x", "lognormal", {"median": 2, "sigma": 0.3}), stats.lognorm.ppf(u, 0.3, scale=2)),
        (Distribution("x", "choice", {"values": [1, 2, 3], "weights": [1, 1, 2]}),
         np.select([u <= 0.25, u <= 0.5], [1, 2], 3)),
    ]
    for dist, ref in cases:
        np.testing.assert_allclose(dist.ppf(u), ref, rtol=1e-10, atol=1e-12, err_msg=dist.dist)


def test_plausible_shorthand_is_uniform_over_the_documented_or_declared_range(write, root):
    from agrosim.errors import InputError

    data = {"extends": str(root / "scenarios" / "shuozhou_sheep_2025.yaml"),
            "uncertainty": {"sheep.base_ewes_head": "plausible", "sheep.lamb_mortality": "plausible"}}
    sc = load_scenario(write("plausible.yaml", data))
    dists = {d.param: d for d in sc.uncertainty}
    # the region file documents range: [50 万只, 100 万只]; lamb_mortality takes its declared plausible range
    assert dists["sheep.base_ewes_head"].dist == "uniform"
    assert (dists["sheep.base_ewes_head"].args["low"], dists["sheep.base_ewes_head"].args["high"]) == (5e5, 1e6)
    from agrosim.sectors.sheep import SECTOR

    declared = next(p for p in SECTOR.params if p.name == "lamb_mortality").plausible
    assert (dists["sheep.lamb_mortality"].args["low"], dists["sheep.lamb_mortality"].args["high"]) == declared
    data["uncertainty"] = {"sheep.lambs_bought_head_per_yr": "plausible"}
    with pytest.raises(InputError) as err:
        load_scenario(write("none.yaml", data))
    assert "uncertainty.sheep.lambs_bought_head_per_yr" in str(err.value) and "no documented" in str(err.value)
