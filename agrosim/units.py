"""Quantities as the plans write them ("1365 万吨", "303 kg/亩", "1.5 亿元", "25 kg/头/年") into internal units.

Internal units (the one meaning, used everywhere): area in mu (亩), mass in kg, animals in head,
bee colonies in box (箱), silkworm eggs in sheet (张), households, money in yuan (元), time in
years; fractions are plain numbers. A compound unit's internal unit is the same product of these
(kg/head/yr, yuan/mu). A unit string is a product of factors, `a·b/c/d` meaning a·b·c⁻¹·d⁻¹: each
'/' divides by the factor group that follows it up to the next '/', and '·' or '*' multiplies.
A factor is an optional Chinese magnitude prefix (万, 亿, 千 …) and a base unit from `BASE_UNITS`.

Two kinds of numbers, one converter: indicators and targets are held in internal units
(`to_internal` / `from_internal`); model parameters are held in their spec's own unit
(`ParamSpec.unit`: `pigs.market_age_months` in months, not years). Show or compare a parameter
value in another unit only through `convert(value, spec.unit, unit)`; `from_internal` on a
parameter value is wrong whenever the spec's unit is not the internal one (months ×12).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

#: base unit -> (dimension, factor to the internal unit of that dimension)
BASE_UNITS: dict[str, tuple[str, float]] = {
    "亩": ("area", 1.0), "mu": ("area", 1.0),
    "公顷": ("area", 15.0), "ha": ("area", 15.0), "hm2": ("area", 15.0),
    "平方公里": ("area", 1500.0), "km2": ("area", 1500.0),
    "kg": ("mass", 1.0), "公斤": ("mass", 1.0), "千克": ("mass", 1.0), "斤": ("mass", 0.5),
    "吨": ("mass", 1000.0), "t": ("mass", 1000.0), "kt": ("mass", 1e6), "Mt": ("mass", 1e9),
    "头": ("head", 1.0), "只": ("head", 1.0), "羽": ("head", 1.0), "head": ("head", 1.0),
    "箱": ("colony", 1.0), "群": ("colony", 1.0), "box": ("colony", 1.0),
    "张": ("sheet", 1.0), "盒": ("sheet", 1.0), "sheet": ("sheet", 1.0),
    "户": ("household", 1.0), "household": ("household", 1.0),
    "元": ("money", 1.0), "yuan": ("money", 1.0), "CNY": ("money", 1.0),
    "年": ("time", 1.0), "yr": ("time", 1.0), "year": ("time", 1.0), "a": ("time", 1.0),
    "月": ("time", 1.0 / 12.0), "month": ("time", 1.0 / 12.0),
    "%": ("1", 0.01), "‰": ("1", 0.001), "1": ("1", 1.0),
}

#: Chinese magnitude prefixes, longest first so that 千万 wins over 千.
PREFIXES: dict[str, float] = {
    "千万": 1e7, "百万": 1e6, "十万": 1e5, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2, "十": 10.0,
}

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$", re.ASCII)
_THOUSANDS = re.compile(r"^([+-]?\d{1,3}(?:,\d{3})+)(\.\d+)?(?![\d,])", re.ASCII)
_DIGIT_COMMA = re.compile(r"\d,\d", re.ASCII)
_TWO_POINTS = re.compile(r"^[+-]?\d*\.\d*\.", re.ASCII)
_IDEOGRAPHIC_POINT = re.compile(r"(?<=[0-9])。(?=[0-9])")
_YEAR = re.compile(r"^[0-9]{1,4}$")
#: characters with a numeric value that a quantity may hold besides ASCII digits: full-width digits
#: (NFKC turns them into ASCII) and the magnitude prefixes of the units (万吨, 千克)
_NUMERIC_OK = set("０１２３４５６７８９") | set("".join(PREFIXES))


class UnitError(ValueError):
    """A unit that is unknown, or of the wrong dimension for where it is used."""


@dataclass(frozen=True)
class Unit:
    """A parsed unit: its dimension and the factor from this unit to the internal unit of that dimension.

    The dimension is canonical text: base dimensions of the numerator joined by '·' ("1" when none),
    then '/' and each base dimension of the denominator, alphabetical with time last, a power as ^n:
    kg/head/yr and 公斤/年/头 are both "mass/head/time"; 亩/年/年 is "area/time^2".
    """

    text: str
    dimension: str
    factor: float


@dataclass(frozen=True)
class Quantity:
    """A value (scalar or numpy array) in a unit; `to` re-expresses it, checking the dimension."""

    value: Any
    unit: Unit

    @classmethod
    def of(cls, value, unit: str | Unit) -> Quantity:
        return cls(value, parse_unit(unit))

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """"1365 万吨" → Quantity(1365.0, 万吨)."""
        number, unit = parse_quantity(text)
        return cls(number, unit)

    def to(self, unit: str | Unit, *, amount_per_year: bool = False) -> Quantity:
        """The same quantity in `unit` (see `convert`, also for `amount_per_year`)."""
        target = parse_unit(unit)
        return Quantity(convert(self.value, self.unit, target, amount_per_year=amount_per_year), target)

    @property
    def internal(self):
        """The value in the internal unit of its dimension."""
        return self.value * self.unit.factor


def _factor(text: str, whole: str) -> tuple[str, float]:
    """One factor: a base unit, or a magnitude prefix and a base unit → (base dimension, factor)."""
    if text in BASE_UNITS:
        return BASE_UNITS[text]
    for prefix, magnitude in PREFIXES.items():
        rest = text[len(prefix):]
        if text.startswith(prefix) and rest in BASE_UNITS:
            dim, factor = BASE_UNITS[rest]
            return dim, factor * magnitude
    if text == "":
        raise UnitError(f"unit '{whole}' has an empty factor (two separators in a row, or one at the end)")
    raise UnitError(f"unknown unit '{text}'")


def _dimension_text(powers: dict[str, int]) -> str:
    """Canonical dimension text of base-dimension powers (see `Unit`)."""
    def term(dim: str, n: int) -> str:
        return dim if n == 1 else f"{dim}^{n}"
    order = sorted(powers, key=lambda d: (d == "time", d))
    top = "·".join(term(d, powers[d]) for d in order if powers[d] > 0) or "1"
    return top + "".join("/" + term(d, -powers[d]) for d in order if powers[d] < 0)


_PRODUCT = re.compile(r"[·*⋅]")


def parse_unit(text: str | Unit) -> Unit:
    """Parse `kg/亩`, `万吨`, `%/yr`, `kg/头/年` into a Unit; an empty string is dimensionless.

    Refused: an unknown factor, nothing before the first '/', dividing by a plain number (亩/1),
    and a base dimension on both sides (亩/亩, kg/头/kg): write such a ratio as a plain number or %.
    """
    if isinstance(text, Unit):
        return text
    text = unicodedata.normalize("NFKC", text).strip()
    if text == "":
        return Unit("", "1", 1.0)
    groups = text.split("/")
    if not groups[0].strip():
        rest = "/".join(groups[1:]).strip()
        raise UnitError(f"unit '{text}' has nothing before '/'; write 1/{rest} or %/{rest}")
    top: set[str] = set()
    bottom: set[str] = set()
    powers: dict[str, int] = {}
    factor = 1.0
    for k, group in enumerate(groups):
        for part in _PRODUCT.split(group):
            dim, f = _factor(part.strip(), text)
            if k and dim == "1":
                raise UnitError(f"unit '{text}' divides by a plain number; write the ratio as a plain number or a %")
            if dim == "1":
                factor *= f
                continue
            (bottom if k else top).add(dim)
            if dim in top and dim in bottom:
                raise UnitError(f"unit '{text}' divides by its own dimension ({dim}); "
                                "write the ratio as a plain number or a %")
            powers[dim] = powers.get(dim, 0) + (-1 if k else 1)
            factor = factor / f if k else factor * f
    return Unit(text, _dimension_text(powers), factor)


def normalise_number_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC); drop unambiguous thousands separators.

    A comma counts as a thousands separator only between groups of exactly three digits
    (1,365 or 1,365,000.5); any other comma between digits (1,36 or 13,65) is refused, because
    it may be a decimal comma or a typo.
    """
    _check_digits(text)
    text = _IDEOGRAPHIC_POINT.sub(".", unicodedata.normalize("NFKC", text)).strip()
    match = _THOUSANDS.match(text)
    if match:
        text = match.group(1).replace(",", "") + (match.group(2) or "") + text[match.end():]
    if _DIGIT_COMMA.search(text):
        raise UnitError(f"ambiguous number '{text}': a comma between digits is accepted only as a thousands "
                        "separator in groups of three (1,365); write 1.36 or 136 instead")
    if _TWO_POINTS.match(text):
        raise UnitError(f"ambiguous number '{text}': more than one decimal point")
    return text


def _check_digits(text: str) -> None:
    """Refuse digits other than ASCII and full-width ones (superscripts ², circled ①, Arabic-Indic ٣,
    fractions ½, Chinese numerals 二): NFKC would turn some into other numbers (10² into 102)."""
    for ch in text:
        if not ch.isascii() and ch not in _NUMERIC_OK and unicodedata.numeric(ch, None) is not None:
            raise UnitError(f"the character '{ch}' (U+{ord(ch):04X}, {unicodedata.name(ch, 'a numeral').lower()}) in "
                            f"'{text}': write numbers in ASCII or full-width digits")


def parse_year(key) -> int:
    """A year key as written: 2023, '2023' or full-width '２０２３' → 2023; anything else raises UnitError."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if not isinstance(key, str):
        raise UnitError(f"{key!r} is not a year")
    _check_digits(key)
    text = unicodedata.normalize("NFKC", key).strip()
    if not _YEAR.match(text):
        raise UnitError(f"{key!r} is not a year")
    return int(text)


def parse_quantity(text: str) -> tuple[float, Unit]:
    """Split "1365 万吨" into (1365.0, Unit(万吨)); the value is *not* yet converted."""
    norm = normalise_number_text(text)
    match = _NUMBER.match(norm)
    if not match:
        raise UnitError(f"'{text}' is not a number followed by a unit")
    return float(match.group(1)), parse_unit(match.group(2))


def to_internal(value, unit: str | Unit):
    """Convert `value` given in `unit` into the internal unit of its dimension."""
    return value * parse_unit(unit).factor


def from_internal(value, unit: str | Unit):
    """Convert an internal value (scalar or array) into `unit` for display."""
    return value / parse_unit(unit).factor


def convert(value, from_unit: str | Unit, to_unit: str | Unit, *, amount_per_year: bool = False):
    """`value` (scalar or array) written in `from_unit`, expressed in `to_unit`: `convert(6, "month", "yr")`
    is 0.5, `convert(1, "公斤/亩", "t/ha")` is 0.015. Both units must have the same dimension (UnitError
    otherwise). With `amount_per_year`, a yearly amount may omit its '/年' ("5 万亩" for a mu/yr rate)."""
    a, b = parse_unit(from_unit), parse_unit(to_unit)
    if a.dimension != b.dimension and not (amount_per_year and _yearly_amount(a.dimension, b.dimension)):
        raise UnitError(f"can not convert '{a.text}' ({a.dimension}) to '{b.text}' ({b.dimension})")
    return value * (a.factor / b.factor)


def _yearly_amount(found: str, rate: str) -> bool:
    """`found` is `rate` without its last '/time' (time sorts last, so that is the per-year factor)."""
    return rate.endswith("/time") and found == rate[: -len("/time")]


def shown_param(value, spec_unit: str):
    """A parameter value held in its spec's unit, in the unit the plans use for that dimension
    (`display_unit`): returns (value, unit). Months stay months; mu/yr becomes 万亩/年."""
    unit = display_unit(spec_unit)
    return convert(value, spec_unit, unit), unit

_EN_BASE = {"亩": "mu", "公顷": "ha", "平方公里": "km2", "公斤": "kg", "千克": "kg", "斤": "jin", "吨": "t",
            "头": "head", "只": "head", "羽": "head", "箱": "box", "群": "colony", "张": "sheet", "盒": "sheet",
            "户": "household", "元": "yuan", "年": "yr", "月": "month"}
_EN_PREFIX = {"千万": "10⁷ ", "百万": "10⁶ ", "十万": "10⁵ ", "亿": "10⁸ ", "万": "10⁴ ", "千": "10³ ", "百": "10² ",
              "十": "10 "}


def unit_en(text: str) -> str:
    """English rendering of a unit as the plans write it: 万吨 → '10⁴ t', kg/亩 → 'kg/mu', 元/头/年 → 'yuan/head/yr'."""
    def factor(part: str) -> str:
        if part in BASE_UNITS:
            return _EN_BASE.get(part, part)
        for prefix, shown in _EN_PREFIX.items():
            if part.startswith(prefix) and part[len(prefix):] in BASE_UNITS:
                rest = part[len(prefix):]
                return shown + _EN_BASE.get(rest, rest)
        return part
    return "".join(factor(p) for p in re.split(r"([/·*⋅])", text))


#: How the plans write quantities of each dimension; used to show levers and inputs.
DISPLAY_BY_DIMENSION = {
    "area": "万亩", "area/time": "万亩/年", "mass": "万吨", "mass/time": "万吨/年", "mass/area": "kg/亩",
    "head": "万头", "head/time": "万头/年", "money": "亿元", "money/time": "亿元/年", "money/area": "元/亩",
    "1/time": "%/yr", "1": "%",
}


def display_unit(internal_unit: str) -> str:
    """The unit the plans would use for a quantity held in `internal_unit`."""
    return DISPLAY_BY_DIMENSION.get(parse_unit(internal_unit).dimension, internal_unit)
