"""Uncertain parameters: distributions written in scenarios, correlated through a Gaussian copula,
sampled per run from the counter-based streams (so a run's draws do not depend on chunking).

    uncertainty:
      land_grain.yield_trend_per_yr: {dist: pert, low: 0 %/yr, mode: 0.5 %/yr, high: 1.5 %/yr}
      land_grain.weather_yield_factor: {dist: normal, mean: 1, sd: 0.06, low: 0.5, high: 1.2, per_year: true}
    correlations:
      - [land_grain.yield_trend_per_yr, land_grain.hsf_yield_uplift, 0.4]

The distributions are parsed and the correlations checked (schema) in agrosim/config/distributions.py.
"""
from __future__ import annotations

import numpy as np

from agrosim.config.distributions import Distribution
from agrosim.rng import uniform


def sample(dists: list[Distribution], corr: np.ndarray | None, seed: int, runs: np.ndarray,
           n_years: int) -> dict[str, np.ndarray]:
    """Draw every uncertain parameter for the given run indices: {param: (n,) or (n, years)}."""
    if not dists:
        return {}
    width = [n_years - 1 if d.per_year else 1 for d in dists]
    u = [uniform(seed, runs, d.param, w) for d, w in zip(dists, width)]
    if corr is not None and not np.allclose(corr, np.eye(len(dists))):
        from scipy import stats

        chol = np.linalg.cholesky(corr)
        cols = max(width)
        z = np.stack([stats.norm.ppf(x if x.shape[1] == cols else np.repeat(x, cols, axis=1)) for x in u])
        z = np.einsum("ij,jnt->int", chol, z)
        u = [stats.norm.cdf(z[i][:, : width[i]]) for i in range(len(dists))]
    out = {}
    for d, x in zip(dists, u):
        values = d.ppf(np.clip(x, 1e-12, 1 - 1e-12))
        out[d.param] = values if d.per_year else values[:, 0]
    return out
