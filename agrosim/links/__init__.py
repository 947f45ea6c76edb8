"""Links between sectors, applied each year after every sector has stepped: cultivated-land claims,
the feed balance and output value. A link reads the year's indicators and may shrink a sector
(`Sector.curtail`) when land or feed cannot carry it.

A link declares the indicators it reads (`Sector.reads`; for land claims, each claimant's
`land_claim` and `land.AVAILABLE`). `check_reads` refuses, before the first year runs, a declared
name that no sector reports at all (a typo would otherwise read as zeros); `LinkInputs.get` refuses a
name the link did not declare. A declared indicator of a sector that is not active in the scenario
reads as zeros: pigs absent means no pig feed demand and no pork value, which is what the scenario says.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from agrosim.errors import ModelError, did_you_mean


@dataclass(frozen=True)
class LinkInputs:
    """What a link sees in year index `t`: every indicator recorded so far this year (n,), its own
    parameters, the names of the active sectors, per-sector project spending from the events, and
    the indicator names it declared (`reads`)."""

    values: Mapping[str, np.ndarray]
    params: Mapping[str, np.ndarray]
    t: int
    year: int
    sectors: tuple[str, ...]
    spend_yuan: Mapping[str, float]
    reads: frozenset[str]
    link: str = "link"

    def get(self, indicator: str) -> np.ndarray:
        """The indicator's values; zeros when the sector reporting it is not active (names were checked
        against every sector by `check_reads`). A name the link did not declare raises ModelError."""
        if indicator not in self.reads:
            raise ModelError(f"link '{self.link}' reads indicator '{indicator}' that it does not declare in "
                             f"`reads`{did_you_mean(indicator, self.reads)}")
        if indicator in self.values:
            return self.values[indicator]
        n = len(next(iter(self.params.values()))) if self.params else len(next(iter(self.values.values())))
        return np.zeros(n)


def check_reads(link: str, reads: Iterable[str], known: Iterable[str], among: str = "any sector") -> None:
    """Raise ModelError naming every indicator `link` declares it reads that is not in `known` (for a
    link's `reads`: the indicators of every registered sector and link, active or not)."""
    known = set(known)
    unknown = [name for name in reads if name not in known]
    if unknown:
        raise ModelError(f"{link} reads indicator(s) not reported by {among}: "
                         + "; ".join(f"'{name}'{did_you_mean(name, known)}" for name in unknown))
