"""Uncertain parameters: distributions written in scenarios, correlated through a Gaussian copula,
sampled per run from the counter-based streams (so a run's draws do not depend on chunking).

    uncertainty:
      land_grain.yield_trend_per_yr: {dist: pert, low: 0 %/yr, mode: 0.5 %/yr, high: 1.5 %/yr}
      land_grain.weather_yield_factor: {dist: normal, mean: 1, sd: 0.06, low: 0.5, high: 1.2, per_year: true}
    correlations:
      - [land_grain.yield_trend_per_yr, land_grain.hsf_yield_uplift, 0.4]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.rng import uniform

DISTS = ("uniform", "triangular", "normal", "lognormal", "pert", "choice")
_NEEDS = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "normal": ("mean", "sd"),
          "lognormal": ("median", "sigma"), "pert": ("low", "mode", "high"), "choice": ("values",)}


class DistModel(BaseModel):
    """A distribution as written; quantities keep their units until parsed against the parameter."""

    model_config = ConfigDict(extra="forbid")
    dist: Literal["uniform", "triangular", "normal", "lognormal", "pert", "choice"]
    low: Any = None
    high: Any = None
    mode: Any = None
    mean: Any = None
    sd: Any = None
    median: Any = None
    sigma: float | None = None
    values: list[Any] | None = None
    weights: list[float] | None = None
    per_year: bool = False


@dataclass(frozen=True)
class Distribution:
    """A parsed distribution in the parameter's internal unit."""

    param: str
    dist: str
    args: dict[str, Any]
    per_year: bool = False

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF: uniforms → values (any shape)."""
        from scipy import special  # here, not at import: validating a scenario need not load SciPy

        a = self.args
        if self.dist == "uniform":
            return a["low"] + u * (a["high"] - a["low"])
        if self.dist == "triangular":
            lo, mode, hi = a["low"], a["mode"], a["high"]
            cut = (mode - lo) / (hi - lo)
            return np.where(u < cut, lo + np.sqrt(u * (hi - lo) * (mode - lo)),
                            hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode)))
        if self.dist == "pert":
            width = a["high"] - a["low"]
            alpha = 1 + 4 * (a["mode"] - a["low"]) / width
            beta = 1 + 4 * (a["high"] - a["mode"]) / width
            return a["low"] + width * special.betaincinv(alpha, beta, u)
        if self.dist == "normal":
            lo, hi = a.get("low"), a.get("high")
            if lo is None and hi is None:
                return a["mean"] + a["sd"] * special.ndtri(u)
            p_lo = 0.0 if lo is None else special.ndtr((lo - a["mean"]) / a["sd"])
            p_hi = 1.0 if hi is None else special.ndtr((hi - a["mean"]) / a["sd"])
            x = a["mean"] + a["sd"] * special.ndtri(p_lo + u * (p_hi - p_lo))
            return np.clip(x, -np.inf if lo is None else lo, np.inf if hi is None else hi)
        if self.dist == "lognormal":
            return a["median"] * np.exp(a["sigma"] * special.ndtri(u))
        cum = np.cumsum(a["weights"]) / np.sum(a["weights"])
        return np.asarray(a["values"])[np.minimum(np.searchsorted(cum, u), len(cum) - 1)]


def parse_distribution(param: str, raw: Any, spec: ParamSpec) -> Distribution:
    """Validate a distribution against its parameter's unit and bounds. Raises ValueError."""
    if not isinstance(raw, dict):
        raise ValueError(f"{raw!r}; expected a mapping with dist: one of {', '.join(DISTS)}")
    model = DistModel.model_validate(raw)
    missing = [k for k in _NEEDS[model.dist] if getattr(model, k) is None]
    if missing:
        raise ValueError(f"dist {model.dist} without {', '.join(missing)}; expected {', '.join(_NEEDS[model.dist])}")
    if model.per_year and not spec.time_varying:
        raise ValueError(f"per_year: true; expected per_year only for parameters that vary by year ({spec.name} does not)")
    args: dict[str, Any] = {}
    for key in ("low", "high", "mode", "mean", "median"):
        if getattr(model, key) is not None:
            args[key] = parse_scalar(getattr(model, key), spec)
    if model.sd is not None:
        args["sd"] = parse_scalar(model.sd, ParamSpec(spec.name, spec.unit, "", lo=0))
    if model.sigma is not None:
        args["sigma"] = float(model.sigma)
    if model.values is not None:
        args["values"] = [parse_scalar(v, spec) for v in model.values]
        weights = model.weights or [1.0] * len(model.values)
        if len(weights) != len(model.values) or min(weights) < 0 or sum(weights) <= 0:
            raise ValueError(f"weights {weights}; expected one non-negative weight per value")
        args["weights"] = weights
    _check_order(model.dist, args)
    return Distribution(param, model.dist, args, model.per_year)


def _check_order(dist: str, a: dict) -> None:
    if dist in ("uniform", "triangular", "pert") and not a["low"] < a["high"]:
        raise ValueError(f"low {a['low']:g} ≥ high {a['high']:g}; expected low < high")
    if dist in ("triangular", "pert") and not a["low"] <= a["mode"] <= a["high"]:
        raise ValueError(f"mode {a['mode']:g} outside [{a['low']:g}, {a['high']:g}]; expected low ≤ mode ≤ high")
    if dist == "normal" and a["sd"] <= 0:
        raise ValueError(f"sd {a['sd']:g}; expected sd > 0")
    if dist == "lognormal" and (a["median"] <= 0 or a["sigma"] <= 0):
        raise ValueError("median or sigma ≤ 0; expected both > 0")


def correlation_matrix(params: list[str], pairs: list[tuple[str, str, float]]) -> np.ndarray:
    """Symmetric correlation matrix; ValueError if it is not positive definite."""
    index = {p: i for i, p in enumerate(params)}
    corr = np.eye(len(params))
    for a, b, rho in pairs:
        corr[index[a], index[b]] = corr[index[b], index[a]] = rho
    try:
        np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        raise ValueError("correlations that do not form a positive-definite matrix; "
                         "expected a consistent set of pairwise correlations") from None
    return corr


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
