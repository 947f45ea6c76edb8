"""Start-up contract: `import agrosim` and the command-line parser load none of the heavy stack
(matplotlib, pyarrow, jinja2); commands import what they use when they run."""
import subprocess
import sys

from conftest import ROOT

HEAVY = "{'matplotlib', 'pyarrow', 'jinja2'}"


def loaded_after(code: str) -> str:
    probe = f"{code}\nimport sys; print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY}))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_agrosim_loads_no_heavy_package():
    assert loaded_after("import agrosim") == "[]"


def test_cli_parser_loads_no_heavy_package():
    assert loaded_after("import agrosim, agrosim.cli; agrosim.cli.build_parser()") == "[]"


def test_list_and_validate_load_no_heavy_package():
    """`list` loads none of them; `validate` none of the report's drawing stack (its plan-implied notes
    are a pandas table, which brings pyarrow)."""
    assert loaded_after("import contextlib, io; from agrosim.cli import main\n"
                        "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['list']) == 0") == "[]"
    code = ("import contextlib, io; from agrosim.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['validate', 'scenarios/shanxi_baseline.yaml']) == 0")
    assert "matplotlib" not in loaded_after(code) and "jinja2" not in loaded_after(code)


def test_public_names_load_on_first_use():
    """The lazy package entry still hands out every public name, and the heavy stack once a call needs it."""
    code = "import agrosim; assert all(callable(getattr(agrosim, n)) for n in agrosim.__all__); agrosim.run"
    assert loaded_after(code) != "[]"  # run() → results as a pandas frame (pyarrow) with the API module


# --- what a Monte Carlo keeps per run, and bands merged over chunks -----------------------------

def _grain(root):
    from agrosim import load_scenario

    return load_scenario(root / "scenarios" / "shanxi_grain_2025.yaml")


def test_chunks_keep_inputs_and_targets_indicators_unless_asked_for_all(tmp_path):
    import numpy as np
    import pyarrow.parquet as pq

    from agrosim.batch import Design, run_batch, target_indicators
    from agrosim.engine import recorded_indicators

    sc = _grain(ROOT)
    design = Design(runs=40, seed=1)
    (default,) = run_batch(sc, design, tmp_path / "a", chunk_size=40, progress=False)
    (everything,) = run_batch(sc, design, tmp_path / "b", chunk_size=40, progress=False, record="all")
    names = pq.read_schema(default).names
    kept = {c.split("|")[0] for c in names if "|" in c and not c.startswith("in:")}
    assert kept == (target_indicators(sc) | {"land_overcommitted"}) & set(recorded_indicators(sc))
    assert {c.split("|")[0][3:] for c in names if c.startswith("in:")} == {d.param for d in sc.uncertainty}
    full = pq.read_table(everything)
    assert {c.split("|")[0] for c in full.column_names if "|" in c and ":" not in c} == set(recorded_indicators(sc))
    target = sc.targets[0].indicator
    assert full.schema.field(f"{target}|2025").type == "double"
    other = next(i for i in recorded_indicators(sc) if i not in kept)
    assert full.schema.field(f"{other}|2025").type == "float"  # float32 for what no verdict reads
    same = pq.read_table(default, columns=[f"{target}|2025"]).column(0).to_numpy()
    np.testing.assert_array_equal(same, full.column(f"{target}|2025").to_numpy())


def test_bands_exact_for_one_chunk_and_close_over_many(tmp_path):
    """One chunk: numpy's percentiles of the runs (to rounding); seven chunks: within 0.5 % of rank."""
    import numpy as np

    from agrosim import simulate
    from agrosim.analysis.probability import bands
    from agrosim.batch import Design, run_batch
    from agrosim.units import from_internal

    sc, runs = _grain(ROOT), 1400
    design = Design(runs=runs, seed=4)
    exact = simulate(sc, runs, design.per_run(sc, 0, runs))
    one = bands(sc, run_batch(sc, design, tmp_path / "one", chunk_size=runs, progress=False))
    seven = bands(sc, run_batch(sc, design, tmp_path / "seven", chunk_size=200, progress=False))
    for name in ("grain_output", "cultivated_land"):
        unit = exact.indicators[name].display_unit
        values = from_internal(exact.data[name][:, -1], unit)
        row1 = one[(one.indicator == name) & (one.year == 2025)].iloc[0]
        row7 = seven[(seven.indicator == name) & (seven.year == 2025)].iloc[0]
        for q in (5, 25, 50, 75, 95):
            assert abs(row1[f"p{q}"] / np.percentile(values, q) - 1) < 1e-12  # the unit conversion's rounding
            v = row7[f"p{q}"]  # a value whose rank (ties: any rank of the tied runs) is within 0.5 % of q
            assert np.mean(values < v) <= q / 100 + 0.005 and np.mean(values <= v) >= q / 100 - 0.005, (name, q)
        assert abs(row1["mean"] / values.mean() - 1) < 1e-12
        assert abs(row7["mean"] / values.mean() - 1) < 1e-12


def test_bands_from_stored_columns_where_a_chunk_has_no_sketch(tmp_path):
    """A report folder's runs/ holds the chunks without their sketches: bands then come from what
    the chunks store (the targets' indicators), the same as from the sketch."""
    from agrosim.analysis.probability import bands
    from agrosim.batch import Design, run_batch, sketch_path, target_indicators

    sc = _grain(ROOT)
    paths = run_batch(sc, Design(runs=300, seed=2), tmp_path / "s", chunk_size=300, progress=False)
    with_sketch = bands(sc, paths)
    sketch_path(paths[0]).unlink()
    without = bands(sc, paths)
    stored = target_indicators(sc)  # each target's indicator, and a capacity target's realised one
    assert set(without.indicator) == stored
    expected = with_sketch[with_sketch.indicator.isin(stored)].reset_index(drop=True)
    for col in ("mean", "p5", "p50", "p95"):
        assert (abs(without[col] / expected[col] - 1) < 1e-12).all(), col
