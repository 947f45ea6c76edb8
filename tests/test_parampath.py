"""ParamPath: a parameter's address parsed once (issue 20), round-tripping through its text."""
import pytest
from hypothesis import given, strategies as st

from agrosim.parampath import ParamPath
from agrosim.registry import BY_NAME, param_paths, param_spec

#: one part of a path: any non-empty text without a dot (names, rows, even odd user input)
PART = st.text(st.characters(blacklist_characters=".", blacklist_categories=("Cs",)), min_size=1, max_size=12)
PATHS = st.one_of(st.builds(ParamPath, PART, PART), st.builds(ParamPath, PART, PART, PART, PART))


@given(PATHS)
def test_str_then_parse_is_the_identity(path):
    assert ParamPath.parse(str(path)) == path


@given(st.lists(PART, min_size=2, max_size=2) | st.lists(PART, min_size=4, max_size=4))
def test_parse_then_str_gives_the_text_back(parts):
    text = ".".join(parts)
    assert str(ParamPath.parse(text)) == text


@given(st.lists(st.text(max_size=4), min_size=1, max_size=6))
def test_any_other_text_is_refused_with_the_expected_form(parts):
    text = ".".join(parts)
    pieces = text.split(".")  # a drawn part may hold a '.' itself (['0.0'] is the path '0.0')
    if len(pieces) in (2, 4) and all(pieces):
        return  # a well-formed path: covered above
    with pytest.raises(ValueError, match="expected sector.param or sector.table.row.param"):
        ParamPath.parse(text)


def test_parts_of_a_plain_parameter_and_of_a_table_cell():
    plain = ParamPath.parse("pigs.market_age_months")
    assert (plain.sector, plain.name, plain.table, plain.row) == ("pigs", "market_age_months", None, None)
    assert plain.local == plain.spec_key == "market_age_months" and plain.keys == ("market_age_months",)
    cell = ParamPath.parse("land_grain.crops.maize.base_yield_kg_per_mu")
    assert (cell.sector, cell.table, cell.row, cell.name) == ("land_grain", "crops", "maize", "base_yield_kg_per_mu")
    assert cell.local == "crops.maize.base_yield_kg_per_mu"
    assert cell.spec_key == "crops.base_yield_kg_per_mu"
    assert cell.keys == ("crops", "maize", "base_yield_kg_per_mu")
    assert ParamPath.in_sector("land_grain", cell.local) == cell


@pytest.mark.parametrize("parts", [("pigs", ""), ("pigs", "a.b"), ("s", "n", "table", None)])
def test_malformed_parts_are_refused(parts):
    with pytest.raises(ValueError, match="expected non-empty names"):
        ParamPath(*parts)


def test_every_declared_parameter_path_parses_to_its_spec():
    """Every path a scenario can vary (`param_paths`) parses, and its spec key finds the same spec."""
    paths = param_paths(list(BY_NAME))
    assert len(paths) > 200 and "land_grain.crops.maize.base_yield_kg_per_mu" in paths
    for text, spec in paths.items():
        path = ParamPath.parse(text)
        assert str(path) == text
        assert BY_NAME[path.sector].param_specs()[path.spec_key] is spec is param_spec(text)
