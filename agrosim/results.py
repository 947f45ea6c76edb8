"""Results: run × year × indicator arrays in internal units, with units and labels for display; their tidy
table (one row per run, indicator and year), the quantile table summarising it, and the way back from a
saved tidy table."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from agrosim.config.scenario import Scenario
from agrosim.registry import BY_NAME
from agrosim.sectors.base import IndicatorSpec
from agrosim.units import convert, from_internal

#: percent levels of the quantile tables (columns p5…p95), of a run's results and of a Monte Carlo's bands
QUANTILES = (5, 25, 50, 75, 95)


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


def quantile_table(frame: pd.DataFrame) -> pd.DataFrame:
    """indicator, year, unit, mean, p5…p95 per indicator and year, from a tidy results table
    (one row per run) or from a Monte Carlo bands table (returned as it is)."""
    if "p50" in frame:
        return frame
    groups = frame.groupby(["indicator", "year", "unit"], sort=False)["value"]
    table = groups.mean().rename("mean").to_frame()
    for q in QUANTILES:
        table[f"p{q}"] = groups.quantile(q / 100)
    return table.reset_index()


def series(quant: pd.DataFrame, indicator: str, unit: str) -> pd.DataFrame:
    """One indicator's yearly quantiles (year, p5…p95) in `unit`."""
    rows = quant[quant["indicator"] == indicator].sort_values("year")
    out = rows[["year"]].reset_index(drop=True)
    for q in (f"p{level}" for level in QUANTILES):
        out[q] = convert(rows[q].to_numpy(float), rows["unit"].iloc[0], unit)
    return out


def results_from_frame(scenario: Scenario, frame: pd.DataFrame) -> Results:
    """Results (internal units) of `scenario` rebuilt from a saved tidy results table."""
    specs = {i.name: i for s in scenario.sectors for i in BY_NAME[s].indicators}
    names = [n for n in frame["indicator"].unique() if n in specs]
    runs = np.sort(frame["run"].unique())
    data = {}
    for name in names:
        rows = frame[frame["indicator"] == name]
        wide = rows.pivot(index="run", columns="year", values="value").reindex(index=runs, columns=scenario.years)
        data[name] = convert(wide.to_numpy(float), rows["unit"].iloc[0], specs[name].unit)
    return Results(scenario.name, scenario.region.id, scenario.years, {n: specs[n] for n in names}, data, runs)
