"""Base year anchored to stated figures: closure of every bundled region, the meaning of each base
figure, contradictions refused under --strict, the dairy derivation from milk, and Shanxi's
published 2020 figures (China Daily Shanxi edition, 27 January 2021)."""
import pytest

from agrosim import load_scenario, simulate
from agrosim.baseyear import CLOSURE_RTOL, closure, counts, stated_figures
from agrosim.cli import main
from agrosim.paths import bundled_params_dir, bundled_scenarios_dir
from agrosim.registry import BY_NAME
from agrosim.units import parse_unit

REGIONS = sorted(bundled_params_dir().glob("*.yaml"))
HEAD = {"region": {"id": "testland", "en": "Test county", "zh": "测试县"}, "base_year": 2020, "end_year": 2022}
COWS_AT_35_WAN_HERD = 194949.0  # stationary cows of a 35 万头 herd at the dairy defaults (19.49 万头)


@pytest.mark.parametrize("path", REGIONS, ids=lambda p: p.stem)
def test_every_bundled_region_reproduces_its_base_figures(path):
    """Each figure the file states is the model's base-year value of its indicator, within 0.5 %, or
    within the wider tolerance a base_figures entry declares with its reason in a note."""
    sc = load_scenario(path)
    rows = closure(sc)
    assert rows, f"{path.name} states no base figure"
    raw = sc.resolved.get("base_figures") or {}
    for c in rows:
        f = c.figure
        assert c.model == c.model, f"{f.key}: indicator {f.indicator} not recorded"
        if f.tolerance > CLOSURE_RTOL:
            entry = raw[f.key.split(".", 1)[1]]
            assert f.key.startswith("base_figures.") and "tolerance" in entry and len(entry.get("note", "")) > 80
        assert abs(c.gap) <= f.tolerance, f"{path.name} {f.key}: stated {f.value:g}, model {c.model:g} ({c.gap:+.2%})"


SCENARIOS = sorted(bundled_scenarios_dir().glob("*.yaml"))


@pytest.mark.parametrize("path", REGIONS + SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_bundled_files_pass_strict_validation(path, capsys):
    assert main(["validate", "--strict", str(path)]) == 0
    assert "base-year contradiction" not in capsys.readouterr().err


_FLOW_WORDS = ("slaughter", "output")


def _kind(name: str) -> str:
    return next((w for w in _FLOW_WORDS if w in name), "stock or area")


def _counts_a_flow(ind) -> bool:
    """The indicator counts what happens in the year: a slaughter, an output, or a yield per head
    (the year's milk per cow: kg/head, stated as a rate kg/head/yr)."""
    return _kind(ind.name) in _FLOW_WORDS or parse_unit(ind.unit).dimension.endswith("/head")


def test_every_base_figure_maps_to_an_indicator_of_the_same_meaning():
    """A base parameter names an indicator of its own sector with the same dimension, and counts the
    same thing: a slaughter, output or yield per head in the year (a per-year parameter) maps to the
    slaughter, output or yield indicator (the year's amount), a stock or an area (no /yr) to a stock
    or area indicator."""
    declared = yields = 0
    for sector in BY_NAME.values():
        indicators = {i.name: i for i in sector.indicators}
        for spec in sector.param_specs().values():
            if spec.base_of is None:
                continue
            declared += 1
            ind = indicators.get(spec.base_of)
            assert ind is not None, f"{sector.name}.{spec.name} -> {spec.base_of}, not an indicator of {sector.name}"
            dim = parse_unit(spec.unit).dimension
            per_year = dim.endswith("/time") and parse_unit(ind.unit).dimension + "/time" == dim
            assert per_year or dim == parse_unit(ind.unit).dimension, (spec.name, spec.unit, ind.unit)
            assert _kind(spec.name) == _kind(ind.name), (spec.name, ind.name)
            assert per_year == _counts_a_flow(ind), (spec.name, spec.unit, ind.name)
            yields += _kind(ind.name) not in _FLOW_WORDS and per_year
    assert declared >= 20 and yields == 1  # dairy.milk_kg_per_cow_per_yr, in kg/head/yr


def test_base_figures_of_bundled_files_map_to_indicators_of_the_same_meaning():
    for path in REGIONS:
        for f in stated_figures(load_scenario(path)):
            assert f.indicator in {i.name for i in BY_NAME[f.sector].indicators}
            assert _kind(f.key.split(".")[-1]) == _kind(f.indicator) or f.key.startswith("base_figures.")


def test_shanxi_2020_milk_and_pig_slaughter_are_the_published_figures():
    """China Daily Shanxi edition, 27 Jan 2021: milk 117 万吨, pigs slaughtered 798 万头, grain 1424
    万吨 at 303.4 kg/亩; the model's 2020 (a full engine run) reproduces them."""
    res = simulate(load_scenario(bundled_params_dir() / "shanxi.yaml"))
    assert res.data["milk_output"][0, 0] == pytest.approx(117e7, rel=1e-9)
    assert res.data["pigs_slaughtered"][0, 0] == pytest.approx(798e4, rel=1e-9)
    assert res.data["grain_output"][0, 0] == pytest.approx(1424e7, rel=CLOSURE_RTOL)
    assert res.data["grain_yield"][0, 0] == pytest.approx(303.4, rel=CLOSURE_RTOL)
    # milk wins over the default yield: 117 万吨 from the 35 万头 herd's cows is 6.0 t a cow, not 8.3 t
    assert res.data["milk_kg_per_cow"][0, 0] == pytest.approx(117e7 / COWS_AT_35_WAN_HERD, rel=1e-5)
    assert res.data["dairy_herd"][0, 0] == pytest.approx(35e4)


def test_shanxi_counts_of_sourced_and_assumed_base_figures(capsys):
    # sourced: grain area, HSF, vegetables, milk, pig slaughter, grain output, grain yield, pig stock;
    # assumed: cultivated land, dairy herd, beef slaughter, egg output, broiler slaughter
    assert counts(load_scenario(bundled_params_dir() / "shanxi.yaml")) == (8, 5)
    assert main(["regions"]) == 0
    assert "Shanxi province 山西省, 13 targets, base figures 8 sourced / 5 assumed" in capsys.readouterr().out


def _dairy(**section):
    return {**HEAD, "dairy": section}


def test_milk_alone_derives_the_cows_from_the_yield(write):
    sc = load_scenario(write("d.yaml", _dairy(base_milk_output_kg_per_yr="117 万吨")))
    res = simulate(sc)
    assert res.data["dairy_cows"][0, 0] == pytest.approx(117e7 / 8300)  # default yield 8300 kg a cow
    assert res.data["milk_output"][0, 0] == pytest.approx(117e7)
    assert all(c.closes for c in closure(sc))


def test_herd_milk_and_yield_that_disagree_by_30_percent_are_refused_under_strict(write, capsys):
    """Herd 35 万头 gives 19.49 万 cows; 113.3 万吨 of milk from them is 5812 kg a cow, 30 % below the
    8300 kg stated: refused with both figures and their sources, and the tolerance."""
    path = write("dairy.yaml", _dairy(
        base_herd_head={"value": "35 万头", "source": {"published": "Test yearbook, herd table"}},
        base_milk_output_kg_per_yr={"value": "113.3 万吨", "source": {"published": "Test bulletin, milk"}},
        milk_kg_per_cow_per_yr={"value": "8300 kg/头", "source": {"published": "Test survey of yields"}}))
    assert main(["validate", "--strict", str(path)]) == 2
    err = capsys.readouterr().err
    assert "dairy.milk_kg_per_cow_per_yr" in err and "8,300 kg/头" in err and "5,811.76 kg/头" in err
    assert "Test survey of yields" in err and "Test bulletin, milk" in err and "Test yearbook, herd table" in err
    assert "113.3 万吨" in err and "35 万头" in err and "-30.0%" in err and "within 0.5%" in err
    assert "Traceback" not in err
    assert main(["run", "--strict", str(path), "--out", str(path.parent / "reports")]) == 2
    assert not (path.parent / "reports").exists()
    # without --strict: a warning, and the run goes on
    assert main(["validate", str(path)]) == 0
    assert "warning: base-year contradiction" in capsys.readouterr().err


def test_consistent_over_determined_dairy_figures_are_accepted(write, capsys):
    yield_kg = 117e7 / COWS_AT_35_WAN_HERD  # 6001.6 kg: herd, milk and yield agree within rounding
    path = write("dairy.yaml", _dairy(base_herd_head="35 万头", base_milk_output_kg_per_yr="117 万吨",
                                      milk_kg_per_cow_per_yr=f"{yield_kg:.0f} kg/头"))
    assert main(["validate", "--strict", str(path)]) == 0
    assert "3 of 3 stated base figures reproduced" in capsys.readouterr().out


def test_validate_shows_derived_structure_and_placeholders(capsys):
    assert main(["validate", str(bundled_params_dir() / "shanxi.yaml")]) == 0
    out = capsys.readouterr().out
    pigs = next(line for line in out.splitlines() if line.strip().startswith("pigs: from pigs_slaughtered 798 万头"))
    assert "pig_stock 485 万头 (stated 560 万头)" in pigs and "breeding_sows" in pigs
    assert "litters_per_sow_per_yr 2.1 1/yr (default)" in pigs and "litter_size_head 10.5 head (default)" in pigs
    assert "base figures still assumptions (5):" in out
    assert "dairy.base_herd_head = 35 万头 range 25 万头–50 万头: drives the dairy base year and targets " \
           "dairy_herd_2025, milk_output_2025" in out
    assert "pigs.base_slaughter_head_per_yr" not in out.split("still assumptions")[1]


def test_bad_base_figures_entries_are_refused_with_their_key_path(write, capsys):
    path = write("bad.yaml", {**HEAD, "dairy": {"base_herd_head": "1 万头"},
                              "base_figures": {"milk_outptu": "5 万吨", "dairy_cows": {"value": "1 万头", "tolerance": 2}}})
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "base_figures.milk_outptu: found unknown indicator 'milk_outptu'" in err
    assert "base_figures.dairy_cows" in err and "tolerance" in err


def test_a_draw_on_a_derived_yield_is_flagged_as_inert(write, capsys):
    """Where milk and the herd are stated the yield per cow is derived, so drawing it changes nothing;
    where only the herd is stated the same draw moves milk and is not flagged."""
    uncertain = {"uncertainty": {"dairy.milk_kg_per_cow_per_yr": {"dist": "uniform", "low": "5000 kg/头",
                                                                  "high": "9000 kg/头"}}}
    both = write("both.yaml", {**_dairy(base_herd_head="35 万头", base_milk_output_kg_per_yr="117 万吨"), **uncertain})
    assert main(["validate", str(both)]) == 0
    assert "uncertainty on dairy.milk_kg_per_cow_per_yr has no effect" in capsys.readouterr().err
    herd = write("herd.yaml", {**_dairy(base_herd_head="35 万头"), **uncertain})
    assert main(["validate", str(herd)]) == 0
    assert "no effect" not in capsys.readouterr().err
