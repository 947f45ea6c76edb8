"""What a report states that is computed from a scenario and its runs: the quantile table of the runs,
grain change split into area and yield effects, cost per unit of target gap, the trade-offs behind the verdicts, targets and herd growth beyond
biology, P(met) per target and year, the assumptions that move the verdicts most, and the observed
values against the plan's path. The command handlers compute these before the writer
(agrosim/report/writer.py), which draws and writes what it is given and computes no model quantity.

The findings (agrosim/analysis/findings.py) hold records and tables, not sentences: the report words them
in its language, the command line in English, from the same computation.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from agrosim.analysis.biology import beyond_biology
from agrosim.analysis.cost import cost_per_gap
from agrosim.analysis.decomposition import grain_decompositions
from agrosim.analysis.drivers import top_assumptions
from agrosim.analysis.findings import TRACKING_DEFAULTS, ReportFindings, TrackingFindings
from agrosim.analysis.tracking import plan_path, track
from agrosim.analysis.tradeoffs import TradeOffThresholds, tradeoffs
from agrosim.config.scenario import Scenario
from agrosim.observed import load_observed
from agrosim.results import Results, quantile_table
from agrosim.targets import yearly_probabilities


def tracking_settings(*layers: Mapping | None) -> dict:
    """TRACKING_DEFAULTS overlaid by each layer's values that are not None, in order (e.g. the report
    folder's metadata, then the command line)."""
    out = dict(TRACKING_DEFAULTS)
    for layer in layers:
        out.update({k: layer[k] for k in TRACKING_DEFAULTS if (layer or {}).get(k) is not None})
    return out


def report_tracking(scenario: Scenario, results: Results, observed: str | Path, settings: Mapping) -> TrackingFindings:
    """The observed values of the CSV `observed` against the plan's path (`settings` as `tracking_settings`
    returns them). Base-year values not observed come from the runs (median of the base year)."""
    table = track(scenario, load_observed(observed, scenario), settings["tracking_path"],
                  float(settings["tracking_tolerance"]),
                  {tg.indicator: float(np.median(results.data[tg.indicator][:, 0]))
                   for tg in scenario.targets if tg.indicator in results.data})
    paths = {tg.id: plan_path(rows, tg.kind) for tg in scenario.targets
             if len(rows := table[table.target == tg.id])}
    return TrackingFindings(table, settings["tracking_path"], settings["tracking_tolerance"], paths)


def report_findings(scenario: Scenario, results: Results, verdicts: pd.DataFrame, thresholds: Mapping | None = None,
                    allocation: Mapping | None = None, costs: bool = True, *, quantiles: pd.DataFrame | None = None,
                    observed: str | Path | None = None, tracking: Mapping | None = None) -> ReportFindings:
    """Everything a report needs beyond the runs and their `verdicts`. `thresholds` as kept in metadata.json
    ({'import_share': 0.5, …}); `allocation` {'tables', 'settings'} as read from a report's allocation/;
    `costs=False` when redrawing a folder that holds its cost table already; `quantiles`: the runs' quantile
    table when already at hand (a Monte Carlo's bands), else computed from `results`; `observed`: a CSV of
    observed values, tracked with the settings `tracking` (see `tracking_settings`)."""
    quant = quantile_table(results.to_frame()) if quantiles is None else quantiles
    return ReportFindings(quantiles=quant,
                          tradeoffs=tradeoffs(scenario, TradeOffThresholds.from_mapping(thresholds), allocation),
                          limits=beyond_biology(scenario),
                          yearly=yearly_probabilities(scenario.targets, results),
                          drivers=top_assumptions(scenario, 3),
                          costs=cost_per_gap(scenario, results) if costs else None,
                          tracking=None if observed is None else report_tracking(
                              scenario, results, observed, tracking_settings(tracking)),
                          decompositions=grain_decompositions(scenario, quant, verdicts))
