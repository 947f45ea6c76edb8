"""The Python API in a few calls: load → run → verdicts → report. The CLI is a thin layer over it."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from agrosim.analysis.probability import bands, load_results, monte_carlo_table
from agrosim.analysis.findings import TradeOff
from agrosim.analysis.tradeoffs import TradeOffThresholds, scenario_tradeoffs
from agrosim.batch import Design, remove_store, run_batch, target_indicators
from agrosim.config import Scenario
from agrosim.config.assumptions import require_ranges
from agrosim.engine import recorded_indicators, simulate
from agrosim.errors import InputError, Problem, did_you_mean
from agrosim.links import land
from agrosim.prepare import load_scenario
from agrosim.results import Results
from agrosim.targets import Thresholds, evaluate


@dataclass
class Run:
    """A finished run: the scenario, its results and the target verdicts."""

    scenario: Scenario
    results: Results
    verdicts: pd.DataFrame

    def frame(self) -> pd.DataFrame:
        return self.results.to_frame()

    def tradeoffs(self, thresholds: TradeOffThresholds | None = None) -> list[TradeOff]:
        """Costs behind the verdicts (land cut, feed imported or capped, levers at a bound)."""
        return scenario_tradeoffs(self.scenario, thresholds)

    def write(self, out_root: str | Path = "reports", lang: str = "en", command: str | None = "run") -> Path:
        """The report in OUT/<name>/<command>/ (OUT/<name>/ when `command` is None)."""
        from agrosim.analysis.report_inputs import report_findings
        from agrosim.report.writer import write_report

        return write_report(Path(out_root), self.scenario, self.results, self.verdicts, lang=lang, command=command,
                            findings=report_findings(self.scenario, self.results, self.verdicts))


@dataclass
class MonteCarlo:
    """A finished Monte Carlo: target probabilities (with a joint row), percentile bands, run files."""

    scenario: Scenario
    results: Results
    verdicts: pd.DataFrame
    bands: pd.DataFrame
    chunks: list[Path]
    seed: int | None = None
    #: the P(met) classes of the verdicts (likely / unlikely); kept in the report's metadata.json
    thresholds: Thresholds = Thresholds()

    def write(self, out_root: str | Path = "reports", lang: str = "en", command: str | None = "mc") -> Path:
        """Write the report (OUT/<name>/<command>/) and move the run files into it; the work folder is then
        removed."""
        from agrosim.analysis.report_inputs import report_findings
        from agrosim.report.writer import write_report

        folder = write_report(Path(out_root), self.scenario, self.results, self.verdicts, self.chunks, lang, self.seed,
                              command=command, findings=report_findings(self.scenario, self.results, self.verdicts,
                                                                        quantiles=self.bands),
                              verdict_thresholds=self.thresholds)
        remove_store(self.chunks[0].parent)
        return folder

    def tradeoffs(self, thresholds: TradeOffThresholds | None = None) -> list[TradeOff]:
        """Costs behind the verdicts, measured on the scenario's central run (see analysis.tradeoffs)."""
        return scenario_tradeoffs(self.scenario, thresholds)


def monte_carlo(scenario: Scenario | str | Path, runs: int | None = None, seed: int | None = None,
                chunk_size: int = 10_000, workers: int = 1, scheduler: str | None = None,
                work_root: str | Path = "reports", progress: bool = False,
                observed: dict[int, dict[str, float]] | None = None,
                thresholds: Thresholds | None = None, record: str | list[str] | None = None) -> MonteCarlo:
    """Sample the scenario's uncertainty for `runs` runs; resumable (chunks kept under work_root/.work).
    `observed` ({year: {indicator: internal value}}) is assimilated in every run (re-forecasts).
    Each run's inputs and its targets' indicators are kept (run files); `record` adds indicators
    by name, or "all" for every one. Bands cover every indicator either way."""
    sc = _load(scenario)
    require_ranges(sc)
    check_batch_size(runs or sc.runs, chunk_size, len(sc.years))
    record = check_record(sc, record)
    design = Design(runs=runs or sc.runs, seed=sc.seed if seed is None else seed, observed=observed)
    kept = "" if not record else "-" + hashlib.sha256(repr(record).encode()).hexdigest()[:6]
    store = Path(work_root) / ".work" / f"{sc.name}-{design.key(sc)}{kept}"
    chunks = run_batch(sc, design, store, chunk_size, workers, scheduler, progress, record)
    results = load_results(sc, chunks, sorted(target_indicators(sc)))
    if "land_overcommitted" in recorded_indicators(sc):
        over = load_results(sc, chunks, ["land_overcommitted"]).data["land_overcommitted"]
        results.warnings = land.summarise(sc.years, over)
    table = monte_carlo_table(sc, results, chunks, thresholds)
    return MonteCarlo(sc, results, table, bands(sc, chunks), chunks, design.seed, thresholds or Thresholds())


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


def check_record(scenario: Scenario, record: str | list[str] | None) -> str | list[str] | None:
    """`record` as given ("all", indicator names, or None), or an InputError naming unknown indicators."""
    if record is None or record == "all":
        return record
    names = [record] if isinstance(record, str) else list(record)
    known = recorded_indicators(scenario)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError([Problem("command line", "--record", ", ".join(unknown),
                                  f"all, or indicators of the scenario's sectors{did_you_mean(unknown[0], known)}")])
    return sorted(names)


def _load(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run(scenario: Scenario | str | Path, observed: dict[int, dict[str, float]] | None = None) -> Run:
    """Run a scenario (object or file path) deterministically and evaluate its targets;
    `observed` years are assimilated (re-forecast)."""
    sc = _load(scenario)
    results = simulate(sc, n=1, observed=observed)
    return Run(sc, results, evaluate(sc.targets, results))
