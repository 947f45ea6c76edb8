"""Investable levers declared in a scenario: how money becomes more of a yearly driver.

    investments:
      hsf: {param: land_grain.hsf_build_mu_per_yr, cost: 1500 元/亩, cap: 300 万亩/年, group: farmland,
            source: "…", assumption: true, note: "the plan states no cost per mu"}
      pig_places: {param: pigs.capacity_added_places_per_yr, cost: 2500 元/头, lag_years: 1, group: industry}
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.errors import ValueProblem


class InvestmentModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    param: str
    cost: Any
    cap: Any = None
    lag_years: int = Field(default=0, ge=0, le=20)
    group: str | None = None
    source: str = ""
    assumption: bool = False  # true when no plan gives the cost
    note: str = ""


@dataclass(frozen=True)
class Investment:
    """Money → more of `param` (a time-varying driver): amount per year = money / cost_yuan."""

    name: str
    param: str
    cost_yuan: float
    cap_per_yr: float | None = None
    lag_years: int = 0
    group: str | None = None
    source: str = ""
    assumption: bool = False
    note: str = ""


def parse_investment(name: str, raw: Any, spec: ParamSpec | None) -> Investment:
    """Validate one investment against the parameter it feeds. Raises ValueProblem, or pydantic's
    ValidationError for a mapping the schema refuses."""
    model = InvestmentModel.model_validate(raw)
    if spec is None:
        raise ValueProblem(f"param '{model.param}'", "a parameter of an active sector")
    if not spec.time_varying or "/yr" not in spec.unit:
        raise ValueProblem(f"param '{model.param}' ({spec.unit})", "a yearly driver such as land_grain.hsf_build_mu_per_yr")
    per_unit = spec.unit.split("/yr")[0]
    cost = parse_scalar(model.cost, ParamSpec("cost", f"yuan/{per_unit}", "cost", lo=1e-12))
    cap = parse_scalar(model.cap, ParamSpec("cap", spec.unit, "cap", lo=0)) if model.cap is not None else None
    return Investment(name, model.param, cost, cap, model.lag_years, model.group, model.source, model.assumption,
                      model.note)
