"""What a sector or link declares, as pure data: its parameters, tables and indicators.

The config layer validates scenario sections against these declarations without knowing the sectors'
step functions: the loader is given the registry (a mapping name → declaration, `agrosim.registry.BY_NAME`
in practice) by the design layer, which owns the sectors and links. `Sector` (agrosim/sectors/base.py)
and `Link` (agrosim/links/base.py) satisfy `Declared`; their step, curtail, couple … functions stay in
the design layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Iterable, Mapping, Protocol

from agrosim.config.spec import ParamSpec


@dataclass(frozen=True)
class TableSpec:
    """A table of parameters: one row per item (crop, crop group), one column per `ParamSpec`.

    A column declared `time_varying` gives every cell a yearly schedule (the table's year axis).
    The design layer hands the step one array per column, `table.param`: (n, rows) for a constant
    column, (n, rows, years) for a time-varying one, rows in `keys` order (agrosim/param_arrays.py).

    How a scenario file writes a cell: nested, `table: {row: {param: …}}` (path
    `sector.table.row.param`), or with `prefixed=True` as a flat key `<row>_<param>` of the
    sector's section (path `sector.<row>_<param>`, the format the perennials files use).
    A prefixed table's cells are listed among the section's keys (loader, reference, the report's
    assumptions rows) at a declared place: before the sector's parameters, or right after the one
    named by `after`; row by row, or column by column with `by_column` (`spring_sheet_share`,
    `summer_sheet_share`, … then `spring_leaf_share`, …), so that a table keeps the order in which
    the files and reports listed its cells when they were parameters of their own.
    """

    name: str
    keys: tuple[str, ...]
    params: tuple[ParamSpec, ...]
    description: str = ""
    #: defaults that differ by row, e.g. {"italian": {"honey_kg_per_box": 40.0}}; else the spec's default
    row_defaults: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: cells are flat `<row>_<param>` keys of the sector's section instead of a nested table
    prefixed: bool = False
    #: Chinese row labels, for a column's `zh` written with `{row_zh}`
    row_zh: Mapping[str, str] = field(default_factory=dict)
    #: spec fields that differ by row (default, plausible range, source, bounds, description or zh, which
    #: may say {row}/{row_zh}), {row: {param: {field: value}}}
    row_fields: Mapping[str, Mapping[str, Mapping[str, object]]] = field(default_factory=dict)
    #: prefixed: the sector parameter after which the cells are listed (None: before every parameter)
    after: str | None = None
    #: prefixed: cells listed column by column (every row of the first column, then the next), not row by row
    by_column: bool = False

    def __post_init__(self) -> None:
        """Refuse a declaration naming a row or column the table does not have."""
        columns = {p.name for p in self.params}
        for what, mapping in (("row_defaults", self.row_defaults), ("row_fields", self.row_fields)):
            for row, cols in mapping.items():
                bad = [row] if row not in self.keys else [c for c in cols if c not in columns]
                if bad:
                    raise ValueError(f"table '{self.name}' {what} names '{bad[0]}'; expected rows "
                                     f"{', '.join(self.keys)} and columns {', '.join(sorted(columns))}")

    def cell_key(self, row: str, param: str) -> str:
        """A cell's key in `Scenario.params[sector]`: `table.row.param`, or `<row>_<param>` if prefixed."""
        return f"{row}_{param}" if self.prefixed else f"{self.name}.{row}.{param}"

    @cached_property
    def _cells(self) -> dict[str, tuple[str, str]]:
        return {self.cell_key(row, p.name): (row, p.name) for row in self.keys for p in self.params}

    @cached_property
    def _cell_specs(self) -> dict[tuple[str, str], ParamSpec]:
        out = {}
        for row in self.keys:
            for column in self.params:
                fields = dict(self.row_fields.get(row, {}).get(column.name, {}))
                if column.name in self.row_defaults.get(row, {}):
                    fields["default"] = self.row_defaults[row][column.name]
                label = {"{row}": row, "{row_zh}": self.row_zh.get(row, row)}
                description, zh = fields.pop("description", column.description), fields.pop("zh", column.zh)
                for mark, text in label.items():
                    description, zh = description.replace(mark, text), zh.replace(mark, text)
                name = self.cell_key(row, column.name) if self.prefixed else column.name
                out[row, column.name] = replace(column, name=name, description=description, zh=zh, **fields)
        return out

    def cells(self) -> dict[str, tuple[str, str]]:
        """Every cell by its key in `Scenario.params[sector]`: {key: (row, param)}."""
        return self._cells

    def cell_spec(self, row: str, param: str) -> ParamSpec:
        """A cell's own spec (one object per cell): the column's, with the row's default and fields,
        labels filled in with the row (`{row}`, `{row_zh}`), named by its key if prefixed (as the
        scenario file names it)."""
        return self._cell_specs[row, param]

    def flat_params(self) -> tuple[ParamSpec, ...]:
        """The cells a prefixed table adds to its sector's section as named keys, row by row or column
        by column (`by_column`); none if nested."""
        if not self.prefixed:
            return ()
        if self.by_column:
            return tuple(self._cell_specs[row, p.name] for p in self.params for row in self.keys)
        return tuple(self._cell_specs.values())


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


def section_params(sector: Declared) -> tuple[ParamSpec, ...]:
    """The parameters a sector's section names as its own keys, in the order files and reports list
    them: its params, each prefixed table's cells (`<row>_<param>`) placed before them or after the
    parameter its `after` names (see `TableSpec`)."""
    first = tuple(p for table in sector.tables if table.after is None for p in table.flat_params())
    out = []
    for spec in sector.params:
        out.append(spec)
        out.extend(p for table in sector.tables if table.after == spec.name for p in table.flat_params())
    return first + tuple(out)


def check_declared(sector: Declared) -> None:
    """Refuse a table placed after a parameter the sector lacks, or two parameters under one key of the
    section (a prefixed table's `<row>_<param>` equal to a parameter's name or to another cell's),
    which a file could not tell apart. Raises ValueError."""
    names = [p.name for p in sector.params]
    for table in sector.tables:
        if table.after is not None and (not table.prefixed or table.after not in names):
            raise ValueError(f"{sector.name}: table '{table.name}' placed after '{table.after}'; expected a "
                             "prefixed table placed after one of the parameters " + ", ".join(names))
    keys = [p.name for p in section_params(sector)]
    twice = sorted({n for n in keys if keys.count(n) > 1})
    if twice:
        raise ValueError(f"'{sector.name}' declares {', '.join(twice)} twice; expected each "
                         "parameter and prefixed table cell under a key of its own")


def param_specs(sector: Declared) -> dict[str, ParamSpec]:
    """All parameter specs of a sector or link by flat name: parameters and a prefixed table's cells
    (`<row>_<param>`) by their keys, a nested table's columns as `table.param`."""
    specs = {p.name: p for p in section_params(sector)}
    for table in (t for t in sector.tables if not t.prefixed):
        specs.update({f"{table.name}.{p.name}": p for p in table.params})
    return specs


def param_paths(declared: Iterable[Declared]) -> dict[str, ParamSpec]:
    """Every parameter a scenario can vary, by full path: `sector.param`, `sector.table.row.param`
    (a nested table's cell: its column's spec) and `sector.<row>_<param>` (a prefixed table's cell)."""
    out = {}
    for sector in declared:
        out.update({f"{sector.name}.{p.name}": p for p in section_params(sector)})
        for table in sector.tables:
            if not table.prefixed:
                out.update({f"{sector.name}.{table.name}.{row}.{p.name}": p for row in table.keys for p in table.params})
    return out
