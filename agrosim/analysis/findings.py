"""The records and tables a report is drawn from, as the analysis layer hands them over
(`report_inputs.report_findings`), and the wording of the trade-off records in a verdict table and a
list. The report layer imports this module and no analysis computation (tests/test_layers.py,
`layers.REPORT_MAY_IMPORT`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from agrosim.analysis.biology import BeyondBiology, GrowthBeyondLimit
    from agrosim.analysis.drivers import Driver

SEPARATOR = " | "  # between the texts in one `warnings` cell
#: the plan's implied path and the band counted as on track, when neither the command nor the report folder
#: says otherwise (kept in metadata.json under these keys)
TRACKING_DEFAULTS = {"tracking_path": "linear", "tracking_tolerance": 0.02}


@dataclass(frozen=True)
class TradeOff:
    """One cost behind the verdicts. `size` is a share (0–1) except for `budget_saturated` (yuan:
    the budget from which the objective stops improving). `targets`: the targets of `sector`."""

    kind: str
    sector: str | None
    year: int | None
    size: float
    en: str
    zh: str
    targets: tuple[str, ...] = ()

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class TrackingFindings:
    """Observed values against the plan's implied path (`analysis.tracking.track`), with the settings used."""

    #: per target and observed year: observed, implied, status, growth now needed (analysis.tracking)
    table: pd.DataFrame
    #: 'linear' or 'growth'
    path: str
    #: relative distance from the path still counted as on track
    tolerance: float
    #: target id → (years, values) of the plan's path from the base year to the target year, target's unit
    plan_paths: Mapping[str, tuple[np.ndarray, np.ndarray]]

    def settings(self) -> dict:
        """The settings as kept in metadata.json."""
        return {"tracking_path": self.path, "tracking_tolerance": self.tolerance}


@dataclass(frozen=True)
class ReportFindings:
    """The computed parts of one report, in no particular language."""

    #: indicator, year, unit, mean, p5…p95 of the runs (a Monte Carlo's bands)
    quantiles: pd.DataFrame
    #: land, feed, levers and, with an allocation, the budget's (analysis.tradeoffs)
    tradeoffs: list[TradeOff]
    #: targets beyond biology, then herd growth above its speed limit (analysis.biology)
    limits: list[BeyondBiology | GrowthBeyondLimit]
    #: P(met) per target and year (targets.yearly_probabilities)
    yearly: pd.DataFrame
    #: the uncertain inputs whose one-at-a-time swing moves a target most, largest first (analysis.drivers)
    drivers: list[Driver]
    #: cost per unit of target gap closed (analysis.cost); None when the report folder keeps its own
    costs: pd.DataFrame | None = None
    #: observed values against the plan; None without observed data
    tracking: TrackingFindings | None = None
    #: target id → grain change split into area and yield effects (analysis.decomposition)
    decompositions: Mapping[str, pd.DataFrame] = field(default_factory=dict)


def with_warnings(verdicts: pd.DataFrame, records: list[TradeOff], lang: str = "en") -> pd.DataFrame:
    """The verdict table with a `warnings` column: SEPARATOR-joined texts of the records bearing on each
    row (see the module docstring for which rows), empty where none."""
    out = verdicts.copy()
    ids = set(out["target"])

    def bears(record: TradeOff, target: str) -> bool:
        return target == "ALL" or not (set(record.targets) & ids) or target in record.targets

    out["warnings"] = [SEPARATOR.join(r.text(lang) for r in records if bears(r, tid)) for tid in out["target"]]
    return out


def lines(records: list[TradeOff], lang: str = "en", land_warned: bool = False) -> list[str]:
    """One line per record for the CLI and the report's warning list; with `land_warned` (the run's
    own warnings already describe the land over-commitment) that record is left out."""
    return [r.text(lang) for r in records if not (land_warned and r.kind == "land_overcommitted")]


def from_table(verdicts: pd.DataFrame) -> list[str]:
    """The distinct warning texts of a verdict table's `warnings` column, in order (for the scorecard)."""
    if "warnings" not in verdicts:
        return []
    cells = [c for c in verdicts["warnings"].fillna("").astype(str) if c]
    return list(dict.fromkeys(text for c in cells for text in c.split(SEPARATOR)))
