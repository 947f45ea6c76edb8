"""Where results go and what travels with the project: every command writes its own folder under
OUT/<name>/ so none replaces another, `agrosim report` finds them; scenarios outside the repository
extend bundled regions and scenarios by name; the wheel ships params/, scenarios/ and plans/."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from agrosim.cli import main
from agrosim import load_scenario
from conftest import ROOT, small_grain


def _uncertain(name="small") -> dict:
    data = small_grain()
    data["name"] = name
    data["targets"] = {"grain_2023": {"indicator": "grain_output", "kind": "at_least", "value": "300 吨",
                                      "year": 2023, "en": "Grain output", "zh": "粮食总产量"}}
    data["uncertainty"] = {"land_grain.yield_trend_per_yr": {"dist": "uniform", "low": "0 %/yr", "high": "10 %/yr"},
                           "land_grain.hsf_yield_uplift": {"dist": "uniform", "low": 0.1, "high": 0.3}}
    return data


def test_run_mc_and_two_sensitivities_keep_all_four_outputs(write, tmp_path, capsys):
    path = write("small.yaml", _uncertain())
    out = tmp_path / "reports"
    assert main(["run", str(path), "--out", str(out)]) == 0
    assert main(["mc", str(path), "--runs", "60", "--chunk-size", "30", "--out", str(out)]) == 0
    for method in ("tornado", "morris"):
        assert main(["sensitivity", str(path), "--method", method, "--target", "grain_2023", "--samples", "8",
                     "--out", str(out)]) == 0
    mine = out / "small"
    assert sorted(p.name for p in mine.iterdir()) == ["mc", "run", "sensitivity-morris-grain_2023",
                                                      "sensitivity-tornado-grain_2023"]
    assert len(pd.read_csv(mine / "run" / "results.csv").run.unique()) == 1
    assert pd.read_csv(mine / "mc" / "targets.csv").runs.max() == 60
    assert (mine / "sensitivity-tornado-grain_2023" / "tornado.csv").is_file()
    assert (mine / "sensitivity-morris-grain_2023" / "morris.csv").is_file()
    assert f"written to {mine / 'sensitivity-morris-grain_2023'}" in capsys.readouterr().out
    # `agrosim report OUT/<name>` finds and redraws both reports, leaving the others alone
    for kind in ("run", "mc"):
        (mine / kind / "report.html").unlink()
    assert main(["report", str(mine)]) == 0
    assert (mine / "run" / "report.html").is_file() and (mine / "mc" / "report.html").is_file()
    shown = capsys.readouterr().out
    assert f"rebuilt in {(mine / 'run').resolve()}" in shown and f"rebuilt in {(mine / 'mc').resolve()}" in shown
    # … but one folder must be named when adding observed data
    obs = write("obs.csv", "region,indicator,year,value,unit,source\ntestland,hsf_area,2021,150,亩,x\n")
    assert main(["report", str(mine), "--observed", str(obs)]) == 2
    assert "holds 2 reports" in capsys.readouterr().err


def test_batch_writes_its_own_folder_beside_the_runs(write, tmp_path, capsys):
    folder = tmp_path / "many"
    write("many/a.yaml", _uncertain("a"))
    write("many/b.yaml", _uncertain("b"))
    out = tmp_path / "reports"
    assert main(["run", str(folder / "a.yaml"), "--out", str(out)]) == 0
    assert main(["batch", str(folder), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["a", "batch-many"]
    batch = out / "batch-many"
    assert {"a", "b", "summary.csv"} <= {p.name for p in batch.iterdir()}
    assert pd.read_csv(batch / "summary.csv").scenario.tolist() == ["a", "b"]
    assert (out / "a" / "run" / "targets.csv").is_file() and (batch / "a" / "targets.csv").is_file()
    assert main(["report", str(batch / "b")]) == 0


# ---- scenarios outside the repository -----------------------------------------------------------

def test_extends_a_bundled_region_or_scenario_by_name(write, tmp_path):
    region = write("elsewhere/mine.yaml", {"extends": "shanxi", "title": "mine",
                                           "overrides": {"land_grain.hsf_build_mu_per_yr": "100 万亩/年"}})
    scenario = write("elsewhere/grain.yaml", {"extends": "shanxi_grain_2025", "title": "copy"})
    bundled = load_scenario(ROOT / "scenarios" / "shanxi_grain_2025.yaml")
    copy = load_scenario(scenario)
    assert [t.id for t in copy.targets] == [t.id for t in bundled.targets]
    assert copy.params["land_grain"]["hsf_build_mu_per_yr"].value == \
        bundled.params["land_grain"]["hsf_build_mu_per_yr"].value
    assert load_scenario(region).params["land_grain"]["hsf_build_mu_per_yr"].value == pytest.approx(100e4)


def test_extends_unknown_name_says_where_it_looked(write, capsys):
    path = write("elsewhere/bad.yaml", {"extends": "shanxy"})
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "'shanxy', which does not exist" in err and "a bundled region or scenario by name" in err


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `pip wheel .` builds from this checkout (no dependencies)."""
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"pip wheel failed: {proc.stderr[-2000:]}")
    return next(dist.glob("agrosim-*.whl"))


def test_wheel_ships_params_scenarios_and_plans(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, pattern in (("params", "*.yaml"), ("scenarios", "*.yaml"), ("plans", "*.txt")):
        for path in (ROOT / folder).glob(pattern):
            assert f"agrosim/bundled/{folder}/{path.name}" in names, path
    assert "agrosim/report/templates/report.html.j2" in names and "agrosim/explorer/page.html" in names


@pytest.mark.long
def test_wheel_in_a_fresh_venv_runs_a_scenario_outside_the_repository(wheel, tmp_path):
    """Install the wheel into a fresh venv (the dependencies come from this one's site-packages, so no
    download) and run a copied scenario that extends a bundled one, from a folder outside the repository."""
    import site
    import venv

    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    py = env / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib, "zz_deps.pth").write_text("\n".join(deps) + "\n")  # plain paths: no editable agrosim from here
    work = tmp_path / "work"
    work.mkdir()
    (work / "mine.yaml").write_text("extends: shanxi_grain_2025\ntitle: my copy\n", encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(env / "bin" / "agrosim"), "run", "mine.yaml", "--out", "out"], cwd=work,
                          capture_output=True, text=True, env=clean)
    assert proc.returncode == 0, proc.stderr
    where = subprocess.run([str(py), "-c", "import agrosim.paths as p; print(p.bundled_params_dir())"],
                           capture_output=True, text=True, env=clean, cwd=work).stdout.strip()
    assert where.startswith(purelib) and str(ROOT) not in where
    targets = pd.read_csv(work / "out" / "mine" / "run" / "targets.csv")
    assert targets.target.tolist() == [t.id for t in load_scenario(ROOT / "scenarios" / "shanxi_grain_2025.yaml").targets]


# ---- plan units and words -----------------------------------------------------------------------

def test_sensitivity_and_sweep_tables_are_in_plan_units(write, tmp_path, capsys):
    path = write("small.yaml", _uncertain())
    out = tmp_path / "r"
    assert main(["sensitivity", str(path), "--method", "tornado", "--indicator", "grain_output", "--year", "2023",
                 "--out", str(out), "--lang", "zh"]) == 0
    table = pd.read_csv(out / "small" / "sensitivity-tornado-grain_output-2023" / "tornado.csv").set_index("param")
    trend = table.loc["land_grain.yield_trend_per_yr"]  # uniform 0–10 %/yr: 5th and 95th percentiles 0.5, 9.5
    assert trend["input_unit"] == "%/yr" and trend["name"] == "单产年增长率"
    assert (trend["low_input"], trend["high_input"]) == pytest.approx((0.5, 9.5))
    assert table.loc["land_grain.hsf_yield_uplift", "input_unit"] == "%"
    assert table["outcome_unit"].unique().tolist() == ["万吨"]
    assert 0.02 < trend["base"] < 0.05  # about 331 吨 = 0.0331 万吨, not 331000 kg
    assert main(["sweep", str(path), "--param", "land_grain.hsf_build_mu_per_yr=0 亩/年:100 亩/年:3",
                 "--param", "land_grain.yield_trend_per_yr=0 %/yr:10 %/yr:2", "--out", str(out)]) == 0
    sweep = pd.read_csv(out / "small" / "sweep-grid" / "sweep.csv")
    assert sorted(sweep["land_grain.hsf_build_mu_per_yr [万亩/年]"].unique()) == pytest.approx([0, 0.005, 0.01])
    assert sorted(sweep["land_grain.yield_trend_per_yr [%/yr]"].unique()) == pytest.approx([0, 10])
    assert (out / "small" / "sweep-grid" / "feasibility_grain_2023.png").is_file()


def test_tornado_and_feasibility_axes_name_levers_not_paths():
    from agrosim.registry import param_paths
    from agrosim.report import charts
    from agrosim.report.lang import chart_context
    from agrosim.report.tables import lever_axis

    spec = param_paths(["land_grain"])["land_grain.hsf_build_mu_per_yr"]
    assert lever_axis("land_grain.hsf_build_mu_per_yr", spec, "zh").endswith("[万亩/年]")
    assert "hsf_build" not in lever_axis("land_grain.hsf_build_mu_per_yr", spec, "en")
    assert lever_axis("land_grain.hsf_build_mu_per_yr", spec, "en").endswith("[10⁴ mu/yr]")
    table = pd.DataFrame({"param": ["a.b"], "base": [1.0], "at_low": [0.5], "at_high": [2.0]})
    with chart_context("zh"):
        fig = charts.tornado(table, "t", "粮食总产量 [万吨]", "zh", {"a.b": "单产年增长率 [%/yr]"})
        assert [x.get_text() for x in fig.axes[0].get_yticklabels()] == ["单产年增长率 [%/yr]"]
        assert fig.axes[0].get_legend().get_texts()[0].get_text() == "全部输入取中位数"
