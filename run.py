"""Thin entry: `python run.py SCENARIO.yaml` is `agrosim run SCENARIO.yaml`."""
from agrosim.cli import entry

if __name__ == "__main__":
    entry()
