"""One execution path for a run, a Monte Carlo and a sweep: runs split into chunks, chunks computed
serially, on a process pool or on a Dask cluster, each written to Parquet as it finishes.

A run's numbers depend only on (seed, run index) and its design point, so the chunk size and the
executor cannot change them. A chunk file appears atomically (written, then renamed) and its name
records the runs it holds, so a resumed batch skips every chunk already on disk.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from agrosim.compose import recentre
from agrosim.config.assumptions import require_ranges
from agrosim.config.scenario import Scenario
from agrosim.engine import simulate
from agrosim.events import stochastic_losses
from agrosim.param_arrays import time_row
from agrosim.sectors import param_spec
from agrosim.uncertainty import sample


@dataclass(frozen=True)
class Design:
    """What varies by run: uncertainty draws, plus optional design points repeated `reps` times.

    Run r uses design point r // reps and replicate r % reps; the replicate (not r) keys the random
    draws, so every design point sees the same draws (common random numbers).
    """

    runs: int
    seed: int = 0
    points: dict[str, np.ndarray] = field(default_factory=dict)
    reps: int | None = None
    observed: dict[int, dict[str, float]] | None = None  # assimilated each run (re-forecasts)

    def per_run(self, scenario: Scenario, start: int, stop: int) -> dict[str, np.ndarray]:
        """Every varied input of runs [start, stop): draws (per-year ones re-centred on the scenario's
        own path, see agrosim/compose.py), stochastic outbreak losses and design points."""
        require_ranges(scenario)
        idx = np.arange(start, stop)
        reps = self.reps or self.runs
        values = sample(scenario.uncertainty, scenario.correlation, self.seed, idx % reps, len(scenario.years))
        for dist in scenario.uncertainty:
            values[dist.param] = recentre(scenario, dist, values[dist.param])
        if scenario.events is not None and scenario.events.stochastic:
            for path, loss in stochastic_losses(scenario.events.stochastic, self.seed, idx % reps,
                                                len(scenario.years)).items():
                base = time_row(scenario, param_spec(path), path, with_events=False)[1:]
                values[path] = 1 - (1 - base[None, :]) * (1 - loss)
        for name, pts in self.points.items():
            values[name] = np.asarray(pts)[idx // reps]
        return values

    def key(self, scenario: Scenario) -> str:
        """Hash of everything that determines the numbers: a different job never reuses chunks."""
        h = hashlib.sha256(yaml.safe_dump(scenario.resolved, allow_unicode=True, sort_keys=True).encode())
        h.update(json.dumps([self.runs, self.seed, self.reps, self.observed], sort_keys=True).encode())
        for name in sorted(self.points):
            h.update(name.encode())
            h.update(np.ascontiguousarray(self.points[name], dtype=float).tobytes())
        return h.hexdigest()[:16]


def chunk_ranges(runs: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(a, min(a + chunk_size, runs)) for a in range(0, runs, chunk_size)]


def chunk_table(scenario: Scenario, design: Design, start: int, stop: int) -> pa.Table:
    """Wide table of one chunk: run, the varied inputs (`in:param`), and `indicator|year` columns."""
    per_run = design.per_run(scenario, start, stop)
    res = simulate(scenario, n=stop - start, per_run=per_run, run_offset=start, observed=design.observed)
    cols: dict[str, np.ndarray] = {"run": res.runs}
    for name, arr in per_run.items():
        if arr.ndim == 1:
            cols[f"in:{name}"] = arr
        else:
            for j, year in enumerate(scenario.years[1:]):
                cols[f"in:{name}|{year}"] = arr[:, j]
    for name, arr in res.data.items():
        for j, year in enumerate(res.years):
            cols[f"{name}|{year}"] = arr[:, j]
    return pa.table(cols)


def _chunk_path(store: Path, start: int, stop: int) -> Path:
    return store / f"chunk-{start:010d}-{stop:010d}.parquet"


def compute_chunk(scenario: Scenario, design: Design, start: int, stop: int, store: str) -> str:
    """Compute one chunk and write it atomically; the unit of work sent to a process or a cluster."""
    path = _chunk_path(Path(store), start, stop)
    tmp = path.with_suffix(f".tmp-{os.getpid()}")
    pq.write_table(chunk_table(scenario, design, start, stop), tmp)
    os.replace(tmp, path)
    return str(path)


def run_batch(scenario: Scenario, design: Design, store: Path, chunk_size: int = 10_000, workers: int = 1,
              scheduler: str | None = None, progress: bool = True) -> list[Path]:
    """Compute every chunk not already in `store`; return all chunk paths in run order."""
    from tqdm import tqdm

    store.mkdir(parents=True, exist_ok=True)
    ranges = chunk_ranges(design.runs, chunk_size)
    todo = [(a, b) for a, b in ranges if not _chunk_path(store, a, b).exists()]
    bar = tqdm(total=design.runs, initial=design.runs - sum(b - a for a, b in todo), unit="run",
               disable=not progress or None, desc=scenario.name)
    try:
        if scheduler:
            _on_dask(scheduler, scenario, design, todo, store, bar)
        elif workers > 1 and len(todo) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(compute_chunk, scenario, design, a, b, str(store)): b - a for a, b in todo}
                for fut in as_completed(futures):
                    fut.result()
                    bar.update(futures[fut])
        else:
            for a, b in todo:
                compute_chunk(scenario, design, a, b, str(store))
                bar.update(b - a)
    finally:
        bar.close()
    return [_chunk_path(store, a, b) for a, b in ranges]


def _on_dask(address: str, scenario, design, todo, store: Path, bar) -> None:
    from dask.distributed import Client, as_completed as dask_completed

    with Client(address) as client:
        futures = [client.submit(compute_chunk, scenario, design, a, b, str(store), pure=False) for a, b in todo]
        sizes = {f.key: b - a for f, (a, b) in zip(futures, todo)}
        for fut in dask_completed(futures):
            fut.result()
            bar.update(sizes[fut.key])


def remove_store(store: Path) -> None:
    """Delete a finished job's chunk folder, and the .work folder when it is left empty."""
    shutil.rmtree(store, ignore_errors=True)
    if store.parent.is_dir() and not any(store.parent.iterdir()):
        store.parent.rmdir()


def read_columns(paths: list[Path], columns: list[str]) -> dict[str, np.ndarray]:
    """Read only the named columns of every chunk, concatenated in run order."""
    tables = [pq.read_table(p, columns=columns) for p in paths]
    return {c: np.concatenate([t.column(c).to_numpy() for t in tables]) for c in columns}
