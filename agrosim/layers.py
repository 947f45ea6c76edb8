"""The package's layers, lowest first: a module may import from its own layer and the layers below,
never from a layer above (tests/test_layers.py parses every import, function-level ones included,
and fails on an upward one). docs/architecture.md draws the same list; this is the one place it is
written down. A new module must be placed here (the test fails on a module with no layer).

Each layer lists module names; a name covers its submodules (`agrosim.sectors` covers
`agrosim.sectors.pigs`). The package root `agrosim` (the lazy public API) is the top layer.
"""
from __future__ import annotations

#: (layer, modules), lowest first
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # vocabulary every layer may use: units and quantities, parameter paths, errors, size limits, file
    # locations, draws
    ("base", ("agrosim.units", "agrosim.errors", "agrosim.limits", "agrosim.paths", "agrosim.rng",
              "agrosim.layers", "agrosim.version", "agrosim.parampath")),
    # reading and validating scenario files: schema, merge, sector declarations, parameter specs and
    # values, distributions and events as written (no event calendar, no run arrays)
    ("config", ("agrosim.config",)),
    # what a run is made of: sectors, links and the lookup of both (registry), event calendar, run arrays, sampling, observations, and
    # the design step of loading (prepare: the calendar, placeholders, base-year and cross-parameter checks)
    ("design", ("agrosim.sectors", "agrosim.links", "agrosim.events", "agrosim.param_arrays", "agrosim.uncertainty",
                "agrosim.compose", "agrosim.baseyear", "agrosim.observed", "agrosim.prepare", "agrosim.registry")),
    # the container the engine fills (under the engine, which builds it)
    ("results", ("agrosim.results",)),
    ("engine", ("agrosim.engine",)),
    # many runs in chunks, and verdicts on targets
    ("batch", ("agrosim.batch", "agrosim.targets")),
    # analyses of scenarios and their runs; regions compares the targets of nested regions' files
    ("analysis", ("agrosim.analysis", "agrosim.regions")),
    ("report", ("agrosim.report",)),
    # what people call: the Python API, the command line, the explorer page, generated reference docs
    ("interface", ("agrosim", "agrosim.api", "agrosim.cli", "agrosim.cli_analysis", "agrosim.cli_args",
                   "agrosim.cli_observed", "agrosim.cli_options", "agrosim.cli_regions", "agrosim.cli_run",
                   "agrosim.reference", "agrosim.explorer")),
)


#: What the report layer may import from the layers below it: the report draws and writes what the handlers
#: computed, so it runs no model, loads no scenario file and calls no analysis (issue 20). Module → the names
#: a report module may take from it (None: any name, or the module itself); a key covers its submodules.
#: tests/test_layers.py fails on any other agrosim import in agrosim.report, function-level ones included.
REPORT_MAY_IMPORT: dict[str, frozenset[str] | None] = {
    "agrosim.report": None,                        # its own modules
    # vocabulary: errors, units and their display, parameter paths, the version stamp
    "agrosim.errors": None, "agrosim.units": None, "agrosim.parampath": None, "agrosim.version": None,
    # the user's cache folder (the font subset of report.html is kept there) and writing a file whole
    "agrosim.paths": frozenset({"atomic_file", "cache_dir"}),
    # the scenario as loaded, its targets and parameter specs, and the lookup of declared sectors (labels, units)
    "agrosim.config.scenario": frozenset({"Scenario", "Target"}),
    "agrosim.config.spec": frozenset({"ParamSpec"}),
    "agrosim.registry": frozenset({"BY_NAME", "param_spec"}),
    # the runs' container, the quantile levels of its tables and one indicator's rows of such a table in a
    # unit (not quantile_table, which computes them)
    "agrosim.results": frozenset({"Results", "QUANTILES", "series"}),
    # the verdict classes and words (not evaluate or yearly_probabilities)
    "agrosim.targets": frozenset({"Thresholds", "VERDICT_WORDS", "is_favourable", "verdict_key"}),
    # the findings the handlers computed, and the wording of trade-off records
    "agrosim.analysis.findings": None,
}

def layer_of(module: str) -> int | None:
    """Index in LAYERS of the layer holding `module` (the longest listed name that covers it), or None."""
    best, index = "", None
    for i, (_, names) in enumerate(LAYERS):
        for name in names:
            covers = module == name or (name != "agrosim" and module.startswith(name + "."))
            if covers and len(name) > len(best):
                best, index = name, i
    return index
