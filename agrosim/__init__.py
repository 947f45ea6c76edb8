"""agrosim: can this region reach its agricultural plan targets, and if not, by how much?

    import agrosim
    r = agrosim.run("scenarios/shanxi_grain_2025.yaml")
    r.verdicts            # one row per target
    r.frame()             # tidy results: run, year, region, indicator, value, unit
"""
from agrosim.api import Run, run
from agrosim.config import Scenario, load_scenario
from agrosim.engine import simulate
from agrosim.errors import InputError, ModelError
from agrosim.targets import evaluate

__all__ = ["run", "Run", "load_scenario", "Scenario", "simulate", "evaluate", "InputError", "ModelError"]
__version__ = "0.1.0"
