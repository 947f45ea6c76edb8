"""Target kinds and verdicts on hand-made trajectories."""
import numpy as np
import pytest

from agrosim.config.scenario import Target
from agrosim.results import Results
from agrosim.sectors.base import IndicatorSpec
from agrosim.targets import evaluate

YEARS = [2020, 2021, 2022, 2023]


def results(rows) -> Results:
    data = np.array(rows, dtype=float) * 1e7  # written in 万吨, stored in kg
    spec = IndicatorSpec("grain_output", "kg", "万吨", "Grain output", "粮食总产量")
    return Results("t", "r", YEARS, {"grain_output": spec}, {"grain_output": data}, np.arange(len(rows)))


def target(kind, value, **kw) -> Target:
    return Target(id="g", indicator="grain_output", kind=kind, value=value * 1e7, year=2023,
                  unit_written="万吨", value_written=value, **kw)


def row(kind, value, rows, **kw):
    return evaluate([target(kind, value, **kw)], results(rows)).iloc[0]


def test_at_least_met_gap_and_first_year():
    r = row("at_least", 100, [[90, 95, 101, 103]])
    assert r.verdict == "met" and r.projected == pytest.approx(103) and r.gap == pytest.approx(3)
    assert r.gap_pct == pytest.approx(3.0) and r.first_year_reached == 2022 and r.p_met == 1.0


def test_at_least_missed_negative_gap():
    r = row("at_least", 100, [[90, 95, 97, 98]])
    assert r.verdict == "missed" and r.gap == pytest.approx(-2) and r.first_year_reached is None


def test_at_most():
    assert row("at_most", 100, [[120, 110, 100, 99]]).verdict == "met"
    r = row("at_most", 100, [[120, 110, 100, 104]])
    assert r.verdict == "missed" and r.gap == pytest.approx(-4)


def test_about_uses_tolerance():
    assert row("about", 100, [[0, 0, 0, 104]], tolerance=0.05).verdict == "met"
    assert row("about", 100, [[0, 0, 0, 106]], tolerance=0.05).verdict == "missed"
    assert row("about", 100, [[0, 0, 0, 94]], tolerance=0.05).verdict == "missed"


def test_stable_at_must_hold_every_year_and_reports_worst():
    r = row("stable_at", 100, [[120, 105, 99, 130]])
    assert r.verdict == "missed" and r.projected == pytest.approx(99) and r.gap == pytest.approx(-1)
    assert row("stable_at", 100, [[50, 105, 99, 130]], from_year=2023).verdict == "met"
    assert row("stable_at", 100, [[120, 105, 101, 130]], upper=125 * 1e7).verdict == "missed"


def test_aspirational_flag_in_verdict():
    assert row("at_least", 100, [[0, 0, 0, 90]], aspirational=True).verdict == "missed (aspirational)"


def test_probability_with_wilson_interval_over_runs():
    rows = [[0, 0, 0, 90]] * 3 + [[0, 0, 0, 110]] * 7
    r = row("at_least", 100, rows)
    assert r.p_met == pytest.approx(0.7) and r.runs == 10
    # Wilson 95 % interval for 7/10, by the textbook formula
    z, n, p = 1.959963984540054, 10, 0.7
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert r.p_low == pytest.approx(centre - half, rel=1e-9) and r.p_high == pytest.approx(centre + half, rel=1e-9)
    assert r.verdict == "met" and r.projected == pytest.approx(110)
