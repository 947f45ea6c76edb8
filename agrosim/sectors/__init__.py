"""The sectors, in the order the engine steps them each year. Adding a sector = one module + one line here."""
from agrosim.sectors.base import Sector
from agrosim.sectors.land_grain import SECTOR as LAND_GRAIN

SECTORS: tuple[Sector, ...] = (LAND_GRAIN,)
BY_NAME: dict[str, Sector] = {s.name: s for s in SECTORS}

__all__ = ["SECTORS", "BY_NAME", "Sector"]
