"""A lever is held, searched and shown in its parameter's own unit (issue 20: `pigs.market_age_months`
was shown ×12, "in [63.6, 84] month" for a 5.3–7 month range, because solve and the sweep chart
treated the value as if it were in internal units, years)."""
from __future__ import annotations

import pytest

from agrosim import load_scenario
from agrosim.analysis.levers import lever
from agrosim.analysis.solve import Solution, solve
from conftest import ROOT

AGE = "pigs.market_age_months"


@pytest.fixture(scope="module")
def pigs():
    return load_scenario(ROOT / "scenarios" / "shanxi_pigs_2025.yaml")


def test_a_month_lever_is_shown_in_months(pigs):
    """The documented range of the market age is 5.3–7 months (params/), current 6: shown as such."""
    lv = lever(pigs, AGE)
    assert (lv.low, lv.high, lv.current) == (5.3, 7.0, 6.0)
    assert lv.show(lv.low) == "5.3 month" and lv.show(lv.high) == "7 month"
    assert lv.limit_text() == "limit: the parameter's domain [2 month, 12 month]"


def test_solve_gives_the_range_in_the_levers_own_unit(pigs):
    lv = lever(pigs, AGE)
    sol = solve(pigs, lv, pigs.targets[0].id)
    text = sol.describe(lv.spec.unit)
    assert "[5.3, 12] month" in text and "63.6" not in text and "144" not in text
    # a solved sentence, values hand-chosen: 6.5 months vs the current 6
    done = Solution(target="t", lever=AGE, direction="min", probability=None, value=6.5, current=6.0,
                    low=5.3, high=7.0, tolerance=0.01, status="solved")
    assert done.describe("month") == f"t is met with {AGE} at least 6.5 month (+0.5 month vs the scenario's 6)"


def test_sweep_and_solve_outputs_keep_months(tmp_path, capsys, monkeypatch):
    """The written solve.csv and sweep.csv give the lever in months, and the feasibility chart's axis
    spans months (a 3 × 2 grid of the market age and sow-herd growth), not years × 12."""
    import pandas as pd

    import agrosim.cli_analysis as cli_analysis
    from agrosim.cli import main

    scenario = str(ROOT / "scenarios" / "shanxi_pigs_2025.yaml")
    assert main(["solve", scenario, "--lever", AGE, "--out", str(tmp_path / "solve")]) == 0
    assert "[5.3, 12] month" in capsys.readouterr().out
    solved = pd.read_csv(next((tmp_path / "solve").rglob("solve.csv")))
    assert (solved["low [month]"].iloc[0], solved["current [month]"].iloc[0]) == (5.3, 6.0)

    x_ranges = []
    monkeypatch.setattr(cli_analysis, "save", lambda fig, path: x_ranges.append(fig.axes[0].get_xlim()))
    assert main(["sweep", scenario, "--param", f"{AGE}=5.3 month:7 month:3", "--param", "pigs.sow_herd_growth_per_yr",
                 "--points", "2", "--out", str(tmp_path / "sweep")]) == 0
    table = pd.read_csv(next((tmp_path / "sweep").rglob("sweep.csv")))
    assert sorted(table[f"{AGE} [month]"].unique()) == pytest.approx([5.3, 6.15, 7.0])
    assert x_ranges and x_ranges[0] == pytest.approx((5.3, 7.0))
