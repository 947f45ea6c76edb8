"""agrosim: can this region reach its agricultural plan targets, and if not, by how much?

    import agrosim
    r = agrosim.run("scenarios/shanxi_grain_2025.yaml")
    r.verdicts            # one row per target
    r.frame()             # tidy results: run, year, region, indicator, value, unit

The names below are imported on first use (module-level `__getattr__`), so `import agrosim` and
the command line's start-up stay fast: numpy, pandas, pyarrow, matplotlib and jinja2 load only
when a call needs them.
"""
from __future__ import annotations

from importlib import import_module

from agrosim.version import __version__  # noqa: F401  (agrosim.__version__ is public)

#: public name -> module that defines it
_EXPORTS = {
    "run": "agrosim.api", "Run": "agrosim.api", "monte_carlo": "agrosim.api",
    "load_scenario": "agrosim.prepare", "Scenario": "agrosim.config",
    "simulate": "agrosim.engine", "evaluate": "agrosim.targets",
    "InputError": "agrosim.errors", "ModelError": "agrosim.errors",
}

__all__ = ["run", "Run", "load_scenario", "Scenario", "simulate", "evaluate", "InputError", "ModelError"]


def __getattr__(name: str):
    """Import a public name's module on first access and cache the name in this package."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agrosim' has no attribute '{name}'")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
