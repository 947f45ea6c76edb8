"""What a report states that is computed from a scenario and its runs, apart from the runs themselves:
cost per unit of target gap, the trade-offs behind the verdicts, targets and herd growth beyond
biology, P(met) per target and year, and the assumptions that move the verdicts most. The command handlers compute these before the writer
(agrosim/report/writer.py), which draws and writes what it is given and computes no model quantity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from agrosim.analysis.biology import beyond_biology
from agrosim.analysis.cost import cost_per_gap
from agrosim.analysis.drivers import Driver, top_assumptions
from agrosim.analysis.tradeoffs import TradeOff, TradeOffThresholds, tradeoffs
from agrosim.config.scenario import Scenario
from agrosim.results import Results
from agrosim.targets import yearly_probabilities


@dataclass(frozen=True)
class ReportFindings:
    """The computed parts of one report, in the report's language `lang`."""

    lang: str
    #: land, feed, levers and, with an allocation, the budget's (analysis.tradeoffs)
    tradeoffs: list[TradeOff]
    #: one sentence per target beyond biology, then per herd growth above its speed limit
    limits: list[str]
    #: P(met) per target and year (targets.yearly_probabilities)
    yearly: pd.DataFrame
    #: the uncertain inputs whose one-at-a-time swing moves a target most, largest first (analysis.drivers)
    drivers: list[Driver]
    #: cost per unit of target gap closed (analysis.cost); None when the report folder keeps its own
    costs: pd.DataFrame | None = None


def report_findings(scenario: Scenario, results: Results, lang: str = "en", thresholds: Mapping | None = None,
                    allocation: Mapping | None = None, costs: bool = True) -> ReportFindings:
    """Everything a report needs beyond the runs. `thresholds` as kept in metadata.json
    ({'import_share': 0.5, …}); `allocation` {'tables', 'settings'} as read from a report's allocation/;
    `costs=False` when redrawing a folder that holds its cost table already."""
    return ReportFindings(lang=lang,
                          tradeoffs=tradeoffs(scenario, TradeOffThresholds.from_mapping(thresholds), allocation),
                          limits=beyond_biology(scenario, lang),
                          yearly=yearly_probabilities(scenario.targets, results),
                          drivers=top_assumptions(scenario, 3),
                          costs=cost_per_gap(scenario, results) if costs else None)
