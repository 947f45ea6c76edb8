"""Layers import only downward (issue 20). Every import in the package, function-level ones included,
is parsed; an import from a lower layer into a higher one fails unless it is a known exception below,
listed with why it is still there. The layer list is agrosim/layers.py (drawn in docs/architecture.md)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agrosim.layers import LAYERS, layer_of

PACKAGE = Path(__file__).resolve().parents[1] / "agrosim"

#: (importer, imported) upward imports that exist today, each with the reason; remove a line when
#: the import goes. Any import not listed here that points up fails the test.
KNOWN_UPWARD = {
    ("agrosim.config.loader", "agrosim.sectors"):
        "the loader validates each section against the sectors' parameter specs (issue 20: pass the registry in)",
    ("agrosim.config.loader", "agrosim.events"):
        "the loader parses the events section and runs the SimPy calendar while loading",
    ("agrosim.config.loader", "agrosim.param_arrays"):
        "the loader builds run arrays to check cross-parameter rules while loading",
    ("agrosim.config.loader", "agrosim.uncertainty"):
        "the `uncertainty:` schema (Distribution, parse_distribution) lives beside the sampler",
    ("agrosim.config.loader", "agrosim.baseyear"):
        "the base-year closure check runs while loading",
    ("agrosim.config.assumptions", "agrosim.uncertainty"):
        "the placeholders' ranges become Distributions, defined beside the sampler",
    ("agrosim.report.writer", "agrosim"):
        "the report reads agrosim.__version__ from the package root for metadata.json",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("agrosim",) + path.relative_to(PACKAGE).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
    """The agrosim modules `module` imports anywhere in its file; `from x import y` counts as x.y
    when y is a module, and relative imports are resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {m for m in found if m == "agrosim" or m.startswith("agrosim.")}


def _upward() -> dict[tuple[str, str], str]:
    out = {}
    for module, path in MODULES.items():
        own = layer_of(module)
        for imported in _imports(module, path):
            target = layer_of(imported)
            if target is not None and own is not None and target > own:
                out[(module, imported)] = f"{module} ({LAYERS[own][0]}) imports {imported} ({LAYERS[target][0]})"
    return out


def test_every_module_has_a_layer():
    assert [m for m in MODULES if layer_of(m) is None] == []


def test_the_parser_sees_function_level_and_module_imports():
    """Hand-checked: the loader imports baseyear inside a function and the sectors at module level."""
    imports = _imports("agrosim.config.loader", MODULES["agrosim.config.loader"])
    assert {"agrosim.baseyear", "agrosim.sectors", "agrosim.config.yaml_io"} <= imports
    assert "agrosim.sectors.base" in _imports("agrosim.sectors.pigs", MODULES["agrosim.sectors.pigs"])


def test_layers_import_only_downward():
    new = {pair: text for pair, text in _upward().items() if pair not in KNOWN_UPWARD}
    assert not new, "upward imports (move the code to the layer it belongs to):\n" + "\n".join(new.values())


def test_known_exceptions_still_exist():
    """An exception that was fixed must leave the list, so the list stays the true debt."""
    gone = [pair for pair in KNOWN_UPWARD if pair not in _upward()]
    assert not gone, f"no longer upward, remove from KNOWN_UPWARD: {gone}"


@pytest.mark.parametrize("module, layer", [("agrosim.sectors.pigs", "design"), ("agrosim.cli_args", "interface"),
                                           ("agrosim", "interface"), ("agrosim.config.spec", "config")])
def test_layer_lookup(module, layer):
    assert LAYERS[layer_of(module)][0] == layer
