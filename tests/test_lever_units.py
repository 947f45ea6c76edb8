"""A lever is held, searched and shown in its parameter's own unit (issue 20: `pigs.market_age_months`
was shown ×12, "in [63.6, 84] month" for a 5.3–7 month range, because solve and the sweep chart
treated the value as if it were in internal units, years)."""
from __future__ import annotations

import pytest

from agrosim import load_scenario
from agrosim.analysis.levers import lever
from agrosim.analysis.solve import Solution, solve
from agrosim.analysis.sweep import design_points, sweep
from agrosim.report.charts import feasibility_map
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


def test_sweep_table_and_feasibility_map_keep_months(pigs, tmp_path):
    """The sweep's lever column is in months, and the chart's axis shows months, not years × 12."""
    age, growth = lever(pigs, AGE), lever(pigs, "pigs.sow_herd_growth_per_yr")
    points = design_points([age, growth], "grid", [3, 2], 0, 1)
    table, _ = sweep(pigs, [age, growth], points, work_root=tmp_path)
    assert sorted(table[AGE].unique()) == pytest.approx([5.3, 6.15, 7.0])
    tid = pigs.targets[0].id
    fig = feasibility_map(table, AGE, growth.path, f"p_met:{tid}", "t", age.spec.unit, growth.spec.unit)
    # cells centred on 5.3, 6.15, 7 months, half a step (0.425) either side ("nearest" shading)
    assert fig.axes[0].get_xlim() == pytest.approx((4.875, 7.425))
    assert fig.axes[0].get_xlabel() == f"{AGE} [month]"
