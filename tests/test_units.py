"""Unit conversion: the plans' units into internal units (mu, kg, head, yuan)."""
import math

import pytest

from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.units import UnitError, parse_quantity, parse_unit, to_internal, unit_en

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
