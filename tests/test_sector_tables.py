"""Silkworm's seasons, feed's rations and value's prices are tables (issue 20): each declares a
`TableSpec`, no prefixed parameters of its own, files keep writing the same keys in the same order,
the step reads one array per column, and the outputs equal what the per-name formulas give, to the
bit, on every bundled scenario (central run and Monte Carlo draws)."""
from pathlib import Path

import numpy as np
import pytest

from agrosim import InputError, load_scenario, simulate
from agrosim.batch import Design
from agrosim.config.declarations import TableSpec, section_params
from agrosim.config.spec import ParamSpec as P, parse_scalar
from agrosim.links import feed, value
from agrosim.links.base import Link
from agrosim.param_arrays import all_arrays, named_views
from agrosim.registry import param_spec
from agrosim.sectors import dairy, silkworm
from agrosim.units import convert, display_unit

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
TABLES = [(silkworm.SECTOR, (silkworm.SEASON_TABLE,)), (feed.LINK, feed.TABLES), (value.LINK, (value.PRICE_TABLE,))]


@pytest.mark.parametrize("owner, tables", TABLES, ids=lambda o: getattr(o, "name", ""))
def test_a_table_replaces_the_prefixed_parameters(owner, tables):
    """The tables are declared, and no parameter of the sector or link is a cell written out by hand
    (`<row>_…` for a row of its tables)."""
    assert owner.tables == tables
    rows = {row for table in owner.tables for row in table.keys}
    assert [p.name for p in owner.params if any(p.name.startswith(f"{row}_") for row in rows)] == []
    cells = {key for table in owner.tables for key in table.cells()}
    assert cells <= {p.name for p in section_params(owner)}


def test_silkworm_keys_keep_their_place_in_the_section():
    """The seasons' cells come right after the boxes ordered, column by column: the order in which
    files, the reference page and the report's assumptions rows have always listed them."""
    names = [p.name for p in section_params(silkworm.SECTOR)]
    shares = names[names.index("sheets_ordered_per_yr") + 1:names.index("rearing_households")]
    assert shares == ["spring_sheet_share", "summer_sheet_share", "autumn_sheet_share",
                      "spring_leaf_share", "summer_leaf_share", "autumn_leaf_share"]
    assert names[:7] == ["mulberry_area_mu", "mulberry_planted_mu_per_yr", "mulberry_removal_per_yr",
                         "establishment_yr", "leaf_kg_per_mu", "leaf_kg_per_sheet", "sheets_ordered_per_yr"]
    spec = param_spec("silkworm.summer_leaf_share")
    assert (spec.default, spec.plausible, spec.zh) == (0.25, (0.1, 0.6), "夏季桑叶占比")
    assert spec.description == "Share of the year's leaf available for the summer rearing."


def test_value_and_feed_cells_keep_their_labels_defaults_and_units():
    pork = param_spec("value.pork_price_yuan_per_kg")
    assert (pork.default, pork.plausible, pork.unit, pork.time_varying) == (45.0, (25.0, 60.0), "yuan/kg", True)
    assert (pork.description, pork.zh) == ("Farm-gate price of pork (carcass).", "猪肉价格")
    names = [p.name for p in section_params(value.LINK)]
    assert names[:2] == ["grain_price_yuan_per_kg", "pork_price_yuan_per_kg"] and names[-1] == "price_level"
    dairy_feed = param_spec("feed.dairy_roughage_dm_kg_per_head_yr")
    assert (dairy_feed.default, dairy_feed.unit, dairy_feed.zh) == (3300.0, "kg/head/yr", "奶牛粗饲料用量(干物质)")
    assert dairy_feed.description == "Roughage dry matter per head in stock per year (dairy_herd)."
    pigs_feed = param_spec("feed.pigs_concentrate_kg_per_head")
    assert (pigs_feed.default, pigs_feed.unit, pigs_feed.plausible) == (300.0, "kg/head", (250.0, 380.0))


def test_a_table_placed_after_an_unknown_parameter_is_refused():
    table = TableSpec("t", ("a", "b"), (P("x", "1", "x of {row}", default=0.0),), prefixed=True, after="nope")
    with pytest.raises(ValueError, match="table 't' placed after 'nope'"):
        Link(name="toy", title_en="Toy", title_zh="玩具", couple=lambda x: ({}, {}), indicators=(),
             params=(P("y", "1", "y", default=0.0),), tables=(table,))


def test_silkworm_seasons_as_written_reach_the_rearing(write):
    """Hand case: 1000 boxes ordered, shares 0.2 / 0.3 / 0.5 written in the file, leaf and households
    ample: 200, 300 and 500 boxes reared, 1000 × 45 kg of cocoons; the step sees (n, 3) columns."""
    section = {"mulberry_area_mu": "10000 亩", "rearing_households": "10000 户", "sheets_ordered_per_yr": "1000 张/年",
               "spring_sheet_share": 0.2, "summer_sheet_share": 0.3, "autumn_sheet_share": 0.5}
    sc = load_scenario(write("silk.yaml", {"region": {"id": "t", "en": "T", "zh": "测"}, "base_year": 2020,
                                           "end_year": 2021, "silkworm": section}))
    p = all_arrays(sc, 2)["silkworm"]
    np.testing.assert_array_equal(p["seasons.sheet_share"], [[0.2, 0.3, 0.5]] * 2)
    np.testing.assert_array_equal(p["seasons.leaf_share"], [[0.35, 0.25, 0.4]] * 2)
    assert named_views(silkworm.SECTOR, p)["summer_sheet_share"].tolist() == [0.3, 0.3]
    d = simulate(sc).data
    assert [d[f"silkworm_sheets_reared_{s}"][0, 1] for s in silkworm.SEASONS] == pytest.approx([200, 300, 500])
    assert d["cocoon_output"][0, 1] == pytest.approx(45_000)


def test_silkworm_shares_not_summing_to_one_name_the_first_key(write):
    section = {"mulberry_area_mu": "100 亩", "rearing_households": "10 户", "sheets_ordered_per_yr": "10 张/年",
               "summer_leaf_share": 0.5}
    with pytest.raises(InputError, match="silkworm.spring_leaf_share: found leaf shares of the seasons summing to 1.25"):
        load_scenario(write("silk.yaml", {"region": {"id": "t", "en": "T", "zh": "测"}, "base_year": 2020,
                                          "end_year": 2021, "silkworm": section}))


def _check_value(d, p) -> None:
    """Output value = Σ quantity × the product's price cell (read by its file name) × price level."""
    named, level = named_views(value.LINK, p), p["price_level"][:, None]
    for name, (inds, *_rest) in value.PRODUCTS.items():
        qty = sum(d[i] if i in d else np.zeros_like(d["output_value"]) for i in inds)
        np.testing.assert_array_equal(d[f"output_value_{name}"], qty * named[f"{name}_price_yuan_per_kg"] * level,
                                      err_msg=name)


def _check_feed(d, p, sectors) -> None:
    """Feed-grain demand = Σ over the herds present, in the declared herd order, driver × ration cell
    (read by its file name) × grain share (no bundled scenario caps imports, so drivers are as fed)."""
    named, share = named_views(feed.LINK, p), p["concentrate_grain_share"][:, None]
    grain = sum((d[row[0]] * named[f"{h}_concentrate_kg_per_head{'_yr' if row[1] == 'kept' else ''}"][:, None] * share
                 for h, row in feed.CONSUMERS.items() if h in sectors), np.zeros_like(d["feed_grain_demand"]))
    np.testing.assert_array_equal(d["feed_grain_demand"], grain)


def _check_silkworm(d, p) -> None:
    """Boxes reared in each season = min(ordered × sheet share, leaf limit, household limit), the
    shares read by their file names, as the model computed them before the seasons were a table."""
    named = named_views(silkworm.SECTOR, p)
    households = d["rearing_households"] * p["sheets_per_household"][:, None]
    for s in silkworm.SEASONS:
        ordered = p["sheets_ordered_per_yr"] * named[f"{s}_sheet_share"][:, None]
        leaf_limit = d["mulberry_leaf"] * named[f"{s}_leaf_share"][:, None] / p["leaf_kg_per_sheet"][:, None]
        np.testing.assert_array_equal(d[f"silkworm_sheets_reared_{s}"],
                                      np.minimum(ordered, np.minimum(leaf_limit, households)), err_msg=s)


def test_table_driven_outputs_equal_the_per_name_formulas_to_the_bit():
    """On every bundled scenario that runs value, feed or silkworm, its central run and a 40-run Monte
    Carlo (cells drawn per run): the table-driven step gives exactly what the per-name formulas give."""
    seen = {"value": 0, "feed": 0, "silkworm": 0}
    for path in SCENARIOS:
        sc = load_scenario(path)
        if not set(seen) & set(sc.sectors):
            continue
        draws = Design(runs=40, seed=3).per_run(sc, 0, 40)
        for n, per_run in ((1, None), (40, draws)):
            d, arrays = simulate(sc, n, per_run).data, all_arrays(sc, n, per_run)
            for name in set(seen) & set(sc.sectors):
                if name == "feed":
                    assert np.all(d["feed_fed_share"] == 1.0), path.name
                    _check_feed(d, arrays[name], sc.sectors)
                else:
                    (_check_value if name == "value" else _check_silkworm)(d, arrays[name])
                seen[name] += 1
    assert seen["value"] >= 8 and seen["feed"] >= 8 and seen["silkworm"] >= 6, seen


@pytest.mark.parametrize("key", ["dairy.milk_kg_per_cow_per_yr", "feed.dairy_concentrate_kg_per_head_yr",
                                 "feed.sheep_roughage_dm_kg_per_head_yr"])
def test_per_head_yearly_rates_in_their_compound_unit(key):
    """kg/head/yr: the yearly forms and the amount without '/年' read alike (files written before keep
    their meaning), a month rate is ×12, another dimension is refused; shown in the plans' unit and
    back is the identity."""
    spec = param_spec(key)
    assert spec.unit == "kg/head/yr"
    for text in ("7625 kg/头/年", "7625 kg/头", "7.625 吨/头/年", "7625 公斤/年/头", "7625 kg/head/yr"):
        assert parse_scalar(text, spec) == pytest.approx(7625, rel=1e-15), text
    assert parse_scalar("20 kg/头/月", spec) == pytest.approx(240)
    with pytest.raises(ValueError, match="unit of mass/area"):
        parse_scalar("7625 kg/亩", spec)
    shown = display_unit(spec.unit)
    for v in (0.0, 42.0, 7625.0, 3300.5):
        assert convert(convert(v, spec.unit, shown), shown, spec.unit) == v
        assert convert(convert(v, spec.unit, "吨/头/年"), "吨/头/年", spec.unit) == pytest.approx(v, rel=1e-15)


def test_dairy_yield_unit_and_its_indicator():
    """The yield is stated as a yearly rate; its indicator counts the year's milk per cow (kg/head),
    as milk output counts the year's milk (kg) against its kg/yr base figure."""
    assert param_spec("dairy.milk_kg_per_cow_per_yr").base_of == "milk_kg_per_cow"
    ind = next(i for i in dairy.SECTOR.indicators if i.name == "milk_kg_per_cow")
    assert (ind.unit, ind.display_unit) == ("kg/head", "kg/头")


def test_an_override_of_a_feed_cell_changes_that_herd_only():
    """`--set feed.dairy_concentrate_kg_per_head_yr=…` reaches the dairy row of the `kept` column; the
    other herds keep their defaults (42, 800, 60 kg/head/yr)."""
    path = ROOT / "scenarios" / "shanxi_feed_2025.yaml"
    sc = load_scenario(path, {"feed.dairy_concentrate_kg_per_head_yr": "2.5 吨/头/年"})
    kept = all_arrays(sc, 1)["feed"]["kept.concentrate_kg_per_head_yr"]
    assert feed.TABLES[1].keys == ("layers", "dairy", "beef", "sheep")
    np.testing.assert_array_equal(kept, [[42.0, 2500.0, 800.0, 60.0]])
