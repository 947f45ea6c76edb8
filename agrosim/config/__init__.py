"""Scenario loading: YAML → validated, unit-resolved Scenario with provenance."""
from agrosim.config.loader import load_scenario
from agrosim.config.scenario import Scenario

__all__ = ["load_scenario", "Scenario"]
