"""What a sector or link declares, as pure data: its parameters, tables and indicators.

The config layer validates scenario sections against these declarations without knowing the sectors'
step functions: the loader is given the registry (a mapping name → declaration, `agrosim.registry.BY_NAME`
in practice) by the design layer, which owns the sectors and links. `Sector` (agrosim/sectors/base.py)
and `Link` (agrosim/links/base.py) satisfy `Declared`; their step, curtail, couple … functions stay in
the design layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Protocol

from agrosim.config.spec import ParamSpec


@dataclass(frozen=True)
class TableSpec:
    """A keyed table of parameters, one row per item (e.g. one row per crop)."""

    name: str
    keys: tuple[str, ...]
    params: tuple[ParamSpec, ...]
    description: str = ""
    #: defaults that differ by row, e.g. {"italian": {"honey_kg_per_box": 40.0}}; else the spec's default
    row_defaults: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorSpec:
    """A reported series: internal unit, the unit the plans report it in, and labels."""

    name: str
    unit: str
    display_unit: str
    en: str
    zh: str


class Declared(Protocol):
    """The declarations of a sector or link that a scenario file is checked against."""

    name: str
    params: tuple[ParamSpec, ...]
    tables: tuple[TableSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    #: the indicator (mu) the sector claims of the cultivated land, if any
    land_claim: str | None


def param_paths(declared: Iterable[Declared]) -> dict[str, ParamSpec]:
    """Every parameter a scenario can vary, by full path: `sector.param`, `sector.table.row.param`."""
    out = {}
    for sector in declared:
        out.update({f"{sector.name}.{p.name}": p for p in sector.params})
        for table in sector.tables:
            out.update({f"{sector.name}.{table.name}.{row}.{p.name}": p for row in table.keys for p in table.params})
    return out
