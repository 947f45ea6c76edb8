"""Kill agrosim mid-run and mid-batch: the report folder is the previous complete one or a new
complete one, never half; a killed batch resumes without redoing or duplicating finished chunks."""
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from agrosim import load_scenario
from agrosim.batch import Design, release_store, run_batch
from agrosim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "shanxi_grain_2025.yaml"
N_TARGETS = len(load_scenario(SCENARIO).targets)


def agrosim(*args):
    return subprocess.Popen([sys.executable, "-m", "agrosim.cli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def complete(folder: Path) -> bool:
    names = {p.name for p in folder.iterdir()}
    return {"scenario.resolved.yaml", "results.csv", "targets.csv", "charts"} <= names and \
        len(pd.read_csv(folder / "targets.csv")) == N_TARGETS and len(list((folder / "charts").glob("*.png"))) >= N_TARGETS


def test_run_killed_at_any_moment_leaves_a_complete_report(tmp_path):
    out = tmp_path / "reports"
    assert main(["run", str(SCENARIO), "--out", str(out)]) == 0  # the report the kills below must leave whole
    folder = out / "shanxi_grain_2025" / "run"
    for delay in (0.3, 0.8, 1.2, 1.6, 2.0, 2.5):
        proc = agrosim("run", str(SCENARIO), "--out", str(out))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        visible = [p for p in folder.parent.iterdir() if not p.name.startswith(".")]
        assert visible == [folder] and complete(folder), f"after a kill at {delay} s"


#: the killed batch: 40 chunks of 1 000 runs, so several are finished before the kill and most are not
RUNS, CHUNK = 40_000, 1_000


def test_batch_killed_mid_way_resumes_without_redoing_chunks(tmp_path):
    out = tmp_path / "reports"
    design_args = ["--runs", str(RUNS), "--seed", "5"]
    proc = agrosim("mc", str(SCENARIO), *design_args, "--chunk-size", str(CHUNK), "--out", str(out))
    deadline = time.time() + 60
    store = None
    while time.time() < deadline:
        stores = list((out / ".work").glob("shanxi_grain_2025-*")) if (out / ".work").is_dir() else []
        if stores and len(list(stores[0].glob("chunk-*.parquet"))) >= 3:
            store = stores[0]
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert store is not None, "the batch wrote no chunks within a minute"
    assert not (out / "shanxi_grain_2025" / "mc").exists()
    finished = {p.name: p.stat().st_mtime_ns for p in store.glob("chunk-*.parquet")}
    assert 3 <= len(finished) < RUNS // CHUNK

    sc = load_scenario(SCENARIO)
    design = Design(runs=RUNS, seed=5)
    assert store.name.endswith(design.key(sc))
    paths = run_batch(sc, design, store, chunk_size=CHUNK, progress=False)
    release_store(store)  # this test process keeps the store for the command below to finish and remove
    assert len(paths) == RUNS // CHUNK and len({p.name for p in store.glob("chunk-*.parquet")}) == RUNS // CHUNK
    assert all(p.stat().st_mtime_ns == finished[p.name] for p in paths if p.name in finished)
    resumed = pd.concat([pd.read_parquet(p, columns=["run", "grain_output|2025"]) for p in paths])
    assert resumed["run"].tolist() == list(range(RUNS))  # none lost, none duplicated

    done = subprocess.run([sys.executable, "-m", "agrosim.cli", "mc", str(SCENARIO), *design_args,
                           "--chunk-size", str(CHUNK), "--out", str(out)], cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr
    fresh = tmp_path / "fresh"
    assert subprocess.run([sys.executable, "-m", "agrosim.cli", "mc", str(SCENARIO), *design_args,
                           "--chunk-size", str(5 * CHUNK), "--workers", "2", "--out", str(fresh)],
                          cwd=ROOT, capture_output=True).returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "shanxi_grain_2025" / "mc" / "targets.csv"),
                                  pd.read_csv(fresh / "shanxi_grain_2025" / "mc" / "targets.csv"))
    assert not (out / ".work").exists()
