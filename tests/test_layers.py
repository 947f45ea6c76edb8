"""Layers import only downward (issue 20). Every import in the package, function-level ones included,
is parsed; an import from a lower layer into a higher one fails, with no exceptions. The layer list is
agrosim/layers.py (drawn in docs/architecture.md). The report layer is held tighter: it may import only
what `layers.REPORT_MAY_IMPORT` lists (no engine, no scenario loading, no analysis computation)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agrosim.layers import LAYERS, REPORT_MAY_IMPORT, layer_of

PACKAGE = Path(__file__).resolve().parents[1] / "agrosim"

def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("agrosim",) + path.relative_to(PACKAGE).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _imports(module: str, path: Path, source: str | None = None) -> set[str]:
    """The agrosim modules `module` imports anywhere in its file (or in `source`, read as that file);
    `from x import y` counts as x.y when y is a module, and relative imports are resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8") if source is None else source)):
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


def _upward(sources: dict[str, str] | None = None) -> dict[tuple[str, str], str]:
    """(importer, imported) → description of every upward import; `sources` replaces files' text."""
    out = {}
    for module, path in MODULES.items():
        own = layer_of(module)
        for imported in _imports(module, path, (sources or {}).get(module)):
            target = layer_of(imported)
            if target is not None and own is not None and target > own:
                out[(module, imported)] = f"{module} ({LAYERS[own][0]}) imports {imported} ({LAYERS[target][0]})"
    return out


def test_every_module_has_a_layer():
    assert [m for m in MODULES if layer_of(m) is None] == []


def test_the_parser_sees_function_level_relative_and_module_imports():
    """Hand-checked: the report handlers import the loading composition inside a function and the
    errors at module level; relative imports (a made-up loader source) resolve to full names."""
    imports = _imports("agrosim.cli_run", MODULES["agrosim.cli_run"])
    assert {"agrosim.prepare", "agrosim.errors", "agrosim.paths"} <= imports
    assert "agrosim.sectors.base" in _imports("agrosim.sectors.pigs", MODULES["agrosim.sectors.pigs"])
    relative = _imports("agrosim.config.loader", MODULES["agrosim.config.loader"], "from .spec import ParamSpec\n"
                        "def f():\n    from ..sectors import BY_NAME\n")
    assert relative == {"agrosim.config.spec", "agrosim.sectors"}


def test_layers_import_only_downward():
    upward = _upward()
    assert not upward, "upward imports (move the code to the layer it belongs to):\n" + "\n".join(upward.values())


def test_an_upward_import_is_caught():
    """The check can fail: the loader importing the sectors again (as it did before issue 20), at module
    level or inside a function, is reported with both layers."""
    for source in ("from agrosim.sectors import BY_NAME\n", "def f():\n    from agrosim import prepare\n"):
        found = _upward({"agrosim.config.loader": source})
        assert list(found) in ([("agrosim.config.loader", "agrosim.sectors")],
                               [("agrosim.config.loader", "agrosim.prepare")])
        assert "(config) imports" in next(iter(found.values())) and "(design)" in next(iter(found.values()))


@pytest.mark.parametrize("module, layer", [("agrosim.sectors.pigs", "design"), ("agrosim.cli_args", "interface"),
                                           ("agrosim", "interface"), ("agrosim.config.spec", "config")])
def test_layer_lookup(module, layer):
    assert LAYERS[layer_of(module)][0] == layer


# ---- what the report layer may import -------------------------------------------------------------

def _named_imports(module: str, path: Path, source: str | None = None) -> set[tuple[str, str | None]]:
    """(agrosim module, name taken from it) of every import in `module`'s file (or `source`), function-level
    ones included; the name is None when the module itself is imported (`import x`, `from pkg import module`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8") if source is None else source)):
        if isinstance(node, ast.Import):
            found.update((a.name, None) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{module}: a relative import; write agrosim.… in full"
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                found.add((whole, None) if whole in MODULES else (node.module, alias.name))
    return {(m, n) for m, n in found if m == "agrosim" or m.startswith("agrosim.")}


def _refused(module: str, name: str | None) -> bool:
    """Whether REPORT_MAY_IMPORT refuses taking `name` (None: the module itself) from `module`."""
    keys = [k for k in REPORT_MAY_IMPORT if module == k or module.startswith(k + ".")]
    if not keys:
        return True
    names = REPORT_MAY_IMPORT[max(keys, key=len)]
    return names is not None and name not in names


def _report_violations(sources: dict[str, str] | None = None) -> list[str]:
    """'importer: from module import name' of every import of the report package the allow-list refuses."""
    out = []
    for module, path in MODULES.items():
        if module == "agrosim.report" or module.startswith("agrosim.report."):
            for imported, name in sorted(_named_imports(module, path, (sources or {}).get(module)), key=str):
                if _refused(imported, name):
                    out.append(f"{module}: " + (f"from {imported} import {name}" if name else f"import {imported}"))
    return out


def test_the_report_imports_only_what_it_may():
    """The report draws what the handlers computed: no engine, no scenario loading, no analysis computation."""
    found = _report_violations()
    assert not found, ("the report layer imports what it may not (compute it in the handler or the analysis "
                       "layer and hand it over, see layers.REPORT_MAY_IMPORT):\n" + "\n".join(found))


def test_the_report_allow_list_can_fail():
    """Planted: the imports the report held before issue 20 and others it must not make are each refused,
    at module level or inside a function; vocabulary it may take passes."""
    planted = {
        "from agrosim.engine import simulate\n": "from agrosim.engine import simulate",
        "def f():\n    from agrosim.analysis.tracking import track\n": "from agrosim.analysis.tracking import track",
        "def f():\n    from agrosim.observed import load_observed\n": "from agrosim.observed import load_observed",
        "from agrosim.config.yaml_io import read_yaml\n": "from agrosim.config.yaml_io import read_yaml",
        "import agrosim.prepare\n": "import agrosim.prepare",
        "from agrosim.targets import evaluate\n": "from agrosim.targets import evaluate",
        "from agrosim.results import quantile_table\n": "from agrosim.results import quantile_table",
        "from agrosim import targets\n": "import agrosim.targets",
        "from agrosim.analysis.report_inputs import report_findings\n":
            "from agrosim.analysis.report_inputs import report_findings",
    }
    for source, line in planted.items():
        assert _report_violations({"agrosim.report.sections": source}) == [f"agrosim.report.sections: {line}"]
    allowed = ("from agrosim.targets import verdict_key\nfrom agrosim.report import charts\n"
               "from agrosim.analysis.findings import ReportFindings\nimport agrosim.units\n")
    assert _report_violations({"agrosim.report.sections": allowed}) == []

def _private_names(module: str, path: Path, source: str | None = None) -> list[str]:
    """`from x import _name` in `module` (or in `source`, read as its file) where `x._name` is not a
    module: a private function, class or constant of another module (a private module such as
    `sectors._herd` is imported as a module; dunder names such as `__version__` are public)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8") if source is None else source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("agrosim"):
            out.extend(f"{module} imports {node.module}.{a.name}" for a in node.names
                       if a.name.startswith("_") and not a.name.startswith("__")
                       and f"{node.module}.{a.name}" not in MODULES)
    return out


def test_no_module_imports_another_modules_private_names():
    """What a module offers others is public (regions reads targets with the loader's `read_targets`,
    not a private helper); the check sees such an import where one is written."""
    assert [line for module, path in MODULES.items() for line in _private_names(module, path)] == []
    source = "from agrosim.config.loader import Collector, _targets\nfrom agrosim.sectors import _herd\n"
    assert _private_names("agrosim.regions", MODULES["agrosim.regions"], source) == [
        "agrosim.regions imports agrosim.config.loader._targets"]
