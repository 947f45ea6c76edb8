"""Benchmark: what 117 counties × 10⁵ runs cost, on one machine and on a Dask cluster (issue 19).

    python benchmarks/bench_scale.py [RUNS] [CHUNK]   (default 100 000 runs, a county's, in chunks of 25 000)

Measures, on full Shanxi (`benchmarks/full_shanxi.yaml`, every sector and link; a county scenario
with every sector costs about as much per run, since the state per run does not grow with the
region's size), the Monte Carlo of RUNS runs through the Python API (sampling, engine, Parquet,
sketches, P(met), driven_by, bands; no report) three ways:

- serial: one process, chunks one after the other;
- pool: 2 local worker processes (`--workers 2`);
- dask: a local `dask.distributed` cluster of 2 worker processes, 1 thread each (`--scheduler`),
  its start-up not counted (a cluster is started once for all counties).

and the report of the pool's result (charts, HTML, workbook: `MonteCarlo.write`). From these it
prints the cost per run of one worker process, the Dask overhead per chunk (dask − pool, over the
chunks a worker computes in turn) and the parts of a scenario that do not divide over workers (the
parent's reading, P(met), driven_by and bands, scaled linearly to 10⁵ runs when RUNS differs;
the report), then
extrapolates 117 counties × 10⁵ runs the way `agrosim batch` runs them, one county after another,
each county's chunks spread over W worker processes (chunks of 10⁵ / W runs, so that one round
of chunks covers a county):

    117 × (10⁵ × per-run cost / W + Dask overhead per chunk + parent part + report)

(on one machine, W = 2 local workers and no Dask overhead). Needs dask[distributed] (the `cluster`
extra).
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agrosim.api import monte_carlo  # noqa: E402
from agrosim.config import load_scenario  # noqa: E402

FULL_SHANXI = ROOT / "benchmarks" / "full_shanxi.yaml"
COUNTIES, COUNTY_RUNS = 117, 100_000


def timed_mc(scenario, runs: int, chunk: int, workers: int = 1, scheduler: str | None = None,
             report: bool = False) -> tuple[float, float, float]:
    """Wall seconds of the whole monte_carlo call, of its batch part, and of writing its report
    (0 unless `report`), on a fresh work folder."""
    import agrosim.api as api

    batch_secs = []
    original = api.run_batch

    def timed_batch(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            batch_secs.append(time.perf_counter() - start)

    api.run_batch = timed_batch
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            mc = monte_carlo(scenario, runs, 0, chunk, workers, scheduler, work_root=tmp)
            whole = time.perf_counter() - start
            start = time.perf_counter()
            if report:
                mc.write(tmp)
            return whole, batch_secs[0], (time.perf_counter() - start) if report else 0.0
    finally:
        api.run_batch = original


def main() -> None:
    from dask.distributed import LocalCluster

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else COUNTY_RUNS
    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 25_000
    chunks = -(-runs // chunk)
    sc = load_scenario(FULL_SHANXI)
    print(f"agrosim scale benchmark, {time.strftime('%Y-%m-%d %H:%M')} UTC: full Shanxi, {runs:,} runs in "
          f"{chunks} chunks of {chunk:,}", flush=True)
    monte_carlo(sc, 1_000, 0, 1_000, work_root=tempfile.mkdtemp())  # warm-up (imports, caches)
    serial, serial_batch, _ = timed_mc(sc, runs, chunk)
    pool, pool_batch, report = timed_mc(sc, runs, chunk, workers=2, report=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        timed_mc(sc, chunk, chunk, scheduler=cluster.scheduler_address)  # workers import agrosim once
        dask, dask_batch, _ = timed_mc(sc, runs, chunk, scheduler=cluster.scheduler_address)
    per_run = serial_batch / runs  # one worker process, s per run (sampling, engine, sketch, Parquet)
    parent = float(np.mean([serial - serial_batch, pool - pool_batch, dask - dask_batch]))
    overhead = max(0.0, (dask_batch - pool_batch) / (chunks / 2))  # per chunk, on top of a local pool
    for name, whole, batch in (("serial", serial, serial_batch), ("pool, 2 workers", pool, pool_batch),
                               ("dask, 2 workers", dask, dask_batch)):
        print(f"  {name:<16} {whole:6.1f} s wall ({batch:5.1f} s in the batch, {runs / batch:8,.0f} runs/s)",
              flush=True)
    print(f"  one worker process: {1e6 * per_run:.0f} µs per run; Dask overhead {overhead:.2f} s per chunk; "
          f"parent part (read, P(met), driven_by, bands) {parent:.1f} s for {runs:,} runs; "
          f"report {report:.1f} s", flush=True)

    county_parent = parent * COUNTY_RUNS / runs
    print(f"extrapolated, {COUNTIES} counties × {COUNTY_RUNS:,} runs, one county after another, reports included:")
    for workers in (2, 16, 64, 256):
        where = "one machine, 2 local workers" if workers == 2 else f"Dask cluster, {workers} worker processes"
        extra = 0.0 if workers == 2 else overhead
        county = COUNTY_RUNS * per_run / workers + extra + county_parent + report
        print(f"  {where:<40} {COUNTIES * county / 60:7.1f} min ({county:.1f} s per county, chunks of "
              f"{-(-COUNTY_RUNS // workers):,})", flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
