"""The command line is built from one table (issue 20): each command and each shared option declared once,
every numeric option checked with a clear message (exit 2), errors with structured fields, and the
regions command's target reading the loader's own."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from agrosim import load_scenario
from agrosim.cli import COMMANDS, TABLE, build_parser, main, subcommands, usage
from agrosim.errors import ValueProblem
from agrosim.regions import load_regions
from conftest import ROOT, small_grain

CLI_MODULES = sorted((ROOT / "agrosim").glob("cli*.py"))


def call(argv, capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def test_parser_help_and_usage_come_from_the_table(capsys):
    parser = build_parser()
    sub = subcommands(parser)
    assert list(sub.choices) == list(COMMANDS) == [c.name for c in TABLE]
    assert len(set(COMMANDS)) == len(COMMANDS)
    helps = {a.dest: a.help for a in sub._choices_actions}  # noqa: SLF001
    assert helps == {c.name: c.help for c in TABLE}
    examples = [c.example[0] for c in TABLE if c.example]
    assert len(examples) >= 2 and all(e in usage() for e in examples)
    assert main([]) == 2 and usage() in capsys.readouterr().err
    assert main(["regoins"]) == 2 and "did you mean 'regions'?" in capsys.readouterr().err


def test_every_handler_exists_and_the_domain_holds_none():
    """Read from the source (importing every handler's stack would take seconds; the fuzz runs each one)."""
    for command in TABLE:
        module, _, function = command.handler.partition(":")
        assert module.startswith("agrosim.cli"), command.name  # handlers live in the interface's cli modules
        source = (ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        assert re.search(rf"^def {function}\(args", source, re.M), command.handler
    source = (ROOT / "agrosim" / "regions.py").read_text(encoding="utf-8")
    assert "def cmd_" not in source and "argparse" not in source


@pytest.mark.parametrize("option", ["'scenario'", "'folder'", "'--seed'", "'--out'", "'--runs'", "'--workers'",
                                    "'--lang'", "'--fixed-assumptions'", "'--observed'", "'--tolerance'",
                                    "'--likely'", "'--strict'"])
def test_each_shared_argument_is_declared_once(option):
    text = "".join(path.read_text(encoding="utf-8") for path in CLI_MODULES)
    assert len(re.findall(rf'(add_argument|_one)\(\s*"{option[1:-1]}"', text)) == 1, option


def test_no_cli_module_re_splits_an_error_message():
    text = "".join(path.read_text(encoding="utf-8") for path in [*CLI_MODULES, ROOT / "agrosim" / "regions.py"])
    assert not re.search(r"(split|partition)\(\s*\"; expected", text)


def _with_investments(write) -> Path:
    data = small_grain(reclamation_mu_per_yr="0 亩")
    data["investments"] = {"hsf": {"param": "land_grain.hsf_build_mu_per_yr", "cost": "1 万元/亩", "group": "farmland"},
                           "reclaim": {"param": "land_grain.reclamation_mu_per_yr", "cost": "2 万元/亩",
                                       "group": "land"}}
    data["targets"] = {"hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "200 亩", "year": 2023}}
    return write("alloc.yaml", data)


@pytest.mark.parametrize("argv, says", [
    (["track", "{s}", "--observed", "{obs}", "--tolerance", "-7"], "-7: expected a fraction between 0 and 1"),
    (["report", "{dir}", "--tolerance", "nan"], "nan: expected a fraction between 0 and 1"),
    (["run", "{s}", "--warn-import-share", "1.5"], "1.5: expected a fraction between 0 and 1"),
    (["allocate", "{alloc}", "--budget", "600 万元", "--years", "abc"], "--years: found abc; expected years within"),
    (["allocate", "{alloc}", "--budget", "600 万元", "--years", "2023-2021"], "--years: found 2023-2021"),
    (["allocate", "{alloc}", "--budget", "5 kg"], "--budget: found '5 kg'; expected a sum of money"),
    (["allocate", "{alloc}", "--budget", "600 万元", "--step", "0"], "0: expected a probability strictly between"),
    (["allocate", "{alloc}", "--budget", "600 万元", "--runs", "0"], "0: expected a whole number ≥ 1"),
    (["sensitivity", "{s}", "--indicator", "grain_output", "--year", "abc"], "abc: expected a year such as 2025"),
    (["sensitivity", "{s}", "--indicator", "grain_output", "--seed", "-1"], "-1: expected a whole number from 0"),
    (["discover", "{s}", "--target", "g", "--density", "1.5"], "1.5: expected a probability strictly between"),
    (["solve", "{s}", "--lever", "land_grain.hsf_yield_uplift", "--probability", "nan"], "nan: expected a probability"),
    (["sweep", "{s}", "--param", "land_grain.hsf_yield_uplift", "--points", "1e3"], "1e3: expected a whole number"),
    (["mc", "{s}", "--likely", "0.3", "--unlikely", "0.5"],
     "--likely/--unlikely: found --likely 0.3 with --unlikely 0.5; expected --unlikely below --likely"),
    (["mc", "{s}", "--chunk-size", "-3"], "-3: expected a whole number ≥ 1"),
    (["mc", "{s}", "--runs=--"], "--runs: found '--' as its value; expected one value"),
    (["report", "{dir}", "--allocation=--"], "--allocation: found '--' as its value; expected one value"),
    (["reforecast", "{s}", "--observed", "{obs}", "--to", "1e9"], "1e9: expected a year such as 2025"),
    (["serve", "{s}", "--port", "70000"], "70000: expected a port from 0 to 65535"),
    (["serve", "{s}", "--runs", "-2"], "-2: expected a whole number ≥ 1"),
    (["regions", "--csv", "{dir}"], "--csv: found '{dir}', a folder; expected a file in an existing folder"),
    (["regions", "--csv", "{dir}/no/such/x.csv"], "a file in a folder that does not exist"),
    (["calibrate", "{s}", "--observed", "{obs}", "--fit", "land_grain.yield_trend_per_yr", "--write", "{dir}"],
     "--write: found '{dir}', a folder"),
    (["regions", "--csv", "/dev/null"], "--csv: found '/dev/null', not a plain file"),
    (["validate", "{s}\x00"], "expected a usable file name (embedded null byte)"),
    (["validate", "{dir}/" + "a" * 300], "characters)': expected a usable file name (File name too long)"),
    (["solve", "{s}", "--lever", "land_grain.hsf_yield_uplift\x00"], "with a NUL character; expected text without NUL"),
    (["sensitivity", "{one}", "--indicator", "grain_output", "--method", "sobol", "--samples", "8"],
     "--method: found sobol with 1 uncertain input; expected at least two uncertain inputs"),
])
def test_bad_values_are_refused_with_the_option_and_what_it_takes(argv, says, write, tmp_path, capsys):
    files = {"s": write("s.yaml", dict(small_grain(), targets={"g": {"indicator": "grain_output", "kind": "at_least",
                                                                     "value": "30 万吨", "year": 2023}})),
             "obs": write("obs.csv", "region,indicator,year,value,unit,source\ntestland,grain_output,2021,30,万吨,x\n"),
             "alloc": _with_investments(write), "dir": tmp_path,
             "one": write("one.yaml", dict(small_grain(), uncertainty={"land_grain.yield_trend_per_yr": {
                 "dist": "uniform", "low": "0 %/yr", "high": "10 %/yr"}}))}
    writes = argv[0] not in ("regions", "validate", "report")  # report takes no --out
    code, err = call([a.format(**files) for a in argv] + (["--out", str(tmp_path / "r")] if writes else []), capsys)
    assert code == 2 and says.format(**files) in err, err
    assert "Traceback" not in err and not (tmp_path / "r").exists()


def test_value_problem_keeps_found_and_expected_apart():
    exc = ValueProblem("3 values of grain_yield before 2020", "at least 4 years")
    assert isinstance(exc, ValueError) and str(exc) == "3 values of grain_yield before 2020; expected at least 4 years"
    problem = exc.at("history.csv", "grain_yield")
    assert (problem.file, problem.path, problem.found, problem.expected) == (
        "history.csv", "grain_yield", "3 values of grain_yield before 2020", "at least 4 years")


def test_a_target_with_an_upper_bound_reads_the_same_in_regions_as_in_the_loader(tmp_path):
    """A county file without a pig section may still state the plan's pig target (regions reads it with the
    loader's own target reading); with `upper:` it is the same target as in a file with pigs."""
    target = {"indicator": "pigs_slaughtered", "kind": "at_least", "value": "60 万头", "upper": "70 万头",
              "year": 2023}
    with_pigs = {"region": {"id": "prov", "en": "Province", "zh": "省"}, "base_year": 2020, "end_year": 2023,
                 "pigs": {"base_sows_head": "1000 头"}, "targets": {"pig": target}}
    without = dict(small_grain(), targets={"pig": target})
    without["region"] = {"id": "county", "en": "County", "zh": "县", "within": ["prov"]}
    (tmp_path / "prov.yaml").write_text(yaml.safe_dump(with_pigs, allow_unicode=True), encoding="utf-8")
    (tmp_path / "county.yaml").write_text(yaml.safe_dump(without, allow_unicode=True), encoding="utf-8")
    assert not load_scenario(tmp_path / "county.yaml").targets  # the loader leaves it out: no pig section
    by_region = {sc.region.id: sc.targets[0] for sc in load_regions(tmp_path)}
    loaded, read = by_region["prov"], by_region["county"]
    assert loaded == load_scenario(tmp_path / "prov.yaml").targets[0]
    assert read.upper == loaded.upper == pytest.approx(700_000) and read.value == pytest.approx(600_000)
    assert read == loaded  # every field: value, upper, units written, kind, year, labels
    bad = dict(without, targets={"pig": dict(target, upper="50 万头")})
    (tmp_path / "county.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Exception, match="targets.pig.upper: found upper 50 万头 below value 60 万头"):
        load_regions(tmp_path)
