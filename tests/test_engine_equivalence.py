"""A vectorised engine computes each run on its own: run r of a call on many runs equals a call on
run r alone, to the last bit, for every sector of full Shanxi (benchmarks/full_shanxi.yaml) with
inputs that differ by run. The cohort pipelines (pigs, layers) are aged in an (ages, runs) layout
and summed over ages row by row, so a run alone (where numpy's own sum would turn pairwise) rounds
as it does in a batch; the draws keep the cohort counts (market age, laying period) equal in both
calls, which sets the array widths."""
import numpy as np
import pytest

from conftest import ROOT

from agrosim import load_scenario, simulate
from agrosim.batch import Design

RUNS = 5


def _inputs(sc):
    rng = np.random.default_rng(19)
    draws = Design(runs=RUNS, seed=3).per_run(sc, 0, RUNS)
    draws.update({
        "pigs.market_age_months": rng.uniform(7.0, 7.95, RUNS),       # 8 young cohorts: summed pairwise alone
        "pigs.mortality_finishing": rng.uniform(0.03, 0.12, RUNS),
        "pigs.sow_cull_per_yr": rng.uniform(0.25, 0.45, RUNS),
        "layers.laying_months": rng.uniform(14.0, 14.95, RUNS),       # 15 hen cohorts
        "layers.mortality_laying": rng.uniform(0.04, 0.15, RUNS),
        "layers.rearing_months": rng.uniform(4.6, 5.4, RUNS),
        "dairy.calf_mortality": rng.uniform(0.03, 0.15, RUNS),
        "dairy.cow_cull_rate_per_yr": rng.uniform(0.2, 0.35, RUNS),
    })
    return draws


def _each_run_equals_the_run_alone(sc, draws, batch) -> None:
    """Every run of `batch` simulated alone (its draws, its run index) gives the same arrays, bit for bit."""
    for r in range(RUNS):
        alone = simulate(sc, 1, {k: v[r:r + 1] for k, v in draws.items()}, run_offset=r)
        for name, arr in alone.data.items():
            np.testing.assert_array_equal(arr[0], batch.data[name][r], err_msg=f"{name}, run {r}")


@pytest.mark.parametrize("outbreak", [False, True])
def test_each_run_of_a_batch_equals_the_run_alone(outbreak):
    sc = load_scenario(ROOT / "benchmarks" / "full_shanxi.yaml")
    draws = _inputs(sc)
    if outbreak:  # a loss in 2022 in every herd: the outbreak branch of the monthly steps
        loss = np.zeros((RUNS, len(sc.years) - 1))  # the years after the base year
        loss[:, 1] = np.linspace(0.1, 0.4, RUNS)
        draws.update({f"{s}.outbreak_loss_fraction": loss for s in ("pigs", "layers", "dairy", "beef")})
    batch = simulate(sc, RUNS, draws)
    assert np.ptp(batch.data["pig_stock"][:, -1]) > 0 and np.ptp(batch.data["laying_hens"][:, -1]) > 0
    _each_run_equals_the_run_alone(sc, draws, batch)


@pytest.mark.parametrize("seed", range(5))
def test_a_month_in_the_ages_by_runs_layout_equals_the_reference_step(seed):
    """`_cohorts.advance_rows` (in place, (ages, n), deaths from the stock) against `advance`
    ((n, ages), the plain definition): the same cohorts, exits and deaths, stages of whole and
    fractional lengths mixed, to 1e-12."""
    from agrosim.sectors import _cohorts as co

    rng = np.random.default_rng(seed)
    n = 7
    months = np.r_[rng.uniform(2.0, 9.0, n - 2), 5.0, 9.0]
    ages = co.n_ages(months)
    exits = co.exit_shares(months, ages)
    survival = rng.uniform(0.8, 1.0, n)
    cohorts = rng.uniform(0.0, 1e4, (n, ages))
    aged, deaths, leaving = co.advance(cohorts, survival[:, None], exits)

    rows = co.by_age(cohorts)
    row_deaths, row_leaving = co.advance_rows(rows, survival, co.by_age(exits), co.first_exit(months),
                                              co.total(rows))
    np.testing.assert_allclose(rows.T, aged, rtol=1e-12)
    np.testing.assert_allclose(row_deaths, deaths.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(row_leaving, leaving, rtol=1e-12)
    assert np.all(rows[0] == 0.0) and np.all(leaving > 0)


def test_uniform_rates_batch_equals_each_run_alone():
    """With the scenario's own draws only (base figures and yields vary, herd rates do not) the
    sectors compute their rates, speed limits and look-ahead on one run and repeat them
    (`per_run_once`): every run of the batch still equals the run alone, bit for bit."""
    sc = load_scenario(ROOT / "benchmarks" / "full_shanxi.yaml")
    draws = Design(runs=RUNS, seed=3).per_run(sc, 0, RUNS)
    batch = simulate(sc, RUNS, draws)
    assert np.ptp(batch.data["beef_stock"][:, -1]) > 0 and np.ptp(batch.data["laying_hens"][:, -1]) > 0
    _each_run_equals_the_run_alone(sc, draws, batch)


def _pig_params(n, **values):
    from herd_util import params
    from agrosim.sectors import pigs

    return params(pigs.SECTOR, n=n, **values)


def test_per_run_once_repeats_the_first_run_only_when_what_it_reads_is_uniform():
    """Rates that read only uniform parameters are computed once and repeated (equal, bit for bit, to
    the whole batch); a parameter read that differs by run, or is NaN, makes it compute every run."""
    from agrosim.sectors import pigs
    from agrosim.sectors.base import per_run_once

    calls = []

    def limits(q):
        calls.append(len(q["market_age_months"]))
        return pigs.speed_limits_per_yr(q)

    uniform = _pig_params(4, base_sows_head=np.array([1e4, 2e4, 3e4, 4e4]))  # not read by the limits
    once = per_run_once(limits, uniform)
    assert calls == [1] and once.shape == (4, 6)
    np.testing.assert_array_equal(once, pigs.speed_limits_per_yr(uniform))

    calls.clear()
    varied = _pig_params(4, sow_cull_per_yr=np.array([0.3, 0.3, 0.4, 0.3]))
    every = per_run_once(limits, varied)
    assert calls == [1, 4] and every[2, 0] < every[0, 0]
    np.testing.assert_array_equal(every, pigs.speed_limits_per_yr(varied))

    calls.clear()
    nan = _pig_params(2, litter_size_head=np.array([[np.nan] * 6, [np.nan] * 6]))
    per_run_once(limits, nan)
    assert calls == [1, 2]  # NaN never equals itself: not taken as uniform

    rates = per_run_once(lambda q: pigs._Rates(q, 1), uniform)  # an object of rate arrays
    full = pigs._Rates(uniform, 1)
    assert rates.ages == full.ages
    for name, value in vars(full).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(rates, name), value, err_msg=name)
    np.testing.assert_array_equal(rates.sow_exits[1], full.sow_exits[1])


@pytest.mark.parametrize("seed", range(3))
def test_survive_and_shift_and_weighted_total_equal_their_plain_forms(seed):
    """`survive_and_shift` (rows from the oldest down, in place) against the plain month: survive
    (row 0 at its own survival), shift every row up, less the leavers (exits × survivors); and
    `weighted_total` against `total(rows * weights)`: bit for bit."""
    from agrosim.sectors import _cohorts as co

    rng = np.random.default_rng(seed)
    n = 6
    months = np.r_[rng.uniform(3.0, 8.0, n - 1), 8.0]
    ages = co.n_ages(months)
    exits = co.by_age(co.exit_shares(months, ages))
    first = co.first_exit(months)
    s0, s = rng.uniform(0.8, 1.0, n), rng.uniform(0.9, 1.0, n)
    rows = rng.uniform(0.0, 1e4, (ages, n))

    plain = rows.copy()
    plain[0] *= s0
    plain[1:] *= s
    leaving = plain[first - 1:] * exits[first:]
    plain[1:] = plain[:-1].copy()
    plain[first:] -= leaving[:-1]
    plain[0] = 0.0

    fused = rows.copy()
    out = co.survive_and_shift(fused, s, exits, first, first_survival=s0)
    np.testing.assert_array_equal(fused, plain)
    np.testing.assert_array_equal(out, co.total(leaving))
    assert np.all(out > 0)

    weights = rng.uniform(0.0, 1.0, (ages, n))
    np.testing.assert_array_equal(co.weighted_total(rows, weights), co.total(rows * weights))
