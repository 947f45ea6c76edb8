"""Benchmark: runs per second of the vectorised engine vs calling it once per run.

    python benchmarks/bench_engine.py [scenario]

Prints, for the bundled Shanxi scenario (every sector it has, 2020→2025): the vectorised engine
on 1, 10³, 10⁵ and 10⁶ runs (10⁶ in chunks of 10⁵, sampling the scenario's uncertainty), the
same model called once per run in a Python loop for 10³ runs (the way harnesses such as EMA
Workbench drive a model), their ratio, the full Monte Carlo path (sampling, two worker
processes, Parquet chunks, probabilities) for 10⁵ runs, and peak resident memory.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agrosim import load_scenario, simulate  # noqa: E402
from agrosim.api import monte_carlo  # noqa: E402
from agrosim.batch import Design  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vectorised(scenario, runs: int, chunk: int = 100_000) -> float:
    design = Design(runs=runs, seed=1)
    start = time.perf_counter()
    for a in range(0, runs, chunk):
        b = min(a + chunk, runs)
        simulate(scenario, b - a, design.per_run(scenario, a, b), run_offset=a)
    return time.perf_counter() - start


def per_run_loop(scenario, runs: int) -> float:
    design = Design(runs=runs, seed=1)
    start = time.perf_counter()
    for r in range(runs):
        simulate(scenario, 1, design.per_run(scenario, r, r + 1), run_offset=r)
    return time.perf_counter() - start


def engine_only(scenario, runs: int, loop: bool) -> float:
    """The engine alone, inputs drawn beforehand: one call on all runs, or one call per run."""
    draws = Design(runs=runs, seed=1).per_run(scenario, 0, runs)
    start = time.perf_counter()
    if loop:
        for r in range(runs):
            simulate(scenario, 1, {k: v[r:r + 1] for k, v in draws.items()}, run_offset=r)
    else:
        simulate(scenario, runs, draws)
    return time.perf_counter() - start


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "scenarios" / "shanxi_grain_2025.yaml"
    sc = load_scenario(path)
    print(f"scenario {sc.name}: sectors {', '.join(sc.sectors)}; {len(sc.uncertainty)} uncertain inputs; "
          f"{sc.base_year}-{sc.end_year}")
    vectorised(sc, 1_000)  # warm-up
    per_run_vec = {}
    for runs in (1, 1_000, 100_000, 1_000_000):
        secs = vectorised(sc, runs)
        per_run_vec[runs] = secs / runs
        print(f"vectorised {runs:>9,} runs: {secs:8.3f} s  {runs / secs:12,.0f} runs/s  "
              f"{1e6 * secs / runs:9.2f} µs/run  peak RSS {peak_rss_mib():7.0f} MiB")
    loop = per_run_loop(sc, 1_000)
    print(f"per-run loop    1,000 runs: {loop:8.3f} s  {1_000 / loop:12,.0f} runs/s  {1e3 * loop:9.2f} µs/run")
    print(f"speed-up per run, vectorised (10⁵) vs loop, sampling included: "
          f"{loop / 1_000 / per_run_vec[100_000]:,.0f}×")
    vec_engine = engine_only(sc, 100_000, loop=False) / 100_000
    loop_engine = engine_only(sc, 1_000, loop=True) / 1_000
    print(f"engine only (inputs drawn beforehand): vectorised {1e6 * vec_engine:.2f} µs/run, "
          f"loop {1e6 * loop_engine:.0f} µs/run, speed-up {loop_engine / vec_engine:,.0f}×")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        mc = monte_carlo(sc, runs=100_000, seed=1, chunk_size=25_000, workers=2, work_root=tmp)
        secs = time.perf_counter() - start
    print(f"full Monte Carlo 100,000 runs (2 workers, Parquet chunks, P(met), bands): {secs:.2f} s; "
          f"joint P(met) {mc.verdicts['p_met'].iloc[-1]:.3f}")
    print(f"peak RSS of this process: {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
