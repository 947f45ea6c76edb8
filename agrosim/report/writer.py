"""Write a report folder atomically: build everything in a temporary folder, then swap it in."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import yaml

from agrosim.config.scenario import Scenario
from agrosim.errors import InputError, Problem
from agrosim.report.charts import trajectory
from agrosim.results import Results

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def report_dir(out_root: Path, name: str) -> Path:
    """reports/<name>, refusing names that could escape the output folder."""
    if not _SAFE.match(name) or name in (".", ".."):
        raise InputError([Problem(name, "name", repr(name), "letters, digits, '_', '-', '.' (no path separators)")])
    return out_root / name


@contextmanager
def atomic_folder(out_root: Path, name: str):
    """Yield a temporary folder; on success it replaces out_root/name, on any failure it vanishes."""
    final = report_dir(Path(out_root), name)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=final.parent))
    try:
        yield tmp
        _swap_in(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_report(out_root: Path, scenario: Scenario, results: Results, verdicts: pd.DataFrame,
                 bands: pd.DataFrame | None = None, chunks: list[Path] | None = None) -> Path:
    """Write resolved scenario, results, targets table and one chart per target; return the folder.

    A deterministic run writes the tidy `results.csv`; a Monte Carlo writes `bands.csv` (percentiles
    per indicator and year) and links its chunk files into `runs/` (wide Parquet, one row per run).
    """
    with atomic_folder(out_root, scenario.name) as tmp:
        write_resolved(tmp, scenario)
        if chunks is None:
            results.to_frame().to_csv(tmp / "results.csv", index=False, encoding="utf-8")
        if bands is not None:
            bands.to_csv(tmp / "bands.csv", index=False, encoding="utf-8")
        if chunks:
            (tmp / "runs").mkdir()
            for path in chunks:
                os.link(path, tmp / "runs" / path.name)
        verdicts.to_csv(tmp / "targets.csv", index=False, encoding="utf-8")
        charts = tmp / "charts"
        charts.mkdir()
        for target, row in zip(scenario.targets, verdicts.itertuples()):
            save(trajectory(results, target, row.verdict), charts / f"{target.id}.png")
    return report_dir(Path(out_root), scenario.name)


def write_resolved(folder: Path, scenario: Scenario) -> None:
    with open(folder / "scenario.resolved.yaml", "w", encoding="utf-8") as fh:
        yaml.safe_dump(scenario.resolved, fh, allow_unicode=True, sort_keys=False)


def save(fig, path: Path) -> None:
    """Save a figure as PNG and SVG and free it."""
    fig.savefig(path)
    fig.savefig(path.with_suffix(".svg"))
    plt.close(fig)


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace `final` by `tmp`; the old report survives until the new one is in place."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
    try:
        tmp.rename(final)
    except BaseException:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
