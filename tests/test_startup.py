"""Start-up weight and the Monte Carlo's exact shortcuts: `validate` and `list` load no heavy
package, the chunk sketch's quantiles equal numpy's bit for bit, the load-time normal CDF agrees
with SciPy's."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agrosim.batch import SKETCH_LEVELS, chunk_sketch, sorted_quantiles

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "matplotlib", "pyarrow", "jinja2", "scipy")

PROBE = """
import contextlib, io, runpy, sys
sys.argv = ["agrosim", *sys.argv[1:]]
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        runpy.run_module("agrosim.cli", run_name="__main__")
    except SystemExit as exc:
        code = exc.code
print(code, " ".join(sorted(m for m in sys.modules if m.split(".")[0] in {heavy})))
"""


@pytest.mark.parametrize("args", [["list"], ["validate", "scenarios/shanxi_baseline.yaml"],
                                  ["validate", "scenarios/zuoquan_baseline.yaml"]])
def test_list_and_validate_load_no_heavy_package(args):
    out = subprocess.run([sys.executable, "-c", PROBE.replace("{heavy}", repr(set(HEAVY))), *args], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    assert out[0] == "0"  # the command itself succeeded
    assert out[1:] == [], f"agrosim {' '.join(args)} imported {out[1]}"


def test_import_agrosim_loads_no_heavy_package():
    code = f"import sys, agrosim; print(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("runs", [1, 2, 3, 10, 1001, 2500])
def test_sorted_quantiles_equal_numpy_bit_for_bit(runs):
    rng = np.random.default_rng(runs)
    values = rng.lognormal(3.0, 2.0, size=(runs, 7))
    values[:, 1] = 42.0  # constant
    values[::2, 2] = values[0, 2]  # ties
    values[:, 3] = np.round(values[:, 3])
    values[-1, 4] = np.nan  # a NaN makes the whole column NaN, as in numpy
    values[::3, 5] = np.inf
    values[:, 6] *= -1e-300
    with np.errstate(invalid="ignore"):  # inf - inf between the infinite values, in numpy's code as in ours
        expected = np.quantile(values, SKETCH_LEVELS, axis=0)
        got = sorted_quantiles(np.ascontiguousarray(values.T), SKETCH_LEVELS)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.isnan(got[:, 4]).all() and (got[:, 1] == 42.0).all()


def test_chunk_sketch_holds_counts_sums_and_exact_quantiles():
    rng = np.random.default_rng(0)
    data = {"a": rng.normal(size=(500, 3)), "b": rng.uniform(size=(500, 3))}
    with np.load(__import__("io").BytesIO(chunk_sketch(data))) as sketch:
        assert list(sketch["names"]) == ["a", "b"] and int(sketch["runs"]) == 500
        stacked = np.stack([data["a"], data["b"]], axis=1)
        assert np.array_equal(sketch["sums"], stacked.sum(axis=0))
        assert np.array_equal(sketch["quantiles"], np.quantile(stacked, SKETCH_LEVELS, axis=0))


def test_load_time_normal_cdf_agrees_with_scipy():
    from scipy import special

    from agrosim.config.distributions import _ndtr

    for z in [-40.0, -8.0, -1.0, -1e-3, 0.0, 0.5, 3.0, 8.0, 40.0, -math.inf, math.inf]:
        assert _ndtr(z) == pytest.approx(float(special.ndtr(z)), rel=1e-12, abs=1e-300)


def test_wilson_interval_equals_scipy_binomtest_to_the_last_bit():
    from scipy.stats import binomtest

    from agrosim.targets import wilson_interval

    for n in (1, 2, 3, 7, 100, 1001, 100_000):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            for confidence in (0.5, 0.8, 0.9, 0.95, 0.99):
                ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
                assert wilson_interval(k, n, confidence) == (ci.low, ci.high), (k, n, confidence)


def test_spearman_ranks_are_the_double_argsort_ranks():
    from agrosim.analysis.probability import _ranks

    rng = np.random.default_rng(3)
    for x in [rng.normal(size=1000), np.round(rng.normal(size=1000)), np.ones(5), np.array([2.0, np.nan, 1.0, 2.0])]:
        assert np.array_equal(_ranks(x), np.argsort(np.argsort(x, kind="stable"), kind="stable").astype(float))
