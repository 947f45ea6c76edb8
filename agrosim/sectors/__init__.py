"""The sectors, in the order the engine steps them each year. Adding a sector = one module + one line here."""
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

SECTORS: tuple[Sector, ...] = (LAND_GRAIN, DAIRY, BEEF, SHEEP, BEES, SILKWORM, PERENNIALS, PIGS, LAYERS, BROILERS,)
BY_NAME: dict[str, Sector] = {s.name: s for s in SECTORS}

__all__ = ["SECTORS", "BY_NAME", "Sector"]
