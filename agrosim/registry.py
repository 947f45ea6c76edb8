"""What a scenario can name under `sectors:` and in parameter paths: the sectors (agrosim/sectors)
and the links that a scenario lists like a sector (feed, value; agrosim/links). One lookup of
declarations (parameters, tables, indicators, titles) for the config layer, the analyses and the
report; the engine keeps the two apart: it steps sectors, then runs links in `LINKS` order.
"""
from __future__ import annotations

from agrosim.config.declarations import param_paths as _declared_paths
from agrosim.config.spec import ParamSpec
from agrosim.links import LINKS, Link
from agrosim.parampath import ParamPath
from agrosim.sectors import SECTORS, Sector

#: sectors in stepping order, then the links a scenario lists (a link run on its own, land claims,
#: has no section and no parameters, so it is not here)
BY_NAME: dict[str, Sector | Link] = {d.name: d for d in (*SECTORS, *(link for link in LINKS if link.when is None))}


def is_link(name: str) -> bool:
    """Whether `name` (a key of BY_NAME) is a link, which holds no stocks of its own."""
    return isinstance(BY_NAME[name], Link)


def param_paths(names: list[str]) -> dict[str, ParamSpec]:
    """Every parameter of the named sectors and links by full path: `sector.param`, `sector.table.row.param`."""
    return _declared_paths(BY_NAME[name] for name in names)


def param_spec(path: str) -> ParamSpec:
    """The ParamSpec of `sector.param` or of a table cell `sector.table.row.param`."""
    where = ParamPath.parse(path)
    return BY_NAME[where.sector].param_specs()[where.spec_key]


__all__ = ["BY_NAME", "is_link", "param_paths", "param_spec"]
