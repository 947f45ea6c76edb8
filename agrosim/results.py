"""Results: run × year × indicator arrays in internal units, with units and labels for display."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from agrosim.sectors.base import IndicatorSpec
from agrosim.units import from_internal


@dataclass
class Results:
    scenario: str
    region: str
    years: list[int]
    indicators: dict[str, IndicatorSpec]
    data: dict[str, np.ndarray]
    runs: np.ndarray
    #: things a planner must know that did not stop the run (e.g. land over-committed), one line each
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.runs)

    def series(self, indicator: str, unit: str | None = None) -> np.ndarray:
        """(n, years) array of one indicator in `unit` (default: the unit the plans use)."""
        spec = self.indicators[indicator]
        return from_internal(self.data[indicator], unit or spec.display_unit)

    def year_index(self, year: int) -> int:
        return self.years.index(year)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: run, year, region, indicator, value, unit (display units), zh/en labels."""
        frames = []
        n, t = self.n, len(self.years)
        for name, spec in self.indicators.items():
            frames.append(pd.DataFrame({
                "run": np.repeat(self.runs, t), "year": np.tile(self.years, n), "region": self.region,
                "indicator": name, "value": self.series(name).ravel(), "unit": spec.display_unit,
                "label_en": spec.en, "label_zh": spec.zh,
            }))
        return pd.concat(frames, ignore_index=True)

    @staticmethod
    def concat(parts: list["Results"]) -> "Results":
        """Join chunks of runs of the same scenario."""
        first = parts[0]
        data = {k: np.concatenate([p.data[k] for p in parts]) for k in first.data}
        warnings = list(dict.fromkeys(w for p in parts for w in p.warnings))
        return Results(first.scenario, first.region, first.years, first.indicators, data,
                       np.concatenate([p.runs for p in parts]), warnings)
