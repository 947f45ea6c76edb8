"""Links between sectors, applied each year after every sector has stepped: cultivated-land claims,
the feed balance and output value. A link reads the year's indicators and may shrink a sector
(`Sector.curtail`) when land or feed cannot carry it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np


@dataclass(frozen=True)
class LinkInputs:
    """What a link sees in year index `t`: every indicator recorded so far this year (n,), its own
    parameters, the names of the active sectors, and per-sector project spending from the events."""

    values: Mapping[str, np.ndarray]
    params: Mapping[str, np.ndarray]
    t: int
    year: int
    sectors: tuple[str, ...]
    spend_yuan: Mapping[str, float]

    def get(self, indicator: str) -> np.ndarray:
        """The indicator's values, or zeros when no active sector reports it."""
        n = len(next(iter(self.params.values()))) if self.params else len(next(iter(self.values.values())))
        return self.values.get(indicator, np.zeros(n))
