"""The links, in the order the engine runs them each year after every sector has stepped. Adding a
link = one module exporting `LINK = Link(...)` (agrosim/links/base.py) + one line here.

Land claims come first (land is handed out before the herds on it are fed), then the feed balance
(which may cut herds), then output value (which prices what is left).
"""
from agrosim.links.base import Link, LinkInputs, check_reads
from agrosim.links.feed import LINK as FEED
from agrosim.links.land import LINK as LAND
from agrosim.links.value import LINK as VALUE

#: in running order
LINKS: tuple[Link, ...] = (LAND, FEED, VALUE)
LINK_BY_NAME: dict[str, Link] = {link.name: link for link in LINKS}

__all__ = ["LINKS", "LINK_BY_NAME", "Link", "LinkInputs", "check_reads"]
