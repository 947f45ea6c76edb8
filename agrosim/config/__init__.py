"""Reading scenario files: YAML → merged, schema-checked sections with provenance (the config layer).
The full load, with the design step, is `agrosim.load_scenario` (agrosim/prepare.py)."""
from agrosim.config.loader import read_scenario
from agrosim.config.scenario import Scenario

__all__ = ["read_scenario", "Scenario"]
