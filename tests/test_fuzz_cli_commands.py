"""Fuzz of the command-line arguments of EVERY command in the table (issue 20): any value of any option or
positional argument, and unknown options, end in exit 0 or 2 with at most one message, never exit 1 or a
traceback. The options are read from the parser, so a new command or option is fuzzed without a change here.

The default run calls the CLI in process on a tiny scenario with a bounded number of examples, and
replaces the drawing of reports by writing their metadata only (drawing is tested by the report tests;
the arguments are what is fuzzed here); `python -m pytest -m long` runs many more examples, drawing
included. `serve` never starts a server: its explorer is replaced by a stub that records the call."""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from agrosim.cli import COMMANDS, build_parser, main, subcommands
from conftest import long_settings, small_grain

UPLIFT, TREND = "land_grain.hsf_yield_uplift", "land_grain.yield_trend_per_yr"
#: values worth trying on any option: signs, NaN, infinities, huge, empty, other digits, paths, names
HOSTILE = ["", "-7", "0", "1", "-1", "nan", "inf", "-inf", "1e308", "9" * 30, "9" * 5000, "0.5", "2.5", "1e-300",
           "abc", "１０", "³", "0x10", "1_000", " 3", "2025", "1800", "2021-2023", "2023-2021", "a-b", "1 亿元",
           "-5 亿元", "5 kg", "nan 亿元", "x=1", "hsf=0.5", "hsf=2", "farmland=nan", "land_grain.hsf_build_mu_per_yr",
           "land_grain.nope", f"{UPLIFT}=0.1:0.3", f"{UPLIFT}=0.3:0.1:5", f"{UPLIFT}=a:b", "0:10 %/yr", "g", "all",
           "grain_output,nope", "tcp://127.0.0.1:1", "/", "/dev/null", "/nonexistent/x", ".", "..", "-", "--",
           "\x00", "a" * 3000, "🌾", "linear", "growth", "zh", "en"]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12), st.integers(-10**6, 10**6).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))
#: arguments that name a place to write (or, for `report`, a folder rewritten in place): the fuzz runs in
#: its own folder and gives them places inside it, or ones that are refused (a file, a device, nowhere),
#: never the file system's root or a folder of someone else's
WRITTEN = {"out", "csv", "write"}
PLACES = st.one_of(st.sampled_from(["", "-", ".", "x", "a/b", "s.yaml", "s.yaml/below", "obs.csv", "batch",
                                    "/nonexistent/x", "/dev/null", "\x00", "a" * 300, "made/s/run", "made/s"]),
                   st.text(max_size=10).filter(lambda t: not t.startswith("/") and ".." not in t))
#: a valid call of each command on the tiny files below (the fuzz replaces or adds options to it)
BASE = {
    "run": ["{s}"], "mc": ["{s}", "--runs", "20"], "solve": ["{s}", "--lever", UPLIFT, "--runs", "4"],
    "sweep": ["{s}", "--param", f"{UPLIFT}=0.1:0.3", "--points", "2"],
    "sensitivity": ["{s}", "--indicator", "grain_output", "--samples", "4"],
    "discover": ["{s}", "--target", "g", "--runs", "40"], "batch": ["{batch}"],
    "allocate": ["{alloc}", "--budget", "600 万元", "--runs", "2", "--step", "0.5"],
    "track": ["{s}", "--observed", "{obs}"], "reforecast": ["{s}", "--observed", "{obs}"],
    "calibrate": ["{s}", "--observed", "{obs}", "--fit", f"{TREND}=0:10 %/yr"],
    "backtest": ["{s}", "--observed", "{obs}"], "report": ["{report}"], "serve": ["{s}", "--runs", "10"],
    "validate": ["{s}"], "list": [], "regions": [],
}


def _options(command: str) -> list[argparse.Action]:
    """The command's arguments as the parser declares them (positionals included, -h left out)."""
    parser = build_parser()
    sub = subcommands(parser)
    return [a for a in sub.choices[command]._actions if not isinstance(a, argparse._HelpAction)]  # noqa: SLF001


def _name(action: argparse.Action) -> str:
    return action.option_strings[0] if action.option_strings else action.dest


@st.composite
def cases(draw, commands=COMMANDS):
    """(command, changes): 1-3 of the command's arguments (by name: '--runs', or 'scenario' for a positional)
    given a drawn value (None: a flag given), and sometimes an unknown option (name None)."""
    command = draw(st.sampled_from(sorted(commands)))
    actions = _options(command)
    changes = []
    chosen = draw(st.lists(st.sampled_from(actions), min_size=1, max_size=3, unique_by=_name)) if actions else []
    for action in chosen:
        if action.nargs == 0:
            changes.append((_name(action), None))
        elif action.dest in WRITTEN or (command == "report" and action.dest == "folder"):
            changes.append((_name(action), draw(PLACES)))
        elif action.choices is not None and draw(st.booleans()):
            changes.append((_name(action), draw(st.sampled_from(list(action.choices)))))
        else:
            changes.append((_name(action), draw(VALUES)))
    if draw(st.integers(0, 9)) == 0:
        changes.append((None, draw(st.sampled_from(["--bogus", "--runz=3", "-x", "extra-positional"]))))
    return command, changes


def argv_for(command: str, changes, files: dict[str, str], out: Path) -> list[str]:
    """The base call of `command` with each change applied: a positional replaced, an option replaced
    (or added) as --option=value, so that a value starting with '-' still reaches the option."""
    base = [part.format(**files) for part in BASE[command]]
    positional = [a.dest for a in _options(command) if not a.option_strings]
    given = len(positional) if command != "regions" else 0  # BASE: the positionals given, then option pairs
    head, rest = base[:given], base[given:]
    options = {rest[i]: rest[i + 1] for i in range(0, len(rest), 2)}
    extra = []
    for name, value in changes:
        if name is None:
            extra.append(value)
        elif name in positional:
            index = positional.index(name)
            head = head[:index] + [value] + head[index + 1:]
        else:
            options[name] = value
    argv = [command, *head]
    for option, value in options.items():
        argv.append(option if value is None else f"{option}={value}")
    if "out" in {a.dest for a in _options(command)} and "--out" not in options:
        argv += ["--out", str(out)]
    return argv + extra


def call(argv: list[str], capsys) -> tuple[int, str]:
    """main(argv) in process; argparse's own refusals (SystemExit 2) and --help (SystemExit 0) count as such."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    assert code in (0, 2), (argv, code, captured.err[-2000:])
    assert "Traceback" not in captured.err and "internal error" not in captured.err, (argv, captured.err[-2000:])
    if code == 2:
        assert captured.err.strip(), argv  # a refusal says why
    return code, captured.err


def _fuzz_scenario() -> dict:
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩")
    data["uncertainty"] = {TREND: {"dist": "uniform", "low": "0 %/yr", "high": "10 %/yr"},
                           UPLIFT: {"dist": "uniform", "low": 0.1, "high": 0.3}}
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "30 万吨", "year": 2023},
                       "hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "200 亩", "year": 2023}}
    return data


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    here = Path(os.path.realpath(tmp_path_factory.mktemp("cli_fuzz")))
    data = _fuzz_scenario()
    (here / "s.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    alloc = dict(data, name="alloc", investments={
        "hsf": {"param": "land_grain.hsf_build_mu_per_yr", "cost": "1 万元/亩", "group": "farmland"},
        "reclaim": {"param": "land_grain.reclamation_mu_per_yr", "cost": "2 万元/亩", "group": "land"}})
    (here / "alloc.yaml").write_text(yaml.safe_dump(alloc, allow_unicode=True), encoding="utf-8")
    (here / "batch").mkdir()
    (here / "batch" / "one.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (here / "obs.csv").write_text("region,indicator,year,value,unit,source\ntestland,grain_output,2021,30,万吨,x\n"
                                  "testland,grain_output,2022,31,万吨,x\n", "utf-8")
    return {"s": str(here / "s.yaml"), "alloc": str(here / "alloc.yaml"), "batch": str(here / "batch"),
            "obs": str(here / "obs.csv"), "here": str(here),
            "outs": os.path.realpath(tmp_path_factory.mktemp("cli_fuzz_out"))}  # beside, so `report .` finds one


def _light_reports(monkeypatch) -> None:
    """Reports keep their data and metadata but are not drawn (charts, workbook, page)."""
    from agrosim.report import writer

    def metadata_only(folder, scenario, verdicts, meta, lang, findings):
        verdicts.to_csv(folder / "targets.csv", index=False)
        (folder / "metadata.json").write_text(json.dumps(dict(meta, lang=lang), default=str), encoding="utf-8")
    monkeypatch.setattr(writer, "_render", metadata_only)
    monkeypatch.setattr(writer, "write_comparison", lambda folder, quantiles, scenarios, lang="en": [])


def _no_server(monkeypatch) -> list:
    """The explorer's `serve` replaced by a stub that records its arguments (no socket is opened)."""
    from agrosim.explorer import app

    calls: list = []
    monkeypatch.setattr(app, "serve", lambda *args: calls.append(args))
    return calls


def check(case, files, capsys) -> None:
    """One case, run from the fuzz's own folder (relative places land in it)."""
    command, changes = case
    argv = argv_for(command, changes, files, Path(files["outs"]) / f"out{time.perf_counter_ns()}")
    here = os.getcwd()
    os.chdir(files["here"])
    try:
        call(argv, capsys)
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def report_folder(files, tmp_path_factory) -> str:
    """A report folder for `agrosim report` (data only, drawn lightly)."""
    with pytest.MonkeyPatch.context() as mp:
        _light_reports(mp)
        out = Path(files["here"]) / "made"
        assert main(["run", files["s"], "--out", str(out)]) == 0
    return str(out / "s" / "run")


def test_every_command_has_a_base_call_and_it_runs(files, report_folder, monkeypatch, capsys):
    """The fuzz starts from a valid call of each command: a new command must add one to BASE."""
    assert set(BASE) == set(COMMANDS)
    _light_reports(monkeypatch)
    served = _no_server(monkeypatch)
    for command in COMMANDS:
        argv = argv_for(command, [], dict(files, report=report_folder), Path(files["outs"]) / "base")
        code, err = call(argv, capsys)
        assert code == 0, (argv, err)
    assert served and served[0][2:4] == (0, 10)  # port 0, --runs 10 as given


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=cases())
def test_any_argument_value_of_any_command_is_a_run_or_one_message(case, files, report_folder, monkeypatch, capsys):
    _light_reports(monkeypatch)
    _no_server(monkeypatch)
    check(case, dict(files, report=report_folder), capsys)


@pytest.mark.long
def test_any_argument_value_of_any_command_long(files, report_folder, capsys):
    with pytest.MonkeyPatch.context() as mp:
        _no_server(mp)
        long_settings()(given(case=cases())(lambda case: check(case, dict(files, report=report_folder), capsys)))()
