"""Unit conversion: the plans' units into internal units (mu, kg, head, yuan)."""
import math

import pytest
from hypothesis import given, strategies as st

from agrosim.config.spec import ParamSpec, parse_scalar
import numpy as np

from agrosim.units import (BASE_UNITS, PREFIXES, Quantity, UnitError, convert, from_internal, parse_quantity,
                           parse_unit, shown_param, to_internal, unit_en)

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
    assert unit_en("元/头/年") == "yuan/head/yr" and unit_en("万头·月") == "10⁴ head·month"


def test_compound_units_each_slash_divides_the_group_after_it():
    """kg/head/yr = kg·head⁻¹·yr⁻¹; the order of factors and the spelling of each do not change the dimension."""
    for text in ("kg/head/yr", "公斤/年/头", "kg/head·yr", "kg/head*yr", "千克/只/a"):
        assert parse_unit(text).dimension == "mass/head/time", text
        assert parse_unit(text).factor == 1.0
    assert parse_unit("万头/年").dimension == "head/time" and parse_unit("万头/年").factor == 1e4
    assert parse_unit("元/亩").dimension == "money/area"
    assert parse_unit("head·yr").dimension == "head·time"
    assert parse_unit("亩/年/年").dimension == "area/time^2"
    assert parse_unit("%/yr").dimension == "1/time" and parse_unit("%/yr").factor == pytest.approx(0.01)


def test_compound_conversions_by_hand():
    """1 公斤/亩 = 15 kg/ha = 0.015 t/ha; 1 万头/年 = 10 000 head/yr; 12 元/头/月 = 144 yuan/head/yr;
    1 t/head/yr = 1000 kg/head/yr; 3 斤/只/月 = 18 kg/head/yr (1 斤 = 0.5 kg)."""
    assert convert(1.0, "公斤/亩", "kg/ha") == pytest.approx(15.0, rel=1e-12)
    assert convert(1.0, "公斤/亩", "t/ha") == pytest.approx(0.015, rel=1e-12)
    assert convert(1.0, "万头/年", "head/yr") == pytest.approx(1e4, rel=1e-12)
    assert convert(12.0, "元/头/月", "yuan/head/yr") == pytest.approx(144.0, rel=1e-12)
    assert convert(1.0, "t/head/yr", "kg/头/年") == pytest.approx(1000.0, rel=1e-12)
    assert convert(3.0, "斤/只/月", "kg/head/yr") == pytest.approx(18.0, rel=1e-12)
    assert to_internal(2.0, "t/ha") == pytest.approx(2000 / 15, rel=1e-12)


def test_quantity_type_carries_its_unit():
    q = Quantity.parse("303 kg/亩")
    assert q.value == 303.0 and q.unit.dimension == "mass/area"
    assert q.to("kg/ha").value == pytest.approx(4545.0, rel=1e-12) and q.to("kg/ha").unit.text == "kg/ha"
    assert q.internal == 303.0
    arr = Quantity.of(np.array([1.0, 2.0]), "万头/年").to("head/yr")
    assert np.allclose(arr.value, [1e4, 2e4], rtol=1e-12)
    with pytest.raises(UnitError, match=r"can not convert 'kg/亩' \(mass/area\) to 'kg/head/yr' \(mass/head/time\)"):
        q.to("kg/head/yr")


@pytest.mark.parametrize("text, fragment", [
    ("亩/亩", "divides by its own dimension (area)"), ("kg/头/kg", "divides by its own dimension (mass)"),
    ("亩/1", "divides by a plain number"), ("亩/%", "divides by a plain number"),
    ("kg//yr", "empty factor"), ("kg/", "empty factor"), ("kg·", "empty factor"),
    ("/亩", "nothing before '/'"), ("kg/头/年年", "unknown unit '年年'"),
])
def test_bad_compound_units_refused(text, fragment):
    with pytest.raises(UnitError) as exc:
        parse_unit(text)
    assert fragment in str(exc.value)


def test_area_per_year_squared_is_read_but_fits_no_parameter():
    """亩/年/年 is a unit (area/time²), but no parameter takes one: refused by dimension, naming both."""
    with pytest.raises(ValueError, match=r"unit of area/time\^2\); expected a quantity of area/time"):
        parse_scalar("800 亩/年/年", ParamSpec("x", "mu/yr", "t"))
    with pytest.raises(UnitError, match="can not convert"):
        convert(1.0, "亩/年/年", "mu")


def test_yearly_amount_may_omit_per_year_only_when_asked():
    """A mu/yr parameter may be written "5 万亩" (a yearly amount); convert refuses that unless told."""
    assert convert(5.0, "万亩", "mu/yr", amount_per_year=True) == pytest.approx(5e4)
    assert convert(1.0, "kg/head", "kg/head/yr", amount_per_year=True) == 1.0
    with pytest.raises(UnitError):
        convert(5.0, "万亩", "mu/yr")
    with pytest.raises(UnitError):
        convert(5.0, "万亩/年", "mu", amount_per_year=True)


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


_DIMS = sorted({dim for dim, _ in BASE_UNITS.values() if dim != "1"})


@st.composite
def _factor(draw, dim: str) -> str:
    """A spelling of one factor of base dimension `dim`: any base unit of it, maybe with a magnitude prefix."""
    base = draw(st.sampled_from(sorted(u for u, (d, _) in BASE_UNITS.items() if d == dim)))
    return draw(st.sampled_from(["", *sorted(PREFIXES)])) + base


@st.composite
def _structures(draw) -> tuple[list[str], list[str]]:
    """A compound dimension: up to two base dimensions on top, up to two others below (not on top)."""
    top = draw(st.lists(st.sampled_from(_DIMS), max_size=2))
    bottom = draw(st.lists(st.sampled_from([d for d in _DIMS if d not in top]), max_size=2))
    return top, bottom


@st.composite
def _spelling(draw, structure: tuple[list[str], list[str]]) -> str:
    """Any unit text of that structure: factors respelled and reordered, the top joined by '·' or '*', a
    bottom group either '/a/b' or '/a·b'; an empty top is 1, % or ‰."""
    top, bottom = structure
    top_f = draw(st.permutations([draw(_factor(d)) for d in top]))
    bottom_f = draw(st.permutations([draw(_factor(d)) for d in bottom]))
    text = draw(st.sampled_from(["·", "*"])).join(top_f) if top_f else draw(st.sampled_from(["1", "%", "‰"]))
    if bottom_f:
        text += "/" + draw(st.sampled_from(["/", "·"])).join(bottom_f)
    return text


@st.composite
def _units(draw) -> str:
    return draw(_spelling(draw(_structures())))


_VALUES = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(_units(), _VALUES)
def test_to_internal_and_back_is_the_identity(unit, value):
    """Any quantity, simple or compound, converted to its internal unit and back (both ways: from_internal
    and convert) is itself."""
    assert from_internal(to_internal(value, unit), unit) == pytest.approx(value, rel=1e-12, abs=1e-300)
    internal = internal_unit(parse_unit(unit).dimension)
    via_base = convert(value, unit, internal)
    assert via_base == pytest.approx(to_internal(value, unit), rel=1e-12, abs=1e-300)
    assert convert(via_base, internal, unit) == pytest.approx(value, rel=1e-12, abs=1e-300)


@given(st.data(), _VALUES)
def test_converting_through_a_third_unit_is_converting_directly(data, value):
    """convert(a→b→c) = convert(a→c) for three spellings of one compound dimension."""
    structure = data.draw(_structures())
    a, b, c = (data.draw(_spelling(structure)) for _ in range(3))
    assert convert(convert(value, a, b), b, c) == pytest.approx(convert(value, a, c), rel=1e-12, abs=1e-300)


@given(_units(), _units())
def test_units_of_different_dimensions_do_not_convert(a, b):
    if parse_unit(a).dimension == parse_unit(b).dimension:
        assert convert(1.0, a, b) == pytest.approx(parse_unit(a).factor / parse_unit(b).factor, rel=1e-12)
    else:
        with pytest.raises(UnitError, match="can not convert"):
            convert(1.0, a, b)


def internal_unit(dimension: str) -> str:
    """The internal unit of a dimension spelled as a unit string ("mass/head/time" -> "kg/头/年")."""
    first = {dim: name for name, (dim, factor) in reversed(list(BASE_UNITS.items())) if factor == 1.0}

    def spelled(term: str) -> str:
        dim, _, power = term.partition("^")
        return "·".join([first[dim]] * int(power or 1))
    top, *bottom = dimension.split("/")
    return "/".join(["·".join(spelled(t) for t in top.split("·")), *(spelled(t) for t in bottom)])
