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
    for r in range(RUNS):
        alone = simulate(sc, 1, {k: v[r:r + 1] for k, v in draws.items()}, run_offset=r)
        for name, arr in alone.data.items():
            np.testing.assert_array_equal(arr[0], batch.data[name][r], err_msg=f"{name}, run {r}")


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
