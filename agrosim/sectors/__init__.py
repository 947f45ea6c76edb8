"""The sectors, in the order the engine steps them each year. Adding a sector = one module + one line here."""
from agrosim.sectors.base import Sector
from agrosim.sectors.land_grain import SECTOR as LAND_GRAIN
from agrosim.sectors.dairy import SECTOR as DAIRY
from agrosim.sectors.beef import SECTOR as BEEF
from agrosim.sectors.sheep import SECTOR as SHEEP
from agrosim.sectors.bees import SECTOR as BEES

SECTORS: tuple[Sector, ...] = (LAND_GRAIN, DAIRY, BEEF, SHEEP, BEES,)
BY_NAME: dict[str, Sector] = {s.name: s for s in SECTORS}

__all__ = ["SECTORS", "BY_NAME", "Sector"]
