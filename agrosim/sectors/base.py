"""What a sector is: its declared parameters, stocks, balances and indicators, and its pure step.

Every array has the run axis first: a stock is (n,) or (n, k) for k cohorts/crops; a constant
parameter is (n,); a time-varying one is (n, years) and sectors read column `t`; a table column
`table.param` is (n, rows), or (n, rows, years) if time-varying.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from agrosim.config.declarations import IndicatorSpec, TableSpec, check_declared, param_specs
from agrosim.config.spec import ParamSpec

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class Balance:
    """`stock[t] = stock[t-1] + Σ inflows − Σ outflows`, checked by the engine every year."""

    stock: str
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sector:
    """A sector: declarations plus three pure functions of arrays (no loop over runs)."""

    name: str
    title_en: str
    title_zh: str
    params: tuple[ParamSpec, ...]
    tables: tuple[TableSpec, ...]
    balances: tuple[Balance, ...]
    indicators: tuple[IndicatorSpec, ...]
    init: Callable[[Mapping[str, np.ndarray]], tuple[Arrays, Arrays]]
    step: Callable[[Arrays, Mapping[str, np.ndarray], int], tuple[Arrays, Arrays]]
    report: Callable[[Arrays, Arrays, Mapping[str, np.ndarray], int], Arrays]
    check: Callable[[Mapping[str, np.ndarray]], list[tuple[str, str, str]]] = field(default=lambda p: [])
    #: assimilate(state, params, t, observed {indicator: (n,) internal units}) -> state: set the
    #: stocks an observation pins down (re-forecasting from observed years)
    assimilate: Callable[[Arrays, Mapping[str, np.ndarray], int, Mapping[str, np.ndarray]], Arrays] | None = None
    #: the indicators `assimilate` accepts
    observable: tuple[str, ...] = ()
    #: the indicator (mu) this sector claims of the cultivated land, if it uses any
    land_claim: str | None = None
    #: curtail(state, flows, share (n,), params) -> (state, flows): shrink the enterprise to `share` of
    #: its size when a link (agrosim/links) finds land or feed short (animals or area with their flows; not capacity)
    curtail: Callable[[Arrays, Arrays, np.ndarray, Mapping[str, np.ndarray]], tuple[Arrays, Arrays]] | None = None
    #: limit(base state, params, indicator, years) -> (n,) upper bound biology puts on the indicator
    #: `years` after the base year (own breeding at its fastest, no purchases), or None if none is known
    limit: Callable[[Arrays, Mapping[str, np.ndarray], str, int], np.ndarray | None] | None = None

    def __post_init__(self) -> None:
        """Refuse a declaration a scenario file could not be read against (see `check_declared`)."""
        check_declared(self)

    def param_specs(self) -> dict[str, ParamSpec]:
        """All parameter specs by flat name (see `config.declarations.param_specs`)."""
        return param_specs(self)


def yearly(params: Mapping[str, np.ndarray], name: str, t: int) -> np.ndarray:
    """Value of a time-varying parameter in year index t: (n,), or (n, rows) for a table column."""
    return params[name][..., t]


def scale_except(kept: tuple[str, ...] = ()) -> Callable:
    """A `curtail` that multiplies every state and flow array by the share (cohort axes broadcast)
    except those `kept`: capacity, targets and rates, which do not shrink with the enterprise."""
    def curtail(state: Arrays, flows: Arrays, share: np.ndarray, params: Mapping[str, np.ndarray]):
        def scaled(arrays: Arrays) -> Arrays:
            return {k: v if k in kept else v * share.reshape(share.shape + (1,) * (np.ndim(v) - 1))
                    for k, v in arrays.items()}
        return scaled(state), scaled(flows)
    return curtail


class _Reads(dict):
    """A parameter mapping that notes the names read from it (by `[]` or `get`)."""

    def __init__(self, params: Mapping[str, np.ndarray]):
        super().__init__(params)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> np.ndarray:
        self.read.add(name)
        return super().__getitem__(name)

    def get(self, name: str, default=None):
        self.read.add(name)
        return super().get(name, default)


def per_run_once(fn: Callable[[Mapping[str, np.ndarray]], Any], params: Mapping[str, np.ndarray]) -> Any:
    """`fn(params)` computed on the first run alone and repeated over the runs when every parameter
    `fn` reads is the same in every run (the usual case for rates in a Monte Carlo that varies base
    figures or yields): the same bits as the whole batch, since a run's values never depend on the
    other runs (tests/test_engine_equivalence.py), at 1/n of the cost.

    `fn` returns an array with the run axis first, a tuple or dict of them, or an object whose
    attributes are such arrays (rates); arrays of one row are repeated, anything else (a count of
    cohorts) kept."""
    n = max((np.shape(v)[0] for v in params.values() if np.ndim(v)), default=1)
    first = _Reads({k: v[:1] if np.ndim(v) else v for k, v in params.items()})
    one = fn(first)
    if n > 1 and not all(np.all(params[k] == params[k][:1]) for k in first.read
                         if k in params and np.ndim(params[k])):
        return fn(params)  # a read parameter differs by run (or is NaN, never equal to itself)
    return _repeat(one, n)


def _repeat(value: Any, n: int) -> Any:
    """`value` of one run as n equal runs (see `per_run_once`)."""
    if isinstance(value, np.ndarray):
        return np.repeat(value, n, axis=0) if value.ndim and value.shape[0] == 1 and n > 1 else value
    if isinstance(value, tuple):
        return tuple(_repeat(v, n) for v in value)
    if isinstance(value, dict):
        return {k: _repeat(v, n) for k, v in value.items()}
    if hasattr(value, "__dict__"):
        out = copy.copy(value)
        for name, attr in vars(value).items():
            object.__setattr__(out, name, _repeat(attr, n))  # frozen dataclasses too
        return out
    return value
