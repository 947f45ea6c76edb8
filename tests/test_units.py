"""Unit conversion: the plans' units into internal units (mu, kg, head, yuan)."""
import math

import pytest
from hypothesis import given, strategies as st

from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.units import (BASE_UNITS, PREFIXES, UnitError, convert, from_internal, parse_quantity, parse_unit,
                           shown_param, to_internal, unit_en)

CASES = [
    ("1365 万吨", "kg", 1365e4 * 1000),
    ("4695 万亩", "mu", 4695e4),
    ("2484 万亩", "mu", 2484e4),
    ("303 kg/亩", "kg/mu", 303.0),
    ("1.5 亿元", "yuan", 1.5e8),
    ("3130.2 千公顷", "mu", 3130.2e3 * 15),
    ("2 t/ha", "kg/mu", 2000 / 15),
    ("600 斤/亩", "kg/mu", 300.0),
    ("135万公斤", "kg", 1.35e6),
    ("3万盒", "sheet", 3e4),
    ("50000 箱", "box", 5e4),
    ("1500 万头", "head", 1.5e7),
    ("2.5 亿只", "head", 2.5e8),
    ("1500 元/亩", "yuan/mu", 1500.0),
    ("164.4 万亩/年", "mu/yr", 164.4e4),
    ("0.5 %/yr", "1/yr", 0.005),
    ("１３６５万吨", "kg", 1365e7),
    ("1,365 万吨", "kg", 1365e7),
    ("1365．5 万吨", "kg", 1365.5e7),
]


@pytest.mark.parametrize("text,unit,expected", CASES)
def test_conversion_table(text, unit, expected):
    spec = ParamSpec("x", unit, "test")
    assert math.isclose(parse_scalar(text, spec), expected, rel_tol=1e-12)


def test_yearly_flow_may_omit_per_year():
    assert parse_scalar("164.4 万亩", ParamSpec("x", "mu/yr", "t")) == pytest.approx(1.644e6)


@pytest.mark.parametrize("text,unit,fragment", [
    ("1365 万顿", "kg", "unknown unit '万顿'"),
    ("1365 万吨", "mu", "unit of mass"),
    ("4695 万亩", "kg/mu", "unit of area"),
    ("abc", "kg", "not a number"),
])
def test_bad_units_refused(text, unit, fragment):
    with pytest.raises(ValueError) as exc:
        parse_scalar(text, ParamSpec("x", unit, "t"))
    assert fragment in str(exc.value)


def test_bare_number_only_for_dimensionless():
    assert parse_scalar(0.15, ParamSpec("x", "1", "t")) == 0.15
    with pytest.raises(ValueError, match="bare number"):
        parse_scalar(1662, ParamSpec("x", "mu", "t"))


def test_bounds_and_non_finite_refused():
    spec = ParamSpec("x", "mu", "t", lo=0)
    with pytest.raises(ValueError, match=r"expected a value in \[0"):
        parse_scalar("-5 万亩", spec)
    with pytest.raises(ValueError, match="not finite"):
        parse_scalar(float("nan"), ParamSpec("y", "1", "t"))


def test_unit_parsing_and_english_names():
    assert parse_unit("万吨").dimension == "mass"
    assert parse_unit("kg/亩").dimension == "mass/area"
    assert to_internal(1, "亿元") == 1e8
    assert parse_quantity("12 万亩")[0] == 12.0
    assert unit_en("万吨") == "10⁴ t" and unit_en("kg/亩") == "kg/mu"
    with pytest.raises(UnitError):
        parse_unit("kg/亩/年")


def test_convert_between_units_of_one_dimension():
    """Hand-computed: 6 months are half a year; 1 万吨 is 10 000 t; 303 kg/亩 is 4545 kg/ha; 5 万亩/年 is 50 000 mu/yr."""
    assert convert(6.0, "month", "yr") == pytest.approx(0.5)
    assert convert(1.0, "万吨", "t") == pytest.approx(1e4)
    assert convert(303.0, "kg/亩", "kg/ha") == pytest.approx(4545.0)
    assert convert(5.0, "万亩/年", "mu/yr") == pytest.approx(5e4)
    with pytest.raises(UnitError, match="can not convert 'month' .time. to 'kg' .mass."):
        convert(1.0, "month", "kg")


def test_a_parameter_is_shown_from_its_own_unit_not_from_internal():
    """A month parameter stays in months (the ×12 bug of issue 20); mu/yr shows as 万亩/年."""
    assert shown_param(6.0, "month") == (pytest.approx(6.0), "month")
    assert shown_param(606.6e4, "mu/yr") == (pytest.approx(606.6), "万亩/年")


def _side():
    base = st.sampled_from(sorted(u for u, (dim, _) in BASE_UNITS.items() if dim != "1"))
    return st.one_of(base, st.builds(lambda p, b: p + b, st.sampled_from(sorted(PREFIXES)), base))


@st.composite
def _units(draw) -> str:
    """Any unit the grammar accepts: a (prefixed) base unit, or one divided by a unit of another dimension."""
    top = draw(st.one_of(_side(), st.sampled_from(["%", "‰", "1"])))
    if not draw(st.booleans()):
        return top
    bottom = draw(_side().filter(lambda b: parse_unit(b).dimension != parse_unit(top).dimension))
    return f"{top}/{bottom}"


@given(_units(), st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_to_internal_and_back_is_the_identity(unit, value):
    """Any quantity converted to its internal unit and back (both ways: from_internal and convert) is itself."""
    assert from_internal(to_internal(value, unit), unit) == pytest.approx(value, rel=1e-12, abs=1e-300)
    internal = parse_unit(unit)
    via_base = convert(value, unit, unit_of_factor_one(internal.dimension))
    assert via_base == pytest.approx(to_internal(value, unit), rel=1e-12, abs=1e-300)
    assert convert(via_base, unit_of_factor_one(internal.dimension), unit) == pytest.approx(value, rel=1e-12,
                                                                                          abs=1e-300)


def unit_of_factor_one(dimension: str) -> str:
    """The internal unit of a dimension spelled as a unit string ("mass/area" -> "kg/亩")."""
    first = {dim: name for name, (dim, factor) in reversed(list(BASE_UNITS.items())) if factor == 1.0}
    return "/".join(first[d] for d in dimension.split("/"))
