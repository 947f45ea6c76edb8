"""The Python API in a few calls: load → run → verdicts → report. The CLI is a thin layer over it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from agrosim.config import Scenario, load_scenario
from agrosim.engine import simulate
from agrosim.report.writer import write_report
from agrosim.results import Results
from agrosim.targets import evaluate


@dataclass
class Run:
    """A finished run: the scenario, its results and the target verdicts."""

    scenario: Scenario
    results: Results
    verdicts: pd.DataFrame

    def frame(self) -> pd.DataFrame:
        return self.results.to_frame()

    def write(self, out_root: str | Path = "reports") -> Path:
        return write_report(Path(out_root), self.scenario, self.results, self.verdicts)


def run(scenario: Scenario | str | Path) -> Run:
    """Run a scenario (object or file path) deterministically and evaluate its targets."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    results = simulate(sc, n=1)
    return Run(sc, results, evaluate(sc.targets, results))
