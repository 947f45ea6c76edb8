"""The events sections of a scenario as written: `budget:`, `projects:`, `outbreaks:`, `droughts:`.

This is schema only (parsing into typed records, in internal units); agrosim/events.py runs the
SimPy calendar over them and turns them into yearly schedules (the design layer). A refused value
raises ValueProblem (found and expected apart), a mapping the schema refuses pydantic's ValidationError.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agrosim.config.spec import EventRole, ParamSpec, parse_scalar
from agrosim.errors import ValueProblem

#: the sector parameters events drive (declared with `event=` by the sectors that have them)
CAPACITY_PARAM = EventRole.CAPACITY.value
LOSS_PARAM = EventRole.LOSS.value


class ProjectModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    sector: str
    places: Any
    cost: Any = None
    start: int = Field(ge=1900, le=2200)
    start_month: int = Field(default=1, ge=1, le=12)
    build_months: int = Field(default=12, ge=0, le=240)


class OutbreakModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "outbreak"
    sector: str
    loss: Any
    year: int | None = Field(default=None, ge=1900, le=2200)
    probability_per_yr: float | None = Field(default=None, gt=0, le=1)


class DroughtModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "drought"
    year: int = Field(ge=1900, le=2200)
    yield_loss: Any


@dataclass(frozen=True)
class Project:
    name: str
    sector: str
    places: float
    cost_yuan: float
    start_month: int  # months after January of the first simulated year
    build_months: int


@dataclass(frozen=True)
class Outbreak:
    name: str
    sector: str
    loss: float
    year: int | None
    probability_per_yr: float | None


_FRACTION = ParamSpec("loss", "1", "share lost", lo=0, hi=1)
_MONEY = ParamSpec("cost", "yuan", "cost", lo=0)


def _field(raw, spec: ParamSpec, key: str) -> float:
    """parse_scalar of one field of an entry; a refusal names the field."""
    try:
        return parse_scalar(raw, spec)
    except ValueProblem as exc:
        raise ValueProblem(exc.found, exc.expected, key=(key,)) from None


def parse_project(raw: dict, base_year: int, places_unit: str = "head") -> Project:
    """A project; `places` in the unit of its sector's capacity (head, box …)."""
    m = ProjectModel.model_validate(raw)
    if m.start <= base_year:
        raise ValueProblem(f"start {m.start}", f"a year after the base year {base_year}")
    cost = _field(m.cost, _MONEY, "cost") if m.cost is not None else 0.0
    month = (m.start - base_year - 1) * 12 + m.start_month - 1
    places = _field(m.places, ParamSpec("places", places_unit, "places", lo=0), "places")
    return Project(m.name, m.sector, places, cost, month, m.build_months)


def parse_outbreak(raw: dict) -> Outbreak:
    m = OutbreakModel.model_validate(raw)
    if (m.year is None) == (m.probability_per_yr is None):
        raise ValueProblem("both or neither of year and probability_per_yr", "exactly one of them")
    return Outbreak(m.name, m.sector, _field(m.loss, _FRACTION, "loss"), m.year, m.probability_per_yr)


def parse_drought(raw: dict) -> tuple[str, int, float]:
    m = DroughtModel.model_validate(raw)
    return m.name, m.year, _field(m.yield_loss, _FRACTION, "yield_loss")


@dataclass(frozen=True)
class EventInputs:
    """The parsed events sections of a scenario: what the calendar (agrosim.events.plan) runs."""

    years: list[int]
    projects: list[Project]
    outbreaks: list[Outbreak]
    droughts: list[tuple[str, int, float]]
    budget_yuan: dict[int, float] | None
