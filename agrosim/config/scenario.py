"""The validated scenario: region, horizon, parameters with provenance, and targets."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agrosim.config.investments import Investment
from agrosim.config.spec import ParamValue, Source

TARGET_KINDS = ("at_least", "at_most", "about", "stable_at")
#: the order in which `land_claims: {mode: priority}` grants cultivated land by default: grain first
DEFAULT_PRIORITY = ("land_grain", "forage", "silkworm", "perennials", "other_crops")


class LandClaims(BaseModel):
    """The `land_claims:` section of a scenario (what agrosim.links.land does with over-commitment)."""

    model_config = ConfigDict(extra="forbid")
    mode: Literal["error", "warning", "priority"] = "warning"
    priority: list[str] = list(DEFAULT_PRIORITY)


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    en: str
    zh: str
    #: ids of the enclosing regions, innermost first: a county `within: [jincheng, shanxi]` (its city, then
    #: its province). The enclosing regions need no file of their own; `agrosim regions` compares targets.
    within: list[str] = Field(default_factory=list)

    @field_validator("within", mode="before")
    @classmethod
    def _within_ids(cls, value, info):
        import re

        from pydantic_core import PydanticCustomError

        expected = "a list of the enclosing regions' ids, innermost first, e.g. [jincheng, shanxi]"
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and re.fullmatch(r"[a-z][a-z0-9_]*", v)
                                                  for v in value):
            raise PydanticCustomError("within", expected + " (lower-case ids like the region's own)")
        if len(set(value)) != len(value) or info.data.get("id") in value:
            raise PydanticCustomError("within", expected + ", each once and not the region itself")
        return value


class TargetModel(BaseModel):
    """A plan target as written: the kind comes from the plan's wording (以上 → at_least …)."""

    model_config = ConfigDict(extra="forbid")
    indicator: str
    kind: Literal["at_least", "at_most", "about", "stable_at"]
    value: Any
    year: int = Field(ge=1900, le=2200)
    upper: Any = None
    tolerance: float = Field(default=0.05, ge=0, le=1)
    from_year: int | None = Field(default=None, ge=1900, le=2200)
    aspirational: bool = False
    en: str = ""
    zh: str = ""
    source: Source | None = None
    #: how the plan's wording is read (稳定在 → held every year; 左右 → about; 力争 → aspirational …)
    reading: str = ""
    #: for a capacity target (综合生产能力), the realised indicator reported beside it with its own
    #: P(met) per year (e.g. grain_output in each year's weather beside grain_capacity)
    realised: str | None = None


class TopLevel(BaseModel):
    """Keys outside the sector sections; sector sections are validated from their ParamSpecs."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(default="", pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
    title: str = ""
    description: str = ""
    region: Region
    base_year: int = Field(ge=1900, le=2200)
    end_year: int = Field(ge=1900, le=2200)
    seed: int = Field(default=0, ge=0, lt=2**63)
    runs: int = Field(default=1, ge=1, le=100_000_000)
    #: hold every `assumption: true` parameter at its value in a Monte Carlo instead of drawing it
    fixed_assumptions: bool = False
    targets: dict[str, TargetModel | None] = {}


class EvidenceModel(BaseModel):
    """One figure behind an inconsistency: the number as written and where the plan says it."""

    model_config = ConfigDict(extra="forbid")
    value: Any = None
    source: Source


class InconsistencyModel(BaseModel):
    """A known inconsistency in the plan, recorded as such (e.g. area targets exceeding the land)."""

    model_config = ConfigDict(extra="forbid")
    en: str
    zh: str = ""
    targets: list[str] = []
    evidence: list[EvidenceModel] = []


@dataclass(frozen=True)
class Target:
    """A resolved target: values in the indicator's internal unit, plus how it was written."""

    id: str
    indicator: str
    kind: str
    value: float
    year: int
    unit_written: str
    value_written: float
    upper: float | None = None
    tolerance: float = 0.05
    from_year: int | None = None
    aspirational: bool = False
    en: str = ""
    zh: str = ""
    source: Source | None = None
    reading: str = ""
    realised: str | None = None


@dataclass
class Scenario:
    """Everything a run needs, validated; `resolved` is the merged YAML written beside results."""

    name: str
    file: str
    title: str
    region: Region
    base_year: int
    end_year: int
    seed: int
    runs: int
    params: dict[str, dict[str, ParamValue]]
    targets: list[Target]
    resolved: dict = field(default_factory=dict)
    uncertainty: list = field(default_factory=list)
    correlation: Any = None
    events: Any = None  # agrosim.events.EventPlan
    investments: list[Investment] = field(default_factory=list)
    land_claims: LandClaims | None = None
    #: known inconsistencies in the plan, by id (InconsistencyModel)
    inconsistencies: dict = field(default_factory=dict)
    #: the `assumption: true` parameters and what a Monte Carlo does with them (agrosim.config.assumptions)
    placeholders: Any = None

    @property
    def years(self) -> list[int]:
        return list(range(self.base_year, self.end_year + 1))

    @property
    def sectors(self) -> list[str]:
        return list(self.params)
