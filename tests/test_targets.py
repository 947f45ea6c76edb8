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
    assert r.gap_pct == pytest.approx(3.0) and r.first_year_reached == 2022
    # a single run is a central run: no probability, no interval
    assert np.isnan(r.p_met) and np.isnan(r.p_low) and np.isnan(r.p_high)


def test_at_least_missed_negative_gap():
    r = row("at_least", 100, [[90, 95, 97, 98]])
    assert r.verdict == "missed" and r.gap == pytest.approx(-2) and r.first_year_reached is None


def test_at_most():
    assert row("at_most", 100, [[120, 110, 100, 99]]).verdict == "met"
    r = row("at_most", 100, [[120, 110, 100, 104]])
    assert r.verdict == "missed" and r.gap == pytest.approx(-4)


def test_about_counts_overshoot_as_met_and_says_so():
    """左右: within the band is met; above it is met with a note (plans count overshoot as
    fulfilment); only below the band is a miss. Gap is measured from the band's lower edge."""
    within = row("about", 100, [[0, 0, 0, 104]], tolerance=0.05)
    assert within.verdict == "met" and within.note == "within the band" and within.gap == pytest.approx(9)
    above = row("about", 200, [[0, 0, 0, 212]], tolerance=0.05)  # Xinzhou grain above "about 200"
    assert above.verdict == "met" and above.note == "above the band (counted as met)"
    below = row("about", 100, [[0, 0, 0, 94]], tolerance=0.05)
    assert below.verdict == "missed" and below.gap == pytest.approx(-1)


def test_about_probability_does_not_fall_as_values_rise():
    """Raising every run's value can only raise P(met) for an `about` target."""
    base = np.array([[0, 0, 0, v] for v in np.linspace(90, 115, 26)])
    p = [row("about", 100, base + shift, tolerance=0.05).p_met for shift in (0, 5, 10, 20)]
    assert p == sorted(p) and p[-1] == 1.0


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
    assert r.verdict == "uncertain" and r.projected == pytest.approx(110)


@pytest.mark.parametrize("met_runs, verdict", [(8, "likely"), (10, "likely"), (7, "uncertain"), (3, "uncertain"),
                                               (2, "unlikely"), (0, "unlikely")])
def test_monte_carlo_verdict_classes(met_runs, verdict):
    """P ≥ 0.8 likely, P ≤ 0.2 unlikely, else uncertain: never "met" for a coin flip."""
    rows = [[0, 0, 0, 110]] * met_runs + [[0, 0, 0, 90]] * (10 - met_runs)
    assert row("at_least", 100, rows).verdict == verdict


def test_thresholds_are_settable_and_checked():
    from agrosim.targets import Thresholds

    rows = [[0, 0, 0, 110]] * 6 + [[0, 0, 0, 90]] * 4
    table = evaluate([target("at_least", 100)], results(rows), thresholds=Thresholds(likely=0.6, unlikely=0.1))
    assert table.verdict.iloc[0] == "likely"
    with pytest.raises(ValueError):
        Thresholds(likely=0.2, unlikely=0.5)


def test_stable_at_projected_is_the_worst_year_everywhere():
    """One projected value: the judged value and its year come from one function."""
    from agrosim.targets import judged_values

    res = results([[120, 105, 99, 130], [120, 101, 110, 130]])
    values, years = judged_values(target("stable_at", 100), res)
    assert list(values / 1e7) == pytest.approx([99, 101]) and list(years) == [2022, 2021]
    table = evaluate([target("stable_at", 100)], res)
    assert table.projected.iloc[0] == pytest.approx(100) and table.note.iloc[0] == "worst year of the window"

