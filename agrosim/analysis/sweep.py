"""Sweeps: evaluate targets over a design of lever values (full grid, Latin hypercube, Sobol),
optionally with `reps` Monte Carlo replicates per point (common random numbers across points).

Designs span the levers' ranges, which `levers.lever` has already clipped to the feasible range;
the only points that can lie beyond it are the scenario's own values (the `oat` centre), and the
table flags them (`feasible` false)."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from agrosim.analysis.levers import Lever
from agrosim.analysis.probability import load_results
from agrosim.batch import Design, run_batch
from agrosim.config.scenario import Scenario
from agrosim.targets import met_runs

DESIGNS = ("grid", "lhs", "sobol", "oat")


def design_points(levers: list[Lever], design: str, counts: list[int], samples: int, seed: int) -> np.ndarray:
    """(points, levers) array of lever values, each in its parameter's spec unit (months stay months)."""
    lo = np.array([lv.low for lv in levers])
    hi = np.array([lv.high for lv in levers])
    if design == "grid":
        axes = [np.linspace(lv.low, lv.high, c) for lv, c in zip(levers, counts)]
        return np.array(list(itertools.product(*axes)), dtype=float)
    if design == "oat":
        rows = [[lv.current for lv in levers]]
        for i, (lv, c) in enumerate(zip(levers, counts)):
            for v in np.linspace(lv.low, lv.high, c):
                row = [x.current for x in levers]
                row[i] = v
                rows.append(row)
        return np.array(rows, dtype=float)
    if design == "lhs":
        unit = qmc.LatinHypercube(d=len(levers), seed=seed).random(samples)
    else:
        m = int(np.ceil(np.log2(max(samples, 2))))
        unit = qmc.Sobol(d=len(levers), scramble=True, seed=seed).random_base2(m)
    return qmc.scale(unit, lo, hi)


def within_feasible(levers: list[Lever], points: np.ndarray) -> np.ndarray:
    """(points,) booleans: every lever value within its feasible range (levers without one pass)."""
    ok = np.ones(len(points), dtype=bool)
    for i, lv in enumerate(levers):
        if lv.feasible is not None:
            ok &= (points[:, i] >= lv.feasible.low - 1e-12) & (points[:, i] <= lv.feasible.high * (1 + 1e-12))
    return ok


def sweep(scenario: Scenario, levers: list[Lever], points: np.ndarray, reps: int = 1, seed: int | None = None,
          work_root: Path = Path("reports"), chunk_size: int = 10_000, workers: int = 1,
          scheduler: str | None = None, progress: bool = False) -> tuple[pd.DataFrame, Path]:
    """One row per design point: lever values, and per target the share of replicates that meet it
    (`p_met:<id>`; 0 or 1 without uncertainty) and the median projected value (`value:<id>`);
    `feasible` is false for a point with a lever beyond its feasible range.
    Also returns the folder of run chunks (resumable; delete it once the table is saved)."""
    seed = scenario.seed if seed is None else seed
    design = Design(runs=len(points) * reps, seed=seed, reps=reps,
                    points={lv.path: points[:, i] for i, lv in enumerate(levers)})
    store = Path(work_root) / ".work" / f"{scenario.name}-sweep-{design.key(scenario)}"
    chunks = run_batch(scenario, design, store, chunk_size, workers, scheduler, progress)
    results = load_results(scenario, chunks, sorted({t.indicator for t in scenario.targets}))
    table = pd.DataFrame({lv.path: points[:, i] for i, lv in enumerate(levers)})
    table["feasible"] = within_feasible(levers, points)
    for tg in scenario.targets:
        met = met_runs(tg, results).reshape(len(points), reps)
        table[f"p_met:{tg.id}"] = met.mean(axis=1)
        end = results.year_index(tg.year)
        table[f"value:{tg.id}"] = np.median(results.data[tg.indicator][:, end].reshape(len(points), reps), axis=1)
    return table, store
