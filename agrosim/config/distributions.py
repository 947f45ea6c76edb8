"""Distributions as written under `uncertainty:` and `correlations:`, parsed against their parameter's
unit and valid range (schema); agrosim/uncertainty.py samples them per run.

    uncertainty:
      land_grain.yield_trend_per_yr: {dist: pert, low: 0 %/yr, mode: 0.5 %/yr, high: 1.5 %/yr}
    correlations:
      - [land_grain.yield_trend_per_yr, land_grain.hsf_yield_uplift, 0.4]

A `Distribution` is a value: its parameters in internal units and its inverse CDF (`ppf`), which the
sampler, the sensitivity designs and the explorer apply to uniforms.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.errors import ValueProblem

DISTS = ("uniform", "triangular", "normal", "lognormal", "pert", "choice")
_NEEDS = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "normal": ("mean", "sd"),
          "lognormal": ("median", "sigma"), "pert": ("low", "mode", "high"), "choice": ("values",)}
#: keys a distribution may take besides dist and per_year (normal and lognormal: low/high truncate)
_TAKES = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "pert": ("low", "mode", "high"),
          "normal": ("mean", "sd", "low", "high"), "lognormal": ("median", "sigma", "low", "high"),
          "choice": ("values", "weights")}
#: largest lognormal sigma: e^5 ≈ 148 times the median per standard deviation is already no estimate
MAX_SIGMA = 5.0
#: least probability a truncated normal or lognormal must keep inside its bounds
MIN_MASS = 1e-6


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
    """A parsed distribution in the parameter's internal unit.

    `bounds` is the parameter's valid range ([lo, hi] of its ParamSpec): every draw lies inside it.
    Bounded distributions are checked to lie inside at load; a normal or lognormal is truncated to
    it (and to its own low/high), so no draw can break the model's invariants (a negative yield)."""

    param: str
    dist: str
    args: dict[str, Any]
    per_year: bool = False
    bounds: tuple[float, float] = (-math.inf, math.inf)

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
        if self.dist in ("normal", "lognormal"):
            lo, hi = self.support()
            p_lo, p_hi = self._cdf(lo, special.ndtr), self._cdf(hi, special.ndtr)
            z = special.ndtri(p_lo + u * (p_hi - p_lo))
            x = a["mean"] + a["sd"] * z if self.dist == "normal" else a["median"] * np.exp(a["sigma"] * z)
            return np.clip(x, lo, hi)
        cum = np.cumsum(a["weights"]) / np.sum(a["weights"])
        return np.asarray(a["values"])[np.minimum(np.searchsorted(cum, u), len(cum) - 1)]

    def support(self) -> tuple[float, float]:
        """Where a normal or lognormal is truncated: its own low/high within the valid range."""
        lo = max(self.args.get("low", -math.inf), self.bounds[0])
        hi = min(self.args.get("high", math.inf), self.bounds[1])
        return lo, hi

    def _cdf(self, x: float, ndtr) -> float:
        """CDF of the untruncated normal or lognormal at x, given the standard normal CDF `ndtr`
        (SciPy's for the draws; `_ndtr` for the load-time check, which need not load SciPy)."""
        a = self.args
        if self.dist == "normal":
            return float(ndtr((x - a["mean"]) / a["sd"]))
        if x <= 0:
            return 0.0
        return float(ndtr(math.log(x / a["median"]) / a["sigma"])) if math.isfinite(x) else 1.0


def _ndtr(z: float) -> float:
    """Standard normal CDF from the math module: SciPy's to 1e-12 relative, enough for a
    threshold check (the draws keep SciPy's, so their values do not move)."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def parse_distribution(param: str, raw: Any, spec: ParamSpec) -> Distribution:
    """Validate a distribution against its parameter's unit and valid range. Raises ValueProblem, or
    pydantic's ValidationError for a mapping the schema refuses."""
    if not isinstance(raw, dict):
        raise ValueProblem(repr(raw), f"a mapping with dist: one of {', '.join(DISTS)}")
    model = DistModel.model_validate(raw)
    missing = [k for k in _NEEDS[model.dist] if getattr(model, k) is None]
    if missing:
        raise ValueProblem(f"dist {model.dist} without {', '.join(missing)}", ', '.join(_NEEDS[model.dist]))
    unused = [k for k in ("low", "high", "mode", "mean", "sd", "median", "sigma", "values", "weights")
              if getattr(model, k) is not None and k not in _TAKES[model.dist]]
    if unused:
        raise ValueProblem(f"{', '.join(unused)} with dist {model.dist}, which does not use "
                           f"{'it' if len(unused) == 1 else 'them'}", f"only {', '.join(_TAKES[model.dist])}")
    if model.per_year and not spec.time_varying:
        raise ValueProblem("per_year: true", f"per_year only for parameters that vary by year ({spec.name} does not)")
    args: dict[str, Any] = {}
    for key in ("low", "high", "mode", "mean", "median"):
        if getattr(model, key) is not None:
            args[key] = parse_scalar(getattr(model, key), spec)
    if model.sd is not None:
        args["sd"] = parse_scalar(model.sd, ParamSpec(spec.name, spec.unit, "", lo=0))
    if model.sigma is not None:
        if not 0 < model.sigma <= MAX_SIGMA:
            raise ValueProblem(f"sigma {model.sigma}", f"0 < sigma ≤ {MAX_SIGMA:g}")
        args["sigma"] = float(model.sigma)
    if model.values is not None:
        if not model.values:
            raise ValueProblem("values: []", "at least one value")
        args["values"] = [parse_scalar(v, spec) for v in model.values]
        weights = model.weights or [1.0] * len(model.values)
        if len(weights) != len(model.values) or not all(math.isfinite(w) and w >= 0 for w in weights) \
                or not sum(weights) > 0:
            raise ValueProblem(f"weights {weights}", "one finite, non-negative weight per value, not all zero")
        args["weights"] = weights
    _check_order(model.dist, args)
    dist = Distribution(param, model.dist, args, model.per_year, (spec.lo, spec.hi))
    if model.dist in ("normal", "lognormal"):
        _check_mass(dist, spec)
    return dist


def _check_order(dist: str, a: dict) -> None:
    if "low" in a and "high" in a and not a["low"] < a["high"]:
        raise ValueProblem(f"low {a['low']:g} ≥ high {a['high']:g}", "low < high")
    if dist in ("triangular", "pert") and not a["low"] <= a["mode"] <= a["high"]:
        raise ValueProblem(f"mode {a['mode']:g} outside [{a['low']:g}, {a['high']:g}]", "low ≤ mode ≤ high")
    if dist == "normal" and not (0 < a["sd"] and math.isfinite(a["mean"] + 40 * a["sd"])):
        raise ValueProblem(f"sd {a['sd']:g}", "0 < sd, small enough for mean ± 40 sd to be finite")
    if dist == "lognormal" and not a["median"] > 0:
        raise ValueProblem(f"median {a['median']:g}", "median > 0")


def _check_mass(dist: Distribution, spec: ParamSpec) -> None:
    """Refuse a normal or lognormal that puts (almost) no probability inside where it may draw."""
    lo, hi = dist.support()
    if not dist._cdf(hi, _ndtr) - dist._cdf(lo, _ndtr) >= MIN_MASS:
        centre = dist.args.get("mean", dist.args.get("median"))
        raise ValueProblem(f"a {dist.dist} around {centre:g} {spec.unit} with almost no probability in [{lo:g}, {hi:g}] "
                           f"(the valid range of {spec.name} and the distribution's own low/high)",
                           "a distribution centred inside it")


#: least eigenvalue a correlation matrix must keep: below it the pairs (almost) contradict each other
MIN_EIGENVALUE = 1e-6


def correlation_matrix(params: list[str], pairs: list[tuple[str, str, float]]) -> np.ndarray:
    """Symmetric correlation matrix; ValueProblem if a pair is given twice or the pairs cannot all hold
    (the matrix is not positive definite, with MIN_EIGENVALUE to spare)."""
    index = {p: i for i, p in enumerate(params)}
    corr = np.eye(len(params))
    seen: dict[frozenset, float] = {}
    for a, b, rho in pairs:
        key = frozenset((a, b))
        if key in seen:
            raise ValueProblem(f"the pair {a}, {b} twice ({seen[key]:g} and {rho:g})", "each pair once")
        seen[key] = rho
        corr[index[a], index[b]] = corr[index[b], index[a]] = rho
    smallest = float(np.linalg.eigvalsh(corr).min()) if len(params) else 1.0
    if not smallest > MIN_EIGENVALUE:
        raise ValueProblem(f"correlations that cannot all hold together (the matrix is not positive definite: "
                           f"smallest eigenvalue {smallest:.3g})", "a consistent set of pairwise correlations, e.g. weaker ones")
    return corr
