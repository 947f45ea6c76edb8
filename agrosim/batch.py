"""One execution path for a run, a Monte Carlo and a sweep: runs split into chunks, chunks computed
serially, on a process pool or on a Dask cluster, each written to Parquet as it finishes.

A run's numbers depend only on (seed, run index) and its design point, so the chunk size and the
executor cannot change them. A chunk file appears atomically (written, then renamed) and its name
records the runs it holds, so a resumed batch skips every chunk already on disk.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent identical jobs are then the user's care
    fcntl = None

from agrosim.compose import recentre
from agrosim.config.assumptions import require_ranges
from agrosim.config.scenario import Scenario
from agrosim.engine import recorded_indicators, simulate
from agrosim.errors import InputError, Problem
from agrosim.events import stochastic_losses
from agrosim.limits import MAX_DESIGN_BYTES, MAX_DESIGN_POINTS
from agrosim.param_arrays import time_row
from agrosim.registry import param_spec
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


def design_bytes(scenario: Scenario, runs: int, columns: int = 0, all_indicators: bool = False) -> int:
    """Bytes a batch of `runs` runs needs at once once collected: the targets' indicators (or every
    recorded indicator, for methods that simulate the whole design at once) per year, plus `columns`
    more values per run (design points, draws)."""
    from agrosim.engine import recorded_indicators

    indicators = len(recorded_indicators(scenario)) if all_indicators else len(target_indicators(scenario))
    return 8 * runs * (len(scenario.years) * max(indicators, 1) + columns + len(scenario.uncertainty) + 1)


def check_design_size(scenario: Scenario, runs: int, option: str, columns: int = 0, all_indicators: bool = False,
                      points: int | None = None) -> None:
    """Refuse a design whose points or memory exceed MAX_DESIGN_POINTS / MAX_DESIGN_BYTES, before any of
    it is allocated (a sweep of 100 000 points per lever, a Sobol sample of 2³⁰)."""
    problems = []
    if points is not None and points > MAX_DESIGN_POINTS:
        problems.append(Problem("command line", option, f"a design of {points:,} points",
                                f"at most {MAX_DESIGN_POINTS:,} points (the design-size limit)"))
    need = design_bytes(scenario, runs, columns, all_indicators)
    if need > MAX_DESIGN_BYTES:
        problems.append(Problem("command line", option,
                                f"{runs:,} runs, needing about {need / 2**30:,.1f} GiB of memory",
                                f"a design needing at most {MAX_DESIGN_BYTES / 2**30:g} GiB (the design-memory limit); "
                                "fewer runs, points or replicates"))
    if problems:
        raise InputError(problems)


LOCK_FILE = ".lock"


def target_indicators(scenario: Scenario) -> set[str]:
    """What the verdicts read: each target's indicator and, for a capacity target, its realised one."""
    return {t.indicator for t in scenario.targets} | {t.realised for t in scenario.targets if t.realised}


def chunk_ranges(runs: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(a, min(a + chunk_size, runs)) for a in range(0, runs, chunk_size)]


#: per-run quantile levels each chunk keeps of every indicator and year, for the bands (0, 0.1 %, … 100 %)
SKETCH_LEVELS = np.linspace(0.0, 1.0, 1001)


def stored_indicators(scenario: Scenario, record: str | list[str] | None = None) -> list[str]:
    """Indicators a chunk keeps per run: what the analysis reads (targets' indicators and the land
    over-commitment behind the warnings) plus `record` (indicator names), or every one with "all"."""
    recorded = recorded_indicators(scenario)
    if record == "all":
        return list(recorded)
    wanted = target_indicators(scenario) | {"land_overcommitted"} | set(record or ())
    return [name for name in recorded if name in wanted]


def chunk_table(scenario: Scenario, design: Design, start: int, stop: int,
                record: str | list[str] | None = None) -> tuple[pa.Table, bytes]:
    """Wide table of one chunk: run, the varied inputs (`in:param`), and `indicator|year` columns of
    the stored indicators (`stored_indicators`); inputs, targets' indicators and the land
    over-commitment in float64, any other indicator in float32 (7 significant digits, ample for a
    chart or a table, not for a verdict at the boundary). Every indicator's bands are kept whatever is stored: returned with the table, a sketch of each
    indicator and year (`chunk_sketch`), merged over chunks by `analysis.probability.bands`."""
    per_run = design.per_run(scenario, start, stop)
    res = simulate(scenario, n=stop - start, per_run=per_run, run_offset=start, observed=design.observed)
    cols: dict[str, np.ndarray] = {"run": res.runs}
    for name, arr in per_run.items():
        if arr.ndim == 1:
            cols[f"in:{name}"] = arr
        else:
            for j, year in enumerate(scenario.years[1:]):
                cols[f"in:{name}|{year}"] = arr[:, j]
    exact = target_indicators(scenario) | {"land_overcommitted"}  # verdicts and warnings read these
    for name in stored_indicators(scenario, record):
        arr = res.data[name] if name in exact else res.data[name].astype(np.float32)
        for j, year in enumerate(res.years):
            cols[f"{name}|{year}"] = arr[:, j]
    return pa.table(cols), chunk_sketch(res.data)


def chunk_sketch(data: dict[str, np.ndarray]) -> bytes:
    """Every indicator's (runs, years) values summed up for bands that merge over chunks: the run
    count, the sum per year (for the mean) and the values at SKETCH_LEVELS (exact order statistics
    interpolated as numpy's percentile does, see `sorted_quantiles`), as .npz bytes."""
    names = list(data)
    runs = len(next(iter(data.values())))
    columns = np.concatenate([data[k].T for k in names])  # (indicators × years, runs), each row contiguous
    out = io.BytesIO()
    np.savez(out, names=np.array(names), runs=np.array(runs),
             sums=np.stack([np.ascontiguousarray(data[k]).sum(axis=0) for k in names]),  # run after run
             quantiles=sorted_quantiles(columns, SKETCH_LEVELS).reshape(len(SKETCH_LEVELS), len(names), -1))
    return out.getvalue()


def sorted_quantiles(rows: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """np.quantile(rows, levels, axis=1) (method "linear"), bit for bit, by one in-place sort of each
    row: a chunk's sketch asks for 1 001 levels, where numpy's partition costs ten times a sort.
    `rows` (columns, runs) is sorted in place; returns (levels, columns); a row holding NaN gives NaN."""
    rows.sort(axis=1)
    n = rows.shape[1]
    virtual = (n - 1) * levels  # numpy's index arithmetic for "linear", kept as is for equal results
    below = np.floor(virtual)
    above = below + 1
    below[virtual >= n - 1] = above[virtual >= n - 1] = -1
    gamma = (virtual - below)[:, None]
    a, b = rows[:, below.astype(np.intp)].T, rows[:, above.astype(np.intp)].T
    diff = b - a
    out = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    out[:, np.isnan(rows[:, -1])] = np.nan
    return out


def _chunk_path(store: Path, start: int, stop: int) -> Path:
    return store / f"chunk-{start:010d}-{stop:010d}.parquet"


def sketch_path(chunk: Path) -> Path:
    """The bands sketch beside a chunk file (written before it, so a chunk on disk has one)."""
    return chunk.with_suffix(".sketch.npz")


def compute_chunk(scenario: Scenario, design: Design, start: int, stop: int, store: str,
                  record: str | list[str] | None = None) -> str:
    """Compute one chunk and write it atomically; the unit of work sent to a process or a cluster.
    `record`: what is stored per run beyond what the analysis reads (see `stored_indicators`)."""
    path = _chunk_path(Path(store), start, stop)
    table, sketch = chunk_table(scenario, design, start, stop, record)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    sketch_tmp = sketch_path(path).with_name(f"{sketch_path(path).name}.tmp-{os.getpid()}")
    sketch_tmp.write_bytes(sketch)
    os.replace(sketch_tmp, sketch_path(path))
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return str(path)


def run_batch(scenario: Scenario, design: Design, store: Path, chunk_size: int = 10_000, workers: int = 1,
              scheduler: str | None = None, progress: bool = True,
              record: str | list[str] | None = None) -> list[Path]:
    """Compute every chunk not already in `store`; return all chunk paths in run order. `record`
    adds indicators to what each chunk stores per run ("all": every one); the store must be
    one for that choice (`monte_carlo` names it so).

    The store is locked for this process until `remove_store` (or the process ends): a second process
    computing the same job into the same folder is refused instead of losing its chunks. Ctrl-C stops
    the workers at once; finished chunks stay for the next run to resume from."""
    from tqdm import tqdm

    store.mkdir(parents=True, exist_ok=True)
    _lock(store)
    for leftover in store.glob("chunk-*.tmp-*"):  # half-written by a killed run
        leftover.unlink(missing_ok=True)
    ranges = chunk_ranges(design.runs, chunk_size)
    todo = [(a, b) for a, b in ranges if not _chunk_path(store, a, b).exists()]
    bar = tqdm(total=design.runs, initial=design.runs - sum(b - a for a, b in todo), unit="run",
               disable=not progress or None, desc=scenario.name)
    try:
        if scheduler:
            _on_dask(scheduler, scenario, design, todo, store, bar, record)
        elif workers > 1 and len(todo) > 1:
            _on_pool(workers, scenario, design, todo, store, bar, record)
        else:
            for a, b in todo:
                compute_chunk(scenario, design, a, b, str(store), record)
                bar.update(b - a)
    finally:
        bar.close()
    return [_chunk_path(store, a, b) for a, b in ranges]


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops them (no traceback from each worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _on_pool(workers: int, scenario, design, todo, store: Path, bar, record=None) -> None:
    interrupted: list[int] = []
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:  # a Ctrl-C while the workers start is held, then raised once they ignore it
        previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint)
    try:
        try:
            futures = {pool.submit(compute_chunk, scenario, design, a, b, str(store), record): b - a
                       for a, b in todo}
        finally:
            if in_main:
                signal.signal(signal.SIGINT, previous)
        if interrupted:
            raise KeyboardInterrupt
        for fut in as_completed(futures):
            fut.result()
            bar.update(futures[fut])
    except BaseException:
        for proc in list(getattr(pool, "_processes", {}).values()):  # stop chunks in progress at once
            proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _on_dask(address: str, scenario, design, todo, store: Path, bar, record=None) -> None:
    try:
        from dask.distributed import Client, as_completed as dask_completed
    except ModuleNotFoundError as exc:
        raise InputError([Problem("command line", "--scheduler", f"a missing package ({exc.name})",
                                  "dask[distributed] installed to use a Dask cluster")]) from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError([Problem("command line", "--scheduler", f"'{address}', which could not be reached "
                                  f"({type(exc).__name__})", "the address of a running Dask scheduler")]) from None
    with client:
        futures = [client.submit(compute_chunk, scenario, design, a, b, str(store), record, pure=False) for a, b in todo]
        sizes = {f.key: b - a for f, (a, b) in zip(futures, todo)}
        for fut in dask_completed(futures):
            fut.result()
            bar.update(sizes[fut.key])


#: store → open file descriptor of its lock, for the stores this process computes into (see run_batch)
_HELD: dict[str, int] = {}


def _lock(store: Path) -> None:
    """Take the store's lock for this process (again-safe); refuse if another live process holds it."""
    key = str(store.resolve())
    if key in _HELD or fcntl is None:
        return
    fd = os.open(store / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise InputError([Problem(str(store), "", f"a job being computed by another agrosim process (pid {holder})",
                                  "one process per job and output folder: wait for it to finish (its report is the "
                                  "same) or choose another --out")]) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    _HELD[key] = fd


def release_store(store: Path) -> None:
    """Let other processes compute into `store` (remove_store does this; for callers that keep it)."""
    fd = _HELD.pop(str(store.resolve()), None)
    if fd is not None:
        os.close(fd)


def remove_store(store: Path) -> None:
    """Delete a finished job's chunk folder, and the .work folder when it is left empty."""
    shutil.rmtree(store, ignore_errors=True)
    release_store(store)
    if store.parent.is_dir() and not any(store.parent.iterdir()):
        store.parent.rmdir()


def read_columns(paths: list[Path], columns: list[str]) -> dict[str, np.ndarray]:
    """Read only the named columns of every chunk, concatenated in run order."""
    tables = [pq.read_table(p, columns=columns) for p in paths]
    return {c: np.concatenate([t.column(c).to_numpy() for t in tables]) for c in columns}


def read_sketches(paths: list[Path]) -> list[dict[str, np.ndarray]]:
    """The bands sketch of every chunk (`chunk_sketch`); where a chunk has none (a report folder's
    runs/), one made from the indicators the chunk stores."""
    out = []
    for path in paths:
        if sketch_path(path).is_file():
            with np.load(sketch_path(path)) as sketch:
                out.append({k: sketch[k] for k in sketch.files})
            continue
        table = pq.read_table(path)
        names = list(dict.fromkeys(c.split("|")[0] for c in table.column_names if "|" in c and ":" not in c))
        years = sorted({c.split("|")[1] for c in table.column_names if c.startswith(f"{names[0]}|")})
        data = {k: np.column_stack([table.column(f"{k}|{y}").to_numpy().astype(float) for y in years]) for k in names}
        with np.load(io.BytesIO(chunk_sketch(data))) as sketch:
            out.append({k: sketch[k] for k in sketch.files})
    return out
