"""Bad input: one clear message (file, key path, found, expected), exit 2, nothing written."""
import pytest

from agrosim import load_scenario
from agrosim.cli import main
from conftest import small_grain


def run_cli(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_refused(path, tmp_path, capsys, *fragments):
    out_dir = tmp_path / "reports"
    code, _, err = run_cli(["run", str(path), "--out", str(out_dir)], capsys)
    assert code == 2
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err
    assert not out_dir.exists() or not any(out_dir.iterdir())
    return err


def test_misspelt_key_did_you_mean(write, tmp_path, capsys):
    data = small_grain()
    data["land_grain"]["hsf_bulid_mu_per_yr"] = data["land_grain"].pop("hsf_build_mu_per_yr")
    path = write("typo.yaml", data)
    assert_refused(path, tmp_path, capsys, str(path), "land_grain.hsf_bulid_mu_per_yr",
                   "unknown key 'hsf_bulid_mu_per_yr' (did you mean 'hsf_build_mu_per_yr'?)")


def test_misspelt_top_level_and_crop(write, tmp_path, capsys):
    data = small_grain()
    data["end_yaer"] = 2023
    data["land_grain"]["crops"]["maze"] = data["land_grain"]["crops"].pop("maize")
    err = assert_refused(write("typos.yaml", data), tmp_path, capsys,
                         "did you mean 'end_year'?", "land_grain.crops.maze", "did you mean 'maize'?")
    assert "2 problem(s)" in err or "problem(s)" in err


def test_wrong_unit(write, tmp_path, capsys):
    path = write("unit.yaml", small_grain(hsf_area_mu="100 万吨"))
    assert_refused(path, tmp_path, capsys, "land_grain.hsf_area_mu", "found '100 万吨' (unit of mass)",
                   "expected a quantity of area convertible to mu")


def test_unknown_unit(write, tmp_path, capsys):
    assert_refused(write("u.yaml", small_grain(grain_area_mu="800 亩亩")), tmp_path, capsys,
                   "land_grain.grain_area_mu", "unknown unit '亩亩'")


def test_negative_area(write, tmp_path, capsys):
    assert_refused(write("neg.yaml", small_grain(cultivated_land_mu="-1000 亩")), tmp_path, capsys,
                   "land_grain.cultivated_land_mu", "found '-1000 亩' = -1000 mu", "expected a value in [0, inf] mu")


def test_all_problems_reported_at_once(write, tmp_path, capsys):
    path = write("many.yaml", small_grain(cultivated_land_mu="-1 亩", hsf_area_mu="1 kg", grain_area_mu="x"))
    err = assert_refused(path, tmp_path, capsys, "3 problem(s)", "cultivated_land_mu", "hsf_area_mu", "grain_area_mu")
    assert err.count("\n  - ") == 3


def test_a_long_expected_list_is_said_once_for_a_run_of_problems(write, tmp_path, capsys):
    """Ten unknown top-level keys: the list of allowed keys is printed once, then 'the same as above'."""
    path = write("keys.yaml", {"extends": "shanxi", **{f"unknown{i}": 1 for i in range(10)}})
    err = assert_refused(path, tmp_path, capsys, "10 problem(s)", "unknown key 'unknown0'", "unknown key 'unknown9'")
    assert err.count("expected one of: name, title") == 1
    assert err.count("expected the same as above") == 9


def test_correlations_that_are_not_a_list_are_refused(write, tmp_path, capsys):
    """`correlations: 1` (found by the scenario fuzz: it was an internal error) is one input problem."""
    data = dict(small_grain(), uncertainty={"land_grain.yield_trend_per_yr": {"dist": "uniform", "low": "0 %/yr",
                                                                               "high": "1 %/yr"}}, correlations=1)
    assert_refused(write("corr.yaml", data), tmp_path, capsys, "correlations: found 1; expected a list of [param_a")


def test_missing_extends_file(write, tmp_path, capsys):
    path = write("child.yaml", {"extends": "nowhere.yaml", "name": "child"})
    assert_refused(path, tmp_path, capsys, str(path), "extends", "'nowhere.yaml', which does not exist")


def test_cyclic_extends(write, tmp_path, capsys):
    write("a.yaml", {"extends": "b.yaml"})
    write("b.yaml", {"extends": "a.yaml"})
    assert_refused(tmp_path / "a.yaml", tmp_path, capsys, "extends", "a cycle:", "a.yaml -> ", "b.yaml")


def test_bad_yaml_syntax(write, tmp_path, capsys):
    path = write("broken.yaml", "region: {id: x\nland_grain: [1, 2\n")
    assert_refused(path, tmp_path, capsys, str(path), "invalid YAML at line", "expected well-formed YAML")


def test_missing_required_key(write, tmp_path, capsys):
    data = small_grain()
    del data["land_grain"]["grain_area_mu"]
    assert_refused(write("req.yaml", data), tmp_path, capsys, "land_grain.grain_area_mu", "found nothing",
                   "required key 'grain_area_mu'")


def test_error_names_the_file_that_holds_the_bad_value(write, tmp_path, capsys):
    base = write("base.yaml", small_grain(hsf_area_mu="100 万吨"))
    child = write("child.yaml", {"extends": "base.yaml", "title": "child"})
    err = assert_refused(child, tmp_path, capsys, "land_grain.hsf_area_mu")
    assert f"{base}: land_grain.hsf_area_mu" in err


def test_duplicate_keys_and_object_tags_refused(write, tmp_path, capsys):
    dup = write("dup.yaml", "base_year: 2020\nbase_year: 2021\n")
    assert_refused(dup, tmp_path, capsys, "duplicate key 'base_year'")
    tag = write("tag.yaml", "name: !!python/object/apply:os.system ['echo hi']\n")
    assert_refused(tag, tmp_path, capsys, "invalid YAML")


def test_bad_target(write, tmp_path, capsys):
    data = small_grain()
    data["targets"] = {"t1": {"indicator": "grain_outptu", "kind": "at_least", "value": "1 万吨", "year": 2023},
                       "t2": {"indicator": "grain_output", "kind": "at_least", "value": "1 万亩", "year": 2023}}
    assert_refused(write("tg.yaml", data), tmp_path, capsys, "targets.t1.indicator",
                   "did you mean 'grain_output'?", "targets.t2.value", "unit of area")


def test_name_cannot_escape_output_folder(write, tmp_path, capsys):
    data = small_grain()
    data["name"] = "../../etc"
    assert_refused(write("esc.yaml", data), tmp_path, capsys, "name")


def test_validate_and_list(root, capsys):
    scenario = root / "scenarios" / "shanxi_grain_2025.yaml"
    code, out, _ = run_cli(["validate", str(scenario)], capsys)
    assert code == 0 and "valid" in out and f"{len(load_scenario(scenario).targets)} targets" in out
    code, out, _ = run_cli(["list"], capsys)
    assert code == 0 and "shanxi_grain_2025" in out and "shanxi" in out


def test_cli_end_to_end_on_bundled_scenario(root, tmp_path, capsys):
    import pandas as pd
    import yaml

    out_dir = tmp_path / "reports"
    code, out, err = run_cli([str(root / "scenarios" / "shanxi_grain_2025.yaml"), "--out", str(out_dir)], capsys)
    assert code == 0, err
    assert "grain_capacity_2025" in out and "met" in out
    folder = out_dir / "shanxi_grain_2025" / "run"
    results = pd.read_csv(folder / "results.csv")
    assert list(results.columns[:6]) == ["run", "year", "region", "indicator", "value", "unit"]
    grain = results[(results.indicator == "grain_output")].set_index("year")["value"]
    assert grain.index.tolist() == list(range(2020, 2026))
    assert grain[2020] == pytest.approx(1424, rel=0.005)
    targets = pd.read_csv(folder / "targets.csv").set_index("target")
    assert targets.loc["hsf_area_2025", "projected"] == pytest.approx(2484)
    assert targets.loc["hsf_area_2025", "verdict"] == "met"
    assert "000_9a171ad133399258.txt L146" in targets.loc["hsf_area_2025", "source"]
    resolved = yaml.safe_load((folder / "scenario.resolved.yaml").read_text(encoding="utf-8"))
    assert resolved["land_grain"]["hsf_build_mu_per_yr"] == "164.4 万亩/年"
    ids = sorted(t.id for t in load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml").targets)
    assert {"grain_capacity_2025", "grain_sown_area_2025", "hsf_area_2025"} <= set(ids)
    assert set(ids) <= {p.stem for p in (folder / "charts").glob("*.png")}  # one chart per target at least
    assert set(ids) <= {p.stem for p in (folder / "charts").glob("*.svg")}
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temporary folders left


def _small_with_a_target() -> dict:
    """A scenario whose report takes little drawing: one grain target."""
    data = dict(small_grain(), name="small")
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "300 吨", "year": 2023}}
    return data


def test_rerun_replaces_report_atomically(write, tmp_path, capsys):
    out_dir = tmp_path / "reports"
    path = write("small.yaml", _small_with_a_target())
    for _ in range(2):
        assert run_cli([str(path), "--out", str(out_dir)], capsys)[0] == 0
    assert [p.name for p in out_dir.iterdir()] == ["small"]
    assert [p.name for p in (out_dir / "small").iterdir()] == ["run"]


def test_failed_rerun_keeps_previous_report(write, tmp_path, capsys):
    out_dir = tmp_path / "reports"
    sc = write("small.yaml", _small_with_a_target())
    assert run_cli([str(sc), "--out", str(out_dir)], capsys)[0] == 0
    before = (out_dir / "small" / "run" / "targets.csv").read_text()
    bad = write("bad/small.yaml", {"extends": str(sc), "land_grain": {"hsf_area_mu": "x"}})
    assert run_cli([str(bad), "--out", str(out_dir)], capsys)[0] == 2
    assert (out_dir / "small" / "run" / "targets.csv").read_text() == before


# ---- what a newcomer meets first ------------------------------------------------------------------

def test_no_arguments_print_a_short_usage_with_the_two_common_commands(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "agrosim run scenarios/shanxi_grain_2025.yaml" in err and "agrosim mc " in err
    assert len(err.splitlines()) <= 10


def test_run_py_without_arguments_prints_the_usage(root):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(root / "run.py")], capture_output=True, text=True, cwd=root)
    assert done.returncode == 2 and "usage: agrosim COMMAND" in done.stderr and "Traceback" not in done.stderr


def test_version(capsys):
    import agrosim

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"agrosim {agrosim.__version__}"


def test_mistyped_command_gets_did_you_mean(capsys):
    assert main(["sensitivty", "x.yaml"]) == 2
    assert "unknown command 'sensitivty' (did you mean 'sensitivity'?)" in capsys.readouterr().err


def test_unreachable_scheduler_is_bad_input(root, tmp_path, capsys):
    import socket

    with socket.socket() as probe:  # a port nobody listens on: bind, note it, close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = main(["mc", str(root / "scenarios" / "shanxi_grain_2025.yaml"), "--runs", "10",
                 "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path)])
    assert code == 2
    assert f"no Dask scheduler answered at tcp://127.0.0.1:{port}" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_regions_fits_a_terminal_and_wide_keeps_every_column(capsys):
    import unicodedata

    def width(line):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
    assert main(["regions"]) == 0
    compact = capsys.readouterr().out
    assert max(width(line) for line in compact.splitlines()) <= 104  # 万头 and the like are double width
    assert "[1] " in compact and "grain_capacity_2025" not in compact
    assert main(["regions", "--wide"]) == 0
    assert "grain_capacity_2025" in capsys.readouterr().out
