"""The Python API in a few calls: load → run → verdicts → report. The CLI is a thin layer over it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from agrosim.analysis.probability import bands, load_results, target_table
from agrosim.batch import Design, remove_store, run_batch
from agrosim.config import Scenario, load_scenario
from agrosim.engine import recorded_indicators, simulate
from agrosim.errors import InputError, Problem
from agrosim.links import land
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

    def write(self, out_root: str | Path = "reports", lang: str = "en", command: str | None = "run") -> Path:
        """The report in OUT/<name>/<command>/ (OUT/<name>/ when `command` is None)."""
        return write_report(Path(out_root), self.scenario, self.results, self.verdicts, lang=lang, command=command)


@dataclass
class MonteCarlo:
    """A finished Monte Carlo: target probabilities (with a joint row), percentile bands, run files."""

    scenario: Scenario
    results: Results
    verdicts: pd.DataFrame
    bands: pd.DataFrame
    chunks: list[Path]
    seed: int | None = None

    def write(self, out_root: str | Path = "reports", lang: str = "en", command: str | None = "mc") -> Path:
        """Write the report (OUT/<name>/<command>/) and move the run files into it; the work folder is then
        removed."""
        folder = write_report(Path(out_root), self.scenario, self.results, self.verdicts, self.bands, self.chunks,
                              lang, self.seed, command=command)
        remove_store(self.chunks[0].parent)
        return folder


def monte_carlo(scenario: Scenario | str | Path, runs: int | None = None, seed: int | None = None,
                chunk_size: int = 10_000, workers: int = 1, scheduler: str | None = None,
                work_root: str | Path = "reports", progress: bool = False,
                observed: dict[int, dict[str, float]] | None = None) -> MonteCarlo:
    """Sample the scenario's uncertainty for `runs` runs; resumable (chunks kept under work_root/.work).
    `observed` ({year: {indicator: internal value}}) is assimilated in every run (re-forecasts)."""
    sc = _load(scenario)
    check_batch_size(runs or sc.runs, chunk_size, len(sc.years))
    design = Design(runs=runs or sc.runs, seed=sc.seed if seed is None else seed, observed=observed)
    store = Path(work_root) / ".work" / f"{sc.name}-{design.key(sc)}"
    chunks = run_batch(sc, design, store, chunk_size, workers, scheduler, progress)
    results = load_results(sc, chunks, sorted({t.indicator for t in sc.targets}))
    if "land_overcommitted" in recorded_indicators(sc):
        over = load_results(sc, chunks, ["land_overcommitted"]).data["land_overcommitted"]
        results.warnings = land.summarise(sc.years, over)
    return MonteCarlo(sc, results, target_table(sc, results), bands(sc, chunks), chunks, design.seed)


MAX_RUNS = 10**9
MAX_CHUNK_CELLS = 5 * 10**7  # runs × years per chunk: bounds a chunk's memory to a few GiB at most


def check_batch_size(runs: int, chunk_size: int, n_years: int) -> None:
    """Refuse absurd batch sizes up front instead of running out of memory or time."""
    problems = []
    if not 1 <= runs <= MAX_RUNS:
        problems.append(Problem("command line", "--runs", f"{runs:,}", f"1 to {MAX_RUNS:,} runs"))
    if chunk_size * n_years > MAX_CHUNK_CELLS:
        problems.append(Problem("command line", "--chunk-size", f"{chunk_size:,} runs × {n_years} years",
                                f"at most {MAX_CHUNK_CELLS // n_years:,} runs per chunk for {n_years} years"))
    if problems:
        raise InputError(problems)


def _load(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run(scenario: Scenario | str | Path, observed: dict[int, dict[str, float]] | None = None) -> Run:
    """Run a scenario (object or file path) deterministically and evaluate its targets;
    `observed` years are assimilated (re-forecast)."""
    sc = _load(scenario)
    results = simulate(sc, n=1, observed=observed)
    return Run(sc, results, evaluate(sc.targets, results))
