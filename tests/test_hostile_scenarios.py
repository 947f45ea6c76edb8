"""Hostile scenario files, one test per class of issue 22: each ends in a run or one message naming the
file, key path and reason (exit 2), quickly and in bounded memory, with nothing written."""
from __future__ import annotations

import time

import numpy as np
import pytest

from agrosim import load_scenario
from agrosim.cli import main
from agrosim.config.yaml_io import read_yaml
from agrosim.errors import InputError
from agrosim.limits import MAX_EXTENDS_DEPTH, MAX_NAME_CHARS, MAX_YAML_NODES
from agrosim.uncertainty import sample
from conftest import small_grain
from hostile_util import agrosim

UPLIFT, TREND, WEATHER = "land_grain.hsf_yield_uplift", "land_grain.yield_trend_per_yr", "land_grain.weather_yield_factor"


def laughs(levels: int = 9) -> str:
    """A 'billion laughs' document: 10 aliases per level, 10^levels nodes once expanded."""
    text = "a0: &a0 [" + ",".join(["lol"] * 10) + "]\n"
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]\n"
    return text


def refused(path, capsys) -> str:
    """validate `path`: exit 2, one message, no traceback; the message."""
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(("problem in the input", "2 problem", "3 problem")) and "Traceback" not in err, err
    return err


def test_alias_expansion_is_refused_in_well_under_a_second(write, capsys):
    path = write("laughs.yaml", laughs(9) + "base_year: 2020\n")
    start = time.perf_counter()
    with pytest.raises(InputError, match=f"more than {MAX_YAML_NODES:,} YAML nodes"):
        read_yaml(path)
    assert time.perf_counter() - start < 0.5
    err = refused(path, capsys)
    assert len(err) < 1000  # the message does not echo the expansion
    assert "more than 200,000 YAML nodes" in refused(write("cycle.yaml", "a: &a [1, *a]\n"), capsys)
    shared = write("shared.yaml", "x: &x [1, 2, 3]\ny: [*x, *x]\n")  # a few aliases stay fine
    assert read_yaml(shared)["y"] == [[1, 2, 3], [1, 2, 3]]


def test_alias_bomb_in_a_child_stays_small_and_fast(write):
    path = write("laughs.yaml", laughs(12))
    start = time.perf_counter()
    child = agrosim("validate", path)
    child.check_contract(allowed=(2,))
    assert "YAML nodes" in child.err and len(child.err) < 1000
    assert time.perf_counter() - start < 30  # mostly interpreter start-up on a loaded machine


def test_keys_that_are_not_names_or_years(write, capsys):
    grain = "land_grain:\n  cultivated_land_mu: 1000 亩\n"
    assert "a list used as a key" in refused(write("l.yaml", grain + "  ? [a, b]\n  : 3\n"), capsys)
    assert "a dict used as a key" in refused(write("m.yaml", grain + "  {a: 1}: 3\n"), capsys)
    err = refused(write("f.yaml", grain + "  1.5: 3\n"), capsys)
    assert "land_grain: found a key of type float (1.5)" in err
    assert "key of type date" in refused(write("d.yaml", grain + "  2021-01-01: 3\n"), capsys)
    assert "key of type bool" in refused(write("b.yaml", "on: 1\n" + grain), capsys)


@pytest.mark.parametrize("dist", [
    {"dist": "uniform", "low": 0.3, "high": 0.1},
    {"dist": "triangular", "low": 0.3, "mode": 0.2, "high": 0.1},
    {"dist": "pert", "low": 0.3, "mode": 0.2, "high": 0.1},
    {"dist": "normal", "mean": 0.2, "sd": 0.05, "low": 0.3, "high": 0.1},
    {"dist": "lognormal", "median": 0.2, "sigma": 0.1, "low": 0.3, "high": 0.1},
])
def test_low_above_high_is_refused_for_every_distribution_with_both(write, capsys, dist):
    data = small_grain()
    data["uncertainty"] = {UPLIFT: dist}
    err = refused(write("d.yaml", data), capsys)
    assert f"uncertainty.{UPLIFT}: found low 0.3 ≥ high 0.1; expected low < high" in err


@pytest.mark.parametrize("dist, reason", [
    ({"dist": "lognormal", "median": 0.2, "sigma": float("nan")}, "sigma nan; expected 0 < sigma"),
    ({"dist": "normal", "mean": 0.2, "sd": float("nan")}, "not finite"),
    ({"dist": "choice", "values": [0.1, 0.2], "weights": [float("nan"), 1]}, "weights [nan, 1.0]"),
    ({"dist": "choice", "values": [], "weights": []}, "values: []"),
    ({"dist": "uniform", "low": 0.1, "high": 0.3, "sd": 2}, "sd with dist uniform, which does not use it"),
    ({"dist": "normal", "mean": 0.5, "sd": 0.001, "low": 0.9}, "almost no probability in [0.9, 1]"),
])
def test_distribution_values_the_schema_let_through(write, capsys, dist, reason):
    data = small_grain()
    data["uncertainty"] = {UPLIFT: dist}
    assert reason in refused(write("d.yaml", data), capsys)


def test_contradictory_or_repeated_correlations(write, capsys):
    data = small_grain()
    data["uncertainty"] = {UPLIFT: {"dist": "uniform", "low": 0.1, "high": 0.3},
                           TREND: {"dist": "uniform", "low": "0 %/yr", "high": "1 %/yr"},
                           "land_grain.hsf_build_mu_per_yr": {"dist": "uniform", "low": "1 亩/年", "high": "60 亩/年"}}
    a, b, c = data["uncertainty"]
    data["correlations"] = [[a, b, 0.9], [a, c, 0.9], [b, c, -0.9]]  # cannot all hold
    assert "correlations: found correlations that cannot all hold together" in refused(write("c.yaml", data), capsys)
    data["correlations"] = [[a, b, 0.5], [b, a, -0.5]]
    assert "twice (0.5 and -0.5)" in refused(write("c2.yaml", data), capsys)
    data["correlations"] = [[a, b, 0.5], [a, c, 0.3]]
    assert main(["validate", str(write("ok.yaml", data))]) == 0


def test_targets_that_cannot_hold(write, capsys):
    data = small_grain()
    data["targets"] = {"s": {"indicator": "grain_output", "kind": "stable_at", "value": "30 万吨", "upper": "20 万吨",
                             "year": 2022}}
    assert "targets.s.upper: found upper 20 万吨 below value 30 万吨" in refused(write("u.yaml", data), capsys)
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "30 万吨", "year": 2023}}
    data["end_year"] = 2021  # a one-year horizon for a 2023 target
    assert "targets.g.year: found 2023; expected a year in 2021..2021" in refused(write("h.yaml", data), capsys)


@pytest.mark.parametrize("text, reason", [
    ("800 /亩", "nothing before '/'"), ("800 亩/亩", "divides by its own dimension"),
    ("800 亩/1", "divides by a plain number"),
    ("800 亩/年/年", "'800 亩/年/年' (unit of area/time^2); expected a quantity of area convertible to mu"),
    ("8²0 亩", "superscript two"), ("٨٠٠ 亩", "arabic-indic digit eight"), ("八百 亩", "write numbers in ASCII or full-width digits"),
    ("800 亩。", "unknown unit '亩。'"),
])
def test_odd_units_and_digits_are_refused_with_the_reason(write, capsys, text, reason):
    assert reason in refused(write("u.yaml", small_grain(grain_area_mu=text)), capsys)


def test_unambiguous_unicode_digits_are_read(write):
    data = small_grain(grain_area_mu="７９９。５ 亩", hsf_build_mu_per_yr={2020: "50 亩/年", "２０２２": "40 亩/年"})
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "３０。５ 万吨", "year": 2023}}
    sc = load_scenario(write("fw.yaml", data))
    assert sc.params["land_grain"]["grain_area_mu"].value == 799.5
    assert sc.params["land_grain"]["hsf_build_mu_per_yr"].value == {2020: 50.0, 2022: 40.0}
    assert (sc.targets[0].value_written, sc.targets[0].unit_written, sc.targets[0].value) == (30.5, "万吨", 305_000_000.0)  # kg


def test_superscript_year_keys_are_refused_in_schedules_and_overrides(write, capsys):
    err = refused(write("s.yaml", small_grain(hsf_build_mu_per_yr={2020: "50 亩/年", "2022²": "40 亩/年"})), capsys)
    assert "schedule key '2022²'" in err and "superscript two" in err
    write("base.yaml", small_grain())
    err = refused(write("o.yaml", "extends: base.yaml\noverrides:\n  land_grain.hsf_build_mu_per_yr.2021²: 1 亩/年\n"),
                  capsys)
    assert "superscript two" in err


def test_draws_are_truncated_to_the_valid_range(write):
    """An unbounded normal on weather_yield_factor (valid 0–2) never draws a negative factor."""
    data = small_grain()
    data["uncertainty"] = {WEATHER: {"dist": "normal", "mean": 1, "sd": 1.5, "per_year": True},
                           TREND: {"dist": "lognormal", "median": "1 %/yr", "sigma": 3}}
    sc = load_scenario(write("w.yaml", data))
    draws = sample(sc.uncertainty, None, 0, np.arange(20_000), len(sc.years))
    weather = draws[WEATHER]
    assert weather.min() >= 0 and weather.max() <= 2 and np.isfinite(weather).all()
    assert 0.3 < (weather < 1).mean() < 0.7  # symmetric about the mean 1 inside [0, 2]
    spec_hi = next(p for p in __import__("agrosim.registry", fromlist=["BY_NAME"]).BY_NAME["land_grain"].params
                   if p.name == "yield_trend_per_yr").hi
    assert draws[TREND].min() > 0 and draws[TREND].max() <= spec_hi
    from agrosim.engine import simulate
    res = simulate(sc, 2000, {k: v[:2000] for k, v in draws.items()})
    assert (res.data["grain_output"] >= 0).all() and np.isfinite(res.data["grain_output"]).all()


def test_deep_extends_chain_is_capped_naming_it(tmp_path, write, capsys):
    write("f0.yaml", small_grain())
    for i in range(1, 300):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: f{i - 1}.yaml\n", encoding="utf-8")
    err = refused(tmp_path / "f299.yaml", capsys)
    assert f"a chain of more than {MAX_EXTENDS_DEPTH} files" in err and "f299.yaml -> " in err and "more …" in err
    assert "RecursionError" not in err
    assert main(["validate", str(tmp_path / f"f{MAX_EXTENDS_DEPTH - 1}.yaml")]) == 0


def test_long_names_are_refused_at_validate(write, capsys, tmp_path):
    data = small_grain()
    data["name"] = "n" * 100  # a valid folder name, but '-sensitivity' would make it too long
    err = refused(write("long.yaml", data), capsys)
    assert f"name: found a name of 100 characters; expected at most {MAX_NAME_CHARS} characters" in err
    assert main(["sweep", str(write("long.yaml", data)), "--param", f"{UPLIFT}=0.1:0.3:3",
                 "--out", str(tmp_path / "r")]) == 2
    assert not (tmp_path / "r").exists()  # refused before any chunk was computed
