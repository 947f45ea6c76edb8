"""The sectors, in the order the engine steps them each year. Adding a sector = one module + one line here.

Sectors hold stocks and step them; links (agrosim/links), which read what the sectors produced, run
after them. `agrosim.registry` joins both into the one lookup of what a scenario can name.
"""
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

#: producing sectors, in stepping order
SECTORS: tuple[Sector, ...] = (LAND_GRAIN, FORAGE, OTHER_CROPS, DAIRY, BEEF, SHEEP, BEES, SILKWORM, PERENNIALS,
                               PIGS, LAYERS, BROILERS)
SECTOR_BY_NAME: dict[str, Sector] = {s.name: s for s in SECTORS}

__all__ = ["SECTORS", "SECTOR_BY_NAME", "Sector"]
