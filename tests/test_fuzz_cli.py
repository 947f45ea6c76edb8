"""Command-line values, concurrency and interruption (issue 22): every option value ends in a run or
one message (exit 2) before anything is allocated or written; two identical jobs, Ctrl-C and killed
writers never lose or corrupt a report."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from agrosim import load_scenario
from agrosim.batch import Design, release_store, run_batch
from agrosim.cli import main
from agrosim.limits import MAX_DESIGN_POINTS
from conftest import ROOT, long_settings, small_grain
from hostile_util import agrosim

UPLIFT, TREND = "land_grain.hsf_yield_uplift", "land_grain.yield_trend_per_yr"
NUMBERS = st.sampled_from(["0", "-1", "nan", "inf", "-inf", "1e3", "2", "abc", "", "9" * 25, "１０", "2.5", "0x10",
                           "1_000", " 3", "³"])


def uncertain_grain(**extra) -> dict:
    data = small_grain()
    data["uncertainty"] = {TREND: {"dist": "uniform", "low": "0 %/yr", "high": "10 %/yr"},
                           UPLIFT: {"dist": "uniform", "low": 0.1, "high": 0.3}}
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "30 万吨", "year": 2023}}
    data.update(extra)
    return data


def call(argv: list[str], capsys) -> tuple[int, str]:
    """main(argv) in process; argparse's own refusals (SystemExit 2) count as exit 2."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    return code, err


@st.composite
def cli_values(draw):
    command = draw(st.sampled_from(["mc", "sweep", "sensitivity", "track"]))
    args = {"mc": ["--runs", "--seed", "--chunk-size", "--workers", "--scheduler"],
            "sweep": ["--points", "--samples", "--reps", "--seed", "--chunk-size", "--design"],
            "sensitivity": ["--samples", "--seed", "--year", "--method"],
            "track": ["--tolerance", "--path"]}[command]
    chosen = draw(st.lists(st.sampled_from(args), min_size=1, max_size=3, unique=True))
    values = {}
    for option in chosen:
        if option == "--scheduler":
            values[option] = draw(st.sampled_from(["tcp://", "tcp://host", "host:99999", "::::", "tcp://a b:1"]))
        elif option == "--design":
            values[option] = draw(st.sampled_from(["grid", "sobol", "lhs", "oat", "zz"]))
        elif option == "--method":
            values[option] = draw(st.sampled_from(["sobol", "morris", "tornado"]))
        elif option == "--path":
            values[option] = draw(st.sampled_from(["linear", "growth", "nan"]))
        else:
            values[option] = draw(NUMBERS)
    return command, values


def check_cli(case, tmp_path, capsys):
    command, values = case
    here = Path(os.path.realpath(tmp_path)) / f"case{time.perf_counter_ns()}"
    here.mkdir()
    path = here / "s.yaml"
    path.write_text(yaml.safe_dump(uncertain_grain(), allow_unicode=True), encoding="utf-8")
    observed = here / "obs.csv"
    observed.write_text("region,indicator,year,value,unit,source\ntestland,grain_output,2021,30,万吨,x\n", "utf-8")
    argv = [command, str(path), "--out", str(here / "out")]
    argv += {"sweep": ["--param", f"{UPLIFT}=0.1:0.3"], "sensitivity": ["--indicator", "grain_output"],
             "track": ["--observed", str(observed)], "mc": []}[command]
    if command in ("mc", "sweep") and not any(k in values for k in ("--runs", "--points", "--samples", "--reps")):
        values.setdefault("--chunk-size", "50")
    for option, value in values.items():
        argv += [option, value]
    if command == "mc" and "--runs" not in values:
        argv += ["--runs", "20"]
    code, err = call(argv, capsys)
    if code == 2:
        assert not (here / "out").exists() or not [p for p in (here / "out").iterdir() if not p.name.startswith(".")]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cli_values())
def test_fuzzed_option_values_end_in_a_run_or_one_message(case, tmp_path, capsys):
    check_cli(case, tmp_path, capsys)


@pytest.mark.long
def test_fuzzed_option_values_long(tmp_path, capsys):
    long_settings()(given(case=cli_values())(check_cli))(tmp_path=tmp_path, capsys=capsys)


def test_sizes_are_checked_before_allocating(write, tmp_path, capsys):
    path = write("s.yaml", uncertain_grain())
    out = tmp_path / "r"
    code, err = call(["sweep", str(path), "--param", f"{UPLIFT}=0.1:0.3:100000", "--param", f"{TREND}=0:10 %/yr:100000",
                      "--out", str(out)], capsys)
    assert code == 2 and f"a design of 10,000,000,000 points; expected at most {MAX_DESIGN_POINTS:,} points" in err
    code, err = call(["sweep", str(path), "--param", f"{UPLIFT}=0.1:0.3", "--points", "9", "--reps", "10000000",
                      "--out", str(out)], capsys)
    assert code == 2 and "GiB (the design-memory limit)" in err
    code, err = call(["sweep", str(path), "--param", f"{UPLIFT}=0.1:0.3", "--design", "sobol", "--samples", "100",
                      "--out", str(out)], capsys)
    assert code == 2 and "100, not a power of two; expected a power of two for Sobol sampling, e.g. 64 or 128" in err
    code, err = call(["sensitivity", str(path), "--method", "sobol", "--samples", "1000", "--indicator", "grain_output",
                      "--out", str(out)], capsys)
    assert code == 2 and "not a power of two" in err
    code, err = call(["mc", str(path), "--runs", "100000000", "--out", str(out)], capsys)
    assert code == 2 and "design-memory limit" in err
    assert not out.exists()


@pytest.mark.parametrize("argv, says", [
    (["track", "{s}", "--observed", "{obs}", "--tolerance", "nan"], "expected a fraction between 0 and 1"),
    (["mc", "{s}", "--scheduler", "tcp://no such host"], "expected a Dask scheduler address"),
    (["mc", "{s}", "--workers", "100000"], "at most 256 worker processes"),
    (["mc", "{s}", "--seed", str(2**64)], "expected a whole number from 0 to 2^63 - 1"),
    (["reforecast", "{s}", "--observed", "{obs}", "--runs", "-5"], "expected a whole number ≥ 1"),
    (["reforecast", "{s}", "--observed", "{obs}", "--to", "２０x"], "expected a year such as 2025"),
    (["allocate", "{s}", "--budget", "1 亿元", "--years", "a-b"], "investments"),
    (["serve", "{s}", "--port", "99999"], "a port from 0 to 65535"),
    (["serve", "{s}", "--host", "999.1.1.1", "--runs", "10"], "where no server can listen"),
])
def test_bad_option_values_are_refused(argv, says, write, tmp_path, capsys):
    s = write("s.yaml", uncertain_grain())
    obs = write("obs.csv", "region,indicator,year,value,unit,source\ntestland,grain_output,2021,30,万吨,x\n")
    argv = [a.format(s=s, obs=obs) for a in argv] + ["--out", str(tmp_path / "r")]
    code, err = call(argv, capsys)
    assert code == 2 and says in err
    assert not (tmp_path / "r").exists()


def test_out_naming_a_file_is_refused_before_running(write, tmp_path, capsys):
    s = write("s.yaml", uncertain_grain())
    existing = write("taken.txt", "not a folder")
    for out in (existing, existing / "below"):
        code, err = call(["mc", str(s), "--runs", "10", "--out", str(out)], capsys)
        assert code == 2 and "--out" in err and "expected a folder" in err
    assert existing.read_text() == "not a folder"


def test_closed_standard_error_is_refused_with_exit_2(write):
    child = agrosim("validate", write("s.yaml", uncertain_grain()), close_stderr=True)
    assert child.code == 2 and "standard error is closed" in child.out


@pytest.mark.parametrize("argv", [
    ["sweep", "{s}", "--param", f"{UPLIFT}=0.1:0.3:100000", "--param", f"{TREND}=0:10 %/yr:100000"],
    ["sensitivity", "{s}", "--method", "sobol", "--samples", str(2**30), "--indicator", "grain_output"],
])
def test_huge_designs_in_a_child_stay_small(argv, write, tmp_path):
    s = write("s.yaml", uncertain_grain())
    child = agrosim(*[a.format(s=s) for a in argv], "--out", tmp_path / "r")
    child.check_contract(allowed=(2,))
    assert "limit" in child.err and not (tmp_path / "r").exists()


def test_a_second_identical_job_is_refused_not_broken(write, tmp_path):
    """The store of a job being computed is locked: the same job into the same --out is told, not broken."""
    s = write("s.yaml", uncertain_grain())
    sc = load_scenario(s)
    out = tmp_path / "out"
    store = out / ".work" / f"{sc.name}-{Design(runs=40, seed=sc.seed).key(sc)}"
    run_batch(sc, Design(runs=40, seed=sc.seed), store, chunk_size=10, progress=False)  # this process holds it
    child = agrosim("mc", s, "--runs", "40", "--chunk-size", "10", "--out", out)
    child.check_contract(allowed=(2,))
    assert "another agrosim process" in child.err and len(list(store.glob("chunk-*.parquet"))) == 4
    release_store(store)
    child = agrosim("mc", s, "--runs", "40", "--chunk-size", "10", "--out", out)
    child.check_contract(allowed=(0,))
    assert (out / sc.name / "mc" / "runs").is_dir() and not (out / ".work").exists()


def test_ctrl_c_as_the_pool_starts_stops_with_130_and_keeps_chunks(write, tmp_path):
    s = write("s.yaml", uncertain_grain())
    out = tmp_path / "out"
    err_file = tmp_path / "err.txt"
    with open(err_file, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "agrosim.cli", "mc", str(s), "--runs", "40000",
                                 "--chunk-size", "500", "--workers", "2", "--out", str(out)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                # Ctrl-C live as in a terminal, also when pytest runs as a background job
                                # (which starts with SIGINT ignored, and a child would inherit that)
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.time() + 60
        while time.time() < deadline and not (out / ".work").is_dir():
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole process group
        code = proc.wait(timeout=60)
    text = err_file.read_text(errors="replace")
    assert code == 130, text
    assert "Traceback" not in text and "interrupted" in text
    assert not (out / "s" / "mc").exists()
    store = next((out / ".work").iterdir())
    kept = {p.name for p in store.glob("chunk-*.parquet")}
    assert len(kept) < 80
    done = agrosim("mc", s, "--runs", "40000", "--chunk-size", "500", "--out", out, timeout=300)
    done.check_contract(allowed=(0,))
    assert (out / "s" / "mc" / "runs").is_dir() and not (out / ".work").exists()


def test_leftovers_of_a_killed_writer_are_cleaned_or_restored(write, tmp_path, capsys):
    s = write("s.yaml", uncertain_grain())
    out = tmp_path / "out"
    home = out / "s"  # a run's report is OUT/<name>/run/, written beside its temporary names
    home.mkdir(parents=True)
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (home / f".run.tmp-{dead}-abc").mkdir()  # a killed writer's half-built folder
    (home / f".run.old-{dead}-1").mkdir()  # the previous report, moved aside just before the kill
    (home / f".run.old-{dead}-1" / "targets.csv").write_text("previous")
    assert main(["validate", str(s)]) == 0
    assert call(["run", str(s), "--out", str(out)], capsys)[0] == 0
    assert sorted(p.name for p in home.iterdir()) == ["run"]  # restored, then replaced by the new report
    assert (home / "run" / "targets.csv").read_text() != "previous"


def test_report_on_broken_files_names_the_file(write, tmp_path, capsys):
    s = write("s.yaml", uncertain_grain())
    out = tmp_path / "out"
    assert call(["mc", str(s), "--runs", "30", "--chunk-size", "10", "--out", str(out)], capsys)[0] == 0
    folder = out / "s" / "mc"
    meta = folder / "metadata.json"
    good = meta.read_text()
    meta.write_text(good[: len(good) // 2])
    code, err = call(["report", str(folder)], capsys)
    assert code == 2 and f"{meta}: found a file that does not read (JSONDecodeError" in err
    meta.write_text(json.dumps([1, 2]))
    assert call(["report", str(folder)], capsys)[0] == 2
    meta.write_text(good)
    chunk = sorted((folder / "runs").glob("*.parquet"))[1]
    data = chunk.read_bytes()
    chunk.unlink()  # a hard link to the work chunk: write a new file, do not edit in place
    chunk.write_bytes(data[: len(data) // 3])
    code, err = call(["report", str(folder)], capsys)
    assert code == 2 and f"{chunk}: found a file that does not read" in err
    assert (folder / "report.html").is_file()  # the previous report is untouched


def test_batch_names_that_collide_are_disambiguated(tmp_path, capsys):
    folder = tmp_path / "plans"
    folder.mkdir()
    for i, grain in enumerate(("800 亩", "700 亩", "600 亩")):
        data = small_grain(grain_area_mu=grain)
        data["name"] = "same"
        data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "30 万吨", "year": 2023}}
        (folder / f"s{i}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, err = call(["batch", str(folder), "--out", str(tmp_path / "out")], capsys)
    assert code == 0 and err.count("note:") == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["batch-plans"]
    assert sorted(p.name for p in (tmp_path / "out" / "batch-plans").iterdir() if p.is_dir()) == [
        "same", "same-2", "same-3"]
    summary = pd.read_csv(tmp_path / "out" / "batch-plans" / "summary.csv")
    assert sorted(summary.scenario) == ["same", "same-2", "same-3"]  # one target row each, nothing doubled
    projected = summary.set_index("scenario").projected
    assert projected["same"] > projected["same-2"] > projected["same-3"]  # each report its own file's numbers
