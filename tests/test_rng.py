"""Random streams depend only on (seed, run index, stream): chunking cannot change a result."""
import numpy as np
from scipy import stats

from agrosim.rng import uniform


def test_same_run_same_numbers_whatever_the_chunk():
    whole = uniform(42, np.arange(10_000), "yield")
    parts = np.concatenate([uniform(42, np.arange(a, a + 1_000), "yield") for a in range(0, 10_000, 1_000)])
    assert np.array_equal(whole, parts)
    assert np.array_equal(uniform(42, np.array([7_321]), "yield"), whole[7_321:7_322])


def test_seed_and_stream_change_the_numbers():
    a = uniform(1, np.arange(100), "x")
    assert not np.array_equal(a, uniform(2, np.arange(100), "x"))
    assert not np.array_equal(a, uniform(1, np.arange(100), "y"))


def test_uniform_distribution_and_independence():
    u = uniform(2026, np.arange(200_000), "check", draws=2)
    assert u.min() > 0 and u.max() < 1
    assert stats.kstest(u[:, 0], "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:-1, 0], u[1:, 0])[0, 1]) < 0.01
