"""The sectors, in the order the engine steps them each year. Adding a sector = one module + one line here."""
from agrosim.config.declarations import param_paths as _declared_paths
from agrosim.config.spec import ParamSpec
from agrosim.parampath import ParamPath
from agrosim.sectors.base import Sector
from agrosim.sectors.land_grain import SECTOR as LAND_GRAIN
from agrosim.sectors.dairy import SECTOR as DAIRY
from agrosim.sectors.beef import SECTOR as BEEF
from agrosim.sectors.sheep import SECTOR as SHEEP
from agrosim.sectors.bees import SECTOR as BEES
from agrosim.sectors.silkworm import SECTOR as SILKWORM
from agrosim.sectors.perennials import SECTOR as PERENNIALS
from agrosim.sectors.pigs import SECTOR as PIGS
from agrosim.sectors.layers import SECTOR as LAYERS
from agrosim.sectors.broilers import SECTOR as BROILERS
from agrosim.sectors.forage import SECTOR as FORAGE
from agrosim.sectors.other_crops import SECTOR as OTHER_CROPS
from agrosim.links.feed import SECTOR as FEED
from agrosim.links.value import SECTOR as VALUE

#: producing sectors first; link sectors (feed, then value) read what they produced each year
SECTORS: tuple[Sector, ...] = (LAND_GRAIN, FORAGE, OTHER_CROPS, DAIRY, BEEF, SHEEP, BEES, SILKWORM, PERENNIALS,
                               PIGS, LAYERS, BROILERS, FEED, VALUE)
BY_NAME: dict[str, Sector] = {s.name: s for s in SECTORS}


def param_paths(sectors: list[str]) -> dict[str, ParamSpec]:
    """Every parameter of the named sectors by full path: `sector.param`, `sector.table.row.param`."""
    return _declared_paths(BY_NAME[name] for name in sectors)


def param_spec(path: str) -> ParamSpec:
    """The ParamSpec of `sector.param` or of a table cell `sector.table.row.param`."""
    where = ParamPath.parse(path)
    return BY_NAME[where.sector].param_specs()[where.spec_key]


__all__ = ["SECTORS", "BY_NAME", "Sector", "param_paths", "param_spec"]
