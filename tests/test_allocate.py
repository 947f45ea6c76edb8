"""Budget allocation: a two-lever case with a known optimal split, constraints, CRN, marginal values."""
import numpy as np
import pandas as pd
import pytest
import yaml

from agrosim import load_scenario, simulate
from agrosim.analysis.allocate import (Allocation, BudgetProblem, budget_curve, feasible, marginal_values, optimise,
                                       saturation, score, simplex_grid, spend_arrays)
from agrosim.analysis.tradeoffs import allocation_tradeoffs
from agrosim.cli import main
from agrosim.errors import InputError
from conftest import small_grain

# HSF 100 → 400 亩 by 2023 needs 100 亩/yr at 1 万元/亩 = 100 万元/yr; land 1000 → 1150 亩 needs
# 50 亩/yr of reclamation at 2 万元/亩 = 100 万元/yr. A budget of 200 万元/yr meets both only at 50/50.
INVESTMENTS = {
    "hsf": {"param": "land_grain.hsf_build_mu_per_yr", "cost": "1 万元/亩", "group": "farmland"},
    "reclaim": {"param": "land_grain.reclamation_mu_per_yr", "cost": "2 万元/亩", "group": "land"},
}


def two_lever(write, **extra):
    data = small_grain(land_loss_mu_per_yr="0 亩", reclamation_mu_per_yr="0 亩", hsf_build_mu_per_yr="0 亩",
                       red_line_mu="0 亩")
    data["investments"] = INVESTMENTS
    data["targets"] = {
        "hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2023},
        "land": {"indicator": "cultivated_land", "kind": "at_least", "value": "1150 亩", "year": 2023}}
    data.update(extra)
    return load_scenario(write("two.yaml", data))


def problem(sc, per_year=2e6, **kw):
    return BudgetProblem(sc.investments, {2021: per_year, 2022: per_year, 2023: per_year},
                         kw.get("min_share", {}), kw.get("max_share", {}))


def test_known_optimal_split_is_recovered(write):
    sc = two_lever(write)
    best = optimise(sc, problem(sc), ["hsf", "land"], "expected-targets-met", runs=1, seed=0)
    np.testing.assert_allclose(best.shares, [0.5, 0.5])
    assert best.objective == 2 and best.p_met.tolist() == [1, 1]
    # with money for only one target, all of it goes to one lever and one target is met
    half = optimise(sc, problem(sc, per_year=1e6), ["hsf", "land"], "expected-targets-met", runs=1, seed=0)
    assert half.objective == 1 and sorted(half.shares.tolist()) == [0.0, 1.0]


def test_spend_becomes_the_driver_and_the_model_responds(write):
    sc = two_lever(write)
    rows = spend_arrays(sc, problem(sc), np.array([[0.5, 0.5]]))
    np.testing.assert_allclose(rows["land_grain.hsf_build_mu_per_yr"], [[100, 100, 100]])
    np.testing.assert_allclose(rows["land_grain.reclamation_mu_per_yr"], [[50, 50, 50]])
    res = simulate(sc, 1, rows)
    assert res.data["hsf_area"][0, -1] == 400 and res.data["cultivated_land"][0, -1] == 1150


def test_allocations_respect_budget_shares_and_caps(write):
    sc = two_lever(write)
    pr = problem(sc, min_share={"land": 0.7}, max_share={"hsf": 0.25})
    grid = simplex_grid(2, 0.05)
    ok = feasible(pr, grid)
    assert np.all(grid.sum(axis=1) <= 1 + 1e-12)
    assert np.all(grid[ok, 1] >= 0.7 - 1e-9) and np.all(grid[ok, 0] <= 0.25 + 1e-9)
    best = optimise(sc, pr, ["hsf", "land"], "expected-targets-met", runs=1, seed=0)
    assert best.shares[1] >= 0.7 - 1e-9 and best.shares[0] <= 0.25 + 1e-9 and best.shares.sum() <= 1 + 1e-9
    assert best.p_met.tolist() == [0, 1]
    with pytest.raises(ValueError, match="no split"):
        optimise(sc, problem(sc, min_share={"land": 0.8}, max_share={"reclaim": 0.5}), ["hsf"], "joint-probability", 1, 0)


def test_common_random_numbers_make_comparisons_deterministic(write):
    unc = {"land_grain.hsf_lapse_per_yr": {"dist": "uniform", "low": 0.0, "high": 0.1}}
    sc = two_lever(write, uncertainty=unc)
    shares = simplex_grid(2, 0.1)
    a = score(sc, problem(sc), shares, ["hsf", "land"], 200, 7, "joint-probability")
    b = score(sc, problem(sc), shares[::-1], ["hsf", "land"], 200, 7, "joint-probability")
    np.testing.assert_array_equal(a[0], b[0][::-1])  # a split's value does not depend on its neighbours
    assert 0 < a[1][6, 0] < 1  # lapse makes the HSF target uncertain near its threshold


def test_marginal_values_match_finite_differences(write):
    """5 % short of the money: at 50/50 neither target is met. 10 万元 more a year to either lever
    meets its target (105 亩 HSF or 52.5 亩 reclaimed a year), so each gains one target."""
    sc = two_lever(write)
    targets, kind = ["hsf", "land"], "expected-targets-met"
    pr = problem(sc, per_year=1.9e6)
    at = Allocation(np.array([0.5, 0.5]), float(score(sc, pr, np.array([[0.5, 0.5]]), targets, 1, 0, kind)[0][0]),
                    np.zeros(2))
    assert at.objective == 0
    table = marginal_values(sc, pr, at, targets, kind, 1, 0, delta_yuan=3e5)
    total = 5.7e6
    for j in range(2):
        shares = at.shares * total / (total + 3e5)
        shares[j] += 3e5 / (total + 3e5)
        manual = score(sc, problem(sc, per_year=(total + 3e5) / 3), shares[None, :], targets, 1, 0, kind)[0][0]
        assert table.loc[j, "objective_gain"] == pytest.approx(manual - at.objective)
        assert table.loc[j, "per_10k_yuan"] == pytest.approx((manual - at.objective) / 30)
    assert table.objective_gain.tolist() == [1.0, 1.0]


def test_budget_curve_saturates(write):
    sc = two_lever(write)
    curve = budget_curve(sc, problem(sc), ["hsf", "land"], "expected-targets-met", 1, 0, factors=(0.5, 1.0, 2.0))
    ends = curve[curve.budget_factor.isin([0.0, 0.5, 1.0, 2.0])]
    assert ends.objective.tolist() == [0, 1, 2, 2] and ends.saturated.tolist() == [False, False, True, True]
    # the start of saturation is narrowed between 0.5 and 1 by bisection to within 5 %: 0.75, 0.875, 0.9375, 0.96875
    middle = curve[(curve.budget_factor > 0.5) & (curve.budget_factor < 1.0)]
    assert middle.budget_factor.tolist() == [0.75, 0.875, 0.9375, 0.96875] and not middle.saturated.any()


def test_readme_allocate_example_says_where_the_budget_saturates(root):
    """README: 4.38 亿元 on Yangcheng's bee boxes and silkworm eggs. The bee target alone needs 2 万 boxes
    (400 万元 at 200 元 a box), so the objective can not saturate below 400 万元; it does well below the
    budget, and the curve brackets the start to 5 %. Placeholders held (the bee-type share has no range)."""
    sc = load_scenario(root / "scenarios" / "yangcheng_allocate_2023.yaml", {"fixed_assumptions": True})
    prob = BudgetProblem(sc.investments, {2023: 4.38e8}, {}, {})
    curve = budget_curve(sc, prob, [t.id for t in sc.targets], "expected-targets-met", 20, sc.seed)
    sat = saturation(curve, 4.38e8)
    assert sat["saturated"] and 4e6 <= sat["from_yuan"] <= 1.5e7
    assert sat["from_yuan"] - sat["above_yuan"] <= 0.05 * sat["from_yuan"]
    assert sat["objective"] > sat["objective_no_money"] + 1
    [record] = allocation_tradeoffs({"budget_curve": curve}, sc, 4.38e8)
    assert record.kind == "budget_saturated" and record.size == sat["from_yuan"]
    assert f"saturates from about {sat['from_yuan'] / 1e4:,.0f} 万元" in record.en


def test_cli_allocate_and_bad_investments(write, tmp_path, capsys):
    two_lever(write)
    path = tmp_path / "two.yaml"
    assert main(["allocate", str(path), "--budget", "600 万元", "--runs", "1", "--step", "0.1",
                 "--plan-shares", "hsf=0.3,reclaim=0.7", "--out", str(tmp_path / "r")]) == 0
    folder = tmp_path / "r" / "two" / "allocate"
    alloc = pd.read_csv(folder / "allocation" / "allocation.csv").set_index("lever")
    assert alloc.share.tolist() == [0.5, 0.5] and alloc.money_10k_yuan.sum() == pytest.approx(600)
    assert alloc.plan_share.tolist() == [0.3, 0.7] and alloc.even_share.tolist() == [0.5, 0.5]
    probs = pd.read_csv(folder / "allocation" / "probabilities.csv").set_index("target")
    assert probs.loc["objective", "recommended"] == 2 and probs.loc["objective", "plan"] == 1
    assert (folder / "charts" / "allocation.png").is_file()
    assert (folder / "allocation" / "cost_sensitivity.csv").is_file()
    assert (folder / "report.html").is_file() and (folder / "results.csv").is_file()
    capsys.readouterr()
    bad = small_grain()
    bad["investments"] = {"x": {"param": "land_grain.hsf_area_mu", "cost": "1 元/亩"},
                          "y": {"param": "land_grain.hsf_build_mu_per_yr", "cost": "1 元/吨"}}
    with pytest.raises(InputError) as exc:
        load_scenario(write("bad.yaml", bad))
    assert "investments.x" in str(exc.value) and "yearly driver" in str(exc.value)
    assert "investments.y" in str(exc.value) and "unit of money/mass" in str(exc.value)


def test_bundled_allocate_scenario_validates_and_runs(root, tmp_path, capsys):
    """Yangcheng: colonies must reach 5 万箱 from 3 万 boxes, so at 200 元 a box at least 2 万 boxes
    (400 万元, 80 % of 500 万元) must be bought; an even split (250 万元) cannot meet it."""
    path = root / "scenarios" / "yangcheng_allocate_2023.yaml"
    assert main(["validate", str(path)]) == 0
    sc = load_scenario(path)
    assert {i.name: (i.param, i.cost_yuan) for i in sc.investments} == {
        "bee_boxes": ("bees.capacity_added_places_per_yr", 200.0),
        "silkworm_eggs": ("silkworm.sheets_ordered_per_yr", 50.0)}
    assert all(i.assumption and i.source and i.note for i in sc.investments)  # no plan gives these costs
    # the hand check holds the placeholders (base colonies 3 万箱) at their values; drawn over their
    # ranges (2.5–5 万箱), the colony target becomes a probability below 1 either way
    held = tmp_path / "held.yaml"
    held.write_text(yaml.safe_dump({"extends": str(path), "name": "yangcheng_allocate_2023",
                                    "fixed_assumptions": True}), encoding="utf-8")
    assert main(["allocate", str(held), "--budget", "500 万元", "--runs", "20", "--step", "0.1",
                 "--out", str(tmp_path)]) == 0
    folder = tmp_path / "yangcheng_allocate_2023" / "allocate"
    alloc = pd.read_csv(folder / "allocation" / "allocation.csv").set_index("lever")
    assert alloc.share.sum() == pytest.approx(1) and alloc.money_10k_yuan.sum() == pytest.approx(500)
    assert alloc.loc["bee_boxes", "share"] >= 0.8 - 1e-9
    probs = pd.read_csv(folder / "allocation" / "probabilities.csv").set_index("target")
    assert probs.loc["bee_colonies_2023", "recommended"] == 1 and probs.loc["bee_colonies_2023", "even split"] == 0
    assert probs.loc["objective", "recommended"] >= probs.loc["objective", "even split"]
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="allocation"' in html and "200 yuan/box" in html and "50 yuan/sheet" in html
