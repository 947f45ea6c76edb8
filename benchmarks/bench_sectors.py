"""Benchmark: every sector of every bundled region's baseline, vectorised against a per-run loop,
then the province-scale figures of issue 19.

    python benchmarks/bench_sectors.py [table] [mc] [million] [sobol]   (default: all four)

- table: for each bundled baseline (`scenarios/*_baseline.yaml`), each of its sectors alone and all
  together, engine only 2020→2025 (inputs drawn beforehand): µs per run of one call on 20 000 runs
  (best of 3) and of one call per run (best of 2 loops of 100 runs, the way EMA Workbench drives a
  model), their ratio, measured in the same process; then full Shanxi (every sector of the region
  file plus the feed and value links) on one core.
- mc: `agrosim mc` of full Shanxi, 100 000 runs, 2 workers, wall clock of the whole command
  (start-up, sampling, P(met), bands, Parquet, report).
- million: the same for 1 000 000 runs (chunks of 100 000), wall clock and peak RSS of the
  whole process tree (parent and workers summed) and of the largest process.
- sobol: first and total Sobol indices (SciPy) of full Shanxi's grain output in 2025 over 20
  uncertain inputs: the scenario's own 11, then others taken from every sector in turn (uniform
  ±10 % around the region file's values; most of these cannot move grain, which is the point of a
  screening), base sample 1024 (22 528 runs).

Figures vary with the machine's load: run it on an idle machine, or read the best-of figures as
what the code can do and the spread as the noise.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agrosim import load_scenario, simulate  # noqa: E402
from agrosim.batch import Design  # noqa: E402
from agrosim.config.declarations import section_params  # noqa: E402
from agrosim.registry import BY_NAME, is_link  # noqa: E402

LINKS = ("feed", "value")
FULL_SHANXI = ROOT / "benchmarks" / "full_shanxi.yaml"


def engine_us_per_run(scenario, runs: int = 20_000, loop_runs: int = 100) -> tuple[float, float]:
    """(vectorised, per-run loop) µs per run of the engine, inputs drawn beforehand."""
    draws = Design(runs=runs, seed=1).per_run(scenario, 0, runs)
    simulate(scenario, 1_000, {k: v[:1_000] for k, v in draws.items()})  # warm-up
    vec = []
    for _ in range(3):
        start = time.perf_counter()
        simulate(scenario, runs, draws)
        vec.append((time.perf_counter() - start) / runs)
    loop = []
    for _ in range(2):
        start = time.perf_counter()
        for r in range(loop_runs):
            simulate(scenario, 1, {k: v[r:r + 1] for k, v in draws.items()}, run_offset=r)
        loop.append((time.perf_counter() - start) / loop_runs)
    return 1e6 * min(vec), 1e6 * min(loop)


def table() -> None:
    print(f"{'scenario':<22} {'sectors':<48} {'vectorised µs/run':>18} {'loop µs/run':>12} {'ratio':>7}")
    for path in sorted((ROOT / "scenarios").glob("*_baseline.yaml")):
        full = load_scenario(path)
        producing = [s for s in full.sectors if not is_link(s)]
        cases = [[s] for s in producing] + ([full.sectors] if len(full.sectors) > 1 else [])
        for sectors in cases:
            sc = load_scenario(path, {"sectors": sectors})
            vec, loop = engine_us_per_run(sc)
            print(f"{sc.name:<22} {', '.join(sectors):<48} {vec:>18.2f} {loop:>12.0f} {loop / vec:>6.0f}×",
                  flush=True)
    sc = load_scenario(FULL_SHANXI)
    vec, loop = engine_us_per_run(sc)
    print(f"full Shanxi ({', '.join(sc.sectors)}): {vec:.2f} µs/run vectorised, {loop:.0f} µs/run loop, "
          f"{loop / vec:.0f}×", flush=True)


def timed_command(*args: str) -> tuple[float, float, float]:
    """Wall seconds of an `agrosim` command, and its peak memory in MiB as (whole process tree: the
    largest sum of RSS over the command and its workers, sampled every 50 ms; largest single
    process, from the kernel's own accounting). The tree's sum counts pages the forked workers share
    with the parent once per process, so it bounds the memory from above."""
    import psutil  # comes with dask[distributed] (the cluster and test extras)

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "agrosim.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    tree_peak = 0
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        total = 0
        try:
            for p in [parent, *parent.children(recursive=True)]:
                total += p.memory_info().rss
        except psutil.Error:  # a worker that ended between the listing and the reading
            pass
        tree_peak = max(tree_peak, total)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, args)
    largest = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return wall, tree_peak / 2**20, largest


def monte_carlo(runs: int, chunk: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wall, tree, largest = timed_command("mc", str(FULL_SHANXI), "--runs", str(runs), "--workers", "2",
                                            "--chunk-size", str(chunk), "--out", tmp)
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*.parquet")) / 2**20
    print(f"agrosim mc full Shanxi {runs:,} runs, 2 workers, chunks of {chunk:,}: {wall:.1f} s wall, "
          f"peak RSS {tree:.0f} MiB for parent and workers together ({largest:.0f} MiB the largest process), "
          f"run files {size:.0f} MiB", flush=True)


def sobol() -> None:
    from agrosim.analysis import sensitivity as sens
    from agrosim.config.distributions import Distribution

    sc = load_scenario(FULL_SHANXI)
    dists = list(sc.uncertainty)  # the scenario's own uncertain inputs first: they are what moves grain
    taken = {d.param for d in dists}
    candidates = {name: [spec for spec in section_params(BY_NAME[name]) if not spec.time_varying
                         and f"{name}.{spec.name}" not in taken
                         and isinstance(sc.params[name][spec.name].value, (int, float))
                         and sc.params[name][spec.name].value > 0] for name in sc.sectors}
    while len(dists) < 20 and any(candidates.values()):  # then one input per sector in turn
        for name, specs in candidates.items():
            if specs and len(dists) < 20:
                spec = specs.pop(0)
                value = sc.params[name][spec.name].value
                dists.append(Distribution(f"{name}.{spec.name}", "uniform",
                                          {"low": 0.9 * value, "high": min(1.1 * value, spec.hi or np.inf)}))
    sc.uncertainty, sc.correlation = dists, None
    f, label = sens.outcome(sc, indicator="grain_output", year=sc.end_year)
    start = time.perf_counter()
    result = sens.sobol(sc, f, n=1024, seed=0)
    secs = time.perf_counter() - start
    top = ", ".join(f"{r.param} {r.total:.2f}" for r in result.head(3).itertuples())
    print(f"Sobol (SciPy) of {label} over {len(dists)} inputs, base sample 1024 "
          f"({1024 * (len(dists) + 2):,} runs): {secs:.1f} s; largest total indices: {top}", flush=True)


def main() -> None:
    parts = sys.argv[1:] or ["table", "mc", "million", "sobol"]
    print(f"agrosim benchmarks, {time.strftime('%Y-%m-%d %H:%M')} UTC", flush=True)
    if "table" in parts:
        table()
    if "mc" in parts:
        monte_carlo(100_000, 25_000)
    if "million" in parts:
        monte_carlo(1_000_000, 100_000)
    if "sobol" in parts:
        sobol()


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
