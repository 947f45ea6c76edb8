"""Tables as first-class data: a declared table's cells reach the sector as one array per column
in the declared row order, a time-varying column carries each cell's yearly schedule to its
(row, year), an unknown row or column is refused at load with its file and key path, and
per-run values on one cell (uncertainty, sweeps) change that cell only. Both ways of writing a
cell are covered: nested (`table: {row: {param: …}}`) and prefixed (`<row>_<param>`, perennials)."""
from pathlib import Path

import numpy as np
import pytest

from agrosim import InputError, load_scenario, simulate
from agrosim.batch import Design
from agrosim.config.spec import ParamSpec as P
from agrosim.param_arrays import all_arrays, named_views, sector_arrays
from agrosim.registry import BY_NAME
from agrosim.sectors import SECTOR_BY_NAME, perennials
from agrosim.sectors.base import IndicatorSpec, Sector, TableSpec, yearly

ROOT = Path(__file__).resolve().parent.parent
ROWS = ("north", "south", "east")
COLUMNS = (P("area_mu", "mu", "Area of {row}.", default=1.0, lo=0),
           P("planted_mu_per_yr", "mu/yr", "Planting on {row}.", default=0.0, lo=0, time_varying=True))
HEAD = "region: {id: toy, en: Toy, zh: 玩具}\nbase_year: 2020\nend_year: 2024\n"


def _toy(prefixed: bool) -> Sector:
    """A sector whose step reports each plot's planting of the year: area + planted, by row."""
    table = TableSpec("plots", ROWS, COLUMNS, prefixed=prefixed, row_defaults={"south": {"area_mu": 7.0}})

    def report(s, f, p, t):
        planted = yearly(p, "plots.planted_mu_per_yr", t)  # (n, rows) in year t
        return {f"toy_{row}": p["plots.area_mu"][:, k] + planted[:, k] for k, row in enumerate(ROWS)}

    indicators = tuple(IndicatorSpec(f"toy_{row}", "mu", "亩", row, row) for row in ROWS)
    return Sector(name="toy", title_en="Toy", title_zh="玩具", params=(), tables=(table,), balances=(),
                  indicators=indicators, init=lambda p: ({}, {}), step=lambda s, p, t: ({}, {}), report=report)


@pytest.fixture(params=[False, True], ids=["nested", "prefixed"])
def toy(request, monkeypatch):
    sector = _toy(request.param)
    monkeypatch.setitem(BY_NAME, "toy", sector)  # what scenarios can name
    monkeypatch.setitem(SECTOR_BY_NAME, "toy", sector)  # what the engine steps
    return sector


def _section(sector: Sector, cells: dict) -> str:
    """The toy section of a scenario file, each cell {(row, param): text} in the table's own format."""
    table = sector.tables[0]
    if table.prefixed:
        return "toy:\n" + "".join(f"  {row}_{param}: {text}\n" for (row, param), text in cells.items())
    rows: dict = {}
    for (row, param), text in cells.items():
        rows.setdefault(row, []).append(f"{param}: {text}")
    return "toy:\n  plots:\n" + "".join(f"    {row}: {{{', '.join(v)}}}\n" for row, v in rows.items())


def _load(tmp_path, text: str, overrides=None):
    f = tmp_path / "toy.yaml"
    f.write_text(HEAD + text, encoding="utf-8")
    return load_scenario(f, overrides)


def test_cells_arrive_as_one_array_per_column_in_declared_row_order(toy, tmp_path):
    """Rows written east-first arrive in the declared order north, south, east: area (n, rows),
    planting (n, rows, years); a cell not written takes its row's default (south: 7)."""
    sc = _load(tmp_path, _section(toy, {("east", "area_mu"): "300 亩", ("north", "area_mu"): "100 亩",
                                        ("south", "planted_mu_per_yr"): "0 亩/年"}))
    arrays = sector_arrays(sc, toy, 4)
    assert arrays["plots.area_mu"].shape == (4, 3)
    assert arrays["plots.planted_mu_per_yr"].shape == (4, 3, 5)
    np.testing.assert_array_equal(arrays["plots.area_mu"], [[100.0, 7.0, 300.0]] * 4)
    assert set(arrays) == {"plots.area_mu", "plots.planted_mu_per_yr"}


def test_a_yearly_schedule_reaches_its_row_and_year(toy, tmp_path):
    """east planted 5 mu from 2022 and 0 again from 2024: only (east, 2022..2023) are 5; the step
    reads them in year t, and a sweep of north's planting per year lands in north's simulated years."""
    cells = {(row, "area_mu"): "0 亩" for row in ROWS}
    cells["east", "planted_mu_per_yr"] = "{2022: 5 亩/年, 2024: 0 亩/年}"
    sc = _load(tmp_path, _section(toy, cells))
    planted = sector_arrays(sc, toy, 2)["plots.planted_mu_per_yr"]
    want = np.zeros((3, 5))
    want[2, 2:4] = 5.0
    np.testing.assert_array_equal(planted, [want, want])
    result = simulate(sc, 1)
    np.testing.assert_array_equal(result.data["toy_east"][0], [0, 0, 5, 5, 0])
    np.testing.assert_array_equal(result.data["toy_north"][0], [0, 0, 0, 0, 0])
    key = toy.tables[0].cell_key("north", "planted_mu_per_yr")
    per_year = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]])
    swept = sector_arrays(sc, toy, 2, {key: per_year})["plots.planted_mu_per_yr"]
    np.testing.assert_array_equal(swept[:, 0, 1:], per_year)
    assert np.all(swept[:, 0, 0] == 0) and np.array_equal(swept[:, 1:], np.stack([want[1:]] * 2))


@pytest.mark.parametrize("cell", [("west", "area_mu"), ("north", "yield_kg")])
def test_an_unknown_row_or_column_is_refused_at_load(toy, tmp_path, cell):
    with pytest.raises(InputError) as caught:
        _load(tmp_path, _section(toy, {cell: "1"}))
    row, param = cell
    if toy.tables[0].prefixed:
        want = f"toy.{row}_{param}"
    else:
        want = "toy.plots.west" if row == "west" else f"toy.plots.{row}.{param}"
    (problem,) = caught.value.problems
    assert problem.file.endswith("toy.yaml") and problem.path == want
    assert f"toy.yaml: {want}: found unknown key" in str(caught.value)


def test_a_table_declaration_naming_an_unknown_row_or_column_is_refused():
    with pytest.raises(ValueError, match="row_fields names 'west'"):
        TableSpec("plots", ROWS, COLUMNS, row_fields={"west": {"area_mu": {"default": 1.0}}})
    with pytest.raises(ValueError, match="row_defaults names 'yield_kg'"):
        TableSpec("plots", ROWS, COLUMNS, row_defaults={"north": {"yield_kg": 1.0}})


def test_a_prefixed_cell_named_like_a_parameter_is_refused():
    with pytest.raises(ValueError, match="declares north_area_mu twice"):
        Sector(name="toy", title_en="Toy", title_zh="玩具", params=(P("north_area_mu", "mu", "clash"),),
               tables=(TableSpec("plots", ROWS, COLUMNS, prefixed=True),), balances=(), indicators=(),
               init=None, step=None, report=None)


def test_uncertainty_on_one_cell_draws_only_that_cell(toy, tmp_path):
    key = toy.tables[0].cell_key("east", "area_mu")
    text = _section(toy, {(row, "area_mu"): "2 亩" for row in ROWS})
    sc = _load(tmp_path, text + f"uncertainty:\n  toy.{key}: {{dist: uniform, low: 1 亩, high: 3 亩}}\n")
    draws = Design(runs=200, seed=4).per_run(sc, 0, 200)
    area = all_arrays(sc, 200, draws)["toy"]["plots.area_mu"]
    assert np.ptp(area[:, 2]) > 1.5 and np.all((area[:, 2] >= 1) & (area[:, 2] <= 3))
    np.testing.assert_array_equal(area[:, :2], 2.0)


def test_an_override_sets_one_cell(toy, tmp_path):
    """`--set toy.<cell>=…` (an override by dotted key path) changes that cell and no other."""
    table = toy.tables[0]
    path = "toy." + (table.cell_key("south", "area_mu") if table.prefixed else "plots.south.area_mu")
    sc = _load(tmp_path, _section(toy, {("north", "area_mu"): "1 亩", ("south", "area_mu"): "2 亩"}),
               {path: "9 亩"})
    east = 1.0 if table.prefixed else 0.0  # a nested row left out takes no part; a prefixed cell its default
    np.testing.assert_array_equal(sector_arrays(sc, toy, 1)["plots.area_mu"], [[1.0, 9.0, east]])


# --- perennials: its crop groups are one prefixed table ---------------------------------------------

def test_perennials_cells_by_their_names_in_the_files():
    """Zuoquan's walnut and other-herb figures arrive in their group's place of each column; over
    300 runs exactly the cells the scenario draws (its uncertainty and assumed figures) vary, each
    within its range, every other cell keeps its value; `named_views` finds each cell by its file name."""
    sc = load_scenario(ROOT / "scenarios" / "zuoquan_plan_2025.yaml")
    groups = list(perennials.GROUPS)
    walnut, other = groups.index("walnut"), groups.index("other_herbs")
    central = sector_arrays(sc, perennials.SECTOR, 1)
    assert central["groups.area_mu"][0, walnut] == pytest.approx(37e4)
    assert central["groups.area_mu"][0, other] == pytest.approx(20e4)
    p = all_arrays(sc, 300, Design(runs=300, seed=2).per_run(sc, 0, 300))["perennials"]
    assert p["groups.area_mu"].shape == (300, len(groups))
    assert p["groups.planted_mu_per_yr"].shape == (300, len(groups), len(sc.years))
    drawn = {d.param.split(".", 1)[1]: d for d in sc.uncertainty if d.param.startswith("perennials.")}
    assert "walnut_plateau_yield_kg_per_mu" in drawn
    named, fixed = named_views(perennials.SECTOR, p), named_views(perennials.SECTOR, central)
    for key in perennials.GROUP_TABLE.cells():
        varies = np.ptp(named[key], axis=0).max() > 0
        assert varies == (key in drawn), key
        if not varies:
            np.testing.assert_array_equal(named[key], np.broadcast_to(fixed[key], named[key].shape))
    yields = named["walnut_plateau_yield_kg_per_mu"]
    np.testing.assert_array_equal(yields, p["groups.plateau_yield_kg_per_mu"][:, walnut])
    assert np.ptp(yields) > 50 and np.all((yields >= 20) & (yields <= 150))
    assert "groups.area_mu" not in named and "wild_tended_mu" in named


def test_perennials_override_of_a_cell_changes_that_group_only():
    path = ROOT / "scenarios" / "zuoquan_perennials_2025.yaml"
    base, changed = load_scenario(path), load_scenario(path, {"perennials.fruit_area_mu": "2 万亩"})
    a, b = (sector_arrays(s, perennials.SECTOR, 1)["groups.area_mu"][0] for s in (base, changed))
    fruit = list(perennials.GROUPS).index("fruit")
    assert b[fruit] == pytest.approx(2e4) and a[fruit] == 0
    np.testing.assert_array_equal(np.delete(a, fruit), np.delete(b, fruit))
