"""What a link is: it runs each year after every sector has stepped, reads the year's indicators and
writes its own, and may shrink a sector (`Sector.curtail`) when land or feed cannot carry it.

A link declares what it reads (`Link.reads`; the land-claim link also each claimant's `land_claim`)
and what it writes (its `indicators`, and the sectors it may curtail, `Link.shrinks`). `check_reads`
refuses, before the first year runs, a declared name that no sector or link reports at all (a typo
would otherwise read as zeros); `LinkInputs.get` refuses a name the link did not declare. A declared
indicator of a sector that is not active in the scenario reads as zeros: pigs absent means no pig
feed demand and no pork value, which is what the scenario says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from agrosim.config.declarations import IndicatorSpec, TableSpec, check_declared, param_specs
from agrosim.config.spec import ParamSpec
from agrosim.errors import ModelError, did_you_mean

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class LinkInputs:
    """What a link sees in year index `t`: every indicator recorded so far this year (n,), its own
    parameters, the names of the active sectors, per-sector project spending from the events, and
    the indicator names it declared (`reads`). `settings` is the scenario section the link is run
    by (`land_claims:` for the land link), `file` the scenario file (for an error naming it), and a
    link appends what a user must be told to `warnings`."""

    values: Mapping[str, np.ndarray]
    params: Mapping[str, np.ndarray]
    t: int
    year: int
    sectors: tuple[str, ...]
    spend_yuan: Mapping[str, float]
    reads: frozenset[str]
    link: str = "link"
    #: every active claimant -> its `land_claim` indicator (for a link that `reads_land_claims`)
    land_claims: Mapping[str, str] = field(default_factory=dict)
    settings: Any = None
    file: str = ""
    warnings: list[str] = field(default_factory=list)

    def get(self, indicator: str) -> np.ndarray:
        """The indicator's values; zeros when the sector reporting it is not active (names were checked
        against every sector by `check_reads`). A name the link did not declare raises ModelError."""
        if indicator not in self.reads and indicator not in self.land_claims.values():
            raise ModelError(f"link '{self.link}' reads indicator '{indicator}' that it does not declare in "
                             f"`reads`{did_you_mean(indicator, self.reads)}")
        if indicator in self.values:
            return self.values[indicator]
        n = len(next(iter(self.params.values()))) if self.params else len(next(iter(self.values.values())))
        return np.zeros(n)


@dataclass(frozen=True)
class Link:
    """A link: what it reads and writes, and `couple(LinkInputs) -> (indicators, {sector: share})`,
    which the engine calls each year after the sectors, in the order of `agrosim.links.LINKS`.

    A link with `when` set runs whenever `when(active sectors)` holds (land claims: as soon as two
    sectors claim cultivated land); one without runs when the scenario lists it under `sectors:` and
    has its section (feed, value), like a sector, so its parameters are read from the same file."""

    name: str
    title_en: str
    title_zh: str
    couple: Callable[[LinkInputs], tuple[Arrays, dict[str, np.ndarray]]]
    #: what it writes each year
    indicators: tuple[IndicatorSpec, ...]
    #: the indicators `couple` reads (`LinkInputs.get`)
    reads: tuple[str, ...] = ()
    #: it also reads the `land_claim` indicator of every active sector that declares one
    reads_land_claims: bool = False
    #: the sectors whose `curtail` it may call (the keys of the shares `couple` returns)
    shrinks: tuple[str, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    tables: tuple[TableSpec, ...] = ()
    when: Callable[[Sequence[Any]], bool] | None = None

    #: a link claims no cultivated land (the `Declared` protocol a scenario section is checked against)
    land_claim = None

    def __post_init__(self) -> None:
        """Refuse a declaration a scenario file could not be read against (see `check_declared`)."""
        check_declared(self)

    def param_specs(self) -> dict[str, ParamSpec]:
        """Its parameter specs by flat name, a prefixed table's cells by their keys (see
        `config.declarations.param_specs`)."""
        return param_specs(self)

    def check(self, params: Mapping[str, np.ndarray]) -> list[tuple[str, str, str]]:
        """No cross-parameter rules: every parameter of a link is checked alone by its spec."""
        return []

    def runs(self, listed: Sequence[str], active: Sequence[Any]) -> bool:
        """Whether the link runs in a scenario listing `listed` with these active sectors."""
        return self.when(active) if self.when is not None else self.name in listed

    def writes(self) -> tuple[str, ...]:
        """The names of the indicators it writes."""
        return tuple(i.name for i in self.indicators)


def check_reads(link: str, reads: Iterable[str], known: Iterable[str], among: str = "any sector") -> None:
    """Raise ModelError naming every indicator `link` declares it reads that is not in `known` (for a
    link's `reads`: the indicators of every registered sector and link, active or not)."""
    known = set(known)
    unknown = [name for name in reads if name not in known]
    if unknown:
        raise ModelError(f"{link} reads indicator(s) not reported by {among}: "
                         + "; ".join(f"'{name}'{did_you_mean(name, known)}" for name in unknown))
