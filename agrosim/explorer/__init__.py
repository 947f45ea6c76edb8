"""Live what-if explorer: `agrosim serve SCENARIO` serves one page with the scenario's levers, a target
scorecard, fan charts and a feasibility map, recomputed as the levers move (see docs/explorer.md)."""
from agrosim.explorer.model import Explorer

__all__ = ["Explorer"]
