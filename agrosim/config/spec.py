"""Parameter specifications and the parsing of one parameter value (with units and provenance).

Sectors declare their parameters as `ParamSpec`s; the scenario schema, the validation and the
generated reference are all built from these declarations, so they cannot drift apart.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from agrosim.errors import ValueProblem
from agrosim.units import Quantity, UnitError, parse_unit, parse_year


class EventRole(Enum):
    """What the event layer (agrosim/events.py) writes into a parameter a sector declares with
    `event=`: places coming online from projects, or the share of the stock an outbreak takes. The
    value is the name the parameter must have: the calendar's schedules address `<sector>.<name>`."""

    CAPACITY = "capacity_added_places_per_yr"
    LOSS = "outbreak_loss_fraction"


_EXAMPLES = {
    "area": "4695 万亩", "mass": "1365 万吨", "mass/area": "303 kg/亩", "money": "1.5 亿元",
    "money/area": "1500 元/亩", "area/time": "164 万亩/年", "money/time": "100 亿元/年",
    "head": "1500 万头", "1": "0.1 or 10 %", "1/time": "1 %/yr",
}


@dataclass(frozen=True)
class ParamSpec:
    """One model coefficient or driver: internal unit, validity bounds, default and labels.

    `lo`/`hi` bound what is physically valid (input outside is refused); `plausible` is the range a
    default may take (for sensitivity work), and `source` names where the default comes from.
    `pulse` makes a yearly schedule apply only in the years it names (see `is_pulse`).
    `event` declares the parameter's role for the event layer (an `EventRole`; its name must match).
    `base_of` names the sector's indicator whose base-year value this parameter states (a base
    figure: stock, slaughter, output or area counted as the indicator counts it); the base-year
    closure check (agrosim/baseyear.py) compares the two.
    """

    name: str
    unit: str
    description: str
    zh: str = ""
    default: float | None = None
    lo: float = -math.inf
    hi: float = math.inf
    time_varying: bool = False
    source: str = ""
    plausible: tuple[float, float] | None = None
    pulse: bool | None = None
    base_of: str | None = None
    event: EventRole | None = None

    def __post_init__(self) -> None:
        """A role and its parameter name go together, so the calendar's schedules reach the parameter
        and no parameter takes an event's name without the role (which decides how events combine)."""
        if self.event is not None and self.name != self.event.value:
            raise ValueError(f"parameter '{self.name}' declared with event role {self.event.name}; "
                             f"expected it named '{self.event.value}'")
        role = next((r for r in EventRole if r.value == self.name), None)
        if self.event is None and role is not None:
            raise ValueError(f"parameter '{self.name}' without its event role; expected event=EventRole.{role.name}")

    @property
    def is_pulse(self) -> bool:
        """A schedule of a pulse parameter applies only in the years it names (default elsewhere);
        other schedules hold each value until the next year given. Event parameters (declared with
        `event=`) are pulses unless declared otherwise."""
        return self.pulse if self.pulse is not None else self.event is not None

    @property
    def dimension(self) -> str:
        return parse_unit(self.unit).dimension


class Source(BaseModel):
    """Where a number comes from: a seed line with its quoted phrase, or a named publication."""

    model_config = ConfigDict(extra="forbid")
    seed: str | None = None
    line: int | None = None
    quote: str | None = None
    published: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _complete(self):
        has_seed = self.seed is not None and self.line is not None and self.quote is not None
        if not has_seed and self.published is None:
            raise ValueError("a source needs either seed + line + quote, or published")
        return self


class Documented(BaseModel):
    """The long form of a parameter: a value plus its source, plausible range and notes."""

    model_config = ConfigDict(extra="forbid")
    value: Any
    source: Source | None = None
    range: list[Any] | None = None
    assumption: bool = False
    note: str | None = None
    #: why an assumption without a range is held in a Monte Carlo (see agrosim/config/assumptions.py)
    pinned: str | None = None
    #: a year-to-year placeholder (a weather factor): drawn afresh each year over its range, not once per run
    per_year: bool = False
    #: the plan's implied value of this coefficient (its target ÷ its own input, e.g. 135万公斤 ÷ 3万盒):
    #: `true` when `value` is that ratio (a run on the plan's own premises), or the ratio as a quantity
    #: beside an independent `value`; validate and the report compare it with the documented range
    plan_implied: Any = None


def parse_scalar(raw: Any, spec: ParamSpec) -> float:
    """One number or quantity string → float in the spec's internal unit. Raises ValueProblem."""
    expected = parse_unit(spec.unit)
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueProblem(f"{type(raw).__name__} {raw!r}", _want(spec))
    if isinstance(raw, str):
        try:
            quantity = Quantity.parse(raw)
        except UnitError as exc:
            raise ValueProblem(f"'{raw}' ({exc})", _want(spec)) from None
        try:
            value = quantity.to(expected, amount_per_year=True).value
        except UnitError:
            raise ValueProblem(f"'{raw}' (unit of {quantity.unit.dimension})", _want(spec)) from None
    else:
        if expected.dimension not in ("1", "1/time"):
            raise ValueProblem(f"bare number {raw}", _want(spec))
        value = float(raw)
    if not math.isfinite(value):
        raise ValueProblem(f"{raw!r} (not finite)", _want(spec))
    if not spec.lo <= value <= spec.hi:
        raise ValueProblem(_out_of_range(raw, value, spec), f"a value in [{spec.lo:g}, {spec.hi:g}]{_unit(spec)}")
    return value


def _unit(spec: ParamSpec) -> str:
    """' kg/head/yr' after a number; nothing for a dimensionless parameter (its unit is '1')."""
    return "" if spec.unit == "1" else f" {spec.unit}"


def _out_of_range(raw: Any, value: float, spec: ParamSpec) -> str:
    """'2', or '150 %' = 1.5: the value as written, and as read in the spec's unit when that differs."""
    if isinstance(raw, (int, float)) and float(raw) == value:
        return f"{raw!r}{_unit(spec)}"
    return f"{raw!r} = {value:g}{_unit(spec)}"


def _want(spec: ParamSpec) -> str:
    dim = spec.dimension
    if dim == "1":
        return f"a plain number or a percentage, e.g. '{_EXAMPLES[dim]}'"
    return f"a quantity of {dim} convertible to {spec.unit}, e.g. '{_EXAMPLES.get(dim, '1 ' + spec.unit)}'"


@dataclass(frozen=True)
class ParamValue:
    """A parsed parameter: constant value or a {year: value} schedule held until the next year."""

    value: float | dict[int, float]
    source: Source | None = None
    range: tuple[float, float] | None = None
    assumption: bool = False
    note: str | None = None
    pinned: str | None = None
    #: the plan's implied value (internal unit), when the parameter records one (Documented.plan_implied)
    plan_implied: float | None = None
    per_year: bool = False


def parse_param(raw: Any, spec: ParamSpec) -> ParamValue:
    """Short form (`"1662 万亩"`), schedule (`{2021: ..., 2023: ...}`) or long form with source.
    Raises ValueProblem, or pydantic's ValidationError for a long form with keys it does not take."""
    if isinstance(raw, dict) and "value" in raw:
        doc = Documented.model_validate(raw)
        base = parse_param(doc.value, spec)
        rng = None
        if doc.range is not None:
            if len(doc.range) != 2:
                raise ValueProblem(f"range {doc.range!r}", "[low, high]")
            rng = (parse_scalar(doc.range[0], spec), parse_scalar(doc.range[1], spec))
            if rng[0] > rng[1]:
                raise ValueProblem(f"range {doc.range!r} has low > high", "[low, high]")
        implied = None
        if doc.plan_implied is True:
            if not isinstance(base.value, float):
                raise ValueProblem("plan_implied: true on a schedule", "a constant value")
            implied = base.value
        elif doc.plan_implied not in (None, False):
            implied = parse_scalar(doc.plan_implied, spec)
        if doc.per_year and not spec.time_varying:
            raise ValueProblem("per_year: true", f"per_year only for parameters that vary by year ({spec.name} does not)")
        return ParamValue(base.value, doc.source, rng, doc.assumption, doc.note, pinned=doc.pinned,
                          plan_implied=implied, per_year=doc.per_year)
    if isinstance(raw, dict):
        if not spec.time_varying:
            raise ValueProblem(f"a mapping {raw!r}", f"a single value ({spec.name} cannot vary by year)")
        schedule = {}
        for key, item in raw.items():
            try:
                year = parse_year(key)
            except UnitError as exc:
                raise ValueProblem(f"schedule key {key!r} ({exc})", "a year such as 2023") from None
            if year in schedule:
                raise ValueProblem(f"schedule key {key!r}, the year {year} twice", "each year once")
            schedule[year] = parse_scalar(item, spec)
        if not schedule:
            raise ValueProblem("an empty schedule", "{year: value, ...}")
        return ParamValue(dict(sorted(schedule.items())))
    return ParamValue(parse_scalar(raw, spec))
