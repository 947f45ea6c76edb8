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

and the report of the pool's result (charts, HTML, workbook: `MonteCarlo.write`). It prints each
one's wall time and throughput, then extrapolates 117 counties × 10⁵ runs the way `agrosim batch`
runs them, one county after another, from the measured figures (scaled to 10⁵ runs per county when
RUNS differs):

- one machine: 117 × (the pool's whole Monte Carlo + the report);
- a Dask cluster of W worker processes: 117 × (10⁵ × the Dask batch's seconds per run per worker / W
  + the parent's part + the report), the parent's part being the Monte Carlo outside the batch
  (reading, P(met), driven_by, bands). This takes the cluster's throughput per worker as measured
  on 2 local workers (Dask's scheduling included) and assumes it holds for W workers, each county
  cut in at least W chunks (`--chunk-size` 10⁵ / W or less); the reports stay on the client.

Needs dask[distributed] (the `cluster` extra).
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
from agrosim.prepare import load_scenario  # noqa: E402

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
    scale = COUNTY_RUNS / runs
    for name, whole, batch in (("serial", serial, serial_batch), ("pool, 2 workers", pool, pool_batch),
                               ("dask, 2 workers", dask, dask_batch)):
        print(f"  {name:<16} {whole:6.1f} s wall ({batch:5.1f} s in the batch, {runs / batch:8,.0f} runs/s)",
              flush=True)
    parent = dask - dask_batch
    per_worker = 2 * dask_batch / runs  # s per run on one Dask worker process, scheduling included
    print(f"  report (charts, HTML, workbook) {report:.1f} s; Monte Carlo outside the batch {parent:.1f} s; "
          f"Dask {1e6 * per_worker:.0f} µs per run per worker", flush=True)
    print(f"extrapolated, {COUNTIES} counties × {COUNTY_RUNS:,} runs, one county after another, reports included:")
    county = pool * scale + report
    print(f"  {'one machine, 2 local workers':<40} {COUNTIES * county / 3600:6.2f} h ({county:.1f} s per county)")
    for workers in (16, 64, 256):
        county = COUNTY_RUNS * per_worker / workers + parent * scale + report
        print(f"  {f'Dask cluster, {workers} worker processes':<40} {COUNTIES * county / 3600:6.2f} h "
              f"({county:.1f} s per county, chunks of at most {-(-COUNTY_RUNS // workers):,} runs)", flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
