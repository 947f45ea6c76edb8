"""Where a parameter lives, parsed once: `sector.param`, or a table cell `sector.table.row.param`.

Scenario files, `uncertainty:`, `investments:`, levers and run files name parameters by these dotted
paths. Code parses a path here instead of splitting strings, and reads the parts it needs:

    p = ParamPath.parse("land_grain.crops.maize.base_yield_kg_per_mu")
    p.sector, p.table, p.row, p.name   # 'land_grain', 'crops', 'maize', 'base_yield_kg_per_mu'
    p.local                            # 'crops.maize.base_yield_kg_per_mu': the key in Scenario.params[sector]
    p.keys                             # ('crops', 'maize', 'base_yield_kg_per_mu'): under the sector's section
    p.spec_key                         # 'crops.base_yield_kg_per_mu': the key in Sector.param_specs()
    str(p)                             # the path as written
"""
from __future__ import annotations

from dataclasses import dataclass

from agrosim.errors import ValueProblem

EXPECTED = "sector.param or sector.table.row.param"


@dataclass(frozen=True)
class ParamPath:
    """A parameter's address; `table` and `row` are both set (a table cell) or both None."""

    sector: str
    name: str
    table: str | None = None
    row: str | None = None

    def __post_init__(self) -> None:
        parts = [self.sector, self.name] + ([] if self.table is None and self.row is None else [self.table, self.row])
        if not all(isinstance(p, str) and p and "." not in p for p in parts):
            raise ValueError(f"parameter path parts {parts!r}; expected non-empty names without '.', "
                             "and a table with its row")

    @classmethod
    def parse(cls, text: str) -> ParamPath:
        """`sector.param` or `sector.table.row.param`; ValueProblem for anything else."""
        parts = str(text).split(".")
        if len(parts) not in (2, 4) or not all(parts):
            raise ValueProblem(f"'{text}' is not a parameter path", EXPECTED)
        if len(parts) == 2:
            return cls(parts[0], parts[1])
        return cls(parts[0], parts[3], parts[1], parts[2])

    @classmethod
    def in_sector(cls, sector: str, local: str) -> ParamPath:
        """The path of a sector's parameter from its key in `Scenario.params[sector]` (`local`)."""
        return cls.parse(f"{sector}.{local}")

    @property
    def local(self) -> str:
        """The key within the sector: `param`, or `table.row.param` (as `Scenario.params[sector]` holds it)."""
        return self.name if self.table is None else f"{self.table}.{self.row}.{self.name}"

    @property
    def keys(self) -> tuple[str, ...]:
        """The key path under the sector's section of a scenario file: (param,) or (table, row, param)."""
        return (self.name,) if self.table is None else (self.table, self.row, self.name)

    @property
    def spec_key(self) -> str:
        """The key of its spec in `Sector.param_specs()`: `param`, or `table.param` (one spec per column)."""
        return self.name if self.table is None else f"{self.table}.{self.name}"

    def __str__(self) -> str:
        return f"{self.sector}.{self.local}"
