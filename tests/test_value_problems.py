"""Errors carry structured fields (issue 20): a parser that refuses a value raises ValueProblem(found,
expected), the caller that knows the file and key path makes a Problem of it, and no module reads found
and expected back out of a message's text. A plain ValueError stays an internal error (exit 1)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agrosim import load_scenario
from agrosim.cli import main
from agrosim.config import loader
from agrosim.config.distributions import correlation_matrix, parse_distribution
from agrosim.config.events import parse_outbreak, parse_project
from agrosim.config.investments import parse_investment
from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.errors import InputError, ValueProblem
from agrosim.observed import load_observed
from agrosim.parampath import ParamPath
from agrosim.registry import param_spec
from agrosim.targets import Thresholds
from conftest import ROOT, small_grain

UPLIFT = "land_grain.hsf_yield_uplift"
SOURCES = sorted((ROOT / "agrosim").rglob("*.py"))


def _text_calls(tree: ast.AST, methods: tuple[str, ...]) -> list[int]:
    """Lines calling `.<method>(...)` with a string constant that mentions 'expected' (a message re-split)."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods
            and any(isinstance(a, ast.Constant) and isinstance(a.value, str) and "expected" in a.value
                    for a in node.args)]


def resplits(source: str) -> list[int]:
    return _text_calls(ast.parse(source), ("partition", "rpartition", "split", "rsplit"))


#: functions that check the code's own declarations when a module loads (their ValueError is a bug)
DECLARATION_CHECKS = ("__post_init__", "check_declared")


def value_errors_with_expected(source: str) -> list[int]:
    """Lines raising a plain ValueError whose message says '; expected', outside a declaration check of
    our own code (`__post_init__`, `check_declared`: a coding mistake found at import, never bad input):
    such a raiser should raise ValueProblem."""
    tree = ast.parse(source)
    declared = {id(n) for f in ast.walk(tree)
                if isinstance(f, ast.FunctionDef) and f.name in DECLARATION_CHECKS for n in ast.walk(f)}
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and id(node) not in declared
            and isinstance(node.exc.func, ast.Name) and node.exc.func.id == "ValueError"
            and "; expected" in "".join(c.value for c in ast.walk(node.exc)
                                        if isinstance(c, ast.Constant) and isinstance(c.value, str))]


def test_no_module_re_splits_an_error_message():
    planted = 'found, _, expected = str(exc).partition("; expected ")\nparts = text.split("; expected")\n'
    assert resplits(planted) == [1, 2]  # the check finds what it is meant to find
    found = {str(path.relative_to(ROOT)): lines for path in SOURCES
             if (lines := resplits(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_input_raisers_raise_value_problem_not_value_error():
    planted = ('def parse(x):\n    raise ValueError(f"low {x}; expected low < high")\n'
               'class A:\n    def __post_init__(self):\n        raise ValueError("declared twice; expected once")\n')
    assert value_errors_with_expected(planted) == [2]
    found = {str(path.relative_to(ROOT)): lines for path in SOURCES
             if (lines := value_errors_with_expected(path.read_text(encoding="utf-8")))}
    assert found == {}


def _refusal(call) -> ValueProblem:
    with pytest.raises(ValueProblem) as info:
        call()
    assert isinstance(info.value, ValueError)  # callers that catch ValueError keep working
    assert str(info.value) == f"{info.value.found}; expected {info.value.expected}"
    return info.value


@pytest.mark.parametrize("call, found, expected", [
    (lambda: parse_distribution(UPLIFT, {"dist": "uniform", "low": 0.3, "high": 0.1}, param_spec(UPLIFT)),
     "low 0.3 ≥ high 0.1", "low < high"),
    (lambda: parse_distribution(UPLIFT, {"dist": "lognormal", "median": 0.2, "sigma": 9}, param_spec(UPLIFT)),
     "sigma 9.0", "0 < sigma ≤ 5"),
    (lambda: parse_scalar("100 万吨", ParamSpec("area", "mu", "")),
     "'100 万吨' (unit of mass)", "a quantity of area convertible to mu, e.g. '4695 万亩'"),
    (lambda: parse_scalar("-1000 亩", ParamSpec("area", "mu", "", lo=0)), "'-1000 亩' = -1000 mu",
     "a value in [0, inf] mu"),
    (lambda: parse_investment("x", {"param": "land_grain.hsf_area_mu", "cost": "1 元/亩"},
                              param_spec("land_grain.hsf_area_mu")),
     "param 'land_grain.hsf_area_mu' (mu)", "a yearly driver such as land_grain.hsf_build_mu_per_yr"),
    (lambda: parse_project({"name": "a", "sector": "pigs", "places": "1 万头", "start": 2020}, 2020),
     "start 2020", "a year after the base year 2020"),
    (lambda: parse_outbreak({"sector": "pigs", "loss": 0.1, "year": 2023, "probability_per_yr": 0.1}),
     "both or neither of year and probability_per_yr", "exactly one of them"),
    (lambda: correlation_matrix(["a", "b"], [("a", "b", 0.5), ("b", "a", 0.3)]),
     "the pair b, a twice (0.5 and 0.3)", "each pair once"),
    (lambda: ParamPath.parse("nope"), "'nope' is not a parameter path", "sector.param or sector.table.row.param"),
    (lambda: Thresholds(likely=0.3, unlikely=0.5), "thresholds unlikely 0.5, likely 0.3", "0 ≤ unlikely < likely ≤ 1"),
])
def test_a_refused_value_keeps_found_and_expected_apart(call, found, expected):
    exc = _refusal(call)
    assert (exc.found, exc.expected) == (found, expected)


def _validate(path, capsys) -> str:
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("section, value, line", [
    ("uncertainty", {UPLIFT: {"dist": "uniform", "low": 0.3, "high": 0.1}},
     "uncertainty.land_grain.hsf_yield_uplift: found low 0.3 ≥ high 0.1; expected low < high"),
    ("investments", {"x": {"param": "land_grain.hsf_area_mu", "cost": "1 元/亩"}},
     "investments.x: found param 'land_grain.hsf_area_mu' (mu); expected a yearly driver such as "
     "land_grain.hsf_build_mu_per_yr"),
    ("droughts", [{"year": 2022, "yield_loss": "1 kg"}],
     "droughts.0.yield_loss: found '1 kg' (unit of mass); expected a plain number or a percentage, "
     "e.g. '0.1 or 10 %'"),
    ("outbreaks", [{"name": "ASF", "sector": "land_grain", "year": 2022, "loss": 2}],
     "outbreaks.0.loss: found 2; expected a value in [0, 1]"),
    ("outbreaks", [{"name": "ASF", "sector": "land_grain", "year": 2022, "loss": "150 %"}],
     "outbreaks.0.loss: found '150 %' = 1.5; expected a value in [0, 1]"),
    ("budget", {2021: "1 kg"},
     "budget.2021: found '1 kg' (unit of mass); expected a quantity of money convertible to yuan, e.g. '1.5 亿元'"),
])
def test_the_cli_names_file_key_path_found_and_expected(section, value, line, write, capsys):
    path = write("bad.yaml", dict(small_grain(), **{section: value}))
    assert f"{path}: {line}" in _validate(path, capsys)


def test_a_unit_of_the_wrong_kind_reads_the_same_on_the_cli(write, capsys):
    path = write("unit.yaml", small_grain(hsf_area_mu="100 万吨"))
    assert (f"{path}: land_grain.hsf_area_mu: found '100 万吨' (unit of mass); "
            "expected a quantity of area convertible to mu, e.g. '4695 万亩'") in _validate(path, capsys)


def test_a_project_before_the_base_year_reads_the_same_on_the_cli(write, capsys):
    path = write("p.yaml", {"extends": "shanxi_pigs_2025",
                            "projects": [{"name": "a", "sector": "pigs", "places": "1 万头", "start": 2020}]})
    err = _validate(path, capsys)
    assert f"{path}: projects.0: found start 2020; expected a year after the base year " in err


def _observed(write, value: str, unit: str) -> Path:
    return write("obs.csv", f"region,indicator,year,value,unit,source\ntestland,grain_output,2021,{value},{unit},x\n")


def test_an_observed_cell_gives_a_problem_with_its_row_found_and_expected(write):
    csv = _observed(write, "30", "万亩")
    with pytest.raises(InputError) as info:
        load_observed(csv, load_scenario(write("s.yaml", small_grain())))
    [problem] = info.value.problems
    assert (problem.file, problem.path, problem.found, problem.expected) == (
        str(csv), "row 2.value", "'30.0 万亩' (unit of area)", "a quantity of mass convertible to kg, e.g. '1365 万吨'")


def test_an_observed_cell_reads_the_same_on_the_cli(write, tmp_path, capsys):
    scenario = write("s.yaml", dict(small_grain(), targets={"g": {"indicator": "grain_output", "kind": "at_least",
                                                                   "value": "30 万吨", "year": 2023}}))
    csv = _observed(write, "30", "万亩")
    code = main(["track", str(scenario), "--observed", str(csv), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert (f"{csv}: row 2.value: found '30.0 万亩' (unit of area); "
            "expected a quantity of mass convertible to kg, e.g. '1365 万吨'") in err
    assert not (tmp_path / "r").exists()


def test_a_schema_error_names_the_keys_the_section_takes(write, capsys):
    """A pydantic error of a section (a missing key, a key of the wrong type) expects that section's own
    keys, not a documented parameter's."""
    fields = "expected a mapping {param, cost, cap, lag_years, group, source, assumption, note}"
    path = write("inv.yaml", dict(small_grain(), investments={"x": {"param": "land_grain.hsf_build_mu_per_yr"}}))
    assert f"{path}: investments.x: found cost: Field required; {fields}" in _validate(path, capsys)
    path = write("list.yaml", dict(small_grain(), investments={"x": {"param": ["a list"], "cost": 1}}))
    assert f"{path}: investments.x: found param: Input should be a valid string; {fields}" in _validate(path, capsys)
    path = write("dist.yaml", dict(small_grain(), uncertainty={UPLIFT: {"dist": "beta"}}))
    assert "expected a distribution such as {dist: uniform, low: …, high: …}" in _validate(path, capsys)


def test_a_plain_value_error_in_a_parser_is_an_internal_error_not_bad_input(write, monkeypatch):
    """Only a ValueProblem (or a schema's ValidationError) is bad input: a bug raising ValueError inside a
    parser must not be shown to the user as a problem in their file."""
    def broken(*_):
        raise ValueError("a bug")
    monkeypatch.setattr(loader, "parse_distribution", broken)
    path = write("s.yaml", dict(small_grain(), uncertainty={UPLIFT: {"dist": "uniform", "low": 0.1, "high": 0.3}}))
    with pytest.raises(ValueError, match="a bug") as info:
        load_scenario(path)
    assert not isinstance(info.value, (ValueProblem, InputError))


def test_analyses_refuse_with_the_option_or_file_found_and_expected(write, tmp_path, capsys):
    """allocate's share constraints that no split meets, and calibrate's observed file with nothing after the
    base year: each analysis raises a ValueProblem that the command places (option or file)."""
    data = small_grain(reclamation_mu_per_yr="0 亩")
    data["investments"] = {"hsf": {"param": "land_grain.hsf_build_mu_per_yr", "cost": "1 万元/亩", "group": "farmland"},
                           "reclaim": {"param": "land_grain.reclamation_mu_per_yr", "cost": "2 万元/亩",
                                       "group": "land"}}
    data["targets"] = {"hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "200 亩", "year": 2023}}
    scenario = write("alloc.yaml", data)
    csv = write("obs.csv", "region,indicator,year,value,unit,source\ntestland,grain_output,2020,30,万吨,x\n")
    out = ["--out", str(tmp_path / "r")]
    for argv, line in (
            (["allocate", str(scenario), "--budget", "600 万元", "--min-share", "land=0.8", "--max-share", "reclaim=0.5",
              "--runs", "2"], "command line: --min-share/--max-share: found no split satisfies the share constraints; "
                              "expected constraints some split meets"),
            (["calibrate", str(scenario), "--observed", str(csv), "--fit", "land_grain.yield_trend_per_yr"],
             f"{csv}: found no observed values after the base year within the scenario's horizon; "
             "expected observed values after the base year")):
        code = main(argv + out)
        err = capsys.readouterr().err
        assert code == 2 and line in err and "Traceback" not in err, err
    assert not (tmp_path / "r").exists()
